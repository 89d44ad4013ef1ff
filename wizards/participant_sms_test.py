# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models


class ParticipantSmsTest(models.TransientModel):
    """Send a template rendered with example values to a number the administrator
    types."""

    _name = "participant.sms.test"
    _description = "Send a test SMS"

    template_id = fields.Many2one(
        "participant.sms.template", required=True, readonly=True
    )
    number = fields.Char(required=True)
    body = fields.Text(string="Text", compute="_compute_body")

    @api.depends("template_id")
    def _compute_body(self):
        for wizard in self:
            wizard.body = wizard.template_id._render(
                wizard.template_id._example_values()
            )

    @api.model
    def _open_wizard(self, template):
        self.check_access("create")
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": _("Send a test SMS"),
            "context": {"default_template_id": template.id},
        }

    def action_send(self):
        self.ensure_one()
        sms = self.env["participant.sms"]._queue(
            [
                {
                    "origin": "test",
                    "context_type": "test",
                    "number": self.number,
                    "body": self.body,
                    "planned_at": fields.Datetime.now(),
                    "reply_enabled": self.template_id.reply_enabled,
                }
            ]
        )
        self.env.ref("participant_sms.ir_cron_sms_dispatch").sudo()._trigger()
        status = dict(sms._fields["state"]._description_selection(self.env))[sms.state]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _(
                    "Test SMS to %(number)s: %(status)s. It leaves in a moment (see "
                    "Sent SMS).",
                    number=sms.number_display,
                    status=status,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
