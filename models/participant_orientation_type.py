# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ParticipantOrientationType(models.Model):
    _name = "participant.orientation.type"
    _inherit = ["participant.config.mixin"]
    _description = "Orientation type"
