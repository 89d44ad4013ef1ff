# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collaborator attends the participant's appointments (their calendar shows them).

Appointments made before 18.0.1.2.0 by a batch (and the demo ones) had no attendee: the
collaborator's own calendar showed nothing on the day they held them. Each participant's
appointment now has its collaborator's partner among its attendees, as Odoo records one:
a row of ``partner_ids`` and a ``calendar.attendee`` (accepted: they hold it). Nobody is
invited by mail; an appointment that already has them is left as it is (run twice,
nothing changes)."""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        INSERT INTO calendar_event_res_partner_rel (calendar_event_id, res_partner_id)
        SELECT e.id, u.partner_id
          FROM calendar_event e
          JOIN res_users u ON u.id = e.participant_collaborator_id
         WHERE e.participant_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM calendar_event_res_partner_rel rel
                            WHERE rel.calendar_event_id = e.id
                              AND rel.res_partner_id = u.partner_id)""")
    _logger.info("appointments given their collaborator as attendee: %s", cr.rowcount)
    cr.execute(
        """
        INSERT INTO calendar_attendee (event_id, partner_id, common_name,
            access_token, state,
                                       create_uid, write_uid, create_date, write_date)
        SELECT e.id, u.partner_id, COALESCE(p.name, p.email),
               replace(gen_random_uuid()::text, '-', ''), 'accepted',
               %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM calendar_event e
          JOIN res_users u ON u.id = e.participant_collaborator_id
          JOIN res_partner p ON p.id = u.partner_id
         WHERE e.participant_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM calendar_attendee a
                            WHERE a.event_id = e.id AND a.partner_id = u.partner_id)""",
        {"uid": SUPERUSER_ID},
    )
    _logger.info("collaborators' attendee records added: %s", cr.rowcount)
    # the ORM of the modules loaded after this one reads what SQL wrote, not stale
    # caches
    api.Environment(cr, SUPERUSER_ID, {}).invalidate_all()
