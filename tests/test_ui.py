from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestParticipantUi(HttpCase):

    def test_participant_tour(self):
        participant = self.env["res.partner"].create({
            "name": "Tour PARTICIPANT", "is_participant": True,
            "participant_file_number": "TOUR-0001", "mobile": "+33 6 11 22 33 44",
        })
        start = fields.Datetime.now() + timedelta(days=2)
        self.env["calendar.event"].with_context(no_mail_to_attendees=True).create({
            "name": "Tour appointment", "participant_id": participant.id,
            "participant_appointment_type_id":
                self.env.ref("participant_sms.appointment_type_individual").id,
            "start": start, "stop": start + timedelta(hours=1),
        })
        self.start_tour("/odoo/action-participant_sms.action_participants",
                        "participant_sms_participant_tour", login="admin")
        self.assertFalse(participant.accepts_sms, "the tour unticked 'Accepts SMS' and saved")
