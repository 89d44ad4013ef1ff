# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ParticipantStepType(models.Model):
    _name = "participant.step.type"
    _inherit = ["participant.config.mixin"]
    _description = "Step type"
