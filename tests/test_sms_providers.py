# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_sms import SmsCommon, create_octopush_account, create_ovh_account
from .fakes.fake_providers import FakeOctopush, FakeOvh

MUTE = (
    "odoo.addons.participant_sms.models.participant_sms_dispatcher",
    "odoo.addons.participant_sms.models.participant_sms_statuses",
    "odoo.addons.participant_sms.models.participant_sms_reconciliation",
    "odoo.addons.participant_sms.models.participant_sms_account",
)


@tagged("post_install", "-at_install")
class TestSmsProviderAccounts(SmsCommon):
    """Each adapter, through the whole Odoo dispatch, against a local server speaking
    its protocol (success, 4xx, 5xx, timeout)."""

    def _ovh_account(self, server, **values):
        account = create_ovh_account(self.env, server, **values)
        self.company.psms_account_id = account
        return account

    def _octopush_account(self, server, **values):
        account = create_octopush_account(self.env, server, **values)
        self.company.psms_account_id = account
        return account

    def test_ovh_success_and_statuses(self):
        with FakeOvh() as server:
            account = self._ovh_account(server)
            messages = self.queue(2) | self.queue_numbers(["+33612345698"])
            self.assertEqual(messages.account_id, account)
            self.Dispatcher._cron_dispatch()
            ok = messages[:2]
            self.assertEqual(ok.mapped("state"), ["processing"] * 2)
            self.assertEqual(messages[2].state, "failed", "OVH invalid receiver")
            # same number twice: two jobs; the free SMS has another text: a third
            self.assertEqual(len(server.jobs), 3)
            self.assertEqual(server.jobs[0]["sender"], "INSERTION")
            self.assertEqual(server.jobs[0]["tag"], ok[0].provider_tag)
            self.Dispatcher._cron_poll_statuses()
            self.assertEqual(ok.mapped("state"), ["sent"] * 2)
            server.outgoing[ok[0].provider_id]["deliveryReceipt"] = 1
            server.outgoing[ok[1].provider_id]["deliveryReceipt"] = 4
            self.Dispatcher._cron_poll_statuses()
            self.assertEqual(ok.mapped("state"), ["delivered", "not_received"])
            self.assertEqual(self.package.consumed, 2)

    def test_status_poll_run_reuses_its_connection(self):
        """A status poll run asks through one HTTP session per account: every
        request of its batches (OVH: one per SMS) and the credit's reading over one
        connection, closed at the end of the run; the dispatch run likewise."""
        with FakeOvh() as server:
            self._ovh_account(server)
            messages = self.queue_numbers([f"+336123457{i:02d}" for i in range(20, 25)])
            self.Dispatcher._cron_dispatch()
            self.assertEqual(set(messages.mapped("state")), {"processing"})
            self.assertEqual(set(server.peers), {1}, "the dispatch run: connection 1")
            sent = len(server.peers)
            self.Dispatcher._cron_poll_statuses(limit=2)  # three batches
            self.assertEqual(set(messages.mapped("state")), {"sent"})
            polled = server.peers[sent:]
            self.assertGreaterEqual(len(polled), 5 + 1, "an SMS each, and the credit")
            self.assertEqual(set(polled), {2}, "one new connection for the run")
            self.Dispatcher._cron_poll_statuses(limit=2)
            self.assertEqual(set(server.peers[sent + len(polled) :]), {3})

    @mute_logger(*MUTE)
    def test_status_poll_with_a_provider_down_leaves_nothing_for_now(self):
        """A provider that fails during the poll leaves its SMS for the next run:
        the others are polled, and the run tells its cron nothing is left for an
        immediate run (Odoo would run it again at once, up to ten times, and ask
        the failing provider each time)."""
        with FakeOvh() as server:
            self._ovh_account(server)
            at_ovh = self.queue_numbers(["+33612345740"])
            self.company.psms_account_id = False  # the simulator
            at_simulator = self.queue_numbers(["+33612345741", "+33612345742"])
            self.Dispatcher._cron_dispatch()
            self.assertEqual(
                set((at_ovh | at_simulator).mapped("state")), {"processing"}
            )
            server.mode = "server"
            _none, calls = self.cron_progress(
                "participant_sms.ir_cron_sms_poll_statuses",
                lambda dispatcher: dispatcher._cron_poll_statuses(),
            )
            self.assertEqual(at_ovh.state, "processing", "asked again next run")
            self.assertEqual(set(at_simulator.mapped("state")), {"sent"})
            done, remaining = calls[-1]
            self.assertGreaterEqual(done, 2)
            self.assertEqual(remaining, 0)

    @mute_logger(*MUTE)
    def test_ovh_server_error_keeps_messages_queued(self):
        with FakeOvh() as server:
            self._ovh_account(server)
            server.mode = "server"
            sms = self.queue()
            self.Dispatcher._cron_dispatch()
            self.assertEqual(sms.state, "queued")
            self.assertIn("unreachable", sms.last_error)
            self.assertEqual((sms.attempts, sms.credits), (1, 0))
            self.assertEqual(self.package.consumed, 0)
            self.assertTrue(sms.next_attempt_at)
            # the provider is back: it goes
            server.mode = "ok"
            sms.sudo().next_attempt_at = False
            self.Dispatcher._cron_dispatch()
            self.assertEqual(sms.state, "processing")
            self.assertFalse(sms.last_error)

    @mute_logger(*MUTE)
    def test_ovh_wrong_credentials(self):
        with FakeOvh() as server:
            self._ovh_account(server, ovh_application_secret="wrong-secret")
            sms = self.queue()
            self.Dispatcher._cron_dispatch()
            self.assertEqual(sms.state, "queued")
            self.assertIn("credentials", sms.last_error)
            self.assertNotIn("wrong-secret", sms.last_error)

    @mute_logger(*MUTE)
    def test_ovh_rejected_request_fails(self):
        with FakeOvh() as server:
            self._ovh_account(server)
            server.mode = "reject"
            sms = self.queue()
            self.Dispatcher._cron_dispatch()
            self.assertEqual(sms.state, "failed")
            self.assertIn("refused", sms.last_error)
            self.assertEqual(self.package.consumed, 0)

    @mute_logger(*MUTE)
    def test_ovh_timeout(self):
        with FakeOvh() as server:
            self._ovh_account(server, timeout=1)
            server.mode, server.delay = "slow", 2.5
            sms = self.queue()
            self.Dispatcher._cron_dispatch()
            self.assertEqual(sms.state, "queued")
            self.assertIn("did not answer", sms.last_error)

    def test_octopush_success(self):
        with FakeOctopush() as server:
            self._octopush_account(server)
            sms = self.queue()
            self.Dispatcher._cron_dispatch()
            self.assertEqual(sms.state, "processing")
            self.assertEqual(sms.provider_id, "sms_00000001:+33612345678")
            self.assertEqual(server.campaigns[0]["sender"], "INSERTION")
            # Octopush statuses come by callback only: polling changes nothing
            self.Dispatcher._cron_poll_statuses()
            self.assertEqual(sms.state, "processing")

    @mute_logger(*MUTE)
    def test_octopush_errors(self):
        with FakeOctopush() as server:
            self._octopush_account(server)
            for mode, state, text in (
                ("auth", "queued", "credentials"),
                ("server", "queued", "unreachable"),
                ("reject", "failed", "refused"),
            ):
                with self.subTest(mode=mode):
                    server.mode = mode
                    sms = self.queue()
                    self.Dispatcher._cron_dispatch()
                    self.assertEqual(sms.state, state)
                    self.assertIn(text, sms.last_error)

    def test_octopush_interrupted_dispatch_not_resent(self):
        with FakeOctopush() as server:
            self._octopush_account(server)
            sms = self.queue()
            sms.sudo().write(
                {
                    "state": "processing",
                    "provider_tag": "lost",
                    "claimed_at": "2020-01-01 00:00:00",
                }
            )
            self.Dispatcher._reconcile_stale_claims()
            self.assertEqual(sms.state, "unknown")
            self.assertIn("duplicate", sms.last_error)
            self.assertFalse(server.campaigns)

    @mute_logger(*MUTE)
    def test_connection_test_button(self):
        with FakeOvh() as server:
            account = self._ovh_account(server)
            server.mode = "auth"
            with self.assertRaisesRegex(UserError, "credentials"):
                account.action_test_connection()

    @mute_logger(*MUTE)
    def test_incomplete_account(self):
        account = self.env["participant.sms.account"].create(
            {"name": "Empty", "provider": "ovh"}
        )
        self.company.psms_account_id = account
        sms = self.queue()
        self.Dispatcher._cron_dispatch()
        self.assertEqual(sms.state, "failed")
        self.assertIn("incomplete", sms.last_error)

    def test_callback_token_is_secret_and_unique(self):
        """Only the token's hash is stored; the addresses show its last characters; a
        renewal keeps the previous token valid for 24 hours; only SMS administrators
        renew."""
        Account = self.env["participant.sms.account"]
        accounts = Account.create(
            [
                {"name": "A", "provider": "simulator"},
                {"name": "B", "provider": "simulator"},
            ]
        )
        self.assertFalse(any(accounts.mapped("callback_token_hint")))
        tokens = [account._issue_token() for account in accounts]
        self.assertEqual(len(set(tokens)), 2)
        self.assertTrue(all(len(token) >= 40 for token in tokens))
        self.assertEqual(
            accounts[0].callback_token_hash, Account._hash_token(tokens[0])
        )
        self.cr.execute(
            "SELECT count(*) FROM participant_sms_account WHERE "
            "concat_ws(' ', callback_token_hash, callback_token_hint, name) LIKE %s",
            [f"%{tokens[0]}%"],
        )
        self.assertEqual(self.cr.fetchone()[0], 0, "the token is stored nowhere")
        urls = accounts.mapped(
            "delivery_report_url"
        )  # two at once: no "Expected singleton"
        self.assertNotIn(tokens[0], urls[0])
        self.assertTrue(urls[0].endswith(tokens[0][-4:]))
        with self.assertRaises(AccessError):
            accounts[0].with_user(self.user_participant).action_renew_callback_token()
        action = (
            accounts[0].with_user(self.user_admin_sms).action_renew_callback_token()
        )
        new = action["context"]["default_delivery_report_url"].rsplit("/", 1)[1]
        self.assertNotEqual(new, tokens[0])
        self.assertEqual(Account._find_by_token(new), accounts[0])
        self.assertEqual(
            Account._find_by_token(tokens[0]), accounts[0], "valid for 24 hours"
        )
        self.assertEqual(Account._find_by_token(tokens[1]), accounts[1])
        accounts[0].sudo().previous_token_until = fields.Datetime.now() - timedelta(
            seconds=1
        )
        self.assertFalse(Account._find_by_token(tokens[0]))
        for bad in ("", "x" * 43, tokens[1][:-1] + "\x00", None, tokens[1] + "/"):
            self.assertFalse(Account._find_by_token(bad))
        fields_for_user = (
            self.env["participant.sms.account"]
            .with_user(self.user_participant)
            .fields_get()
        )
        self.assertNotIn("callback_token_hash", fields_for_user)
        self.assertNotIn("ovh_application_secret", fields_for_user)

    def test_an_account_in_use_is_not_archived(self):
        """Invariant: a company's SMS account stays active (archiving it is refused,
        and only a change of ``active`` is checked); an unused one is archived, and
        the settings of the account in use are written freely."""
        Account = self.env["participant.sms.account"]
        spare = Account.create({"name": "Spare", "provider": "simulator"})
        self.company.psms_account_id = self.simulator
        with self.assertRaisesRegex(UserError, "choose another account"):
            with self.env.cr.savepoint():
                self.simulator.action_archive()
        self.assertTrue(self.simulator.active)
        self.simulator.write({"timeout": 20, "balance": 5})
        self.assertEqual(self.simulator.timeout, 20)
        spare.action_archive()
        self.assertFalse(spare.active)
