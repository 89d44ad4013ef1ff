# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The company's "SMS characters" choice: applied to every SMS when it is created or
changed, shown in the previews, and given to the browser's counter."""

import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestSmsTextMode(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_all = create_sms_user(
            cls.env,
            "psms_mode_all",
            "group_participant_user",
            "group_sms_send_scheduled",
            "group_sms_send_batch",
            "group_sms_send_free",
        )
        cls.text = "Aujourd’hui « RDV » à l’hôpital — ça coûte 0 €… Noël"

    def test_default_replaces_typography_only(self):
        self.assertEqual(self.company.psms_text_mode, "typography")
        sms = self.queue(body=self.text)
        self.assertEqual(
            sms.body, "Aujourd'hui \" RDV \" à l'hôpital - ça coûte 0 €... Noël"
        )
        self.assertEqual(sms.encoding, "UCS-2", "ô ç û ë are letters GSM-7 lacks: kept")

    def test_letters_mode_fits_gsm7_and_keep_mode_keeps(self):
        self.company.psms_text_mode = "letters"
        sms = self.queue(body=self.text)
        self.assertEqual(
            sms.body, "Aujourd'hui \" RDV \" à l'hopital - ca coute 0 €... Noel"
        )
        self.assertEqual(sms.encoding, "GSM-7")
        self.company.psms_text_mode = "keep"
        self.assertEqual(self.queue(body=self.text).body, self.text)

    def test_reminder_text_is_the_text_sent(self):
        start = fields.Datetime.now() + timedelta(days=4)
        event = (
            self.env["calendar.event"]
            .with_user(self.user_all)
            .create(
                {
                    "name": "RDV",
                    "participant_id": self.participant.id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "sms_reminder": True,
                    "sms_reminder_days": "1",
                    "sms_reminder_body": "Rendez-vous demain – n’oubliez pas",
                }
            )
        )
        self.assertEqual(event.sms_reminder_body, "Rendez-vous demain - n'oubliez pas")
        self.assertEqual(event.sms_reminder_sms_id.body, event.sms_reminder_body)

    def test_previews_show_what_was_replaced(self):
        wizard = (
            self.env["participant.sms.free"]
            .with_user(self.user_all)
            .create(
                {
                    "body": "Salon de l’emploi – jeudi",
                    "filename": "n.csv",
                    "file": base64.b64encode(b"TELEPHONE\n0612345678\n"),
                }
            )
        )
        self.assertEqual(wizard.body_sent, "Salon de l'emploi - jeudi")
        self.assertIn("’ → '", wizard.body_replaced)
        wizard.action_preview()
        wizard.action_validate()
        self.assertEqual(
            self.Sms.search([], limit=1, order="id desc").body,
            "Salon de l'emploi - jeudi",
        )
        batch = (
            self.env["participant.sms.batch"]
            .with_user(self.user_all)
            .create(
                {
                    "partner_ids": [(6, 0, self.participant.ids)],
                    "body": "Atelier CV – {{first_name}}",
                    "start": fields.Datetime.now() + timedelta(days=3),
                    "appointment_type_id": self.type_individual.id,
                    "theme_id": self.env["participant.appointment.theme"]
                    .search([], limit=1)
                    .id,
                }
            )
        )
        batch.action_preview()
        self.assertIn("– → -", batch.line_ids.replaced)
        self.assertNotIn("–", batch.line_ids.body)


@tagged("post_install", "-at_install")
class TestSmsTextModeSession(HttpCase):
    def test_the_browser_counter_gets_the_company_choice(self):
        self.env.company.psms_text_mode = "letters"
        self.authenticate("admin", "admin")
        info = self.make_jsonrpc_request("/web/session/get_session_info", {})
        self.assertEqual(info["psms_text_mode"], "letters")
