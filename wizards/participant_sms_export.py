# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models


class ParticipantSmsExport(models.TransientModel):
    """An Excel export asked from an SMS list: the selected SMS, or the list's whole
    domain, kept here so that the download address carries only this record's id (no
    list of ids in a URL, whatever the number of SMS). Like every transient record, only
    its creator reads it."""

    _name = "participant.sms.export"
    _description = "SMS Excel export"

    sms_ids_json = fields.Text(help="The ids of the selected SMS, as JSON.")
    domain_json = fields.Text(
        help="The domain of the list when nothing is selected, as JSON."
    )

    @api.model
    def _request(self, records, domain):
        export = self.create(
            {
                "sms_ids_json": json.dumps(records.ids) if records else False,
                "domain_json": json.dumps(domain) if not records else False,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "target": "download",
            "url": f"/participant_sms/export_xlsx/{export.id}",
        }

    def _records(self):
        """The SMS to export, searched with the user's rights and rules."""
        self.ensure_one()
        Sms = self.env["participant.sms"]
        if self.sms_ids_json:
            ids = [int(value) for value in json.loads(self.sms_ids_json)]
            return Sms.search([("id", "in", ids)], order="planned_at, id")
        return Sms.search(json.loads(self.domain_json or "[]"), order="planned_at, id")
