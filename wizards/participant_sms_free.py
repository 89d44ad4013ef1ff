import base64
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import sms_text
from ..tools.excel import SpreadsheetError, read_phone_column
from ..tools.merge import has_placeholders
from ..tools.phone import PhoneError, normalize_mobile

_logger = logging.getLogger(__name__)


class ParticipantSmsFree(models.TransientModel):
    """Free SMS (the seed's "envoi libre"): one text to the numbers of a file's TELEPHONE
    column, recipients who need not be participants."""

    _name = "participant.sms.free"
    _description = "Free SMS"

    state = fields.Selection([("compose", "Compose"), ("preview", "Preview")], default="compose",
                             string="Step")
    body = fields.Text(string="Text", required=True)
    file = fields.Binary(string="File", attachment=False)
    filename = fields.Char(string="File name")
    send_mode = fields.Selection([("now", "Send now"), ("scheduled", "Planned send")],
                                 string="When", default="now", required=True)
    planned_at = fields.Datetime(string="Planned send")
    line_ids = fields.One2many("participant.sms.free.line", "wizard_id", string="Numbers")
    recipient_count = fields.Integer(compute="_compute_totals", string="Recipients")
    sms_count = fields.Integer(compute="_compute_totals", string="SMS")
    credit_remaining = fields.Integer(compute="_compute_totals", string="Credit remaining")

    @api.depends("line_ids.selected", "body")
    def _compute_totals(self):
        segments = sms_text.measure(self.body).segments if len(self) == 1 else 0
        for wizard in self:
            wizard.recipient_count = len(wizard.line_ids.filtered("selected"))
            wizard.sms_count = wizard.recipient_count * (
                segments or sms_text.measure(wizard.body).segments)
            wizard.credit_remaining = self.env["participant.sms.package"].sudo()._remaining_credit(
                self.env.company)

    def _check_permission(self):
        if not self.env.user.has_group("participant_sms.group_sms_send_free"):
            raise AccessError(_("You are not allowed to send free SMS."))

    @api.model
    def _spreadsheet_error_message(self, error):
        return {
            "too_big": _("The file is larger than 10 MB."),
            "wrong_type": _("Only .xlsx and .csv files are accepted."),
            "encrypted": _("The file is password-protected (or an old .xls file): save it "
                           "as a plain .xlsx."),
            "unreadable": _("The file cannot be read as an Excel file."),
            "empty": _("The file has no phone number."),
            "no_column": _("The first row of the file must have a column named TELEPHONE."),
            "too_many_rows": _("The file has more than 20,000 rows."),
            "formula": _("Row %s holds a formula instead of a value: copy and paste the values "
                         "only.", error.details.get("row")),
        }[error.code]

    def _check_text(self):
        if not (self.body or "").strip():
            raise UserError(_("Type the text of the SMS."))
        if has_placeholders(self.body):
            raise UserError(_("A free SMS cannot hold merge fields ({{...}}): the recipients "
                              "are only numbers."))
        measure = sms_text.measure(self.body)
        if measure.segments > self.env.company.psms_max_segments:
            raise UserError(_("The text needs %(count)s SMS but at most %(max)s are allowed.",
                              count=measure.segments, max=self.env.company.psms_max_segments))

    def action_preview(self):
        self.ensure_one()
        self._check_permission()
        self._check_text()
        if not self.file:
            raise UserError(_("Upload the file of numbers (.xlsx or .csv)."))
        try:
            rows = read_phone_column(base64.b64decode(self.file), self.filename)
        except SpreadsheetError as error:
            raise UserError(self._spreadsheet_error_message(error)) from None
        region = self.env.company._psms_zone().region
        seen, lines = set(), []
        normalized = {}
        for _row, raw in rows:
            try:
                normalized[raw] = normalize_mobile(raw, region)
            except PhoneError:
                normalized[raw] = False
        blacklisted = self.env["phone.blacklist"]._psms_blacklisted(
            [n for n in normalized.values() if n])
        for row, raw in rows:
            number = normalized[raw]
            error = False
            if not number:
                error = _("Invalid mobile number")
            elif number in seen:
                error = _("Duplicate")
            elif number in blacklisted:
                error = _("STOP")
            if number:
                seen.add(number)
            lines.append({"wizard_id": self.id, "row": row, "raw": raw,
                          "number": number or False, "error": error, "selected": not error})
        self.line_ids.unlink()
        self.env["participant.sms.free.line"].create(lines)
        self.state = "preview"
        return self._reopen()

    def action_back(self):
        self.state = "compose"
        return self._reopen()

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "views": [(False, "form")], "target": "new",
                "name": _("Free SMS")}

    def action_validate(self):
        self.ensure_one()
        self._check_permission()
        self._check_text()
        lines = self.line_ids.filtered(lambda line: line.selected and not line.error)
        if not lines:
            raise UserError(_("No number can receive the SMS."))
        if self.sms_count > self.credit_remaining:
            raise UserError(_("%(needed)s SMS credits are needed but only %(left)s remain.",
                              needed=self.sms_count, left=self.credit_remaining))
        window = self.env.company._psms_window()
        now = fields.Datetime.now()
        if self.send_mode == "scheduled":
            if not self.planned_at:
                raise UserError(_("Choose the planned send date."))
            planned = window.next_opening(max(self.planned_at, now))
        else:
            planned = window.immediate_send_at(now)
        batch_ref = self.env["ir.sequence"].next_by_code("participant.sms.free") or (
            now.strftime("LIBRE-%Y%m%d-%H%M%S"))
        messages = self.env["participant.sms"]._queue([{
            "origin": "free", "context_type": "free", "batch_ref": batch_ref,
            "number": line.number, "body": self.body, "planned_at": planned,
            "deadline": planned + timedelta(hours=24),
        } for line in lines])
        if self.send_mode == "now":
            self.env.ref("participant_sms.ir_cron_sms_dispatch")._trigger()
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"type": "success", "sticky": True, "title": _("Free SMS %s", batch_ref),
                       "message": _("%s SMS scheduled.", len(messages)),
                       "next": {"type": "ir.actions.act_window_close"}},
        }


class ParticipantSmsFreeLine(models.TransientModel):
    _name = "participant.sms.free.line"
    _description = "Free SMS number"
    _order = "error desc, row"

    wizard_id = fields.Many2one("participant.sms.free", required=True, ondelete="cascade",
                                index=True)
    row = fields.Integer(readonly=True)
    raw = fields.Char(string="In the file", readonly=True)
    number = fields.Char(readonly=True)
    error = fields.Char(readonly=True)
    selected = fields.Boolean(string="Send", default=True)

    def write(self, vals):
        if vals.get("selected") and self.filtered("error"):
            raise UserError(_("A line in error cannot be ticked."))
        return super().write(vals)
