# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Agreement by SMS code (A1-A5 of ``participant.document``), in real Odoo, through
the simulator and through a local server speaking OVH's protocol."""

import base64
import hashlib
import io
import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common_sms import SmsCommon, create_ovh_account
from .fakes.fake_providers import FakeOvh

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
CODE = 482913
DRAW = "odoo.addons.participant_sms.models.participant_agreement_attempt.secrets"


class AgreementCommon(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_instant.write(
            {"name": "Sophie Referent", "tz": "Europe/Paris", "lang": "en_US"}
        )
        cls.cer = cls.env.ref("participant_sms.document_type_cer")
        cls.document = cls.make_document()

    @classmethod
    def make_document(cls, participant=None, content=PDF, name="CER 2026"):
        return (
            cls.env["participant.document"]
            .with_user(cls.user_instant)
            .create(
                {
                    "name": name,
                    "document_type_id": cls.cer.id,
                    "date": "2026-03-12",
                    "participant_id": (participant or cls.participant).id,
                    "file": base64.b64encode(content),
                    "file_name": "cer.pdf",
                }
            )
        )

    def send_code(self, document=None, code=CODE, user=None):
        """The referent sends a code; return the code window's action."""
        document = (document or self.document).with_user(user or self.user_instant)
        with patch(f"{DRAW}.randbelow", return_value=code):
            return document.action_agreement_send_code()

    def collect(self, action, document=None):
        """The code window the action opens."""
        document = document or self.document
        context = action["context"]
        return (
            self.env["participant.agreement.collect"]
            .with_user(self.user_instant)
            .with_context(**context)
            .create({})
        )

    def type_code(self, code, document=None, user=None):
        document = document or self.document
        attempt = document.attempt_ids.filtered(lambda a: a.state == "open")[:1]
        wizard = (
            self.env["participant.agreement.collect"]
            .with_user(user or self.user_instant)
            .create(
                {
                    "document_id": document.id,
                    "attempt_id": attempt.id,
                    "mode": "sms",
                    "code": code,
                }
            )
        )
        action = wizard.action_confirm_code()
        return wizard, action

    def assert_code_nowhere(self, code):
        """A2: no committed row of the SMS, the notes, the attempts, the wizards
        holds the code in clear."""
        self.env.flush_all()
        for table, column in (
            ("participant_sms", "body"),
            ("mail_message", "body"),
            ("participant_agreement_attempt", "code_hash"),
            ("participant_agreement_collect", "typed_hash"),
            ("participant_agreement_collect", "message"),
        ):
            self.env.cr.execute(
                f"SELECT count(*) FROM {table} WHERE {column}::text LIKE %s",  # noqa: S608
                [f"%{code}%"],
            )
            self.assertEqual(self.env.cr.fetchone()[0], 0, f"{table}.{column}")


@tagged("post_install", "-at_install")
class TestAgreementBySms(AgreementCommon):
    def test_simulator_whole_path(self):
        """The code leaves at once, masked in the history; the referent types it; the
        agreement proves the file's SHA-256, the number, the SMS, the referent."""
        action = self.send_code()
        wizard = self.collect(action)
        attempt = wizard.attempt_id
        self.assertEqual(attempt.state, "open")
        sms = attempt.sms_id
        self.assertEqual(sms.purpose, "agreement_code")
        self.assertEqual(sms.context_type, "document")
        self.assertEqual(sms.origin, "instant")
        self.assertEqual(sms.state, "processing")  # accepted, status to come
        self.assertTrue(sms.provider_id)
        self.assertIn("******", sms.body)
        self.assertIn("CER of 12/03", sms.body)
        self.assertIn(self.company.psms_sender, sms.body)  # the service
        self.assertEqual(sms.segments, 1)
        self.assertEqual(self.document.state, "requested")
        self.assertEqual(attempt.expires_at - attempt.sent_at, timedelta(minutes=10))
        self.assert_code_nowhere(str(CODE))

        wizard, action = self.type_code("482 913")
        self.assertEqual(action["tag"], "display_notification")
        agreement = self.document.agreement_id
        self.assertTrue(agreement)
        self.assertEqual(self.document.state, "agreed")
        self.assertEqual(attempt.state, "confirmed")
        self.assertEqual(agreement.mode, "sms")
        self.assertEqual(agreement.answer, "accepted")
        self.assertEqual(agreement.document_sha256, hashlib.sha256(PDF).hexdigest())
        self.assertEqual(agreement.document_sha256, self.document.sha256)
        self.assertEqual(agreement.number, "+33612345678")
        self.assertEqual(agreement.sms_id, sms)
        self.assertEqual(agreement.sms_provider_id, sms.provider_id)
        self.assertEqual(agreement.user_id, self.user_instant)
        self.assertEqual(agreement.code_sent_at, attempt.sent_at)
        self.assertEqual(agreement.participant_name, "Nadia BENALI")
        self.assertFalse(wizard.typed_hash)
        self.assert_code_nowhere(str(CODE))
        notes = self.document.message_ids.mapped("body")
        self.assertTrue(any("Agreement given by SMS code" in n for n in notes))
        # the hash check
        check = self.document.with_user(self.user_instant).action_check_file()
        self.assertEqual(check["params"]["type"], "success")

    def test_ovh_local_server(self):
        """Through a local server speaking OVH's protocol: the code it receives is the
        one that confirms; the agreement names OVH's id for the SMS."""
        with FakeOvh() as server:
            self.company.psms_account_id = create_ovh_account(self.env, server)
            self.document.with_user(self.user_instant).action_agreement_send_code()
            self.assertEqual(len(server.jobs), 1)
            (sent,) = server.outgoing.items()
            text = sent[1]["message"]
            self.assertEqual(sent[1]["receiver"], "+33612345678")
            code = re.search(r"\b(\d{6})\b", text).group(1)
            self.assertNotIn(code, self.document.attempt_ids.sms_id.body)
            self.assert_code_nowhere(code)
            self.type_code(code)
        agreement = self.document.agreement_id
        self.assertEqual(agreement.sms_provider_id, sent[0])
        self.assertEqual(agreement.document_sha256, hashlib.sha256(PDF).hexdigest())
        self.assertEqual(self.document.state, "agreed")

    def test_ovh_down_code_not_sent(self):
        """The provider fails: the code did not leave, the attempt says so, the SMS is
        not left to be sent later (its stored text holds no code), the referent is
        told; a new code may be sent."""
        with FakeOvh() as server:
            self.company.psms_account_id = create_ovh_account(self.env, server)
            server.job_faults = ["server"]
            action = self.send_code()
            self.assertEqual(action["context"]["default_message_type"], "danger")
            attempt = self.document.attempt_ids
            self.assertEqual(attempt.state, "failed")
            self.assertIn(attempt.sms_id.state, ("cancelled", "failed"))
            self.assertEqual(self.document.state, "draft")
            self.send_code(code=111111)
            self.assertEqual(len(server.outgoing), 1)
            self.assertIn("111111", next(iter(server.outgoing.values()))["message"])

    def test_no_credit_left(self):
        """No credit: the code does not leave, the referent is told why."""
        self.package.consumed = self.package.quantity
        action = self.send_code()
        self.assertIn("No SMS credit left", action["context"]["default_message"])
        self.assertEqual(self.document.attempt_ids.state, "failed")
        self.assertEqual(self.document.attempt_ids.sms_id.state, "cancelled")

    def test_wrong_codes_then_locked(self):
        """Three wrong codes end the code; the right one then no longer works; every
        wrong code is recorded (nothing rolled back)."""
        self.send_code()
        attempt = self.document.attempt_ids
        for count, wrong in enumerate(("000000", "111111"), start=1):
            wizard, _action = self.type_code(wrong)
            self.assertEqual(attempt.wrong_codes, count)
            self.assertIn("Wrong code", wizard.message)
            self.assertEqual(wizard.message_type, "danger")
        self.type_code("222222")
        self.assertEqual(attempt.state, "locked")
        with self.assertRaisesRegex(UserError, "No code is waiting"):
            self.type_code("482913")
        self.assertFalse(self.document.agreement_ids)
        self.assertEqual(self.document.state, "draft", "no code waits any more")
        wrong_notes = self.document.message_ids.filtered(
            lambda m: "Wrong agreement code" in (m.body or "")
        )
        self.assertEqual(len(wrong_notes), 3)

    def test_malformed_code_is_not_counted(self):
        self.send_code()
        for typed in ("48291", "４８２９１３", "48291a"):
            wizard, _action = self.type_code(typed)
            self.assertEqual(wizard.message, "A code has 6 digits.")
        self.assertEqual(self.document.attempt_ids.wrong_codes, 0)

    def test_failed_new_code_keeps_the_code_waiting(self):
        """A new code that cannot leave does not end the one the participant has."""
        self.send_code(code=111111)
        with FakeOvh() as server:
            self.company.psms_account_id = create_ovh_account(self.env, server)
            server.job_faults = ["server"]
            action = self.send_code(code=222222)
        first, second = self.document.attempt_ids.sorted("id")
        self.assertEqual((first.state, second.state), ("open", "failed"))
        self.assertEqual(action["context"]["default_attempt_id"], first.id)
        self.assertEqual(self.document.state, "requested")
        self.type_code("111111")
        self.assertEqual(self.document.state, "agreed")

    def test_code_window_checks_the_document(self):
        """The code window shows a code only to those who may act on its document,
        and only for its own document."""
        other = self.make_document(name="PPAE")
        self.send_code()
        attempt = self.document.attempt_ids
        Collect = self.env["participant.agreement.collect"].with_user(self.user_instant)
        with self.assertRaisesRegex(UserError, "another document"):
            Collect.create({"document_id": other.id, "attempt_id": attempt.id})
        outsider_company = self.env["res.company"].create({"name": "Other service"})
        outsider = mail_new_test_user(
            self.env,
            login="psms_agreement_outsider",
            groups="base.group_user,participant_sms.group_sms_send_instant",
            company_id=outsider_company.id,
            company_ids=[(6, 0, outsider_company.ids)],
        )
        with self.assertRaises(AccessError):
            self.env["participant.agreement.collect"].with_user(outsider).create(
                {"document_id": self.document.id, "attempt_id": attempt.id}
            )

    def test_document_in_its_participant_company(self):
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        self.participant.company_id = self.company
        with self.assertRaisesRegex(ValidationError, "company of its participant"):
            self.env["participant.document"].create(
                {
                    "name": "CER",
                    "document_type_id": self.cer.id,
                    "participant_id": self.participant.id,
                    "company_id": elsewhere.id,
                    "file": base64.b64encode(PDF),
                }
            )

    def test_late_code_expired(self):
        self.send_code()
        with freeze_time(fields.Datetime.now() + timedelta(minutes=10, seconds=5)):
            wizard, _action = self.type_code("482913")
        self.assertIn("expired", wizard.message)
        self.assertEqual(self.document.attempt_ids.state, "expired")
        self.assertFalse(self.document.agreement_ids)

    def test_new_code_replaces_and_resend_limit(self):
        """A new code ends the previous one; at most three codes per document in an
        hour, then again an hour later."""
        self.send_code(code=111111)
        self.send_code(code=222222)
        first, second = self.document.attempt_ids.sorted("id")
        self.assertEqual(first.state, "replaced")
        self.type_code("111111")
        self.assertFalse(self.document.agreement_ids, "a replaced code is dead")
        self.send_code(code=333333)
        with self.assertRaisesRegex(UserError, "3 codes were already sent"):
            self.send_code(code=444444)
        self.assertEqual(len(self.document.attempt_ids), 3)
        with freeze_time(fields.Datetime.now() + timedelta(minutes=61)):
            self.send_code(code=555555)
            self.type_code("555555")
        self.assertEqual(self.document.state, "agreed")

    def test_one_code_one_document(self):
        """A code confirms its own document only."""
        other = self.make_document(name="PPAE")
        self.send_code(code=111111)
        self.send_code(document=other, code=222222)
        self.type_code("111111", document=other)
        self.assertFalse(other.agreement_ids)
        self.type_code("111111")
        self.assertEqual(self.document.state, "agreed")
        with self.assertRaisesRegex(UserError, "already agreed"):
            self.send_code()

    def test_outside_send_window_and_quiet_day(self):
        """An agreement code is an interactive send: the window does not hold it."""
        now = fields.Datetime.now()
        hour = (now.hour + 12) % 24
        self.company.write(
            {"psms_window_start": float(hour), "psms_window_end": float(hour) + 0.5}
        )
        self.send_code()
        sms = self.document.attempt_ids.sms_id
        self.assertEqual(sms.state, "processing")
        self.assertTrue(sms.provider_id)

    def test_recipients_that_cannot_receive(self):
        """No mobile, refusing SMS, STOP: a clear error pointing to the tick box, and
        nothing recorded or sent."""
        no_mobile = self.make_document(participant=self.participant_2)
        with self.assertRaisesRegex(UserError, "record the agreement without SMS"):
            self.send_code(document=no_mobile)
        self.participant.accepts_sms = False
        with self.assertRaisesRegex(UserError, "refuses SMS"):
            self.send_code()
        self.participant.accepts_sms = True
        self.env["phone.blacklist"].sudo()._add(["+33612345678"])
        with self.assertRaisesRegex(UserError, "answered STOP"):
            self.send_code()
        self.assertFalse(self.document.attempt_ids)
        self.assertFalse(self.Sms.sudo().search([("purpose", "=", "agreement_code")]))

    def test_permission_needed_to_send_code(self):
        """*SMS: individual instant* sends codes; a participant user without it may
        still record an agreement on paper; a user outside the participants' groups
        sees no document."""
        document = self.document.with_user(self.user_participant)
        with self.assertRaises(AccessError):
            document.action_agreement_send_code()
        self.assertFalse(self.document.attempt_ids)
        document._agreement_record_paper("accepted")
        self.assertEqual(self.document.agreement_id.mode, "paper")
        self.assertEqual(self.document.agreement_id.user_id, self.user_participant)
        with self.assertRaises(AccessError):
            self.document.with_user(self.user_internal).read(["name"])
        with self.assertRaises(AccessError):
            self.document.agreement_id.with_user(self.user_internal).read(["number"])

    def test_other_company_sees_nothing(self):
        other_company = self.env["res.company"].create({"name": "Other service"})
        outsider = mail_new_test_user(
            self.env,
            login="psms_other_company",
            groups="base.group_user,participant_sms.group_sms_send_instant",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self.send_code()
        self.type_code("482913")
        Document = self.env["participant.document"].with_user(outsider)
        self.assertFalse(Document.search([]))
        self.assertFalse(
            self.env["participant.agreement"].with_user(outsider).search([])
        )
        with self.assertRaises(AccessError):
            self.document.with_user(outsider).action_agreement_paper()

    def test_evidence_never_changes(self):
        """A1, A4: the agreement never changes, nor the file or participant agreed
        to; the hash check tells a changed stored file."""
        self.send_code()
        with self.assertRaisesRegex(UserError, "new document"):
            self.document.with_user(self.user_instant).write(
                {"file": base64.b64encode(b"another file")}
            )
        with self.assertRaisesRegex(UserError, "new document"):
            self.document.write({"participant_id": self.participant_2.id})
        self.type_code("482913")
        agreement = self.document.agreement_id
        with self.assertRaises(UserError):
            agreement.sudo().write({"number": "+33600000000"})
        with self.assertRaises(UserError):
            agreement.sudo().unlink()
        with self.assertRaises(AccessError):
            agreement.with_user(self.user_instant).write({"number": "+33600000000"})
        # the stored file changed behind Odoo's back: the check says so
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "participant.document"),
                    ("res_id", "=", self.document.id),
                    ("res_field", "=", "file"),
                ]
            )
        )
        attachment.write({"datas": base64.b64encode(b"tampered")})
        self.document.invalidate_recordset()
        check = self.document.with_user(self.user_instant).action_check_file()
        self.assertEqual(check["params"]["type"], "danger")
        # the document goes, and its evidence with it (managers only)
        # the document and its evidence stay (deleted only with the participant)
        with self.assertRaises(AccessError):
            self.document.with_user(self.user_instant).unlink()
        with self.assertRaisesRegex(UserError, "kept as evidence"):
            self.document.with_user(self.user_manager).unlink()
        self.assertTrue(agreement.exists())
        # what only the document's buttons write
        for values in (
            {"state": "agreed"},
            {"sha256": False},
            {"agreement_id": False},
        ):
            with self.assertRaises(AccessError):
                self.document.with_user(self.user_instant).write(values)
        with self.assertRaisesRegex(UserError, "new document"):
            self.document.write(
                {"company_id": self.env["res.company"].create({"name": "Elsewhere"}).id}
            )

    def test_paper_refusal_then_sms_agreement(self):
        """The degraded mode records a refusal; the participant may agree later."""
        wizard = (
            self.env["participant.agreement.collect"]
            .with_user(self.user_instant)
            .create(
                {"document_id": self.document.id, "mode": "paper", "answer": "refused"}
            )
        )
        with self.assertRaisesRegex(UserError, "Tick"):
            wizard.action_record_paper()
        wizard.paper_confirmed = True
        wizard.action_record_paper()
        self.assertEqual(self.document.state, "refused")
        self.assertTrue(self.document.sha256)
        self.send_code()
        self.type_code("482913")
        self.assertEqual(self.document.state, "agreed")
        self.assertEqual(
            self.document.agreement_ids.sorted("id").mapped("answer"),
            ["refused", "accepted"],
        )

    def test_certificate(self):
        """The certificate states the document, its SHA-256, the number and the
        referent, never the code."""
        self.send_code()
        self.type_code("482913")
        agreement = self.document.agreement_id
        report = self.env.ref("participant_sms.action_report_participant_agreement")
        html = report._render_qweb_html(report.report_name, agreement.ids)[0].decode()
        for expected in (
            agreement.document_sha256,
            "+33612345678",
            "Sophie Referent",
            "Nadia BENALI",
            "CER 2026",
        ):
            self.assertIn(expected, html)
        self.assertNotIn("482913", html)
        self.assertIn("******", html, "the SMS as received, code masked")
        self.assertIn("UTC", html)
        action = self.document.with_user(self.user_instant).action_open_certificate()
        self.assertEqual(action["report_name"], report.report_name)
        # the PDF itself: tests/test_agreement_ui.py (wkhtmltopdf asks the server)

    def test_history_export_lists_agreements(self):
        self.send_code()
        self.type_code("482913")
        data = self.env["participant.sms.privacy"]._history_xlsx(self.participant)
        book = load_workbook(io.BytesIO(data))
        sheet = book["Agreements"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(len(rows), 2)
        self.assertIn(self.document.sha256, rows[1])
        self.assertIn("+33612345678", rows[1])
        sms_rows = list(book.worksheets[0].iter_rows(values_only=True))
        self.assertTrue(any("******" in (row[3] or "") for row in sms_rows[1:]))

    def test_retention_anonymises_the_code_sms_keeps_the_agreement(self):
        self.send_code()
        self.type_code("482913")
        sms = self.document.agreement_id.sms_id
        sms.sudo()._set_state("delivered")
        self.company.psms_retention_months = 1
        with freeze_time(fields.Datetime.now() + timedelta(days=70)):
            self.env["participant.sms"]._cron_anonymize()
        self.assertNotIn("CER", sms.body)
        agreement = self.document.agreement_id
        self.assertEqual(agreement.number, "+33612345678")
        self.assertTrue(agreement.document_sha256)

    def test_code_back_in_queue_is_never_sent_later(self):
        """A5: a code SMS the provider asked to retry is cancelled, not resent by the
        cron with its masked text."""
        with FakeOvh() as server:
            self.company.psms_account_id = create_ovh_account(self.env, server)
            server.mode = "reject"
            self.send_code()
        sms = self.document.attempt_ids.sms_id
        self.assertNotEqual(sms.state, "queued")
        self.Dispatcher._cron_dispatch()
        self.assertNotIn(sms.state, ("queued", "processing", "sent"))


@tagged("post_install", "-at_install")
class TestAgreementProperty(AgreementCommon):
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        st.lists(
            st.one_of(
                st.tuples(st.just("send"), st.integers(0, 999999)),
                st.tuples(st.just("type"), st.sampled_from(["right", "wrong", "old"])),
                st.tuples(st.just("wait"), st.sampled_from([1, 9, 11, 61])),
            ),
            max_size=12,
        )
    )
    def test_any_sequence(self, actions):
        """Whatever the referent does, an agreement exists iff the current code was
        typed right while open (under 10 minutes, fewer than 3 wrong codes before, no
        newer code), at most 3 codes leave per hour, and no code is ever stored."""
        # the previous example was rolled back under the caches
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            document = self.make_document()
            clock = fields.Datetime.now()
            codes, sent_at = [], []
            expected_agreed = False
            for action, value in actions:
                with freeze_time(clock):
                    if action == "wait":
                        clock += timedelta(minutes=value)
                        continue
                    if action == "send":
                        recent = [t for t in sent_at if t > clock - timedelta(hours=1)]
                        try:
                            self.send_code(document=document, code=value)
                        except UserError:
                            self.assertTrue(expected_agreed or len(recent) >= 3)
                            continue
                        self.assertFalse(expected_agreed)
                        self.assertLess(len(recent), 3)
                        codes.append(f"{value:06d}")
                        sent_at.append(clock)
                        continue
                    attempt = document.attempt_ids.filtered(lambda a: a.state == "open")
                    if value == "right" and codes:
                        typed = codes[-1]
                    elif value == "old" and len(codes) > 1:
                        typed = codes[-2]
                    else:  # any other code
                        typed = f"{(int(codes[-1]) + 1) % 10**6:06d}" if codes else "0"
                    could = bool(
                        attempt
                        and not expected_agreed
                        and typed == codes[-1]
                        and clock <= attempt.expires_at
                        and attempt.wrong_codes < 3
                    )
                    try:
                        self.type_code(typed, document=document)
                    except UserError:
                        self.assertTrue(expected_agreed or not attempt)
                        continue
                    if could:
                        expected_agreed = True
                    self.assertEqual(bool(document.agreement_ids), expected_agreed)
            self.assertEqual(document.state == "agreed", expected_agreed)
            self.assertLessEqual(len(document.agreement_ids), 1)
            for code in codes:
                self.assert_code_nowhere(code)
            savepoint.close(rollback=True)
