# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS counts per company, planned day, status, context, origin, whether to a
participant and, when not, by whom: what the dashboard and the pivot read instead of
the history (issue 19: 10,000,000 SMS). The last two keys are what the collaborators'
record rule reads (the SMS to participants, and their own), so that their pivot is
counted here too (models/participant_sms_pivot.py).

The day is the planned send's date in the company's time zone (its SMS zone), the day a
user of the company sees in the lists and the pivot: a change of a company's zone counts
its history again (``res.company.write``).

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

from ..tools.zones import DEFAULT_ZONE, ZONES
from .participant_sms_selections import CONTEXT_TYPES, ORIGINS, STATES
from .statement_triggers import KEYS_KEPT, ensure_statement_triggers

KEYS = "company_id, day, state, context_type, origin, with_participant, free_author_id"
GROUP_KEYS = "GROUP BY 1, 2, 3, 4, 5, 6, 7"
#: the time zone of a company's SMS zone, in SQL (constants of tools/zones.py)
ZONE_TZ = "CASE c.psms_zone {} ELSE '{}' END".format(
    " ".join(f"WHEN '{code}' THEN '{zone.tz}'" for code, zone in ZONES.items()),
    ZONES[DEFAULT_ZONE].tz,
)
#: the key of an SMS row ``r`` of company ``c``: its planned day in the company's
#: zone, and what the collaborators' rule reads (to a participant, or by whom when not)
ROW_KEYS = (
    f"r.company_id, (r.planned_at AT TIME ZONE 'UTC' AT TIME ZONE ({ZONE_TZ}))::date, "
    "r.state, r.context_type, r.origin, r.partner_id IS NOT NULL, "
    "CASE WHEN r.partner_id IS NULL THEN r.author_id END"
)
#: the SMS rows of ``table`` (a transition table or the history) with their company
ROWS = "{} AS r JOIN res_company AS c ON c.id = r.company_id"
TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION participant_sms_daily_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO participant_sms_daily ({KEYS}, count)
        SELECT {ROW_KEYS}, count(*) FROM {ROWS.format("new_rows")}
         {GROUP_KEYS};
    ELSIF TG_OP = 'UPDATE' THEN
        IF current_setting('{KEYS_KEPT}', true) = 'on' THEN
            RETURN NULL;  -- a statement that writes none of the keys (KEYS_KEPT)
        END IF;
        INSERT INTO participant_sms_daily ({KEYS}, count)
        SELECT {KEYS}, sum(n) FROM (
            SELECT {ROW_KEYS}, 1 AS n FROM {ROWS.format("new_rows")}
            UNION ALL
            SELECT {ROW_KEYS}, -1 FROM {ROWS.format("old_rows")}
        ) AS change(company_id, day, state, context_type, origin, with_participant,
                    free_author_id, n)
        {GROUP_KEYS} HAVING sum(n) <> 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO participant_sms_daily ({KEYS}, count)
        SELECT {ROW_KEYS}, -count(*) FROM {ROWS.format("old_rows")}
         {GROUP_KEYS};
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

#: recount the companies %(companies)s (an array of ids) from the history
REBUILD = f"""
WITH gone AS (DELETE FROM participant_sms_daily WHERE company_id = ANY(%(companies)s))
INSERT INTO participant_sms_daily ({KEYS}, count)
SELECT {ROW_KEYS}, count(*) FROM {ROWS.format("participant_sms")}
 WHERE r.company_id = ANY(%(companies)s)
 {GROUP_KEYS}
"""
COMPACT = f"""
WITH moved AS (DELETE FROM participant_sms_daily RETURNING *)
INSERT INTO participant_sms_daily ({KEYS}, count)
SELECT {KEYS}, sum(count) FROM moved
{GROUP_KEYS} HAVING sum(count) <> 0
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
    with_participant = fields.Boolean(string="To a participant", readonly=True)
    free_author_id = fields.Integer(
        string="Author of an SMS to no participant",
        readonly=True,
        help="The id of the user who wrote an SMS to no participant (no foreign key: "
        "a user deleted sets the SMS' author empty, which the triggers count). What "
        "the collaborators' rule reads: they see the SMS to participants and those "
        "they wrote.",
    )
    count = fields.Integer(readonly=True)

    def init(self):
        created = ensure_statement_triggers(
            self.env.cr,
            TRIGGER_FUNCTION,
            "participant_sms_daily_change",
            {
                f"participant_sms_daily_{event}": clause
                for event, clause in TRIGGERS.items()
            },
        )
        if created:  # first install or upgrade: count the existing history
            self._rebuild()

    @api.model
    def _rebuild(self, companies=None):
        """Recount every key of ``companies`` (all by default) from the history, in
        one statement (one snapshot: a writer that commits later keeps its own rows,
        invisible to the delete)."""
        if companies is None:
            companies = self.env["res.company"].sudo().with_context(active_test=False)
            companies = companies.search([])
        self.env.flush_all()
        self.env.cr.execute(REBUILD, {"companies": companies.ids})

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
