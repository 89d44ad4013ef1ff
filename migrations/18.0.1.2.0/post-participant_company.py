# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Participants' data within their company (README, "Who sees what").

Participants made before 18.0.1.2.0 may have no company, which made their file readable
from every company of the database. Each one now belongs to its referent's company, else
to the company of the user who created the file, else to the main company; their
appointments, steps and orientations (whose company the upgrade computed before this
script ran) follow them."""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE res_partner p
           SET company_id = COALESCE(
                   (SELECT u.company_id FROM res_users u WHERE u.id =
                       p.participant_referent_id),
                   (SELECT u.company_id FROM res_users u WHERE u.id = p.create_uid),
                   (SELECT min(id) FROM res_company))
         WHERE p.is_participant AND p.company_id IS NULL""")
    _logger.info("participants given the company that follows them: %s", cr.rowcount)
    for table, column in (
        ("calendar_event", "participant_company_id"),
        ("participant_step", "company_id"),
        ("participant_orientation", "company_id"),
    ):
        cr.execute(
            SQL(
                """
            UPDATE %(table)s t SET %(column)s = p.company_id
              FROM res_partner p
             WHERE p.id = t.participant_id AND t.%(column)s IS DISTINCT FROM
                 p.company_id""",
                table=SQL.identifier(table),
                column=SQL.identifier(column),
            )
        )
        _logger.info("%s following their participant's company: %s", table, cr.rowcount)
    # the ORM of the modules loaded after this one reads what SQL wrote, not stale
    # caches
    api.Environment(cr, SUPERUSER_ID, {}).invalidate_all()
