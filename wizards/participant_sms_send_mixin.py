# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

from ..models.bulk_insert import insert_rows
from ..tools import sms_text
from ..tools.schedule import PAST_TOLERANCE


class ParticipantSmsSendMixin(models.AbstractModel):
    """What the batch and free wizards share: the compose / preview steps, the send
    time, the server-side permission check, the engine's text rule and the credit
    check (one rule, one message each).

    A wizard defines ``line_ids`` (its preview lines) and ``sms_count`` (the SMS its
    ticked lines cost)."""

    _name = "participant.sms.send.mixin"
    _description = "SMS send wizard"

    _psms_group = None  # xmlid of the send permission
    _psms_line_model = None  # model of the preview lines

    state = fields.Selection(
        [("compose", "Compose"), ("preview", "Preview")],
        default="compose",
        string="Step",
    )
    send_mode = fields.Selection(
        [("now", "Send now"), ("scheduled", "Planned send")],
        string="When",
        default="now",
        required=True,
    )
    planned_at = fields.Datetime(string="Planned send")
    credit_remaining = fields.Integer(
        compute="_compute_credit_remaining", string="Credit remaining"
    )
    send_at = fields.Datetime(compute="_compute_send_at", string="Will be sent")
    send_at_note = fields.Char(compute="_compute_send_at", string="Send time moved")

    def _compute_credit_remaining(self):
        remaining = (
            self.env["participant.sms.package"]
            .sudo()
            ._remaining_credit(self.env.company)
        )
        for wizard in self:
            wizard.credit_remaining = remaining

    credit_ok = fields.Boolean(compute="_compute_credit_note", string="Enough credit")
    credit_note = fields.Char(compute="_compute_credit_note", string="Credit shortage")

    @api.depends("sms_count")
    @api.depends_context("lang")
    def _compute_credit_note(self):
        """The credit rule of every send wizard: when the company enforces packages,
        the SMS of the ticked lines may not exceed the credit remaining; the preview
        and Validate say it with the same message."""
        enforce = self.env.company.psms_enforce_packages
        for wizard in self:
            short = bool(enforce and wizard.sms_count > wizard.credit_remaining)
            wizard.credit_ok = not short
            wizard.credit_note = short and _(
                "%(needed)s but %(left)s: buy a package or untick recipients.",
                **wizard._credit_shortage(wizard.sms_count, wizard.credit_remaining),
            )

    def _check_credit(self):
        if not self.credit_ok:
            raise UserError(self.credit_note)

    send_allowed = fields.Boolean(compute="_compute_send_allowed", string="May send")
    send_permission_note = fields.Char(
        compute="_compute_send_allowed", string="Missing send permission"
    )

    @api.depends_context("uid", "lang")
    def _compute_send_allowed(self):
        allowed = self.env.user.has_group(self._psms_group)
        note = False if allowed else self._missing_permission_message()
        for wizard in self:
            wizard.send_allowed, wizard.send_permission_note = allowed, note

    def _missing_permission_message(self):
        """Which permission sending needs, by its name in the user's settings."""
        permission = (
            self.env.ref(self._psms_group).sudo().with_context(lang=self.env.lang).name
        )
        return _(
            "You are not allowed to send this kind of SMS: %(kind)s. Sending needs the "
            "permission “%(permission)s”, which an administrator gives in your user "
            "settings.",
            kind=self._psms_title_label(),
            permission=permission,
        )

    def _check_prepare(self):
        """Preparing and previewing a send is for the senders of this kind and the SMS
        administrators (who see every SMS menu): the send permission is asked when
        sending."""
        if not (
            self.env.user.has_group(self._psms_group)
            or self.env.user.has_group("participant_sms.group_sms_admin")
        ):
            raise AccessError(self._missing_permission_message())

    def _check_permission(self):
        """Sending needs the send permission of this kind, administrator or not (server
        side)."""
        if not self.env.user.has_group(self._psms_group):
            raise AccessError(self._missing_permission_message())

    @api.model
    def _credit_shortage(self, needed, left):
        """The two halves of "2 SMS credits are needed but only 1 remains", each in the
        singular or the plural: ``{"needed": ..., "left": ...}``."""
        if left <= 0:
            left_text = _("none remains")
        elif left == 1:
            left_text = _("only 1 remains")
        else:
            left_text = _("only %s remain", left)
        return {
            "needed": _("1 SMS credit is needed")
            if needed == 1
            else _("%s SMS credits are needed", needed),
            "left": left_text,
        }

    def _psms_title_label(self):
        return self.env["ir.model"]._get(self._name).name

    def _planned(self):
        """The send time: the next window opening for "now", else the planned time moved
        into the window."""
        window = self.env.company._psms_window()
        now = fields.Datetime.now()
        if self.send_mode == "now":
            return window.campaign_send_at(now)
        if not self.planned_at:
            raise UserError(_("Choose the planned send date."))
        if self.planned_at < now - PAST_TOLERANCE:
            raise UserError(
                _(
                    "The planned send date is in the past: choose a later one, or "
                    "send now."
                )
            )
        return window.campaign_send_at(max(self.planned_at, now))

    @api.depends("send_mode", "planned_at", "state")
    def _compute_send_at(self):
        """What the preview shows: when the SMS will really go, and why it moved."""
        window = self.env.company._psms_window()
        for wizard in self:
            try:
                send_at = wizard._planned()
            except UserError:
                wizard.send_at, wizard.send_at_note = False, False
                continue
            wizard.send_at = send_at
            asked = (
                wizard.planned_at
                if wizard.send_mode == "scheduled"
                else fields.Datetime.now()
            )
            wizard.send_at_note = wizard._moved_note(
                window, max(asked, fields.Datetime.now()), send_at
            )

    @api.model
    def _moved_note(self, window, asked, send_at):
        if send_at <= asked + PAST_TOLERANCE:
            return False
        quiet = window.quiet_days
        day = window.to_local(window.next_opening(asked)).date()
        if quiet and quiet.is_quiet(day):
            reason = quiet.holiday(day) or _("Sunday")
            return _(
                "Moved from %(day)s (%(reason)s): no campaigns on Sundays and public "
                "holidays.",
                day=format_date(self.env, day),
                reason=reason,
            )
        return _("Moved into the send window.")

    @api.model
    def _text_verdict(self, typed):
        """``(text as sent, its measure, error)`` for the text ``typed``: the engine's
        rule (``participant.sms._prepare_text``: not blank, no more SMS than the
        company allows per message) decides, and ``error`` is its message (False
        when the text can go). A line in error still shows its text and measure."""
        Sms, company = self.env["participant.sms"], self.env.company
        try:
            text, measure = Sms._prepare_text(typed, company)
        except ValidationError as error:
            text = Sms._convert_text(typed, company)
            return text, sms_text.measure(text), error.args[0]
        return text, measure, False

    @staticmethod
    def _replaced_label(typed, sent):
        """ "’ → '  « → "" : what the company's GSM-7 choice replaced in ``typed``."""
        if typed == sent:
            return False
        mode = "letters" if sms_text.to_gsm(typed) != sent else "typography"
        pairs = sms_text.gsm_replacements(typed, letters=(mode == "letters"))
        return (
            "  ".join(f"{char} → {repl or '∅'}" for char, repl in pairs.items())
            or False
        )

    def _show_preview(self, line_values):
        """Replace the preview lines by ``line_values``, stored in one INSERT
        (``insert_rows``: what ``create`` checks and stores, set-based)."""
        self.line_ids.unlink()
        insert_rows(self.env[self._psms_line_model], line_values)
        self.invalidate_recordset(["line_ids"])
        self.state = "preview"
        return self._reopen()

    def action_back(self):
        self.ensure_one()
        self.state = "compose"
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": self._psms_title_label(),
        }

    def _selected_lines(self, message):
        lines = self.line_ids.filtered(lambda line: line.selected and not line.error)
        if not lines:
            raise UserError(message)
        return lines

    def _done(self, title, message):
        if self.send_mode == "now":
            self.env.ref("participant_sms.ir_cron_sms_dispatch")._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "sticky": True,
                "title": title,
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }


class ParticipantSmsPreviewLineMixin(models.AbstractModel):
    """A preview line of a send wizard: a line in error is unticked and cannot be
    ticked."""

    _name = "participant.sms.preview.line.mixin"
    _description = "SMS preview line"

    error = fields.Char(readonly=True)
    selected = fields.Boolean(string="Send", default=True)

    def write(self, vals):
        in_error = self.filtered("error")
        if vals.get("selected") and in_error:
            raise UserError(
                _("A line in error cannot be ticked: %s", in_error[0].error)
            )
        return super().write(vals)
