# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from psms_tools.replies import first_word, is_stop, normalize


@pytest.mark.parametrize(
    "text, word",
    [
        ("Oui.", "oui"),
        (" OUI ", "oui"),
        ("oui merci", "oui"),
        ("Ouí!!", "oui"),
        ("NON, je ne peux pas", "non"),
        ("ok", "ok"),
        ("", ""),
        ("...", ""),
        ("👍 oui", "oui"),
        ("Yes", "yes"),
    ],
)
def test_first_word(text, word):
    assert first_word(text) == word


@pytest.mark.parametrize("text", ["STOP", "stop", "Stop SMS", " Arrêt ", "STOP 36180"])
def test_stop_variants(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["oui", "non stop", "stopper", ""])
def test_not_stop(text):
    assert not is_stop(text)


def test_normalize():
    assert normalize("  Très   BIEN, merci ! ") == "tres bien merci"
