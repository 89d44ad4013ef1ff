# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ParticipantAppointmentType(models.Model):
    _name = "participant.appointment.type"
    _inherit = ["participant.config.mixin"]
    _description = "Appointment type"
