# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ParticipantProgramme(models.Model):
    _name = "participant.programme"
    _inherit = ["participant.config.mixin"]
    _description = "Programme"
