# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reply cron applies replies in batches: whatever the replies and however they are
cut into batches, the result is the guide's rule applied one reply at a time, in the
order they came (Hypothesis, one savepoint per example): the first reply to an SMS sets
the outcome of its appointment and adds the theme "SMS reply", later ones are recorded
only, STOP counts as an answer, a reply to no SMS is unmatched, and every matched reply
has its own note."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import tagged

from ..tools.providers import InboundReply
from .common import orm_examples
from .common_sms import SmsCommon

TEXTS = {
    "OUI": "confirmed",
    "non merci": "cancelled",
    "Je serai en retard": None,
    "STOP": None,
}
UNMATCHED = "+33699999990"


@tagged("post_install", "-at_install")
class TestReplyBatches(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.psms_enforce_packages = False
        Partner, Event = cls.env["res.partner"], cls.env["calendar.event"]
        start = fields.Datetime.now() + timedelta(days=3)
        cls.messages = cls.Sms
        for index in range(3):
            partner = Partner.create(
                {
                    "name": f"Batch PARTICIPANT{index}",
                    "is_participant": True,
                    "mobile": f"+33 6 44 55 66 {10 + index}",
                }
            )
            event = Event.create(
                {
                    "name": f"RDV {index}",
                    "participant_id": partner.id,
                    "participant_appointment_type_id": cls.type_individual.id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                }
            )
            cls.messages |= cls.Sms._queue(
                [
                    {
                        "origin": "scheduled",
                        "partner_id": partner.id,
                        "reply_enabled": True,
                        "body": "RDV jeudi. Répondez OUI ou NON.",
                        "res_model": "calendar.event",
                        "res_id": event.id,
                        "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                    }
                ]
            )
        cls.Dispatcher._cron_dispatch()
        assert all(cls.messages.mapped("sent_at"))
        cls.outcomes = {
            "confirmed": cls.env.ref("participant_sms.outcome_confirmed"),
            "cancelled": cls.env.ref(
                "participant_sms.outcome_cancelled_by_participant"
            ),
        }

    @orm_examples(60)
    @given(
        st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from(sorted(TEXTS))),
            min_size=1,
            max_size=10,
        ),
        st.integers(1, 4),
    )
    def test_batches_apply_the_rule_as_one_by_one(self, steps, batch):
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            numbers = self.messages.mapped("number") + [UNMATCHED]
            replies = self.env["participant.sms.reply"]._record(
                self.simulator,
                [
                    InboundReply(f"b-{index}", numbers[target], text)
                    for index, (target, text) in enumerate(steps)
                ],
            )
            self.env["participant.sms.reply"]._cron_process_replies(limit=batch)
            answered, outcome_of = set(), {}
            for reply, (target, text) in zip(replies.sorted("id"), steps, strict=False):
                sms = self.messages[target] if target < 3 else self.Sms
                if text == "STOP":
                    expected = "stop"
                elif not sms:
                    expected = "unmatched"
                elif sms.id in answered:
                    expected = "later"
                elif TEXTS[text]:
                    expected = "applied"
                    outcome_of[sms.res_id] = self.outcomes[TEXTS[text]]
                else:
                    expected = "no_keyword"
                if sms:
                    answered.add(sms.id)
                self.assertEqual(reply.result, expected, (steps, batch))
                self.assertEqual(reply.sms_id, sms)
                if expected in ("applied", "later", "no_keyword"):
                    self.assertTrue(
                        reply.note_message_id, "every matched reply has its note"
                    )
                    self.assertIn(reply.text, reply.note_message_id.body)
            notes = replies.note_message_id
            self.assertEqual(
                len(notes), len(replies.filtered("note_message_id")), "one each"
            )
            for sms in self.messages:
                event = self.env["calendar.event"].browse(sms.res_id)
                self.assertEqual(
                    event.participant_outcome_id,
                    outcome_of.get(
                        event.id, self.env.ref("participant_sms.outcome_planned")
                    ),
                )
                first = replies.filtered(
                    lambda r, s=sms: r.sms_id == s and r.result != "stop"
                )[:1]
                lines = event.participant_theme_line_ids.filtered("reply_id")
                self.assertEqual(
                    lines.reply_id,
                    first
                    if first.result in ("applied", "no_keyword")
                    else self.env["participant.sms.reply"],
                )
            self.assertFalse(replies.filtered(lambda r: r.result == "pending"))
            savepoint.close(rollback=True)
