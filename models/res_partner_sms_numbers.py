# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Keeps ``sms.sms``'s cache of participants' number keys (``models/sms_sms.py``) up to date:
it is cleared when a participant gets a number (created with one, number changed, or a contact
with a number becoming a participant). A number that goes away leaves its key, which only costs
one look-up when that number is texted."""
from odoo import api, models

from ..tools.phone_match import number_key

NUMBER_FIELDS = {"is_participant", "mobile", "phone"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners._psms_clear_number_keys()
        return partners

    def write(self, vals):
        result = super().write(vals)
        if NUMBER_FIELDS & set(vals):
            self._psms_clear_number_keys()
        return result

    def _psms_clear_number_keys(self):
        # only a key the cache lacks clears it (Odoo's shared cache, on every worker)
        keys = {number_key(number) for partner in self.sudo() if partner.is_participant
                for number in (partner.mobile, partner.phone) if number} - {""}
        if keys - self.env["sms.sms"]._psms_participant_number_keys():
            self.env.registry.clear_cache()
