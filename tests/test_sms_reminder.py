# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestSmsReminder(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_scheduled = create_sms_user(
            cls.env, "psms_scheduled", "group_sms_send_scheduled"
        )
        cls.template = cls.env.ref("participant_sms.sms_template_appointment")
        cls.step_template = cls.env.ref("participant_sms.sms_template_step")
        cls.orientation_template = cls.env.ref(
            "participant_sms.sms_template_orientation"
        )
        cls.company.psms_max_segments = 3

    def _event(self, days=5, hour=10, user=None, **values):
        start = (fields.Datetime.now() + timedelta(days=days)).replace(
            hour=hour, minute=0, second=0, microsecond=0
        )
        Event = self.env["calendar.event"].with_user(user or self.user_scheduled)
        return Event.create(
            {
                "name": "Appointment",
                "participant_id": self.participant.id,
                "participant_appointment_type_id": self.type_individual.id,
                "start": start,
                "stop": start + timedelta(hours=1),
                "location": "Espace Insertion",
                **values,
            }
        )

    def test_upgrade_reconciles_what_is_pending_and_plans_nothing(self):
        """The upgrade's reconciliation (``pending_only``) makes an SMS an earlier
        version left pending match its record, and plans no SMS that is not pending."""
        event = self._event(
            sms_reminder=True,
            sms_reminder_days="2",
            sms_reminder_template_id=self.template.id,
        )
        sms = event.sms_reminder_sms_id
        rendered = sms.body
        self.env.cr.execute(
            "UPDATE participant_sms SET body = 'Texte d''une ancienne version.' "
            "WHERE id = %s",
            [sms.id],
        )
        self.env.invalidate_all()
        event._psms_reconcile(pending_only=True)
        self.assertEqual(sms.body, rendered)
        sms._cancel("cancelled elsewhere")
        count = self.env["participant.sms"].search_count([])
        event._psms_reconcile(pending_only=True)
        self.assertEqual(self.env["participant.sms"].search_count([]), count)
        self.assertEqual(event.sms_reminder_sms_id, sms)

    def test_reminder_lifecycle_on_appointment(self):
        event = self._event(
            sms_reminder=True,
            sms_reminder_days="2",
            sms_reminder_template_id=self.template.id,
        )
        sms = event.sms_reminder_sms_id
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.origin, "scheduled")
        self.assertEqual(sms.author_id, self.user_scheduled)
        self.assertEqual(sms.res_model, "calendar.event")
        self.assertEqual(sms.planned_at, event.start - timedelta(days=2))
        self.assertEqual(event.sms_reminder_planned_at, sms.planned_at)
        self.assertIn("Espace Insertion", sms.body)
        self.assertEqual(sms.deadline, event.start)
        self.assertEqual(event.sms_count, 1)
        # change date and location: re-rendered, rescheduled, manual text dropped
        event.with_user(self.user_scheduled).sms_reminder_body = sms.body + " Merci."
        self.assertTrue(sms.body.endswith("Merci."))
        event.with_user(self.user_scheduled).write(
            {
                "start": event.start + timedelta(days=1),
                "stop": event.stop + timedelta(days=1),
                "location": "Mairie annexe",
            }
        )
        self.assertEqual(event.sms_reminder_sms_id, sms, "the same SMS is updated")
        self.assertIn("Mairie annexe", sms.body)
        self.assertNotIn("Merci.", sms.body)
        self.assertEqual(sms.planned_at, event.start - timedelta(days=2))
        self.assertIn("rewritten", event.message_ids[0].body)
        # untick: cancelled
        event.with_user(self.user_scheduled).sms_reminder = False
        self.assertEqual(sms.state, "cancelled")
        # tick again: a new SMS
        event.with_user(self.user_scheduled).sms_reminder = True
        self.assertNotEqual(event.sms_reminder_sms_id, sms)
        self.assertEqual(event.sms_reminder_sms_id.state, "queued")
        # delete the appointment: cancelled, kept
        new_sms = event.sms_reminder_sms_id
        event.unlink()
        self.assertEqual(new_sms.state, "cancelled")

    def test_cancel_from_upcoming_switches_reminder_off(self):
        event = self._event(
            sms_reminder=True,
            sms_reminder_days="1",
            sms_reminder_template_id=self.template.id,
        )
        sms = event.sms_reminder_sms_id
        sms.with_user(self.user_scheduled).action_cancel()
        self.assertTrue(sms.exists())
        self.assertEqual(sms.state, "cancelled")
        self.assertFalse(event.sms_reminder)

    def test_archived_appointment_cancels_reminder(self):
        event = self._event(
            sms_reminder=True,
            sms_reminder_days="1",
            sms_reminder_template_id=self.template.id,
        )
        event.action_archive()
        self.assertEqual(event.sms_reminder_sms_id.state, "cancelled")

    def test_seed_window_shift_example(self):
        """Appointment at 08:00, window from 09:00, reminder 1 day before: day before
        09:00."""
        self.company.write(
            {
                "psms_window_start": 9.0,
                "psms_window_end": 18.0,
                "psms_zone": "metropole",
            }
        )
        event = self._event(days=5, hour=7)  # 07:00 UTC = 08:00 or 09:00 Paris
        window = self.company._psms_window()
        local_start = window.to_local(event.start)
        event.with_user(self.user_scheduled).write(
            {
                "sms_reminder": True,
                "sms_reminder_days": "1",
                "sms_reminder_template_id": self.template.id,
            }
        )
        planned_local = window.to_local(event.sms_reminder_sms_id.planned_at)
        self.assertEqual(planned_local.date(), local_start.date() - timedelta(days=1))
        expected_hour = max(9, local_start.hour)
        self.assertEqual((planned_local.hour, planned_local.minute), (expected_hour, 0))

    def test_explicit_planned_send(self):
        event = self._event(days=5)
        planned = event.start - timedelta(days=3)
        event.with_user(self.user_scheduled).write(
            {
                "sms_reminder": True,
                "sms_reminder_planned_at": planned,
                "sms_reminder_body": "Rappel : RDV bientôt.",
            }
        )
        self.assertEqual(event.sms_reminder_sms_id.planned_at, planned)
        with self.assertRaisesRegex(UserError, "before the start"):
            event.with_user(self.user_scheduled).sms_reminder_planned_at = (
                event.start + timedelta(hours=1)
            )

    def test_past_record_refused(self):
        with self.assertRaisesRegex(UserError, "future"):
            self._event(
                days=-2,
                sms_reminder=True,
                sms_reminder_days="1",
                sms_reminder_template_id=self.template.id,
            )

    def test_no_mobile_refused_and_nothing_scheduled(self):
        self.participant_2.mobile = False
        count = self.Sms.search_count([])
        with self.assertRaisesRegex(UserError, "no mobile number"):
            self._event(
                participant_id=self.participant_2.id,
                sms_reminder=True,
                sms_reminder_days="1",
                sms_reminder_template_id=self.template.id,
            )
        self.assertEqual(self.Sms.search_count([]), count)

    def test_stop_and_refusal(self):
        self.env["phone.blacklist"].sudo()._add(["+33612345678"])
        with self.assertRaisesRegex(UserError, "STOP"):
            self._event(
                sms_reminder=True,
                sms_reminder_days="1",
                sms_reminder_template_id=self.template.id,
            )
        self.participant_2.write({"mobile": "+33 6 99 88 77 66", "accepts_sms": False})
        with self.assertRaisesRegex(UserError, "refuses SMS"):
            self._event(
                participant_id=self.participant_2.id,
                sms_reminder=True,
                sms_reminder_days="1",
                sms_reminder_template_id=self.template.id,
            )

    def test_number_follows_the_participant_until_sent(self):
        """I1: a pending reminder goes to the participant's current mobile; once sent,
        the SMS keeps the number it went to."""
        event = self._event(
            sms_reminder=True,
            sms_reminder_days="1",
            sms_reminder_template_id=self.template.id,
        )
        self.participant.mobile = "+33 7 81 23 45 67"
        self.assertEqual(event.sms_reminder_sms_id.number, "+33781234567")
        self.participant.mobile = False
        self.assertEqual(event.sms_reminder_sms_id.state, "cancelled")
        self.assertFalse(event.sms_reminder)
        self.assertIn("no mobile number", event.message_ids[0].body)

    def test_segment_limit(self):
        self.company.psms_max_segments = 1
        with self.assertRaisesRegex(Exception, "needs 2 SMS"):
            self._event(
                sms_reminder=True, sms_reminder_days="1", sms_reminder_body="a" * 200
            )

    def test_permissions_by_rpc_style_calls(self):
        # no "individual scheduled" permission: no reminder
        with self.assertRaises(AccessError):
            self._event(
                user=self.user_participant,
                sms_reminder=True,
                sms_reminder_days="1",
                sms_reminder_template_id=self.template.id,
            )
        # no "individual instant" permission: no immediate send
        event = self._event(sms_reminder_body="Bonjour, message immédiat.")
        with self.assertRaises(AccessError):
            event.with_user(self.user_scheduled).action_sms_send_now()
        event.with_user(self.user_instant).action_sms_send_now()
        sms = self.Sms.search([("res_id", "=", event.id), ("origin", "=", "instant")])
        self.assertEqual(sms.author_id, self.user_instant)

    def test_step_and_orientation_reminders(self):
        step = (
            self.env["participant.step"]
            .with_user(self.user_scheduled)
            .create(
                {
                    "participant_id": self.participant.id,
                    "step_type_id": self.step_type_training.id,
                    "planned_start": self.in_days(6, 8),
                    "sms_reminder": True,
                    "sms_reminder_days": "3",
                    "sms_reminder_template_id": self.step_template.id,
                }
            )
        )
        self.assertIn("Training", step.sms_reminder_sms_id.body)
        self.assertEqual(step.sms_reminder_sms_id.context_type, "step")
        step.with_user(self.user_scheduled).planned_start = self.in_days(8, 8)
        self.assertEqual(
            step.sms_reminder_sms_id.planned_at.date(),
            (self.in_days(8, 8) - timedelta(days=3)).date(),
        )
        orientation = (
            self.env["participant.orientation"]
            .with_user(self.user_scheduled)
            .create(
                {
                    "participant_id": self.participant.id,
                    "orientation_type_id": self.orientation_type.id,
                    "planned_date": self.in_days(4, 9),
                    "sms_reminder": True,
                    "sms_reminder_days": "1",
                    "sms_reminder_template_id": self.orientation_template.id,
                }
            )
        )
        self.assertIn("France Travail", orientation.sms_reminder_sms_id.body)
        sms = orientation.sms_reminder_sms_id
        orientation.with_user(self.user_manager).unlink()
        self.assertEqual(sms.state, "cancelled")
        step.with_user(self.user_scheduled).sms_reminder = False
        self.assertFalse(step.sms_reminder_sms_id.state == "queued")

    def test_automation_prefill_and_override(self):
        automation = self.env["participant.sms.automation"].create(
            {
                "name": "Auto",
                "user_ids": [(6, 0, self.user_participant.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "days": 2,
                "template_id": self.template.id,
            }
        )
        # created by a collaborator without SMS permission: the automation schedules it
        event = self._event(user=self.user_participant)
        self.assertTrue(event.sms_reminder)
        self.assertEqual(event.sms_reminder_days, "2")
        sms = event.sms_reminder_sms_id
        self.assertEqual(sms.origin, "automation")
        self.assertEqual(sms.planned_at, event.start - timedelta(days=2))
        # the user can cancel it
        event.with_user(self.user_participant).sms_reminder = False
        self.assertEqual(sms.state, "cancelled")
        # not for other collaborators or types
        other = self._event(user=self.user_scheduled)
        self.assertFalse(other.sms_reminder)
        # the form prefills it too, and the user can change it before saving
        with Form(self.env["calendar.event"].with_user(self.user_participant)) as form:
            form.name = "Form appointment"
            form.participant_id = self.participant
            form.participant_appointment_type_id = self.type_individual
            form.start = self.in_days(6)
            self.assertTrue(form.sms_reminder)
            self.assertIn("Hello", form.sms_reminder_body)
            form.sms_reminder = False
        self.assertFalse(form.record.sms_reminder_sms_id)
        # a follow-up after the appointment
        automation.copy({"name": "Follow-up", "timing": "after", "days": 7})
        event = self._event(user=self.user_participant)
        follow_up = self.Sms.search(
            [
                ("res_id", "=", event.id),
                ("origin", "=", "automation"),
                ("id", "!=", event.sms_reminder_sms_id.id),
            ]
        )
        self.assertEqual(len(follow_up), 1)
        window = self.company._psms_window()
        self.assertEqual(
            window.to_local(follow_up.planned_at).date(),
            window.to_local(event.start).date() + timedelta(days=7),
        )

    def test_automation_for_participant_without_mobile_does_not_block(self):
        self.env["participant.sms.automation"].create(
            {
                "name": "Auto",
                "user_ids": [(6, 0, self.user_participant.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "days": 2,
                "template_id": self.template.id,
            }
        )
        self.participant_2.mobile = False
        event = self._event(
            user=self.user_participant, participant_id=self.participant_2.id
        )
        self.assertFalse(event.sms_reminder)
        self.assertTrue(
            any("not scheduled" in message.body for message in event.message_ids)
        )
