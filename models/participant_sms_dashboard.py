# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools.misc import format_date, formatLang

from .participant_sms_selections import FINAL_STATES

SENT_STATES = (
    "processing",
    "sent",
    "delivered",
    "not_received",
    "failed",
    "expired",
    "stop",
    "unknown",
    "not_sent",
)
FAILURE_STATES = ("failed", "expired", "stop", "not_sent", "unknown")


class ParticipantSmsDashboard(models.TransientModel):
    """The SMS dashboard of the administrators: credit, this month's sends, delivery
    rate, what is to come and what failed."""

    _name = "participant.sms.dashboard"
    _description = "SMS dashboard"

    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    simulated = fields.Boolean(related="company_id.psms_simulated", string="Simulated")
    provider_balance = fields.Float(related="company_id.psms_balance")
    provider_balance_unit = fields.Char(related="company_id.psms_balance_unit")
    provider_balance_display = fields.Char(
        compute="_compute_provider_balance_display", string="Credit at the provider"
    )
    provider_balance_at = fields.Datetime(related="company_id.psms_balance_at")
    provider_balance_low = fields.Boolean(related="company_id.psms_balance_low")
    credit_remaining = fields.Integer(
        compute="_compute_figures", string="Remaining credit"
    )
    credit_low = fields.Boolean(compute="_compute_figures", string="Low credit")
    sent_this_month = fields.Integer(
        compute="_compute_figures", string="SMS sent this month"
    )
    delivery_rate = fields.Float(
        compute="_compute_figures",
        string="Delivery rate (%)",
        help="Delivered SMS among those sent this month that reached a "
        "final status.",
    )
    upcoming_count = fields.Integer(compute="_compute_figures", string="Upcoming SMS")
    failure_count = fields.Integer(
        compute="_compute_figures", string="Failures (30 days)"
    )

    @api.depends("provider_balance")
    def _compute_provider_balance_display(self):
        """A count reads without decimals ("10 000", not "10 000,00"); a provider that
        counts in fractions (IAP credits, euros) keeps its two decimals."""
        for dashboard in self:
            balance = dashboard.provider_balance or 0.0
            digits = 0 if float(balance).is_integer() else 2
            dashboard.provider_balance_display = formatLang(
                self.env, balance, digits=digits
            )

    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = _("SMS dashboard")

    @api.model
    def _open(self):
        dashboard = self.create({})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": dashboard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "name": _("SMS dashboard"),
        }

    def _compute_figures(self):
        Sms = self.env["participant.sms"]
        first_day = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0)
        for dashboard in self:
            company = dashboard.company_id
            base = [("company_id", "=", company.id)]
            month = base + [("sent_at", ">=", first_day)]
            dashboard.credit_remaining = (
                self.env["participant.sms.package"].sudo()._remaining_credit(company)
            )
            dashboard.credit_low = (
                company.psms_enforce_packages
                and dashboard.credit_remaining < company.psms_credit_warning
            )
            dashboard.sent_this_month = Sms.search_count(month)
            finals = Sms.search_count(
                month + [("state", "in", ("delivered", "failed", "expired", "stop"))]
            )
            delivered = Sms.search_count(month + [("state", "=", "delivered")])
            dashboard.delivery_rate = 100.0 * delivered / finals if finals else 0.0
            dashboard.upcoming_count = Sms.search_count(
                base + [("state", "=", "queued")]
            )
            dashboard.failure_count = Sms.search_count(dashboard._failure_domain())

    def _failure_domain(self):
        since = fields.Datetime.now() - timedelta(days=30)
        return [
            ("company_id", "=", self.company_id.id),
            ("status_at", ">=", since),
            ("state", "in", ("failed", "expired", "not_sent")),
        ]

    def _open_sms(self, name, domain):
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "participant.sms",
            "name": name,
            "view_mode": "list,form",
            "domain": domain,
            "views": [
                (
                    self.env.ref("participant_sms.view_participant_sms_list_user").id,
                    "list",
                ),
                (False, "form"),
            ],
        }

    def action_open_upcoming(self):
        self.check_access("read")
        return self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_upcoming"
        )

    def action_open_failures(self):
        return self._open_sms(_("Failures (30 days)"), self._failure_domain())

    def action_open_month(self):
        first_day = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0)
        return self._open_sms(_("SMS sent this month"), [("sent_at", ">=", first_day)])

    # ----------------------------------------------------------------------------------
    # charts: one JSON field read by the psms_sms_charts widget; every bar, point and
    # cell carries the domain of the SMS it counts, so that a click opens exactly them
    # ----------------------------------------------------------------------------------
    period = fields.Selection(
        [
            ("month", "This month"),
            ("year", "This year"),
            ("12months", "Last 12 months"),
        ],
        default="12months",
        required=True,
    )
    charts = fields.Json(compute="_compute_charts")

    def _period_start(self):
        today = fields.Date.context_today(self)
        first = {
            "month": today.replace(day=1),
            "year": today.replace(month=1, day=1),
            "12months": today.replace(day=1) - relativedelta(months=11),
        }[self.period]
        return datetime.combine(first, time.min)

    @api.depends("period", "company_id")
    def _compute_charts(self):
        Sms = self.env["participant.sms"]
        labels = dict(Sms._fields["state"]._description_selection(self.env))
        contexts = dict(Sms._fields["context_type"]._description_selection(self.env))
        for dashboard in self:
            zone = pytz.timezone(dashboard.company_id._psms_zone().tz)

            def stamp(local, zone=zone):
                """A local midnight of the company's zone as the UTC string a domain
                holds (domains travel as JSON to the browser): the months of the
                charts are the company's, as the daily counts' days are."""
                utc = zone.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
                return fields.Datetime.to_string(utc)

            start = dashboard._period_start()
            # by planned send: SMS that went, or were due and could not (Not sent)
            base = [
                ("company_id", "=", dashboard.company_id.id),
                ("planned_at", ">=", stamp(start)),
                ("state", "in", SENT_STATES),
            ]
            months, month = [], start
            while month <= fields.Datetime.now():
                months.append(month)
                month += relativedelta(months=1)

            def in_month(month):
                return [
                    ("planned_at", ">=", stamp(month)),
                    ("planned_at", "<", stamp(month + relativedelta(months=1))),
                ]

            # summed from the daily counts (models/participant_sms_daily.py), never
            # from the history: the dashboard is for SMS administrators, who see every
            # SMS of the company
            Daily = self.env["participant.sms.daily"].sudo()
            company, since = dashboard.company_id, start.date()
            counts = {
                (datetime.combine(m, time.min), state): count
                for (m, state), count in Daily._counts(
                    company, since, SENT_STATES, ["month", "state"]
                ).items()
            }
            series = []
            for state in SENT_STATES:
                values = [counts.get((m, state), 0) for m in months]
                if any(values):
                    series.append(
                        {
                            "state": state,
                            "label": labels[state],
                            "counts": values,
                            "domains": [
                                base + in_month(m) + [("state", "=", state)]
                                for m in months
                            ],
                        }
                    )
            totals = [sum(counts.get((m, s), 0) for s in SENT_STATES) for m in months]
            finals = [sum(counts.get((m, s), 0) for s in FINAL_STATES) for m in months]
            rate = [
                round(100.0 * counts.get((m, "delivered"), 0) / final, 1)
                if final
                else None
                for m, final in zip(months, finals, strict=False)
            ]
            failures = [
                {
                    "label": labels[state],
                    "count": count,
                    "domain": base + [("state", "=", state)],
                }
                for (state,), count in sorted(
                    Daily._counts(company, since, FAILURE_STATES, ["state"]).items()
                )
            ]
            other = _("Other")  # before the loop: _() reads a local named "context"
            per_context = [
                {
                    "label": contexts.get(kind, other),
                    "count": count,
                    "domain": base + [("context_type", "=", kind)],
                }
                for (kind,), count in sorted(
                    Daily._counts(
                        company, since, SENT_STATES, ["context_type"]
                    ).items(),
                    key=lambda item: item[0][0] or "",
                )
            ]
            dashboard.charts = {
                # "nov. 2026" in French: the month in the user's language, never
                # "2026-11"
                "months": [
                    format_date(self.env, m.date(), date_format="MMM y") for m in months
                ],
                "month_keys": [fields.Date.to_string(m.date())[:7] for m in months],
                "by_state": series,
                "totals": totals,
                "delivery_rate": rate,
                "rate_domains": [base + in_month(m) for m in months],
                "failures": failures,
                "contexts": per_context,
                "titles": {
                    "by_state": _("SMS per month, by status"),
                    "rate": _("Delivery rate per month (%)"),
                    "failures": _("Failures, by reason"),
                    "contexts": _("SMS per context"),
                    "table": _("SMS per month"),
                    "month": _("Month"),
                    "total": _("Total"),
                    "empty": _("No SMS sent in this period."),
                },
            }
