# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common_sms import SmsCommon


@tagged("post_install", "-at_install")
class TestSmsTemplate(SmsCommon):
    def test_merge_and_unknown_code_refused(self):
        Template = self.env["participant.sms.template"]
        template = Template.create(
            {
                "name": "T",
                "template_type": "appointment",
                "body": "Bonjour {{first_name}}, RDV {{date}} {{location}}",
            }
        )
        self.assertIn("Nadia", template.example_text)
        with self.assertRaisesRegex(ValidationError, r"\{\{prenom\}\}"):
            Template.create(
                {
                    "name": "Bad",
                    "template_type": "appointment",
                    "body": "Bonjour {{prenom}}",
                }
            )
        with self.assertRaisesRegex(ValidationError, "location"):
            Template.create(
                {
                    "name": "Bad",
                    "template_type": "orientation",
                    "body": "Lieu {{location}}",
                }
            )
        with self.assertRaises(ValidationError):
            Template.create(
                {"name": "Bad", "template_type": "step", "body": "Oops {{date"}
            )

    def test_length_not_checked_on_template(self):
        template = self.env["participant.sms.template"].create(
            {"name": "Long", "template_type": "step", "body": "x" * 900}
        )
        self.assertEqual(len(template.body), 900)

    def test_one_click_insert(self):
        template = self.env["participant.sms.template"].create(
            {"name": "T", "template_type": "step", "body": "Bonjour"}
        )
        template.with_context(merge_code="step_name").action_insert_merge_field()
        self.assertEqual(template.body, "Bonjour {{step_name}}")
        with self.assertRaises(UserError):
            template.with_context(merge_code="location").action_insert_merge_field()

    def test_used_template_archived_not_deleted(self):
        template = self.env.ref("participant_sms.sms_template_appointment")
        self.env["participant.sms.automation"].create(
            {
                "name": "A",
                "user_ids": [(6, 0, self.user_participant.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "days": 2,
                "template_id": template.id,
            }
        )
        with self.assertRaises(UserError):
            template.unlink()
        template.action_archive()
        self.assertFalse(template.active)
        unused = self.env["participant.sms.template"].create(
            {"name": "Unused", "template_type": "step", "body": "Bonjour"}
        )
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_send_a_test(self):
        template = self.env.ref("participant_sms.sms_template_appointment")
        action = template.with_user(self.user_admin_sms).action_send_test()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.user_admin_sms)
            .with_context(**action["context"])
        )
        wizard.number = "06 12 34 56 78"
        wizard = wizard.save()
        self.assertNotIn("{{", wizard.body)
        wizard.action_send()
        sms = self.Sms.search([("origin", "=", "test")], order="id desc", limit=1)
        self.assertEqual(sms.context_type, "test")
        self.assertEqual(sms.state, "queued", "the button triggers the dispatch cron")
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.assertEqual(sms.state, "processing")
        self.assertEqual(sms.body, wizard.body)

    def test_an_appointment_without_a_place_leaves_no_hole(self):
        """Issue 17: the demo template "… at {{time}}, {{location}}. {{company_name}}"
        on an appointment without a place gave "… at 10:00, . YourCompany"."""
        template = self.env.ref("participant_sms.sms_template_appointment")
        self.assertIn("{{time}}, {{location}}.", template.body)
        self.event.location = False
        text = self.event._psms_render(template)
        self.assertNotIn(", .", text)
        self.assertRegex(text, r"\d\d:\d\d\. ")
        self.event.location = "Salle 3"
        self.assertIn(", Salle 3. ", self.event._psms_render(template))
