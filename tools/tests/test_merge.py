# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psms_tools.merge import MergeError, check, find_codes, has_placeholders, render

VALUES = {
    "first_name": "Nadia",
    "date": "12/03/2026",
    "time": "09:30",
    "location": None,
}


def test_render():
    text = "Bonjour {{first_name}}, RDV le {{date}} à {{ time }}."
    assert render(text, VALUES) == "Bonjour Nadia, RDV le 12/03/2026 à 09:30."


def test_empty_values_render_empty():
    # with its connector: no "Lieu : ." left (issue 17, texts with holes)
    assert render("Lieu : {{location}}.", VALUES) == "Lieu."
    assert render("RDV {{location}} demain", VALUES) == "RDV demain"


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


def test_an_empty_field_takes_its_connector_away():
    values = {"time": "10:00", "location": "", "company_name": "Mairie"}
    assert (
        render("à {{time}}, {{location}}. {{company_name}}", values)
        == "à 10:00. Mairie"
    )
    assert (
        render("à {{time}} : {{location}}. {{company_name}}", values)
        == "à 10:00. Mairie"
    )
    assert render("à {{time}}, {{location}}", values) == "à 10:00"
    values["location"] = "Salle 3"
    assert (
        render("à {{time}}, {{location}}. {{company_name}}", values)
        == "à 10:00, Salle 3. Mairie"
    )


words = st.lists(
    st.text(alphabet="abcdéèàXYZ0123", min_size=1, max_size=6), min_size=1, max_size=3
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    words,
    st.sampled_from([", ", " : ", "; ", " ", ",", ": "]),
    st.sampled_from([".", "!", "?", ""]),
    st.sampled_from(["", " Mairie", "\nFin"]),
    st.sampled_from(["", "Salle 3"]),
)
def test_an_empty_field_takes_its_connector_and_nothing_else(
    prefix, connector, punct, rest, value
):
    """Invariant: a filled field is a plain substitution; an empty one followed by
    punctuation or the end of a line goes away with its connector, otherwise only the
    field goes (no double space left); the rest of the text stays."""
    text = f"{prefix}{connector}{{{{a}}}}{punct}{rest}"
    rendered = render(text, {"a": value})
    if value:
        assert rendered == f"{prefix}{connector}{value}{punct}{rest}".strip()
    elif punct or not rest.startswith(" "):
        assert rendered == f"{prefix}{punct}{rest}".strip()
    else:
        assert rendered == f"{prefix}{connector.rstrip()} {rest.lstrip()}".strip()
