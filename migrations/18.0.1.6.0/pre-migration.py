# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.6.0, before the models load: the daily SMS counts have new keys (the day of
the company's zone instead of the UTC day; whether to a participant, and by whom when
not), so that they answer the pivot by the days a user sees, for collaborators too.
Their triggers are dropped here: ``init`` then creates them with the new function and,
as at the first install, counts the whole history again in one statement. A database
without the daily counts (before 18.0.1.5.0) has nothing to drop.

The single-column indexes of the SMS that no query reads alone are dropped (Odoo keeps
an index whose field lost ``index=True``): each cost every write that is not an
in-place update (models/participant_sms_indexes.py)."""

import logging

from odoo.tools import SQL
from odoo.tools.sql import drop_index

from odoo.addons.participant_sms.models.participant_sms_daily import TRIGGERS

_logger = logging.getLogger(__name__)

#: columns of the SMS whose own index is gone (no query reads them alone)
DROPPED_INDEXES = (
    "company_id",
    "state",
    "origin",
    "purpose",
    "context_type",
    "res_model",
)


def migrate(cr, version):
    if not version:
        return
    for event in TRIGGERS:
        cr.execute(
            SQL(
                "DROP TRIGGER IF EXISTS %s ON participant_sms",
                SQL.identifier(f"participant_sms_daily_{event}"),
            )
        )
    _logger.info("participant_sms 18.0.1.6.0: daily SMS counts to be counted again")
    for column in DROPPED_INDEXES:
        drop_index(cr, f"participant_sms__{column}_index", "participant_sms")
