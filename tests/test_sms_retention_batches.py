# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retention in batches (models/participant_sms_privacy.py): a backlog larger than one
batch is worked through by id, batch after batch, and the result is the same as in one
go. Invariant, for any set of SMS (ages, statuses, companies, on an appointment or not,
with notes, replies and simulator records) and any batch size: every SMS past its
company's retention and final is anonymised exactly once (counted once, stamped once,
a second run does nothing: R1, R3), with every copy of its text and number erased (the
notes quoting it, the simulator's record: R5); every reply past the retention (by its
own date) is anonymised; every other SMS, note, reply and simulator record is left as
it was (R2)."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from odoo.tests import tagged

from ..models.participant_sms_privacy import ANONYMISED
from ..models.participant_sms_selections import FINAL_STATES
from .common import orm_examples
from .common_sms import RetentionCommon

NOW = datetime(2026, 11, 25, 3, 0)

an_sms = st.fixed_dictionaries(
    {
        "age_days": st.sampled_from([10, 200, 400, 800]),
        "state": st.sampled_from(
            ["delivered", "failed", "cancelled", "sent", "queued"]
        ),
        "company": st.integers(0, 1),
        "event": st.sampled_from([None, 0, 1]),
        "reply": st.booleans(),
        "simulated": st.booleans(),
    }
)


@tagged("post_install", "-at_install")
class TestRetentionBatches(RetentionCommon):
    EVENT_NAME = "Entretien batch"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Antenne Est"})
        cls.companies = cls.company | cls.other_company
        cls.other_company.psms_retention_months = 24

    def _make(self, index, spec):
        """An SMS with a text and number of its own; its note, reply and simulator
        record quote them."""
        company = self.companies[spec["company"]]
        when = NOW - timedelta(days=spec["age_days"])
        body = f"Rappel n°{index} : entretien jeudi."
        number = f"+336123450{index:02d}"
        sms = (
            self.Sms.sudo()
            .with_company(company)
            ._queue(
                [
                    {
                        "origin": "free",
                        "context_type": "free",
                        "number": number,
                        "partner_id": self.participant.id,
                        "body": body,
                        "planned_at": when,
                        "company_id": company.id,
                    }
                ]
            )
        )
        values = {"state": spec["state"], "status_at": when}
        if spec["state"] != "queued":
            values.update(sent_at=when, credits=1)
        if spec["event"] is not None:
            event = self.events[spec["event"]]
            values.update(res_model="calendar.event", res_id=event.id)
        if spec["simulated"]:
            values.update(provider_tag=f"tag-{index}", provider_id=f"pid-{index}")
            self.env["participant.sms.simulator.message"].create(
                {"tag": f"tag-{index}", "number": number, "provider_id": f"pid-{index}"}
            )
        sms.write(values)
        if spec["event"] is not None:
            self.events[spec["event"]].sudo()._message_log(
                body=Markup("<p><strong>SMS to %s</strong></p><p>%s</p>")
                % (number, body)
            )
        if spec["reply"]:
            self.env["participant.sms.reply"].sudo().create(
                {
                    "account_id": self.simulator.id,
                    "inbound_id": f"batch-{index}",
                    "number": number,
                    "text": f"OUI réponse n°{index}",
                    "sms_id": sms.id,
                    "partner_id": self.participant.id,
                    "received_at": when,
                }
            )
        return sms

    def _state(self):
        """Everything the retention may touch, as plain values."""
        Message = self.env["mail.message"].sudo()
        notes = Message.search(
            [("model", "=", "calendar.event"), ("res_id", "in", self.events.ids)]
        )
        replies = self.env["participant.sms.reply"].sudo().search([])
        simulated = self.env["participant.sms.simulator.message"].sudo().search([])
        return (
            {note.id: str(note.body) for note in notes},
            {r.id: (r.text, r.number, r.anonymized_at) for r in replies},
            {row.id: (row.tag, row.number) for row in simulated},
        )

    @orm_examples(15)
    @given(st.lists(an_sms, min_size=3, max_size=10), st.integers(1, 3))
    def test_a_backlog_is_anonymised_once_batch_after_batch(self, specs, batch_size):
        self.env.invalidate_all()
        with freeze_time(NOW), self.env.cr.savepoint(flush=False) as savepoint:
            messages = self.Sms.browse(
                [self._make(index, spec).id for index, spec in enumerate(specs)]
            )
            notes_before, replies_before, simulated_before = self._state()
            due = messages.filtered(
                lambda s: s.state in FINAL_STATES
                and s.planned_at
                < NOW - timedelta(days=365 if s.company_id == self.company else 730)
            )
            # a reply goes by its own date, whatever the status of the SMS answered
            due_replies = messages.reply_ids.filtered(
                lambda r: r.received_at
                < NOW
                - timedelta(days=365 if r.sms_id.company_id == self.company else 730)
            )
            gone = {(sms.provider_tag, sms.number) for sms in due if sms.provider_tag}
            counts = self.Privacy._anonymize(batch_size=batch_size)
            self.assertEqual(counts, (len(due), len(due_replies)), "each SMS once")
            self.env.invalidate_all()
            stamps = {sms.id: sms.anonymized_at for sms in messages}
            self.assertEqual(
                self.Privacy._anonymize(batch_size=batch_size), (0, 0), "R3"
            )
            self.env.invalidate_all()
            notes_after, replies_after, simulated_after = self._state()
            for sms in messages:
                self.assertEqual(sms.anonymized_at, stamps[sms.id], "stamped once")
                index = messages.ids.index(sms.id)
                if sms in due:
                    self.assertTrue(sms.anonymized_at)
                    self.assertEqual((sms.body, sms.number), (ANONYMISED, ANONYMISED))
                else:
                    self.assertFalse(sms.anonymized_at, "R2")
                    self.assertEqual(
                        (sms.body, sms.number),
                        (
                            f"Rappel n°{index} : entretien jeudi.",
                            f"+336123450{index:02d}",
                        ),
                    )
            # R5: the notes quoting an anonymised SMS, and only those, are anonymised
            for note_id, body in notes_before.items():
                quoted = [
                    sms for sms in due if f"n°{messages.ids.index(sms.id)} :" in body
                ]
                if quoted:
                    self.assertIn("anonymised", notes_after[note_id])
                    self.assertNotIn("Rappel", notes_after[note_id])
                else:
                    self.assertEqual(notes_after[note_id], body, "untouched")
            for reply_id, before in replies_before.items():
                reply = self.env["participant.sms.reply"].browse(reply_id)
                if reply in due_replies:
                    self.assertEqual(replies_after[reply_id][:2], (ANONYMISED,) * 2)
                else:
                    self.assertEqual(replies_after[reply_id], before, "untouched")
            for row_id, (tag, number) in simulated_before.items():
                if (tag, number) in gone:
                    self.assertNotIn(row_id, simulated_after, "forgotten")
                else:
                    self.assertEqual(simulated_after.get(row_id), (tag, number))
            savepoint.close(rollback=True)
