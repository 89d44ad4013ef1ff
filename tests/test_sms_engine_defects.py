# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One test per defect found at the edges of the engine (issue "One SMS engine whose
rules hold under every edit, failure and crash"): each failed before the engine was
reworked."""

from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..tools.providers import OutgoingSms, SendResult
from .common_sms import SmsCommon, create_ovh_account, create_sms_user
from .fakes.fake_providers import FakeOvh

MUTE = (
    "odoo.addons.participant_sms.models.participant_sms_dispatcher",
    "odoo.addons.participant_sms.models.participant_sms_statuses",
    "odoo.addons.participant_sms.models.participant_sms_reconciliation",
)


@tagged("post_install", "-at_install")
class TestEngineDefects(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_scheduled = create_sms_user(
            cls.env,
            "psms_sched_d",
            "group_participant_user",
            "group_sms_send_scheduled",
        )
        cls.user_plain = create_sms_user(
            cls.env, "psms_plain_d", "group_participant_user"
        )
        cls.template = cls.env.ref("participant_sms.sms_template_appointment")
        cls.participant_2.mobile = "+33 6 22 33 44 55"

    def _event(self, user=None, days=5, **values):
        start = (fields.Datetime.now() + timedelta(days=days)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        return (
            self.env["calendar.event"]
            .with_user(user or self.user_scheduled)
            .create(
                {
                    "name": "Appointment",
                    "participant_id": self.participant.id,
                    "participant_appointment_type_id": self.type_individual.id,
                    "participant_collaborator_id": (user or self.user_scheduled).id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "location": "Espace Insertion",
                    **values,
                }
            )
        )

    def _reminder(self, **values):
        return self._event(
            sms_reminder=True,
            sms_reminder_days="2",
            sms_reminder_template_id=self.template.id,
            **values,
        )

    # -- wrong person ------------------------------------------------------------------
    def test_changing_the_participant_readdresses_the_reminder(self):
        event = self._reminder()
        sms = event.sms_reminder_sms_id
        event.with_user(self.user_plain).participant_id = self.participant_2
        self.assertEqual(event.sms_reminder_sms_id, sms)
        self.assertEqual(
            (sms.partner_id, sms.number), (self.participant_2, "+33622334455")
        )
        self.assertNotIn("benali", sms.body.lower())
        self.assertIn("moreau", sms.body.lower())

    def test_typed_text_is_cancelled_when_the_participant_changes(self):
        event = self._event(
            sms_reminder=True,
            sms_reminder_days="2",
            sms_reminder_body="Nadia, RDV jeudi 10h.",
        )
        sms = event.sms_reminder_sms_id
        event.participant_id = self.participant_2
        self.assertEqual(sms.state, "cancelled")
        self.assertFalse(event.sms_reminder)
        self.assertIn("typed by hand", event.message_ids[0].body)

    # -- no permission, still sends ----------------------------------------------------
    def test_user_without_permission_cannot_rewrite_or_move_a_pending_sms(self):
        event = self._reminder()
        sms = event.sms_reminder_sms_id
        body, planned = sms.body, sms.planned_at
        as_plain = event.with_user(self.user_plain)
        with self.assertRaises(AccessError):
            as_plain.sms_reminder_body = "Venez avec 50 euros en liquide."
        with self.assertRaises(AccessError):
            as_plain.sms_reminder_days = "1"
        with self.assertRaises(AccessError):
            as_plain.sms_reminder_planned_at = fields.Datetime.now() + timedelta(
                hours=1
            )
        self.assertEqual(
            (sms.body, sms.planned_at, sms.origin), (body, planned, "scheduled")
        )
        # a change of the appointment itself is theirs to make: the SMS follows
        as_plain.location = "Mairie annexe"
        self.assertIn("Mairie annexe", sms.body)
        self.assertEqual(
            (sms.origin, sms.author_id), ("scheduled", self.user_scheduled)
        )

    def test_automation_is_automation_only_while_untouched(self):
        self.env["participant.sms.automation"].create(
            {
                "name": "Auto",
                "user_ids": [(6, 0, self.user_scheduled.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "days": 2,
                "template_id": self.template.id,
            }
        )
        # the colleague's automation, prefilled and untouched: the system's SMS
        event = self._event(
            user=self.user_plain, participant_collaborator_id=self.user_scheduled.id
        )
        self.assertEqual(event.sms_reminder_sms_id.origin, "automation")
        # a user without permission cannot make it say something else
        with self.assertRaises(AccessError):
            event.with_user(self.user_plain).sms_reminder_body = "Autre chose"
        with self.assertRaises(AccessError):
            self._event(
                user=self.user_plain,
                participant_collaborator_id=self.user_scheduled.id,
                sms_reminder=True,
                sms_reminder_days="2",
                sms_reminder_template_id=self.template.id,
                sms_reminder_body="Un texte de mon choix",
            )
        # a user with permission may: it becomes theirs
        event.with_user(self.user_scheduled).sms_reminder_body = "Texte revu"
        self.assertEqual(event.sms_reminder_sms_id.origin, "scheduled")
        self.assertEqual(event.sms_reminder_sms_id.author_id, self.user_scheduled)

    # -- sent several times ------------------------------------------------------------
    @mute_logger(*MUTE)
    def test_ovh_one_failed_job_does_not_resend_the_accepted_ones(self):
        with FakeOvh() as server:
            self.company.psms_account_id = create_ovh_account(self.env, server)
            first = self.queue_numbers(["+33612345610", "+33612345611"], body="Texte A")
            second = self.queue_numbers(["+33612345612"], body="Texte B")
            server.job_faults = ["ok", "server"]
            for _round in range(3):
                (first | second).sudo().write({"next_attempt_at": False})
                self.Dispatcher._cron_dispatch()
            receivers = [number for job in server.jobs for number in job["receivers"]]
            self.assertEqual(
                sorted(receivers), ["+33612345610", "+33612345611", "+33612345612"]
            )
            self.assertEqual(set(first.mapped("state")), {"processing"})
            self.assertEqual(second.state, "processing")
            self.assertEqual(second.attempts, 2, "only the failed job was retried")
            self.assertEqual(self.package.consumed, 3)

    @mute_logger(*MUTE)
    def test_ovh_lost_answer_and_garbage_are_reconciled_not_resent(self):
        with FakeOvh() as server:
            self.company.psms_account_id = create_ovh_account(
                self.env, server, timeout=1
            )
            lost = self.queue_numbers(["+33612345620"], body="Texte perdu")
            garbage = self.queue_numbers(["+33612345621"], body="Texte illisible")
            server.job_faults, server.delay = ["lost", "garbage"], 2.0
            self.Dispatcher._cron_dispatch()
            for sms in lost | garbage:
                self.assertEqual(
                    sms.state, "processing", "maybe sent: neither failed nor queued"
                )
                self.assertFalse(sms.provider_id)
                self.assertEqual(sms.credits, 1, "not refunded blind")
            self.Dispatcher._cron_dispatch()
            self.assertEqual(len(server.jobs), 2, "not sent again")
            (lost | garbage).sudo().write(
                {"claimed_at": fields.Datetime.now() - timedelta(hours=1)}
            )
            self.Dispatcher._cron_dispatch()
            self.assertEqual(len(server.jobs), 2)
            for sms in lost | garbage:
                self.assertTrue(sms.provider_id, "found at OVH by its tag")
                self.assertIn(sms.provider_id, server.outgoing)

    # -- crash -------------------------------------------------------------------------
    def test_crash_between_send_and_answer_with_the_simulator(self):
        """The simulator remembers what it accepted: after a crash, reconciliation finds
        the 20 SMS and none is sent again."""
        messages = self.queue_numbers([f"+336123457{i:02d}" for i in range(20)])
        claimed, sendable, tag = self.Dispatcher._claim_and_charge(self.company, 100)
        provider = self.simulator._get_provider()
        provider.send(
            [OutgoingSms(str(s.id), s.number, s.body) for s in sendable], tag=tag
        )
        # the worker dies here: the answers are never recorded
        messages.sudo().write(
            {"claimed_at": fields.Datetime.now() - timedelta(hours=1)}
        )
        self.Dispatcher._cron_dispatch()
        self.assertEqual(set(messages.mapped("state")), {"processing"})
        self.assertTrue(all(messages.mapped("provider_id")))
        stored = self.env["participant.sms.simulator.message"].search(
            [("tag", "=", tag)]
        )
        self.assertEqual(len(stored), 20, "each accepted once, none sent again")
        self.assertEqual(self.package.consumed, 20)

    # -- follow-ups --------------------------------------------------------------------
    def test_follow_up_from_the_form_follows_the_appointment(self):
        self.env["participant.sms.automation"].create(
            {
                "name": "J+3",
                "timing": "after",
                "days": 3,
                "user_ids": [(6, 0, self.user_scheduled.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "template_id": self.template.id,
            }
        )
        start = fields.Datetime.now().replace(microsecond=0, second=0) + timedelta(
            days=4
        )
        with Form(self.env["calendar.event"].with_user(self.user_scheduled)) as form:
            form.name = "Suivi"
            form.participant_id = self.participant
            form.participant_appointment_type_id = self.type_individual
            form.participant_collaborator_id = self.user_scheduled
            form.start = start
            form.stop = start + timedelta(hours=1)
            form.sms_reminder = True
            form.sms_reminder_days = "1"
            form.sms_reminder_template_id = self.template
        event = form.record

        def follow_ups(state="queued"):
            return self.Sms.search(
                [
                    ("res_model", "=", "calendar.event"),
                    ("res_id", "=", event.id),
                    ("purpose", "=", "follow_up"),
                    ("state", "=", state),
                ]
            )

        follow_up = follow_ups()
        self.assertEqual(
            len(follow_up), 1, "queued although the form sent sms_reminder"
        )
        window = self.company._psms_window()
        day = lambda dt: window.to_local(dt).date()  # noqa: E731
        self.assertEqual(
            day(follow_up.planned_at), day(event.start) + timedelta(days=3)
        )
        event.write(
            {
                "start": event.start + timedelta(days=2),
                "stop": event.stop + timedelta(days=2),
            }
        )
        self.assertEqual(
            day(follow_up.planned_at), day(event.start) + timedelta(days=3)
        )
        event.active = False
        self.assertEqual(follow_up.state, "cancelled")
        event.active = True
        self.assertEqual(len(follow_ups()), 1, "back with the appointment")
        event.unlink()
        self.assertEqual(len(follow_ups()), 0)

    # -- deletion and edits ------------------------------------------------------------
    def test_deleting_a_participant_cancels_their_step_reminders(self):
        participant = self.env["res.partner"].create(
            {
                "name": "Temp PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 55 44 33 22",
            }
        )
        step = (
            self.env["participant.step"]
            .with_user(self.user_scheduled)
            .create(
                {
                    "participant_id": participant.id,
                    "step_type_id": self.step_type_training.id,
                    "planned_start": fields.Date.today() + timedelta(days=6),
                    "sms_reminder": True,
                    "sms_reminder_days": "2",
                    "sms_reminder_template_id": self.env.ref(
                        "participant_sms.sms_template_step"
                    ).id,
                }
            )
        )
        sms = step.sms_reminder_sms_id
        self.assertEqual(sms.state, "queued")
        participant.unlink()
        self.assertFalse(step.exists())
        self.assertEqual(sms.state, "cancelled")
        self.Dispatcher._cron_dispatch()
        self.assertEqual(sms.state, "cancelled")

    def test_editing_a_sent_reminder_does_not_queue_a_second_sms(self):
        event = self._reminder()
        sms = event.sms_reminder_sms_id
        sms.sudo().write({"planned_at": fields.Datetime.now() - timedelta(minutes=1)})
        self.Dispatcher._cron_dispatch()
        self.assertEqual(sms.state, "processing")
        with self.assertRaisesRegex(UserError, "already left"):
            event.sms_reminder_body = "Encore"
        event.location = "Ailleurs"  # a change of the appointment: nothing more is sent
        self.assertEqual(
            self.Sms.search_count(
                [("res_id", "=", event.id), ("res_model", "=", "calendar.event")]
            ),
            1,
        )

    def test_a_typed_send_time_is_not_overridden_by_the_delay(self):
        event = self._reminder()
        typed = (event.start - timedelta(days=3)).replace(hour=11)
        event.sms_reminder_planned_at = typed
        self.assertFalse(event.sms_reminder_days)
        self.assertEqual(event.sms_reminder_sms_id.planned_at, typed)
        self.assertEqual(event.sms_reminder_planned_at, typed)

    def test_an_sms_without_account_goes_through_the_company_one(self):
        """An SMS written with no account (by SQL, an import) is sent through the
        company's current account, and the SMS of its batch with it: the dispatch
        does not stop at it."""
        messages = self.queue_numbers(["+33612345631", "+33612345632"])
        self.env.flush_all()
        self.cr.execute(
            "UPDATE participant_sms SET account_id = NULL WHERE id = %s",
            [messages[0].id],
        )
        messages.invalidate_recordset()
        self.Dispatcher._cron_dispatch()
        self.assertEqual(messages.account_id, self.simulator)
        self.assertEqual(set(messages.mapped("state")), {"processing"})
        self.assertTrue(all(messages.mapped("provider_id")), "sent")

    def test_a_stale_claim_without_account_is_unknown(self):
        """A stale claim with no account (written by SQL, an import) has no
        provider to ask: it is *Unknown*, not sent again, and the dispatch goes on
        with the due SMS (its reconciliation stopped every run)."""
        stale, due = self.queue_numbers(["+33612345634", "+33612345635"])
        self.env.flush_all()
        self.cr.execute(
            """UPDATE participant_sms
                  SET account_id = NULL, state = 'processing', provider_tag = 'lost',
                      claimed_at = %s
                WHERE id = %s""",
            [fields.Datetime.now() - timedelta(hours=1), stale.id],
        )
        stale.invalidate_recordset()
        with mute_logger(*MUTE):
            self.Dispatcher._cron_dispatch()
        self.assertEqual(stale.state, "unknown")
        self.assertIn("no provider account", stale.last_error)
        self.assertFalse(stale.provider_id, "not sent again")
        self.assertEqual(due.state, "processing")
        self.assertTrue(due.provider_id, "the dispatch went on")

    def test_a_stale_claim_without_tag_is_unknown(self):
        """A stale claim written with no dispatch tag (SQL) cannot be asked about:
        *Unknown*, never queued again blind (the provider knows nothing under an
        empty tag, which is not "never received")."""
        sms = self.queue_numbers(["+33612345636"])
        self.env.flush_all()
        self.cr.execute(
            """UPDATE participant_sms
                  SET state = 'processing', provider_tag = NULL, claimed_at = %s
                WHERE id = %s""",
            [fields.Datetime.now() - timedelta(hours=1), sms.id],
        )
        sms.invalidate_recordset()
        self.Dispatcher._reconcile_stale_claims()
        self.assertEqual(sms.state, "unknown")
        self.assertFalse(sms.provider_id)

    def test_an_acceptance_without_provider_id_stays_in_flight(self):
        """A provider that accepts an SMS without giving its id leaves it
        *Processing* without a provider id: its batch stays in flight, so that the
        reconciliation asks about it later (F1)."""
        sms = self.queue_numbers(["+33612345637"])
        _claimed, sendable, tag = self.Dispatcher._claim_and_charge(self.company, 5)
        unanswered = self.Dispatcher._apply_send_results(
            sendable, [SendResult(str(sms.id), True, provider_id="")]
        )
        self.assertEqual(unanswered, [sms.id])
        self.Dispatcher._close_flight(tag, unanswered)
        sms.sudo().claimed_at = fields.Datetime.now() - timedelta(hours=1)
        self.assertEqual(self.Dispatcher._stale_claims(), sms)

    def test_credits_without_package_are_dropped_on_refund(self):
        """An SMS whose credits name no package (written by SQL) is refunded without
        error (the dispatch's refund of a batch stopped at it): no package changes."""
        sms = self.queue_numbers(["+33612345633"])
        self.env.flush_all()
        self.cr.execute(
            "UPDATE participant_sms SET credits = 1, package_id = NULL WHERE id = %s",
            [sms.id],
        )
        sms.invalidate_recordset()
        consumed = self.package.consumed
        self.env["participant.sms.package"].sudo()._refund_sms(sms)
        self.assertEqual(sms.credits, 0)
        self.assertFalse(sms.package_id)
        self.assertEqual(self.package.consumed, consumed)

    def test_an_account_with_sms_is_archived_not_deleted(self):
        with FakeOvh() as server:
            account = create_ovh_account(self.env, server)
            self.company.psms_account_id = account
            sms = self.queue_numbers(["+33612345630"])
            with (
                self.assertRaises(psycopg2.errors.ForeignKeyViolation),
                mute_logger("odoo.sql_db"),
                self.cr.savepoint(),
            ):
                account.unlink()
            self.env.invalidate_all()  # the failed unlink left its cache changes behind
            self.assertEqual(self.company.psms_account_id, account)
            with self.assertRaisesRegex(UserError, "choose another"):
                account.active = False
            self.company.psms_account_id = False  # back to the simulator
            account.active = False
            sms.sudo().write(
                {
                    "state": "processing",
                    "provider_tag": "t-archived",
                    "claimed_at": fields.Datetime.now() - timedelta(hours=1),
                }
            )
            self.Dispatcher._cron_dispatch()  # reconciliation asks the archived account
            self.assertEqual(
                [request[1].split("?")[0] for request in server.requests][-1],
                "/1.0/sms/sms-ab12345-1/outgoing",
            )
            self.assertEqual(server.jobs, [], "OVH never had it")
            self.assertEqual(
                sms.account_id, self.simulator, "sent again through the current one"
            )
            self.assertEqual(sms.state, "processing")

    # -- commits from buttons ----------------------------------------------------------
    def test_buttons_never_commit(self):
        """A commit inside a TransactionCase raises: these buttons only trigger the
        crons."""
        self.queue()
        admin = self.user_admin_sms
        self.Sms.with_user(admin).action_dispatch_now()
        self.Sms.with_user(admin).action_update_statuses()
        settings = (
            self.env["res.config.settings"]
            .with_user(self.env.ref("base.user_admin"))
            .create({"psms_test_number": "06 12 34 56 78"})
        )
        settings.action_psms_send_test()
        wizard = (
            self.env["participant.sms.test"]
            .with_user(admin)
            .create({"template_id": self.template.id, "number": "06 12 34 56 79"})
        )
        wizard.action_send()
        self.assertEqual(
            self.Sms.search_count([("origin", "=", "test"), ("state", "=", "queued")]),
            2,
        )


@tagged("post_install", "-at_install")
class TestEngineDefectsFoundByTheStateMachine(SmsCommon):
    def test_two_sms_to_one_number_never_share_a_provider_id_after_a_crash(self):
        """Found by the random state machine (1,000 examples): two SMS to one number in
        a crashed batch both got the same provider id at reconciliation."""
        first, second = self.queue(2)
        claimed, sendable, tag = self.Dispatcher._claim_and_charge(self.company, 50)
        self.assertEqual(len(sendable), 1, "one SMS per number in a dispatch")
        self.simulator._get_provider().send(
            [OutgoingSms(str(s.id), s.number, s.body) for s in sendable], tag=tag
        )
        (first | second).filtered(lambda s: s.state == "processing").sudo().write(
            {"claimed_at": fields.Datetime.now() - timedelta(hours=1)}
        )
        for _round in range(3):
            self.Dispatcher._cron_dispatch()
        self.assertEqual(set((first | second).mapped("state")), {"processing"})
        self.assertEqual(len(set((first | second).mapped("provider_id"))), 2)
        stored = self.env["participant.sms.simulator.message"].search(
            [("ref", "in", [str(first.id), str(second.id)])]
        )
        self.assertEqual(
            {(row.ref, row.provider_id) for row in stored},
            {(str(s.id), s.provider_id) for s in first | second},
        )

    def test_a_reminder_switched_back_on_is_rendered_for_the_current_date(self):
        """Found by the random state machine: archived, moved while archived, unarchived
        and ticked again, the reminder carried the text written for the old time."""
        self.env["participant.sms.automation"].create(
            {
                "name": "Auto",
                "user_ids": [(6, 0, self.user_admin_sms.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "days": 1,
                "template_id": self.env.ref(
                    "participant_sms.sms_template_appointment"
                ).id,
            }
        )
        start = (fields.Datetime.now() + timedelta(days=5)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        event = self.env["calendar.event"].create(
            {
                "name": "RDV",
                "participant_id": self.participant.id,
                "start": start,
                "stop": start + timedelta(hours=1),
                "participant_collaborator_id": self.user_admin_sms.id,
                "participant_appointment_type_id": self.type_individual.id,
            }
        )
        self.assertTrue(event.sms_reminder, [m.body for m in event.message_ids])
        event.active = False
        event.write(
            {"start": start + timedelta(hours=2), "stop": start + timedelta(hours=3)}
        )
        event.active = True
        event.write({"sms_reminder": True, "sms_reminder_days": "1"})
        self.assertEqual(
            event.sms_reminder_sms_id.body,
            event._psms_render(event.sms_reminder_template_id),
        )
        window = self.company._psms_window()
        self.assertIn(
            window.to_local(event.start).strftime("%H:%M"),
            event.sms_reminder_sms_id.body,
        )
