# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``ensure_statement_triggers``: the statement triggers that keep one of the
engine's side tables (the daily counts, the numbers) in step with ``participant_sms``.

Each side table has one PL/pgSQL function (``CREATE OR REPLACE``: an upgrade brings
its new body) and a trigger per event, created when missing, so that ``init`` may run
at every install and upgrade. The uninstall hook (``hooks.py``) drops them.

``keys_kept``: around an UPDATE that writes none of the daily counts' keys, so that
their trigger counts nothing. (Here, in a file that defines no model, so that the
engine's files import it without changing the order in which Odoo creates the
tables: the daily counts' triggers need ``participant_sms``.)
"""

import contextlib

import psycopg2

from odoo.tools import SQL

#: a transaction setting that an UPDATE of participant_sms writing none of the
#: counted columns (company, planned send, status, context, origin, participant,
#: author) sets around itself (``keys_kept``), so that its trigger counts nothing
KEYS_KEPT = "participant_sms.daily_keys_kept"


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


@contextlib.contextmanager
def keys_kept(cr):
    """Around an UPDATE of participant_sms that writes none of the counted columns:
    its trigger counts nothing (a transaction setting, ``KEYS_KEPT``). Reset when the
    block ends, or raises anything but a database error; after a database error the
    transaction (or savepoint) is aborted and PostgreSQL rolls the setting back with
    it, before anything else can run."""
    cr.execute("SELECT set_config(%s, 'on', true)", [KEYS_KEPT])
    try:
        yield
    except psycopg2.Error:
        raise
    except BaseException:
        cr.execute("SELECT set_config(%s, 'off', true)", [KEYS_KEPT])
        raise
    cr.execute("SELECT set_config(%s, 'off', true)", [KEYS_KEPT])
