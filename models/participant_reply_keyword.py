# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.replies import normalize


class ParticipantReplyKeyword(models.Model):
    """A word a participant may answer to a reminder ("oui", "non"...), tied to one
    outcome."""

    _name = "participant.reply.keyword"
    _description = "SMS reply keyword"
    _order = "name"

    name = fields.Char(string="Keyword", required=True)
    outcome_ids = fields.Many2many(
        "participant.appointment.outcome",
        "participant_outcome_reply_keyword_rel",
        "keyword_id",
        "outcome_id",
        string="Outcome",
    )

    _sql_constraints = [
        ("name_uniq", "unique(name)", "This reply keyword already exists.")
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name"):
                vals["name"] = self._clean(vals["name"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("name"):
            vals["name"] = self._clean(vals["name"])
        return super().write(vals)

    @api.model
    def _clean(self, name):
        cleaned = normalize(name).split()
        if len(cleaned) != 1:
            raise ValidationError(
                _("A reply keyword is one word (letters and digits).")
            )
        return cleaned[0]

    @api.constrains("outcome_ids")
    def _check_one_outcome(self):
        for keyword in self:
            if len(keyword.outcome_ids) > 1:
                raise ValidationError(
                    _(
                        "The keyword “%(keyword)s” already belongs to the "
                        "outcome %(outcome)s.",
                        keyword=keyword.name,
                        outcome=keyword.outcome_ids[0].name,
                    )
                )

    @api.model
    def _outcome_for(self, word):
        keyword = self.search([("name", "=", word)], limit=1)
        return keyword.outcome_ids[:1]
