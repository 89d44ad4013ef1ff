# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psms_tools.sms_text import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    UCS2,
    convert,
    gsm_replacements,
    max_units,
    measure,
    to_gsm,
    ucs2_chars,
)


@pytest.mark.parametrize(
    "text, units, segments",
    [
        ("", 0, 0),
        ("a", 1, 1),
        ("a" * 160, 160, 1),
        ("a" * 161, 161, 2),
        ("a" * 306, 306, 2),
        ("a" * 307, 307, 3),
        ("a" * 459, 459, 3),
        ("a" * 460, 460, 4),
    ],
)
def test_gsm_boundaries(text, units, segments):
    m = measure(text)
    assert (m.encoding, m.units, m.segments) == (GSM7, units, segments)


@pytest.mark.parametrize(
    "text, units, segments",
    [
        ("é" * 0 + "ê" * 70, 70, 1),
        ("ê" * 71, 71, 2),
        ("ê" * 134, 134, 2),
        ("ê" * 135, 135, 3),
    ],
)
def test_ucs2_boundaries(text, units, segments):
    m = measure(text)
    assert (m.encoding, m.units, m.segments) == (UCS2, units, segments)


def test_extension_characters_count_two():
    for char in "€[]{}~^\\|":
        m = measure(char)
        assert m.encoding == GSM7, char
        assert m.units == 2, char
    assert measure("a" * 158 + "€").segments == 1
    assert measure("a" * 159 + "€").segments == 2


def test_escape_pair_never_split():
    m = measure("a" * 152 + "€" + "a" * 152)
    assert m.units == 306
    assert m.segments == 3


def test_newline_counts_once():
    assert measure("a\nb").units == 3
    assert measure("a\r\nb").units == 4
    assert measure("\n" * 160).segments == 1


def test_emoji_is_a_surrogate_pair_never_split():
    m = measure("😀")
    assert (m.encoding, m.units, m.segments) == (UCS2, 2, 1)
    assert measure("😀" * 35).segments == 1
    assert measure("😀" * 35 + "a").segments == 2
    # 66 units then an emoji: it does not fit in the 67-unit segment, goes to the next
    # one
    m = measure("a" * 66 + "😀" + "a" * 66)
    assert m.units == 134
    assert m.segments == 3


def test_french_typography_forces_ucs2_and_is_pointed_out():
    text = "Bonjour, n’oubliez pas votre rendez-vous – à la crèche. Reçu, œuvre, fête"
    m = measure(text)
    assert m.encoding == UCS2
    assert m.ucs2_chars == ("’", "–", "ç", "œ", "ê")
    assert ucs2_chars("é è à ù É Ç") == ()


def test_plain_french_stays_gsm():
    m = measure(
        "Bonjour Mme Dupont, RDV le 12/03 à 9h30 à l'Espace Insertion. Répondez OUI."
    )
    assert m.encoding == GSM7
    assert m.ucs2_chars == ()


def test_remaining_and_dict():
    m = measure("a" * 150)
    assert m.remaining == 10
    m = measure("a" * 200)
    assert m.remaining == 153 * 2 - 200
    assert measure("abc").as_dict() == {
        "encoding": GSM7,
        "units": 3,
        "segments": 1,
        "length": 3,
        "remaining": 157,
        "ucs2_chars": [],
    }
    assert measure(None).segments == 0


def test_max_units():
    assert max_units(GSM7, 1) == 160
    assert max_units(GSM7, 2) == 306
    assert max_units(UCS2, 1) == 70
    assert max_units(UCS2, 3) == 201


def test_blank_texts():
    from psms_tools.sms_text import is_blank

    for text in (
        "",
        "   ",
        "\n\t ",
        "\u200b\u200c\u200d",
        "\ufeff \u2060",
        "\u00a0\u202f\u3000",
    ):
        assert is_blank(text), repr(text)
    for text in ("a", " . ", "\u200bOK", "0"):
        assert not is_blank(text), repr(text)


# -- French-aware GSM-7 ----------------------------------------------------------------


def test_typography_to_gsm():
    text = "Aujourd’hui « RDV » à 10h – salle 2… merci\u00a0!\u200b"
    assert to_gsm(text) == 'Aujourd\'hui " RDV " à 10h - salle 2... merci !'
    assert measure(to_gsm(text)).encoding == "GSM-7"
    assert measure(text).encoding == "UCS-2"


def test_letters_only_when_asked_and_gsm_letters_kept():
    text = "Être à l’hôpital, ça coûte : cœur, Noël, maïs — é è à ù É Ç"
    assert to_gsm(text) == "Être à l'hôpital, ça coûte : cœur, Noël, maïs - é è à ù É Ç"
    assert (
        to_gsm(text, letters=True)
        == "Etre à l'hopital, ca coute : coeur, Noel, mais - é è à ù É Ç"
    )
    assert gsm_replacements("ça ç", letters=True) == {"ç": "c"}
    assert measure(to_gsm(text, letters=True)).encoding == "GSM-7"


def test_modes_and_emoji():
    assert convert("l’été 😀", "keep") == "l’été 😀"
    assert convert("l’été 😀", "typography") == "l'été 😀"
    assert measure(convert("l’été 😀", "letters")).encoding == "UCS-2", "emoji stay"


@given(st.text())
def test_never_touches_gsm_characters_and_is_idempotent(text):
    for letters in (False, True):
        once = to_gsm(text, letters)
        assert to_gsm(once, letters) == once
        kept = [char for char in text if char in GSM7_BASIC or char in GSM7_EXTENSION]
        assert all(char in once for char in kept)
        assert not gsm_replacements(once, letters), "nothing left to replace"
