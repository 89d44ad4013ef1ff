# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The notes quoting an SMS are found through the note table
(models/participant_sms_note.py), and by their text where the table may not know them
(issue 19).

Invariant (R5), for any sequence of SMS on two appointments, of any age, whose notes
were posted by the engine after 18.0.1.8.0 (recorded in the table), before it (the
same notes with no row: the SMS below the upgrade's first id), across it (sent note
before, final note after) or by other code (a note quoting the SMS, no row), and any
batch size: every note quoting an SMS that the retention anonymises is anonymised,
every other note is left as it was, and the table keeps no row of an anonymised SMS;
a second run does nothing (R3). The engine records one row per note it posts."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from odoo.tests import tagged

from ..models.participant_sms_note import NOTE_LINKS_FROM
from ..models.participant_sms_privacy import ANONYMISED
from .common import orm_examples
from .common_sms import RetentionCommon

NOW = datetime(2026, 11, 25, 3, 0)
#: how an SMS' notes were posted
BEFORE, ACROSS, AFTER, OTHER = "before", "across", "after", "other"

an_sms = st.fixed_dictionaries(
    {
        "notes": st.sampled_from([BEFORE, ACROSS, AFTER, OTHER]),
        "age_days": st.sampled_from([10, 800]),
        "event": st.integers(0, 1),
    }
)


@tagged("post_install", "-at_install")
class TestRetentionNoteLinks(RetentionCommon):
    EVENT_NAME = "Entretien liens"

    def _sent(self, index, spec):
        """An SMS sent SPEC's age ago on its event, waiting for its status."""
        when = NOW - timedelta(days=spec["age_days"])
        sms = (
            self.Sms.sudo()
            .with_company(self.company)
            ._queue(
                [
                    {
                        "origin": "free",
                        "context_type": "free",
                        "number": f"+336123450{index:02d}",
                        "partner_id": self.participant.id,
                        "body": f"Rappel n°{index} : entretien jeudi.",
                        "planned_at": when,
                        "company_id": self.company.id,
                    }
                ]
            )
        )
        sms.write(
            {
                "state": "sent",
                "sent_at": when,
                "status_at": when,
                "credits": 1,
                "res_model": "calendar.event",
                "res_id": self.events[spec["event"]].id,
            }
        )
        return sms

    def _unlink_notes(self, sms):
        """Forget the rows of ``sms``' notes, as for a note posted before the table."""
        self.env.cr.execute(
            "DELETE FROM participant_sms_note WHERE sms_id = %s", [sms.id]
        )

    def _rows(self, sms_ids):
        self.env.cr.execute(
            "SELECT sms_id, message_id FROM participant_sms_note "
            "WHERE sms_id = ANY(%s)",
            [list(sms_ids)],
        )
        return self.env.cr.fetchall()

    def _notes(self):
        notes = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("model", "=", "calendar.event"), ("res_id", "in", self.events.ids)]
            )
        )
        return {note.id: str(note.body) for note in notes}

    def _make(self, specs):
        """The SMS of SPECS, those with notes from before the upgrade first (their
        ids below the upgrade's first id), delivered."""
        order = sorted(range(len(specs)), key=lambda i: specs[i]["notes"] != BEFORE)
        order = sorted(order, key=lambda i: specs[i]["notes"] not in (BEFORE, ACROSS))
        messages = {}
        for index in order:
            spec = specs[index]
            sms = self._sent(index, spec)
            if spec["notes"] in (BEFORE, ACROSS):
                sms._post_context_notes("sent")
                self._unlink_notes(sms)
            messages[index] = sms
        self.env["ir.config_parameter"].sudo().set_param(
            NOTE_LINKS_FROM, str(max(s.id for s in messages.values()) + 1)
        )
        for index in order:
            spec, sms = specs[index], messages[index]
            if spec["notes"] == AFTER:
                sms._post_context_notes("sent")
            if spec["notes"] == OTHER:
                self.events[spec["event"]].sudo()._message_log(
                    body=Markup("<p>SMS du %s</p><p>%s</p>") % (sms.number, sms.body)
                )
                sms.write({"state": "delivered"})
            else:
                sms._set_state("delivered")  # the final note, recorded
                if spec["notes"] == BEFORE:
                    self._unlink_notes(sms)
            sms.write({"status_at": NOW - timedelta(days=spec["age_days"])})
        return [messages[index] for index in range(len(specs))]

    def test_the_engine_records_each_note_it_posts(self):
        with freeze_time(NOW):
            sms = self._sent(0, {"age_days": 800, "event": 0})
            notes_before = set(self._notes())
            sms._post_context_notes("sent")
            sms._set_state("delivered")
            new = set(self._notes()) - notes_before
            self.assertEqual(len(new), 2, "sent and final notes")
            self.assertEqual(
                sorted(self._rows([sms.id])), sorted((sms.id, n) for n in new)
            )

    def test_each_sms_of_one_record_gets_its_own_note(self):
        """Several SMS of one record noted at once (one dispatch batch): a note
        each, each recorded with its SMS (``_message_log_batch`` logs one note per
        record: the SMS go in rounds)."""
        with freeze_time(NOW):
            spec = {"age_days": 10, "event": 0}
            smss = self._sent(0, spec) | self._sent(1, spec) | self._sent(2, spec)
            notes_before = set(self._notes())
            smss._post_context_notes("sent")
            new = {
                note_id: body
                for note_id, body in self._notes().items()
                if note_id not in notes_before
            }
            self.assertEqual(len(new), 3)
            rows = dict(self._rows(smss.ids))
            self.assertEqual(set(rows), set(smss.ids))
            for sms in smss:
                self.assertIn(sms.body, new[rows[sms.id]])

    @orm_examples(12)
    @given(st.lists(an_sms, min_size=2, max_size=8), st.integers(1, 3))
    def test_every_note_quoting_an_anonymised_sms_is_anonymised(
        self, specs, batch_size
    ):
        self.env.invalidate_all()
        with freeze_time(NOW), self.env.cr.savepoint(flush=False) as savepoint:
            messages = self._make(specs)
            self.env.flush_all()
            before = self._notes()
            due = [
                sms
                for sms, spec in zip(messages, specs, strict=True)
                if spec["age_days"] > 365
            ]
            quoting = {
                note_id: [sms for sms in messages if sms.body in body]
                for note_id, body in before.items()
            }
            counts = self.Privacy._anonymize(batch_size=batch_size)
            self.assertEqual(counts[0], len(due))
            self.assertEqual(self.Privacy._anonymize(batch_size=batch_size)[0], 0)
            self.env.invalidate_all()
            after = self._notes()
            for note_id, body in before.items():
                if any(sms in due for sms in quoting[note_id]):
                    self.assertIn("anonymised", after[note_id], "R5")
                    self.assertNotIn("Rappel", after[note_id], "R5")
                else:
                    self.assertEqual(after[note_id], body, "untouched")
            for sms in due:
                self.assertEqual(sms.body, ANONYMISED)
            self.assertFalse(self._rows(s.id for s in due), "no row left")
            kept = [sms for sms in messages if sms not in due]
            for sms, spec in zip(messages, specs, strict=True):
                if sms in kept and spec["notes"] in (ACROSS, AFTER):
                    self.assertTrue(self._rows([sms.id]), "rows of the SMS kept")
            savepoint.rollback()
