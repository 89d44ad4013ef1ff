# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reminder tab of a record with SMS: what the user sees and may do before saving.

The form tells, in the engine's own words, what saving would refuse
(``sms_reminder_warning``), who may change or switch off the reminder and why not
(read-only with its reason), prepares the reminder when it is ticked (delay, template,
text as it will be sent) without saving anything, keeps the text in step with the
form, and sends the text on screen at once (*Send now*). Saving goes through the
contract (``participant.sms.source``), which decides.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime

from .participant_sms_source import REMINDER_FIELDS

#: the delay proposed when the reminder is ticked and no automation gives one (the
#: guides' "48 h before")
DEFAULT_REMINDER_DAYS = 2
SCHEDULED_GROUP = "participant_sms.group_sms_send_scheduled"


class ParticipantSmsReminderTab(models.AbstractModel):
    _inherit = "participant.sms.source"

    sms_reminder_in_future = fields.Boolean(
        compute="_compute_sms_reminder_in_future", string="In the future"
    )
    sms_count = fields.Integer(compute="_compute_sms_count", string="SMS")
    sms_simulated = fields.Boolean(
        compute="_compute_sms_simulated", string="SMS simulated"
    )
    # what the reminder tab tells before saving (never stored)
    sms_reminder_warning = fields.Text(
        compute="_compute_sms_reminder_warning",
        string="Why the reminder cannot go",
        help="What saving would refuse, said as soon as it is known.",
    )
    sms_reminder_can_edit = fields.Boolean(
        compute="_compute_sms_reminder_rights", string="May change the reminder"
    )
    sms_reminder_can_switch_off = fields.Boolean(
        compute="_compute_sms_reminder_rights", string="May switch the reminder off"
    )
    sms_reminder_readonly_reason = fields.Char(
        compute="_compute_sms_reminder_rights", string="Why the reminder is read-only"
    )
    sms_max_segments = fields.Integer(
        compute="_compute_sms_max_segments", string="Maximum SMS of a text"
    )

    # the company's settings: a dependency is needed for a new record's form to compute
    # them (without one, the first onchange leaves them empty)
    @api.depends("participant_id")
    @api.depends_context("company")
    def _compute_sms_simulated(self):
        self.sms_simulated = self.env.company.psms_simulated

    @api.depends("participant_id")
    @api.depends_context("company")
    def _compute_sms_max_segments(self):
        self.sms_max_segments = self.env.company.psms_max_segments

    @api.depends(
        lambda self: [
            self._psms_event_start_field,
            "participant_id",
            "participant_id.mobile",
            "participant_id.accepts_sms",
            *self._psms_text_fields,
            *REMINDER_FIELDS,
        ]
    )
    def _compute_sms_reminder_warning(self):
        for record in self:
            record.sms_reminder_warning = (
                record.sms_reminder and record._psms_reminder_problem() or False
            )

    @api.depends("sms_reminder_sms_id.state", "sms_reminder_sms_id.author_id")
    @api.depends_context("uid")
    def _compute_sms_reminder_rights(self):
        """The reminder's fields are the user's own scheduled send: read-only without
        *SMS: individual scheduled* (the server refuses it anyway) or once the SMS
        left; switching it off cancels its SMS, which its author, the participant's
        referent and the SMS administrators may do (an automation's prefill not saved
        yet: anyone)."""
        allowed = self.env.su or self.env.user.has_group(SCHEDULED_GROUP)
        for record in self:
            last = record.sms_reminder_sms_id.sudo()
            left = bool(last) and last.state not in ("queued", "cancelled")
            pending = last if last.state == "queued" else last.browse()
            may_cancel = not pending or record._psms_may_cancel(pending)
            record.sms_reminder_can_edit = allowed and not left
            record.sms_reminder_can_switch_off = not left and may_cancel
            if left:
                reason = _("The SMS reminder already left: it cannot be changed.")
            elif not allowed:
                reason = _(
                    "Scheduling or changing an SMS reminder needs the permission "
                    "“SMS: individual scheduled”: ask your SMS administrator."
                )
            elif not may_cancel:
                reason = _(
                    "Only its author, the participant's referent or an SMS "
                    "administrator may switch this reminder off."
                )
            else:
                reason = False
            record.sms_reminder_readonly_reason = reason

    def _psms_may_cancel(self, pending):
        try:
            pending.with_env(self.env)._check_cancel_rights()
        except AccessError:
            return False
        return True

    @api.depends(lambda self: [self._psms_event_start_field])
    def _compute_sms_reminder_in_future(self):
        now = fields.Datetime.now()
        for record in self:
            start = record[record._psms_event_start_field]
            record.sms_reminder_in_future = bool(start and start > now)

    def _compute_sms_count(self):
        counts = dict(
            self.env["participant.sms"]
            .sudo()
            ._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
        )
        for record in self:
            record.sms_count = counts.get(record.id, 0)

    def action_open_sms(self):
        self.ensure_one()
        self.env["participant.sms"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_all"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def _psms_reminder_problem(self):
        """What saving the reminder as it stands would refuse, in words, or "": the
        engine's own checks (recipient, send time, text), run on the values of the
        form."""
        self.ensure_one()
        try:
            self._psms_recipient()
            self._psms_planned_at(typed=self._psms_planned_at_typed())
            body = self.sms_reminder_body or (
                self.sms_reminder_template_id
                and self._psms_render(self.sms_reminder_template_id)
            )
            if not body:
                raise UserError(
                    _("Choose an SMS template or type the text of the reminder.")
                )
            self.env["participant.sms"]._prepare_text(body, self.env.company)
        except (UserError, ValidationError) as error:
            return error.args[0]
        return ""

    def _psms_planned_at_typed(self):
        """Whether the planned send was typed in this form (not yet saved), without a
        delay."""
        return bool(
            not self.sms_reminder_days
            and self.sms_reminder_planned_at
            and self.sms_reminder_planned_at != self._origin.sms_reminder_planned_at
        )

    # ----------------------------------------------------------------------------------
    # onchange: what the user sees before saving
    # ----------------------------------------------------------------------------------
    @api.onchange("sms_reminder_days")
    def _onchange_sms_reminder_days(self):
        if self.sms_reminder_days and self[self._psms_event_start_field]:
            try:
                self.sms_reminder_planned_at = self._psms_planned_at()
            except UserError:
                self.sms_reminder_planned_at = False

    @api.onchange("sms_reminder_planned_at")
    def _onchange_sms_reminder_planned_at(self):
        """A send time typed by hand replaces the delay (never silently overridden by
        it)."""
        if (
            self.sms_reminder_days
            and self.sms_reminder_planned_at
            and self[self._psms_event_start_field]
        ):
            try:
                computed = self._psms_planned_at()
            except UserError:
                computed = False
            if computed != self.sms_reminder_planned_at:
                self.sms_reminder_days = False

    @api.onchange("sms_reminder_template_id")
    def _onchange_sms_reminder_template_id(self):
        if self.sms_reminder_template_id and self.participant_id:
            self.sms_reminder_body = self._psms_render(self.sms_reminder_template_id)

    @api.onchange("sms_reminder")
    def _onchange_sms_reminder(self):
        """Ticking prepares the reminder in the form, nothing is saved: the delay
        (the automation's, else two days), the template proposed and its text as it
        will be sent. What cannot go is said in the tab (``sms_reminder_warning``),
        never by unticking."""
        if not self.sms_reminder:
            return
        automation = self._psms_reminder_automation()
        if not (self.sms_reminder_days or self.sms_reminder_planned_at):
            self.sms_reminder_days = str(automation.days or DEFAULT_REMINDER_DAYS)
        if not (self.sms_reminder_template_id or self.sms_reminder_body):
            self.sms_reminder_template_id = (
                automation.template_id or self._psms_default_template()
            )
        if self.sms_reminder_template_id and self.participant_id:
            # as saving does: switched on, the text is rewritten from its template
            self.sms_reminder_body = self._psms_render(self.sms_reminder_template_id)
        self._onchange_sms_reminder_days()

    def _apply_onchange_methods(self, field_name, result):
        applied = super()._apply_onchange_methods(field_name, result)
        if field_name in self._psms_text_fields:
            self._psms_onchange_text()
        return applied

    def _psms_onchange_text(self):
        """The text shown follows the form (date, participant, merge fields) as
        saving would make it follow the record: rewritten from its template (a text
        typed by hand without a template is left as it is, saving says what to do)."""
        last = self.sms_reminder_sms_id.sudo()
        if last and last.state not in ("queued", "cancelled"):
            return  # the SMS left: its text is what was sent
        if self.sms_reminder and self.sms_reminder_template_id and self.participant_id:
            self.sms_reminder_body = self._psms_render(self.sms_reminder_template_id)

    def _psms_reminder_automation(self):
        """The "before" automation of this record (appointments only: collaborator
        and type)."""
        Automation = self.env["participant.sms.automation"]
        if self._psms_context_type != "appointment":
            return Automation
        return Automation._match(
            self.participant_collaborator_id,
            self.participant_appointment_type_id,
            "before",
        )

    def _psms_default_template(self):
        """The template proposed: the first of the record's type, plain ones first."""
        return self.env["participant.sms.template"].search(
            [("template_type", "=", self._psms_template_type)],
            order="reply_enabled, id",
            limit=1,
        )

    # ----------------------------------------------------------------------------------
    def action_sms_send_now(self):
        """Send the text of the reminder, as the user sees it, now (the "individual
        instant" permission); the notice gives the send time in the user's format and
        time zone."""
        self.ensure_one()
        self.env["participant.sms"]._check_origin_permission("instant")
        self._psms_recipient()
        body = self.sms_reminder_body
        if not body:
            raise UserError(_("Choose an SMS template or type the text to send."))
        sms = self.env["participant.sms"]._queue(
            [
                {
                    "origin": "instant",
                    "partner_id": self.participant_id.id,
                    "body": body,
                    "res_model": self._name,
                    "res_id": self.id,
                    "reply_enabled": self.sms_reminder_template_id.reply_enabled,
                }
            ]
        )
        self.env.ref("participant_sms.ir_cron_sms_dispatch").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "The SMS to %(number)s will go out at %(when)s.",
                    number=sms.number_display,
                    when=self._psms_user_datetime(sms.planned_at),
                ),
            },
        }

    def _psms_user_datetime(self, value):
        """``value`` (UTC) in the user's language and time zone (the company's zone
        if the user has none)."""
        tz = (
            self.env.context.get("tz")
            or self.env.user.tz
            or self.env.company._psms_zone().tz
        )
        return format_datetime(self.env, value, tz=tz, dt_format="short")
