# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
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


@tagged("post_install", "-at_install")
class TestSmsReminderUi(HttpCase):

    def test_reminder_tour(self):
        self.env.company.write({"psms_window_start": 0.0, "psms_window_end": 24.0,
                                "psms_max_segments": 3})
        self.env["participant.sms.automation"].search([]).action_archive()
        participant = self.env["res.partner"].create({
            "name": "Tour PARTICIPANT", "is_participant": True,
            "participant_file_number": "TOUR-0002", "mobile": "+33 6 11 22 33 45"})
        admin = self.env.ref("base.user_admin")
        admin.groups_id |= self.env.ref("participant_sms.group_sms_send_scheduled")
        self.start_tour("/odoo/action-participant_sms.action_participant_appointments/new",
                        "participant_sms_reminder_tour", login="admin")
        event = self.env["calendar.event"].search([("participant_id", "=", participant.id)])
        sms = event.sms_reminder_sms_id
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.body, "Rappel tour : RDV dans 5 jours à 10h.")
        self.assertEqual(sms.author_id, admin)
        self.assertEqual(sms.origin, "scheduled")


@tagged("post_install", "-at_install")
class TestSmsBatchUi(HttpCase):

    def test_batch_tour(self):
        job_fair = self.env.ref("participant_sms.participant_list_job_fair", raise_if_not_found=False)
        if not job_fair:
            self.skipTest("needs the demo data (saved list 'Job fair - Lyon')")
        self.env.company.write({"psms_window_start": 0.0, "psms_window_end": 24.0,
                                "psms_max_segments": 3})
        admin = self.env.ref("base.user_admin")
        admin.groups_id |= self.env.ref("participant_sms.group_sms_send_batch")
        self.start_tour("/odoo/action-participant_sms.action_participants",
                        "participant_sms_batch_tour", login="admin")
        messages = self.env["participant.sms"].search(
            [("origin", "=", "batch"), ("partner_id", "in", job_fair.partner_ids.ids)])
        self.assertEqual(len(messages), 6)
        self.assertEqual(len(set(messages.mapped("batch_ref"))), 1)
        events = self.env["calendar.event"].browse(messages.mapped("res_id"))
        self.assertEqual(set(events.mapped("location")), {"Salle des fêtes"})


@tagged("post_install", "-at_install")
class TestSmsDashboardUi(HttpCase):

    def test_dashboard_tour(self):
        """Charts on the page, a period choice, and a figure that opens its list."""
        self.env.company.write({"psms_window_start": 0.0, "psms_window_end": 24.0,
                                "psms_account_id": False})
        Sms = self.env["participant.sms"]
        sms = Sms._queue([{"origin": "free", "context_type": "free", "number": "+33610101010",
                           "body": "Information tableau de bord"}])
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.env["participant.sms.dispatcher"]._cron_poll_statuses()
        self.env["participant.sms.dispatcher"]._cron_poll_statuses()
        self.assertEqual(sms.state, "delivered")
        self.start_tour("/odoo/action-participant_sms.action_participant_sms_dashboard",
                        "participant_sms_dashboard_tour", login="admin")
