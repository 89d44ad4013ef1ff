# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""calendar_sms's SMS alarms skip participant attendees.

The alarm cron (``calendar.alarm_manager._send_reminder`` -> ``_do_sms_reminder``) must
not fail: a participant attendee (or an attendee with a participant's number) is left
out, the others are texted as in Odoo; the participant's reminder is the appointment's
own (the addon's engine). The calendar "SMS" button refuses at once when an attendee is
a participant (also one the user cannot see: the composer would only get the attendees
the user can read).
"""

import logging

from odoo import models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def action_send_sms(self):
        attendees = self.sudo().partner_ids
        self.env["sms.sms"]._psms_refuse(
            attendees,
            attendees.mapped("mobile") + attendees.mapped("phone"),
            error=UserError,
        )
        return super().action_send_sms()

    def _do_sms_reminder(self, alarms):
        return super(
            CalendarEvent, self.with_context(psms_skip_participants=True)
        )._do_sms_reminder(alarms)

    def _message_sms(self, body, subtype_id=False, partner_ids=False, **kwargs):
        if self.env.context.get("psms_skip_participants") and partner_ids:
            partners = self.env["res.partner"].sudo().browse(partner_ids)
            participants, numbers = self.env["sms.sms"]._psms_participants_among(
                partners, partners.mapped("mobile") + partners.mapped("phone")
            )
            numbers = set(numbers)
            skipped = participants | partners.filtered(
                lambda partner: partner.mobile in numbers or partner.phone in numbers
            )
            if skipped:
                _logger.info(
                    "Calendar SMS alarm of event %s: %s participant attendee(s) left "
                    "to the appointment's own reminder",
                    self.id,
                    len(skipped),
                )
                partner_ids = [pid for pid in partner_ids if pid not in skipped.ids]
                if not partner_ids:
                    return self.env["mail.message"]
        return super()._message_sms(
            body, subtype_id=subtype_id, partner_ids=partner_ids, **kwargs
        )
