from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ParticipantSmsAutomation(models.Model):
    """Default SMS for appointments of some collaborators and types (the seed's
    "automatisme"): a reminder n days before, or a follow-up message n days after."""

    _name = "participant.sms.automation"
    _description = "SMS automation"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company,
                                 required=True)
    user_ids = fields.Many2many("res.users", string="Collaborators", required=True,
                                domain=[("share", "=", False)])
    appointment_type_ids = fields.Many2many("participant.appointment.type",
                                            string="Appointment types", required=True)
    timing = fields.Selection([("before", "Reminder before the appointment"),
                               ("after", "Message after the appointment")],
                              required=True, default="before")
    days = fields.Integer(string="Days", required=True, default=2,
                          help="Days before (reminder, 1 to 6) or after (follow-up) the "
                               "appointment.")
    template_id = fields.Many2one("participant.sms.template", string="SMS template",
                                  required=True, domain=[("template_type", "=", "appointment")])

    @api.constrains("timing", "days")
    def _check_days(self):
        for automation in self:
            if automation.timing == "before" and not 1 <= automation.days <= 6:
                raise ValidationError(_("A reminder goes 1 to 6 days before the appointment."))
            if automation.timing == "after" and not 0 <= automation.days <= 60:
                raise ValidationError(_("A follow-up goes 0 to 60 days after the appointment."))

    @api.model
    def _find(self, event, timing):
        if not (event.participant_collaborator_id and event.participant_appointment_type_id):
            return self.browse()
        return self.search([
            ("timing", "=", timing), ("company_id", "=", self.env.company.id),
            ("user_ids", "in", event.participant_collaborator_id.ids),
            ("appointment_type_ids", "in", event.participant_appointment_type_id.ids),
        ], limit=1)

    def _reminder_values(self):
        self.ensure_one()
        return {"sms_reminder": True, "sms_reminder_days": str(self.days),
                "sms_reminder_template_id": self.template_id.id}

    def _queue_follow_up(self, event):
        """The J+n message of an appointment, when the window opens that day."""
        self.ensure_one()
        window = self.env.company._psms_window()
        planned = window.follow_up_send_at(event.start, self.days)
        return self.env["participant.sms"].sudo()._queue([{
            "origin": "automation", "partner_id": event.participant_id.id,
            "body": event._psms_render(self.template_id), "planned_at": planned,
            "deadline": planned + timedelta(hours=24),
            "res_model": "calendar.event", "res_id": event.id,
            "reply_enabled": self.template_id.reply_enabled,
        }])

    def action_send_test(self):
        self.ensure_one()
        return self.env["participant.sms.test"]._open_wizard(template=self.template_id)

    @api.model
    def _note_impossible(self, event, error):
        event._message_log(body=Markup("<p>%s</p>") % _("Automatic SMS not scheduled: %s", error))
