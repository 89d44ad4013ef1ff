# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ParticipantChannel(models.Model):
    _name = "participant.channel"
    _inherit = ["participant.config.mixin"]
    _description = "Appointment channel"
