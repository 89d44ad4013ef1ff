from odoo import models


class ParticipantChannel(models.Model):
    _name = "participant.channel"
    _inherit = ["participant.config.mixin"]
    _description = "Appointment channel"
