# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0, before the models load: the provider's credit unit is kept as the
provider gives it (``balance_unit_code``, e.g. "simulated SMS"), and shown in the user's
language by a computed ``balance_unit``. The stored column is renamed, so that the unit
of every account stays known until the next balance refresh (dropping it would show no
unit)."""

import logging

_logger = logging.getLogger(__name__)


def _column_exists(cr, table, column):
    cr.execute(
        """SELECT 1 FROM information_schema.columns
                   WHERE table_name = %s AND column_name = %s""",
        [table, column],
    )
    return bool(cr.fetchone())


def migrate(cr, version):
    if not version:
        return
    table = "participant_sms_account"
    if _column_exists(cr, table, "balance_unit") and not _column_exists(
        cr, table, "balance_unit_code"
    ):
        cr.execute(
            "ALTER TABLE participant_sms_account "
            "RENAME COLUMN balance_unit TO balance_unit_code"
        )
        _logger.info(
            "participant_sms 18.0.1.3.0: the provider accounts' credit unit kept"
        )
