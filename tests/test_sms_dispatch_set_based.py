# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The dispatcher's set-based claim and answers (one UPDATE per batch for each):
whatever a batch holds (numbers repeated, texts of one to three segments, credit for
only part of it) and whatever the provider answers for each SMS (accepted, refused,
retry, unknown, mixed in one answer), the rows, the cache, the credit and the daily
counts say the same thing."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import tagged

from ..tools.providers import SendResult
from .common_sms import SmsCommon

OUTCOMES = ("accepted", "refused", "retry", "unknown")
#: what the ORM and the rows must agree on after each step
COLUMNS = (
    "state",
    "provider_tag",
    "attempts",
    "credits",
    "package_id",
    "provider_id",
    "raw_status",
    "last_error",
    "sent_at",
    "next_attempt_at",
    "claimed_at",
)
SEGMENT_BODIES = {1: "a" * 100, 2: "a" * 200, 3: "a" * 400}

batches = st.lists(
    st.tuples(
        st.integers(0, 5),  # the number: repeated numbers go one per batch
        st.sampled_from(sorted(SEGMENT_BODIES)),
        st.sampled_from(OUTCOMES),
    ),
    min_size=1,
    max_size=12,
)


@tagged("post_install", "-at_install")
class TestSetBasedDispatch(SmsCommon):
    examples = 0
    maxDiff = None

    def _rows(self, messages):
        """The rows as PostgreSQL holds them (the ORM's pending writes flushed
        first), by id, in the ORM's terms."""
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT id, {', '.join(COLUMNS)} FROM participant_sms WHERE id = ANY(%s)",
            [messages.ids],
        )
        return {
            row[0]: tuple(
                value if value not in (None, "") else False for value in row[1:]
            )
            for row in self.env.cr.fetchall()
        }

    def _cached(self, messages):
        """The same values as the ORM gives them now (its cache, or what it reads)."""
        return {
            sms.id: tuple(
                sms[name].id if name == "package_id" else (sms[name] or False)
                for name in COLUMNS
            )
            for sms in messages
        }

    def assertCoherent(self, messages):
        """What the ORM reads is what the rows hold: the statements' writes were
        forgotten by the cache (none of its values is stale)."""
        cached = self._cached(messages)
        self.assertEqual(cached, self._rows(messages))

    def assertDailyCountsExact(self):
        """The statement triggers kept the daily counts: per status, the sum of the
        signed rows is the count of the history (invariant of
        participant_sms_daily)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT state, count(*) FROM participant_sms WHERE company_id = %s
                GROUP BY state""",
            [self.company.id],
        )
        history = dict(self.env.cr.fetchall())
        self.env.cr.execute(
            """SELECT state, sum(count) FROM participant_sms_daily
                WHERE company_id = %s GROUP BY state HAVING sum(count) <> 0""",
            [self.company.id],
        )
        self.assertEqual({k: int(v) for k, v in self.env.cr.fetchall()}, history)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(batch=batches, room=st.integers(1, 20))
    def test_any_batch_any_answers(self, batch, room):
        """Claim: the SMS sent are one per number, each charged once (its segments,
        from a package with room) and marked *Processing* under the batch's tag with
        one more attempt; the others stay queued, uncharged. Answers: accepted keep
        their provider id and stay *Processing*; refused are *Failed*, retried are
        queued again later, both refunded; unknown stay *Processing* without a
        provider id, still charged (never resent blind, I2). The packages' consumption
        is the credits the SMS hold; rows, cache and daily counts agree."""
        TestSetBasedDispatch.examples += 1
        # what an earlier example left queued does not weigh on this one
        self.Sms.search([("state", "=", "queued")])._cancel("earlier example")
        prefix = f"+3361{TestSetBasedDispatch.examples:03d}"
        self.package.quantity = self.package.consumed + room
        consumed = self.package.consumed
        messages = self.Sms.browse()
        for number, segments, _outcome in batch:
            messages |= self.queue_numbers(
                [f"{prefix}{number:04d}"], body=SEGMENT_BODIES[segments]
            )
        outcome_of = {
            sms.id: outcome
            for sms, (_n, _s, outcome) in zip(messages, batch, strict=True)
        }

        claimed, sendable, tag = self.Dispatcher._claim_and_charge(self.company, 100)

        self.assertEqual(claimed, messages, "the batch's own SMS, all due")
        self.assertEqual(len(set(sendable.mapped("number"))), len(sendable))
        self.assertCoherent(messages)
        segments_of = {sms.id: sms.segments for sms in messages}
        for sms in sendable:
            self.assertEqual(
                (sms.state, sms.provider_tag, sms.attempts, sms.credits),
                ("processing", tag, 1, segments_of[sms.id]),
            )
            self.assertEqual(sms.package_id, self.package)
        for sms in messages - sendable:
            self.assertEqual(
                (sms.state, sms.credits, sms.attempts, sms.package_id.id),
                ("queued", 0, 0, False),
            )
        self.assertEqual(
            self.package.consumed - consumed, sum(sendable.mapped("credits"))
        )
        self.assertLessEqual(self.package.consumed, self.package.quantity)
        self.assertDailyCountsExact()
        # F1: the claim recorded its batch in flight
        self.assertEqual(set(self._flight(tag)), set(sendable.ids))

        results = [
            SendResult(
                str(sms.id),
                outcome_of[sms.id] == "accepted",
                provider_id=f"id-{sms.id}" if outcome_of[sms.id] == "accepted" else "",
                raw_status=outcome_of[sms.id],
                error="" if outcome_of[sms.id] == "accepted" else "no",
                outcome=outcome_of[sms.id],
            )
            for sms in sendable
        ]
        before = fields.Datetime.now()
        charged = {sms.id: sms.credits for sms in sendable}
        self.Dispatcher._apply_send_results(sendable, results)
        accepted = sendable.filtered(lambda s: outcome_of[s.id] == "accepted")
        self.Sms.sudo()._psms_flight_settle([tag])

        self.assertCoherent(messages)
        for sms in sendable:
            outcome = outcome_of[sms.id]
            if outcome == "accepted":
                self.assertEqual(
                    (sms.state, sms.provider_id, sms.raw_status, sms.last_error),
                    ("processing", f"id-{sms.id}", "accepted", False),
                )
                self.assertGreaterEqual(sms.sent_at, before - timedelta(seconds=1))
                self.assertEqual(sms.credits, charged[sms.id])
            elif outcome == "refused":
                self.assertEqual((sms.state, sms.credits), ("failed", 0))
                self.assertFalse(sms.package_id)
            elif outcome == "retry":
                self.assertEqual((sms.state, sms.credits), ("queued", 0))
                self.assertGreater(sms.next_attempt_at, before)
            else:
                self.assertEqual(
                    (sms.state, sms.provider_id, sms.credits),
                    ("processing", False, charged[sms.id]),
                )
                self.assertTrue(sms.last_error)
        self.assertEqual(
            self.package.consumed - consumed, sum(messages.mapped("credits"))
        )
        self.assertDailyCountsExact()
        # F1, F2: the batch stays in flight while an SMS is left unknown
        unknown = sendable.filtered(lambda s: outcome_of[s.id] == "unknown")
        self.assertEqual(bool(self._flight(tag)), bool(unknown))
        self.assertLessEqual(set(unknown.ids), set(self._flight(tag)))
        # P1: the accepted SMS are found by their provider ids
        self.assertEqual(
            self.Sms.sudo()._psms_by_provider_id(
                self.simulator, [f"id-{sms.id}" for sms in sendable]
            ),
            accepted,
        )

    def _flight(self, tag):
        """The SMS ids of the batch ``tag`` in flight ([] when it is closed)."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT sms_ids FROM participant_sms_flight WHERE tag = %s", [tag]
        )
        row = self.env.cr.fetchone()
        return row[0] if row else []

    def _hot_updates(self):
        """The in-place (HOT) updates of participant_sms in this transaction."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT pg_stat_get_xact_tuples_hot_updated(
                          'participant_sms'::regclass)"""
        )
        return self.env.cr.fetchone()[0]

    def test_the_answer_updates_in_place(self):
        """The answer's statement writes no column an index of the history reads:
        each accepted SMS' row is updated in place where its page has room (HOT: no
        entry in any of the history's indexes), and its provider id is found by its
        own table. (Here on rows not updated yet in the test's transaction: in the
        dispatch, the claim is committed first, and the versions it replaced are
        pruned from the page when the answer needs the room.)"""
        messages = self.queue_numbers([f"+336123401{n:02d}" for n in range(20)])
        hot = self._hot_updates()
        self.Dispatcher._mark_accepted(
            messages, {sms.id: (f"hot-{sms.id}", "ok") for sms in messages}
        )
        self.assertEqual(self._hot_updates() - hot, 20)
        self.assertEqual(
            self.Sms.sudo()._psms_by_provider_id(
                self.simulator, [f"hot-{sms.id}" for sms in messages]
            ),
            messages,
        )

    def test_a_batch_answered_is_closed(self):
        """A claimed batch is in flight until its last SMS is answered."""
        messages = self.queue_numbers([f"+336123402{n:02d}" for n in range(3)])
        _claimed, sendable, tag = self.Dispatcher._claim_and_charge(self.company, 50)
        self.assertEqual(set(self._flight(tag)), set(messages.ids))
        first, rest = sendable[:1], sendable[1:]
        self.Dispatcher._apply_send_results(
            first, [SendResult(str(first.id), True, provider_id="p-first")]
        )
        self.Sms.sudo()._psms_flight_settle([tag])
        self.assertTrue(self._flight(tag), "two SMS still unanswered")
        self.Dispatcher._apply_send_results(
            rest,
            [SendResult(str(sms.id), True, provider_id=f"p-{sms.id}") for sms in rest],
        )
        self.Sms.sudo()._psms_flight_settle([tag])
        self.assertFalse(self._flight(tag), "all answered: the batch is closed")

    def test_accepted_context_sms_gets_its_note_once(self):
        """An accepted SMS of a record posts one "sent" note on it; a refused one of
        the same batch posts its final note, no "sent" note."""
        other = self.event.copy({"name": "Other"})
        sent = self.queue()
        refused = self.queue(res_id=other.id, number="+33612340001", partner_id=False)
        claimed, sendable, tag = self.Dispatcher._claim_and_charge(self.company, 10)
        self.assertEqual(sendable, sent | refused)
        notes = {event: event.message_ids.ids for event in (self.event, other)}
        self.Dispatcher._apply_send_results(
            sendable,
            [
                SendResult(str(sent.id), True, provider_id="p-1", raw_status="ok"),
                SendResult(str(refused.id), False, raw_status="ko", error="bad"),
            ],
        )
        self.assertEqual((sent.state, refused.state), ("processing", "failed"))
        new_sent = self.event.message_ids.filtered(
            lambda m: m.id not in notes[self.event]
        )
        new_other = other.message_ids.filtered(lambda m: m.id not in notes[other])
        self.assertEqual(len(new_sent), 1)
        self.assertIn("SMS sent to", new_sent.body)
        self.assertEqual(len(new_other), 1)
        self.assertNotIn("SMS sent to", new_other.body)

    def test_cron_dispatch_sends_each_sms_once(self):
        """Through the cron (batches of 3, the simulator): every SMS leaves once,
        with its own provider id, charged once."""
        numbers = [f"+336987650{i:02d}" for i in range(8)]
        messages = self.queue_numbers(numbers)
        consumed = self.package.consumed
        self.Dispatcher._cron_dispatch(batch_size=3)
        self.assertCoherent(messages)
        self.assertEqual(set(messages.mapped("state")), {"processing"})
        self.assertEqual(len(set(messages.mapped("provider_id"))), 8)
        self.assertEqual(self.package.consumed - consumed, 8)
        self.env.cr.execute(
            """SELECT number, count(*) FROM participant_sms_simulator_message
                WHERE number = ANY(%s) GROUP BY number""",
            [numbers],
        )
        self.assertEqual(dict(self.env.cr.fetchall()), dict.fromkeys(numbers, 1))
        self.assertDailyCountsExact()
