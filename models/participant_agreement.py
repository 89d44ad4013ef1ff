# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The proof of a participant's agreement to a document (A4 of
``participant.document``): what was agreed to (the document and the SHA-256 of its
file), by whom, how (a code sent by SMS to a mobile, or paper / oral), when, before
which referent, from which address. Created only by the checks of the document and
its codes, never changed afterwards, kept as long as its document."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ParticipantAgreement(models.Model):
    _name = "participant.agreement"
    _description = "Participant agreement"
    _order = "confirmed_at desc, id desc"
    _rec_name = "document_name"

    document_id = fields.Many2one(
        "participant.document",
        string="Document",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, readonly=True, index=True
    )
    document_name = fields.Char(string="Document title", readonly=True)
    document_type = fields.Char(string="Document type", readonly=True)
    file_name = fields.Char(string="File name", readonly=True)
    document_sha256 = fields.Char(string="SHA-256 of the file", readonly=True)
    participant_id = fields.Many2one(
        "res.partner", string="Participant", required=True, readonly=True, index=True
    )
    participant_name = fields.Char(string="Participant's name", readonly=True)
    participant_file_number = fields.Char(string="File number", readonly=True)
    mode = fields.Selection(
        [("sms", "Code received by SMS"), ("paper", "On paper or orally")],
        string="How",
        required=True,
        readonly=True,
    )
    answer = fields.Selection(
        [("accepted", "Agrees"), ("refused", "Does not agree")],
        required=True,
        readonly=True,
    )
    attempt_id = fields.Many2one(
        "participant.agreement.attempt", string="Code", readonly=True
    )
    number = fields.Char(string="Mobile used", readonly=True)
    sms_id = fields.Many2one("participant.sms", string="SMS", readonly=True)
    sms_provider_id = fields.Char(string="Provider's SMS id", readonly=True)
    sms_text = fields.Text(
        string="Text of the SMS",
        readonly=True,
        help="What the participant received, the code masked: the document and the "
        "service it named.",
    )
    sms_state = fields.Selection(related="sms_id.state", string="SMS status")
    code_sent_at = fields.Datetime(string="Code sent at", readonly=True)
    confirmed_at = fields.Datetime(string="Recorded at", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Referent", required=True, readonly=True
    )
    ip_address = fields.Char(string="IP address", readonly=True)

    @api.model
    def _record(self, values):
        """Create the agreement of ``values`` (document, mode, answer, attempt) with
        everything it proves, as superuser (users cannot create one)."""
        document = self.env["participant.document"].browse(values["document_id"])
        attempt = (
            self.env["participant.agreement.attempt"]
            .sudo()
            .browse(values.get("attempt_id"))
        )
        participant = document.participant_id.sudo()
        return self.sudo().create(
            dict(
                values,
                company_id=document.company_id.id,
                document_name=document.name,
                document_type=document.document_type_id.name,
                file_name=document.file_name,
                document_sha256=document.sha256,
                participant_id=participant.id,
                participant_name=participant.name,
                participant_file_number=participant.participant_file_number,
                number=attempt.number,
                sms_id=attempt.sms_id.id,
                sms_provider_id=attempt.sms_id.provider_id,
                sms_text=attempt.sms_id.body,
                code_sent_at=attempt.sent_at,
                confirmed_at=fields.Datetime.now(),
                user_id=self.env.uid,
                ip_address=document._request_ip(),
            )
        )

    def write(self, vals):
        if self:
            self.check_access("write")  # users have no write right: they are told so
            raise UserError(_("An agreement is evidence: it never changes."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        raise UserError(
            _("An agreement is kept as long as its document: delete the document.")
        )

    def _certificate_lang(self):
        """The certificate is written in French when French is installed (the
        service's language), else in the user's language."""
        french = self.env["res.lang"]._lang_get("fr_FR")
        return "fr_FR" if french and french.active else self.env.lang

    def _summary(self):
        """The agreement in one note, for the document's history."""
        self.ensure_one()
        if self.mode == "sms":
            text = _(
                "Agreement given by SMS code: code sent to %(number)s, confirmed by "
                "%(user)s. SHA-256 of the file: %(sha)s.",
                number=self.attempt_id.number_display,
                user=self.user_id.name,
                sha=self.document_sha256,
            )
        elif self.answer == "accepted":
            text = _(
                "Agreement collected on paper or orally, recorded by %(user)s. "
                "SHA-256 of the file: %(sha)s.",
                user=self.user_id.name,
                sha=self.document_sha256,
            )
        else:
            text = _(
                "Refusal collected on paper or orally, recorded by %(user)s.",
                user=self.user_id.name,
            )
        return Markup("<p>%s</p>") % text
