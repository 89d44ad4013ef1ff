# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an uninstall removes beyond Odoo's own clean-up.

Odoo drops the tables of the module's models and the columns it added to Odoo's own
(with their indexes and triggers); it does not know the objects the module made by SQL:
the daily counts', the number table's, the provider ids' and the batches in flight's
trigger functions, the number table (it holds the numbers of the SMS not anonymised),
the provider ids' table, the table of the dispatch batches in flight, the note table
(which note quotes which SMS) and the per-account rate slot table, nor the parameter
the upgrade to 18.0.1.8.0 set by SQL. The hook drops them, so that after an uninstall
nothing of the module is left in the database (``scripts/test.sh`` checks the catalogue
after its uninstall).
"""

from odoo.tools import SQL

#: the functions the module created by SQL (models/participant_sms_daily.py,
#: models/participant_sms_indexes.py, models/participant_sms_provider_ref.py,
#: models/participant_sms_flight.py)
FUNCTIONS = (
    "participant_sms_daily_change",
    "participant_sms_number_change",
    "participant_sms_provider_ref_change",
    "participant_sms_flight_change",
)
#: the tables the module created by SQL (models/participant_sms_account.py,
#: models/participant_sms_indexes.py, models/participant_sms_note.py,
#: models/participant_sms_provider_ref.py, models/participant_sms_flight.py)
TABLES = (
    "participant_sms_rate_slot",
    "participant_sms_number",
    "participant_sms_note",
    "participant_sms_provider_ref",
    "participant_sms_flight",
)
#: the system parameters the module set by SQL (migrations/18.0.1.8.0)
PARAMETERS = ("participant_sms.note_links_from",)


def uninstall_hook(env):
    """Drop the module's SQL-made objects (run before Odoo drops the models' tables:
    the triggers still using a function go with it)."""
    for function in FUNCTIONS:
        env.cr.execute(
            SQL("DROP FUNCTION IF EXISTS %s() CASCADE", SQL.identifier(function))
        )
    for table in TABLES:
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
    env.cr.execute(
        "DELETE FROM ir_config_parameter WHERE key = ANY(%s)", [list(PARAMETERS)]
    )
