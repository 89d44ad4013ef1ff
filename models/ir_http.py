# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """The SMS counter counts the text as it will be sent (it needs the company's
        choice), and the SMS lists say when no real SMS is sent (the simulator)."""
        info = super().session_info()
        info["psms_text_mode"] = self.env.company.psms_text_mode
        info["psms_simulated"] = self.env.company.psms_simulated
        return info
