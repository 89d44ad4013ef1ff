# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retention is set-based (models/participant_sms_privacy.py, issue 19): the SMS of a
batch are read with it, their notes found by their records' index and erased, their
simulator records looked up by tag, and the batch anonymised by one statement each.
Invariant: the statements a batch costs do not grow with the number of SMS it holds
(the same for 4 SMS as for 24 on the same records), and every SMS of the batch is
anonymised with the notes quoting it."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from markupsafe import Markup

from odoo.tests import tagged

from ..models.participant_sms_privacy import ANONYMISED
from .common_sms import RetentionCommon

NOW = datetime(2026, 11, 25, 3, 0)


@tagged("post_install", "-at_install")
class TestRetentionStatements(RetentionCommon):
    EVENT_NAME = "Entretien statements"

    def _old_sms(self, count, prefix):
        """COUNT delivered SMS two years old, alternately on the two events, each
        quoted by a note on its event."""
        when = NOW - timedelta(days=730)
        messages = self.Sms.browse()
        for index in range(count):
            body = f"Rappel {prefix}{index} : entretien jeudi."
            event = self.events[index % 2]
            sms = (
                self.Sms.sudo()
                .with_company(self.company)
                ._queue(
                    [
                        {
                            "origin": "free",
                            "context_type": "free",
                            "number": f"+3361234{index:04d}",
                            "partner_id": self.participant.id,
                            "body": body,
                            "planned_at": when,
                            "company_id": self.company.id,
                        }
                    ]
                )
            )
            sms.write(
                {
                    "state": "delivered",
                    "status_at": when,
                    "sent_at": when,
                    "credits": 1,
                    "res_model": "calendar.event",
                    "res_id": event.id,
                    "provider_tag": f"tag-{prefix}",
                    "provider_id": f"pid-{prefix}{index}",
                }
            )
            event.sudo()._message_log(
                body=Markup("<p><strong>SMS</strong></p><p>%s</p>") % body
            )
            messages |= sms
        return messages

    def _statements(self, messages):
        """Statements of one run anonymising ``messages`` in one batch; check they
        and their notes are anonymised."""
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        counts = self.Privacy._anonymize(batch_size=100)
        statements = self.env.cr.sql_log_count - before
        self.assertEqual(counts[0], len(messages))
        self.env.invalidate_all()
        for sms in messages:
            self.assertEqual((sms.body, sms.number), (ANONYMISED, ANONYMISED))
        notes = self.env["mail.message"].search(
            [("model", "=", "calendar.event"), ("res_id", "in", self.events.ids)]
        )
        self.assertFalse(notes.filtered(lambda n: "Rappel" in str(n.body)))
        return statements

    def test_a_batch_costs_the_same_statements_whatever_its_size(self):
        with freeze_time(NOW):
            with self.env.cr.savepoint(flush=False) as savepoint:
                small = self._statements(self._old_sms(4, "s"))
                savepoint.close(rollback=True)
            with self.env.cr.savepoint(flush=False) as savepoint:
                large = self._statements(self._old_sms(24, "l"))
                savepoint.close(rollback=True)
        self.assertEqual(small, large)
