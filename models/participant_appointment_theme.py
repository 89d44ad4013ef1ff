# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ParticipantAppointmentTheme(models.Model):
    _name = "participant.appointment.theme"
    _inherit = ["participant.config.mixin"]
    _description = "Appointment theme"
