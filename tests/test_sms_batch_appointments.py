# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common_sms import SmsCommon, create_sms_user

#: differ between any two records by nature
OWN = frozenset(("id", "create_date", "write_date", "access_token"))


@tagged("post_install", "-at_install")
class TestSmsBatchAppointments(SmsCommon):
    """Invariant: an appointment created by the batch send is the one Odoo's ordinary
    ``calendar.event.create`` makes from the same values, in the same context: every
    stored field of calendar.event equal, its attendees, alarms, activities and chatter
    equal (stored fields of each attendee), whatever the participant's company (own,
    or none: the user's); and it is linked to its SMS. The batch send gives Odoo's
    per-record work (defaults, precomputed company, computed dates) once for all; this
    proves it gives what Odoo would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_batch = create_sms_user(
            cls.env, "psms_batch_events", "group_sms_send_batch"
        )
        Partner = cls.env["res.partner"]
        cls.participants = Partner.create(
            [
                {
                    "name": f"Batch PARTICIPANT{i}",
                    "is_participant": True,
                    "mobile": f"+33 6 12 34 57 {10 + i}",
                    "company_id": cls.company.id if i % 2 else False,
                }
                for i in range(4)
            ]
        )
        cls.start = (fields.Datetime.now() + timedelta(days=9)).replace(
            hour=9, minute=30, second=0, microsecond=0
        )

    def _wizard(self, **values):
        return self.batch_wizard(
            self.user_batch,
            self.participants,
            **{
                "start": self.start,
                "duration": 1.5,
                "synthesis": "<p>Bring your CV</p>",
                "body": "Bonjour {{first_name}}, rendez-vous le {{date}} a {{time}}.",
                **values,
            },
        )

    def _reference(self, wizard, partner, session):
        """The appointment as Odoo's own create makes it from the batch's values."""
        return (
            self.env["calendar.event"]
            .with_user(self.user_batch)
            .with_context(
                no_mail_to_attendees=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                tracking_disable=True,
            )
            .create(
                {
                    "name": session.name,
                    "participant_id": partner.id,
                    "start": session.start,
                    "stop": session.stop,
                    "participant_collaborator_id": wizard.collaborator_id.id,
                    "user_id": wizard.collaborator_id.id,
                    "participant_session_id": session.id,
                    "partner_ids": [Command.clear()],
                    "participant_appointment_type_id": wizard.appointment_type_id.id,
                    "participant_theme_id": wizard.theme_id.id,
                    "participant_outcome_id": wizard.outcome_id.id,
                    "location": wizard.location,
                    "participant_channel_id": wizard.channel_id.id,
                    "participant_programme_id": wizard.programme_id.id,
                    "participant_synthesis": wizard.synthesis,
                    "sms_reminder": False,
                }
            )
        )

    @staticmethod
    def _stored(record, exclude=()):
        """Every stored field of ``record`` (relations as ids), but ``exclude``."""
        values = {}
        for name, field in record._fields.items():
            if not field.store or name in OWN or name in exclude:
                continue
            if field.type in ("one2many", "many2many"):
                continue
            value = record[name]
            values[name] = value.ids if field.type == "many2one" else value
        return values

    def _compare(self, event, reference):
        self.assertEqual(
            self._stored(event, ("participant_session_appointment_ids",)),
            self._stored(reference),
        )
        for name, field in event._fields.items():
            if field.type == "many2many" and field.store:
                self.assertEqual(event[name].ids, reference[name].ids, name)
        self.assertEqual(
            [self._stored(a, ("event_id",)) for a in event.attendee_ids],
            [self._stored(a, ("event_id",)) for a in reference.attendee_ids],
        )
        self.assertEqual(len(event.activity_ids), len(reference.activity_ids))
        self.assertEqual(len(event.message_ids), len(reference.message_ids))
        self.assertEqual(
            event.message_follower_ids.partner_id,
            reference.message_follower_ids.partner_id,
        )
        self.assertEqual(
            event.participant_theme_line_ids.mapped("theme_id"),
            reference.participant_theme_line_ids.mapped("theme_id"),
        )

    def test_batch_appointment_is_odoos_own(self):
        wizard = self._wizard()
        wizard.action_preview()
        wizard.action_validate()
        events = self.env["calendar.event"].search(
            [("participant_id", "in", self.participants.ids)], order="id"
        )
        self.assertEqual(len(events), len(self.participants))
        session = events.participant_session_id
        self.assertEqual(len(session), 1)
        self.assertFalse(session.participant_id)
        # the company is the participant's own, else the user's
        self.assertEqual(
            events.mapped("participant_company_id"),
            self.company.browse(self.company.id),
        )
        for event in events:
            sms = self.Sms.search(
                [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)]
            )
            self.assertEqual(len(sms), 1)
            self.assertEqual(sms.partner_id, event.participant_id)
            self.assertEqual(sms.origin, "batch")
            reference = self._reference(wizard, event.participant_id, session)
            reference.env.flush_all()  # as its creator (who last wrote it)
            self.env.invalidate_all()
            self._compare(event, reference)
            self.assertEqual(event.duration, 1.5)
            self.assertEqual(event.stop - event.start, timedelta(hours=1.5))
            self.assertFalse(event.start_date)
            self.assertFalse(event.partner_ids)
            self.assertFalse(event.attendee_ids)
            reference.unlink()

    def test_batch_appointment_with_a_default_alarm_and_channel(self):
        """User defaults (ir.default) reach the batch's appointments as Odoo's."""
        alarm = self.env["calendar.alarm"].search(
            [("alarm_type", "=", "email")], limit=1
        )
        self.assertTrue(alarm)
        self.env["ir.default"].set(
            "calendar.event", "alarm_ids", [alarm.id], company_id=True
        )
        channel = self.env["participant.channel"].search([], limit=1)
        wizard = self._wizard(
            channel_id=channel.id, partner_ids=[Command.set(self.participants[:1].ids)]
        )
        Trigger = self.env["ir.cron.trigger"].sudo()
        cron = self.env.ref("calendar.ir_cron_scheduler_alarm")
        at = self.start - timedelta(minutes=alarm.duration_minutes)
        triggers = Trigger.search_count(
            [("cron_id", "=", cron.id), ("call_at", "=", at)]
        )
        wizard.action_preview()
        wizard.action_validate()
        event = self.env["calendar.event"].search(
            [("participant_id", "=", self.participants[0].id)]
        )
        self.assertEqual(len(event), 1)
        # the alarm's trigger is set up once for the appointment, as for Odoo's own
        by_batch = Trigger.search_count(
            [("cron_id", "=", cron.id), ("call_at", "=", at)]
        )
        self.assertEqual(by_batch - triggers, 2)  # the session's and the appointment's
        reference = self._reference(
            wizard, event.participant_id, event.participant_session_id
        )
        reference.env.flush_all()  # as its creator (who last wrote it)
        self.env.invalidate_all()
        self._compare(event, reference)
        self.assertEqual(event.alarm_ids, alarm)
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", cron.id), ("call_at", "=", at)]),
            by_batch + 1,
        )
