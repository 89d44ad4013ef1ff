# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The SMS of a record that happens at a date: the reminder before it, the follow-up
after it.

A model declares itself by inheriting this mixin and giving ``_psms_context_type``,
``_psms_event_start_field``, ``_psms_template_type``, ``_psms_merge_trigger_fields``
(fields whose change re-renders the text) and ``_psms_merge_values()``; it has a
``participant_id``. The engine never names the models: it finds them by
``_psms_context_type``.

Every create and every write that touches a watched field syncs each purpose (invariant
I1): the pending SMS is made to match the record (recipient, number, text, reply mode,
planned time, deadline), or cancelled with a note on the record saying why.

- An **explicit** change is a change of the reminder's own fields (tick, delay, planned
  send, template, text): it is the user's own scheduled send, needs *SMS: individual
  scheduled* unless the reminder is still an automation's untouched prefill (I3), and a
  reminder that is impossible is refused with a clear error.
- A **consequential** change (participant, date, location, collaborator, archiving, the
  participant's mobile or consent) changes nothing the user chose: the SMS follows,
  keeping its origin and author, or is cancelled with a note when it can no longer go.
"""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime

from ..tools.schedule import PAST_TOLERANCE, ScheduleError

REMINDER_FIELDS = (
    "sms_reminder",
    "sms_reminder_days",
    "sms_reminder_planned_at",
    "sms_reminder_template_id",
    "sms_reminder_body",
)
#: what changed when the participant's mobile or consent did: no field of the record,
#: and a name that no field or method can have
RECIPIENT_CHANGED = "participant_id.<recipient>"
DAYS = [(str(day), f"{day} day{'s' if day > 1 else ''} before") for day in range(1, 7)]
#: the delay proposed when the reminder is ticked and no automation gives one (the
#: guides' "48 h before")
DEFAULT_REMINDER_DAYS = 2
SCHEDULED_GROUP = "participant_sms.group_sms_send_scheduled"


class ParticipantSmsReminderMixin(models.AbstractModel):
    _name = "participant.sms.reminder.mixin"
    _inherit = ["participant.sms.follow.up.mixin"]
    _description = "SMS reminder"

    _psms_context_type = None
    _psms_event_start_field = None
    _psms_template_type = None
    _psms_merge_trigger_fields = ()

    sms_reminder = fields.Boolean(string="SMS reminder", copy=False)
    sms_reminder_days = fields.Selection(DAYS, string="Reminder delay", copy=False)
    sms_reminder_planned_at = fields.Datetime(
        string="Planned send",
        copy=False,
        help="When the reminder goes out, inside the send window (filled from the "
        "delay).",
    )
    sms_reminder_template_id = fields.Many2one(
        "participant.sms.template",
        string="SMS template",
        copy=False,
        domain=lambda self: [("template_type", "=", self._psms_template_type)],
    )
    sms_reminder_body = fields.Text(string="SMS text", copy=False)
    sms_reminder_sms_id = fields.Many2one(
        "participant.sms", string="Reminder SMS", copy=False, readonly=True
    )
    sms_reminder_state = fields.Selection(
        related="sms_reminder_sms_id.state", string="Reminder status"
    )
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
            *self._psms_merge_trigger_fields,
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

    # ----------------------------------------------------------------------------------
    def _psms_start(self):
        return self[self._psms_event_start_field]

    def _psms_is_active(self):
        return "active" not in self._fields or self.active

    @api.depends(lambda self: [self._psms_event_start_field])
    def _compute_sms_reminder_in_future(self):
        now = fields.Datetime.now()
        for record in self:
            start = record._psms_start()
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

    # ----------------------------------------------------------------------------------
    # merge values
    # ----------------------------------------------------------------------------------
    def _psms_lang(self):
        """Texts are written in the language of the user who writes them (the
        service's)."""
        return (
            self.env.lang or self.env.user.lang or self.participant_id.lang or "en_US"
        )

    def _psms_note_lang(self):
        """Language of the notes the engine (often a cron, as OdooBot) posts on this
        record: its collaborator's (appointment) or referent's (step, orientation),
        else that of the participant's company, else the participant's."""
        record = self.sudo()
        user = next(
            (
                record[name]
                for name in ("participant_collaborator_id", "referent_id")
                if name in record._fields
            ),
            record.env["res.users"],
        )
        company = record.participant_id.company_id or record.env.company
        return (
            user.lang
            or company.partner_id.lang
            or record.participant_id.lang
            or "en_US"
        )

    def _psms_common_values(self):
        self.ensure_one()
        return self.env["participant.sms.template"]._common_values(
            self.participant_id, self._psms_start(), self._psms_lang()
        )

    def _psms_merge_values(self):
        return self._psms_common_values()

    def _psms_render(self, template):
        """The template's text for this record, as it will be sent (company's GSM-7
        choice)."""
        text = template.with_context(lang=self._psms_lang())._render(
            self._psms_merge_values()
        )
        return self.env["participant.sms.text"]._convert(text, self.env.company)

    def _psms_text_fields(self):
        """Fields whose change can make a text wrong."""
        return set(self._psms_merge_trigger_fields) | {
            self._psms_event_start_field,
            "participant_id",
        }

    def _psms_watched_fields(self):
        return set(REMINDER_FIELDS) | self._psms_text_fields() | {"active"}

    # ----------------------------------------------------------------------------------
    # checks
    # ----------------------------------------------------------------------------------
    def _psms_recipient(self):
        """The participant's E.164 mobile, or a clear UserError when they cannot
        receive SMS."""
        self.ensure_one()
        partner = self.participant_id
        if not partner:
            raise UserError(_("An SMS needs a participant."))
        (verdict,) = self.env["participant.sms.recipient"]._check(
            [(partner, False)], self.env.company
        )
        if not verdict.ok:
            raise UserError(
                _(
                    "%s The SMS is impossible.",
                    self.env["participant.sms.recipient"]._sentence(
                        verdict.code, partner.name
                    ),
                )
            )
        return verdict.number

    def _psms_reminder_problem(self):
        """What saving the reminder as it stands would refuse, in words, or "": the
        engine's own checks (recipient, send time, text), run on the values of the
        form."""
        self.ensure_one()
        try:
            self._psms_recipient()
            self._psms_planned_at(
                self.sms_reminder_days,
                self.sms_reminder_planned_at,
                typed=self._psms_planned_at_typed(),
            )
            body = self.sms_reminder_body or (
                self.sms_reminder_template_id
                and self._psms_render(self.sms_reminder_template_id)
            )
            if not body:
                raise UserError(
                    _("Choose an SMS template or type the text of the reminder.")
                )
            self.env["participant.sms.text"]._prepare(body, self.env.company)
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

    def _psms_planned_at(self, days, planned_at, typed=False):
        """The send time, as it will happen (moved into the window), or a clear
        error. A send time ``typed`` now must not be in the past; one typed earlier
        that has passed while the SMS waited (outside the window) goes at the next
        opening."""
        self.ensure_one()
        start = self._psms_start()
        window = self.env.company._psms_window()
        now = fields.Datetime.now()
        if not start or start <= now:
            raise UserError(
                _("An SMS reminder is only possible for something in the future.")
            )
        if days:
            try:
                return window.reminder_send_at(start, int(days), now=now)
            except ScheduleError:
                raise UserError(
                    _(
                        "The reminder cannot be sent inside the send window before "
                        "it starts: choose another delay or send time."
                    )
                ) from None
        if not planned_at:
            raise UserError(_("Choose a reminder delay or a planned send date."))
        planned = window.clamp_same_day(planned_at)
        if planned < now - PAST_TOLERANCE and typed:
            raise UserError(
                _(
                    "The planned send of the reminder is in the past: choose a later "
                    "one."
                )
            )
        if planned < now:
            planned = window.next_opening(now)
        if planned >= start:
            raise UserError(
                _(
                    "The planned send must be before the start, inside the send "
                    "window."
                )
            )
        return planned

    # ----------------------------------------------------------------------------------
    # create, write, unlink
    # ----------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._psms_prefill(vals_list)
        for record, vals in zip(records, vals_list, strict=False):
            if record.sms_reminder:
                explicit = (
                    set(REMINDER_FIELDS) & set(vals)
                    if vals.get("sms_reminder")
                    else set()
                )
                record._psms_sync_reminder(
                    record._psms_watched_fields(), explicit, creating=True
                )
        records._psms_sync_follow_up(creating=True)
        return records

    def write(self, vals):
        watched = set(vals) & self._psms_watched_fields()
        if not watched:
            return super().write(vals)
        vals = dict(vals)
        if vals.get("sms_reminder_planned_at") and "sms_reminder_days" not in vals:
            vals["sms_reminder_days"] = False  # a typed send time replaces the delay
        before = {record.id: record._psms_reminder_snapshot() for record in self}
        result = super().write(vals)
        for record in self:
            snapshot = record._psms_reminder_snapshot()
            explicit = {
                name
                for name in REMINDER_FIELDS
                if name in vals and snapshot[name] != before[record.id][name]
            }
            if "sms_reminder_body" in explicit and record._psms_body_is_rendered():
                # the form's copy of what the engine writes itself (its template
                # rendered for the record as it now is): not a text the user typed
                explicit.discard("sms_reminder_body")
            record._psms_sync(watched, explicit)
        return result

    def _psms_body_is_rendered(self):
        template = self.sms_reminder_template_id
        return bool(
            template
            and self.participant_id
            and self.sms_reminder_body
            and self.sms_reminder_body == self._psms_render(template)
        )

    def unlink(self):
        self._psms_pending_sms()._cancel(_("Its record was deleted."))
        return super().unlink()

    def _psms_reminder_snapshot(self):
        return {
            name: self[name].id if self._fields[name].type == "many2one" else self[name]
            for name in REMINDER_FIELDS
        }

    def _psms_store(self, vals):
        """Write the reminder's own bookkeeping fields without syncing again:
        straight to the base ``write`` (the models' own overrides have nothing to do
        with these fields)."""
        return super().write(vals)

    def _psms_sync(self, changed, explicit=frozenset()):
        for record in self:
            record._psms_sync_reminder(changed, explicit)
        self._psms_sync_follow_up()

    def _psms_after_flight(self, messages):
        """``messages`` of these records went back to the queue after a crash or a
        retry (the provider never got them); the records may have changed while they
        were in flight, so they decide again, as after any change: a reminder
        switched off, archived or replaced is cancelled, one whose record changed is
        revised; follow-ups are planned again."""
        for sms in messages.filtered(lambda s: s.purpose == "reminder"):
            record = self.filtered(lambda r, s=sms: r.id == s.res_id)
            changed = (
                record._psms_text_fields()
                if record and sms.rewrite_after_flight
                else set()
            )
            sms.rewrite_after_flight = False
            if not record:
                sms._cancel(_("Its record was deleted."))
            elif record.sms_reminder_sms_id != sms:
                sms._cancel(_("Its reminder was replaced while it was being sent."))
            else:
                record._psms_sync_reminder(changed, frozenset())
        return super()._psms_after_flight(messages)

    def _psms_pending_sms(self, purpose=None):
        domain = [
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
            ("state", "=", "queued"),
            ("purpose", "!=", False),
        ]
        if purpose:
            domain.append(("purpose", "=", purpose))
        return self.env["participant.sms"].sudo().search(domain)

    # ----------------------------------------------------------------------------------
    # the reminder
    # ----------------------------------------------------------------------------------
    def _psms_sync_reminder(self, changed, explicit, creating=False):
        self.ensure_one()
        last = self.sms_reminder_sms_id
        pending = last.sudo() if last.state == "queued" else last.browse()
        if not self.sms_reminder:
            if pending and explicit:
                pending.with_env(self.env)._check_cancel_rights()
            pending._cancel(_("The SMS reminder was switched off."))
            return
        if not self._psms_is_active():
            self._psms_switch_off(
                pending, _("The record was archived: its SMS reminder is " "cancelled.")
            )
            return
        if last and last.state not in ("queued", "cancelled"):
            if explicit:
                raise UserError(
                    _("The SMS reminder already left: it cannot be changed.")
                )
            # in flight, it may come back to the queue: then its record decides again,
            # and only whether its text must be rewritten cannot be seen from the record
            if (
                last.state == "processing"
                and not last.provider_id
                and changed & self._psms_text_fields()
            ):
                last.sudo().rewrite_after_flight = True
            return
        if not (pending or explicit or creating):
            return
        try:
            wanted, rerendered = self._psms_wanted_reminder(changed, explicit)
        except (UserError, ValidationError) as error:
            if explicit:
                raise
            self._psms_switch_off(
                pending,
                _("Automatic SMS not scheduled: %s", error)
                if creating
                else _("SMS reminder cancelled: %s", error),
            )
            return
        automation = self._psms_is_automation_prefill(wanted["body"])
        sms = pending
        if pending and explicit:
            if automation:
                pending._revise(dict(wanted, origin="automation"))
            else:
                pending.with_env(self.env)._revise(wanted, origin="scheduled")
        elif pending:
            pending._revise(wanted)
        else:
            Sms = self.env["participant.sms"]
            sms = (Sms.sudo() if automation else Sms)._queue(
                [
                    dict(
                        wanted,
                        origin="automation" if automation else "scheduled",
                        purpose="reminder",
                        res_model=self._name,
                        res_id=self.id,
                    )
                ]
            )
        self._psms_store(
            {
                "sms_reminder_planned_at": wanted["planned_at"],
                "sms_reminder_body": wanted["body"],
                "sms_reminder_sms_id": sms.id,
            }
        )
        if rerendered:
            self._psms_tell(
                _(
                    "The SMS reminder was rewritten from its template after this "
                    "change; manual additions to its text were dropped."
                )
            )

    def _psms_wanted_reminder(self, changed, explicit):
        """What the reminder SMS must be now, and whether its text was rewritten."""
        number = self._psms_recipient()
        planned = self._psms_planned_at(
            self.sms_reminder_days,
            self.sms_reminder_planned_at,
            typed="sms_reminder_planned_at" in explicit,
        )
        body, rerendered = self._psms_reminder_text(changed, explicit)
        body = self.env["participant.sms.text"]._convert(body, self.env.company)
        template = self.sms_reminder_template_id
        return {
            "partner_id": self.participant_id.id,
            "number": number,
            "body": body,
            "planned_at": planned,
            "deadline": self._psms_start(),
            "reply_enabled": template.reply_enabled,
        }, rerendered

    def _psms_reminder_text(self, changed, explicit):
        template, body = self.sms_reminder_template_id, self.sms_reminder_body
        if "sms_reminder_body" in explicit and body:
            return body, False
        # switched (back) on: the stored text was not kept up to date while it was off
        switched_on = "sms_reminder" in explicit and self.sms_reminder
        if template and (
            not body or "sms_reminder_template_id" in explicit or switched_on
        ):
            return self._psms_render(template), False
        if changed & self._psms_text_fields():
            if not template:
                raise UserError(
                    _(
                        "its text was typed by hand and may no longer be right after "
                        "this change: check it and switch the reminder on again."
                    )
                )
            new_body = self._psms_render(template)
            return new_body, bool(body) and new_body != body
        if not body:
            raise UserError(
                _("Choose an SMS template or type the text of the reminder.")
            )
        return body, False

    def _psms_switch_off(self, pending, reason):
        pending._cancel(reason)
        self._psms_store({"sms_reminder": False})
        self._psms_tell(reason)

    def _psms_sms_cancelled_by_user(self, messages):
        """The engine's hook: a user cancelled these SMS of the record (Upcoming
        SMS)."""
        if self.sms_reminder_sms_id in messages and self.sms_reminder:
            self._psms_store({"sms_reminder": False})

    def _psms_tell(self, message):
        self._message_log(body=Markup("<p>%s</p>") % message)
        self.env.user._bus_send(
            "simple_notification",
            {"type": "warning", "title": _("SMS"), "message": message},
        )

    # ----------------------------------------------------------------------------------
    # hooks of the concrete models (automations: appointments only)
    # ----------------------------------------------------------------------------------
    def _psms_prefill(self, vals_list):
        """Switch on the reminders an automation prescribes for new records."""

    def _psms_is_automation_prefill(self, body):
        """Whether the reminder is still an automation's untouched prefill."""
        return False

    # ----------------------------------------------------------------------------------
    # onchange: what the user sees before saving
    # ----------------------------------------------------------------------------------
    @api.onchange("sms_reminder_days")
    def _onchange_sms_reminder_days(self):
        if self.sms_reminder_days and self._psms_start():
            try:
                self.sms_reminder_planned_at = self._psms_planned_at(
                    self.sms_reminder_days, False
                )
            except UserError:
                self.sms_reminder_planned_at = False

    @api.onchange("sms_reminder_planned_at")
    def _onchange_sms_reminder_planned_at(self):
        """A send time typed by hand replaces the delay (never silently overridden by
        it)."""
        if (
            self.sms_reminder_days
            and self.sms_reminder_planned_at
            and self._psms_start()
        ):
            try:
                computed = self._psms_planned_at(self.sms_reminder_days, False)
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
        if field_name in self._psms_text_fields():
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
        return Automation._match(self, "before")

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
