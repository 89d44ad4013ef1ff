# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``ensure_statement_triggers``: the statement triggers that keep one of the
engine's side tables (the daily counts, the numbers) in step with ``participant_sms``.

Each side table has one PL/pgSQL function (``CREATE OR REPLACE``: an upgrade brings
its new body) and a trigger per event, created when missing, so that ``init`` may run
at every install and upgrade. The uninstall hook (``hooks.py``) drops them.
"""

from odoo.tools import SQL


def ensure_statement_triggers(cr, function_sql, function_name, triggers):
    """Create (or replace) the trigger function ``function_sql`` named
    ``function_name``, and each trigger of ``triggers`` ({trigger name: its
    ``AFTER … ON … REFERENCING …`` clause, a constant of the caller}) that does
    not exist yet, ``FOR EACH STATEMENT``. Return whether a trigger was created
    (a first install, or an upgrade that brings the side table)."""
    cr.execute(function_sql)
    created = False
    for name, clause in triggers.items():
        cr.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [name])
        if cr.fetchone():
            continue
        cr.execute(
            SQL(
                "CREATE TRIGGER %s %s FOR EACH STATEMENT EXECUTE FUNCTION %s()",
                SQL.identifier(name),
                SQL(clause),  # noqa: S608 - a constant of the caller
                SQL.identifier(function_name),
            )
        )
        created = True
    return created
