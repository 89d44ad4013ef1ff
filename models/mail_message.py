# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MailMessage(models.Model):
    """The messages of a participant's appointment (notes quoting SMS, replies,
    tracking) are read only by those who follow participants (README, "Who sees what",
    W3): other employees, who see the appointment as busy time, do not find them by
    searching messages."""

    _inherit = "mail.message"

    @api.model
    def _find_allowed_model_wise(self, doc_model, doc_dict):
        if doc_model == "calendar.event":
            hidden = self.env["calendar.event"]._psms_hidden_among(doc_dict)
            if hidden:
                doc_dict = {
                    res_id: ids
                    for res_id, ids in doc_dict.items()
                    if res_id not in hidden
                }
        return super()._find_allowed_model_wise(doc_model, doc_dict)
