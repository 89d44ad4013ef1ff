# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ParticipantList(models.Model):
    """A saved, named selection of participants that any authorised user can reuse."""

    _name = "participant.list"
    _description = "Saved participant list"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
    )
    description = fields.Text()
    partner_ids = fields.Many2many(
        "res.partner",
        "participant_list_partner_rel",
        "list_id",
        "partner_id",
        string="Participants",
        domain=[("is_participant", "=", True)],
    )
    participant_count = fields.Integer(
        compute="_compute_participant_count", string="Count"
    )

    @api.depends("partner_ids")
    def _compute_participant_count(self):
        for plist in self:
            plist.participant_count = len(plist.partner_ids)

    def action_open_participants(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participants"
        )
        action["domain"] = [("id", "in", self.partner_ids.ids)]
        return action

    @api.model
    def action_create_from_partners(self, partners):
        """Save the participants among ``partners`` as a new list and open it."""
        participants = partners.filtered("is_participant")
        if not participants:
            raise UserError(_("Select at least one participant to save a list."))
        plist = self.create(
            {
                "name": _(
                    "Selection of %(date)s",
                    date=fields.Date.to_string(fields.Date.context_today(self)),
                ),
                "partner_ids": [fields.Command.set(participants.ids)],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": plist.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
