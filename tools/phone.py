# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Mobile number normalisation (E.164) with phonenumbers only."""

import phonenumbers
from phonenumbers import PhoneNumberType

MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
#: E.164 mobile numbers this process already found valid, so that the engine's second
#: check of a number (preview, then queue, then dispatch) is a lookup: phonenumbers
#: takes about 0.15 ms a number. The metadata never changes in a running process, and
#: an E.164 number reads the same in every region. Bounded: emptied when full.
_KNOWN_MOBILES = {}
MAX_KNOWN_MOBILES = 50000


class PhoneError(ValueError):
    """A number that cannot receive SMS. ``code`` is one of ``empty``, ``unparsable``,
    ``invalid``, ``not_mobile``; the message is a readable reason in English (the Odoo
    layer translates by code)."""

    def __init__(self, code, message, raw=None):
        super().__init__(message)
        self.code = code
        self.raw = raw


def normalize_mobile(raw, region="FR"):
    """Return ``raw`` as an E.164 mobile number (``+33612345678``) or raise
    :class:`PhoneError`.

    National numbers are read in ``region`` (ISO country code of the structure's SMS
    zone), so that ``0692 12 34 56`` read in ``RE`` gives ``+262692123456``. Fixed
    lines, free-phone and premium numbers are refused: they cannot receive SMS.
    """
    text = (raw or "").strip()
    if not text:
        raise PhoneError("empty", "No phone number.", raw)
    if text in _KNOWN_MOBILES:
        return text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise PhoneError(
            "unparsable", f"'{text}' is not a phone number.", raw
        ) from None
    # a mobile type implies a valid number (is_valid_number is number_type !=
    # UNKNOWN in the number's own region): validity is asked only to say why not
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        if not phonenumbers.is_valid_number(number):
            raise PhoneError("invalid", f"'{text}' is not a valid phone number.", raw)
        raise PhoneError("not_mobile", f"'{text}' is not a mobile number.", raw)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(_KNOWN_MOBILES) >= MAX_KNOWN_MOBILES:
        _KNOWN_MOBILES.clear()
    _KNOWN_MOBILES[e164] = True
    return e164


def format_international(e164):
    """``+33612345678`` -> ``+33 6 12 34 56 78`` (for display)."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
