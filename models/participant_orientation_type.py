from odoo import models


class ParticipantOrientationType(models.Model):
    _name = "participant.orientation.type"
    _inherit = ["participant.config.mixin"]
    _description = "Orientation type"
