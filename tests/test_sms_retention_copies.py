# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retention removes every copy (R5 of models/participant_sms_privacy.py): once an SMS
or a reply is anonymised, its text and number are found nowhere in the database: not on
the SMS or the reply, nor in the reminder text of the record it was sent for, the
chatter notes, the "SMS reply" theme line, the collaborator's to-do (open or done, and
the message telling them of it), tracking values or the simulator's store. Checked by
searching every text, varchar and jsonb column of every table for unique markers; a
reminder still to come keeps its text (the same search finds it)."""

import uuid
from datetime import datetime, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..models.participant_sms_privacy import ANONYMISED
from ..tools.providers import InboundReply
from .common_sms import SmsCommon

FREE_NUMBER = "+33781998877"


@tagged("post_install", "-at_install")
class TestRetentionCopies(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"psms_retention_months": 12, "psms_enforce_packages": False})
        cls.collaborator = new_test_user(
            cls.env,
            login="psms_ret_collab",
            name="Rita Retention",
            groups="base.group_user,participant_sms.group_participant_user",
        )
        cls.env.ref(
            "participant_sms.outcome_cancelled_by_participant"
        ).reply_alert = True
        cls.template = cls.env["participant.sms.template"].create(
            {
                "name": "Reply possible",
                "template_type": "appointment",
                "reply_enabled": True,
                "body": "RDV le {{date}}. Répondez OUI ou NON.",
            }
        )
        cls.participant_2.mobile = "+33 6 99 88 77 66"
        cls.marker = {
            name: f"Q{uuid.uuid4().hex[:10].upper()}"
            for name in (
                "event",
                "event2",
                "step",
                "orientation",
                "reply",
                "reply2",
                "free",
                "keep",
            )
        }

    def _scan(self, needles):
        """``{needle: {"table.column", ...}}``: where each needle is written, in every
        text, varchar and jsonb column of every table (a commit's pre-commit hooks run
        first)."""
        self.flush_tracking()
        self.env.cr.execute("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
              JOIN information_schema.tables t ON t.table_schema = c.table_schema
                                              AND t.table_name = c.table_name
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('text', 'character varying', 'character',
                   'jsonb')""")
        columns = self.env.cr.fetchall()
        self.assertGreater(len(columns), 500, "every column of every table")
        found = {needle: set() for needle in needles}
        for table, column in columns:
            for needle in needles:
                self.env.cr.execute(
                    SQL(
                        "SELECT 1 FROM %s WHERE %s::text ILIKE %s LIMIT 1",
                        SQL.identifier(table),
                        SQL.identifier(column),
                        f"%{needle}%",
                    )
                )
                if self.env.cr.fetchone():
                    found[needle].add(f"{table}.{column}")
        return found

    def _reminder(self, record, marker):
        values = {
            "sms_reminder": True,
            "sms_reminder_planned_at": fields.Datetime.now(),
            "sms_reminder_body": f"Rappel {marker} : RDV bientôt. OUI ou NON ?",
        }
        if (
            record._name == "calendar.event"
        ):  # a reply-enabled template: it can be answered
            values["sms_reminder_template_id"] = self.template.id
        record.write(values)
        self.assertEqual(record.sms_reminder_sms_id.state, "queued")
        return record.sms_reminder_sms_id

    def _deliver(self):
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_poll_statuses()
        self.Dispatcher._cron_poll_statuses()

    def _event(self, participant, name):
        start = fields.Datetime.now() + timedelta(days=5)
        return self.env["calendar.event"].create(
            {
                "name": name,
                "participant_id": participant.id,
                "participant_appointment_type_id": self.type_individual.id,
                "participant_collaborator_id": self.collaborator.id,
                "start": start,
                "stop": start + timedelta(hours=1),
            }
        )

    def test_no_copy_of_an_anonymised_sms_or_reply_is_left(self):
        marker = self.marker
        event = self._event(self.participant, "Entretien A")
        event2 = self._event(self.participant_2, "Entretien B")
        step = self.env["participant.step"].create(
            {
                "participant_id": self.participant.id,
                "step_type_id": self.step_type_training.id,
                "planned_start": self.in_days(6),
            }
        )
        orientation = self.env["participant.orientation"].create(
            {
                # still to come when the retention runs, but its reminder left: only a
                # copy
                "participant_id": self.participant.id,
                "planned_date": self.in_days(3 * 365),
                "orientation_type_id": self.orientation_type.id,
            }
        )
        # a reminder still to come whose text an instant SMS sent now repeats
        kept_event = self._event(self.participant, "Entretien C")
        kept_event.write(
            {
                "sms_reminder": True,
                "sms_reminder_days": "1",
                "sms_reminder_body": f"Rappel {marker['keep']} : à bientôt.",
            }
        )
        kept_event.action_sms_send_now()
        self._deliver()
        sent = self.Sms.browse()
        for record in (step, orientation):
            sent |= self._reminder(record, marker[record._name.split(".")[-1]])
            self._deliver()
        Reply = self.env["participant.sms.reply"].sudo()
        for record, key, number in (
            (event, "event", "+33612345678"),
            (event2, "event2", "+33699887766"),
        ):
            sms = self._reminder(record, marker[key])
            self._deliver()
            sent |= sms
            reply_key = "reply" if record == event else "reply2"
            Reply._process(
                self.simulator,
                [
                    InboundReply(
                        f"ret-{key}",
                        number,
                        f"NON {marker[reply_key]} je ne pourrai pas",
                        "",
                    )
                ],
            )
        sent |= self.queue_numbers([FREE_NUMBER], body=f"Salon {marker['free']} jeudi.")
        self._deliver()
        self.assertEqual(set(sent.mapped("state")), {"delivered"})
        todo = self.participant.activity_ids
        self.assertIn(marker["reply"], todo.note)
        todo.action_feedback(feedback="Rappelée")
        self.assertIn(
            marker["reply2"], self.participant_2.activity_ids.note, "left open"
        )
        pending = kept_event.sms_reminder_sms_id
        self.assertEqual(pending.state, "queued")
        needles = [*marker.values(), FREE_NUMBER[3:]]
        before = self._scan(needles)
        self.assertTrue(all(before.values()), before)

        with freeze_time(datetime.now() + relativedelta(months=25)):
            self.Sms._cron_anonymize()
        self.env.invalidate_all()
        after = self._scan(needles)
        self.assertEqual(
            {needle: where for needle, where in after.items() if where},
            {
                marker["keep"]: {
                    "participant_sms.body",
                    "calendar_event.sms_reminder_body",
                }
            },
            "R5: only the reminder still to come keeps its text",
        )
        self.assertEqual(set(sent.mapped("body")), {ANONYMISED})
        self.assertEqual(pending.state, "queued", "R2")
        self.assertFalse(
            event.sms_reminder_body
            or step.sms_reminder_body
            or orientation.sms_reminder_body
        )
        self.assertTrue(event.sms_reminder_sms_id, "the record still knows its SMS")

    def test_a_recent_reply_with_the_same_text_keeps_its_todo(self):
        """The to-do of an old "NON" is anonymised; that of a recent "NON" of the same
        participant, to the same collaborator, keeps its text (found by date and time
        too)."""
        Reply = self.env["participant.sms.reply"].sudo()
        self._reminder(self._event(self.participant, "Entretien A"), "ancien")
        self._deliver()
        Reply._process(
            self.simulator, [InboundReply("same-1", "+33612345678", "NON", "")]
        )
        old_todo = self.participant.activity_ids
        self.assertIn("<p>NON</p>", old_todo.note)
        # the reply is stamped with the transaction's time: frozen too
        with (
            freeze_time(datetime.now() + relativedelta(months=25)),
            patch.object(self.env.cr, "now", fields.Datetime.now),
        ):
            self._reminder(self._event(self.participant, "Entretien B"), "récent")
            self._deliver()
            Reply._process(
                self.simulator, [InboundReply("same-2", "+33612345678", "NON", "")]
            )
            recent_todo = self.participant.activity_ids - old_todo
            self.assertIn("<p>NON</p>", recent_todo.note)
            self.Sms._cron_anonymize()
        self.env.invalidate_all()
        self.assertNotIn("NON", old_todo.note)
        self.assertIn("anonymised", old_todo.note)
        self.assertIn("<p>NON</p>", recent_todo.note)
