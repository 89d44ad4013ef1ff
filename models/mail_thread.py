# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``mail.thread._message_sms`` (and ``_message_sms_with_template``, which calls it)
refuses participants before the message is posted: the partners and numbers given, and
the record itself when it is a contact. ``sms.sms``'s constraint (``models/sms_sms.py``)
still catches the recipients Odoo computes afterwards (a record's customer, its number
fields)."""

from odoo import models
from odoo.exceptions import UserError


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_sms(
        self,
        body,
        subtype_id=False,
        partner_ids=False,
        number_field=False,
        sms_numbers=None,
        sms_pid_to_number=None,
        **kwargs,
    ):
        partners = self.env["res.partner"].browse(partner_ids or [])
        if self._name == "res.partner":
            partners |= self
        numbers = list(sms_numbers or []) + list((sms_pid_to_number or {}).values())
        self.env["sms.sms"]._psms_refuse(partners, numbers, error=UserError)
        return super()._message_sms(
            body,
            subtype_id=subtype_id,
            partner_ids=partner_ids,
            number_field=number_field,
            sms_numbers=sms_numbers,
            sms_pid_to_number=sms_pid_to_number,
            **kwargs,
        )
