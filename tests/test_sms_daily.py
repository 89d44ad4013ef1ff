# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The daily SMS counts the dashboard reads (models/participant_sms_daily.py).

Days are the company's (metropolitan France here: Europe/Paris).

Invariant: after any sequence of SMS created, moved from status to status, revised
(planned time), cancelled, deleted, anonymised by the retention (whose UPDATE tells its
trigger it counts nothing: the SMS that change status after it in the same transaction
are counted), and of compactions, the sum of the daily rows of
every (company, day, status, context, origin) equals the number of SMS of that key
counted in the history; the dashboard's charts count what ``read_group`` counts.
"""

from datetime import timedelta

import psycopg2
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.tools import mute_logger

from ..models.statement_triggers import KEYS_KEPT, keys_kept
from .common_sms import SmsCommon

KEYS = "company_id, day, state, context_type, origin"
STATES = ("processing", "sent", "delivered", "failed", "not_sent", "unknown")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("queue"), st.integers(-40, 5), st.sampled_from("fi")),
        st.tuples(st.just("state"), st.integers(0, 50), st.sampled_from(STATES)),
        st.tuples(st.just("replan"), st.integers(0, 50), st.integers(-3, 3)),
        st.tuples(st.just("cancel"), st.integers(0, 50), st.none()),
        st.tuples(st.just("delete"), st.integers(0, 50), st.none()),
        st.tuples(st.just("compact"), st.none(), st.none()),
        st.tuples(st.just("retain"), st.none(), st.none()),
    ),
    max_size=25,
)


class TestSmsDaily(SmsCommon):
    def summary(self):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {KEYS}, sum(count) FROM participant_sms_daily GROUP BY {KEYS} "
            "HAVING sum(count) <> 0"
        )
        return set(self.env.cr.fetchall())

    def history(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT company_id, (planned_at AT TIME ZONE 'UTC' "
            "AT TIME ZONE 'Europe/Paris')::date, state, "
            "context_type, origin, count(*) FROM participant_sms "
            f"GROUP BY {KEYS.replace('day', '2')}"
        )
        return set(self.env.cr.fetchall())

    def test_keys_kept_ends_with_its_block(self):
        """The setting that silences the daily counts' trigger never outlives its
        block: reset when the block ends or raises, rolled back with a database
        error; an UPDATE after it is counted."""
        cr = self.env.cr

        def setting():
            cr.execute("SELECT current_setting(%s, true)", [KEYS_KEPT])
            return cr.fetchone()[0]

        # (not assertRaises: Odoo's rolls back a savepoint, which would reset it too)
        raised = False
        try:
            with keys_kept(cr):
                self.assertEqual(setting(), "on")
                raise ValueError("a Python error in the block")
        except ValueError:
            raised = True
        self.assertTrue(raised)
        self.assertEqual(setting(), "off")
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.Error),
            cr.savepoint(),
            keys_kept(cr),
        ):
            cr.execute("SELECT 1 / 0")
        self.assertNotEqual(setting(), "on")
        sms = self.queue_numbers(["+33612345678"])
        sms._set_state("delivered")
        self.assertEqual(self.summary(), self.history())

    def retain(self):
        """The retention over the SMS, each sent and settled at its planned time."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE participant_sms SET sent_at = planned_at, status_at = planned_at"
        )
        self.env.invalidate_all()
        self.env.company.psms_retention_months = 1
        return self.env["participant.sms.privacy"]._anonymize()[0]

    def test_retention_counts_nothing_and_the_next_change_counts(self):
        old = self.queue_numbers(
            ["+33612345678", "+33612345679"],
            planned_at=fields.Datetime.now() - timedelta(days=60),
        )
        old._set_state("delivered")
        later = self.queue_numbers(["+33612345670"])
        before = self.summary()
        self.assertEqual(self.retain(), 2)
        self.assertTrue(all(old.mapped("anonymized_at")))
        self.assertEqual(self.summary(), before, "anonymising changes no count")
        later._set_state("failed")  # same transaction, after the retention
        self.assertEqual(self.summary(), self.history())
        self.assertNotEqual(self.summary(), before)

    def test_install_counted_the_history(self):
        self.queue_numbers(["+33612345678"])
        self.assertEqual(self.summary(), self.history())
        self.env["participant.sms.daily"]._rebuild()
        self.assertEqual(self.summary(), self.history())

    @settings(max_examples=30, deadline=None)
    @given(steps=steps)
    def test_counts_follow_any_sequence(self, steps):
        Sms = self.Sms.sudo()
        now = fields.Datetime.now()
        for action, which, arg in steps:
            existing = Sms.search([], order="id")
            sms = (
                existing[which % len(existing)]
                if existing and which is not None
                else None
            )
            if action == "queue":
                values = {"planned_at": now + timedelta(days=which)}
                if arg == "i":
                    values.update(origin="instant", context_type="appointment")
                self.queue_numbers(["+33612345678"], **values)
            elif action == "compact":
                self.env["participant.sms.daily"]._cron_compact()
            elif action == "retain":
                self.retain()
            elif sms is None:
                continue
            elif action == "state":
                sms._set_state(arg)
            elif action == "replan" and sms.state == "queued":
                sms.write({"planned_at": sms.planned_at + timedelta(days=arg)})
            elif action == "cancel" and sms.state == "queued":
                sms._cancel("test")
            elif action == "delete":
                self.env.cr.execute(
                    "DELETE FROM participant_sms WHERE id = %s", [sms.id]
                )
                self.env.invalidate_all()
            self.assertEqual(self.summary(), self.history(), (action, which, arg))

    def test_dashboard_counts_what_read_group_counts(self):
        sms = self.queue_numbers(["+33612345678", "+33612345679", "+33612345670"])
        sms[0]._set_state("delivered")
        sms[1]._set_state("failed")
        sms[2]._set_state("sent")
        dashboard = (
            self.env["participant.sms.dashboard"]
            .with_user(self.user_admin_sms)
            .create({"period": "year"})
        )
        charts = dashboard.charts
        for serie in charts["by_state"]:
            for count, domain in zip(serie["counts"], serie["domains"], strict=True):
                self.assertEqual(count, self.Sms.search_count(domain))
        for item in charts["failures"] + charts["contexts"]:
            self.assertEqual(item["count"], self.Sms.search_count(item["domain"]))
