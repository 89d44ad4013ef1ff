# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quiet days (company option): batch and free sends and J+n follow-ups never go on a
Sunday or a public holiday of the company's zone; the preview shows the moved time;
reminders before an event keep theirs; the dispatcher holds campaign SMS on a quiet day,
even a retry."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common_sms import SmsCommon, create_sms_user
from .test_sms_batch import xlsx_file

#: Tuesday 1 December 2026, 10:00 UTC (11:00 Paris): the "now" of these tests
NOW = datetime(2026, 12, 1, 10, 0)
CHRISTMAS_10H_PARIS = datetime(2026, 12, 25, 9, 0)
SATURDAY_26_8H_PARIS = datetime(2026, 12, 26, 7, 0)


@tagged("post_install", "-at_install")
class TestQuietDays(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "psms_window_start": 8.0,
                "psms_window_end": 18.0,
                "psms_quiet_days": True,
                "psms_enforce_packages": False,
            }
        )
        cls.user_free = create_sms_user(cls.env, "psms_free_q", "group_sms_send_free")
        cls.user_batch = create_sms_user(
            cls.env, "psms_batch_q", "group_sms_send_batch"
        )

    def setUp(self):
        super().setUp()
        freezer = freeze_time(NOW)
        freezer.start()
        self.addCleanup(freezer.stop)

    def _free(self, **values):
        wizard = (
            self.env["participant.sms.free"]
            .with_user(self.user_free)
            .create(
                dict(
                    {
                        "file": xlsx_file([["TELEPHONE"], ["0612345678"]]),
                        "filename": "l.xlsx",
                        "body": "Forum emploi lundi.",
                    },
                    **values,
                )
            )
        )
        wizard.action_preview()
        return wizard

    def test_a_free_send_planned_on_christmas_moves_and_the_preview_says_so(self):
        wizard = self._free(send_mode="scheduled", planned_at=CHRISTMAS_10H_PARIS)
        self.assertEqual(wizard.send_at, SATURDAY_26_8H_PARIS)
        self.assertIn("Christmas", wizard.send_at_note)
        wizard.action_validate()
        sms = self.Sms.search([("origin", "=", "free")])
        self.assertEqual(sms.planned_at, SATURDAY_26_8H_PARIS)
        # its 24 hours of retries end on Sunday 27: they go on to Monday 28
        self.assertEqual(sms.deadline, datetime(2026, 12, 28, 7, 0))

    def test_alsace_moselle_and_sunday_push_to_monday(self):
        self.company.psms_alsace_moselle = True
        wizard = self._free(send_mode="scheduled", planned_at=CHRISTMAS_10H_PARIS)
        self.assertEqual(wizard.send_at, datetime(2026, 12, 28, 7, 0))

    def test_without_the_option_nothing_moves(self):
        self.company.psms_quiet_days = False
        wizard = self._free(send_mode="scheduled", planned_at=CHRISTMAS_10H_PARIS)
        self.assertEqual(wizard.send_at, CHRISTMAS_10H_PARIS)
        self.assertFalse(wizard.send_at_note)

    def test_overseas_zone_uses_its_own_holidays(self):
        self.company.psms_zone = "reunion"
        # Friday 20 December 2030 (abolition of slavery in La Réunion), 10:00 Réunion =
        # 06:00 UTC
        wizard = self._free(
            send_mode="scheduled", planned_at=datetime(2030, 12, 20, 6, 0)
        )
        self.assertEqual(
            wizard.send_at, datetime(2030, 12, 21, 4, 0)
        )  # Saturday 08:00 there
        self.company.psms_zone = "metropole"
        wizard = self._free(
            send_mode="scheduled", planned_at=datetime(2030, 12, 20, 9, 0)
        )
        self.assertEqual(wizard.send_at, datetime(2030, 12, 20, 9, 0))

    def test_send_now_on_a_sunday_waits_for_monday(self):
        with freeze_time(datetime(2026, 11, 29, 10, 0)):  # Sunday 11:00 Paris
            wizard = self._free(send_mode="now")
            self.assertEqual(wizard.send_at, datetime(2026, 11, 30, 7, 0))
            self.assertIn("Sunday", wizard.send_at_note)

    def test_a_batch_planned_on_a_holiday_moves(self):
        start = datetime(2026, 12, 29, 13, 0)
        wizard = self.batch_wizard(
            self.user_batch,
            self.participant,
            start=start,
            body="Réunion d'information mardi 29 à 14h.",
            send_mode="scheduled",
            planned_at=CHRISTMAS_10H_PARIS,
        )
        wizard.action_preview()
        self.assertEqual(wizard.send_at, SATURDAY_26_8H_PARIS)
        wizard.action_validate()
        sms = self.Sms.search([("origin", "=", "batch")])
        self.assertEqual(sms.planned_at, SATURDAY_26_8H_PARIS)

    def test_follow_up_skips_the_holiday_and_the_reminder_keeps_its_sunday(self):
        user = create_sms_user(
            self.env,
            "psms_sched_q",
            "group_participant_user",
            "group_sms_send_scheduled",
        )
        template = self.env.ref("participant_sms.sms_template_appointment")
        self.env["participant.sms.automation"].create(
            {
                "name": "J+1",
                "timing": "after",
                "days": 1,
                "user_ids": [(6, 0, user.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "template_id": template.id,
            }
        )
        # Thursday 24 December at 14:00 Paris: J+1 is Christmas -> Saturday 26 at 08:00
        event = (
            self.env["calendar.event"]
            .with_user(user)
            .create(
                {
                    "name": "Suivi",
                    "participant_id": self.participant.id,
                    "participant_appointment_type_id": self.type_individual.id,
                    "participant_collaborator_id": user.id,
                    "start": datetime(2026, 12, 24, 13),
                    "stop": datetime(2026, 12, 24, 14),
                }
            )
        )
        follow_up = self.Sms.search(
            [("res_id", "=", event.id), ("purpose", "=", "follow_up")]
        )
        self.assertEqual(follow_up.planned_at, SATURDAY_26_8H_PARIS)
        # Monday 30 November at 10:00 Paris, reminder 1 day before: Sunday 29 at 10:00,
        # kept
        with freeze_time(datetime(2026, 11, 20, 10)):
            monday = (
                self.env["calendar.event"]
                .with_user(user)
                .create(
                    {
                        "name": "RDV",
                        "participant_id": self.participant.id,
                        "participant_appointment_type_id": self.type_individual.id,
                        "participant_collaborator_id": user.id,
                        "start": datetime(2026, 11, 30, 9),
                        "stop": datetime(2026, 11, 30, 10),
                        "sms_reminder": True,
                        "sms_reminder_days": "1",
                        "sms_reminder_template_id": template.id,
                    }
                )
            )
        self.assertEqual(
            monday.sms_reminder_sms_id.planned_at, datetime(2026, 11, 29, 9)
        )

    def test_the_dispatcher_holds_campaigns_on_a_quiet_day(self):
        sunday_11h = datetime(2026, 11, 29, 10, 0)
        with freeze_time(sunday_11h):
            batch = self.queue(
                origin="batch", planned_at=sunday_11h - timedelta(hours=1)
            )
            free = self.queue(
                origin="free",
                res_model=False,
                res_id=False,
                number="+33612345670",
                planned_at=sunday_11h - timedelta(hours=1),
            )
            instant = self.queue(
                number="+33612345671", planned_at=sunday_11h - timedelta(hours=1)
            )
            self.Dispatcher._cron_dispatch()
            self.assertEqual(
                instant.state, "processing", "individual SMS are not campaigns"
            )
            self.assertEqual((batch.state, free.state), ("queued", "queued"))
        with freeze_time(datetime(2026, 11, 30, 7, 30)):  # Monday 08:30 Paris
            self.Dispatcher._cron_dispatch()
            self.assertEqual((batch.state, free.state), ("processing", "processing"))
