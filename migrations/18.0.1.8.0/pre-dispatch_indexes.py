# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.8.0, before the models load: fewer index entries per dispatch update.

Each of the dispatch's two updates of an SMS (the claim, then the provider's answer)
changes indexed columns, so it adds an entry to every index of participant_sms whose
condition the row meets (issue 19). Odoo keeps an index whose field lost ``index``,
and leaves an index alone when only its kind changed (``Registry.check_indexes``),
so this drops:

- the dispatch tag's index, which no query reads (the reconciliation finds the stale
  claims by status; a reply's reference is looked for among the SMS of its number);
- the full indexes of the provider id, recipient, context record and batch
  reference, which the registry then creates again without the empty values
  (``btree_not_null``): the claim's row has no provider id yet, a free or batch SMS
  no record, most SMS no batch.
"""

import logging

from odoo.tools.sql import drop_index

_logger = logging.getLogger(__name__)

TABLE = "participant_sms"
#: the index no query reads
UNREAD = ("participant_sms__provider_tag_index",)
#: the indexes that become partial (without the SMS whose column is empty)
NOT_NULL = tuple(
    f"participant_sms__{column}_index"
    for column in ("provider_id", "partner_id", "res_id", "batch_ref")
)


def migrate(cr, version):
    if not version:
        return
    for name in UNREAD:
        drop_index(cr, name, TABLE)
    cr.execute(
        """SELECT indexname FROM pg_indexes
            WHERE tablename = %s AND indexname IN %s
              AND indexdef NOT LIKE '%%IS NOT NULL%%'""",
        [TABLE, NOT_NULL],
    )
    for (name,) in cr.fetchall():
        drop_index(cr, name, TABLE)
        _logger.info("Index %s dropped: it comes back without the empty values", name)
