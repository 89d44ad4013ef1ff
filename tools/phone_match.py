# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Is this number that one? Matching phone numbers written differently, with
phonenumbers only.

Used to tell whether a number Odoo's own SMS features are about to text is a
participant's mobile or phone, whatever its spelling (``06 12 34 56 78``,
``+33612345678``, ``0033 6 12 34 56 78``). Two steps: a cheap key (the last
:data:`KEY_LENGTH` digits), the same for every spelling of a number, to find the
candidates; then E.164 forms to decide.
"""

import re

import phonenumbers

KEY_LENGTH = 8
_NOT_DIGIT = re.compile(r"\D")


def number_key(raw):
    """The last :data:`KEY_LENGTH` digits of ``raw`` (all of them when it has fewer);
    empty when ``raw`` has no digit. Equal numbers always have equal keys."""
    return _NOT_DIGIT.sub("", raw or "")[-KEY_LENGTH:]


def e164_forms(raw, regions):
    """The E.164 forms ``raw`` may stand for, national numbers being read in each of
    ``regions`` (ISO codes): the valid ones if any, else the possible ones, else its
    digits."""
    text = (raw or "").strip()
    valid, possible = set(), set()
    for region in dict.fromkeys(region for region in regions if region) or (None,):
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        formatted = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
        if phonenumbers.is_valid_number(number):
            valid.add(formatted)
        elif phonenumbers.is_possible_number(number):
            possible.add(formatted)
    digits = _NOT_DIGIT.sub("", text)
    return valid or possible or ({digits} if digits else set())


def same_number(first, second, regions):
    """Whether ``first`` and ``second`` can be the same number (read in ``regions``)."""
    if not number_key(first) or number_key(first) != number_key(second):
        return False
    return bool(e164_forms(first, regions) & e164_forms(second, regions))
