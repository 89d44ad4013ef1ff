# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The template form previews the text for a sample participant with every value, then
without each optional value (issue 17, item 5).

Invariants, for any text of any type of template:

* **P1** the first line is the text with every sample value, as ``tools.merge.render``
  writes it;
* **P2** then one line per optional merge field the text uses, in the order the text
  first uses them, each the text with that value empty and the others kept, rendered the
  same way (``tools.merge`` leaves no ``{{`` and no hole);
* **P3** no line for a merge field that is always filled, nor for one the text does not
  use;
* **P4** the preview is HTML-escaped (a text is the user's, never markup) and says each
  line.

Also: a new company keeps texts and numbers 12 months, not forever (issue 17,
retention).
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from odoo.tests import Form, TransactionCase, tagged

from ..models.participant_sms_template import OPTIONAL_CODES, TYPE_CODES
from ..tools.merge import find_codes, render

WORDS = ["Bonjour", "RDV", "le", "à", "avec", "Lieu", "<b>", "&", "à bientôt"]
PUNCTUATION = [",", ".", ":", ";", " -", "!", "\n"]


@tagged("post_install", "-at_install")
class TestTemplatePreview(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Template = cls.env["participant.sms.template"]

    def _check(self, template):
        lines = template._preview_lines()
        values = template._example_values()
        # P1
        self.assertEqual(lines[0], ("With every value:", render(template.body, values)))
        # P2, P3
        optional = [
            code for code in find_codes(template.body) if code in OPTIONAL_CODES
        ]
        self.assertEqual(
            [label for label, _text in lines[1:]],
            [f"Without “{template._merge_label(code)}”:" for code in optional],
        )
        for code, (_label, text) in zip(optional, lines[1:], strict=False):
            self.assertEqual(text, render(template.body, dict(values, **{code: ""})))
            self.assertNotIn("{{", text)
        # P4
        for label, text in lines:
            self.assertIn(str(escape(text)), template.preview_html)
            self.assertIn(label, template.preview_html)
        self.assertNotIn("<b>", template.preview_html)

    def test_appointment_template_of_the_module(self):
        """The module's appointment reminder: its text without civility, then without
        location (which takes its comma with it)."""
        template = self.env.ref("participant_sms.sms_template_appointment")
        self._check(template)
        labels = [label for label, _text in template._preview_lines()]
        self.assertEqual(
            labels, ["With every value:", "Without “Civility”:", "Without “Location”:"]
        )
        without_location = template._preview_lines()[2][1]
        self.assertNotIn("Espace Insertion", without_location)
        self.assertRegex(without_location, r"at 09:30\. ")

    def test_preview_in_the_form_follows_the_text(self):
        """Typing in the form updates the preview before saving."""
        form = Form(self.Template)
        form.name = "Essai"
        form.template_type = "step"
        form.body = "Bonjour {{first_name}}, {{step_name}} avec {{referent}}."
        self.assertIn("Without “First name”:", form.preview_html)
        self.assertIn("Without “Referent”:", form.preview_html)
        self.assertIn("Bonjour, Formation avec Claire Martin.", form.preview_html)
        self.assertNotIn("Without “Step”", form.preview_html)
        form.body = "Bonjour"
        self.assertNotIn("Without", form.preview_html)

    def test_no_preview_for_a_broken_text(self):
        template = self.Template.new(
            {"name": "T", "template_type": "step", "body": "Bonjour {{location}}"}
        )
        self.assertFalse(template.preview_html)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(template_type=st.sampled_from(sorted(TYPE_CODES)), data=st.data())
    def test_preview_invariants(self, template_type, data):
        pieces = st.one_of(
            st.sampled_from(WORDS),
            st.sampled_from(PUNCTUATION),
            st.sampled_from(TYPE_CODES[template_type]).map("{{%s}}".__mod__),
        )
        body = " ".join(data.draw(st.lists(pieces, min_size=1, max_size=12)))
        template = self.Template.new(
            {"name": "T", "template_type": template_type, "body": body}
        )
        self._check(template)

    def test_new_company_keeps_texts_twelve_months(self):
        """Text retention: a new company keeps texts and numbers 12 months (not 0 =
        forever)."""
        company = self.env["res.company"].create({"name": "Mission locale de test"})
        self.assertEqual(company.psms_retention_months, 12)
