# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.11.0, after the models load: the provider ids' table loses the rows of
the SMS deleted, and of the SMS final (P3, models/participant_sms_provider_ref.py).

Up to 18.0.1.10.0 its triggers followed inserts and updates only: a row of an SMS
deleted by SQL (a bulk clean-up, a script) stayed, found by no lookup but read by
each answer's inserts into its index; so did the row of an SMS whose id was cleared
before it reached a final status. ``init`` has brought the triggers that remove both;
this deletes what was left before them, in one statement (the table holds the SMS in
flight only: a few thousand rows, a few hundred thousand on ten million SMS).
"""

import logging

from odoo.addons.participant_sms.models.participant_sms_selections import FINAL_STATES

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """DELETE FROM participant_sms_provider_ref AS r
            WHERE NOT EXISTS (SELECT 1 FROM participant_sms AS s
                               WHERE s.id = r.sms_id AND s.state NOT IN %s)""",
        [tuple(sorted(FINAL_STATES))],
    )
    if cr.rowcount:
        _logger.info(
            "Provider ids' table: %s rows of SMS deleted or final removed",
            cr.rowcount,
        )
