# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ParticipantAppointmentOutcome(models.Model):
    """Outcome of an appointment (the seeds' "réalisation"): planned, done, absent..."""

    _name = "participant.appointment.outcome"
    _inherit = ["participant.config.mixin"]
    _description = "Appointment outcome"

    is_default = fields.Boolean(
        string="Default outcome",
        help="Outcome given to new appointments. Only one outcome can be the default.",
    )

    reply_alert = fields.Boolean(
        string="Alert the collaborator",
        help="When an SMS reply sets this outcome, the appointment's collaborator "
        "gets an "
        "activity on the participant's file.",
    )

    reply_keyword_ids = fields.Many2many(
        "participant.reply.keyword",
        "participant_outcome_reply_keyword_rel",
        "outcome_id",
        "keyword_id",
        string="Reply keywords",
        help="First words of an SMS reply that give this outcome to the appointment "
        "(case, "
        "accents and punctuation ignored). A keyword belongs to one outcome.",
    )

    @api.constrains("is_default", "active")
    def _check_single_default(self):
        defaults = self.search([("is_default", "=", True)])
        if len(defaults) > 1:
            raise ValidationError(
                _("Only one appointment outcome can be the default one.")
            )

    @api.model
    def _get_default_outcome(self):
        return self.search([("is_default", "=", True)], limit=1)
