# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from ast import literal_eval

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ParticipantCommon


@tagged("post_install", "-at_install")
class TestAppointment(ParticipantCommon):
    def _appointment_values(self, **values):
        return {
            "name": "Point on job search",
            "participant_id": self.participant.id,
            "participant_appointment_type_id": self.type_individual.id,
            "start": self.in_days(3, 9),
            "stop": self.in_days(3, 10),
            **values,
        }

    def test_defaults(self):
        event = (
            self.env["calendar.event"]
            .with_user(self.user_participant)
            .create(self._appointment_values())
        )
        self.assertEqual(event.participant_outcome_id, self.outcome_planned)
        self.assertEqual(event.participant_collaborator_id, self.user_participant)
        self.assertIn(event, self.participant.participant_appointment_ids)

    def test_default_outcome_follows_configuration(self):
        done = self.env.ref("participant_sms.outcome_done")
        self.outcome_planned.is_default = False
        done.is_default = True
        event = self.env["calendar.event"].create(self._appointment_values())
        self.assertEqual(event.participant_outcome_id, done)

    def test_only_one_default_outcome(self):
        with self.assertRaises(ValidationError):
            self.env.ref("participant_sms.outcome_done").is_default = True

    def test_all_fields(self):
        step = self.env["participant.step"].create(
            {
                "participant_id": self.participant.id,
                "step_type_id": self.step_type_training.id,
                "planned_start": self.in_days(1),
            }
        )
        values = self._appointment_values(
            participant_theme_id=self.env.ref("participant_sms.theme_employment").id,
            participant_outcome_id=self.env.ref("participant_sms.outcome_done").id,
            participant_collaborator_id=self.user_manager.id,
            location="Espace Insertion, Lyon",
            participant_channel_id=self.env.ref("participant_sms.channel_video").id,
            participant_programme_id=self.env.ref("participant_sms.programme_rsa").id,
            participant_step_id=step.id,
            participant_synthesis="<p>CV updated, two applications sent.</p>",
        )
        event = (
            self.env["calendar.event"].with_user(self.user_participant).create(values)
        )
        event.invalidate_recordset()
        self.assertEqual(event.participant_theme_id.name, "Employment")
        self.assertEqual(event.participant_outcome_id.name, "Done")
        self.assertEqual(event.participant_collaborator_id, self.user_manager)
        self.assertEqual(event.location, "Espace Insertion, Lyon")
        self.assertEqual(event.participant_channel_id.name, "Video call")
        self.assertEqual(event.participant_programme_id.name, "RSA support")
        self.assertEqual(event.participant_step_id, step)
        self.assertIn("two applications", event.participant_synthesis)
        self.assertEqual(step.appointment_ids, event)

    def test_step_must_belong_to_participant(self):
        other_step = self.env["participant.step"].create(
            {
                "participant_id": self.participant_2.id,
                "step_type_id": self.step_type_training.id,
                "planned_start": self.in_days(1),
            }
        )
        with self.assertRaises(ValidationError):
            self.env["calendar.event"].create(
                self._appointment_values(participant_step_id=other_step.id)
            )

    def test_form_clears_step_of_other_participant(self):
        step = self.env["participant.step"].create(
            {
                "participant_id": self.participant.id,
                "step_type_id": self.step_type_training.id,
                "planned_start": self.in_days(1),
            }
        )
        with Form(self.env["calendar.event"].with_user(self.user_participant)) as form:
            form.name = "Follow-up"
            form.participant_id = self.participant
            form.participant_appointment_type_id = self.type_individual
            form.participant_step_id = step
            form.participant_id = self.participant_2
            self.assertFalse(form.participant_step_id)

    def test_outcome_change_is_tracked(self):
        event = self.env["calendar.event"].create(self._appointment_values())
        self.flush_tracking()
        event.participant_outcome_id = self.env.ref("participant_sms.outcome_absent")
        self.flush_tracking()
        tracking = event.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "participant_outcome_id"
        )
        self.assertEqual(tracking.old_value_char, "Planned")
        self.assertEqual(tracking.new_value_char, "Absent, not excused")

    def test_calendar_still_works(self):
        """The appointments action opens in the calendar view, and plain events still
        work."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_appointments"
        )
        self.assertEqual(action["view_mode"].split(",")[0], "calendar")
        views = (
            self.env["calendar.event"]
            .with_user(self.user_participant)
            .get_views([(False, "calendar"), (False, "list"), (False, "form")])
        )
        self.assertIn("participant_id", views["models"]["calendar.event"]["fields"])
        plain = (
            self.env["calendar.event"]
            .with_user(self.user_internal)
            .create(
                {
                    "name": "Team meeting",
                    "start": self.in_days(1),
                    "stop": self.in_days(1, 11),
                }
            )
        )
        self.assertFalse(plain.participant_id)
        found = self.env["calendar.event"].search(literal_eval(action["domain"]))
        self.assertNotIn(plain, found)

    def test_participant_in_use_cannot_be_deleted(self):
        self.env["calendar.event"].create(self._appointment_values())
        with self.assertRaisesRegex(UserError, "still has appointments"):
            self.participant.unlink()
        self.assertTrue(self.participant.exists())
