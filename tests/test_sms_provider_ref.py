# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The provider ids' own table (models/participant_sms_provider_ref.py).

Invariant (P1, P2): after any sequence of provider ids written (by the ORM, by SQL,
on insert), replaced, cleared, of SMS that reach a final status (or are put back from
one by SQL), of SMS deleted and of rebuilds, the lookup of any id ever used finds
exactly the SMS of the account, not final, that hold it now, as a search of the
history finds them; the table keeps no row of a final SMS, whatever id it held (the
row of an id cleared since may linger while its SMS is not final: nothing finds it),
and no row of an SMS deleted (P3: bounded by the SMS in flight).
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..models.participant_sms_selections import FINAL_STATES
from .common_sms import SmsCommon

IDS = [f"prov-{n}" for n in range(6)]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("queue"), st.none(), st.none()),
        st.tuples(st.just("orm"), st.integers(0, 30), st.sampled_from(IDS)),
        st.tuples(st.just("sql"), st.integers(0, 30), st.sampled_from(IDS)),
        st.tuples(st.just("clear"), st.integers(0, 30), st.none()),
        st.tuples(st.just("insert"), st.none(), st.sampled_from(IDS)),
        st.tuples(st.just("delete"), st.integers(0, 30), st.none()),
        st.tuples(st.just("final"), st.integers(0, 30), st.none()),
        st.tuples(st.just("unfinal"), st.integers(0, 30), st.none()),
        st.tuples(st.just("rebuild"), st.none(), st.none()),
    ),
    max_size=20,
)


@tagged("post_install", "-at_install")
class TestProviderRef(SmsCommon):
    def _insert(self, provider_id):
        """An SMS written with its provider id by SQL (an import, a bulk load)."""
        self.env.flush_all()
        self.env.cr.execute(
            """INSERT INTO participant_sms (company_id, number, body, state, origin,
                   planned_at, account_id, provider_id)
               VALUES (%s, '+33612340099', 'Bonjour', 'processing', 'free',
                       now() AT TIME ZONE 'UTC', %s, %s)""",
            [self.company.id, self.simulator.id, provider_id],
        )

    def assertLookupIsSearch(self, context):
        Sms = self.Sms.sudo()
        waiting = [
            ("account_id", "=", self.simulator.id),
            ("state", "not in", sorted(FINAL_STATES)),
        ]
        for provider_id in IDS:
            self.assertEqual(
                Sms._psms_by_provider_id(self.simulator, [provider_id]),
                Sms.search([*waiting, ("provider_id", "=", provider_id)]),
                (provider_id, context),
            )
        self.assertEqual(
            Sms._psms_by_provider_id(self.simulator, IDS),
            Sms.search([*waiting, ("provider_id", "in", IDS)]),
        )
        self.env.cr.execute(
            """SELECT s.id, s.state, r.provider_id FROM participant_sms_provider_ref r
                 JOIN participant_sms s ON s.id = r.sms_id
                WHERE s.state IN %s""",
            [tuple(sorted(FINAL_STATES))],
        )
        self.assertEqual(self.env.cr.fetchall(), [], ("final SMS kept", context))
        self.env.cr.execute(
            """SELECT r.sms_id FROM participant_sms_provider_ref r
                WHERE NOT EXISTS (SELECT 1 FROM participant_sms s WHERE s.id = r.sms_id)
            """
        )
        self.assertEqual(self.env.cr.fetchall(), [], ("deleted SMS kept", context))

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(steps=steps)
    def test_lookup_follows_any_sequence(self, steps):
        Sms = self.Sms.sudo()
        for action, which, provider_id in steps:
            existing = Sms.search([], order="id")
            sms = (
                existing[which % len(existing)]
                if existing and which is not None
                else None
            )
            if action == "queue":
                self.queue_numbers(["+33612345678"])
            elif action == "insert":
                self._insert(provider_id)
            elif action == "rebuild":
                Sms._psms_provider_ref_rebuild()
            elif sms is None:
                continue
            elif action == "orm":
                sms.write({"provider_id": provider_id})
            elif action == "sql":
                self.env.flush_all()
                self.env.cr.execute(
                    "UPDATE participant_sms SET provider_id = %s WHERE id = %s",
                    [provider_id, sms.id],
                )
                self.env.invalidate_all()
            elif action == "clear":
                sms.write({"provider_id": False})
            elif action == "final":
                sms._set_state("delivered")
            elif action == "unfinal":  # I4 forbids it; SQL does not
                self.env.flush_all()
                self.env.cr.execute(
                    "UPDATE participant_sms SET state = 'sent' WHERE id = %s", [sms.id]
                )
                self.env.invalidate_all()
            elif action == "delete":
                self.env.flush_all()
                self.env.cr.execute(
                    "DELETE FROM participant_sms WHERE id = %s", [sms.id]
                )
                self.env.invalidate_all()
            self.assertLookupIsSearch((action, which, provider_id))

    def test_a_truncated_history_leaves_no_row(self):
        """P3 whatever empties the history: ``TRUNCATE`` fires no delete trigger."""
        sms = self.queue_numbers(["+33612345672"])
        sms.sudo().write({"provider_id": "prov-t"})
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*) FROM participant_sms_provider_ref")
        self.assertTrue(self.env.cr.fetchone()[0])
        self.env.cr.execute("SAVEPOINT truncated")
        try:
            self.env.cr.execute("TRUNCATE participant_sms CASCADE")
            self.env.cr.execute("SELECT count(*) FROM participant_sms_provider_ref")
            self.assertEqual(self.env.cr.fetchone()[0], 0)
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT truncated")
            self.env.invalidate_all()

    def test_another_account_does_not_find_it(self):
        sms = self.queue_numbers(["+33612345671"])
        sms.sudo().write({"provider_id": "prov-x"})
        other = self.simulator.copy({"name": "Autre simulateur"})
        Sms = self.Sms.sudo()
        self.assertEqual(Sms._psms_by_provider_id(self.simulator, ["prov-x"]), sms)
        self.assertFalse(Sms._psms_by_provider_id(other, ["prov-x"]))
        self.assertFalse(Sms._psms_by_provider_id(self.simulator, ["", False]))

    def test_the_history_has_no_index_of_the_provider_id(self):
        """The dispatch's answer writes the provider id, the raw status, the last
        error and the write stamps: no index of the history reads them (a key, an
        expression or a predicate), or the answer's update could not be in place."""
        self.env.cr.execute(
            """SELECT indexname, indexdef FROM pg_indexes
                WHERE tablename = 'participant_sms'"""
        )
        for name, definition in self.env.cr.fetchall():
            for column in (
                "provider_id",
                "raw_status",
                "last_error",
                "write_uid",
                "write_date",
            ):
                self.assertNotIn(column, definition, name)
