from odoo import models


class ParticipantProgramme(models.Model):
    _name = "participant.programme"
    _inherit = ["participant.config.mixin"]
    _description = "Programme"
