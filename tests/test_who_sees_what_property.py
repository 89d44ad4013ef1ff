# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""W2 and W3 of "Who sees what" (README), tried on random sequences (Hypothesis, one
savepoint per example): users get and lose groups and companies, participants move
between companies, appointments are made in either company; after every step what each
user finds is exactly what the invariants say, through search, read and the messages of
the appointments."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import orm_examples

GROUPS = (
    "none",
    "participant_sms.group_participant_user",
    "participant_sms.group_participant_manager",
    "participant_sms.group_sms_admin",
    "participant_sms.group_sms_send_batch",
)
FOLLOWERS = frozenset(GROUPS[1:])

a_step = st.one_of(
    st.tuples(st.just("groups"), st.integers(0, 2), st.sampled_from(GROUPS)),
    st.tuples(
        st.just("companies"), st.integers(0, 2), st.sampled_from([(0,), (1,), (0, 1)])
    ),
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(0, 1)),
    st.tuples(st.just("appointment"), st.integers(0, 2), st.integers(0, 1)),
)


@tagged("post_install", "-at_install")
class TestWhoSeesWhatProperty(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.companies = env.company | env["res.company"].create(
            {"name": "Second service"}
        )
        cls.users = [
            mail_new_test_user(
                env,
                login=f"psms_prop_{index}",
                groups="base.group_user",
                company_id=cls.companies[0].id,
                company_ids=[(6, 0, cls.companies.ids)],
            )
            for index in range(3)
        ]
        cls.participants = env["res.partner"].create(
            [
                {
                    "name": f"Participant {index}",
                    "is_participant": True,
                    "company_id": cls.companies[index % 2].id,
                }
                for index in range(3)
            ]
        )
        cls.start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=5)

    def _apply(self, step, state):
        kind, index, value = step
        if kind == "groups":
            user = self.users[index]
            base = self.env.ref("base.group_user")
            groups = base if value == "none" else base | self.env.ref(value)
            user.groups_id = [(6, 0, groups.ids)]
            state["groups"][index] = value
        elif kind == "companies":
            user = self.users[index]
            companies = self.companies.browse([self.companies.ids[i] for i in value])
            user.write(
                {"company_ids": [(6, 0, companies.ids)], "company_id": companies[0].id}
            )
            state["companies"][index] = set(value)
        elif kind == "move":
            self.participants[index].company_id = self.companies[value]
        else:
            # made from either company: the appointment belongs to its participant's
            event = (
                self.env["calendar.event"]
                .with_context(
                    allowed_company_ids=self.companies.ids[value:]
                    + self.companies.ids[:value],
                )
                .create(
                    {
                        "name": f"Interview {len(state['events'])}",
                        "participant_id": self.participants[index].id,
                        "start": self.start,
                        "stop": self.start + timedelta(hours=1),
                    }
                )
            )
            event.message_post(
                body="Reminder text",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            state["events"].append(event)

    def _check(self, state):
        for index, user in enumerate(self.users):
            follower = state["groups"][index] in FOLLOWERS
            active = self.companies.browse(
                [self.companies.ids[i] for i in sorted(state["companies"][index])]
            )
            env = self.env(user=user, context={"allowed_company_ids": active.ids})
            env.invalidate_all()
            found = env["res.partner"].search([("id", "in", self.participants.ids)])
            expected = self.participants.filtered(
                lambda p, f=follower, a=active: f and p.company_id in a
            )
            self.assertEqual(set(found.ids), set(expected.ids), "W2: participants")
            events = self.env["calendar.event"].browse([e.id for e in state["events"]])
            seen = env["calendar.event"].search([("id", "in", events.ids)])
            in_company = events.filtered(
                lambda e, a=active: e.participant_company_id in a
            )
            self.assertEqual(
                set(seen.ids), set(in_company.ids), "W3: busy time in company"
            )
            for event in seen:
                values = event.read(["name", "participant_id"])[0]
                if follower:
                    self.assertEqual(
                        values["participant_id"][0], event.sudo().participant_id.id
                    )
                else:
                    self.assertEqual(
                        (values["name"], values["participant_id"]), ("Busy", False)
                    )
            messages = env["mail.message"].search(
                [
                    ("model", "=", "calendar.event"),
                    ("res_id", "in", events.ids),
                    ("body", "ilike", "Reminder text"),
                ]
            )
            self.assertEqual(
                set(messages.mapped("res_id")),
                set(in_company.ids) if follower else set(),
                "W3: messages",
            )
            if not follower:
                for event in seen:
                    with self.assertRaises(AccessError):
                        event.with_env(env).write({"name": "changed"})

    @orm_examples(25)
    @given(st.lists(a_step, min_size=1, max_size=8))
    def test_w2_w3_hold_after_any_sequence(self, steps):
        # the previous example was rolled back under the caches
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        with self.env.cr.savepoint(flush=False) as savepoint:
            state = {"groups": ["none"] * 3, "companies": [{0, 1}] * 3, "events": []}
            for step in steps:
                self._apply(step, state)
                self.env.flush_all()
                self._check(state)
            savepoint.close(rollback=True)
