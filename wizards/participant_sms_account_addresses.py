# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ParticipantSmsAccountAddresses(models.TransientModel):
    """Shows new callback addresses once, right after they are made. The dialog is never
    saved: its values come from the action's context, so the secret is stored nowhere.
    """

    _name = "participant.sms.account.addresses"
    _description = "New SMS callback addresses"

    account_id = fields.Many2one("participant.sms.account", readonly=True)
    delivery_report_url = fields.Char(string="Delivery report address", readonly=True)
    inbound_url = fields.Char(string="Reply address", readonly=True)
    registration = fields.Char(string="Registration at the provider", readonly=True)
