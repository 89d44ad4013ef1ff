import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.phone import PhoneError, normalize_mobile
from ..tools.schedule import ScheduleError

_logger = logging.getLogger(__name__)

REMINDER_FIELDS = ("sms_reminder", "sms_reminder_days", "sms_reminder_planned_at",
                   "sms_reminder_template_id", "sms_reminder_body")
DAYS = [(str(day), f"{day} day{'s' if day > 1 else ''} before") for day in range(1, 7)]


class ParticipantSmsReminderMixin(models.AbstractModel):
    """The "SMS reminder" of a future appointment, step or orientation.

    Concrete models give ``_psms_event_start_field`` (when the thing happens),
    ``_psms_template_type``, ``_psms_merge_trigger_fields`` (fields whose change re-renders the
    text) and ``_psms_merge_values()``; they have a ``participant_id``."""

    _name = "participant.sms.reminder.mixin"
    _description = "SMS reminder"

    _psms_event_start_field = None
    _psms_template_type = None
    _psms_merge_trigger_fields = ()

    sms_reminder = fields.Boolean(string="SMS reminder", copy=False)
    sms_reminder_days = fields.Selection(DAYS, string="Reminder delay", copy=False)
    sms_reminder_planned_at = fields.Datetime(
        string="Planned send", copy=False,
        help="When the reminder goes out, inside the send window (filled from the delay).")
    sms_reminder_template_id = fields.Many2one(
        "participant.sms.template", string="SMS template", copy=False,
        domain=lambda self: [("template_type", "=", self._psms_template_type)])
    sms_reminder_body = fields.Text(string="SMS text", copy=False)
    sms_reminder_sms_id = fields.Many2one("participant.sms", string="Reminder SMS", copy=False,
                                          readonly=True)
    sms_reminder_state = fields.Selection(related="sms_reminder_sms_id.state",
                                          string="Reminder status")
    sms_reminder_in_future = fields.Boolean(compute="_compute_sms_reminder_in_future",
                                            string="In the future")
    sms_count = fields.Integer(compute="_compute_sms_count", string="SMS")

    # ------------------------------------------------------------------------------------------
    def _psms_start(self):
        return self[self._psms_event_start_field]

    @api.depends(lambda self: [self._psms_event_start_field])
    def _compute_sms_reminder_in_future(self):
        now = fields.Datetime.now()
        for record in self:
            start = record._psms_start()
            record.sms_reminder_in_future = bool(start and start > now)

    def _compute_sms_count(self):
        counts = dict(self.env["participant.sms"].sudo()._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)],
            ["res_id"], ["__count"]))
        for record in self:
            record.sms_count = counts.get(record.id, 0)

    def action_open_sms(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_all")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------------------------------
    # merge values
    # ------------------------------------------------------------------------------------------
    def _psms_lang(self):
        """Texts are written in the language of the user who writes them (the service's)."""
        return self.env.lang or self.env.user.lang or self.participant_id.lang or "en_US"

    def _psms_common_values(self):
        self.ensure_one()
        return self.env["participant.sms.template"]._common_values(
            self.participant_id, self._psms_start(), self._psms_lang())

    def _psms_merge_values(self):
        return self._psms_common_values()

    def _psms_render(self, template):
        return template.with_context(lang=self._psms_lang())._render(self._psms_merge_values())

    # ------------------------------------------------------------------------------------------
    # checks
    # ------------------------------------------------------------------------------------------
    def _psms_check_recipient(self):
        """Raise a clear error when the participant cannot receive SMS; return the number."""
        self.ensure_one()
        partner = self.participant_id
        if not partner:
            raise UserError(_("An SMS reminder needs a participant."))
        if not partner.accepts_sms:
            raise UserError(_("%s refuses SMS: the SMS reminder is impossible.", partner.name))
        try:
            number = normalize_mobile(partner.mobile, self.env.company._psms_zone().region)
        except PhoneError:
            raise UserError(_("%s has no valid mobile number: the SMS reminder is impossible.",
                              partner.name)) from None
        if self.env["phone.blacklist"]._psms_blacklisted([number]):
            raise UserError(_("%s answered STOP: the SMS reminder is impossible.", partner.name))
        return number

    def _psms_planned_at(self, days, planned_at):
        """The send time, as it will happen (moved into the window), or a clear error."""
        self.ensure_one()
        start = self._psms_start()
        window = self.env.company._psms_window()
        now = fields.Datetime.now()
        if not start or start <= now:
            raise UserError(_("An SMS reminder is only possible for something in the future."))
        if days:
            try:
                return window.reminder_send_at(start, int(days), now=now)
            except ScheduleError:
                raise UserError(_("The reminder cannot be sent inside the send window before "
                                  "it starts: choose another delay or send time.")) from None
        if not planned_at:
            raise UserError(_("Choose a reminder delay or a planned send date."))
        planned = window.clamp_same_day(planned_at)
        if planned < now:
            planned = window.next_opening(now)
        if planned >= start:
            raise UserError(_("The planned send must be before the start, inside the send "
                              "window."))
        return planned

    # ------------------------------------------------------------------------------------------
    # synchronisation of the reminder SMS
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.filtered("sms_reminder")._psms_sync_reminder(set(REMINDER_FIELDS))
        return records

    def write(self, vals):
        result = super().write(vals)
        if self.env.context.get("psms_reminder_sync"):
            return result
        touched = set(vals) & (set(REMINDER_FIELDS) | set(self._psms_merge_trigger_fields)
                               | {self._psms_event_start_field, "participant_id", "active"})
        if touched:
            self.filtered(lambda r: r.sms_reminder or r.sms_reminder_sms_id)._psms_sync_reminder(
                touched)
        return result

    def unlink(self):
        self._psms_cancel_reminder()
        return super().unlink()

    def _psms_pending_sms(self):
        sms = self.sms_reminder_sms_id
        return sms if sms.state == "queued" else sms.browse()

    def _psms_cancel_reminder(self):
        pending = self.mapped("sms_reminder_sms_id").filtered(lambda s: s.state == "queued")
        if pending:
            pending.sudo().with_context(psms_from_record=True).write({"state": "cancelled"})

    def _psms_sync_reminder(self, touched):
        for record in self:
            active = record.sms_reminder and ("active" not in record._fields or record.active)
            if not active:
                record._psms_cancel_reminder()
                continue
            sent = record.sms_reminder_sms_id and record.sms_reminder_sms_id.state != "queued"
            if sent and not (touched & set(REMINDER_FIELDS)):
                continue  # already out: later changes do not send another one
            record._psms_apply_reminder(touched)

    def _psms_apply_reminder(self, touched):
        self.ensure_one()
        self._psms_check_recipient()
        planned = self._psms_planned_at(self.sms_reminder_days, self.sms_reminder_planned_at)
        template = self.sms_reminder_template_id
        body = self.sms_reminder_body
        merge_changed = bool(touched & (set(self._psms_merge_trigger_fields)
                                        | {self._psms_event_start_field}))
        rerendered = False
        if template and (not body or ("sms_reminder_body" not in touched and (
                "sms_reminder_template_id" in touched or merge_changed))):
            new_body = self._psms_render(template)
            rerendered = bool(body) and new_body != body and merge_changed
            body = new_body
        if not body:
            raise UserError(_("Choose an SMS template or type the text of the reminder."))
        pending = self._psms_pending_sms()
        if pending:
            pending.sudo()._psms_update_pending(body, planned, self._psms_start())
            sms = pending
        else:
            origin = "automation" if self._psms_matching_automation() else "scheduled"
            Sms = self.env["participant.sms"]
            sms = (Sms.sudo() if origin == "automation" else Sms)._queue([{
                "origin": origin,
                "partner_id": self.participant_id.id,
                "body": body, "planned_at": planned, "deadline": self._psms_start(),
                "res_model": self._name, "res_id": self.id,
                "reply_enabled": template.reply_enabled,
            }])
        self.with_context(psms_reminder_sync=True).write({
            "sms_reminder_planned_at": planned, "sms_reminder_body": body,
            "sms_reminder_sms_id": sms.id})
        if rerendered:
            self._psms_tell_rerendered()

    def _psms_matching_automation(self):
        """The automation whose prefill this reminder still is (then the SMS is the system's,
        not the user's: no send permission needed)."""
        return self.env["participant.sms.automation"]

    def _psms_tell_rerendered(self):
        message = _("The SMS reminder was rewritten from its template after this change; "
                    "manual additions to its text were dropped.")
        self._message_log(body=Markup("<p>%s</p>") % message)
        self.env.user._bus_send("simple_notification", {
            "type": "warning", "title": _("SMS reminder"), "message": message})

    # ------------------------------------------------------------------------------------------
    # onchange: what the user sees before saving
    # ------------------------------------------------------------------------------------------
    @api.onchange("sms_reminder_days")
    def _onchange_sms_reminder_days(self):
        if self.sms_reminder_days and self._psms_start():
            try:
                self.sms_reminder_planned_at = self._psms_planned_at(self.sms_reminder_days, False)
            except UserError:
                self.sms_reminder_planned_at = False

    @api.onchange("sms_reminder_template_id")
    def _onchange_sms_reminder_template_id(self):
        if self.sms_reminder_template_id and self.participant_id:
            self.sms_reminder_body = self._psms_render(self.sms_reminder_template_id)

    @api.onchange("sms_reminder")
    def _onchange_sms_reminder(self):
        if self.sms_reminder and self.participant_id:
            try:
                self._psms_check_recipient()
            except UserError as error:
                self.sms_reminder = False
                return {"warning": {"title": _("SMS reminder"), "message": str(error)}}
        return None

    # ------------------------------------------------------------------------------------------
    def action_sms_send_now(self):
        """Send the text of the reminder now (the "individual instant" permission)."""
        self.ensure_one()
        self._psms_check_recipient()
        body = self.sms_reminder_body or (
            self.sms_reminder_template_id and self._psms_render(self.sms_reminder_template_id))
        if not body:
            raise UserError(_("Choose an SMS template or type the text to send."))
        sms = self.env["participant.sms"]._queue([{
            "origin": "instant", "partner_id": self.participant_id.id, "body": body,
            "res_model": self._name, "res_id": self.id,
            "reply_enabled": self.sms_reminder_template_id.reply_enabled,
        }])
        self.env.ref("participant_sms.ir_cron_sms_dispatch")._trigger()
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"type": "success", "message": _(
                "The SMS to %(number)s will go out at %(when)s.", number=sms.number_display,
                when=fields.Datetime.to_string(fields.Datetime.context_timestamp(
                    self, sms.planned_at))[:16])},
        }
