# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The composite and partial indexes of the SMS history, chosen from ``EXPLAIN
ANALYZE`` on 10,000,000 SMS (issue 19, ``bench/make_big_db.py``).

Every index of the table costs each write that is not an in-place (HOT) update: the
dispatch's claim, the status updates. The dispatch's answer and the anonymisation write
no indexed column, so that their updates are in place: the provider id and the number
are indexed in tables of their own. So the fields that no query reads alone carry no
index of their own: the company (first column of the composite indexes below), the
status (the lists', the queue's and the status crons' partial indexes), the context and
origin, the purpose, and the context model (its record id is indexed).

``init`` runs at install and at every upgrade of the module, like the indexes of
Odoo's own models (``account.bank.statement.line``); ``create_index`` leaves an
existing index alone.
"""

import logging
import re

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index, drop_index, escape_psql, index_exists

from .statement_triggers import ensure_statement_triggers

_logger = logging.getLogger(__name__)

TABLE = "participant_sms"
#: (name, columns, predicate): the predicates repeat the SQL the ORM writes for the
#: lists' domains, so that PostgreSQL proves the partial index applies
INDEXES = (
    # Sent list (state not in queued/cancelled, order planned_at desc, id desc): the
    # first page read in index order; without it the scan skips every SMS to come
    (
        "participant_sms_sent_list_index",
        ["planned_at DESC", "id DESC"],
        "(state NOT IN ('queued', 'cancelled') OR state IS NULL)",
    ),
    # the dispatch: a company's queued SMS in the order they are due (their next
    # attempt, or their planned time), read as a range that ends at the first one not
    # yet due (a claim when nothing is due, the count of a run); the SMS leave it when
    # claimed
    (
        "participant_sms_due_index",
        ["company_id", "COALESCE(next_attempt_at, planned_at)", "id"],
        "state = 'queued'",
    ),
    # Upcoming list and the dashboard's upcoming count: the few SMS still to go
    (
        "participant_sms_upcoming_list_index",
        ["company_id", "planned_at DESC", "id DESC"],
        "state = 'queued'",
    ),
    # the dashboard's month (sent_at) figures, read from the index alone
    (
        "participant_sms_company_sent_at_index",
        ["company_id", "sent_at", "state"],
        "sent_at IS NOT NULL",
    ),
    # the dashboard's failures of the last 30 days (status_at)
    (
        "participant_sms_company_status_at_index",
        ["company_id", "status_at", "state"],
        "status_at IS NOT NULL",
    ),
    # the dashboard's charts and the pivot: per company, planned month, status and
    # context, read from the index alone
    (
        "participant_sms_company_planned_at_index",
        ["company_id", "planned_at", "state", "context_type"],
        "",
    ),
    # the status crons: the SMS still waiting for a final status, per account, oldest
    # first (the poll), and those not received (the expiry); final SMS, nearly all
    # of the history, are not in it
    (
        "participant_sms_polled_index",
        ["account_id", "id"],
        "state IN ('processing', 'sent', 'not_received')",
    ),
)
#: indexes of earlier versions, dropped on upgrade (Odoo keeps the index of a field
#: that loses its ``index``): up to 18.0.1.9.0, the provider id's and the stale
#: claims' read the provider id, which the dispatch's answer writes (its update
#: could not be in place); the provider ids are indexed in their own table
#: (models/participant_sms_provider_ref.py), the stale claims read from the batches
#: in flight (models/participant_sms_flight.py)
DROPPED_INDEXES = (
    "participant_sms__provider_id_index",
    "participant_sms_stale_claim_index",
)
#: the numbers of the SMS not anonymised, kept by PostgreSQL triggers on
#: participant_sms: what the Phone search and the replies read through its indexes
NUMBER_TABLE = "participant_sms_number"
#: the indexes of the number, on NUMBER_TABLE (see the module's docstring)
NUMBER_INDEXES = (
    # a whole number typed in the Phone search (tools/phone_search.py), the replies'
    # search of the SMS they answer
    # (pattern operators: a start of number, ``LIKE '+33612%'``, read as a range of
    # the index whatever the database's collation, and ``=`` too)
    ("participant_sms_number_number_index", ["number varchar_pattern_ops"], ""),
    # its last digits (``_psms_number_leaf``: reverse(number) LIKE '8765%')
    (
        "participant_sms_number_reverse_index",
        ["reverse(number) text_pattern_ops"],
        "",
    ),
)
TRIGRAM_INDEX = "participant_sms_number_trgm_index"
#: the indexes of the number that were on participant_sms up to 18.0.1.6.0
OLD_NUMBER_INDEXES = (
    "participant_sms__number_index",
    "participant_sms_number_reverse_index",
    "participant_sms_number_trgm_index",
)
#: room left in each page of participant_sms for the new version of its SMS: with
#: no indexed column changed (the number is indexed on NUMBER_TABLE), the
#: anonymisation's UPDATE is then in place (HOT) and adds no entry to any index
#: (bench/bench_retention.py: 4 times faster at 50; at 70 half the rows find room)
FILLFACTOR = 50
NUMBER_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION participant_sms_number_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed integer[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- the SMS whose number changed, or that were anonymised: their rows are
        -- deleted by the primary key (an array, whatever the table's statistics)
        changed := ARRAY(
            SELECT r.id FROM old_rows AS o JOIN new_rows AS r ON r.id = o.id
             WHERE r.number IS DISTINCT FROM o.number
                OR r.anonymized_at IS DISTINCT FROM o.anonymized_at);
        IF cardinality(changed) = 0 THEN
            RETURN NULL;
        END IF;
        DELETE FROM participant_sms_number WHERE sms_id = ANY(changed);
        INSERT INTO participant_sms_number (sms_id, number)
        SELECT r.id, r.number FROM old_rows AS o JOIN new_rows AS r ON r.id = o.id
         WHERE r.number IS NOT NULL AND r.anonymized_at IS NULL
           AND (r.number IS DISTINCT FROM o.number
                OR r.anonymized_at IS DISTINCT FROM o.anonymized_at);
    ELSE
        INSERT INTO participant_sms_number (sms_id, number)
        SELECT id, number FROM new_rows
         WHERE number IS NOT NULL AND anonymized_at IS NULL;
    END IF;
    RETURN NULL;
END
$$;
"""
NUMBER_TRIGGERS = {
    "participant_sms_number_insert": "AFTER INSERT ON participant_sms "
    "REFERENCING NEW TABLE AS new_rows",
    "participant_sms_number_update": "AFTER UPDATE ON participant_sms "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
#: a search by the end of a number (tools/phone_search.py): ``%`` and digits
SUFFIX = re.compile(r"%[0-9]+")
#: above this many SMS of a searched number, the list's ordered scan meets them soon
SPARSE_NUMBER_LIMIT = 20000


class ParticipantSms(models.Model):
    _inherit = "participant.sms"

    def init(self):
        result = super().init()
        cr = self.env.cr
        for name in DROPPED_INDEXES:
            drop_index(cr, name, TABLE)
        for name, expressions, where in INDEXES:
            create_index(cr, name, TABLE, expressions, where=where)
        cr.execute(
            SQL(
                "ALTER TABLE %s SET (fillfactor = %s)",
                SQL.identifier(TABLE),
                SQL(str(int(FILLFACTOR))),
            )
        )
        self._psms_number_table()
        return result

    def _psms_number_table(self):
        """The table of the numbers of the SMS not anonymised, its indexes and the
        triggers that keep it (created, and filled in one statement, when missing)."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s)", [NUMBER_TABLE])
        created = not cr.fetchone()[0]
        if created:
            cr.execute(
                SQL(
                    """CREATE TABLE %s (
                           sms_id integer PRIMARY KEY
                                  REFERENCES participant_sms (id) ON DELETE CASCADE,
                           number varchar NOT NULL)""",
                    SQL.identifier(NUMBER_TABLE),
                )
            )
        ensure_statement_triggers(
            cr,
            NUMBER_TRIGGER_FUNCTION,
            "participant_sms_number_change",
            NUMBER_TRIGGERS,
        )
        if created:
            self._psms_number_rebuild()
        for name, expressions, where in NUMBER_INDEXES:
            create_index(cr, name, NUMBER_TABLE, expressions, where=where)
        if not index_exists(cr, TRIGRAM_INDEX) and self._psms_trigram():
            # part of a number typed in the Phone search (LIKE '%5678%', '+336%')
            create_index(
                cr, TRIGRAM_INDEX, NUMBER_TABLE, ["number gin_trgm_ops"], method="gin"
            )

    @api.model
    def _psms_number_rebuild(self):
        """Fill the number table again from the SMS, in one statement (at creation,
        and after a bulk load that disabled the triggers), and give the planner its
        statistics at once: without them, until autovacuum's next pass, a start of
        number shared by millions was read whole (a bitmap of 5,000,000 entries, 140
        ms) instead of up to its limit."""
        self.env.flush_all()
        self.env.cr.execute(
            """DELETE FROM participant_sms_number;
               INSERT INTO participant_sms_number (sms_id, number)
               SELECT id, number FROM participant_sms
                WHERE number IS NOT NULL AND anonymized_at IS NULL;
               ANALYZE participant_sms_number"""
        )

    def _psms_number_search(self, domain):
        """``domain`` on ``number`` (tools/phone_search.py) for a search of the lists.

        PostgreSQL cannot tell how many SMS a part of a number matches: ordered by
        planned send, it walks the list's index and reads a hundred thousand SMS to
        find the few of one participant (2.4 s on 10,000,000). The SMS are found
        first by the number table's indexes, with no order (the end of a number
        through the index of the reversed number); when they are few, the list reads
        them by id; when they are many, the ordered scan meets them soon.
        """
        ids = set()
        for part in self._psms_number_parts(domain):
            ids.update(self._psms_number_ids(part, SPARSE_NUMBER_LIMIT + 1))
            if len(ids) > SPARSE_NUMBER_LIMIT:
                return domain
        return [("id", "in", sorted(ids))]

    @api.model
    def _psms_number_ids(self, part, limit):
        """At most ``limit`` ids of the SMS of ``part`` (a domain), in no order: a
        leaf the number table answers is read from it alone (its index, no join
        with the SMS and no order: a start of number shared by millions stops at
        ``limit``); any other domain is searched by id."""
        condition = len(part) == 1 and self._psms_number_condition(part[0])
        if not condition:
            part = [self._psms_number_leaf(token) for token in part]
            return self.sudo()._search(part, limit=limit, order="id").get_result_ids()
        self.env["participant.sms"].flush_model(["number", "anonymized_at"])
        self.env.cr.execute(
            SQL(
                "SELECT sms_id FROM %s WHERE %s LIMIT %s",
                SQL.identifier(NUMBER_TABLE),
                condition,
                limit,
            )
        )
        return [sms_id for (sms_id,) in self.env.cr.fetchall()]

    @api.model
    def _psms_number_parts(self, domain):
        """The domains whose union is ``domain``, each answered by one index: the
        leaves of an OR of leaves (tools/phone_search.py makes nothing else), else
        ``domain`` itself. PostgreSQL reads an OR of an id subquery and a LIKE by
        scanning the whole table."""
        leaves = [token for token in domain if token != "|"]
        if len(domain) - len(leaves) != len(leaves) - 1 or not all(
            isinstance(leaf, tuple) for leaf in leaves
        ):
            return [domain]
        return [[leaf] for leaf in leaves]

    @api.model
    def _psms_number_leaf(self, token):
        """``token`` as the number table's indexes answer it (an id subquery, see
        ``_psms_number_condition``); any other token as it is."""
        condition = self._psms_number_condition(token)
        return self._psms_number_in(condition) if condition else token

    @api.model
    def _psms_number_condition(self, token):
        """``token`` as SQL on the number table's ``number``, None when the number
        table does not answer it: the end of a number (``=like '%5678'``) as a prefix
        of the reversed number; a whole number, a start or a part of it as they
        are."""
        if not (isinstance(token, tuple) and token[0] == "number"):
            return None
        operator, value = token[1], token[2]
        if operator == "=like" and isinstance(value, str) and SUFFIX.fullmatch(value):
            return SQL("reverse(number) LIKE %s", value[:0:-1] + "%")
        if operator in ("=", "=like") and isinstance(value, str):
            sql_operator = "=" if operator == "=" else "LIKE"
            return SQL("number %s %s", SQL(sql_operator), value)  # noqa: S608
        if operator in ("like", "ilike") and isinstance(value, str):
            sql_operator = "LIKE" if operator == "like" else "ILIKE"
            return SQL("number %s %s", SQL(sql_operator), f"%{escape_psql(value)}%")
        if operator == "in" and isinstance(value, list | tuple):
            return SQL("number = ANY(%s::varchar[])", [v for v in value if v])
        return None

    @api.model
    def _psms_number_in(self, condition):
        """The leaf of the SMS not anonymised whose number meets ``condition`` (SQL
        on the number table's ``number``): an id subquery on the number table, which
        the triggers keep in the transaction (the SMS written are flushed first)."""
        self.env["participant.sms"].flush_model(["number", "anonymized_at"])
        return (
            "id",
            "in",
            SQL(
                "(SELECT sms_id FROM %s WHERE %s)",
                SQL.identifier(NUMBER_TABLE),
                condition,
            ),
        )

    def _psms_trigram(self):
        """Whether pg_trgm is available in the database (created when the database
        user may: it is a trusted extension since PostgreSQL 13)."""
        cr = self.env.cr
        cr.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cr.fetchone():
            return True
        try:
            with cr.savepoint(flush=False):
                cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - any refusal: search without the index
            _logger.warning(
                "pg_trgm is not available: searching part of a phone number reads "
                "the whole SMS history. Ask the database administrator for "
                "CREATE EXTENSION pg_trgm."
            )
            return False
        self.env.registry.has_trigram = True
        return True
