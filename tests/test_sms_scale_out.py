# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading
from datetime import timedelta

from odoo import api, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from ..models.ir_cron import PARALLEL_PARAM
from ..models.participant_sms_dispatcher import TAG_LOCK_CLASS
from ..tools.providers.throttle import allowed_in_window, max_in_window
from .common_sms import SmsCommon, create_ovh_account
from .fakes.fake_providers import FakeOvh

_logger = logging.getLogger(__name__)
DISPATCH = "participant_sms.ir_cron_sms_dispatch"
POLL = "participant_sms.ir_cron_sms_poll_statuses"
#: how late a request may reach the provider after its slot (scheduling of a loaded
#: machine)
JITTER = 0.1


@tagged("post_install", "-at_install")
class TestParallelDispatchers(SmsCommon):
    """The setting *Parallel dispatchers* (N) keeps N - 1 active copies of the dispatch
    and status-poll crons, places 1 to N - 1 (the original, its xml id unchanged, is
    place 0); copies are reused, never duplicated, and archived when N shrinks."""

    def _set(self, count):
        settings = self.env["res.config.settings"].create(
            {"psms_parallel_dispatchers": count}
        )
        settings.execute()

    def _copies(self, xmlid, active_test=True):
        return (
            self.env["ir.cron"]
            .with_context(active_test=active_test)
            .search([("psms_parallel_of", "=", self.env.ref(xmlid).id)])
        )

    def test_copies_follow_the_setting(self):
        self.assertFalse(self._copies(DISPATCH), "one dispatcher by default")
        self._set(3)
        for xmlid in (DISPATCH, POLL):
            copies = self._copies(xmlid)
            original = self.env.ref(xmlid)
            self.assertEqual(sorted(copies.mapped("psms_parallel_index")), [1, 2])
            self.assertEqual(set(copies.mapped("code")), {original.code})
            self.assertEqual(set(copies.mapped("interval_type")), {"minutes"})
        first = self._copies(DISPATCH)
        self._set(2)
        self.assertEqual(self._copies(DISPATCH).psms_parallel_index, 1)
        self._set(3)
        self.assertEqual(self._copies(DISPATCH), first, "archived copies come back")
        self.assertEqual(len(self._copies(DISPATCH, active_test=False)), 2)
        self._set(1)
        self.assertFalse(self._copies(DISPATCH) | self._copies(POLL))
        self.assertTrue(self.env.ref(DISPATCH).active, "the original always runs")

    def test_copies_follow_their_original(self):
        """Whatever is written on the original (its form, an upgrade reloading the
        module's data), its copies run its code on its schedule, active when it is."""
        self._set(3)
        original = self.env.ref(DISPATCH)
        code = original.code.replace("auto_commit=True", "auto_commit=True ")
        edits = [
            {"code": code},
            {"interval_number": 7, "interval_type": "hours"},
            {"active": False},
            {"active": True, "interval_type": "minutes"},
        ]
        for edit in edits:
            original.write(edit)
            for copy in self._copies(DISPATCH, active_test=False):
                for field in ("code", "interval_number", "interval_type", "active"):
                    self.assertEqual(copy[field], original[field], (edit, field))
        self.assertEqual(len(self._copies(DISPATCH)), 2)
        poll = self._copies(POLL)
        self.env.ref(POLL).write({"name": "Renamed"})  # not synced: the copies stay
        self.assertEqual(self._copies(POLL), poll)
        self.assertNotEqual(set(poll.mapped("code")), {original.code})

    def test_place_of_the_running_cron(self):
        Cron = self.env["ir.cron"]
        self._set(2)
        copy = self._copies(POLL)
        self.assertEqual(Cron._psms_parallel_place(), (0, 1), "outside a cron: alone")
        self.assertEqual(
            Cron.with_context(cron_id=self.env.ref(POLL).id)._psms_parallel_place(),
            (0, 2),
        )
        self.assertEqual(
            Cron.with_context(cron_id=copy.id)._psms_parallel_place(), (1, 2)
        )
        self.env.ref(POLL).active = False  # archiving the original stops its copies
        self.assertIsNone(Cron.with_context(cron_id=copy.id)._psms_parallel_place())
        self.env.ref(POLL).active = True
        self._set(1)  # a copy still running when the setting went back to 1
        self.assertIsNone(Cron.with_context(cron_id=copy.id)._psms_parallel_place())

    def test_only_sms_admins_set_it(self):
        user = self.env["res.users"].create(
            {
                "name": "Settings admin, no SMS admin",
                "login": "psms_parallel_sysadmin",
                "groups_id": [(6, 0, [self.env.ref("base.group_system").id])],
            }
        )
        settings = self.env["res.config.settings"].with_user(user)
        settings.create({}).execute()  # saving the other settings works
        with self.assertRaises(AccessError):
            settings.create({"psms_parallel_dispatchers": 4}).execute()
        self.assertFalse(self._copies(DISPATCH))
        self.assertEqual(self.env["ir.cron"]._psms_parallel_count(), 1)


@tagged("post_install", "-at_install")
class TestRateLimitAcrossServers(TransactionCase):
    """Three dispatchers and two status pollers, each on its own database connection
    as on three Odoo servers, through one OVH account limited to RATE requests per
    second, against a local fake OVH that records when each request arrived.

    Invariants: no SMS is sent twice (each number reaches the provider once, each SMS
    has its own provider id); each SMS is polled by one poller only (id modulo N);
    over any one-second window the provider receives at most the slots of a window of
    1 + JITTER s (a request reaches the provider up to JITTER s after its slot, never
    before; the slots themselves are 1/RATE s apart: tools/tests/test_throttle.py)."""

    RATE = 5
    COUNT = 20

    def test_rate_limit_and_no_duplicate_across_servers(self):
        registry = self.registry
        with FakeOvh() as ovh:
            with registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                company = env.company
                saved = {
                    name: company[name]
                    for name in (
                        "psms_window_start",
                        "psms_window_end",
                        "psms_quiet_days",
                    )
                }
                saved["psms_account_id"] = company.psms_account_id.id
                account = create_ovh_account(env, ovh, rate_limit=self.RATE)
                # whatever the time and day the test runs
                company.write(
                    {
                        "psms_account_id": account.id,
                        "psms_window_start": 0.0,
                        "psms_window_end": 24.0,
                        "psms_quiet_days": False,
                    }
                )
                package = env["participant.sms.package"].create(
                    {"name": "Rate", "quantity": 1000, "purchase_date": "2000-01-01"}
                )
                env["ir.config_parameter"].set_param(PARALLEL_PARAM, "3")
                env["ir.cron"]._psms_sync_parallel()
                numbers = [f"+3361{i:07d}" for i in range(self.COUNT)]
                planned = fields.Datetime.now() - timedelta(minutes=1)
                messages = env["participant.sms"]._queue(
                    [
                        {
                            "origin": "free",
                            "context_type": "free",
                            "number": number,
                            # one text each: one OVH job (one request) each
                            "body": f"Rate limit test {index}",
                            "planned_at": planned,
                        }
                        for index, number in enumerate(numbers)
                    ]
                )
                ids = messages.ids
                env.flush_all()
                crons = {
                    xmlid: [env.ref(xmlid).id]
                    + env["ir.cron"]._psms_parallel_copies(xmlid).ids
                    for xmlid in (DISPATCH, POLL)
                }
                state = (company.id, saved, account.id, package.id, ids)
            self.addCleanup(self._cleanup, *state)
            self.assertEqual(len(crons[DISPATCH]), 3)

            self._run_as_servers(
                crons[DISPATCH],
                lambda env: env["participant.sms.dispatcher"]._cron_dispatch(
                    batch_size=4, auto_commit=True
                ),
            )
            sent_at_provider = [
                receiver for job in ovh.jobs for receiver in job["receivers"]
            ]
            self.assertEqual(sorted(sent_at_provider), numbers, "each SMS sent once")

            ovh.requests.clear()
            self._run_as_servers(
                crons[POLL][:2],
                lambda env: env["participant.sms.dispatcher"]._cron_poll_statuses(
                    limit=4, auto_commit=True
                ),
                param="2",
            )
            polled = [
                path.rsplit("/", 1)[1]
                for method, path, _headers, _body in ovh.requests
                if method == "GET" and "/outgoing/" in path
            ]
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT provider_id, state, id FROM participant_sms WHERE id IN %s",
                    [tuple(ids)],
                )
                rows = cr.fetchall()
            provider_ids = [provider_id for provider_id, _state, _id in rows]
            missing = [(i, p, st) for p, st, i in rows if p not in polled]
            self.assertEqual(len(set(provider_ids)), self.COUNT)
            self.assertEqual(
                sorted(polled),
                sorted(provider_ids),
                f"each polled once (not polled: {missing})",
            )
            self.assertEqual({state for _id, state, _sms in rows}, {"sent"})

            busiest = max_in_window(ovh.request_times)
            _logger.info(
                "rate limit %s/s: %s requests, at most %s in one second",
                self.RATE,
                len(ovh.request_times),
                busiest,
            )
            # a request reaches the fake at most JITTER s after its slot: the requests
            # of a one-second window had their slots in a window of 1 + JITTER s
            self.assertLessEqual(busiest, allowed_in_window(self.RATE, 1.0 + JITTER))
            span = ovh.request_times[-1] - ovh.request_times[0]
            self.assertGreaterEqual(
                span, (len(ovh.request_times) - 1) / self.RATE * 0.5, "throttled"
            )

    def _run_as_servers(self, cron_ids, run, param=None):
        """``run(env)`` in one thread per cron, each with its own connection and the
        context Odoo's cron runner gives (``cron_id``)."""
        registry = self.registry
        if param:
            with registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                env["ir.config_parameter"].set_param(PARALLEL_PARAM, param)
                env.flush_all()
        # environments are built here: Registry() takes a lock the test runner holds
        cursors = [registry.cursor() for _id in cron_ids]
        envs = [
            api.Environment(cr, api.SUPERUSER_ID, {"cron_id": cron_id})
            for cr, cron_id in zip(cursors, cron_ids, strict=True)
        ]
        errors = []

        def worker(env):
            try:
                run(env)
                env.cr.commit()
            except Exception as error:  # noqa: BLE001 (reported by the test)
                errors.append(error)
                env.cr.rollback()

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
        self.assertFalse(errors)

    def _cleanup(self, company_id, saved, account_id, package_id, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param(PARALLEL_PARAM, "1")
            env["ir.cron"].with_context(active_test=False).search(
                [("psms_parallel_of", "!=", False)]
            ).unlink()
            env["res.company"].browse(company_id).write(saved)
            cr.execute("DELETE FROM participant_sms WHERE id IN %s", [tuple(ids)])
            cr.execute(
                "DELETE FROM participant_sms_package WHERE id = %s", [package_id]
            )
            cr.execute(
                "DELETE FROM participant_sms_rate_slot WHERE account_id = %s",
                [account_id],
            )
            env["participant.sms.account"].browse(account_id).unlink()
            env.flush_all()


@tagged("post_install", "-at_install")
class TestReconcileSkipsBatchesBeingSent(TransactionCase):
    """Invariant I2 across parallel dispatchers: a claim older than the stale delay
    whose dispatcher still holds its dispatch tag's lock (a slow provider, a rate
    limit: still sending) is left alone by the reconciliation, so that another place
    never sends it again; once that dispatcher is gone (its connection, and the lock
    with it), the claim is reconciled (real connections, real advisory locks)."""

    def test_a_batch_being_sent_is_not_reconciled(self):
        tag = "a-batch-being-sent"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            sms = env["participant.sms"].create(
                {
                    "company_id": env.ref("base.main_company").id,
                    "account_id": env.ref("participant_sms.sms_account_simulator").id,
                    "number": "+33612340099",
                    "body": "Information : salon de l'emploi jeudi.",
                    "origin": "free",
                    "context_type": "free",
                    "state": "processing",
                    "provider_tag": tag,
                    "claimed_at": fields.Datetime.now() - timedelta(hours=1),
                }
            )
            sms_id = sms.id
        self.addCleanup(self._delete, sms_id)
        sender = self.registry.cursor()  # the dispatcher still sending the batch
        try:
            sender.execute(
                "SELECT pg_advisory_lock(%s, hashtext(%s))", [TAG_LOCK_CLASS, tag]
            )
            self._reconcile()
            self.assertEqual(self._state(sms_id), "processing", "left to its sender")
            sender.execute("SELECT pg_advisory_unlock_all()")
        finally:
            sender.close()
        self._reconcile()
        self.assertNotEqual(self._state(sms_id), "processing", "reconciled")

    def _reconcile(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["participant.sms.dispatcher"]._reconcile_stale_claims(auto_commit=True)

    def _state(self, sms_id):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state FROM participant_sms WHERE id = %s", [sms_id])
            return cr.fetchone()[0]

    def _delete(self, sms_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM participant_sms WHERE id = %s", [sms_id])
