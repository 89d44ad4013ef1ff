# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ParticipantStep(models.Model):
    """A step of a participant's pathway ("étape de parcours")."""

    _name = "participant.step"
    _description = "Pathway step"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "participant.followed.mixin",
        "participant.sms.source",
    ]
    _order = "planned_start desc, id desc"
    _rec_name = "step_type_id"
    _psms_context_type = "step"
    _psms_event_start_field = "planned_start"
    _psms_template_type = "step"
    #: the fields the SMS text is made of (a change re-renders it)
    _psms_text_fields = frozenset(
        (
            "planned_start",
            "step_type_id",
            "partner_organisation_id",
            "referent_id",
            "participant_id",
        )
    )

    step_type_id = fields.Many2one(
        "participant.step.type",
        string="Step type",
        required=True,
        tracking=True,
        help="Kind of step or service offer.",
    )
    planned_start = fields.Datetime(
        string="Planned start", required=True, tracking=True
    )
    planned_end = fields.Datetime(string="Planned end", tracking=True)
    actual_start = fields.Datetime(string="Actual start", tracking=True)
    actual_end = fields.Datetime(string="Actual end", tracking=True)
    referent_id = fields.Many2one(
        "res.users",
        string="Referent",
        tracking=True,
        domain=[("share", "=", False)],
        default=lambda self: self.env.user,
    )
    partner_organisation_id = fields.Many2one(
        "res.partner",
        string="Partner organisation",
        domain=[("is_company", "=", True)],
        index="btree_not_null",  # a partner deleted anywhere in Odoo: no scan
    )
    end_reason_id = fields.Many2one(
        "participant.step.end.reason", string="End reason", tracking=True
    )
    notes = fields.Html()
    appointment_ids = fields.One2many(
        "calendar.event", "participant_step_id", string="Appointments"
    )

    @api.depends("step_type_id", "participant_id")
    def _compute_display_name(self):
        for step in self:
            step.display_name = " - ".join(
                name
                for name in (step.participant_id.name, step.step_type_id.name)
                if name
            )

    @api.constrains("planned_start", "planned_end", "actual_start", "actual_end")
    def _check_dates(self):
        for step in self:
            if step.planned_end and step.planned_end < step.planned_start:
                raise ValidationError(
                    _("The planned end of a step cannot be before its start.")
                )
            if (
                step.actual_start
                and step.actual_end
                and step.actual_end < step.actual_start
            ):
                raise ValidationError(
                    _("The actual end of a step cannot be before its start.")
                )

    def _psms_merge_values(self):
        values = self._psms_common_values()
        values.update(
            step_name=self.step_type_id.name or "",
            partner_organisation=self.partner_organisation_id.name or "",
            referent=self.referent_id.name or "",
        )
        return values
