# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest

from psms_tools.merge import MergeError, check, find_codes, has_placeholders, render

VALUES = {"first_name": "Nadia", "date": "12/03/2026", "time": "09:30", "location": None}


def test_render():
    text = "Bonjour {{first_name}}, RDV le {{date}} à {{ time }}."
    assert render(text, VALUES) == "Bonjour Nadia, RDV le 12/03/2026 à 09:30."


def test_empty_values_render_empty():
    assert render("Lieu : {{location}}.", VALUES) == "Lieu : ."


def test_same_code_twice():
    assert render("{{first_name}} {{first_name}}", VALUES) == "Nadia Nadia"
    assert find_codes("{{a}} {{b}} {{a}}") == ("a", "b")


def test_unknown_code_reported():
    with pytest.raises(MergeError) as err:
        render("Bonjour {{prenom}} {{first_name}}", VALUES)
    assert err.value.unknown == ("prenom",)


def test_malformed_reported():
    for text in ("Bonjour {{first_name", "Bonjour {{ }}", "{{first name}}", "{{1abc}}"):
        with pytest.raises(MergeError) as err:
            check(text, VALUES)
        assert err.value.malformed, text


def test_nothing_is_evaluated():
    for text in ("{{__import__('os')}}", "{{ values }}", "{{first_name.upper()}}"):
        with pytest.raises(MergeError):
            render(text, VALUES)


def test_text_without_fields():
    assert render("Pas de champ.", VALUES) == "Pas de champ."
    assert not has_placeholders("Pas de champ.")
    assert has_placeholders("Avec {{x}}")
    assert has_placeholders("Avec }} seul")
    assert render("", VALUES) == ""


def test_empty_value_leaves_no_double_space():
    assert render("Bonjour {{location}} {{first_name}}", VALUES) == "Bonjour Nadia"
    assert render("a\n\nb  {{first_name}}", VALUES) == "a\n\nb Nadia"
