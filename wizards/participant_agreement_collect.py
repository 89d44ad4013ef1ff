# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ParticipantAgreementCollect(models.TransientModel):
    """The referent collects a participant's agreement on a document: types the code
    the participant reads from their SMS, sends a new code, or records an agreement
    given on paper or orally (the degraded mode). The code typed is erased from this
    window as soon as it is checked (A2)."""

    _name = "participant.agreement.collect"
    _description = "Collect an agreement"

    document_id = fields.Many2one(
        "participant.document", string="Document", required=True, readonly=True
    )
    mode = fields.Selection(
        [("sms", "By SMS code"), ("paper", "Without SMS")],
        string="How",
        required=True,
        default="sms",
        readonly=True,
    )
    attempt_id = fields.Many2one(
        "participant.agreement.attempt", string="Code sent", readonly=True
    )
    # read with the user's rights: a code of a document they cannot see shows nothing
    number_display = fields.Char(
        related="attempt_id.number_display", related_sudo=False
    )
    expires_at = fields.Datetime(related="attempt_id.expires_at", related_sudo=False)
    code = fields.Char(
        string="Code received by the participant",
        compute="_compute_code",
        inverse="_inverse_code",
        readonly=False,
        help="Kept only as its keyed hash, never as typed.",
    )
    typed_hash = fields.Char(string="Keyed hash of the code typed", readonly=True)
    message = fields.Char(readonly=True)
    message_type = fields.Selection(
        string="Kind of message",
        selection=[
            ("info", "Information"),
            ("danger", "Error"),
            ("success", "Success"),
        ],
        default="info",
        readonly=True,
    )
    answer = fields.Selection(
        [("accepted", "Agrees"), ("refused", "Does not agree")],
        string="Participant's answer",
        default="accepted",
    )
    paper_confirmed = fields.Boolean(
        string="Agreement collected on paper or orally",
        help="Tick to certify that you collected the participant's answer yourself, "
        "on paper or orally.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard.document_id.check_access("write")
            if (
                wizard.attempt_id
                and wizard.attempt_id.document_id != wizard.document_id
            ):
                raise UserError(_("This code belongs to another document."))
        return wizards

    def _compute_code(self):
        self.code = False

    def _inverse_code(self):
        """The code typed is never stored: only its keyed hash for the attempt (the
        web client saves the window before the button runs)."""
        for wizard in self:
            wizard.typed_hash = wizard.attempt_id._typed_hash(wizard.code)

    @api.model
    def _reopen(self, wizard):
        return {
            "type": "ir.actions.act_window",
            "name": _("Agreement by SMS code"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_confirm_code(self):
        self.ensure_one()
        if not self.attempt_id:
            raise UserError(_("No code is waiting: send a code first."))
        agreement, message = self.attempt_id._confirm_hash(self.typed_hash)
        self.write(
            {
                "typed_hash": False,
                "message": message,
                "message_type": "success" if agreement else "danger",
            }
        )
        if agreement:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "message": _(
                        "%(participant)s agreed to “%(document)s”.",
                        participant=agreement.participant_name,
                        document=agreement.document_name,
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return self._reopen(self)

    def action_send_new_code(self):
        self.ensure_one()
        return self.document_id.action_agreement_send_code()

    def action_record_paper(self):
        self.ensure_one()
        if not self.paper_confirmed:
            raise UserError(
                _(
                    "Tick “Agreement collected on paper or orally” to record the "
                    "participant's answer."
                )
            )
        if not self.answer:
            raise UserError(_("Choose the participant's answer."))
        self.document_id._agreement_record_paper(self.answer)
        return {"type": "ir.actions.act_window_close"}
