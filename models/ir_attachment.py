# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.osv import expression


class IrAttachment(models.Model):
    """The files of a participant's appointment are read only by those who follow participants
    (README, "Who sees what", W3): other employees see the appointment as busy time only."""

    _inherit = "ir.attachment"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        hidden = self.env["calendar.event"]._psms_hidden_query()
        if hidden is not None:
            domain = expression.AND([domain, ["|", ("res_model", "!=", "calendar.event"),
                                              ("res_id", "not in", hidden)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def check(self, mode, values=None):
        super().check(mode, values=values)
        if not self or self.env["calendar.event"]._psms_sees_participants():
            return
        self.env.cr.execute(
            "SELECT res_id FROM ir_attachment WHERE id IN %s AND res_model = 'calendar.event'",
            [tuple(self.ids)])
        res_ids = {row[0] for row in self.env.cr.fetchall() if row[0]}
        if self.env["calendar.event"]._psms_hidden_among(res_ids):
            raise AccessError(_("This file belongs to a participant's appointment: only the "
                                "users who follow participants may open it."))
