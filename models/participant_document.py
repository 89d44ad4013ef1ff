# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A document a participant agrees to (CER, PPAE, consent form...), and how the
agreement is collected ("accord SMS", Viesion's guide): by a code sent by SMS to the
participant's mobile during the interview, which the participant reads to their
referent, or, when no SMS is possible, by a tick box (paper or oral agreement).

Invariants (README, "Agreement by SMS code"; ``tests/test_agreement.py``):

A1. Once an agreement is requested, the document's content is frozen by the SHA-256 of
    its file: its file, participant and company never change again (a changed file is
    a new document), and every agreement names that SHA-256; state, SHA-256 and
    agreement are written only by the document's own buttons.
A2. A code is drawn with ``secrets``, six digits, and stored only as a keyed hash
    (``participant.agreement.attempt``); the SMS that carries it is stored with the code
    masked (the provider alone gets it in clear), so no committed row, note or log
    holds it.
A3. A code is valid 10 minutes, for one document, once: three wrong codes, the delay
    passed, a new code that left or an agreement given end it. At most three codes are
    sent per document per hour. Every code sent and every code typed is recorded, wrong
    ones included (nothing is rolled back by an error: a wrong code is an answer,
    not an exception).
A4. An agreement (``participant.agreement``) is created only by a confirmed code or a
    ticked paper/oral agreement, as superuser after the checks, and never changes
    afterwards; it lives as long as its document, which is then deleted only with its
    participant.
A5. The code SMS goes through the engine like any SMS of a participant (permission
    *SMS: individual instant*, consent, STOP list, credit, provider), sent at once in
    the referent's request, outside the send window too (I5); it is never sent later:
    one that comes back to the queue is cancelled.
"""

import base64
import hashlib

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools.misc import format_date

from ..tools import sms_text

#: a code's six digits, as the SMS's stored text shows them (GSM-7, same length)
CODE_MASK = "******"
#: how many codes a document may be sent in an hour
MAX_CODES_PER_HOUR = 3
#: the longest document label in the code's SMS (it must fit in one SMS)
LABEL_MAX = 40
#: the longest name of the service in the code's SMS
SERVICE_MAX = 25
#: what only the document's own buttons write (as superuser, after their checks)
PROTECTED = frozenset(("state", "sha256", "agreement_id"))


class ParticipantDocument(models.Model):
    _name = "participant.document"
    _description = "Participant document"
    _inherit = [
        "mail.thread",
        "participant.followed.mixin",
        "participant.sms.record",
    ]
    _order = "date desc, id desc"
    _psms_context_type = "document"

    name = fields.Char(string="Title", required=True, tracking=True)
    document_type_id = fields.Many2one(
        "participant.document.type", string="Type", required=True, tracking=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    appointment_id = fields.Many2one(
        "calendar.event",
        string="Appointment",
        domain="[('participant_id', '=', participant_id)]",
        ondelete="set null",
    )
    step_id = fields.Many2one(
        "participant.step",
        string="Step",
        domain="[('participant_id', '=', participant_id)]",
        ondelete="set null",
    )
    file = fields.Binary(attachment=True, required=True, copy=False)
    file_name = fields.Char(string="File name", copy=False)
    sha256 = fields.Char(
        string="SHA-256",
        readonly=True,
        copy=False,
        help="Fingerprint of the file, taken when the agreement was first requested: "
        "the content agreed to.",
    )
    state = fields.Selection(
        [
            ("draft", "To agree"),
            ("requested", "Code sent"),
            ("agreed", "Agreed"),
            ("refused", "Refused"),
        ],
        string="Agreement",
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    agreement_ids = fields.One2many(
        "participant.agreement", "document_id", string="Agreements", readonly=True
    )
    agreement_id = fields.Many2one(
        "participant.agreement",
        string="Agreement given",
        compute="_compute_agreement_id",
        store=True,
        help="The agreement (or refusal) last recorded.",
    )
    agreed_at = fields.Datetime(related="agreement_id.confirmed_at", string="Agreed on")
    attempt_ids = fields.One2many(
        "participant.agreement.attempt",
        "document_id",
        string="Codes sent",
        readonly=True,
    )

    @api.depends("agreement_ids")
    def _compute_agreement_id(self):
        for document in self:
            document.agreement_id = document.agreement_ids.sorted("id")[-1:]

    @api.constrains("appointment_id", "step_id", "participant_id")
    def _check_same_participant(self):
        for document in self:
            others = (
                document.appointment_id.participant_id | document.step_id.participant_id
            )
            if others - document.participant_id:
                raise UserError(
                    _(
                        "The appointment and the step of a document must be the "
                        "participant's own."
                    )
                )

    @api.onchange("document_type_id", "date")
    def _onchange_document_type_id(self):
        if self.document_type_id and not self.name:
            self.name = self._psms_label()

    # ----------------------------------------------------------------------------------
    # A1: the content agreed to is frozen
    # ----------------------------------------------------------------------------------
    @api.constrains("company_id", "participant_id")
    def _check_company_of_participant(self):
        for document in self:
            company = document.participant_id.company_id
            if company and company != document.company_id:
                raise ValidationError(
                    _("A document belongs to the company of its participant.")
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_agreed(self):
        """The evidence stays: a document with an agreement is deleted only with its
        participant (the right to erasure)."""
        if self.filtered("agreement_ids"):
            raise UserError(
                _(
                    "A document with an agreement is kept as evidence: it is deleted "
                    "only with its participant."
                )
            )

    def write(self, vals):
        if PROTECTED & set(vals) and not self.env.su:
            raise AccessError(
                _("The agreement of a document is recorded by its own buttons only.")
            )
        if {"file", "participant_id", "company_id"} & set(vals):
            frozen = self.filtered("sha256")
            if frozen:
                raise UserError(
                    _(
                        "The file and the participant of a document cannot change "
                        "once an agreement was requested on it: add the new version "
                        "as a new document."
                    )
                )
        return super().write(vals)

    def _file_sha256(self):
        """The SHA-256 of the file stored now (hexadecimal)."""
        self.ensure_one()
        content = base64.b64decode(self.sudo().with_context(bin_size=False).file or b"")
        return hashlib.sha256(content).hexdigest()

    def _freeze(self):
        for document in self.filtered(lambda d: not d.sha256):
            if not document.file:
                raise UserError(_("Attach the document's file first."))
            document.sudo().write({"sha256": document._file_sha256()})

    def action_check_file(self):
        """The hash check: does the stored file still match the one agreed to?"""
        self.ensure_one()
        self.check_access("read")
        if not self.sha256:
            raise UserError(_("No agreement was requested on this document yet."))
        matches = self._file_sha256() == self.sha256
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if matches else "danger",
                "sticky": not matches,
                "message": _(
                    "The stored file matches the one agreed to (SHA-256 %s).",
                    self.sha256,
                )
                if matches
                else _(
                    "The stored file does NOT match the one agreed to: its SHA-256 "
                    "is %(now)s, the agreement names %(agreed)s.",
                    now=self._file_sha256(),
                    agreed=self.sha256,
                ),
            },
        }

    # ----------------------------------------------------------------------------------
    # collecting the agreement
    # ----------------------------------------------------------------------------------
    def _check_collectable(self):
        self.ensure_one()
        self.check_access("write")
        if self.state == "agreed":
            raise UserError(_("This document was already agreed to."))

    def _lock(self):
        """Serialise the requests and confirmations on this document (two referents,
        two tabs, a double click): a concurrent one starts again after this one."""
        # an UPDATE, not a SELECT FOR UPDATE: under REPEATABLE READ a concurrent
        # request then fails to serialise and Odoo retries it on a fresh snapshot
        self.env.cr.execute(
            "UPDATE participant_document SET write_date = write_date WHERE id = %s",
            [self.id],
        )

    def _settle_state(self):
        """The document's state from the facts: agreed (an accepted agreement), a code
        waiting (an open code), refused (the last answer a refusal), or to agree."""
        for document in self.sudo():
            last = document.agreement_ids.sorted("id")[-1:]
            if "accepted" in document.agreement_ids.mapped("answer"):
                state = "agreed"
            elif document.attempt_ids.filtered(lambda a: a.state == "open"):
                state = "requested"
            elif last.answer == "refused":
                state = "refused"
            else:
                state = "draft"
            if document.state != state:
                document.state = state

    def _psms_label(self):
        """How the code's SMS names the document: "CER of 12/03"."""
        self.ensure_one()
        label = self.document_type_id.code or self.document_type_id.name or self.name
        if self.date:
            label = _(
                "%(type)s of %(date)s",
                type=label,
                date=format_date(self.env, self.date, date_format="dd/MM"),
            )
        label = label or ""
        return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 3] + "..."

    def _psms_code_text(self, code):
        """The code's SMS, in the service's language, fitting one SMS (GSM-7)."""
        company = self.company_id
        text = _(
            "Your code to accept “%(document)s” (%(service)s): %(code)s. Give it to "
            "your referent only.",
            document=self._psms_label(),
            service=(company.psms_sender or company.name or "")[:SERVICE_MAX],
            code=code,
        )
        mode = company.psms_text_mode
        return sms_text.convert(text, "typography" if mode == "keep" else mode)

    def action_agreement_send_code(self):
        """Send a new agreement code to the participant now, and open the window
        where the referent types it."""
        self.ensure_one()
        self.env["participant.sms"]._check_origin_permission("instant")
        self._check_collectable()
        self._lock()
        self.invalidate_recordset()
        self._check_collectable()
        Attempt = self.env["participant.agreement.attempt"].sudo()
        recent = Attempt.search_count(
            [
                ("document_id", "=", self.id),
                (
                    "sent_at",
                    ">",
                    fields.Datetime.subtract(fields.Datetime.now(), hours=1),
                ),
            ]
        )
        if recent >= MAX_CODES_PER_HOUR:
            raise UserError(
                _(
                    "%s codes were already sent for this document in the last hour: "
                    "wait before sending another one, or record the agreement "
                    "without SMS.",
                    MAX_CODES_PER_HOUR,
                )
            )
        number = self._psms_code_recipient()
        self._freeze()
        attempt = Attempt._open(self, number)
        return attempt._send_code(self._psms_code_text)

    def _psms_code_recipient(self):
        """The participant's E.164 mobile, or a clear error pointing to the tick box."""
        partner = self.participant_id.sudo()
        Recipient = self.env["participant.sms.recipient"]
        (verdict,) = Recipient._check([(partner, False)], self.company_id)
        if verdict.code:
            raise UserError(
                _(
                    "%s The agreement cannot be collected by SMS: correct the "
                    "participant's mobile, or record the agreement without SMS "
                    "(paper or oral).",
                    Recipient._sentence(verdict.code, partner.name),
                )
            )
        return verdict.number

    def action_agreement_enter_code(self):
        """Open the window where the referent types the code of the open attempt."""
        self.ensure_one()
        self.check_access("read")
        attempt = self.attempt_ids.filtered(lambda a: a.state == "open")[:1]
        if not attempt:
            raise UserError(_("No code is waiting: send a code first."))
        return attempt._open_wizard()

    def action_agreement_paper(self):
        """The degraded mode: record the agreement collected on paper or orally."""
        self.ensure_one()
        self._check_collectable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Agreement without SMS"),
            "res_model": "participant.agreement.collect",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_document_id": self.id, "default_mode": "paper"},
        }

    def _agreement_record_paper(self, answer):
        """Record the participant's answer ("accepted"/"refused") collected on paper
        or orally by the current user (A4)."""
        self.ensure_one()
        self._check_collectable()
        self._lock()
        self._freeze()
        self.attempt_ids.filtered(lambda a: a.state == "open")._end("replaced")
        agreement = self.env["participant.agreement"]._record(
            {
                "document_id": self.id,
                "mode": "paper",
                "answer": answer,
            }
        )
        self._settle_state()
        self._message_log(body=agreement._summary())
        return agreement

    def action_open_document(self):
        """Open the document in its own form (from the participant's Documents)."""
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_certificate(self):
        """*Signed document*: the certificate of the agreement, as a PDF."""
        self.ensure_one()
        self.check_access("read")
        if not self.agreement_id:
            raise UserError(_("No agreement was recorded on this document."))
        return self.env.ref(
            "participant_sms.action_report_participant_agreement"
        ).report_action(self.agreement_id)

    # ----------------------------------------------------------------------------------
    # the engine's hooks (participant.sms.record)
    # ----------------------------------------------------------------------------------
    def _psms_reconcile(self, *args, **kwargs):
        """A code SMS is sent at once or not at all: one still pending (its
        participant's mobile or consent changed meanwhile) is cancelled."""
        self.env["participant.sms"].sudo().search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("state", "=", "queued"),
                ("purpose", "=", "agreement_code"),
            ]
        )._cancel(_("An agreement code is sent at once or not at all."))

    def _psms_after_flight(self, messages):
        """A code that came back to the queue is never sent later (its stored text
        holds no code, A2): cancelled, and its attempt ends."""
        messages._cancel(_("The code could not be sent at once."))
        self.env["participant.agreement.attempt"].sudo().search(
            [("sms_id", "in", messages.ids), ("state", "=", "open")]
        )._end("failed")

    @staticmethod
    def _request_ip():
        """The address the current request came from (none from a cron or a shell)."""
        try:
            return request.httprequest.remote_addr if request else False
        except RuntimeError:
            return False
