# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's SMS composer refuses participants before anything is queued.

The same refusal as ``sms.sms`` (``models/sms_sms.py``), said earlier: when the composer
opens on contacts among which a participant (the contact's "Send SMS", the calendar
"SMS" button, server actions, ``_message_sms_schedule_mass``: every path reads its
records through ``_get_records``), when a participant's number is typed (numbers mode),
and before sending from any document (its recipients and numbers). A UserError, shown to
the user; ``sms.sms``'s constraint stays the guard for every other path.
"""

from odoo import models
from odoo.exceptions import UserError


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    def _get_records(self):
        records = super()._get_records()
        if records and records._name == "res.partner":
            self.env["sms.sms"]._psms_refuse(records, [], error=UserError)
        return records

    def _compute_sanitized_numbers(self):
        computed = super()._compute_sanitized_numbers()
        numbers = [
            number
            for composer in self
            if composer.sanitized_numbers
            for number in composer.sanitized_numbers.split(",")
        ]
        if numbers:
            self.env["sms.sms"]._psms_refuse(
                self.env["res.partner"], numbers, error=UserError
            )
        return computed

    def _action_send_sms(self):
        self._psms_check_recipients()
        return super()._action_send_sms()

    def _psms_check_recipients(self):
        """Refuse when a recipient of this send is a participant or has a participant's
        number: the records' partners and numbers as Odoo will compute them, the numbers
        typed, the single recipient's corrected number."""
        partners = self.env["res.partner"]
        numbers = []
        for composer in self:
            if composer.sanitized_numbers:
                numbers += composer.sanitized_numbers.split(",")
            if composer.recipient_single_number_itf:
                numbers.append(composer.recipient_single_number_itf)
            if composer.composition_mode == "numbers":
                continue
            records = composer._get_records()
            if not records or not isinstance(records, self.pool["mail.thread"]):
                continue
            info = records._sms_get_recipients_info(
                force_field=composer.number_field_name
            )
            for values in info.values():
                partners |= values["partner"]
                numbers.append(values["sanitized"] or values["number"])
        self.env["sms.sms"]._psms_refuse(partners, numbers, error=UserError)
