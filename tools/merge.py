# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Merge fields written ``{{code}}`` (the seed's syntax), rendered from a dict.

Nothing is ever evaluated: a code is a plain identifier looked up in the values; unknown
codes are reported, and a ``{{`` that does not close on a valid code is an error.
"""

import re

CODE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
OPEN_RE = re.compile(r"\{\{")
SPACES_RE = re.compile(r"(?<=\S) {2,}(?=\S)")
#: stands for an empty value while the text is tidied (a character no SMS text holds)
EMPTY = "\x00"
#: an empty value with the connector before it (", " ": " " - "), when only punctuation
#: or the end of the line follows it
HOLE_RE = re.compile(
    r"[ \t]*(?:[,;:]|\s-)?[ \t]*(?:\x00[ \t]*)+(?=[.,;:!?)]|$)", re.MULTILINE
)


class MergeError(ValueError):
    """``unknown`` lists the unknown codes; ``malformed`` the text of a broken
    placeholder."""

    def __init__(self, message, unknown=(), malformed=()):
        super().__init__(message)
        self.unknown = tuple(unknown)
        self.malformed = tuple(malformed)


def find_codes(text):
    """The codes used in ``text``, first appearance order, no repeats."""
    return tuple(dict.fromkeys(CODE_RE.findall(text or "")))


def malformed_placeholders(text):
    """Pieces of ``text`` that open ``{{`` but are not a valid ``{{code}}``."""
    text = text or ""
    valid_starts = {match.start() for match in CODE_RE.finditer(text)}
    broken = []
    for match in OPEN_RE.finditer(text):
        if match.start() not in valid_starts:
            broken.append(text[match.start() : match.start() + 20])
    return tuple(broken)


def has_placeholders(text):
    return bool(OPEN_RE.search(text or "") or "}}" in (text or ""))


def check(text, allowed):
    """Raise :class:`MergeError` if ``text`` uses a code outside ``allowed`` or a broken
    placeholder."""
    unknown = [code for code in find_codes(text) if code not in allowed]
    malformed = malformed_placeholders(text)
    if unknown or malformed:
        parts = []
        if unknown:
            parts.append(
                "unknown merge fields: " + ", ".join("{{" + c + "}}" for c in unknown)
            )
        if malformed:
            parts.append("malformed merge fields: " + ", ".join(malformed))
        raise MergeError("; ".join(parts), unknown=unknown, malformed=malformed)


def render(text, values):
    """Replace every ``{{code}}`` of ``text`` with ``values[code]`` (``None`` ->
    empty)."""
    text = text or ""
    if OPEN_RE.search(CODE_RE.sub("", text)):
        check(text, values)  # a broken placeholder: raises, saying which

    def replace(match):
        value = values[match.group(1)]
        value = "" if value is None or value is False else str(value)
        return value or EMPTY

    try:
        rendered = CODE_RE.sub(replace, text)
    except KeyError:
        check(text, values)  # an unknown code: raises, saying which
        raise
    # an empty value takes its connector with it when nothing follows it but punctuation
    # or the end ("à 10:00, {{location}}. Mairie" -> "à 10:00. Mairie"), then leaves no
    # double space behind ("Bonjour {{civility}} {{last_name}}")
    rendered = HOLE_RE.sub("", rendered).replace(EMPTY, "")
    return SPACES_RE.sub(" ", rendered).strip()
