# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ParticipantDocumentType(models.Model):
    """A kind of document a participant agrees to (CER, PPAE, consent form...)."""

    _name = "participant.document.type"
    _description = "Document type"
    _inherit = ["participant.config.mixin"]
    _order = "sequence, name, id"

    code = fields.Char(
        string="Short name",
        help="How the document is named in the SMS of its agreement code (e.g. CER).",
    )
