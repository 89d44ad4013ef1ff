# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.osv import expression


class IrAttachment(models.Model):
    """The files of a participant's appointment are read only by those who follow
    participants (README, "Who sees what", W3): other employees see the appointment as
    busy time only."""

    _inherit = "ir.attachment"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        hidden = self.env["calendar.event"]._psms_hidden_query()
        if hidden is not None:
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        ("res_model", "!=", "calendar.event"),
                        ("res_id", "not in", hidden),
                    ],
                ]
            )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def check(self, mode, values=None):
        super().check(mode, values=values)
        if not self or self.env["calendar.event"]._psms_sees_participants():
            return
        self.env["calendar.event"].flush_model(["participant_company_id"])
        self.flush_model(["res_model", "res_id"])
        self.env.cr.execute(
            """
            SELECT 1 FROM ir_attachment attachment
              JOIN calendar_event event ON event.id = attachment.res_id
             WHERE attachment.id IN %s AND attachment.res_model = 'calendar.event'
               AND event.participant_company_id IS NOT NULL
             LIMIT 1""",
            [tuple(self.ids)],
        )
        if self.env.cr.fetchone():
            raise AccessError(
                _(
                    "This file belongs to a participant's appointment: only the "
                    "users who follow participants may open it."
                )
            )
