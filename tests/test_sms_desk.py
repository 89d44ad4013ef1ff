# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collaborator's desk ("My SMS"): my upcoming reminders and follow-ups, the replies
to my appointments (new first, markable as seen by me only), failures and STOPs of the
participants I refer, the entry point for a new appointment with its reminder; only for
users who may send SMS, and each of them sees their own."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestSmsDesk(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.me = create_sms_user(cls.env, "psms_desk_me", "group_sms_send_scheduled")
        cls.colleague = create_sms_user(
            cls.env, "psms_desk_other", "group_sms_send_scheduled"
        )
        cls.reader = create_sms_user(
            cls.env, "psms_desk_reader", "group_participant_user"
        )
        cls.participant.participant_referent_id = cls.me
        cls.template = cls.env.ref("participant_sms.sms_template_appointment")

    def _event(self, user, days=3, **values):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=days)
        return (
            self.env["calendar.event"]
            .with_user(user)
            .create(
                dict(
                    {
                        "name": "RDV",
                        "participant_id": self.participant.id,
                        "participant_appointment_type_id": self.type_individual.id,
                        "participant_collaborator_id": user.id,
                        "start": start,
                        "stop": start + timedelta(hours=1),
                        "sms_reminder": True,
                        "sms_reminder_days": "1",
                        "sms_reminder_template_id": self.template.id,
                    },
                    **values,
                )
            )
        )

    def _desk(self, user):
        action = self.env["participant.sms.desk"].with_user(user)._open()
        desk = self.env["participant.sms.desk"].with_user(user).browse(action["res_id"])
        desk.invalidate_recordset()
        return desk

    def _reply(self, event, text, inbound_id):
        sms = event.sms_reminder_sms_id.sudo()
        sms.write({"state": "delivered", "sent_at": fields.Datetime.now()})
        return (
            self.env["participant.sms.reply"]
            .sudo()
            .create(
                {
                    "account_id": self.simulator.id,
                    "inbound_id": inbound_id,
                    "number": sms.number,
                    "text": text,
                    "sms_id": sms.id,
                    "event_id": event.id,
                    "partner_id": self.participant.id,
                    "result": "no_keyword",
                }
            )
        )

    def test_each_user_sees_their_own_upcoming_reminders(self):
        mine = self._event(self.me)
        theirs = self._event(self.colleague)
        desk = self._desk(self.me)
        self.assertIn(mine.sms_reminder_sms_id, desk.upcoming_ids)
        self.assertNotIn(theirs.sms_reminder_sms_id, desk.upcoming_ids)
        self.assertIn(
            theirs.sms_reminder_sms_id, self._desk(self.colleague).upcoming_ids
        )

    def test_replies_new_first_and_marked_seen_by_their_collaborator_only(self):
        first, second = self._event(self.me), self._event(self.me, days=4)
        old = self._reply(first, "Je viendrai", "d-1")
        old.sudo().received_at = fields.Datetime.now() - timedelta(hours=2)
        new = self._reply(second, "Je serai en retard", "d-2")
        desk = self._desk(self.me)
        self.assertEqual(desk.reply_ids[:2], new | old)
        self.assertEqual(desk.new_reply_count, 2)
        with self.assertRaises(AccessError):
            old.with_user(self.colleague).action_mark_seen()
        old.with_user(self.me).action_mark_seen()
        action = old.with_user(self.me).action_open_event()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("calendar.event", first.id)
        )
        desk = self._desk(self.me)
        self.assertEqual(desk.new_reply_count, 1)
        self.assertEqual(desk.reply_ids[0], new, "unseen replies come first")
        self.assertFalse(self._desk(self.colleague).reply_ids)

    def test_failures_and_stops_of_the_participants_i_refer(self):
        failed = self.queue(number="+33612345600")
        failed.sudo().write({"state": "failed", "last_error": "Refused"})
        stop = (
            self.env["participant.sms.reply"]
            .sudo()
            .create(
                {
                    "account_id": self.simulator.id,
                    "inbound_id": "d-stop",
                    "number": "+33612345678",
                    "text": "STOP",
                    "partner_id": self.participant.id,
                    "result": "stop",
                    "sms_id": failed.id,
                }
            )
        )
        desk = self._desk(self.me)
        self.assertIn(failed, desk.problem_ids)
        self.assertEqual(desk.stop_reply_ids, stop)
        self.assertFalse(self._desk(self.colleague).problem_ids)

    def test_only_users_who_may_send_have_a_desk(self):
        with self.assertRaises(AccessError):
            self.env["participant.sms.desk"].with_user(self.reader)._open()
        action = self._desk(self.me).action_new_appointment()
        self.assertEqual(action["res_model"], "calendar.event")
        self.assertTrue(action["context"]["default_sms_reminder"])
        self.assertEqual(
            action["context"]["default_participant_collaborator_id"], self.me.id
        )
