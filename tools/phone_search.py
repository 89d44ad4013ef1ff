# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a user types in a Phone search, as a domain on the E.164 ``number`` column
that its indexes answer (issue 19).

A whole number, however it is typed (``06 12 34 56 78``, ``0612345678``,
``+33 6 12 34 56 78``, ``0033612345678``, ``33612345678``), becomes its E.164 form and
an equality (the b-tree index of ``number``); the start of a number (``+33 6``) a
prefix; a national start (``06 12``) that prefix or the same digits in the number (a
user may copy ``0612`` from the middle); any other digits (``5678``) the digits in the
number, or, when few, the start of an international number typed without its ``+``
(``33612``). Digits "in the number" are its end when they are fewer than
:data:`ANYWHERE_DIGITS` (the last digits a user reads out: ``=like '%5678'``, which a
b-tree index of the reversed number answers) and anywhere from that many on (``like``,
the trigram index of ``number``): four digits anywhere match one number in a
thousand, too many to count at ten million SMS, and a user typing a few digits means
the end of the number. ``LIKE``, never ``ILIKE``, so that ``unaccent`` does not hide
the column from the indexes.
"""

import re

import phonenumbers

from .phone import PhoneError, normalize_mobile

NON_DIGITS = re.compile(r"\D")
#: from this many digits on, digits typed are searched anywhere in the number; fewer
#: are its end
ANYWHERE_DIGITS = 6


def _digits_in_number(digits):
    """The leaf of the numbers holding ``digits``: at their end when they are few,
    anywhere when they are many (see the module's docstring)."""
    if len(digits) < ANYWHERE_DIGITS:
        return ("number", "=like", f"%{digits}")
    return ("number", "like", digits)


def _whole_number(text, digits, region):
    """The E.164 form of ``text`` when it is a whole mobile number, else None."""
    candidates = [text]
    if not text.startswith(("+", "0")):
        candidates.append("+" + digits)  # 33612345678: the country code, no "+"
    for candidate in candidates:
        try:
            return normalize_mobile(candidate, region)
        except PhoneError:
            continue
    return None


def number_domain(term, region="FR"):
    """The domain on ``number`` of the SMS whose number matches ``term`` as typed in
    a search (see the module's docstring); ``region`` reads national numbers."""
    text = (term or "").strip()
    digits = NON_DIGITS.sub("", text)
    if not digits:
        return [("number", "ilike", text)]
    e164 = _whole_number(text, digits, region)
    if e164:
        return [("number", "=", e164)]
    if text.startswith("+"):
        return [("number", "=like", f"+{digits}%")]
    if text.startswith("00"):
        # the international start (0033 6), or zeros from the middle (0000)
        return [
            "|",
            ("number", "=like", f"+{digits[2:]}%"),
            _digits_in_number(digits),
        ]
    if text.startswith("0") and len(digits) > 1:
        # the start of a national number (06 12), or digits from its middle (0612)
        code = phonenumbers.country_code_for_region(region)
        return [
            "|",
            ("number", "=like", f"+{code}{digits[1:]}%"),
            _digits_in_number(digits),
        ]
    if len(digits) < ANYWHERE_DIGITS:
        # its last digits, or the start of an international number typed without
        # its "+" (33612)
        return ["|", ("number", "=like", f"+{digits}%"), _digits_in_number(digits)]
    return [_digits_in_number(digits)]
