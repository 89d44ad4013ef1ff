# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.8.0, before the models load: the engine now records which chatter note
quotes which SMS (models/participant_sms_note.py; ``init`` creates the table, empty).
The notes posted before have no row: rather than matching millions of notes to their
SMS by text here (a join of the whole history, unbounded), the first SMS id of the
upgrade is kept, and the retention finds the notes of the SMS below it by their text
as before (one statement here, whatever the history; those SMS leave the retention's
way as their period ends)."""

import logging

from odoo.addons.participant_sms.models.participant_sms_note import NOTE_LINKS_FROM

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """INSERT INTO ir_config_parameter
                (key, value, create_uid, write_uid, create_date, write_date)
           SELECT %s, (COALESCE(max(id), 0) + 1)::varchar, 1, 1,
                  now() at time zone 'UTC', now() at time zone 'UTC'
             FROM participant_sms
           ON CONFLICT (key) DO NOTHING
           RETURNING value""",
        [NOTE_LINKS_FROM],
    )
    row = cr.fetchone()
    if row:
        _logger.info("SMS notes found by their text below SMS id %s", row[0])
