# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestParticipantUi(HttpCase):
    def test_participant_tour(self):
        participant = self.env["res.partner"].create(
            {
                "name": "Tour PARTICIPANT",
                "is_participant": True,
                "participant_file_number": "TOUR-0001",
                "mobile": "+33 6 11 22 33 44",
            }
        )
        start = fields.Datetime.now() + timedelta(days=2)
        self.env["calendar.event"].with_context(no_mail_to_attendees=True).create(
            {
                "name": "Tour appointment",
                "participant_id": participant.id,
                "participant_appointment_type_id": self.env.ref(
                    "participant_sms.appointment_type_individual"
                ).id,
                "start": start,
                "stop": start + timedelta(hours=1),
            }
        )
        self.start_tour(
            "/odoo/action-participant_sms.action_participants",
            "participant_sms_participant_tour",
            login="admin",
        )
        self.assertFalse(
            participant.accepts_sms, "the tour unticked 'Accepts SMS' and saved"
        )


@tagged("post_install", "-at_install")
class TestSmsReminderUi(HttpCase):
    def test_reminder_tour(self):
        self.env.company.write(
            {"psms_window_start": 0.0, "psms_window_end": 24.0, "psms_max_segments": 3}
        )
        self.env["participant.sms.automation"].search([]).action_archive()
        participant = self.env["res.partner"].create(
            {
                "name": "Tour PARTICIPANT",
                "is_participant": True,
                "participant_file_number": "TOUR-0002",
                "mobile": "+33 6 11 22 33 45",
            }
        )
        admin = self.env.ref("base.user_admin")
        admin.groups_id |= self.env.ref("participant_sms.group_sms_send_scheduled")
        self.start_tour(
            "/odoo/action-participant_sms.action_participant_appointments/new",
            "participant_sms_reminder_tour",
            login="admin",
        )
        event = self.env["calendar.event"].search(
            [("participant_id", "=", participant.id)]
        )
        sms = event.sms_reminder_sms_id
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.body, "Rappel tour : RDV dans 5 jours à 10h.")
        self.assertEqual(sms.author_id, admin)
        self.assertEqual(sms.origin, "scheduled")


@tagged("post_install", "-at_install")
class TestSmsBatchUi(HttpCase):
    def test_batch_tour(self):
        job_fair = self.env.ref(
            "participant_sms.participant_list_job_fair", raise_if_not_found=False
        )
        if not job_fair:
            self.skipTest("needs the demo data (saved list 'Forum emploi - Lyon')")
        self.env.company.write(
            {"psms_window_start": 0.0, "psms_window_end": 24.0, "psms_max_segments": 3}
        )
        admin = self.env.ref("base.user_admin")
        admin.groups_id |= self.env.ref("participant_sms.group_sms_send_batch")
        self.start_tour(
            "/odoo/action-participant_sms.action_participants",
            "participant_sms_batch_tour",
            login="admin",
        )
        messages = self.env["participant.sms"].search(
            [("origin", "=", "batch"), ("partner_id", "in", job_fair.partner_ids.ids)]
        )
        self.assertEqual(len(messages), 6)
        self.assertEqual(len(set(messages.mapped("batch_ref"))), 1)
        events = self.env["calendar.event"].browse(messages.mapped("res_id"))
        self.assertEqual(set(events.mapped("location")), {"Salle des fêtes"})


@tagged("post_install", "-at_install")
class TestSmsDashboardUi(HttpCase):
    def test_dashboard_tour(self):
        """Charts on the page; each period button is reachable (nothing lies over it),
        becomes the active one when clicked and shows its months, in words; counts are
        whole numbers (axis and table); a figure opens its list."""
        self.env.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_account_id": False,
            }
        )
        Sms = self.env["participant.sms"]
        sms = Sms._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "number": "+33610101010",
                    "body": "Information tableau de bord",
                }
            ]
        )
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.env["participant.sms.dispatcher"]._cron_poll_statuses()
        self.env["participant.sms.dispatcher"]._cron_poll_statuses()
        self.assertEqual(sms.state, "delivered")
        self.start_tour(
            "/odoo/action-participant_sms.action_participant_sms_dashboard",
            "participant_sms_dashboard_tour",
            login="admin",
        )


@tagged("post_install", "-at_install")
class TestSmsDeskUi(HttpCase):
    def test_desk_tour(self):
        """A collaborator's My SMS: a new reply marked seen, an upcoming reminder, a new
        appointment with its reminder."""
        self.env.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_account_id": False,
                "psms_enforce_packages": False,
            }
        )
        user = self.env["res.users"].create(
            {
                "name": "Desk Collaborator",
                "login": "psms_desk_tour",
                "password": "psms_desk_tour",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("participant_sms.group_sms_send_scheduled").id,
                        ],
                    )
                ],
            }
        )
        participant = self.env["res.partner"].create(
            {
                "name": "Desk PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 20 30 40 50",
                "participant_referent_id": user.id,
            }
        )
        template = self.env.ref("participant_sms.sms_template_appointment")
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        events = (
            self.env["calendar.event"]
            .with_user(user)
            .create(
                [
                    {
                        "name": name,
                        "participant_id": participant.id,
                        "participant_collaborator_id": user.id,
                        "participant_appointment_type_id": self.env.ref(
                            "participant_sms.appointment_type_individual"
                        ).id,
                        "start": start + timedelta(days=offset),
                        "stop": start + timedelta(days=offset, hours=1),
                        "sms_reminder": True,
                        "sms_reminder_days": "1",
                        "sms_reminder_template_id": template.id,
                    }
                    for name, offset in (("Answered", 0), ("Upcoming", 1))
                ]
            )
        )
        sms = events[0].sms_reminder_sms_id.sudo()
        sms.write({"state": "delivered", "sent_at": fields.Datetime.now()})
        self.env["participant.sms.reply"].create(
            {
                "account_id": self.env.ref("participant_sms.sms_account_simulator").id,
                "inbound_id": "desk-tour",
                "number": sms.number,
                "text": "Je serai en retard",
                "sms_id": sms.id,
                "event_id": events[0].id,
                "partner_id": participant.id,
                "result": "no_keyword",
            }
        )
        self.start_tour(
            "/odoo/action-participant_sms.action_participant_sms_desk",
            "participant_sms_desk_tour",
            login="psms_desk_tour",
        )
        self.assertTrue(
            self.env["participant.sms.reply"]
            .search([("inbound_id", "=", "desk-tour")])
            .seen
        )
