# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from psms_tools.phone import PhoneError, format_international, normalize_mobile
from psms_tools.zones import get_zone


@pytest.mark.parametrize(
    "raw",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "+33612345678",
        "+33 6 12 34 56 78",
        "0033 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        " 06 12 34 56 78 ",
    ],
)
def test_french_mobile_formats(raw):
    assert normalize_mobile(raw) == "+33612345678"


def test_07_mobile():
    assert normalize_mobile("07 81 23 45 67") == "+33781234567"


@pytest.mark.parametrize(
    "zone, raw, expected",
    [
        ("reunion", "0692 12 34 56", "+262692123456"),
        ("guadeloupe", "0690 12 34 56", "+590690123456"),
        ("martinique", "0696 12 34 56", "+596696123456"),
        ("guyane", "0694 20 12 34", "+594694201234"),
        ("mayotte", "0639 21 23 45", "+262639212345"),
    ],
)
def test_overseas_numbers_read_in_their_zone(zone, raw, expected):
    assert normalize_mobile(raw, get_zone(zone).region) == expected


def test_international_number_kept_whatever_the_zone():
    assert normalize_mobile("+33 6 12 34 56 78", "RE") == "+33612345678"
    assert normalize_mobile("+262 692 12 34 56", "FR") == "+262692123456"


def test_reunion_number_invalid_in_metropolitan_zone():
    with pytest.raises(PhoneError) as err:
        normalize_mobile("0692 12 34 56", "FR")
    assert err.value.code == "invalid"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "empty"),
        (None, "empty"),
        ("   ", "empty"),
        ("hello", "unparsable"),
        ("--", "unparsable"),
        ("06 12", "invalid"),
        ("06 12 34 56 78 90 12", "invalid"),
        ("01 44 55 66 77", "not_mobile"),  # fixed line, Paris
        ("04 78 12 34 56", "not_mobile"),  # fixed line, Lyon
        ("0800 123 456", "not_mobile"),  # free phone
        ("0899 12 34 56", "not_mobile"),  # premium rate
    ],
)
def test_refused_numbers(raw, code):
    with pytest.raises(PhoneError) as err:
        normalize_mobile(raw)
    assert err.value.code == code
    assert isinstance(err.value, ValueError)
    assert str(err.value)


def test_format_international():
    assert format_international("+33612345678") == "+33 6 12 34 56 78"


def test_zones():
    assert get_zone(False).tz == "Europe/Paris"
    assert get_zone("reunion").tz == "Indian/Reunion"
    with pytest.raises(ValueError):
        get_zone("atlantis")
