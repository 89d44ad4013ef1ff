# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One agreement code sent by SMS, and every code typed for it (A2, A3 of
``participant.document``)."""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models

from ..tools.phone import format_international
from .participant_document import CODE_MASK

_logger = logging.getLogger(__name__)

CODE_VALIDITY = timedelta(minutes=10)
MAX_WRONG_CODES = 3
#: what the SMS must have reached for its code to be typed (else it did not leave)
LEFT_STATES = ("processing", "sent", "delivered", "not_received", "unknown")


class ParticipantAgreementAttempt(models.Model):
    _name = "participant.agreement.attempt"
    _description = "Agreement code sent"
    _order = "id desc"

    document_id = fields.Many2one(
        "participant.document",
        string="Document",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="document_id.company_id", store=True)
    participant_id = fields.Many2one(related="document_id.participant_id")
    user_id = fields.Many2one(
        "res.users", string="Sent by", required=True, readonly=True
    )
    number = fields.Char(string="Mobile", readonly=True)
    number_display = fields.Char(
        string="Mobile number", compute="_compute_number_display"
    )
    sms_id = fields.Many2one("participant.sms", string="SMS", readonly=True)
    sms_state = fields.Selection(related="sms_id.state", string="SMS status")
    code_hash = fields.Char(
        string="Keyed hash of the code",
        readonly=True,
        copy=False,
        groups="base.group_system",
    )
    sent_at = fields.Datetime(string="Sent at", readonly=True)
    expires_at = fields.Datetime(string="Valid until", readonly=True)
    wrong_codes = fields.Integer(string="Wrong codes", readonly=True)
    state = fields.Selection(
        [
            ("open", "Waiting for the code"),
            ("confirmed", "Confirmed"),
            ("expired", "Expired"),
            ("locked", "Too many wrong codes"),
            ("replaced", "Replaced"),
            ("failed", "Not sent"),
        ],
        string="Status",
        default="open",
        required=True,
        readonly=True,
    )
    ended_at = fields.Datetime(string="Ended at", readonly=True)

    @api.depends("number")
    def _compute_number_display(self):
        for attempt in self:
            attempt.number_display = (
                format_international(attempt.number) if attempt.number else False
            )

    # ----------------------------------------------------------------------------------
    # the code: drawn, hashed, never kept
    # ----------------------------------------------------------------------------------
    def _hash(self, code):
        """A keyed hash of ``code`` for this attempt: the database secret and the
        attempt's id make it useless outside this database (six digits are a million
        values: a plain hash would be reversed at once)."""
        key = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        message = f"participant.agreement.attempt:{self.id}:{code}".encode()
        return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()

    @api.model
    def _open(self, document, number):
        """A new attempt for ``document`` (once its code left, it replaces the open
        one, A3)."""
        now = fields.Datetime.now()
        return self.create(
            {
                "document_id": document.id,
                "user_id": self.env.uid,
                "number": number,
                "sent_at": now,
                "expires_at": now + CODE_VALIDITY,
            }
        )

    def _send_code(self, text_for):
        """Draw the code, keep its hash, send it at once through the engine (A2, A5):
        the SMS is stored with the code masked, the provider gets it in clear. Open
        the code window, or say why the code did not leave."""
        self.ensure_one()
        document = self.document_id
        code = f"{secrets.randbelow(10**6):06d}"
        self.code_hash = self._hash(code)
        sms = (
            self.env["participant.sms"]
            .with_company(document.company_id)
            ._queue(
                [
                    {
                        "origin": "instant",
                        "purpose": "agreement_code",
                        "partner_id": document.participant_id.id,
                        "number": self.number,
                        "body": text_for(CODE_MASK),
                        "res_model": document._name,
                        "res_id": document.id,
                        "company_id": document.company_id.id,
                        "planned_at": self.sent_at,
                        "deadline": self.expires_at,
                    }
                ]
            )
        )
        self.sms_id = sms
        head, mask, tail = sms.body.rpartition(CODE_MASK)
        self.env["participant.sms.dispatcher"].sudo()._send_at_once(
            sms, {sms.id: head + code + tail if mask else sms.body}
        )
        if sms.state not in LEFT_STATES:
            error = sms.last_error or dict(
                sms._fields["state"]._description_selection(self.env)
            ).get(sms.state)
            sms._cancel(_("The code could not be sent at once."))
            self._end("failed")  # an earlier code still waiting stays valid
            document._message_log(
                body=Markup("<p>%s</p>")
                % _(
                    "The agreement code could not be sent to %(number)s: %(error)s",
                    number=self.number_display,
                    error=error,
                )
            )
            return self._open_wizard(
                message=_(
                    "The code could not be sent: %s Correct the problem and send a "
                    "new code, or record the agreement without SMS.",
                    error,
                ),
                failed=True,
            )
        (document.attempt_ids - self).filtered(lambda a: a.state == "open")._end(
            "replaced"
        )
        document._settle_state()
        document._message_log(
            body=Markup("<p>%s</p>")
            % _(
                "Agreement code sent by SMS to %(number)s by %(user)s, valid until "
                "%(until)s.",
                number=self.number_display,
                user=self.env.user.name,
                until=self._local(self.expires_at),
            )
        )
        return self._open_wizard()

    def _local(self, value):
        tz = self.env.user.tz or self.document_id.company_id._psms_zone().tz
        return fields.Datetime.context_timestamp(
            self.with_context(tz=tz), value
        ).strftime("%H:%M")

    def _open_wizard(self, message=False, failed=False):
        """The code window for this attempt (after a failed send: for the code still
        waiting, if any)."""
        self.ensure_one()
        attempt = self
        if failed:
            attempt = self.document_id.attempt_ids.filtered(
                lambda a: a.state == "open"
            )[:1]
        return {
            "type": "ir.actions.act_window",
            "name": _("Agreement by SMS code"),
            "res_model": "participant.agreement.collect",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_document_id": self.document_id.id,
                "default_attempt_id": attempt.id,
                "default_mode": "sms",
                "default_message": message,
                "default_message_type": "danger" if failed else "info",
            },
        }

    # ----------------------------------------------------------------------------------
    # the code typed
    # ----------------------------------------------------------------------------------
    def _end(self, state):
        """End these codes with ``state``; their documents' state follows."""
        if self:
            self.sudo().write({"state": state, "ended_at": fields.Datetime.now()})
            self.document_id._settle_state()

    def _typed_hash(self, typed):
        """The keyed hash of a code as typed (spaces aside), or "" when it is not six
        digits (or no attempt)."""
        typed = "".join((typed or "").split())
        if not self:
            return ""
        self.ensure_one()
        if not (len(typed) == 6 and typed.isascii() and typed.isdigit()):
            return ""
        return self.sudo()._hash(typed)

    def _confirm(self, typed):
        """Check the code ``typed`` against this attempt (see ``_confirm_hash``)."""
        return self._confirm_hash(self._typed_hash(typed) if self else "")

    def _confirm_hash(self, typed_hash):
        """Check a code typed (its keyed hash, "" when malformed) against this
        attempt (A3); return ``(agreement, message)``: the agreement created, or why
        not. A wrong code is recorded and counted, not raised (an error would roll
        its count back)."""
        self.ensure_one()
        document = self.document_id
        document._check_collectable()
        document._lock()
        self.invalidate_recordset()
        if not typed_hash:
            return False, _("A code has 6 digits.")
        attempt = self.sudo()
        if attempt.state != "open":
            return False, _(
                "This code is no longer valid (%s): send a new code.",
                dict(self._fields["state"]._description_selection(self.env))[
                    attempt.state
                ],
            )
        if fields.Datetime.now() > attempt.expires_at:
            attempt._end("expired")
            document._message_log(
                body=Markup("<p>%s</p>")
                % _("A code was typed after its 10 minutes: the code expired.")
            )
            return False, _("The code expired (10 minutes): send a new code.")
        if not hmac.compare_digest(attempt.code_hash or "", typed_hash):
            attempt.wrong_codes += 1
            left = MAX_WRONG_CODES - attempt.wrong_codes
            if not left:
                attempt._end("locked")
            document._message_log(
                body=Markup("<p>%s</p>")
                % _(
                    "Wrong agreement code typed by %(user)s (%(count)s of %(max)s).",
                    user=self.env.user.name,
                    count=attempt.wrong_codes,
                    max=MAX_WRONG_CODES,
                )
            )
            if not left:
                return False, _(
                    "Wrong code, for the third time: this code can no longer be "
                    "used. Send a new code."
                )
            if left == 1:
                return False, _("Wrong code. One try left.")
            return False, _("Wrong code. %s tries left.", left)
        attempt._end("confirmed")
        agreement = self.env["participant.agreement"]._record(
            {
                "document_id": document.id,
                "mode": "sms",
                "answer": "accepted",
                "attempt_id": attempt.id,
            }
        )
        document._settle_state()
        document._message_log(body=agreement._summary())
        return agreement, _("Agreement recorded.")
