# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ParticipantFollowedMixin(models.AbstractModel):
    """A record about one participant, in the participant's company (steps,
    orientations, documents): only that company's users see it (a global rule per
    model)."""

    _name = "participant.followed.mixin"
    _description = "Record about a participant"

    participant_id = fields.Many2one(
        "res.partner",
        string="Participant",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_participant", "=", True)],
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        required=True,
        help="Company of the participant: only its users see this record.",
    )

    @api.depends("participant_id", "participant_id.company_id")
    def _compute_company_id(self):
        for record in self:
            record.company_id = (
                record.participant_id.company_id
                or record.company_id
                or self.env.company
            )
