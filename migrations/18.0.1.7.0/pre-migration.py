# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.7.0, before the models load: the indexes of the SMS' number leave
participant_sms for the number table (models/participant_sms_indexes.py), so that the
retention's UPDATE, which clears the number, can be in place (HOT) and add no index
entry. They are dropped here; ``init`` then creates the number table, fills it from
the SMS not anonymised in one statement, and creates its indexes (two of them under
the old names), its triggers and the table's fillfactor (new pages only: the history
already written keeps its pages until a ``VACUUM FULL participant_sms``)."""

import logging

from odoo.tools.sql import drop_index

from odoo.addons.participant_sms.models.participant_sms_indexes import (
    OLD_NUMBER_INDEXES,
)

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute("SELECT to_regclass('participant_sms_number')")
    if cr.fetchone()[0]:
        return  # already moved
    for name in OLD_NUMBER_INDEXES:
        drop_index(cr, name, "participant_sms")
    _logger.info("Indexes of the SMS' number dropped: the number table holds them")
