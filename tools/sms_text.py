# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS text measurement, as operators (SMSCs) count it.

A text is sent in GSM-7 when every character is in the GSM 03.38 basic table or its
extension table, otherwise in UCS-2. GSM-7 counts septets (an extension character is an
escape + the character: 2 septets); UCS-2 counts UTF-16 code units (a character outside
the BMP, such as most emoji, is a surrogate pair: 2 units). One SMS holds 160 septets /
70 units; a longer text is cut in segments of 153 / 67 (the rest is the concatenation
header), and a segment never splits an escape pair or a surrogate pair, so a segment may
be left one unit short.
"""

import re
import unicodedata
from dataclasses import dataclass, field

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION

#: one character outside GSM-7; one of its extension table (2 units); one beyond
#: U+FFFF (a UTF-16 surrogate pair, 2 units in UCS-2)
NOT_GSM7_RE = re.compile("[^" + re.escape("".join(sorted(GSM7_ALL))) + "]")
GSM7_EXTENSION_RE = re.compile("[" + re.escape("".join(sorted(GSM7_EXTENSION))) + "]")
ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")

GSM7 = "GSM-7"
UCS2 = "UCS-2"

SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
SEGMENT_LIMIT = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SmsMeasure:
    """What a text costs once sent."""

    encoding: str
    units: int
    segments: int
    length: int
    #: units the last segment can still take before one more SMS is needed
    remaining: int
    #: characters that forced UCS-2, in order of first appearance, without repeats
    ucs2_chars: tuple = field(default_factory=tuple)

    @property
    def single_limit(self):
        return SINGLE_LIMIT[self.encoding]

    @property
    def segment_limit(self):
        return SEGMENT_LIMIT[self.encoding]

    def as_dict(self):
        return {
            "encoding": self.encoding,
            "units": self.units,
            "segments": self.segments,
            "length": self.length,
            "remaining": self.remaining,
            "ucs2_chars": list(self.ucs2_chars),
        }


def is_gsm7(char):
    return char in GSM7_ALL


def ucs2_chars(text):
    """The characters of ``text`` that are not in GSM-7, first appearance order, no
    repeats (one regular expression over the text, not a call per character)."""
    return tuple(dict.fromkeys(NOT_GSM7_RE.findall(text or "")))


def _unit_costs(text, encoding):
    if encoding == GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    # UTF-16 code units: characters beyond U+FFFF are a surrogate pair
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _count_segments(costs, encoding):
    """Segments of a text longer than one SMS, and the units its last one can take."""
    limit = SEGMENT_LIMIT[encoding]
    segments, used = 1, 0
    for cost in costs:
        if used + cost > limit:
            segments += 1
            used = 0
        used += cost
    return segments, limit - used


def measure(text):
    """Measure ``text`` (``None`` counts as empty) and return a :class:`SmsMeasure`."""
    text = text or ""
    forcing = tuple(dict.fromkeys(NOT_GSM7_RE.findall(text)))  # as ucs2_chars
    encoding = UCS2 if forcing else GSM7
    double = GSM7_EXTENSION_RE if encoding == GSM7 else ASTRAL_RE
    units = len(text) + len(double.findall(text))
    if not text:
        segments, remaining = 0, SINGLE_LIMIT[encoding]
    elif units <= SINGLE_LIMIT[encoding]:
        segments, remaining = 1, SINGLE_LIMIT[encoding] - units
    else:  # a long text: its segments never split a 2-unit character
        segments, remaining = _count_segments(_unit_costs(text, encoding), encoding)
    return SmsMeasure(
        encoding=encoding,
        units=units,
        segments=segments,
        length=len(text),
        remaining=remaining,
        ucs2_chars=forcing,
    )


def max_units(encoding, max_segments):
    """How many units a text of ``encoding`` may hold in at most ``max_segments`` SMS
    (ignoring the pairs a segment cannot split)."""
    if max_segments <= 1:
        return SINGLE_LIMIT[encoding]
    return SEGMENT_LIMIT[encoding] * max_segments


def is_blank(text):
    """Whether ``text`` shows nothing: empty, or only spaces, line breaks and invisible
    characters (zero-width spaces and joiners, word joiner, byte-order mark, other
    format characters)."""
    for char in (text or "").strip():
        if not (char.isspace() or unicodedata.category(char) in BLANK_CATEGORIES):
            return False
    return True


BLANK_CATEGORIES = ("Cf", "Zs", "Zl", "Zp")


# -- French-aware GSM-7 ----------------------------------------------------------------
#: typography GSM-7 lacks, and what an operator would print instead
TYPOGRAPHY = {
    **dict.fromkeys("’‘‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    "‹": "'",
    "›": "'",
    "…": "...",
    **dict.fromkeys("–—‒―−‐‑", "-"),
    "•": "-",
    "·": ".",
    # spaces: non-breaking, narrow non-breaking, thin, en, em, figure... and the
    # invisible ones
    **dict.fromkeys(
        "\u00a0\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
        "\u2009\u200a\u205f\u3000",
        " ",
    ),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
    "\t": " ",
}
#: letters whose GSM-7 spelling is not their accent-free decomposition
LETTERS = {
    "œ": "oe",
    "Œ": "OE",
    "ÿ": "y",
    "Ÿ": "Y",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
}
KEEP, TYPOGRAPHY_ONLY, TYPOGRAPHY_AND_LETTERS = "keep", "typography", "letters"


def _letter(char):
    if char in LETTERS:
        return LETTERS[char]
    bare = "".join(
        c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
    )
    return bare if bare and all(is_gsm7(c) for c in bare) else None


def gsm_replacements(text, letters=False):
    """``{character: replacement}`` of the characters of ``text`` that :func:`to_gsm`
    would replace, in order of first appearance. A character GSM-7 has is never touched.
    """
    found = {}
    for char in dict.fromkeys(text or ""):
        if char in GSM7_ALL:
            continue
        if char in TYPOGRAPHY:
            found[char] = TYPOGRAPHY[char]
        elif letters:
            replacement = _letter(char)
            if replacement is not None:
                found[char] = replacement
    return found


def to_gsm(text, letters=False):
    """``text`` with its typography (’ « » … – non-breaking and invisible spaces...)
    written with GSM-7 characters, and with ``letters`` also the letters GSM-7 lacks (ê
    â î ô û ë ï ç œ and their capitals... ; é è à ù, which GSM-7 has, stay). Emoji and
    other characters stay: the text then goes in Unicode, as typed."""
    replacements = gsm_replacements(text, letters)
    if not replacements:
        return text or ""
    return text.translate(str.maketrans(replacements))


def convert(text, mode):
    """``to_gsm`` for a company's mode: ``keep``, ``typography`` or ``letters``."""
    if mode == KEEP:
        return text or ""
    replacements = gsm_replacements(text, letters=(mode == TYPOGRAPHY_AND_LETTERS))
    if not replacements:
        return text or ""
    return text.translate(str.maketrans(replacements))
