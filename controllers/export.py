# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import tempfile

from openpyxl import Workbook
from openpyxl.styles import Font
from werkzeug.wsgi import wrap_file

from odoo import _, fields, http
from odoo.http import Response, content_disposition, request

from ..tools.excel import data_cell

CHUNK = 2000


class ParticipantSmsExport(http.Controller):
    """Excel export of the SMS lists: a real .xlsx written with openpyxl in write-only
    mode (rows streamed to a temporary file, not kept in memory), headers in the user's
    language, dates as Excel dates in the user's time zone, texts as text (never
    formulas: a text typed as ``=HYPERLINK(…)`` reads as typed)."""

    def _headers(self):
        return [
            _("Planned send"),
            _("Actual send"),
            _("Recipient"),
            _("Phone"),
            _("Context"),
            _("Context record"),
            _("Author"),
            _("Origin"),
            _("Batch reference"),
            _("Text"),
            _("SMS count"),
            _("Status"),
            _("Provider status"),
            _("Last error"),
        ]

    @staticmethod
    def _local(env, value):
        if not value:
            return None
        return fields.Datetime.context_timestamp(env["participant.sms"], value).replace(
            tzinfo=None
        )

    def _row(self, env, sms, labels):
        return [
            self._local(env, sms.planned_at),
            self._local(env, sms.sent_at),
            sms.partner_id.name or "",
            sms.number_display or "",
            labels["context_type"].get(sms.context_type, ""),
            sms.context_name or "",
            sms.author_id.name or "",
            labels["origin"].get(sms.origin, ""),
            sms.batch_ref or "",
            sms.body,
            sms.segments,
            labels["state"].get(sms.state, ""),
            sms.raw_status or "",
            sms.last_error or "",
        ]

    @http.route(
        "/participant_sms/export_xlsx/<int:export_id>",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def export_xlsx(self, export_id, **_kwargs):
        env = request.env
        export = env["participant.sms.export"].browse(export_id).exists()
        if not export or export.create_uid != env.user:
            raise request.not_found()
        # access rights and record rules of the user apply
        records = export._records()
        spool, size = self._write_xlsx(env, records)
        filename = f"{_('SMS')}-{fields.Date.context_today(records)}.xlsx"
        return Response(
            wrap_file(request.httprequest.environ, spool),
            direct_passthrough=True,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                ),
                ("Content-Length", str(size)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    def _write_xlsx(self, env, records):
        """Write ``records`` to a temporary .xlsx file (write-only: rows streamed, read
        from the database in chunks); return the open file, rewound, and its size."""
        Sms = env["participant.sms"]
        labels = {
            name: dict(Sms._fields[name]._description_selection(env))
            for name in ("context_type", "origin", "state")
        }
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("SMS"))
        header_font = Font(bold=True)
        headers = []
        for title in self._headers():
            cell = data_cell(sheet, title)
            cell.font = header_font
            headers.append(cell)
        sheet.append(headers)
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            for sms in chunk:
                row = []
                for column, value in enumerate(self._row(env, sms, labels)):
                    cell = data_cell(sheet, value)
                    if column < 2 and value is not None:
                        cell.number_format = "DD/MM/YYYY HH:MM"
                    row.append(cell)
                sheet.append(row)
            chunk.invalidate_recordset()
        spool = tempfile.TemporaryFile()
        workbook.save(spool)
        size = spool.tell()
        spool.seek(0)
        return spool, size


class ParticipantSmsHistory(http.Controller):
    """The right of access: a participant's SMS history as an .xlsx, never stored."""

    @http.route(
        "/participant_sms/history/<int:partner_id>",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def history_xlsx(self, partner_id, **_kwargs):
        env = request.env
        env["participant.sms.privacy"]._check_history_rights()
        partner = env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise request.not_found()
        partner.check_access("read")
        data = env["participant.sms.privacy"]._history_xlsx(partner)
        lang = env["participant.sms.privacy"]._history_lang()
        label = (
            env["participant.sms.privacy"].with_context(lang=lang)._history_filename()
        )
        filename = f"{label}-{partner.name}-{fields.Date.context_today(partner)}.xlsx"
        return request.make_response(
            data,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Length", str(len(data))),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "no-store"),
            ],
        )
