# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The right of access (RGPD): a participant's SMS history as an .xlsx.

Invariant (tests/test_sms_privacy.py):

* **R4** the history export holds every SMS and reply of the participant, and only
  theirs; only SMS administrators and participant managers can make it.

Exports (R4 and the SMS lists) hold data, never formulas: every cell is made by
``tools.excel.data_cell`` (a text is written as text, with the quote prefix when a
spreadsheet could take it for a formula).
"""

import io
import logging

from openpyxl import Workbook
from openpyxl.styles import Font

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.excel import data_row

_logger = logging.getLogger(__name__)


class ParticipantSmsPrivacy(models.AbstractModel):
    _inherit = "participant.sms.privacy"

    @api.model
    def _check_history_rights(self):
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("participant_sms.group_sms_admin")
            or user.has_group("participant_sms.group_participant_manager")
        ):
            raise AccessError(
                _(
                    "Only SMS administrators and participant managers can export a "
                    "participant's SMS history."
                )
            )

    @api.model
    def _history_lang(self):
        """The export is in French when French is installed (the participants'
        language)."""
        french = self.env["res.lang"]._lang_get("fr_FR")
        return "fr_FR" if french and french.active else self.env.lang

    @api.model
    def _history_xlsx(self, partner):
        """Every SMS, reply and agreement of ``partner`` as an .xlsx (bytes): one sheet
        each."""
        self._check_history_rights()
        self = self.with_context(lang=self._history_lang())
        partner = partner.sudo()
        Sms = self.env["participant.sms"].sudo()
        messages = Sms.search([("partner_id", "=", partner.id)], order="planned_at, id")
        replies = (
            self.env["participant.sms.reply"]
            .sudo()
            .search(
                ["|", ("partner_id", "=", partner.id), ("sms_id", "in", messages.ids)],
                order="received_at, id",
            )
        )
        labels = {
            name: dict(Sms._fields[name]._description_selection(self.env))
            for name in ("state", "origin", "context_type")
        }
        book = Workbook()
        sheet = book.active
        sheet.title = _("SMS")
        self._append_header(
            sheet,
            [
                _("Planned send"),
                _("Actual send"),
                _("Phone"),
                _("Text"),
                _("SMS count"),
                _("Status"),
                _("Status date"),
                _("Context"),
                _("Context record"),
                _("Origin"),
                _("Author"),
                _("Anonymised on"),
            ],
        )
        for sms in messages:
            self._append(
                sheet,
                [
                    self._local(sms.planned_at),
                    self._local(sms.sent_at),
                    sms.number,
                    sms.body,
                    sms.segments,
                    labels["state"].get(sms.state, ""),
                    self._local(sms.status_at),
                    labels["context_type"].get(sms.context_type, ""),
                    sms.context_name or "",
                    labels["origin"].get(sms.origin, ""),
                    sms.author_id.name or "",
                    self._local(sms.anonymized_at),
                ],
            )
        sheet = book.create_sheet(_("Replies"))
        self._append_header(
            sheet,
            [
                _("Received"),
                _("Phone"),
                _("Text"),
                _("SMS answered"),
                _("Outcome given"),
                _("Anonymised on"),
            ],
        )
        for reply in replies:
            self._append(
                sheet,
                [
                    self._local(reply.received_at),
                    reply.number,
                    reply.text or "",
                    reply.sms_id.body or "",
                    reply.outcome_id.name or "",
                    self._local(reply.anonymized_at),
                ],
            )
        agreements = self._history_agreements(book, partner)
        buffer = io.BytesIO()
        book.save(buffer)
        _logger.info(
            "SMS history of partner %s exported by user %s (%s SMS, %s replies, "
            "%s agreements)",
            partner.id,
            self.env.uid,
            len(messages),
            len(replies),
            len(agreements),
        )
        return buffer.getvalue()

    @api.model
    def _history_agreements(self, book, partner):
        """The sheet of the participant's agreements to documents (by SMS code or on
        paper), with what proves them."""
        Agreement = self.env["participant.agreement"].sudo()
        agreements = Agreement.search(
            [("participant_id", "=", partner.id)], order="confirmed_at, id"
        )
        labels = {
            name: dict(Agreement._fields[name]._description_selection(self.env))
            for name in ("mode", "answer")
        }
        sheet = book.create_sheet(_("Agreements"))
        self._append_header(
            sheet,
            [
                _("Recorded at"),
                _("Document"),
                _("Document type"),
                _("SHA-256 of the file"),
                _("Answer"),
                _("How"),
                _("Mobile used"),
                _("Code sent at"),
                _("Provider's SMS id"),
                _("Referent"),
                _("IP address"),
            ],
        )
        for agreement in agreements:
            self._append(
                sheet,
                [
                    self._local(agreement.confirmed_at),
                    agreement.document_name,
                    agreement.document_type or "",
                    agreement.document_sha256 or "",
                    labels["answer"].get(agreement.answer, ""),
                    labels["mode"].get(agreement.mode, ""),
                    agreement.number or "",
                    self._local(agreement.code_sent_at),
                    agreement.sms_provider_id or "",
                    agreement.user_id.name or "",
                    agreement.ip_address or "",
                ],
            )
        return agreements

    @api.model
    def _history_filename(self):
        return _("SMS history")

    @staticmethod
    def _append(sheet, values):
        """Append a row of values, texts as text (never formulas, whatever they start
        with)."""
        sheet.append(data_row(sheet, values))

    @classmethod
    def _append_header(cls, sheet, headers):
        cls._append(sheet, headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)

    def _local(self, value):
        if not value:
            return None
        return fields.Datetime.context_timestamp(self, value).replace(tzinfo=None)
