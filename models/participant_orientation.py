# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ParticipantOrientation(models.Model):
    """An orientation of a participant towards a programme or a partner (a summons
    date)."""

    _name = "participant.orientation"
    _description = "Orientation"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "participant.followed.mixin",
        "participant.sms.source",
    ]
    _order = "planned_date desc, id desc"
    _psms_context_type = "orientation"
    _psms_event_start_field = "planned_date"
    _psms_template_type = "orientation"
    #: the fields the SMS text is made of (a change re-renders it)
    _psms_text_fields = frozenset(
        (
            "planned_date",
            "orientation_type_id",
            "referent_id",
            "participant_id",
        )
    )

    planned_date = fields.Datetime(string="Planned date", required=True, tracking=True)
    orientation_type_id = fields.Many2one(
        "participant.orientation.type",
        string="Orientation target",
        required=True,
        tracking=True,
    )
    referent_id = fields.Many2one(
        "res.users",
        string="Referent",
        tracking=True,
        domain=[("share", "=", False)],
        default=lambda self: self.env.user,
    )
    decision_notes = fields.Html(string="Decision notes")

    @api.depends("orientation_type_id", "participant_id")
    def _compute_display_name(self):
        for orientation in self:
            orientation.display_name = " - ".join(
                name
                for name in (
                    orientation.participant_id.name,
                    orientation.orientation_type_id.name,
                )
                if name
            )

    def _psms_merge_values(self):
        values = self._psms_common_values()
        values.update(
            orientation_target=self.orientation_type_id.name or "",
            referent=self.referent_id.name or "",
        )
        return values
