# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The pivot, graph and grouped lists counted from the daily counts
(models/participant_sms_pivot.py).

Invariant: whatever the SMS (companies of two zones, planned around local midnights
and daylight-saving changes, any status, context and origin) and whatever the
``_read_group`` asked (domain, groups, order, limit, offset, user, allowed companies,
time zone), the answer equals Odoo's own count of the history; the daily counts
answer the SMS administrators' pivot, never a referent's.
"""

from datetime import datetime, timedelta

import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import tagged

from .common_sms import SmsCommon

PARIS = pytz.timezone("Europe/Paris")
STATES = ("queued", "sent", "delivered", "failed", "not_sent", "cancelled")
CONTEXTS = (False, "appointment", "free", "step")
ORIGINS = ("instant", "batch", "free", "automation")
GROUPS = (
    "planned_at:day",
    "planned_at:week",
    "planned_at:month",
    "planned_at:quarter",
    "planned_at:year",
    "state",
    "context_type",
    "origin",
    "company_id",
)
BASE = datetime(2026, 3, 28, 12, 0)  # the days around the spring change of time


def local_bound(day, last_second=False):
    """The UTC string of a Paris midnight (or of the day's last second)."""
    moment = datetime.combine(BASE.date() + timedelta(days=day), datetime.min.time())
    if last_second:
        moment += timedelta(hours=23, minutes=59, seconds=59)
    utc = PARIS.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)
    return fields.Datetime.to_string(utc)


rows = st.lists(
    st.tuples(
        st.integers(0, 1),  # company
        st.integers(-48 * 40, 48 * 40),  # half hours from BASE: 80 days around it
        st.sampled_from(STATES),
        st.sampled_from(CONTEXTS),
        st.sampled_from(ORIGINS),
        st.booleans(),  # to the participant, or to a number
        st.sampled_from(("admin", "referent", None)),  # author
    ),
    max_size=30,
)
leaves = st.one_of(
    st.tuples(
        st.just("state"),
        st.sampled_from(("in", "not in")),
        st.sets(st.sampled_from(STATES)),
    ).map(lambda leaf: (leaf[0], leaf[1], sorted(leaf[2]))),
    st.tuples(st.just("state"), st.sampled_from(("=", "!=")), st.sampled_from(STATES)),
    st.tuples(st.just("origin"), st.just("="), st.sampled_from(ORIGINS)),
    st.tuples(
        st.just("context_type"), st.sampled_from(("=", "!=")), st.sampled_from(CONTEXTS)
    ),
    st.tuples(
        st.just("planned_at"),
        st.sampled_from((">=", "<")),
        st.integers(-30, 30).map(local_bound),
    ),
    st.tuples(
        st.just("planned_at"),
        st.sampled_from(("<=", ">")),
        st.integers(-30, 30).map(lambda day: local_bound(day, last_second=True)),
    ),
    # not a whole local day: the history answers
    st.tuples(
        st.just("planned_at"),
        st.just(">="),
        st.integers(-30, 30).map(lambda day: local_bound(day)[:11] + "05:30:00"),
    ),
)
queries = st.fixed_dictionaries(
    {
        "domain": st.lists(leaves, max_size=3),
        "or_first": st.booleans(),
        "groupby": st.lists(st.sampled_from(GROUPS), max_size=3, unique=True),
        "order": st.sampled_from((None, "__count desc", "first desc")),
        "window": st.sampled_from(((0, None), (0, 3), (2, 4))),
        "user": st.sampled_from(("admin", "admin", "referent", "superuser")),
        "companies": st.sampled_from(("paris", "paris", "both")),
        "tz": st.sampled_from(("Europe/Paris", "Europe/Paris", "Indian/Reunion", None)),
    }
)


@tagged("post_install", "-at_install")
class TestSmsPivot(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_reunion = cls.env["res.company"].create(
            {"name": "Insertion Réunion", "psms_zone": "reunion"}
        )
        cls.user_admin_sms.write(
            {
                "company_ids": [(4, cls.company_reunion.id)],
                "tz": "Europe/Paris",
            }
        )
        cls.user_instant.write({"tz": "Europe/Paris"})
        cls.companies = cls.company | cls.company_reunion

    def make_sms(self, specs):
        Sms = self.env["participant.sms"].sudo()
        authors = {
            "admin": self.user_admin_sms.id,
            "referent": self.user_instant.id,
            None: False,
        }
        return Sms.create(
            [
                {
                    "company_id": self.companies[company].id,
                    "partner_id": to_participant and self.participant.id,
                    "author_id": authors[author],
                    "number": "+33612345678",
                    "body": "Information : salon de l'emploi jeudi.",
                    "planned_at": BASE + timedelta(minutes=30 * half_hours),
                    "state": state,
                    "context_type": context,
                    "origin": origin,
                }
                for (
                    company,
                    half_hours,
                    state,
                    context,
                    origin,
                    to_participant,
                    author,
                ) in specs
            ]
        )

    def env_for(self, user, companies, tz):
        env = {
            "admin": self.env(user=self.user_admin_sms),
            "referent": self.env(user=self.user_instant),
            "superuser": self.env(su=True),
        }[user]
        allowed = (
            self.company
            if companies == "paris" or user == "referent"
            else self.companies
        )
        return env(context=dict(env.context, tz=tz, allowed_company_ids=allowed.ids))

    def both(self, Sms, domain, groupby, order, offset, limit):
        """(from the daily counts when they answer, from the history)."""
        args = (domain, groupby, ["__count"])
        kwargs = {"order": order, "offset": offset, "limit": limit}
        counted = Sms._read_group(*args, **kwargs)
        history = Sms.with_context(psms_history=True)._read_group(*args, **kwargs)
        return counted, history

    @settings(max_examples=150, deadline=None)
    @given(specs=rows, query=queries)
    def test_counts_answer_as_the_history(self, specs, query):
        created = self.make_sms(specs)
        Sms = self.env_for(query["user"], query["companies"], query["tz"])[
            "participant.sms"
        ]
        domain = query["domain"]
        if query["or_first"] and len(domain) > 1:
            domain = ["|", *domain]
        groupby = query["groupby"]
        order = query["order"]
        if order == "first desc":
            order = f"{groupby[0]} desc" if groupby else None
        offset, limit = query["window"]
        if order == "__count desc":
            offset, limit = 0, None  # ties are in no defined order
        counted, history = self.both(Sms, domain, groupby, order, offset, limit)
        if order == "__count desc":
            self.assertEqual(sorted(counted, key=repr), sorted(history, key=repr))
            self.assertEqual([r[-1] for r in counted], [r[-1] for r in history])
        else:
            self.assertEqual(counted, history)
        self.env.cr.execute(
            "DELETE FROM participant_sms WHERE id IN %s", [tuple(created.ids) or (0,)]
        )
        self.env.invalidate_all()

    def test_the_pivot_reads_the_daily_counts(self):
        """The pivot's calls are planned on the daily counts for an SMS administrator
        and a collaborator of one zone, and left to the history for another time
        zone, a user of companies of two zones, or rules this module does not ship."""
        self.make_sms(
            [
                (0, 0, "delivered", "free", "free", False, "referent"),
                (0, 0, "delivered", "free", "free", False, "admin"),
                (1, 3, "sent", False, "batch", True, None),
            ]
        )
        sent = [("state", "not in", ("queued", "cancelled"))]
        pivot = ([], ["planned_at:month"], ["state"], ["planned_at:month", "state"])
        for user in ("admin", "referent"):
            Sms = self.env_for(user, "paris", "Europe/Paris")["participant.sms"]
            for groupby in pivot:
                self.assertIsNotNone(
                    Sms._psms_counts_plan(sent, groupby, ["__count"], (), None)
                )
                self.assertEqual(
                    Sms.read_group(sent, ["__count"], groupby, lazy=False),
                    Sms.with_context(psms_history=True).read_group(
                        sent, ["__count"], groupby, lazy=False
                    ),
                )
        month = ["planned_at:month", "state"]
        for Sms in (
            self.env_for("admin", "paris", "Indian/Reunion")["participant.sms"],
            self.env_for("admin", "both", "Europe/Paris")["participant.sms"],
        ):
            self.assertIsNone(Sms._psms_counts_plan(sent, month, ["__count"], (), None))
        both = self.env_for("admin", "both", "Europe/Paris")["participant.sms"]
        self.assertIsNotNone(
            both._psms_counts_plan(sent, ["state"], ["__count"], (), None)
        )
        self.env["ir.rule"].create(
            {
                "name": "Only SMS delivered",
                "model_id": self.env.ref("participant_sms.model_participant_sms").id,
                "domain_force": "[('state', '=', 'delivered')]",
            }
        )
        referent = self.env_for("referent", "paris", "Europe/Paris")["participant.sms"]
        self.assertIsNone(
            referent._psms_counts_plan(sent, month, ["__count"], (), None)
        )
        self.assertEqual(
            referent._read_group(sent, ["state"], ["__count"]), [("delivered", 1)]
        )

    def test_a_zone_change_counts_the_company_again(self):
        """A company moved to another zone has its SMS counted by its new days."""
        # 21:00 UTC on 28 March: the 28th in Paris, the 29th in La Réunion
        self.make_sms([(0, 18, "delivered", "free", "free", False, "admin")])
        admin = self.env_for("admin", "paris", "Indian/Reunion")["participant.sms"]
        self.company.psms_zone = "reunion"
        query = ([], ["planned_at:day"], ["__count"])
        self.assertIsNotNone(admin._psms_counts_plan(*query, (), None))
        counted = admin._read_group(*query)
        self.assertEqual(
            counted, admin.with_context(psms_history=True)._read_group(*query)
        )
        self.assertIn(datetime(2026, 3, 29), dict(counted))
        self.assertNotIn(datetime(2026, 3, 28), dict(counted))
