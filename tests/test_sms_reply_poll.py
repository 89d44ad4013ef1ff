# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Polling OVH for replies loses none: a reply is deleted at OVH only after the
transaction that recorded it is committed, it is recorded once however often it is
fetched, and one account's failure neither loses nor holds back another's replies. And
no text is garbled: an OVH job is coded as its text was measured and charged (7bit
GSM-7, 8bit UCS-2).

Everything runs against the local OVH server (real HTTP on loopback, ``FakeOvh``). The
commit tests use real database connections (committed data, removed at the end): there
the commit and the rollback are PostgreSQL's and Odoo's own, post-commit callbacks
included."""

from hypothesis import given
from hypothesis import strategies as st

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import orm_examples
from .common_sms import SmsCommon, create_ovh_account
from .fakes.fake_providers import FakeOvh

REPLY_LOGGER = "odoo.addons.participant_sms.models.participant_sms_reply"


@tagged("post_install", "-at_install")
class TestReplyPollCommit(TransactionCase):
    """Real commits and rollbacks on connections of their own."""

    def _commit_account(self, server, name):
        with self.registry.cursor() as cr:
            account = create_ovh_account(
                api.Environment(cr, SUPERUSER_ID, {}), server, name=name
            )
            account_id = account.id
        self.addCleanup(self._cleanup, account_id)
        return account_id

    def _cleanup(self, account_id):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM participant_sms_reply WHERE account_id = %s", [account_id]
            )
            cr.execute(
                """DELETE FROM mail_message WHERE model = 'participant.sms.account'
                           AND res_id = %s""",
                [account_id],
            )
            cr.execute(
                """DELETE FROM mail_followers WHERE res_model =
                       'participant.sms.account'
                           AND res_id = %s""",
                [account_id],
            )
            cr.execute(
                "DELETE FROM participant_sms_account WHERE id = %s", [account_id]
            )

    def _recorded(self, account_id):
        """``{provider id: how many rows}``, as committed."""
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT inbound_id, count(*) FROM participant_sms_reply
                           WHERE account_id = %s GROUP BY inbound_id""",
                [account_id],
            )
            return dict(cr.fetchall())

    def _run(self, auto_commit=True):
        """One run of the cron on a connection of its own, committing as a cron does."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["participant.sms.reply"]._cron_poll_replies(auto_commit=auto_commit)

    def test_a_run_that_dies_before_its_commit_leaves_the_replies_at_ovh(self):
        """Invariant: a reply is deleted at OVH only once its record is committed; a run
        rolled back (a database error, a restart) deletes nothing, the next run records
        the replies and deletes each exactly once."""
        with FakeOvh() as server:
            account_id = self._commit_account(server, "OVH poll commit")
            ids = {
                server.add_incoming("+33612345678", "OUI"),
                server.add_incoming("+33612345679", "Non merci"),
            }
            cr = self.registry.cursor()
            try:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["participant.sms.reply"]._cron_poll_replies()
                self.assertEqual(
                    env["participant.sms.reply"].search_count(
                        [("account_id", "=", account_id)]
                    ),
                    2,
                    "recorded in the transaction",
                )
                self.assertEqual(
                    (set(server.incoming), server.deleted),
                    (ids, []),
                    "nothing deleted before the commit",
                )
                cr.rollback()  # the run dies: ir.cron rolls its transaction back
            finally:
                cr.close()
            self.assertEqual(self._recorded(account_id), {})
            self.assertEqual(
                (set(server.incoming), server.deleted),
                (ids, []),
                "the replies are still at OVH",
            )

            self._run()
            self.assertEqual(self._recorded(account_id), dict.fromkeys(ids, 1))
            self.assertEqual(server.incoming, {})
            self.assertEqual(
                sorted(server.deleted), sorted(ids), "each deleted exactly once"
            )

            self._run()
            self.assertEqual(self._recorded(account_id), dict.fromkeys(ids, 1))
            self.assertEqual(
                sorted(server.deleted), sorted(ids), "nothing deleted again"
            )

    @mute_logger(REPLY_LOGGER)
    def test_a_backlog_is_fetched_batch_by_batch(self):
        """Invariant: a backlog at OVH is fetched a batch at a time, each batch
        recorded, committed and deleted at OVH before the next is read (memory
        bounded whatever the backlog); a read that fails stops the run, what was
        committed stays, and the next run records the rest, each reply once."""
        with FakeOvh() as server:
            account_id = self._commit_account(server, "OVH backlog")
            ids = [server.add_incoming(f"+3361234560{i}", "OUI") for i in range(5)]
            server.read_faults = ["ok", "ok", "ok", "server"]
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["participant.sms.reply"]._cron_poll_replies(
                    auto_commit=True, limit=2
                )
            self.assertEqual(self._recorded(account_id), dict.fromkeys(ids[:2], 1))
            self.assertEqual(server.deleted, ids[:2], "the first batch, once committed")
            self.assertEqual(server.read, ids[:3], "no reply read ahead of its batch")
            self.assertEqual(sorted(server.incoming), sorted(ids[2:]))

            self._run()
            self.assertEqual(self._recorded(account_id), dict.fromkeys(ids, 1))
            self.assertEqual(sorted(server.deleted), sorted(ids), "each deleted once")
            self.assertEqual(server.incoming, {})

    @mute_logger(REPLY_LOGGER, "odoo.sql_db")
    def test_a_database_error_on_one_account_holds_back_no_other(self):
        """Invariant: accounts are independent. A concurrent transaction holds account
        B's row, so recording B's replies fails with a real database error (lock not
        available): A's replies are recorded and deleted at A; B's stay at B, untouched,
        and are recorded by the next run once the lock is gone."""
        with FakeOvh() as server_a, FakeOvh() as server_b:
            account_a = self._commit_account(server_a, "OVH A")
            account_b = self._commit_account(server_b, "OVH B")
            ids_a = {server_a.add_incoming("+33612345678", "OUI")}
            ids_b = {
                server_b.add_incoming("+33612345670", "OUI"),
                server_b.add_incoming("+33612345671", "Non"),
            }
            with self.registry.cursor() as locker:
                locker.execute(
                    "SELECT id FROM participant_sms_account WHERE id = %s "
                    "FOR UPDATE",
                    [account_b],
                )
                with self.registry.cursor() as cr:
                    cr.execute("SET LOCAL lock_timeout = '200ms'")
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["participant.sms.reply"]._cron_poll_replies()
                    # leaving the block commits: the post-commit deletions run
                locker.rollback()
            self.assertEqual(self._recorded(account_a), dict.fromkeys(ids_a, 1))
            self.assertEqual((server_a.incoming, server_a.deleted), ({}, list(ids_a)))
            self.assertEqual(self._recorded(account_b), {})
            self.assertEqual(
                (set(server_b.incoming), server_b.deleted),
                (ids_b, []),
                "B's replies are still at OVH",
            )

            self._run()
            self.assertEqual(self._recorded(account_b), dict.fromkeys(ids_b, 1))
            self.assertEqual(server_b.incoming, {})
            self.assertEqual(sorted(server_b.deleted), sorted(ids_b))
            self.assertEqual(server_a.deleted, list(ids_a), "A's replies deleted once")


@tagged("post_install", "-at_install")
class TestReplyPoll(SmsCommon):
    """In the test's transaction: its "commit" is running ``cr.postcommit`` (what a real
    commit does after COMMIT), its "crash" a rollback to the last commit, dropping the
    post-commit callbacks (what a real rollback does)."""

    def setUp(self):
        super().setUp()
        self.Reply = self.env["participant.sms.reply"]
        self.server = FakeOvh().__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)
        self.account = create_ovh_account(self.env, self.server)

    def _commit(self):
        self.env.cr.postcommit.run()

    def _recorded(self):
        return sorted(
            self.Reply.search([("account_id", "=", self.account.id)]).mapped(
                "inbound_id"
            )
        )

    @mute_logger(REPLY_LOGGER)
    def test_a_failed_deletion_records_the_reply_once(self):
        """Invariant: recording is idempotent: a reply whose deletion failed after the
        commit is fetched again, recorded once, then deleted."""
        server = self.server
        inbound = server.add_incoming("+33612345678", "OUI")
        server.delete_faults = ["server"]
        self.Reply._cron_poll_replies()
        self._commit()
        self.assertEqual(
            (self._recorded(), list(server.incoming)),
            ([inbound], [inbound]),
            "recorded, still at OVH",
        )
        self.Reply._cron_poll_replies()
        self._commit()
        self.assertEqual(self._recorded(), [inbound], "recorded once")
        self.assertEqual((server.incoming, server.deleted), ({}, [inbound]))

    @mute_logger(REPLY_LOGGER)
    def test_a_control_character_is_kept_as_a_space_and_holds_back_nothing(self):
        """A polled reply holding a control character (which the webhook refuses) is
        recorded with a space in its place, not fetched again and again and never
        recorded; the replies fetched with it are recorded too, and all are deleted at
        OVH after commit."""
        server = self.server
        good = server.add_incoming("+33612345678", "OUI")
        odd = server.add_incoming("+33612345679", "OUI\x00merci")
        later = server.add_incoming("+33612345670", "Non")
        self.Reply._cron_poll_replies()
        self._commit()
        self.assertEqual(self._recorded(), sorted([good, odd, later]))
        self.assertEqual(
            self.Reply.search([("inbound_id", "=", odd)]).text, "OUI merci"
        )
        self.assertEqual(
            (list(server.incoming), sorted(server.deleted)),
            ([], sorted([good, odd, later])),
        )

    @orm_examples(30)
    @given(
        st.lists(
            st.sampled_from(
                ["reply", "commit", "crash", "delete_fault", "fetch_fault"]
            ),
            min_size=1,
            max_size=12,
        )
    )
    def test_any_sequence_loses_no_reply_and_records_none_twice(self, steps):
        """Invariant, after every step of any sequence of new replies, runs that commit,
        runs that die before their commit, deletions and fetches that fail: every reply
        is at OVH or recorded (committed), none is recorded twice nor deleted twice; a
        last clean run leaves OVH empty with every reply recorded."""
        server = self.server
        server.incoming, server.deleted = {}, []
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as example, mute_logger(REPLY_LOGGER):
            added = []
            committed = self.env.cr.savepoint(flush=False)
            for step in steps:
                if step == "reply":
                    added.append(
                        server.add_incoming("+33612345678", f"OUI {len(added)}")
                    )
                    continue
                server.delete_faults = ["server"] if step == "delete_fault" else []
                server.mode = "server" if step == "fetch_fault" else "ok"
                self.Reply._cron_poll_replies()
                server.mode, server.delete_faults = "ok", []
                if step == "crash":
                    self.env.cr.postcommit.clear()
                    committed.close(rollback=True)
                    self.env.invalidate_all()
                else:
                    self._commit()
                    committed.close(rollback=False)
                committed = self.env.cr.savepoint(flush=False)
                recorded = self._recorded()
                self.assertEqual(len(recorded), len(set(recorded)), "recorded twice")
                self.assertEqual(
                    len(server.deleted), len(set(server.deleted)), "deleted twice"
                )
                self.assertLessEqual(
                    set(server.deleted),
                    set(recorded),
                    "deleted at OVH but not recorded",
                )
                self.assertEqual(
                    set(server.incoming) | set(recorded), set(added), "lost"
                )
            self.Reply._cron_poll_replies()
            self._commit()
            committed.close(rollback=False)
            self.assertEqual((server.incoming, self._recorded()), ({}, sorted(added)))
            example.close(rollback=True)


@tagged("post_install", "-at_install")
class TestOvhCoding(SmsCommon):
    """No text garbled: through the dispatcher, an SMS measured and charged as UCS-2
    goes out to OVH coded 8bit, a GSM-7 one 7bit (the local OVH server refuses any
    other)."""

    def test_ucs2_sms_goes_out_in_8bit(self):
        with FakeOvh() as server:
            self.company.psms_account_id = create_ovh_account(self.env, server)
            unicode_sms = self.queue(body="Répondez OUI ✓ pour confirmer")
            gsm_sms = self.queue(body="Rappel : entretien demain à 9h30.")
            self.assertEqual(
                (unicode_sms.encoding, gsm_sms.encoding), ("UCS-2", "GSM-7")
            )
            self.Dispatcher._cron_dispatch()
            self.assertEqual(
                (unicode_sms.state, gsm_sms.state), ("processing", "processing")
            )
            coding = {job["message"]: job["coding"] for job in server.jobs}
            self.assertEqual(
                coding,
                {
                    "Répondez OUI ✓ pour confirmer": "8bit",
                    "Rappel : entretien demain à 9h30.": "7bit",
                },
            )
            self.assertEqual(
                server.outgoing[unicode_sms.provider_id]["message"],
                "Répondez OUI ✓ pour confirmer",
                "the text reached OVH intact",
            )
