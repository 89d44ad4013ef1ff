# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invariant: every spelling of a number has the same key and is the same number; two
different numbers are never the same (whatever their spelling), even when they share
their last digits."""

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psms_tools.phone_match import e164_forms, number_key, same_number

SPELLINGS = [
    "06 12 34 56 78",
    "06.12.34.56.78",
    "0612345678",
    "+33612345678",
    "+33 6 12 34 56 78",
    "0033 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
]


@pytest.mark.parametrize("raw", SPELLINGS)
def test_every_spelling_is_the_same_number(raw):
    assert number_key(raw) == "12345678"
    assert same_number(raw, "+33612345678", ("FR",))
    assert same_number("06 12 34 56 78", raw, ("FR", None))


def test_different_numbers_or_countries_are_not_the_same():
    assert not same_number("+33612345678", "+33612345679", ("FR",))
    # same last digits, another country: the keys meet, the E.164 forms do not
    assert not same_number("+262612345678", "+33612345678", ("FR", "RE"))
    assert not same_number("", "+33612345678", ("FR",))
    assert not same_number("no number", "nothing", ("FR",))


def test_national_numbers_are_read_in_the_regions_given():
    assert same_number("0692 12 34 56", "+262692123456", ("RE",))
    assert not same_number("0692 12 34 56", "+262692123456", ("FR",))
    assert e164_forms("06 12 34 56 78", ()) == {"0612345678"}  # no region: its digits


@given(
    st.integers(600000000, 799999999),
    st.integers(600000000, 799999999),
    st.sampled_from(["+33{}", "0{}", "0033{}"]),
)
def test_same_number_is_e164_equality(first, second, spelling):
    def e164(national):
        return phonenumbers.format_number(
            phonenumbers.parse(f"+33{national}"), phonenumbers.PhoneNumberFormat.E164
        )

    assert same_number(spelling.format(first), e164(second), ("FR",)) == (
        first == second
    )
