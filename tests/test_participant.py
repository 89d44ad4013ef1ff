# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from ast import literal_eval

from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ParticipantCommon


@tagged("post_install", "-at_install")
class TestParticipant(ParticipantCommon):
    def test_file_number_is_unique(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["res.partner"].create(
                {
                    "name": "Duplicate",
                    "is_participant": True,
                    "participant_file_number": "T-0001",
                }
            )
            self.env.flush_all()

    def test_file_number_not_copied(self):
        copy = self.participant.copy()
        self.assertFalse(copy.participant_file_number)
        self.assertTrue(copy.is_participant)

    def test_several_partners_without_file_number(self):
        partners = self.env["res.partner"].create([{"name": "A"}, {"name": "B"}])
        self.env.flush_all()
        self.assertEqual(partners.mapped("participant_file_number"), [False, False])

    def test_accepts_sms_default_and_tracking(self):
        self.assertTrue(self.participant.accepts_sms)
        self.flush_tracking()
        self.participant.with_user(self.user_participant).accepts_sms = False
        self.flush_tracking()
        tracking = self.participant.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "accepts_sms"
        )
        self.assertEqual(len(tracking), 1)
        self.assertTrue(tracking.old_value_integer)
        self.assertFalse(tracking.new_value_integer)
        self.assertEqual(
            tracking.mail_message_id.author_id, self.user_participant.partner_id
        )

    def test_search_by_file_number(self):
        found = self.env["res.partner"].name_search("T-0002")
        self.assertIn(self.participant_2.id, [pid for pid, _name in found])

    def test_counts_and_smart_button_actions(self):
        event = self.env["calendar.event"].create(
            {
                "name": "Diagnosis",
                "participant_id": self.participant.id,
                "participant_appointment_type_id": self.type_individual.id,
                "start": self.in_days(2),
                "stop": self.in_days(2, 11),
            }
        )
        self.env["participant.step"].create(
            {
                "participant_id": self.participant.id,
                "step_type_id": self.step_type_training.id,
                "planned_start": self.in_days(5),
            }
        )
        self.assertEqual(self.participant.participant_appointment_count, 1)
        self.assertEqual(self.participant.participant_step_count, 1)
        self.assertEqual(self.participant.participant_orientation_count, 0)
        action = self.participant.action_open_participant_appointments()
        self.assertEqual(self.env["calendar.event"].search(action["domain"]), event)
        self.assertEqual(
            action["context"]["default_participant_id"], self.participant.id
        )
        action = self.participant.action_open_participant_orientations()
        self.assertEqual(action["res_model"], "participant.orientation")

    def test_participants_action_lists_only_participants(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participants"
        )
        found = self.env["res.partner"].search(literal_eval(action["domain"]))
        self.assertIn(self.participant, found)
        self.assertNotIn(self.non_participant, found)

    def test_participant_user_creates_participant(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.user_participant)
            .with_context(default_is_participant=True)
            .create({"name": "New Participant", "participant_file_number": "T-0100"})
        )
        self.assertTrue(partner.is_participant)
        self.assertTrue(partner.accepts_sms)
