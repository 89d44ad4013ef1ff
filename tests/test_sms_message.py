# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_sms import SmsCommon


@tagged("post_install", "-at_install")
class TestSmsMessage(SmsCommon):
    def test_message_keeps_its_context(self):
        sms = self.queue()
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.number, "+33612345678")
        self.assertEqual(sms.number_display, "+33 6 12 34 56 78")
        self.assertEqual((sms.encoding, sms.segments), ("GSM-7", 1))
        self.assertEqual(sms.context_type, "appointment")
        self.assertEqual(sms.context_name, self.event.display_name)
        self.assertEqual(sms.author_id, self.env.user)
        self.assertEqual(sms.account_id, self.simulator)
        self.assertGreaterEqual(sms.deadline, sms.planned_at + timedelta(hours=24))
        self.assertLessEqual(sms.deadline, fields.Datetime.now() + timedelta(hours=24))

    def test_context_names_read_per_model(self):
        """A list reads the context names of its SMS in as many queries for 2 SMS as
        for 12 (per context model, not per SMS); a record deleted has no name."""
        events = self.env["calendar.event"].create(
            [
                {
                    "name": f"Entretien {index}",
                    "participant_id": self.participant.id,
                    "participant_appointment_type_id": self.type_individual.id,
                    "start": self.event.start,
                    "stop": self.event.stop,
                }
                for index in range(12)
            ]
        )
        messages = self.Sms.concat(
            *(self.queue(res_id=event.id) for event in events)
        ) | self.queue(res_model="participant.step", res_id=999999)

        def read(messages):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            names = [sms.context_name for sms in messages]
            return names, self.env.cr.sql_log_count - before

        few, few_queries = read(messages[:2] | messages[-1])
        many, many_queries = read(messages)
        self.assertEqual(few_queries, many_queries)
        self.assertEqual(few, ["Entretien 0", "Entretien 1", False])
        self.assertEqual(many, events.mapped("display_name") + [False])
        self.assertEqual(messages[0]._context_record(), events[0])
        self.assertFalse(messages[-1]._context_record())
        # the Sent list's page, as the web client asks it: as many queries
        spec = {
            fname: {"fields": {"display_name": {}}} if fname.endswith("_id") else {}
            for fname in (
                "planned_at",
                "sent_at",
                "partner_id",
                "number_display",
                "context_type",
                "context_name",
                "author_id",
                "batch_ref",
                "body",
                "segments",
                "simulated",
                "state",
            )
        }
        counts = []
        for limit in (3, 13):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            page = self.Sms.web_search_read(
                [("id", "in", messages.ids)], spec, limit=limit
            )
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(page["records"]), limit)
        self.assertEqual(counts[0], counts[1])

    def test_phone_number_snapshotted(self):
        sms = self.queue()
        self.participant.mobile = "+33 7 81 23 45 67"
        self.assertEqual(sms.number, "+33612345678")

    def test_zone_reads_national_numbers(self):
        self.company.psms_zone = "reunion"
        sms = self.queue_numbers(["0692 12 34 56"])
        self.assertEqual(sms.number, "+262692123456")

    def test_invalid_numbers_refused_nothing_created(self):
        count = self.Sms.search_count([])
        for number, message in (
            ("", "no mobile number"),
            ("hello", "not a phone number"),
            ("06 12", "not a valid phone number"),
            ("01 44 55 66 77", "not a mobile number"),
        ):
            with (
                self.subTest(number=number),
                self.assertRaisesRegex(ValidationError, message),
            ):
                self.queue_numbers([number])
        self.participant_2.mobile = False
        with self.assertRaises(ValidationError):
            self.queue(partner_id=self.participant_2.id)
        self.assertEqual(self.Sms.search_count([]), count)

    def test_segment_limit(self):
        self.company.psms_max_segments = 1
        self.queue(body="a" * 160)
        with self.assertRaisesRegex(ValidationError, "needs 2 SMS"):
            self.queue(body="a" * 161)
        self.queue(body="Aujourd’hui " + "a" * 140)  # ’ is written ' : one GSM-7 SMS
        with self.assertRaisesRegex(ValidationError, "force Unicode: Ê"):
            self.queue(
                body="Être là " + "a" * 70
            )  # a letter GSM-7 lacks, kept by default
        self.company.psms_text_mode = "keep"
        with self.assertRaisesRegex(ValidationError, "force Unicode: ’"):
            self.queue(body="Aujourd’hui " + "a" * 60)
        self.company.psms_text_mode = "typography"
        with self.assertRaisesRegex(ValidationError, "empty"):
            self.queue(body="")
        self.company.psms_max_segments = 2
        sms = self.queue(body="a" * 300 + "€")
        self.assertEqual((sms.segments, sms.encoding), (2, "GSM-7"))

    def test_immediate_send_waits_for_window(self):
        now = fields.Datetime.now()
        window = self.company._psms_window()
        sms = self.Sms.sudo()._queue(
            [
                {
                    "origin": "instant",
                    "partner_id": self.participant.id,
                    "body": "Bonjour",
                }
            ]
        )
        self.assertEqual(sms.planned_at, window.immediate_send_at(now))

    def test_permissions_by_origin(self):
        Sms = self.Sms.with_user(self.user_participant)
        values = {"partner_id": self.participant.id, "body": "Bonjour"}
        for origin in ("instant", "scheduled", "batch", "free", "automation", "test"):
            with self.subTest(origin=origin), self.assertRaises(AccessError):
                Sms._queue([dict(values, origin=origin)])
        sms = self.Sms.with_user(self.user_instant)._queue(
            [dict(values, origin="instant")]
        )
        self.assertEqual(sms.author_id, self.user_instant)
        with self.assertRaises(AccessError):
            self.Sms.with_user(self.user_instant)._queue(
                [dict(values, origin="scheduled")]
            )
        # no direct create, even for SMS administrators
        with self.assertRaises(AccessError):
            self.Sms.with_user(self.user_admin_sms).create(
                [dict(values, origin="test")]
            )

    def test_final_status_never_changes(self):
        sms = self.queue()
        sms.write({"state": "delivered"})
        with self.assertRaises(UserError):
            sms.write({"state": "queued"})
        self.assertFalse(sms._set_state("failed"))
        self.assertEqual(sms.state, "delivered")
        sms.write({"state": "delivered"})  # same status: allowed, nothing changes

    def test_cancel_and_never_delete(self):
        sms = self.queue()
        sms.with_user(self.user_admin_sms).action_cancel()
        self.assertEqual(sms.state, "cancelled")
        with self.assertRaises(UserError):
            sms.action_cancel()
        with self.assertRaises(UserError):
            sms.unlink()
        with self.assertRaises(UserError):
            self.queue().unlink()  # not even an SMS to come, not even as superuser
        for user in (self.user_admin_sms, self.user_participant):
            with self.assertRaises(AccessError):
                self.queue().with_user(user).unlink()
        self.assertTrue(sms.exists())

    def test_sender_label_validation(self):
        for label in ("MAIRIE 69", "A", "ABCDEFGHIJK"):
            self.company.psms_sender = label
        for label in ("ABCDEFGHIJKL", "Mairie-69", "Métropole", "A&B"):
            with self.subTest(label=label), self.assertRaises(ValidationError):
                self.company.psms_sender = label

    def test_settings_validation(self):
        with self.assertRaises(ValidationError):
            self.company.psms_max_segments = 0
        with self.assertRaises(ValidationError):
            self.company.write({"psms_window_start": 18.0, "psms_window_end": 8.0})

    def test_search_final(self):
        sms = self.queue(2)
        sms[0].write({"state": "failed"})
        self.assertEqual(
            self.Sms.search([("id", "in", sms.ids), ("is_final", "=", True)]), sms[0]
        )
        self.assertEqual(
            self.Sms.search([("id", "in", sms.ids), ("is_final", "=", False)]), sms[1]
        )
