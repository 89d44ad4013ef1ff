# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Found by the random state machine (800 examples): a reminder edited while its SMS was
in flight (claimed, the worker dead before the provider answered, or the provider asking
to retry) came back to the queue as it was before the edit: still pending after being
switched off or archived, addressed to the former participant, with the former place.
Back in the queue, an SMS is now decided again by its record, as after any edit (I1)."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..tools.providers import ProviderError
from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestEngineInFlight(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_scheduled = create_sms_user(
            cls.env,
            "psms_sched_f",
            "group_participant_user",
            "group_sms_send_scheduled",
        )
        cls.template = cls.env.ref("participant_sms.sms_template_appointment")
        cls.participant_2.mobile = "+33 6 22 33 44 55"

    def _in_flight(self, **values):
        """A reminder whose SMS a dispatcher claimed; the worker dies before any
        answer."""
        start = (fields.Datetime.now() + timedelta(days=5)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        event = (
            self.env["calendar.event"]
            .with_user(self.user_scheduled)
            .create(
                {
                    "name": "Appointment",
                    "participant_id": self.participant.id,
                    "participant_appointment_type_id": self.type_individual.id,
                    "participant_collaborator_id": self.user_scheduled.id,
                    "location": "Mairie",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "sms_reminder": True,
                    "sms_reminder_days": "2",
                    "sms_reminder_template_id": self.template.id,
                    **values,
                }
            )
        )
        sms = event.sms_reminder_sms_id.with_env(
            self.env
        )  # the dispatcher's (superuser)
        sms.planned_at = fields.Datetime.now() - timedelta(minutes=1)  # due now
        self.Dispatcher._claim_and_charge(self.company, 50)
        self.assertEqual(sms.state, "processing")
        return event, sms

    def _worker_found_dead(self, sms):
        """The stale claim is reconciled: the simulator never received it."""
        sms.sudo().claimed_at = fields.Datetime.now() - timedelta(hours=1)
        self.Dispatcher._reconcile_stale_claims()

    def test_stale_claims_are_read_from_the_batches_in_flight(self):
        """The dispatch cron's search of stale claims (every run) reads the few rows
        of the batches in flight, then their SMS by their ids, whatever the
        history (10M SMS: 2.2 s with no index at all): it finds a stale claim, and
        neither a fresh claim nor an accepted SMS (F1). A batch whose SMS are all
        settled is closed (F2)."""
        _event, stale = self._in_flight()
        stale.sudo().claimed_at = fields.Datetime.now() - timedelta(hours=1)
        _event, fresh = self._in_flight(location="Agence")
        _event, accepted = self._in_flight(location="Siège")
        accepted.sudo().write(
            {
                "provider_id": "ACCEPTED-1",
                "claimed_at": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        Sms = self.env["participant.sms"]
        found = self.Dispatcher._stale_claims()
        self.assertEqual(found, stale)
        self.assertNotIn(fresh, found)
        self.assertNotIn(accepted, found)
        self.env.cr.execute(
            "SELECT tag FROM participant_sms_flight WHERE %s = ANY(sms_ids)",
            [accepted.id],
        )
        (tag,) = self.env.cr.fetchone()
        self.assertEqual(tag, accepted.provider_tag)
        Sms._psms_flight_settle([tag])
        self.env.cr.execute(
            "SELECT 1 FROM participant_sms_flight WHERE tag = %s", [tag]
        )
        self.assertFalse(self.env.cr.fetchall(), "its only SMS accepted: closed")
        self.env.flush_all()
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        query = Sms._psms_flight_claims_sql(fields.Datetime.now())
        self.env.cr.execute(SQL("EXPLAIN %s", query))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("participant_sms_pkey", plan)
        self.assertNotIn("Seq Scan on participant_sms ", plan)

    def test_switched_off_while_in_flight_is_cancelled_not_queued(self):
        event, sms = self._in_flight()
        event.with_user(self.user_scheduled).sms_reminder = False
        self._worker_found_dead(sms)
        self.assertEqual(sms.state, "cancelled")

    def test_archived_while_in_flight_is_cancelled(self):
        event, sms = self._in_flight()
        event.with_user(self.user_scheduled).active = False
        self._worker_found_dead(sms)
        self.assertEqual(sms.state, "cancelled")

    def test_new_participant_while_in_flight_is_readdressed(self):
        event, sms = self._in_flight()
        event.with_user(self.user_scheduled).participant_id = self.participant_2
        self._worker_found_dead(sms)
        self.assertEqual(sms.state, "queued")
        self.assertEqual(
            (sms.partner_id, sms.number), (self.participant_2, "+33622334455")
        )
        self.assertEqual(sms.body, event._psms_render(self.template))

    def test_new_place_while_in_flight_is_rewritten(self):
        event, sms = self._in_flight()
        event.with_user(self.user_scheduled).location = "Espace Emploi, 3 rue Haute"
        self.assertTrue(sms.rewrite_after_flight)
        self._worker_found_dead(sms)
        self.assertEqual(sms.state, "queued")
        self.assertIn("Espace Emploi", sms.body)
        self.assertFalse(sms.rewrite_after_flight)

    def test_unchanged_while_in_flight_keeps_its_typed_text(self):
        event, sms = self._in_flight(sms_reminder_body="Nadia, RDV jeudi 10h, merci.")
        self._worker_found_dead(sms)
        self.assertEqual(
            (sms.state, sms.body), ("queued", "Nadia, RDV jeudi 10h, merci.")
        )

    def test_a_retry_after_a_switch_off_during_the_call_is_cancelled(self):
        self.participant.mobile = (
            "+33 6 12 34 56 97"  # the simulator's service fails: retry
        )
        event, sms = self._in_flight()
        event.with_user(
            self.user_scheduled
        ).sms_reminder = False  # while the call goes on
        results = self.Dispatcher._send(sms, self.simulator, sms.provider_tag)
        self.assertEqual(results[0].outcome, "retry")
        self.Dispatcher._apply_send_results(sms, results)  # what the dispatch does next
        self.assertEqual(sms.state, "cancelled")

    def test_a_failed_request_after_a_switch_off_during_the_call_is_cancelled(self):
        event, sms = self._in_flight()
        event.with_user(self.user_scheduled).sms_reminder = False
        self.Dispatcher._apply_send_error(sms, ProviderError("server", "HTTP 500"))
        self.assertEqual(sms.state, "cancelled")


FLIGHT_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("queue"), st.integers(1, 3)),
        st.tuples(st.just("claim"), st.integers(1, 4)),
        st.tuples(st.just("accept"), st.integers(0, 40)),
        st.tuples(st.just("requeue"), st.integers(0, 40)),
        st.tuples(st.just("fail"), st.integers(0, 40)),
        st.tuples(st.just("orm_processing"), st.integers(0, 40)),
        st.tuples(st.just("sql_processing"), st.integers(0, 40)),
        st.tuples(st.just("settle"), st.none()),
    ),
    max_size=20,
)


@tagged("post_install", "-at_install")
class TestBatchesInFlight(SmsCommon):
    """Invariants of the batches in flight (models/participant_sms_flight.py): after
    any sequence of claims, answers, SMS put back in the queue or failed, SMS written
    *Processing* by the ORM (with a claim time) or by SQL (without), and
    settlements, every SMS *Processing* without a provider id, with a claim time, is
    in the row of its tag (F1); once settled, every row holds such an SMS (F2); the
    stale claims are exactly those SMS, once old enough."""

    def _rows(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT tag, sms_ids FROM participant_sms_flight")
        return {tag: set(ids) for tag, ids in self.env.cr.fetchall()}

    def _unanswered(self):
        return self.Sms.sudo().search(
            [("state", "=", "processing"), ("provider_id", "=", False)]
        )

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(steps=FLIGHT_STEPS)
    def test_flights_follow_any_sequence(self, steps):
        Sms = self.Sms.sudo()
        serial = 0
        for action, arg in steps:
            serial += 1
            existing = Sms.search([], order="id")
            sms = existing[arg % len(existing)] if existing and arg else None
            if action == "queue":
                self.queue_numbers([f"+336124{serial:03d}{n:02d}" for n in range(arg)])
            elif action == "claim":
                self.Dispatcher._claim_and_charge(self.company, arg)
            elif action == "settle":
                Sms._psms_flight_settle(list(self._rows()))
            elif sms is None:
                continue
            elif action == "accept" and sms.state == "processing":
                sms.write({"provider_id": f"p-{sms.id}-{serial}"})
            elif action == "requeue" and sms.state == "processing":
                sms.write({"state": "queued", "claimed_at": False, "sent_at": False})
            elif action == "fail":
                sms._set_state("failed", sent_at=False)
            elif action == "orm_processing" and sms.state == "queued":
                sms.write(
                    {
                        "state": "processing",
                        "provider_tag": f"orm-{serial}",
                        "claimed_at": fields.Datetime.now(),
                    }
                )
            elif action == "sql_processing" and sms.state == "queued":
                self.env.flush_all()
                # a claim written by SQL (with its time, tagged or not), or an
                # import's SMS, never claimed here (no claim time)
                claimed = (
                    fields.Datetime.now() - timedelta(hours=1) if arg % 3 else None
                )
                self.env.cr.execute(
                    """UPDATE participant_sms SET state = 'processing',
                              provider_tag = %s, claimed_at = %s
                        WHERE id = %s""",
                    [f"sql-{serial}" if arg % 3 == 1 else None, claimed, sms.id],
                )
                self.env.invalidate_all()
            rows = self._rows()
            for pending in self._unanswered().filtered("claimed_at"):  # F1
                self.assertIn(
                    pending.id, rows.get(pending.provider_tag or "", ()), action
                )
            if action == "settle":  # F2
                unanswered = set(self._unanswered().filtered("claimed_at").ids)
                for tag, ids in rows.items():
                    self.assertTrue(ids & unanswered, (tag, action))
        later = fields.Datetime.now() + timedelta(hours=1)
        self.assertEqual(
            Sms._psms_flight_claims(later),
            self._unanswered().filtered(lambda s: s.claimed_at),
        )
