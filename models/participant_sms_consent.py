# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

SOURCES = [
    ("form", "Participant form"),
    ("stop", "STOP reply"),
    ("import", "Import"),
    ("creation", "Creation"),
]


class ParticipantSmsConsent(models.Model):
    """One change of a participant's SMS consent: what it became, where it came from
    (the form, a STOP reply, an import) and who made it. Written by the system only,
    never edited.

    Invariant **C1** (tests/test_sms_privacy.py, random sequences of edits): one line
    per real change, in order, with its source and author; the last line is the current
    consent."""

    _name = "participant.sms.consent"
    _description = "SMS consent change"
    _order = "changed_at desc, id desc"

    partner_id = fields.Many2one(
        "res.partner",
        string="Participant",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
    )
    accepts_sms = fields.Boolean(string="Accepts SMS", readonly=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    author_id = fields.Many2one(
        "res.users", string="By", readonly=True, ondelete="set null"
    )
    changed_at = fields.Datetime(
        string="Date", required=True, readonly=True, default=fields.Datetime.now
    )

    @api.model
    def _source(self, creating=False):
        """Where a consent change comes from, as the calling code or the context
        says."""
        context = self.env.context
        if context.get("psms_consent_source"):
            return context["psms_consent_source"]
        if context.get("import_file"):
            return "import"
        return "creation" if creating else "form"

    @api.model
    def _record(self, partners, creating=False):
        if not partners:
            return self.browse()
        source, author = self._source(creating), self.env.user
        return self.sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "accepts_sms": partner.accepts_sms,
                    "source": source,
                    "author_id": author.id,
                }
                for partner in partners
            ]
        )
