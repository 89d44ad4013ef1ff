# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Personal data of the SMS (RGPD): retention and the right of access.

Invariants (tests/test_sms_privacy.py):

* **R1** an SMS or reply past its company's retention period has no text and no number
  left; its date, status, SMS count, credits, context type, context record, origin and
  author stay, so that every count and statistic is unchanged;
* **R2** an SMS that is not final (queued, being sent, sent and waiting for its status)
  is never anonymised, whatever its age; a company keeping SMS forever (0 months) loses
  nothing;
* **R3** anonymisation is idempotent and only ever removes: running it twice, or on a
  crash and again, gives the same result;
* **R4** the history export holds every SMS and reply of the participant, and only
  theirs; only SMS administrators and participant managers can make it;
* **R5** anonymising an SMS or a reply removes every copy of its text and number,
  wherever the addon wrote one (tests/test_sms_retention_copies.py searches every column
  of every table): the chatter notes quoting it (and their e-mails), the "SMS reply"
  theme line, the collaborator's to-do of an "alert" reply (open, done or archived) and
  the message saying it was done, the simulator's record of the send, and the reminder
  text of the record it was sent for (``sms_reminder_body``), cleared when it is that
  text (whitespace aside) and the record's reminder is over: a record whose reminder SMS
  is not final, or whose reminder is on for a start still to come and has not left yet,
  keeps its text (R2).

Exports (R4 and the SMS lists) hold data, never formulas: every cell is made by
``tools.excel.data_cell`` (a text is written as text, with the quote prefix when a
spreadsheet could take it for a formula).
"""

import io
import logging

import lxml.html
from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Font

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.excel import data_row
from .participant_sms_selections import FINAL_STATES

_logger = logging.getLogger(__name__)

#: what an anonymised text or number reads
ANONYMISED = "—"
BATCH = 1000


def _plain(text):
    """A text with its whitespace collapsed, as a chatter note shows it."""
    return " ".join((text or "").split())


def _paragraphs(html):
    """``(set of its paragraphs, its whole text)`` of an HTML body, as plain text with
    the whitespace collapsed."""
    if not html or not str(html).strip():
        return set(), ""
    root = lxml.html.fragment_fromstring(str(html), create_parent="div")
    return (
        {_plain(p.text_content()) for p in root.iter("p", "div")},
        _plain(root.text_content()),
    )


class ParticipantSmsPrivacy(models.AbstractModel):
    _name = "participant.sms.privacy"
    _description = "SMS personal data"

    # ----------------------------------------------------------------------------------
    # retention
    # ----------------------------------------------------------------------------------
    @api.model
    def _anonymize(self, auto_commit=False):
        """Anonymise what is past each company's retention, a commit per batch when
        ``auto_commit``; return (SMS count, reply count)."""
        Sms = self.env["participant.sms"].sudo()
        Reply = self.env["participant.sms.reply"].sudo()
        now = fields.Datetime.now()
        sms_count = reply_count = 0
        shortest = None
        for company in (
            self.env["res.company"].sudo().search([("psms_retention_months", ">", 0)])
        ):
            cutoff = now - relativedelta(months=company.psms_retention_months)
            shortest = max(shortest or cutoff, cutoff)
            sms_count += self._anonymize_records(
                Sms,
                [
                    ("company_id", "=", company.id),
                    ("state", "in", list(FINAL_STATES)),
                    ("anonymized_at", "=", False),
                    ("planned_at", "<", cutoff),
                    "|",
                    ("sent_at", "=", False),
                    ("sent_at", "<", cutoff),
                    "|",
                    ("status_at", "=", False),
                    ("status_at", "<", cutoff),
                ],
                {"body": ANONYMISED, "number": ANONYMISED, "last_error": False},
                before=self._anonymize_sms_copies,
                auto_commit=auto_commit,
            )
            reply_count += self._anonymize_records(
                Reply,
                [
                    ("sms_id.company_id", "=", company.id),
                    ("anonymized_at", "=", False),
                    ("received_at", "<", cutoff),
                ],
                {"text": ANONYMISED, "number": ANONYMISED},
                before=self._anonymize_reply_records,
                auto_commit=auto_commit,
            )
        if shortest:
            # replies that answered no SMS of ours: the shortest retention of all
            reply_count += self._anonymize_records(
                Reply,
                [
                    ("sms_id", "=", False),
                    ("anonymized_at", "=", False),
                    ("received_at", "<", shortest),
                ],
                {"text": ANONYMISED, "number": ANONYMISED},
                before=self._anonymize_reply_records,
                auto_commit=auto_commit,
            )
            self.env["participant.sms.simulator.message"].sudo().search(
                [("accepted_at", "<", shortest)]
            ).unlink()
        _logger.info(
            "SMS retention: %s SMS and %s replies anonymised", sms_count, reply_count
        )
        return sms_count, reply_count

    @api.model
    def _anonymize_records(self, model, domain, values, before=None, auto_commit=False):
        done = 0
        while records := model.search(domain, limit=BATCH, order="id"):
            if before:
                before(records)
            records.write(dict(values, anonymized_at=fields.Datetime.now()))
            done += len(records)
            self.env["participant.sms.dispatcher"]._commit(auto_commit)
        return done

    @api.model
    def _anonymize_sms_copies(self, messages):
        """Before these SMS are anonymised: every copy of their text and number (R5)."""
        self._anonymize_sms_notes(messages)
        self._anonymize_reminder_texts(messages)
        self._forget_simulated(messages)

    @api.model
    def _anonymized_note(self):
        return Markup("<p><em>%s</em></p>") % _(
            "SMS note anonymised at the end of the retention period."
        )

    @api.model
    def _anonymize_sms_notes(self, messages):
        """The chatter notes of the context records that quote these SMS (sent, final
        status): found by record and text (one search per model), their body replaced.
        """
        Message = self.env["mail.message"].sudo()
        notes = Message
        quoting = messages.filtered(
            lambda s: s.res_model and s.res_id and s.body != ANONYMISED
        )
        for model, group in quoting.grouped("res_model").items():
            # texts compared as plain text, whitespace collapsed (as striptags)
            quoted = {}
            for sms in group:
                quoted.setdefault(sms.res_id, []).append(" ".join(sms.body.split()))
            for note in Message.search(
                [
                    ("model", "=", model),
                    ("res_id", "in", list(quoted)),
                    ("message_type", "=", "notification"),
                ]
            ):
                text = Markup(note.body or "").striptags()
                if any(body in text for body in quoted[note.res_id]):
                    notes |= note
        self._anonymize_messages(notes)

    @api.model
    def _anonymize_messages(self, messages):
        """Replace the body of these chatter messages, and of the e-mails made of
        them."""
        if not messages:
            return
        note = self._anonymized_note()
        messages.sudo().write({"body": note})
        self.env["mail.mail"].sudo().search(
            [("mail_message_id", "in", messages.ids)]
        ).write({"body_html": note})

    @api.model
    def _anonymize_reminder_texts(self, messages):
        """The reminder text of the records these SMS were sent for, when it is the text
        of one of them (whitespace aside) and the record's reminder is over; written
        without syncing the reminder (nothing is queued, revised or cancelled)."""
        reminder_models = self.env["participant.sms"]._reminder_models()
        sent_for = messages.filtered(
            lambda s: s.res_model in reminder_models
            and s.res_id
            and s.body != ANONYMISED
        )
        for model, group in sent_for.grouped("res_model").items():
            texts = {}
            for sms in group:
                texts.setdefault(sms.res_id, set()).add(_plain(sms.body))
            records = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .browse(list(texts))
                .exists()
            )
            for record in records:
                if (
                    record.sms_reminder_body
                    and _plain(record.sms_reminder_body) in texts[record.id]
                    and not self._reminder_to_come(record)
                ):
                    record.write({"sms_reminder_body": False})

    @api.model
    def _reminder_to_come(self, record):
        """Whether ``record``'s reminder may still send its text: its reminder SMS is
        not final, or the reminder is on for a later start and its SMS has not left
        (none, or cancelled). A reminder SMS that left is never sent again: the text is
        only a copy."""
        current = record.sms_reminder_sms_id
        if current and current.state not in FINAL_STATES:
            return True
        start = record[record._psms_event_start_field]
        return bool(
            record.sms_reminder
            and start
            and start > fields.Datetime.now()
            and (not current or current.state == "cancelled")
        )

    @api.model
    def _forget_simulated(self, messages):
        """The simulator's record of these sends (their number), as a provider purges
        it."""
        sent = messages.filtered("provider_tag")
        if not sent:
            return
        pairs = {(sms.provider_tag, sms.number) for sms in sent}
        provider_ids = set(sent.filtered("provider_id").mapped("provider_id"))
        self.env["participant.sms.simulator.message"].sudo().search(
            [("tag", "in", list({tag for tag, _number in pairs}))]
        ).filtered(
            lambda row: (row.tag, row.number) in pairs
            or row.provider_id in provider_ids
        ).unlink()

    @api.model
    def _anonymize_reply_records(self, replies):
        """The chatter note quoting each reply and the "SMS reply" theme line of its
        appointment keep their date, not the text."""
        self._anonymize_messages(replies.note_message_id)
        lines = (
            self.env["participant.appointment.theme.line"]
            .sudo()
            .search([("reply_id", "in", replies.ids)])
        )
        for line in lines:
            reply = line.reply_id.with_context(
                lang=line.event_id.participant_collaborator_id.lang or self.env.lang
            )
            line.synthesis = reply._synthesis(ANONYMISED)
        self._anonymize_reply_alerts(replies)

    @api.model
    def _anonymize_reply_alerts(self, replies):
        """The collaborator's to-do of an "alert" reply (open, done or archived) and the
        message saying it was done, on the participant: those holding the reply's text
        as a paragraph of their own and its date and time of reception (in any installed
        language), so that another reply with the same text keeps its to-do."""
        applied = replies.filtered(
            lambda r: r.result == "applied" and r.text and r.text != ANONYMISED
        )
        partners = applied.event_id.participant_id | applied.partner_id
        if not partners:
            return
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        quoted = {}  # partner id -> [(text, {(day, time), ...})]
        for reply in applied.filtered("received_at"):
            stamps = {reply.with_context(lang=lang)._when() for lang in langs}
            for partner in reply.event_id.participant_id | reply.partner_id:
                quoted.setdefault(partner.id, []).append((_plain(reply.text), stamps))

        def quotes(html, partner_id):
            paragraphs, text = _paragraphs(html)
            return any(
                body in paragraphs
                and any(day in text and time in text for day, time in when)
                for body, when in quoted.get(partner_id, ())
            )

        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        )
        activities.filtered(lambda a: quotes(a.note, a.res_id)).write(
            {"note": self._anonymized_note()}
        )
        done = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("mail_activity_type_id", "!=", False),
                ]
            )
        )
        self._anonymize_messages(done.filtered(lambda m: quotes(m.body, m.res_id)))

    # ----------------------------------------------------------------------------------
    # right of access: the participant's SMS history
    # ----------------------------------------------------------------------------------
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
