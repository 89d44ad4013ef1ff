# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import sms_text
from ..tools.excel import SpreadsheetError, read_phone_column
from ..tools.merge import has_placeholders

_logger = logging.getLogger(__name__)


class ParticipantSmsFree(models.TransientModel):
    """Free SMS (the seed's "envoi libre"): one text to the numbers of a file's
    TELEPHONE column, recipients who need not be participants."""

    _name = "participant.sms.free"
    _inherit = ["participant.sms.send.mixin"]
    _description = "Free SMS"
    _psms_group = "participant_sms.group_sms_send_free"
    _psms_line_model = "participant.sms.free.line"

    body = fields.Text(string="Text", required=True)
    file = fields.Binary(attachment=False)
    filename = fields.Char(string="File name")
    line_ids = fields.One2many(
        "participant.sms.free.line", "wizard_id", string="Numbers"
    )
    recipient_count = fields.Integer(compute="_compute_totals", string="Recipients")
    sms_count = fields.Integer(compute="_compute_totals", string="SMS")

    body_sent = fields.Text(
        compute="_compute_body_sent",
        string="Text sent",
        help="The text as it will be sent (the SMS characters setting).",
    )
    body_replaced = fields.Char(
        compute="_compute_body_sent", string="Replaced characters"
    )

    @api.depends("body")
    def _compute_body_sent(self):
        for wizard in self:
            wizard.body_sent = self.env["participant.sms"]._convert_text(
                wizard.body, self.env.company
            )
            wizard.body_replaced = self._replaced_label(
                wizard.body or "", wizard.body_sent
            )

    @api.depends("line_ids.selected", "body")
    def _compute_totals(self):
        for wizard in self:
            wizard.recipient_count = len(wizard.line_ids.filtered("selected"))
            wizard.sms_count = (
                wizard.recipient_count * sms_text.measure(wizard.body_sent).segments
            )

    @api.model
    def _spreadsheet_error_message(self, error):
        return {
            "too_big": _("The file is larger than 10 MB."),
            "wrong_type": _("Only .xlsx and .csv files are accepted."),
            "encrypted": _(
                "The file is password-protected (or an old .xls file): save it "
                "as a plain .xlsx."
            ),
            "unreadable": _("The file cannot be read as an Excel file."),
            "empty": _("The file has no phone number."),
            "no_column": _(
                "The first row of the file must have a column named TELEPHONE."
            ),
            "too_many_rows": _("The file has more than 20,000 rows."),
            "formula": _(
                "Row %s holds a formula instead of a value: copy and paste the values "
                "only.",
                error.details.get("row"),
            ),
            "too_big_inside": _(
                "Once unpacked, this Excel file is far too large for a list of "
                "numbers: save only the list of numbers in a new file."
            ),
            "cell_too_long": _(
                "A value of the file is far too long for a phone number%s: check "
                "the file.",
                _(" (row %s)", error.details["row"])
                if error.details.get("row")
                else "",
            ),
        }[error.code]

    def _check_text(self):
        """The engine's text rule (blank, more SMS than allowed), then what a free
        SMS adds: no merge fields."""
        error = self._text_verdict(self.body)[2]
        if error:
            raise UserError(error)
        if has_placeholders(self.body):
            raise UserError(
                _(
                    "A free SMS cannot hold merge fields ({{...}}): the recipients "
                    "are only numbers."
                )
            )

    def action_preview(self):
        self.ensure_one()
        self._check_prepare()
        self._check_text()
        if not self.file:
            raise UserError(_("Upload the file of numbers (.xlsx or .csv)."))
        try:
            rows = read_phone_column(base64.b64decode(self.file), self.filename)
        except SpreadsheetError as error:
            raise UserError(self._spreadsheet_error_message(error)) from None
        verdicts = self.env["participant.sms.recipient"]._check(
            [(self.env["res.partner"], raw) for _row, raw in rows], self.env.company
        )
        Recipient, seen, lines = self.env["participant.sms.recipient"], set(), []
        labels = {code: Recipient._label(code) for code in ("", "refuses", "stop")}
        labels.update(invalid=_("Invalid mobile number"), duplicate=_("Duplicate"))
        labels["no_mobile"] = labels["invalid"]
        for (row, raw), verdict in zip(rows, verdicts, strict=False):
            number = verdict.number
            if verdict.code in ("no_mobile", "invalid"):
                error = labels[verdict.code]
            elif number in seen:
                error = labels["duplicate"]
            else:
                error = labels[verdict.code]
            if number:
                seen.add(number)
            lines.append(
                {
                    "wizard_id": self.id,
                    "row": row,
                    "raw": raw,
                    "number": number or False,
                    "error": error or False,
                    "selected": not error,
                }
            )
        return self._show_preview(lines)

    def action_validate(self):
        self.ensure_one()
        self._check_permission()
        self._check_text()
        lines = self._selected_lines(_("No number can receive the SMS."))
        self._check_credit()
        planned = self._planned()
        now = fields.Datetime.now()
        batch_ref = self.env["ir.sequence"].next_by_code("participant.sms.free") or (
            now.strftime("LIBRE-%Y%m%d-%H%M%S")
        )
        deadline = self.env.company._psms_window().campaign_deadline(planned)
        messages = self.env["participant.sms"]._queue_many(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "batch_ref": batch_ref,
                    "number": number,
                    "body": self.body,
                    "planned_at": planned,
                    "deadline": deadline,
                }
                for number in lines.mapped("number")
            ]
        )
        scheduled = (
            _("1 SMS scheduled.")
            if len(messages) == 1
            else _("%s SMS scheduled.", len(messages))
        )
        return self._done(_("Free SMS %s", batch_ref), scheduled)


class ParticipantSmsFreeLine(models.TransientModel):
    _name = "participant.sms.free.line"
    _inherit = ["participant.sms.preview.line.mixin"]
    _description = "Free SMS number"
    _order = "error desc, row"

    wizard_id = fields.Many2one(
        "participant.sms.free", required=True, ondelete="cascade", index=True
    )
    row = fields.Integer(readonly=True)
    raw = fields.Char(string="In the file", readonly=True)
    number = fields.Char(readonly=True)
