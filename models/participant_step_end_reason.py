# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ParticipantStepEndReason(models.Model):
    _name = "participant.step.end.reason"
    _inherit = ["participant.config.mixin"]
    _description = "Step end reason"
