# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The composite and partial indexes of the SMS history, chosen from ``EXPLAIN
ANALYZE`` on 10,000,000 SMS (issue 19, ``bench/make_big_db.py``).

Every index of the table costs each write that is not an in-place (HOT) update: the
dispatch, the statuses, and above all the anonymisation, which clears the indexed
number. So the fields that no query reads alone carry no index of their own: the
company (first column of the composite indexes below), the status (the lists', the
queue's and the status crons' partial indexes), the context and origin, the purpose,
and the context model (its record id is indexed).

``init`` runs at install and at every upgrade of the module, like the indexes of
Odoo's own models (``account.bank.statement.line``); ``create_index`` leaves an
existing index alone.
"""

import logging
import re

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

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
    # a whole number typed in the Phone search (tools/phone_search.py)
    ("participant_sms__number_index", ["number"], ""),
    # its last digits (``_psms_number_search``: reverse(number) LIKE '8765%')
    (
        "participant_sms_number_reverse_index",
        ["reverse(number) text_pattern_ops"],
        "number IS NOT NULL",
    ),
)
TRIGRAM_INDEX = "participant_sms_number_trgm_index"
#: a search by the end of a number (tools/phone_search.py): ``%`` and digits
SUFFIX = re.compile(r"%[0-9]+")
#: above this many SMS of a searched number, the list's ordered scan meets them soon
SPARSE_NUMBER_LIMIT = 20000


class ParticipantSms(models.Model):
    _inherit = "participant.sms"

    def init(self):
        result = super().init()
        cr = self.env.cr
        for name, expressions, where in INDEXES:
            create_index(cr, name, TABLE, expressions, where=where)
        if not index_exists(cr, TRIGRAM_INDEX) and self._psms_trigram():
            # part of a number typed in the Phone search (LIKE '%5678%', '+336%')
            create_index(
                cr, TRIGRAM_INDEX, TABLE, ["number gin_trgm_ops"], method="gin"
            )
        return result

    def _psms_number_search(self, domain):
        """``domain`` on ``number`` (tools/phone_search.py) for a search of the lists.

        PostgreSQL cannot tell how many SMS a part of a number matches: ordered by
        planned send, it walks the list's index and reads a hundred thousand SMS to
        find the few of one participant (2.4 s on 10,000,000). The SMS are found
        first by the number's indexes, with no order (the end of a number through the
        index of the reversed number); when they are few, the list reads them by id;
        when they are many, the ordered scan meets them soon.
        """
        ids = set()
        for part in self._psms_number_parts(domain):
            found = self.sudo()._search(part, limit=SPARSE_NUMBER_LIMIT + 1)
            ids.update(found.get_result_ids())
            if len(ids) > SPARSE_NUMBER_LIMIT:
                return domain
        return [("id", "in", sorted(ids))]

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
        return [[self._psms_number_leaf(leaf)] for leaf in leaves]

    @api.model
    def _psms_number_leaf(self, token):
        """``token`` as its index answers it: the end of a number (``=like
        '%5678'``) as a prefix of the reversed number; any other token as it is."""
        if (
            isinstance(token, tuple)
            and token[:2] == ("number", "=like")
            and SUFFIX.fullmatch(token[2])
        ):
            return (
                "id",
                "in",
                SQL(
                    "(SELECT id FROM participant_sms WHERE number IS NOT NULL "
                    "AND reverse(number) LIKE %s)",
                    token[2][:0:-1] + "%",
                ),
            )
        return token

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
