# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import ParticipantCommon


@tagged("post_install", "-at_install")
class TestStepOrientation(ParticipantCommon):
    def test_step_creation(self):
        organisation = self.env["res.partner"].create(
            {"name": "AFPA Lyon", "is_company": True}
        )
        step = (
            self.env["participant.step"]
            .with_user(self.user_participant)
            .create(
                {
                    "participant_id": self.participant.id,
                    "step_type_id": self.step_type_training.id,
                    "planned_start": self.in_days(10, 8),
                    "planned_end": self.in_days(40, 16),
                    "partner_organisation_id": organisation.id,
                    "notes": "<p>Forklift licence</p>",
                }
            )
        )
        self.assertEqual(step.referent_id, self.user_participant)
        self.assertEqual(step.display_name, "Nadia BENALI - Training")
        self.assertEqual(self.participant.participant_step_ids, step)
        step.write(
            {
                "actual_start": self.in_days(10, 8),
                "actual_end": self.in_days(38, 16),
                "end_reason_id": self.env.ref(
                    "participant_sms.end_reason_completed"
                ).id,
            }
        )
        self.assertEqual(step.end_reason_id.name, "Completed")

    def test_step_dates_checked(self):
        with self.assertRaises(ValidationError):
            self.env["participant.step"].create(
                {
                    "participant_id": self.participant.id,
                    "step_type_id": self.step_type_training.id,
                    "planned_start": self.in_days(10),
                    "planned_end": self.in_days(5),
                }
            )
        step = self.env["participant.step"].create(
            {
                "participant_id": self.participant.id,
                "step_type_id": self.step_type_training.id,
                "planned_start": self.in_days(1),
            }
        )
        with self.assertRaises(ValidationError):
            step.write({"actual_start": self.in_days(3), "actual_end": self.in_days(2)})

    def test_step_form(self):
        with Form(
            self.env["participant.step"].with_user(self.user_participant)
        ) as form:
            form.participant_id = self.participant_2
            form.step_type_id = self.step_type_training
            form.planned_start = self.in_days(2)
        self.assertEqual(form.record.participant_id, self.participant_2)

    def test_step_changes_tracked(self):
        step = self.env["participant.step"].create(
            {
                "participant_id": self.participant.id,
                "step_type_id": self.step_type_training.id,
                "planned_start": self.in_days(1),
            }
        )
        self.flush_tracking()
        step.planned_start = self.in_days(3)
        self.flush_tracking()
        self.assertTrue(
            step.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "planned_start"
            )
        )

    def test_orientation_creation(self):
        orientation = (
            self.env["participant.orientation"]
            .with_user(self.user_participant)
            .create(
                {
                    "participant_id": self.participant.id,
                    "orientation_type_id": self.orientation_type.id,
                    "planned_date": self.in_days(6, 14),
                    "decision_notes": "<p>Registration with France Travail</p>",
                }
            )
        )
        self.assertEqual(orientation.referent_id, self.user_participant)
        self.assertEqual(orientation.display_name, "Nadia BENALI - France Travail")
        self.assertEqual(self.participant.participant_orientation_ids, orientation)
        self.assertEqual(self.participant.participant_orientation_count, 1)

    def test_orientation_requires_participant_and_target(self):
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.env["participant.orientation"].create(
                {"planned_date": self.in_days(1)}
            )
            self.env.flush_all()

    def test_participant_form_shows_steps_and_orientations(self):
        view = (
            self.env["res.partner"]
            .with_user(self.user_participant)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for name in (
            "participant_step_ids",
            "participant_orientation_ids",
            "participant_appointment_ids",
            "participant_file_number",
            "accepts_sms",
        ):
            self.assertIn(f'name="{name}"', view)
