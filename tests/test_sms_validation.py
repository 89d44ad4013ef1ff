# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bad input gets a clear error and changes nothing: sender label, zone, blank texts,
send times in the past."""

import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestSmsValidation(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_all = create_sms_user(
            cls.env,
            "psms_valid_all",
            "group_participant_user",
            "group_sms_send_scheduled",
            "group_sms_send_instant",
            "group_sms_send_free",
        )

    def test_sender_label_is_matched_to_its_end(self):
        for bad in ("INFO\n", "INFO\r\n", "ÉCOLE", "TROP-LONG-LABEL", "A" * 12):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.company.psms_sender = bad
        self.company.psms_sender = "MAIRIE 75"
        self.assertEqual(self.company.psms_sender, "MAIRIE 75")

    def test_unknown_zone_is_refused_on_the_server(self):
        with self.assertRaises(Exception, msg="an unknown zone was accepted") as caught:
            with self.env.cr.savepoint():
                self.company.psms_zone = "atlantis"
                self.company.flush_recordset()
        self.assertIsInstance(caught.exception, (ValidationError, ValueError))
        self.company.invalidate_recordset()
        self.assertEqual(self.company.psms_zone, "metropole")

    def test_blank_and_invisible_texts_are_refused_everywhere(self):
        count = self.Sms.search_count([])
        blanks = ["   ", "\n\n", "\u200b\u200b", "\ufeff\u2060 \u00a0"]
        for blank in blanks:
            with self.subTest(blank=repr(blank)):
                with self.assertRaisesRegex(ValidationError, "invisible"):
                    self.queue(body=blank)
                start = fields.Datetime.now() + timedelta(days=5)
                with self.assertRaisesRegex(ValidationError, "invisible"):
                    self.env["calendar.event"].with_user(self.user_all).create(
                        {
                            "name": "RDV",
                            "participant_id": self.participant.id,
                            "start": start,
                            "stop": start + timedelta(hours=1),
                            "sms_reminder": True,
                            "sms_reminder_days": "1",
                            "sms_reminder_body": blank,
                        }
                    )
                with self.assertRaises(UserError):  # ValidationError is a UserError
                    self.event.with_user(self.user_all).write(
                        {"sms_reminder_body": blank}
                    )
                    self.event.with_user(self.user_all).action_sms_send_now()
                wizard = (
                    self.env["participant.sms.free"]
                    .with_user(self.user_all)
                    .create(
                        {
                            "body": blank,
                            "filename": "n.csv",
                            "file": base64.b64encode(b"TELEPHONE\n0612345678\n"),
                        }
                    )
                )
                with self.assertRaisesRegex(UserError, "invisible"):
                    wizard.action_preview()
        self.assertEqual(self.Sms.search_count([]), count)

    def test_a_send_time_in_the_past_is_refused_not_moved(self):
        past = fields.Datetime.now() - timedelta(hours=3)
        wizard = (
            self.env["participant.sms.free"]
            .with_user(self.user_all)
            .create(
                {
                    "body": "Information",
                    "filename": "n.csv",
                    "send_mode": "scheduled",
                    "planned_at": past,
                    "file": base64.b64encode(b"TELEPHONE\n0612345678\n"),
                }
            )
        )
        wizard.action_preview()
        with self.assertRaisesRegex(UserError, "in the past"):
            wizard.action_validate()
        start = fields.Datetime.now() + timedelta(days=5)
        with self.assertRaisesRegex(UserError, "in the past"):
            self.env["calendar.event"].with_user(self.user_all).create(
                {
                    "name": "RDV",
                    "participant_id": self.participant.id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "sms_reminder": True,
                    "sms_reminder_planned_at": past,
                    "sms_reminder_body": "Rappel",
                }
            )
