from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CalendarEvent(models.Model):
    """Appointments ("entretiens") are Odoo calendar events linked to a participant."""

    _inherit = "calendar.event"

    participant_id = fields.Many2one(
        "res.partner", string="Followed participant", index=True, tracking=True,
        domain=[("is_participant", "=", True)], ondelete="restrict",
        help="Participant whose file this appointment belongs to.")
    participant_appointment_type_id = fields.Many2one(
        "participant.appointment.type", string="Appointment type", tracking=True)
    participant_theme_id = fields.Many2one("participant.appointment.theme", string="Theme")
    participant_outcome_id = fields.Many2one(
        "participant.appointment.outcome", string="Outcome", tracking=True,
        default=lambda self: self.env["participant.appointment.outcome"]._get_default_outcome())
    participant_collaborator_id = fields.Many2one(
        "res.users", string="Collaborator", tracking=True,
        domain=[("share", "=", False)],
        default=lambda self: self.env.user if self.env.user._is_internal() else False,
        help="Staff member who holds the appointment.")
    participant_channel_id = fields.Many2one("participant.channel", string="Channel")
    participant_programme_id = fields.Many2one("participant.programme", string="Programme")
    participant_step_id = fields.Many2one(
        "participant.step", string="Step", domain="[('participant_id', '=', participant_id)]",
        help="Step of the participant's pathway this appointment belongs to.")
    participant_synthesis = fields.Html(string="Synthesis")

    @api.onchange("participant_id")
    def _onchange_participant_id(self):
        if self.participant_step_id.participant_id != self.participant_id:
            self.participant_step_id = False

    @api.constrains("participant_step_id", "participant_id")
    def _check_participant_step(self):
        for event in self.filtered("participant_step_id"):
            if event.participant_step_id.participant_id != event.participant_id:
                raise ValidationError(
                    _("The step of an appointment must belong to its participant."))
