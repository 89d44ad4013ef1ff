# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Before the 18.0.1.2.0 models load: the columns whose default would break a promise
made to the data already there are created here, with the value that keeps it (the ORM
then finds them and leaves their values alone). Idempotent: nothing is done where the
column exists.

* ``participant_sms_reply.seen`` (My SMS, marked by the collaborator): the replies
  received before it existed were read where they were shown then (the appointment's
  chatter), so they are seen; a database that already has the column (18.0.1.1.0) keeps
  each reply as users left it.
* ``res_company.psms_enforce_packages``: until 18.0.1.1.0 an SMS waited when the
  packages had no credit left; a company that bought packages keeps that rule, the
  others get the new default (packages are an optional budget).
* ``res_company.psms_text_mode``: before it existed the texts went as typed; an existing
  company keeps that (``keep``), new companies get the new default (typography
  replaced).
"""

import logging

_logger = logging.getLogger(__name__)


def _table_exists(cr, table):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", [table])
    return bool(cr.fetchone())


def _column_exists(cr, table, column):
    cr.execute(
        """SELECT 1 FROM information_schema.columns
                   WHERE table_name = %s AND column_name = %s""",
        [table, column],
    )
    return bool(cr.fetchone())


def _replies_seen(cr):
    if not _table_exists(cr, "participant_sms_reply") or _column_exists(
        cr, "participant_sms_reply", "seen"
    ):
        return
    cr.execute("ALTER TABLE participant_sms_reply ADD COLUMN seen boolean")
    cr.execute("UPDATE participant_sms_reply SET seen = TRUE")
    _logger.info(
        "participant_sms 18.0.1.2.0: %s replies received before the upgrade marked "
        "seen",
        cr.rowcount,
    )


def _enforce_packages(cr):
    if _column_exists(cr, "res_company", "psms_enforce_packages"):
        return
    cr.execute("ALTER TABLE res_company ADD COLUMN psms_enforce_packages boolean")
    if _table_exists(cr, "participant_sms_package"):
        cr.execute("""UPDATE res_company c
                         SET psms_enforce_packages = EXISTS (
                             SELECT 1 FROM participant_sms_package p WHERE
                                 p.company_id = c.id)""")
    else:
        cr.execute("UPDATE res_company SET psms_enforce_packages = FALSE")
    cr.execute("SELECT count(*) FROM res_company WHERE psms_enforce_packages")
    _logger.info(
        "participant_sms 18.0.1.2.0: SMS packages stay enforced for %s companies that "
        "had bought packages",
        cr.fetchone()[0],
    )


def _text_mode(cr):
    if _column_exists(cr, "res_company", "psms_text_mode"):
        return
    cr.execute("ALTER TABLE res_company ADD COLUMN psms_text_mode varchar")
    cr.execute("UPDATE res_company SET psms_text_mode = 'keep'")
    _logger.info(
        "participant_sms 18.0.1.2.0: %s companies keep sending texts as typed",
        cr.rowcount,
    )


def migrate(cr, version):
    if not version:
        return
    _replies_seen(cr)
    _enforce_packages(cr)
    _text_mode(cr)
