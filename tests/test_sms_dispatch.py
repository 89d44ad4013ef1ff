# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
from datetime import timedelta

from odoo import api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from ..models.participant_sms_statuses import POLLED_STATES
from ..tools.providers import OutgoingSms
from .common_sms import SmsCommon


@tagged("post_install", "-at_install")
class TestSmsDispatch(SmsCommon):
    def test_dispatch_in_batches(self):
        numbers = [f"+336123456{i:02d}" for i in range(10, 17)]
        messages = self.queue_numbers(numbers)
        self.Dispatcher._cron_dispatch(batch_size=3)
        self.assertEqual(set(messages.mapped("state")), {"processing"})
        self.assertTrue(all(messages.mapped("provider_id")))
        self.assertEqual(len(set(messages.mapped("provider_tag"))), 3, "three batches")
        self.assertEqual(messages.mapped("attempts"), [1] * 7)
        self.assertTrue(all(messages.mapped("sent_at")))

    def test_dispatch_reports_its_progress(self):
        """The run reports to its cron what it sent and what is left
        (``ir.cron._notify_progress``): done and left add up to the due queue
        counted at its start (one count per run, not one per batch)."""
        self.queue(planned_at=fields.Datetime.now() + timedelta(hours=2))  # not due
        messages = self.queue_numbers([f"+336123457{i:02d}" for i in range(10, 17)])
        due = self.Dispatcher._due_count()
        self.assertGreaterEqual(due, 7)
        sent, calls = self.cron_progress(
            "participant_sms.ir_cron_sms_dispatch",
            lambda dispatcher: dispatcher._cron_dispatch(batch_size=3),
        )
        self.assertEqual(set(messages.mapped("state")), {"processing"})
        self.assertGreaterEqual(sent, 7)
        # after each batch; at the end, nothing left for an immediate run
        self.assertEqual(calls[-1], (sent, 0))
        steps = [0] + [done for done, _left in calls[:-1]]
        self.assertEqual(steps[-1], sent)
        batches = [b - a for a, b in zip(steps, steps[1:], strict=False)]
        self.assertTrue(all(0 < size <= 3 for size in batches), batches)
        self.assertTrue(all(done + left == due for done, left in calls[:-1]))

    def test_status_poll_reports_its_progress(self):
        """The poll tells its cron the SMS it went through of those counted at its
        start, batch by batch; the expiry of the same run adds what it expired; at
        the end, nothing is left for an immediate run."""
        messages = self.queue_numbers([f"+336123457{i:02d}" for i in range(30, 35)])
        unreachable = self.queue_numbers(["+33612345601"])
        self.Dispatcher._cron_dispatch()
        Sms = self.env["participant.sms"]
        polled = [("state", "in", POLLED_STATES), ("provider_id", "!=", False)]
        total = Sms.search_count(polled)
        self.assertGreaterEqual(total, 6)
        _none, calls = self.cron_progress(
            "participant_sms.ir_cron_sms_poll_statuses",
            lambda dispatcher: dispatcher._cron_poll_statuses(limit=2),
        )
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        steps = [0] + [done for done, _left in calls]
        batches = [b - a for a, b in zip(steps, steps[1:], strict=False)]
        self.assertTrue(all(0 <= size <= 2 for size in batches), batches)
        self.assertEqual(calls[-1], (total, 0))
        self.assertTrue(all(done + left == total for done, left in calls))
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(unreachable.state, "not_received")
        unreachable.sudo().status_at = fields.Datetime.now() - timedelta(hours=49)
        total = Sms.search_count(polled)
        _none, calls = self.cron_progress(
            "participant_sms.ir_cron_sms_poll_statuses",
            lambda dispatcher: dispatcher._cron_poll_statuses(),
        )
        self.assertEqual(unreachable.state, "expired")
        self.assertEqual(calls[-1], (total + 1, 0), "the poll's, then the expiry's")

    def test_not_due_and_outside_window_wait(self):
        later = self.queue(planned_at=fields.Datetime.now() + timedelta(hours=2))
        self.Dispatcher._cron_dispatch()
        self.assertEqual(later.state, "queued")
        # a window that excludes now: nothing goes
        due = self.queue()
        now_local = self.company._psms_window().to_local(fields.Datetime.now())
        start = (now_local.hour + 2) % 24
        self.company.write(
            {"psms_window_start": min(start, 21), "psms_window_end": min(start, 21) + 1}
        )
        if not self.company._psms_window().contains(fields.Datetime.now()):
            self.Dispatcher._cron_dispatch()
            self.assertEqual(due.state, "queued")

    def test_credit_per_segment(self):
        one = self.queue(body="a" * 100)
        two = self.queue(body="a" * 200)
        self.Dispatcher._cron_dispatch()
        self.assertEqual((one.credits, two.credits), (1, 2))
        self.assertEqual(self.package.consumed, 3)
        self.assertEqual(self.package.remaining, 97)
        self.assertEqual(two.package_id, self.package)

    def test_credit_taken_from_oldest_package_first(self):
        self.package.purchase_date = fields.Date.today() - timedelta(days=10)
        newer = self.env["participant.sms.package"].create(
            {"name": "Newer", "quantity": 10}
        )
        self.queue()
        self.Dispatcher._cron_dispatch()
        self.assertEqual((self.package.consumed, newer.consumed), (1, 0))

    def test_exhausted_credit_waits_then_not_sent(self):
        self.package.write({"quantity": 1})
        first, second = self.queue(2)
        self.Dispatcher._cron_dispatch()
        self.assertEqual(first.state, "processing")
        self.assertEqual(second.state, "queued")
        self.assertIn("credit", second.last_error)
        self.assertEqual(second.credits, 0)
        # a new package arrives before the deadline: it goes
        self.env["participant.sms.package"].create({"name": "Top-up", "quantity": 5})
        second.sudo().next_attempt_at = False
        self.Dispatcher._cron_dispatch()
        self.assertEqual(second.state, "processing")
        # no credit and the deadline passes: Not sent, with the reason
        self.package.quantity = 1
        third = self.queue(deadline=fields.Datetime.now() + timedelta(minutes=5))
        self.env["participant.sms.package"].search([]).write({"quantity": 1})
        self.env["participant.sms.package"].search([]).filtered(
            lambda p: p.consumed == 0
        ).unlink()
        self.Dispatcher._cron_dispatch()
        self.assertEqual(third.state, "queued")
        third.sudo().write(
            {
                "deadline": fields.Datetime.now() - timedelta(minutes=1),
                "next_attempt_at": False,
            }
        )
        self.Dispatcher._cron_dispatch()
        self.assertEqual(third.state, "not_sent")
        self.assertIn("No SMS credit left", third.last_error)

    def test_stop_list_and_refused_sms(self):
        self.env["phone.blacklist"].sudo()._add(["+33612345678"])
        stopped = self.queue()
        self.participant_2.write({"mobile": "+33 6 99 88 77 66", "accepts_sms": False})
        refused = self.queue(partner_id=self.participant_2.id)
        self.Dispatcher._cron_dispatch()
        for sms in stopped | refused:
            self.assertEqual(sms.state, "stop")
            self.assertFalse(sms.provider_id)
            self.assertEqual(sms.credits, 0)
        self.assertEqual(self.package.consumed, 0)
        self.assertIn("STOP", stopped.last_error)

    def test_status_poll_and_chatter(self):
        delivered = self.queue()
        failed = self.queue_numbers(["+33612345600"])
        unreachable = self.queue_numbers(["+33612345601"])
        self.Dispatcher._cron_dispatch()
        self.assertIn("SMS sent to", self.event.message_ids[0].body)
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(
            (delivered | failed | unreachable).mapped("state"), ["sent"] * 3
        )
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(delivered.state, "delivered")
        self.assertEqual(failed.state, "failed")
        self.assertEqual(unreachable.state, "not_received")
        self.assertIn("Delivered", self.event.message_ids[0].body)
        # polling again changes nothing
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(delivered.state, "delivered")

    def test_expiry_after_48_hours(self):
        sms = self.queue_numbers(["+33612345601"])
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_poll_statuses()
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(sms.state, "not_received")
        self.Dispatcher._cron_expire()
        self.assertEqual(sms.state, "not_received")
        sms.sudo().status_at = fields.Datetime.now() - timedelta(hours=49)
        self.Dispatcher._cron_expire()
        self.assertEqual(sms.state, "expired")

    def test_backlogs_worked_through_in_bounded_batches(self):
        """A poll or an expiry backlog larger than a batch is worked through batch by
        batch (bounded memory, a commit per batch in cron mode), every SMS once."""
        numbers = [f"+336123456{index:02d}" for index in range(10, 17)]
        messages = self.queue_numbers(numbers)
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_poll_statuses(limit=3)
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.Dispatcher._cron_poll_statuses(limit=3)
        self.assertEqual(set(messages.mapped("state")), {"delivered"})
        unreachable = self.queue_numbers(
            [f"+3361234560{index}" for index in (1, 1, 1, 1, 1, 1, 1)]
        )
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_dispatch()  # one SMS per number and dispatch
        for _run in range(len(unreachable)):
            self.Dispatcher._cron_dispatch()
            self.Dispatcher._cron_poll_statuses(limit=3)
            self.Dispatcher._cron_poll_statuses(limit=3)
        self.assertEqual(set(unreachable.mapped("state")), {"not_received"})
        unreachable.sudo().status_at = fields.Datetime.now() - timedelta(hours=49)
        self.assertEqual(self.Dispatcher._cron_expire(batch_size=3), 7)
        self.assertEqual(set(unreachable.mapped("state")), {"expired"})
        self.assertEqual(self.Dispatcher._cron_expire(batch_size=3), 0)

    def test_operator_stop_blacklists_the_number(self):
        sms = self.queue_numbers(["+33612345603"])
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_poll_statuses()
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(sms.state, "stop")
        self.assertTrue(
            self.env["phone.blacklist"].sudo().search([("number", "=", sms.number)])
        )

    def test_refused_at_send_is_failed_and_refunded(self):
        sms = self.queue_numbers(["+33612345698"])
        self.Dispatcher._cron_dispatch()
        self.assertEqual(sms.state, "failed")
        self.assertEqual(sms.credits, 0)
        self.assertEqual(self.package.consumed, 0)

    def test_reconciliation_after_interrupted_batch(self):
        """A dispatcher claimed 2 SMS, the provider got one, then the worker died."""
        sent, lost = self.queue_numbers(["+33612345611", "+33612345612"])
        tag = "interrupted-batch-1"
        claimed_at = fields.Datetime.now() - timedelta(minutes=30)
        (sent | lost).sudo().write(
            {
                "state": "processing",
                "provider_tag": tag,
                "claimed_at": claimed_at,
                "attempts": 1,
                "credits": 1,
                "package_id": self.package.id,
            }
        )
        self.package.consumed = 2
        self.simulator._get_provider().send(
            [OutgoingSms(ref=str(sent.id), number=sent.number, body=sent.body)], tag=tag
        )
        self.Dispatcher._reconcile_stale_claims()
        self.assertEqual(sent.state, "processing")
        self.assertTrue(sent.provider_id.startswith("sim-"))
        self.assertEqual(sent.sent_at, claimed_at)
        self.assertEqual(lost.state, "queued", "the provider never got it: sent again")
        self.assertEqual(self.package.consumed, 1)
        self.Dispatcher._cron_dispatch()
        self.assertEqual(lost.state, "processing")
        self.assertEqual(lost.attempts, 2)
        self.assertEqual(
            self.simulator._get_provider().lookup(tag, [sent.number, lost.number]),
            {sent.number: sent.provider_id},
        )

    def test_manual_dispatch_requires_admin(self):
        self.queue()
        with self.assertRaises(AccessError):
            self.Sms.with_user(self.user_participant).action_dispatch_now()
        self.Sms.with_user(self.user_admin_sms).action_dispatch_now()

    def test_commits_are_decided_at_the_crons_entry(self):
        """Invariant: the SMS crons commit only because their code asks for it
        (``auto_commit=True``, as Odoo's ``mail`` does); their methods never commit by
        default, whatever the test runner (Odoo's or pytest-odoo): this test transaction
        forbids commits, and every cron method runs in it."""
        crons = self.env["ir.cron"].search(
            [("ir_actions_server_id.model_id.model", "like", "participant.sms%")]
        )
        self.assertEqual(len(crons), 7)
        for cron in crons:
            with self.subTest(cron=cron.name):
                method = cron.code.split("(")[0].removeprefix("model.")
                # one statement each (simulator's old rows, daily counts): no batch
                if method in ("_cron_forget", "_cron_compact"):
                    self.assertEqual(cron.code, f"model.{method}()")
                else:
                    self.assertEqual(cron.code, f"model.{method}(auto_commit=True)")
                getattr(self.env[cron.model_id.model], method)()

    def test_buttons_trigger_the_crons(self):
        """The buttons commit nothing themselves: they trigger the crons."""
        sms = self.queue()
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([])
        self.Sms.with_user(self.user_admin_sms).action_dispatch_now()
        sms.with_user(self.user_admin_sms).action_update_statuses()
        triggered = Trigger.search([], order="id desc", limit=2).cron_id
        self.assertEqual(Trigger.search_count([]), before + 2)
        self.assertEqual(
            triggered,
            self.env.ref("participant_sms.ir_cron_sms_dispatch")
            | self.env.ref("participant_sms.ir_cron_sms_poll_statuses"),
        )
        self.assertEqual(sms.state, "queued")
        for user in (self.user_participant, self.user_instant):
            with self.assertRaises(AccessError):
                sms.with_user(user).action_update_statuses()
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(sms.state, "sent")

    def test_send_test_sms_from_settings(self):
        settings = (
            self.env["res.config.settings"]
            .with_user(self.env.ref("base.user_admin"))
            .create({"psms_test_number": "06 12 34 56 78"})
        )
        settings.action_psms_send_test()
        sms = self.Sms.search([("origin", "=", "test")], limit=1)
        self.assertEqual(sms.state, "queued")
        self.Dispatcher._cron_dispatch()
        self.assertEqual(sms.state, "processing")
        self.assertEqual(sms.number, "+33612345678")
        settings.psms_test_number = False
        with self.assertRaises(UserError):
            settings.action_psms_send_test()


@tagged("post_install", "-at_install")
class TestConcurrentDispatch(TransactionCase):
    """Two dispatchers on two real database connections: no SMS is sent twice. The data
    is committed by a third connection (the test transaction would not be seen) and
    removed at the end."""

    def test_two_workers_no_duplicate(self):
        registry = self.registry
        # no 96/97 (the simulator's lost answer and failure): every SMS is settled in
        # the run
        numbers = [
            f"+3361{i:07d}" for i in range(300) if f"{i:02d}"[-2:] not in ("96", "97")
        ]
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            package = env["participant.sms.package"].create(
                {"name": "Concurrency", "quantity": 1000, "purchase_date": "2000-01-01"}
            )
            planned = fields.Datetime.now() - timedelta(minutes=1)
            messages = env["participant.sms"]._queue(
                [
                    {
                        "origin": "free",
                        "context_type": "free",
                        "number": number,
                        "body": "Concurrency test",
                        "planned_at": planned,
                        "batch_ref": "CONCURRENCY",
                    }
                    for number in numbers
                ]
            )
            ids, package_id, company_id = messages.ids, package.id, env.company.id
        self.addCleanup(self._cleanup, ids, package_id)

        # environments are built here: Registry() takes a lock the test runner holds
        cursors = [registry.cursor() for _i in range(2)]
        envs = [api.Environment(cr, api.SUPERUSER_ID, {}) for cr in cursors]

        def worker(env):
            company = env["res.company"].browse(company_id)
            while env["participant.sms.dispatcher"]._dispatch_batch(
                company, 25, auto_commit=True
            ):
                pass
            env.cr.commit()

        threads = [threading.Thread(target=worker, args=(env,)) for env in envs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        alive = any(thread.is_alive() for thread in threads)
        if not alive:
            for cr in cursors:
                cr.close()
        self.assertFalse(alive, "the dispatchers did not finish")
        # the simulator refuses numbers ending in 98: failed at once and refunded
        refused = {number for number in numbers if number.endswith("98")}
        accepted = len(numbers) - len(refused)
        with registry.cursor() as cr:
            cr.execute(
                """SELECT m.number, m.tag FROM participant_sms_simulator_message m
                           WHERE m.tag IN (SELECT provider_tag FROM participant_sms
                                            WHERE id IN %s)""",
                [tuple(ids)],
            )
            rows = cr.fetchall()
            sent_numbers = [number for number, _tag in rows]
            self.assertEqual(
                len(sent_numbers), len(set(sent_numbers)), "an SMS was sent twice"
            )
            self.assertEqual(set(sent_numbers), set(numbers) - refused)
            self.assertEqual(
                len({tag for _n, tag in rows}), -(-len(numbers) // 25), "batches of 25"
            )
            cr.execute(
                "SELECT state, count(*) FROM participant_sms WHERE id IN %s GROUP BY "
                "state",
                [tuple(ids)],
            )
            self.assertEqual(
                dict(cr.fetchall()), {"processing": accepted, "failed": len(refused)}
            )
            cr.execute(
                "SELECT count(DISTINCT provider_id) FROM participant_sms WHERE id IN "
                "%s",
                [tuple(ids)],
            )
            self.assertEqual(cr.fetchone()[0], accepted)
            cr.execute(
                "SELECT consumed FROM participant_sms_package WHERE id = %s",
                [package_id],
            )
            self.assertEqual(cr.fetchone()[0], accepted, "each SMS sent charged once")

    def _cleanup(self, ids, package_id):
        with self.registry.cursor() as cr:
            cr.execute(
                """DELETE FROM participant_sms_simulator_message WHERE tag IN
                          (SELECT provider_tag FROM participant_sms WHERE id IN %s)""",
                [tuple(ids)],
            )
            cr.execute("DELETE FROM participant_sms WHERE id IN %s", [tuple(ids)])
            cr.execute(
                "DELETE FROM participant_sms_package WHERE id = %s", [package_id]
            )


@tagged("post_install", "-at_install")
class TestOptionalPackages(SmsCommon):
    """Packages are a budget unless enforced: a fresh install without any sends all the
    same."""

    def test_without_enforcement_a_missing_package_blocks_nothing(self):
        self.company.psms_enforce_packages = False
        self.env["participant.sms.package"].search([]).unlink()
        sms = self.queue()
        self.Dispatcher._cron_dispatch()
        self.assertEqual((sms.state, sms.credits), ("processing", 0))

    def test_without_enforcement_packages_are_still_counted_down(self):
        self.company.psms_enforce_packages = False
        self.package.quantity = 1
        first, second = self.queue(2)
        self.Dispatcher._cron_dispatch()
        self.assertEqual((first.state, second.state), ("processing", "processing"))
        self.assertEqual(
            (first.credits, second.credits, self.package.consumed), (1, 0, 1)
        )

    def test_enforced_packages_hold_what_does_not_fit(self):
        self.package.quantity = 1
        sms = self.queue(body="a" * 200)  # two SMS: does not fit in one credit
        self.Dispatcher._cron_dispatch()
        self.assertEqual(sms.state, "queued")
        self.assertIn("credit", sms.last_error)
