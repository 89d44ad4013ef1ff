# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The dispatch batches in flight: claimed, and not all answered yet.

A claim marks its SMS *Processing* under a dispatch tag; the batch is recorded here,
one row (its tag, when, its SMS), by a statement trigger on ``participant_sms``, in
the claim's transaction: whoever writes an SMS *Processing* without a provider id
and with a claim time (the dispatch, an import, SQL) records it. The answers of the
batch (or the reconciliation of its SMS) close the row when none of its SMS is left
*Processing* without a provider id. A dispatcher that dies between the claim and the
answers leaves its row: the next runs find its stale claims from it, a few rows,
whatever the history (``_psms_flight_claims``).

Why a table: what tells a claim not answered from an SMS accepted is what the
answer writes (the provider id), and no index of ``participant_sms`` may read it,
or every answer would write an entry in each of the history's indexes (see
``participant_sms_provider_ref.py``).

Invariants:

- F1: an SMS *Processing* without a provider id, with a claim time, is in the row of
  its tag until it leaves that condition (the row is written by the statement that
  put it so, closed only when none of its SMS is left so). One with no claim time (an
  import, SQL) was never claimed here: the reconciliation, which asks the provider
  about the claims older than ten minutes, leaves it alone, as it always did.
- F2: the rows are the batches not settled: each is closed in the transaction that
  settles its last SMS, or by the dispatch cron once its SMS are settled.
"""

from odoo import api, models
from odoo.tools import SQL

from .statement_triggers import ensure_statement_triggers

TABLE = "participant_sms_flight"
FUNCTION = "participant_sms_flight_change"
#: the SMS a statement put *Processing* without a provider id (or under another
#: tag), recorded in the row of their tag
FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION participant_sms_flight_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- most statements claim nothing (the answers, the statuses): one look
    IF NOT EXISTS (SELECT 1 FROM new_rows
                    WHERE state = 'processing' AND COALESCE(provider_id, '') = ''
                      AND claimed_at IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO participant_sms_flight AS f (tag, claimed_at, sms_ids)
        SELECT COALESCE(r.provider_tag, ''),
               min(r.claimed_at), array_agg(r.id ORDER BY r.id)
          FROM new_rows AS r JOIN old_rows AS o ON o.id = r.id
         WHERE r.state = 'processing' AND COALESCE(r.provider_id, '') = ''
           AND r.claimed_at IS NOT NULL
           AND (o.state IS DISTINCT FROM 'processing'
                OR COALESCE(o.provider_id, '') <> ''
                OR o.provider_tag IS DISTINCT FROM r.provider_tag
                OR o.claimed_at IS NULL)
         GROUP BY 1
        ON CONFLICT (tag) DO UPDATE
           SET sms_ids = f.sms_ids || EXCLUDED.sms_ids,
               claimed_at = LEAST(f.claimed_at, EXCLUDED.claimed_at);
    ELSE
        INSERT INTO participant_sms_flight AS f (tag, claimed_at, sms_ids)
        SELECT COALESCE(r.provider_tag, ''),
               min(r.claimed_at), array_agg(r.id ORDER BY r.id)
          FROM new_rows AS r
         WHERE r.state = 'processing' AND COALESCE(r.provider_id, '') = ''
           AND r.claimed_at IS NOT NULL
         GROUP BY 1
        ON CONFLICT (tag) DO UPDATE
           SET sms_ids = f.sms_ids || EXCLUDED.sms_ids,
               claimed_at = LEAST(f.claimed_at, EXCLUDED.claimed_at);
    END IF;
    RETURN NULL;
END
$$;
"""
TRIGGERS = {
    "participant_sms_flight_insert": "AFTER INSERT ON participant_sms "
    "REFERENCING NEW TABLE AS new_rows",
    "participant_sms_flight_update": "AFTER UPDATE ON participant_sms "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


class ParticipantSms(models.Model):
    _inherit = "participant.sms"

    def init(self):
        result = super().init()
        self._psms_flight_table()
        return result

    def _psms_flight_table(self):
        """The table of the batches in flight and its triggers (created when
        missing, with a row per dispatch tag of the claims not answered that it
        finds: the upgrade that brings it)."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s)", [TABLE])
        if cr.fetchone()[0]:
            ensure_statement_triggers(cr, FUNCTION_SQL, FUNCTION, TRIGGERS)
            return
        cr.execute(
            SQL(
                """CREATE TABLE %s (tag varchar PRIMARY KEY,
                                    claimed_at timestamp NOT NULL,
                                    sms_ids integer[] NOT NULL)""",
                SQL.identifier(TABLE),
            )
        )
        cr.execute(
            """INSERT INTO participant_sms_flight (tag, claimed_at, sms_ids)
               SELECT COALESCE(provider_tag, ''), min(claimed_at),
                      array_agg(id ORDER BY id)
                 FROM participant_sms
                WHERE state = 'processing' AND COALESCE(provider_id, '') = ''
                  AND claimed_at IS NOT NULL
                GROUP BY 1"""
        )
        ensure_statement_triggers(cr, FUNCTION_SQL, FUNCTION, TRIGGERS)

    @api.model
    def _psms_flight_settle(self, tags):
        """Close the rows of ``tags`` none of whose SMS is left *Processing* without
        a provider id under that tag (F2): in the transaction of what settled
        them."""
        if not tags:
            return
        self.env["participant.sms"].flush_model()
        cr = self.env.cr
        cr.execute(
            """SELECT DISTINCT unnest(sms_ids) FROM participant_sms_flight
                WHERE tag = ANY(%s::varchar[])""",
            [list(tags)],
        )
        ids = [sms_id for (sms_id,) in cr.fetchall()]
        # the SMS read by the primary key alone (``OFFSET 0``: the conditions on
        # the status stay outside, or the planner reads the status crons' partial
        # index, every SMS waiting for its status)
        cr.execute(
            """SELECT DISTINCT COALESCE(provider_tag, '')
                 FROM (SELECT provider_tag, state, provider_id FROM participant_sms
                        WHERE id = ANY(%s::int[]) OFFSET 0) AS s
                WHERE state = 'processing' AND COALESCE(provider_id, '') = ''""",
            [ids],
        )
        still = {tag for (tag,) in cr.fetchall()}
        if closed := [tag for tag in tags if tag not in still]:
            cr.execute(
                "DELETE FROM participant_sms_flight WHERE tag = ANY(%s::varchar[])",
                [closed],
            )

    @api.model
    def _psms_flight_close(self, tags):
        """Close the rows of ``tags``, whose SMS the caller knows all settled (F2)."""
        self.env.cr.execute(
            "DELETE FROM participant_sms_flight WHERE tag = ANY(%s::varchar[])",
            [list(tags)],
        )

    @api.model
    def _psms_flight_claims(self, before):
        """The SMS of the batches in flight claimed before ``before`` and not
        answered: the reconciliation's stale claims (the SMS written are flushed
        first: the triggers keep the table at the flush)."""
        self.env["participant.sms"].flush_model()
        self.env.cr.execute(self._psms_flight_claims_sql(before))
        return self.browse([sms_id for (sms_id,) in self.env.cr.fetchall()])

    @api.model
    def _psms_flight_claims_sql(self, before):
        """The query of ``_psms_flight_claims``: the SMS of the few rows of the
        table read by the primary key alone, whatever the history (``OFFSET 0``:
        the conditions on the status stay outside, or the planner reads the status
        crons' partial index, every SMS waiting for its status)."""
        return SQL(
            """SELECT id FROM (
                   SELECT id, state, provider_id, claimed_at FROM participant_sms
                    WHERE id = ANY(ARRAY(SELECT DISTINCT unnest(sms_ids)
                                           FROM participant_sms_flight))
                   OFFSET 0) AS s
                WHERE state = 'processing' AND COALESCE(provider_id, '') = ''
                  AND claimed_at < %s
                ORDER BY id""",
            before,
        )

    @api.model
    def _psms_flight_tags(self, before):
        """The tags of the batches recorded before ``before`` (to settle: those whose
        SMS were all settled by other means, a status update, a cancellation)."""
        self.env["participant.sms"].flush_model()
        self.env.cr.execute(
            "SELECT tag FROM participant_sms_flight WHERE claimed_at < %s ORDER BY tag",
            [before],
        )
        return [tag for (tag,) in self.env.cr.fetchall()]
