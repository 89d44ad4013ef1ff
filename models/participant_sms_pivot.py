# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Grouped counts of the SMS history answered from the daily counts (issue 19: the
pivot and graph month × status at 10,000,000 SMS).

``participant.sms._read_group`` (what the pivot, the graph, grouped lists and the
dashboard's drill-downs call) counts ``participant.sms.daily`` instead of the history
when the answer is the same by construction:

- only the count is asked (``__count``), no ``having``;
- the reader's rules are those this module ships: the multi-company rule, and the SMS
  administrators' (every SMS) or the collaborators' (the SMS to participants and
  their own), which the daily counts tell apart (whether to a participant, and by
  whom when not); or the reader is the superuser;
- the domain only names what the daily counts keep: status, company, context, origin
  (``=``, ``!=``, ``in``, ``not in``), and the planned send bounded at whole days of
  the companies' zone (``>=``/``<`` a local midnight, ``<=``/``>`` the day's last
  second, as the search's date filters write them; planned sends are stored to the
  second, as ``fields.Datetime.now`` gives them);
- the groups are status, company, context, origin, and the planned send by day, week,
  month, quarter or year, grouped in the user's time zone when it is the companies'
  zone (the days of the daily counts are the company's days).

Anything else is counted from the history, as Odoo does (a referent's pivot, a search
by number, a group by recipient). ``psms_history`` in the context forces the history.

Invariant: for every domain, grouping, order, limit and offset it answers, the result
equals Odoo's own ``_read_group`` on the history (``tests/test_sms_pivot.py``), since
each daily row holds SMS of one (company, local day, status, context, origin) and a
domain or a group of those fields is the same on an SMS and on its row.
"""

from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.osv import expression

#: fields an SMS and its daily row share, and the operators translated as they are
KEY_FIELDS = ("state", "company_id", "context_type", "origin")
KEY_OPERATORS = ("=", "!=", "in", "not in")
#: granularities of the planned send that whole local days make
DAY_GRANULARITIES = ("day", "week", "month", "quarter", "year")
#: the planned send's bounds a whole day makes: operator -> local time of the bound
DAY_BOUNDS = {
    ">=": time.min,
    "<": time.min,
    "<=": time(23, 59, 59),
    ">": time(23, 59, 59),
}
TRUE_RULE = ("[(1, '=', 1)]", "[]", "")
#: the multi-company rule and the collaborators' rule as shipped (white space removed)
COMPANY_RULE = "[('company_id','in',company_ids)]"
COLLABORATOR_RULE = "['|',('partner_id','!=',False),('author_id','=',user.id)]"


class ParticipantSms(models.Model):
    _inherit = "participant.sms"

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        plan = self._psms_counts_plan(domain, groupby, aggregates, having, order)
        if plan is None:
            return super()._read_group(
                domain, groupby, aggregates, having, offset, limit, order
            )
        self.browse().check_access("read")
        self.flush_model()  # the daily rows follow the SMS rows at flush (triggers)
        daily_domain, daily_groupby, daily_order = plan
        rows = (
            self.env["participant.sms.daily"]
            .sudo()
            ._read_group(
                daily_domain,
                daily_groupby,
                ["count:sum"],
                having=[("count:sum", "!=", 0)] if groupby else (),
                offset=offset,
                limit=limit,
                order=daily_order,
            )
        )
        return [self._psms_counts_row(row, groupby, aggregates) for row in rows]

    def _psms_counts_row(self, row, groupby, aggregates):
        """One result of ``_read_group`` from a row of the daily counts' one."""
        values = []
        for spec, value in zip(groupby, row, strict=False):
            if spec.startswith("planned_at:") and value:
                value = datetime.combine(value, time.min)  # a datetime field's group
            elif spec == "company_id":
                value = self.env["res.company"].browse(value.ids)
            values.append(value)
        count = int(row[-1] or 0)
        return tuple(values) + tuple(count for _spec in aggregates)

    # ----------------------------------------------------------------------------------
    # when the daily counts answer
    # ----------------------------------------------------------------------------------
    def _psms_counts_plan(self, domain, groupby, aggregates, having, order):
        """(daily domain, daily groupby, daily order) answering this ``_read_group``
        exactly, or None when only the history can."""
        if (
            self.env.context.get("psms_history")
            or having
            or any(spec != "__count" for spec in aggregates)
        ):
            return None
        scope = self._psms_counts_scope()
        if scope is None:
            return None
        companies, scope_domain = scope
        zone_tz = self._psms_counts_tz(companies)
        groups = self._psms_counts_groupby(groupby, zone_tz)
        if groups is None:
            return None
        leaves = self._psms_counts_domain(domain, zone_tz)
        if leaves is None:
            return None
        daily_order = self._psms_counts_order(
            order, dict(zip(groupby, groups, strict=True))
        )
        if order and daily_order is None:
            return None
        return expression.AND([scope_domain, leaves]), groups, daily_order

    def _psms_counts_scope(self):
        """(companies, daily domain) of the SMS the reader sees, when the daily
        counts tell them apart: the multi-company rule, and the SMS administrators'
        rule (everything) or the collaborators' (the SMS to participants and their
        own) as this module ships them. None otherwise."""
        Company = self.env["res.company"].sudo().with_context(active_test=False)
        if self.env.su:
            return Company.search([]), []
        rules = self.env["ir.rule"]._get_rules(self._name, "read").sudo()
        shipped = {
            name: self.env.ref(f"participant_sms.{name}", raise_if_not_found=False)
            for name in (
                "rule_participant_sms_company",
                "rule_participant_sms_admin",
                "rule_participant_sms_user",
            )
        }
        global_rules = rules.filtered("global")
        group_rules = rules - global_rules
        company_rule = shipped["rule_participant_sms_company"] or self.env["ir.rule"]
        if (
            global_rules - company_rule
            or not group_rules
            or any(
                "".join((rule.domain_force or "").split()) != COMPANY_RULE
                for rule in global_rules
            )
        ):
            return None
        if any((rule.domain_force or "").strip() in TRUE_RULE for rule in group_rules):
            domain = []
        elif group_rules == (
            shipped["rule_participant_sms_user"] or self.env["ir.rule"]
        ) and ("".join(group_rules.domain_force.split()) == COLLABORATOR_RULE):
            domain = [
                "|",
                ("with_participant", "=", True),
                ("free_author_id", "=", self.env.uid),
            ]
        else:
            return None
        if global_rules:
            companies = self.env.companies
            domain = expression.AND([[("company_id", "in", companies.ids)], domain])
            return companies, domain
        return Company.search([]), domain

    @api.model
    def _psms_counts_tz(self, companies):
        """The time zone of the companies' SMS zone when they share one, else None."""
        zones = {company._psms_zone().tz for company in companies}
        return zones.pop() if len(zones) == 1 else None

    def _psms_counts_groupby(self, groupby, zone_tz):
        """The daily counts' groupby for ``groupby``, or None."""
        groups = []
        for spec in groupby:
            if spec in KEY_FIELDS:
                groups.append(spec)
                continue
            fname, _sep, granularity = spec.partition(":")
            if (
                fname != "planned_at"
                or granularity not in DAY_GRANULARITIES
                or not zone_tz
                or self.env.context.get("tz") != zone_tz
            ):
                return None
            groups.append(f"day:{granularity}")
        return groups

    def _psms_counts_domain(self, domain, zone_tz):
        """``domain`` as a domain of the daily counts, or None."""
        translated = []
        for token in expression.normalize_domain(list(domain or [])):
            if not expression.is_leaf(token) or token in (
                expression.TRUE_LEAF,
                expression.FALSE_LEAF,
            ):
                translated.append(token)
                continue
            leaf = self._psms_counts_leaf(token, zone_tz)
            if leaf is None:
                return None
            translated.append(leaf)
        return translated

    def _psms_counts_leaf(self, leaf, zone_tz):
        """One leaf of an SMS domain as a leaf of the daily counts, or None."""
        name, operator, value = leaf
        if name in KEY_FIELDS and operator in KEY_OPERATORS:
            return leaf
        if name != "planned_at" or operator not in DAY_BOUNDS or not zone_tz:
            return None
        if isinstance(value, str) and len(value) == len("2026-01-01 00:00:00"):
            try:
                value = fields.Datetime.to_datetime(value)
            except ValueError:
                return None
        if not isinstance(value, datetime) or value.tzinfo:
            return None
        stamp = value
        local = pytz.utc.localize(stamp).astimezone(pytz.timezone(zone_tz))
        if local.time() != DAY_BOUNDS[operator]:
            return None
        return ("day", operator, local.date())

    @api.model
    def _psms_counts_order(self, order, daily_groups):
        """``order`` in the daily counts' terms (None when it names something else);
        '' when there is none."""
        if not order:
            return ""
        parts = []
        for part in order.split(","):
            term, *direction = part.split()
            if term == "__count":
                term = "count:sum"
            elif term in daily_groups:
                term = daily_groups[term]
            else:
                return None
            parts.append(" ".join([term, *direction]))
        return ", ".join(parts)
