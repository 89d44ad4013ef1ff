# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import create_index

from ..tools.phone_match import number_key

#: fields that give a participant a number Odoo's SMS must refuse (see
#: _psms_clear_number_keys)
NUMBER_FIELDS = {"is_participant", "mobile", "phone"}


class ResPartner(models.Model):
    """A participant is a contact followed by the service, flagged
    ``is_participant``."""

    _inherit = "res.partner"
    _rec_names_search = [
        "complete_name",
        "email",
        "ref",
        "vat",
        "company_registry",
        "participant_file_number",
    ]

    is_participant = fields.Boolean(string="Participant", index=True, tracking=True)
    participant_file_number = fields.Char(
        string="File number",
        copy=False,
        index=True,
        tracking=True,
        help="Number of the participant's file in the service (unique).",
    )
    participant_referent_id = fields.Many2one(
        "res.users",
        string="Referent",
        tracking=True,
        domain=[("share", "=", False)],
        help="Social worker who follows this participant.",
    )
    accepts_sms = fields.Boolean(
        string="Accepts SMS",
        default=True,
        tracking=True,
        help="The participant agrees to receive SMS from the service. "
        "Untick it when the participant refuses SMS: no SMS will be sent to them.",
    )
    participant_consent_ids = fields.One2many(
        "participant.sms.consent",
        "partner_id",
        string="SMS consent history",
        readonly=True,
    )
    participant_appointment_ids = fields.One2many(
        "calendar.event", "participant_id", string="Appointments"
    )
    participant_step_ids = fields.One2many(
        "participant.step", "participant_id", string="Steps"
    )
    participant_orientation_ids = fields.One2many(
        "participant.orientation", "participant_id", string="Orientations"
    )
    participant_document_ids = fields.One2many(
        "participant.document",
        "participant_id",
        string="Documents",
        groups="participant_sms.group_participant_user",
    )
    participant_appointment_count = fields.Integer(
        compute="_compute_participant_counts", string="Appointment count"
    )
    participant_step_count = fields.Integer(
        compute="_compute_participant_counts", string="Step count"
    )
    participant_orientation_count = fields.Integer(
        compute="_compute_participant_counts", string="Orientation count"
    )
    participant_sms_count = fields.Integer(
        compute="_compute_participant_sms_count", string="SMS count"
    )

    _sql_constraints = [
        (
            "participant_file_number_uniq",
            "unique(participant_file_number)",
            "This file number is already used by another participant.",
        ),
    ]

    def init(self):
        result = super().init()
        # the numbers of the participants who refuse SMS, searched by the dispatch
        # (every batch) and the free send (participant.sms.recipient._refusing_numbers):
        # a handful of contacts, read by this partial index whatever the size of the
        # contacts table (a scan of it before); the index of Odoo's other contacts
        # and of the participants who accept SMS holds nothing
        create_index(
            self.env.cr,
            "res_partner_psms_refusing_number_index",
            self._table,
            ["phone_sanitized"],
            where="is_participant AND accepts_sms IS NOT TRUE "
            "AND phone_sanitized IS NOT NULL",
        )
        return result

    @api.depends(
        "participant_appointment_ids",
        "participant_step_ids",
        "participant_orientation_ids",
    )
    def _compute_participant_counts(self):
        for partner in self:
            partner.participant_appointment_count = len(
                partner.participant_appointment_ids
            )
            partner.participant_step_count = len(partner.participant_step_ids)
            partner.participant_orientation_count = len(
                partner.participant_orientation_ids
            )

    def _compute_participant_sms_count(self):
        counts = dict(
            self.env["participant.sms"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.participant_sms_count = counts.get(partner, 0)

    def action_open_participant_sms(self):
        self.ensure_one()
        self.env["participant.sms"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_sent"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        action["name"] = self.name
        return action

    def get_formview_id(self, access_uid=None):
        """A participant opens in the participant's file (links from appointments,
        steps, orientations, the chatter) for those who follow participants; every other
        contact, and every user outside the Participants groups, keeps Contacts' form.
        """
        user = self.env["res.users"].browse(access_uid) if access_uid else self.env.user
        if (
            len(self) == 1
            and user.has_group("participant_sms.group_participant_user")
            and self.sudo().is_participant
        ):
            return self.env.ref("participant_sms.view_participant_form").id
        return super().get_formview_id(access_uid=access_uid)

    def _participant_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        self.env[action["res_model"]].check_access("read")
        action["domain"] = [("participant_id", "=", self.id)]
        action["context"] = {"default_participant_id": self.id}
        return action

    def action_open_participant_appointments(self):
        action = self._participant_action(
            "participant_sms.action_participant_appointments"
        )
        action["context"].update(
            {
                "default_partner_ids": [self.env.user.partner_id.id],
                "form_view_ref": "participant_sms.view_participant_appointment_form",
            }
        )
        return action

    def action_open_participant_steps(self):
        return self._participant_action("participant_sms.action_participant_steps")

    def action_open_participant_orientations(self):
        return self._participant_action(
            "participant_sms.action_participant_orientations"
        )

    # ----------------------------------------------------------------------------------
    # the pending SMS of a participant follow their mobile and consent (invariant I1)
    # ----------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a participant belongs to the company that follows them (record rules)
            if vals.get("is_participant") and "company_id" not in vals:
                vals["company_id"] = self.env.company.id
        partners = super().create(vals_list)
        refusing = partners.filtered(lambda p: p.is_participant and not p.accepts_sms)
        self.env["participant.sms.consent"]._record(refusing, creating=True)
        partners._psms_clear_number_keys()
        return partners

    def write(self, vals):
        if vals.get("is_participant") and "company_id" not in vals:
            for partner in self.filtered(lambda p: not p.company_id):
                super(ResPartner, partner).write({"company_id": self.env.company.id})
        changed = self.browse()
        if "accepts_sms" in vals:
            changed = self.filtered(
                lambda p: p.accepts_sms != bool(vals["accepts_sms"])
            )
        result = super().write(vals)
        self.env["participant.sms.consent"]._record(changed)
        if {"mobile", "accepts_sms", "active"} & set(vals):
            self._psms_resync_pending()
        if NUMBER_FIELDS & set(vals):
            self._psms_clear_number_keys()
        return result

    def _psms_clear_number_keys(self):
        """Keep ``sms.sms``'s cache of participants' number keys (``models/sms_sms.py``)
        up to date: cleared when a participant gets a number (created with one, number
        changed, or a contact with a number becoming a participant). A number that goes
        away leaves its key, which only costs one look-up when that number is texted.
        Only a key the cache lacks clears it (Odoo's shared cache, on every worker)."""
        keys = {
            number_key(number)
            for partner in self.sudo()
            if partner.is_participant
            for number in (partner.mobile, partner.phone)
            if number
        } - {""}
        if keys - self.env["sms.sms"]._psms_participant_number_keys():
            self.env.registry.clear_cache()

    def action_export_sms_history(self):
        """The participant's SMS history (.xlsx): SMS administrators and managers
        only."""
        self.ensure_one()
        self.env["participant.sms.privacy"]._check_history_rights()
        return {
            "type": "ir.actions.act_url",
            "target": "download",
            "url": f"/participant_sms/history/{self.id}",
        }

    def _psms_resync_pending(self):
        """Re-check the pending reminders and follow-ups of these participants: new
        number, or cancelled with a note when they can no longer receive SMS."""
        pending = (
            self.env["participant.sms"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.ids),
                    ("state", "=", "queued"),
                    ("purpose", "!=", False),
                ]
            )
        )
        for model, group in pending.grouped("res_model").items():
            records = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .browse(group.mapped("res_id"))
                .exists()
            )
            records._psms_reconcile()

    def unlink(self):
        """A deleted participant's steps and orientations go with them (through the ORM,
        so that their SMS reminders are cancelled), and so do all their pending SMS."""
        participants = self.filtered("is_participant")
        followed = participants.with_context(active_test=False).filtered(
            "participant_appointment_ids"
        )
        if followed:
            raise UserError(
                _(
                    "%s still has appointments: delete or reassign them first, or "
                    "archive the participant.",
                    ", ".join(followed.mapped("name")),
                )
            )
        participants.participant_step_ids.unlink()
        participants.participant_orientation_ids.unlink()
        self.env["participant.sms"].sudo().search(
            [("partner_id", "in", self.ids), ("state", "=", "queued")]
        )._cancel(_("The participant was deleted."))
        return super().unlink()
