# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS counts per company, planned day (UTC), status, context and origin: what the
dashboard reads instead of the history (issue 19: 10,000,000 SMS).

PostgreSQL keeps it in the transaction that changes the SMS: statement triggers on
``participant_sms`` (insert, update, delete, truncate) add the change as signed rows
(+n for the new key, -n for the old one; nothing when the key did not change), so that
every path that writes an SMS (ORM, the dispatcher's SQL, anonymisation, unlink) keeps
it exact. Writers only INSERT: no row is updated, so no two transactions wait on the
same counter. A reader sums the rows of its keys; ``_cron_compact`` folds the rows
into one per key (one statement, so a concurrent writer's rows are either folded or
kept whole), ``_rebuild`` recounts from the history (after a bulk load that disabled
the triggers).

Invariant: for every key, the sum of ``count`` equals the number of SMS of that key
(``tests/test_sms_daily.py``).
"""

from odoo import api, fields, models
from odoo.tools import SQL

from .participant_sms_selections import CONTEXT_TYPES, ORIGINS, STATES

KEYS = "company_id, day, state, context_type, origin"
ROW_KEYS = (
    "company_id, (planned_at AT TIME ZONE 'UTC')::date, state, context_type, origin"
)
TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION participant_sms_daily_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO participant_sms_daily ({KEYS}, count)
        SELECT {ROW_KEYS}, count(*) FROM new_rows GROUP BY 1, 2, 3, 4, 5;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO participant_sms_daily ({KEYS}, count)
        SELECT {KEYS}, sum(n) FROM (
            SELECT {ROW_KEYS}, 1 AS n FROM new_rows
            UNION ALL
            SELECT {ROW_KEYS}, -1 FROM old_rows
        ) AS change(company_id, day, state, context_type, origin, n)
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO participant_sms_daily ({KEYS}, count)
        SELECT {ROW_KEYS}, -count(*) FROM old_rows GROUP BY 1, 2, 3, 4, 5;
    ELSE
        DELETE FROM participant_sms_daily;
    END IF;
    RETURN NULL;
END
$$;
"""
TRIGGERS = {
    "insert": "AFTER INSERT ON participant_sms REFERENCING NEW TABLE AS new_rows",
    "update": "AFTER UPDATE ON participant_sms "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "AFTER DELETE ON participant_sms REFERENCING OLD TABLE AS old_rows",
    "truncate": "AFTER TRUNCATE ON participant_sms",
}

REBUILD = f"""
WITH gone AS (DELETE FROM participant_sms_daily)
INSERT INTO participant_sms_daily ({KEYS}, count)
SELECT {ROW_KEYS}, count(*) FROM participant_sms GROUP BY 1, 2, 3, 4, 5
"""
COMPACT = f"""
WITH moved AS (DELETE FROM participant_sms_daily RETURNING *)
INSERT INTO participant_sms_daily ({KEYS}, count)
SELECT {KEYS}, sum(count) FROM moved
GROUP BY 1, 2, 3, 4, 5 HAVING sum(count) <> 0
"""


class ParticipantSmsDaily(models.Model):
    """Signed SMS counts per company, day, status, context and origin (kept by
    PostgreSQL triggers; read by summing)."""

    _name = "participant.sms.daily"
    _description = "SMS counts per day"
    _log_access = False
    _order = "day desc"

    company_id = fields.Many2one(
        "res.company", string="Company", readonly=True, index=True
    )
    day = fields.Date(readonly=True, index=True)
    state = fields.Selection(STATES, string="Status", readonly=True)
    context_type = fields.Selection(CONTEXT_TYPES, string="Context", readonly=True)
    origin = fields.Selection(ORIGINS, readonly=True)
    count = fields.Integer(readonly=True)

    def init(self):
        cr = self.env.cr
        cr.execute(TRIGGER_FUNCTION)
        created = False
        for event, clause in TRIGGERS.items():
            name = f"participant_sms_daily_{event}"
            cr.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [name])
            if not cr.fetchone():
                cr.execute(
                    SQL(
                        "CREATE TRIGGER %s %s FOR EACH STATEMENT "
                        "EXECUTE FUNCTION participant_sms_daily_change()",
                        SQL.identifier(name),
                        SQL(clause),  # noqa: S608 - a constant of this file
                    )
                )
                created = True
        if created:  # first install or upgrade: count the existing history
            self._rebuild()

    @api.model
    def _rebuild(self):
        """Recount every key from the history, in one statement (one snapshot)."""
        self.env.cr.execute(REBUILD)

    @api.model
    def _cron_compact(self):
        """Fold the signed rows into one per key (keys that sum to zero vanish)."""
        self.env.cr.execute(COMPACT)

    @api.model
    def _counts(self, company, since, states, groupby):
        """``{key tuple: count}`` of the SMS of ``company`` planned from the day
        ``since`` (a date) on, in ``states``, grouped by ``groupby`` among ``month``
        (its first day), ``state``, ``context_type``, ``origin``."""
        columns = {
            "month": "date_trunc('month', day)::date",
            "state": "state",
            "context_type": "context_type",
            "origin": "origin",
        }
        select = ", ".join(columns[name] for name in groupby)
        positions = ", ".join(str(index + 1) for index in range(len(groupby)))
        self.env.flush_all()
        self.env.cr.execute(
            f"""
            SELECT {select}, sum(count) FROM participant_sms_daily
             WHERE company_id = %s AND day >= %s AND state IN %s
             GROUP BY {positions} HAVING sum(count) <> 0
            """,
            [company.id, since, tuple(states)],
        )
        return {tuple(row[:-1]): int(row[-1]) for row in self.env.cr.fetchall()}
