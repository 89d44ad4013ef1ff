# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ParticipantAppointmentThemeLine(models.Model):
    """A theme addressed during an appointment, with its synthesis (the guide's "thème"
    of an "entretien"). An SMS reply adds one under the theme *SMS reply*."""

    _name = "participant.appointment.theme.line"
    _description = "Appointment theme entry"
    _order = "event_id, sequence, id"

    event_id = fields.Many2one(
        "calendar.event",
        string="Appointment",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    theme_id = fields.Many2one(
        "participant.appointment.theme",
        string="Theme",
        required=True,
        ondelete="restrict",
    )
    synthesis = fields.Text()
    reply_id = fields.Many2one(
        "participant.sms.reply",
        string="SMS reply",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The reply this entry records (its text is anonymised "
        "with the reply's).",
    )

    @api.model
    def _sms_reply_theme(self):
        """The theme *SMS reply* (made again if an administrator deleted it)."""
        Theme = self.env["participant.appointment.theme"].sudo()
        theme = self.env.ref(
            "participant_sms.theme_sms_reply", raise_if_not_found=False
        )
        if theme:
            return theme
        theme = Theme.with_context(active_test=False).search(
            [("name", "=", "SMS reply")], limit=1
        ) or Theme.create({"name": "SMS reply", "sequence": 90})
        self.env["ir.model.data"].sudo()._update_xmlids(
            [
                {
                    "xml_id": "participant_sms.theme_sms_reply",
                    "record": theme,
                    "noupdate": True,
                }
            ]
        )
        return theme
