# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading SMS replies: the first word, compared without case, accents or
punctuation."""

import re
import unicodedata

STOP_WORDS = frozenset(
    ("stop", "arret", "arreter", "unsubscribe", "desabonner", "stopsms")
)
WORD_RE = re.compile(r"[a-z0-9]+")


def normalize(text):
    """Lower case, no accents, no punctuation, single spaces: ``" Oui. "`` ->
    ``"oui"``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = decomposed.encode("ascii", "ignore").decode().lower()
    return " ".join(WORD_RE.findall(ascii_text))


def first_word(text):
    words = normalize(text).split()
    return words[0] if words else ""


def is_stop(text):
    """``STOP``, ``Stop SMS``, ``arrêt``… (the first word decides)."""
    return first_word(text) in STOP_WORDS
