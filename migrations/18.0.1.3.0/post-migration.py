# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0: the crons decide their commits at their entry.

The SMS crons are ``noupdate`` data: their code stays as it was installed. Their methods
now commit only when asked (``auto_commit=True``, as Odoo's ``mail`` does), so each cron
of ``data/participant_sms_data.xml`` that still runs the declared method without that
argument gets the declared code. A cron whose code an administrator rewrote into
something else is left alone; interval, next call and active flag are the
administrator's and stay.

An SMS changed while in flight kept the names of the changed fields, comma-joined
(``changed_in_flight``); only whether its text must be rewritten when it comes back to
the queue is kept now (``rewrite_after_flight``: one of the fields its text is made of
changed). The old column is dropped once read.
"""

import logging

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_open

_logger = logging.getLogger(__name__)

DATA_FILE = "participant_sms/data/participant_sms_data.xml"


def _declared_codes():
    """``{xml id: code}`` of the crons of the data file."""
    with file_open(DATA_FILE, "rb") as handle:
        root = etree.parse(handle).getroot()
    return {
        record.get("id"): record.find("field[@name='code']").text.strip()
        for record in root.iter("record")
        if record.get("model") == "ir.cron"
    }


def _column_exists(cr, table, column):
    cr.execute(
        """SELECT 1 FROM information_schema.columns
                   WHERE table_name = %s AND column_name = %s""",
        [table, column],
    )
    return bool(cr.fetchone())


def _migrate_changed_in_flight(env):
    cr = env.cr
    if not _column_exists(cr, "participant_sms", "changed_in_flight"):
        return
    cr.execute("""SELECT id, res_model, changed_in_flight FROM participant_sms
                   WHERE COALESCE(changed_in_flight, '') != ''""")
    rewrite = [
        sms_id
        for sms_id, model, changed in cr.fetchall()
        if model in env and set(changed.split(",")) & env[model]._psms_text_fields
    ]
    if rewrite:
        cr.execute(
            "UPDATE participant_sms SET rewrite_after_flight = TRUE WHERE id IN %s",
            [tuple(rewrite)],
        )
    cr.execute("ALTER TABLE participant_sms DROP COLUMN changed_in_flight")
    _logger.info(
        "participant_sms 18.0.1.3.0: %s SMS changed in flight to rewrite", len(rewrite)
    )


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    _migrate_changed_in_flight(env)
    fixed = 0
    for xmlid, code in _declared_codes().items():
        cron = env.ref(f"participant_sms.{xmlid}", raise_if_not_found=False)
        if not cron or cron.code == code:
            continue
        previous = code.replace("auto_commit=True", "")
        if (cron.code or "").strip() == previous:
            cron.code = code
            fixed += 1
    _logger.info(
        "participant_sms 18.0.1.3.0: %s crons now commit at their entry", fixed
    )
