# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ParticipantConfigMixin(models.AbstractModel):
    """Common shape of the configurable lists (types, themes, outcomes, channels...)."""

    _name = "participant.config.mixin"
    _description = "Participant configurable list entry"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "This name is already used in this list."),
    ]
