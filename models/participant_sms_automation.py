# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
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
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Collaborators",
        required=True,
        domain=[("share", "=", False)],
    )
    appointment_type_ids = fields.Many2many(
        "participant.appointment.type", string="Appointment types", required=True
    )
    timing = fields.Selection(
        [
            ("before", "Reminder before the appointment"),
            ("after", "Message after the appointment"),
        ],
        required=True,
        default="before",
    )
    days = fields.Integer(
        required=True,
        default=2,
        help="Days before (reminder, 1 to 6) or after (follow-up) the " "appointment.",
    )
    template_id = fields.Many2one(
        "participant.sms.template",
        string="SMS template",
        required=True,
        domain=[("template_type", "=", "appointment")],
    )

    @api.constrains("timing", "days")
    def _check_days(self):
        for automation in self:
            if automation.timing == "before" and not 1 <= automation.days <= 6:
                raise ValidationError(
                    _("A reminder goes 1 to 6 days before the appointment.")
                )
            if automation.timing == "after" and not 0 <= automation.days <= 60:
                raise ValidationError(
                    _("A follow-up goes 0 to 60 days after the appointment.")
                )

    @api.model
    def _match(self, collaborator, appointment_type, timing, cache=None):
        """The first automation of ``timing`` for an appointment of ``collaborator``
        (res.users) and ``appointment_type``. ``cache`` (a dict) keeps the company's
        automations across many appointments."""
        if not (collaborator and appointment_type):
            return self.browse()
        key = (timing, self.env.company.id)
        cache = {} if cache is None else cache
        if key not in cache:
            cache[key] = self.search(
                [("timing", "=", timing), ("company_id", "=", self.env.company.id)]
            )
        for automation in cache[key]:
            if (
                collaborator in automation.user_ids
                and appointment_type in automation.appointment_type_ids
            ):
                return automation
        return self.browse()

    def _reminder_values(self):
        self.ensure_one()
        return {
            "sms_reminder": True,
            "sms_reminder_days": str(self.days),
            "sms_reminder_template_id": self.template_id.id,
        }

    def action_send_test(self):
        self.ensure_one()
        return self.env["participant.sms.test"]._open_wizard(template=self.template_id)
