# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..tools.providers import InboundReply


class ParticipantSmsSimulateReply(models.TransientModel):
    """The simulator answers an SMS as the participant would (demo and tests): the reply
    goes through the same path as a provider's callback."""

    _name = "participant.sms.simulate.reply"
    _description = "Simulate an SMS reply"

    sms_id = fields.Many2one(
        "participant.sms", string="SMS", required=True, readonly=True
    )
    text = fields.Char(string="Reply", required=True, default="OUI")

    def action_send(self):
        self.ensure_one()
        account = self.sms_id.account_id
        if account.provider != "simulator":
            raise UserError(
                _("Only SMS sent through the simulator can get a simulated reply.")
            )
        if not self.sms_id.sent_at:
            raise UserError(_("The SMS has not been sent yet."))
        reply = InboundReply(
            f"sim-in-{uuid.uuid4().hex}",
            self.sms_id.number,
            self.text,
            self.sms_id.provider_tag or "",
        )
        records = self.env["participant.sms.reply"].sudo()._process(account, [reply])
        result = dict(records._fields["result"]._description_selection(self.env)).get(
            records.result, ""
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _("Reply recorded: %s", result),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
