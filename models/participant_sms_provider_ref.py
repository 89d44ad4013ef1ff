# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The provider ids of the SMS still waiting for a final status, in a table of their
own: what a status update (a provider's callback, the status poll) looks an SMS up by.

The dispatch's answer writes each accepted SMS' provider id, its raw status and no
other column that an index of ``participant_sms`` reads: the new version of the row
then stays in its page and adds no entry to any of the history's indexes (a HOT
update: 3.6 ms instead of 10 for 500 SMS on 20,000). An index of the provider id on
``participant_sms`` would make every answer write an entry in each of its fifteen
indexes; the id is indexed here instead, one narrow row per id given. A final status
never changes (I4): a status update of a final SMS changes nothing, so the rows of
the SMS that reach one are deleted, as those of the SMS deleted, and the table holds
the SMS in flight only (not ten million ids, whose index pages each answer would read
at random: provider ids are random, 30 ms per batch on ten million SMS).

Invariants (the ids' lookup, ``_psms_by_provider_id``):

- P1: whoever writes a provider id (the dispatch's answer, the reconciliation, an
  import, SQL), the SMS not final that holds it now is found by it: the table is
  kept by statement triggers on ``participant_sms`` (an insert, or an update that
  changes the id, adds a row; an SMS that reaches a final status, or is deleted,
  loses its rows), in the writer's transaction.
- P2: only the SMS not final that hold the id now are found: a row of an id since
  replaced or cleared may stay in the table until its SMS is final or deleted, and
  the lookup compares it with the SMS' own columns, so it finds nothing.
- P3: the table is bounded by the SMS in flight: no row is left of an SMS that
  reached a final status (its id cleared before or not), nor of an SMS deleted (by
  SQL, the ORM deletes none; or the whole table truncated).
"""

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .participant_sms_selections import FINAL_STATES
from .statement_triggers import ensure_statement_triggers

TABLE = "participant_sms_provider_ref"
#: (name, columns): the lookup by provider id; the deletion by SMS (final status)
INDEXES = (
    ("participant_sms_provider_ref_provider_id_index", ["provider_id"]),
    ("participant_sms_provider_ref_sms_id_index", ["sms_id"]),
)
FUNCTION = "participant_sms_provider_ref_change"
#: the final statuses, as an SQL list of constants
FINAL = ", ".join(f"'{state}'" for state in sorted(FINAL_STATES))
FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION participant_sms_provider_ref_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM participant_sms_provider_ref;
    ELSIF TG_OP = 'DELETE' THEN
        -- only an SMS not final can have rows (a final one lost them, P3); its id
        -- may be cleared since, its row still there
        DELETE FROM participant_sms_provider_ref
         WHERE sms_id = ANY(ARRAY(
               SELECT id FROM old_rows WHERE state NOT IN ({FINAL})));
    ELSIF TG_OP = 'UPDATE' THEN
        -- the claim writes no provider id and no final status: one look
        IF NOT EXISTS (SELECT 1 FROM new_rows
                        WHERE provider_id <> '' OR state IN ({FINAL})) THEN
            RETURN NULL;
        END IF;
        -- the SMS that reached a final status: no status update looks them up
        DELETE FROM participant_sms_provider_ref
         WHERE sms_id = ANY(ARRAY(
               SELECT r.id FROM old_rows AS o JOIN new_rows AS r ON r.id = o.id
                WHERE r.state IN ({FINAL}) AND o.state NOT IN ({FINAL})));
        INSERT INTO participant_sms_provider_ref (provider_id, sms_id)
        SELECT r.provider_id, r.id FROM old_rows AS o JOIN new_rows AS r ON r.id = o.id
         WHERE r.provider_id <> '' AND r.state NOT IN ({FINAL})
           AND (r.provider_id IS DISTINCT FROM o.provider_id
                OR o.state IN ({FINAL}));
    ELSE
        INSERT INTO participant_sms_provider_ref (provider_id, sms_id)
        SELECT provider_id, id FROM new_rows
         WHERE provider_id <> '' AND state NOT IN ({FINAL});
    END IF;
    RETURN NULL;
END
$$;
"""
TRIGGERS = {
    "participant_sms_provider_ref_insert": "AFTER INSERT ON participant_sms "
    "REFERENCING NEW TABLE AS new_rows",
    "participant_sms_provider_ref_update": "AFTER UPDATE ON participant_sms "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "participant_sms_provider_ref_delete": "AFTER DELETE ON participant_sms "
    "REFERENCING OLD TABLE AS old_rows",
    "participant_sms_provider_ref_truncate": "AFTER TRUNCATE ON participant_sms",
}


class ParticipantSms(models.Model):
    _inherit = "participant.sms"

    def init(self):
        result = super().init()
        self._psms_provider_ref_table()
        return result

    def _psms_provider_ref_table(self):
        """The table of the provider ids, its indexes and its triggers (created, and
        filled from the SMS in one statement, when missing: at install, and at the
        upgrade that brings it)."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s)", [TABLE])
        created = not cr.fetchone()[0]
        if created:
            cr.execute(
                SQL(
                    """CREATE TABLE %s (provider_id varchar NOT NULL,
                                        sms_id integer NOT NULL)""",
                    SQL.identifier(TABLE),
                )
            )
        ensure_statement_triggers(cr, FUNCTION_SQL, FUNCTION, TRIGGERS)
        if created:
            self._psms_provider_ref_rebuild()
        for name, columns in INDEXES:
            create_index(cr, name, TABLE, columns)

    @api.model
    def _psms_provider_ref_rebuild(self):
        """Fill the table again from the SMS not final, in one statement (at
        creation, and after a bulk load that disabled the triggers)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """DELETE FROM participant_sms_provider_ref;
                   INSERT INTO participant_sms_provider_ref (provider_id, sms_id)
                   SELECT provider_id, id FROM participant_sms
                    WHERE provider_id <> '' AND state NOT IN %s;
                   ANALYZE participant_sms_provider_ref""",
                tuple(sorted(FINAL_STATES)),
            )
        )

    @api.model
    def _psms_by_provider_id(self, account, provider_ids):
        """The SMS of ``account`` not final that hold one of ``provider_ids`` (P1,
        P2), as a recordset of this environment (a status update runs as
        superuser)."""
        provider_ids = [pid for pid in set(provider_ids) if pid]
        if not provider_ids:
            return self.browse()
        self.env["participant.sms"].flush_model(["provider_id", "account_id", "state"])
        self.env.cr.execute(
            """SELECT s.id FROM participant_sms_provider_ref AS r
                 JOIN participant_sms AS s ON s.id = r.sms_id
                WHERE r.provider_id = ANY(%s::varchar[])
                  AND s.provider_id = r.provider_id AND s.account_id = %s
                  AND s.state NOT IN %s""",
            [provider_ids, account.id, tuple(sorted(FINAL_STATES))],
        )
        return self.browse(sorted({sms_id for (sms_id,) in self.env.cr.fetchall()}))
