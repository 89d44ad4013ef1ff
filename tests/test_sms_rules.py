# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who sees replies, who may cancel an SMS."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestSmsRules(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.writer = create_sms_user(
            cls.env,
            "psms_rule_writer",
            "group_participant_user",
            "group_sms_send_scheduled",
            "group_sms_send_batch",
        )
        cls.colleague = create_sms_user(
            cls.env,
            "psms_rule_colleague",
            "group_participant_user",
            "group_sms_send_scheduled",
            "group_sms_send_batch",
        )

    def test_replies_are_visible_like_the_sms_they_answer(self):
        sms = self.queue(origin="instant")
        Reply = self.env["participant.sms.reply"]
        matched = Reply.create(
            {
                "account_id": self.simulator.id,
                "inbound_id": "m1",
                "number": sms.number,
                "text": "OUI",
                "sms_id": sms.id,
                "result": "no_keyword",
            }
        )
        unmatched = Reply.create(
            {
                "account_id": self.simulator.id,
                "inbound_id": "u1",
                "number": "+33699999999",
                "text": "Qui êtes-vous ?",
                "result": "unmatched",
            }
        )
        seen = Reply.with_user(self.user_participant).search(
            [("id", "in", (matched | unmatched).ids)]
        )
        self.assertEqual(seen, matched)
        with self.assertRaises(AccessError):
            unmatched.with_user(self.user_participant).read(["text"])
        self.assertEqual(
            Reply.with_user(self.user_admin_sms).search(
                [("id", "in", (matched | unmatched).ids)]
            ),
            matched | unmatched,
        )

    def test_cancel_is_for_the_author_the_referent_and_administrators(self):
        stranger = self.env["res.partner"].create(
            {
                "name": "Other PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 44 55 66 77",
            }
        )
        batch = self.Sms.with_user(self.writer)._queue(
            [
                {
                    "origin": "batch",
                    "context_type": "batch",
                    "batch_ref": "LOT-RULES",
                    "partner_id": stranger.id,
                    "body": "Information collective",
                }
            ]
        )
        with self.assertRaises(AccessError):
            batch.with_user(self.colleague).action_cancel()  # a colleague's batch
        with self.assertRaises(AccessError):
            batch.with_user(self.colleague).unlink()
        self.assertEqual(batch.state, "queued")
        stranger.participant_referent_id = (
            self.colleague
        )  # now the colleague refers them
        batch.with_user(self.colleague).action_cancel()
        self.assertEqual(
            (batch.state, batch.cancelled_by_id), ("cancelled", self.colleague)
        )
        mine = self.Sms.with_user(self.writer)._queue(
            [
                {
                    "origin": "batch",
                    "context_type": "batch",
                    "partner_id": stranger.id,
                    "body": "Autre information",
                }
            ]
        )
        mine.with_user(self.writer).action_cancel()
        admins = self.Sms.with_user(self.writer)._queue(
            [
                {
                    "origin": "batch",
                    "context_type": "batch",
                    "partner_id": stranger.id,
                    "body": "Encore une",
                }
            ]
        )
        admins.with_user(self.user_admin_sms).action_cancel()
        self.assertEqual((mine | admins).mapped("state"), ["cancelled", "cancelled"])
