# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    @api.model
    def _psms_blacklisted(self, numbers):
        """The E.164 ``numbers`` that are on the active STOP list.

        Odoo's search on ``number`` re-formats every searched value with phonenumbers
        (about 0.3 ms each): measured at 1.5 s for a 5,000-recipient batch preview.
        Our numbers are already E.164, so one indexed query does it."""
        if not numbers:
            return set()
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env.cr.execute(
            "SELECT number FROM phone_blacklist WHERE active AND number = ANY(%s)",
            [list(set(numbers))],
        )
        return {row[0] for row in self.env.cr.fetchall()}
