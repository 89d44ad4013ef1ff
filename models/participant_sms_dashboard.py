# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models


class ParticipantSmsDashboard(models.TransientModel):
    """The SMS dashboard of the administrators: credit, this month's sends, delivery rate,
    what is to come and what failed."""

    _name = "participant.sms.dashboard"
    _description = "SMS dashboard"

    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    simulated = fields.Boolean(related="company_id.psms_simulated", string="Simulated")
    provider_balance = fields.Float(related="company_id.psms_balance")
    provider_balance_unit = fields.Char(related="company_id.psms_balance_unit")
    provider_balance_at = fields.Datetime(related="company_id.psms_balance_at")
    provider_balance_low = fields.Boolean(related="company_id.psms_balance_low")
    credit_remaining = fields.Integer(compute="_compute_figures", string="Remaining credit")
    credit_low = fields.Boolean(compute="_compute_figures", string="Low credit")
    sent_this_month = fields.Integer(compute="_compute_figures", string="SMS sent this month")
    delivery_rate = fields.Float(compute="_compute_figures", string="Delivery rate (%)",
                                 help="Delivered SMS among those sent this month that reached a "
                                      "final status.")
    upcoming_count = fields.Integer(compute="_compute_figures", string="Upcoming SMS")
    failure_count = fields.Integer(compute="_compute_figures", string="Failures (30 days)")

    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = _("SMS dashboard")

    @api.model
    def _open(self):
        dashboard = self.create({})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": dashboard.id,
                "view_mode": "form", "views": [(False, "form")], "target": "current",
                "name": _("SMS dashboard")}

    def _compute_figures(self):
        Sms = self.env["participant.sms"]
        first_day = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0)
        for dashboard in self:
            company = dashboard.company_id
            base = [("company_id", "=", company.id)]
            month = base + [("sent_at", ">=", first_day)]
            dashboard.credit_remaining = self.env["participant.sms.package"].sudo()._remaining_credit(company)
            dashboard.credit_low = (company.psms_enforce_packages
                                    and dashboard.credit_remaining < company.psms_credit_warning)
            dashboard.sent_this_month = Sms.search_count(month)
            finals = Sms.search_count(month + [("state", "in", ("delivered", "failed", "expired", "stop"))])
            delivered = Sms.search_count(month + [("state", "=", "delivered")])
            dashboard.delivery_rate = 100.0 * delivered / finals if finals else 0.0
            dashboard.upcoming_count = Sms.search_count(base + [("state", "=", "queued")])
            dashboard.failure_count = Sms.search_count(dashboard._failure_domain())

    def _failure_domain(self):
        since = fields.Datetime.now() - timedelta(days=30)
        return [("company_id", "=", self.company_id.id), ("status_at", ">=", since),
                ("state", "in", ("failed", "expired", "not_sent"))]

    def _open_sms(self, name, domain):
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "participant.sms", "name": name,
                "view_mode": "list,form", "domain": domain,
                "views": [(self.env.ref("participant_sms.view_participant_sms_list_user").id, "list"),
                          (False, "form")]}

    def action_open_upcoming(self):
        self.check_access("read")
        return self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_upcoming")

    def action_open_failures(self):
        return self._open_sms(_("Failures (30 days)"), self._failure_domain())

    def action_open_month(self):
        first_day = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0)
        return self._open_sms(_("SMS sent this month"), [("sent_at", ">=", first_day)])
