# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import io
import re
from datetime import timedelta

from openpyxl import Workbook

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..tools.merge import render
from .common_sms import SmsCommon, create_sms_user
from .fakes.fake_files import bomb_xlsx


@tagged("post_install", "-at_install")
class TestSmsBatch(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_batch = create_sms_user(cls.env, "psms_batch", "group_sms_send_batch")
        cls.company.psms_max_segments = 2
        Partner = cls.env["res.partner"]
        cls.ok = Partner.create(
            [
                {
                    "name": f"Ok PARTICIPANT{i}",
                    "is_participant": True,
                    "mobile": f"+33 6 12 34 56 {10 + i}",
                }
                for i in range(3)
            ]
        )
        cls.no_mobile = Partner.create({"name": "No MOBILE", "is_participant": True})
        cls.refuses = Partner.create(
            {
                "name": "Refuses SMS",
                "is_participant": True,
                "mobile": "+33 6 55 44 33 22",
                "accepts_sms": False,
            }
        )
        cls.stopped = Partner.create(
            {
                "name": "Stopped NUMBER",
                "is_participant": True,
                "mobile": "+33 6 55 44 33 21",
            }
        )
        cls.env["phone.blacklist"].sudo()._add(["+33655443321"])
        cls.plist = cls.env["participant.list"].create(
            {
                "name": "Job fair",
                "partner_ids": [(6, 0, (cls.ok[:2] | cls.no_mobile).ids)],
            }
        )
        cls.template = cls.env.ref("participant_sms.sms_template_batch")
        cls.start = (fields.Datetime.now() + timedelta(days=7)).replace(
            hour=13, minute=0, second=0, microsecond=0
        )

    def _wizard(self, user=None, **values):
        return self.batch_wizard(
            user or self.user_batch,
            self.ok[2] | self.refuses | self.stopped,
            **{
                "list_id": self.plist.id,
                "start": self.start,
                "template_id": self.template.id,
                "body": self.template.body,
                **values,
            },
        )

    def test_permission_checked_on_the_server(self):
        with self.assertRaises(AccessError):
            self._wizard(user=self.user_participant)
        wizard = self._wizard()
        with self.assertRaises(AccessError):
            wizard.with_user(self.user_instant).action_preview()

    def test_preview_errors_and_untick(self):
        wizard = self._wizard()
        wizard.action_preview()
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertEqual(len(lines), 6)
        self.assertEqual(lines[self.no_mobile].error, "No mobile number")
        self.assertEqual(lines[self.refuses].error, "Refuses SMS")
        self.assertEqual(lines[self.stopped].error, "STOP")
        for partner in self.ok:
            self.assertFalse(lines[partner].error)
            self.assertTrue(lines[partner].selected)
            self.assertIn("Salle des fêtes", lines[partner].body)
            self.assertIn(partner.name.split()[0], lines[partner].body)
        self.assertFalse(lines[self.no_mobile].selected)
        with self.assertRaises(UserError):
            lines[self.no_mobile].selected = True
        lines[self.ok[0]].selected = False
        self.assertEqual(wizard.recipient_count, 2)
        # "fêtes": the ê forces Unicode, the text needs 2 SMS each
        self.assertEqual(lines[self.ok[1]].encoding, "UCS-2")
        self.assertEqual(wizard.sms_count, 4)

    def _engine_refusal(self, text):
        """The engine's message for ``text`` (``participant.sms._prepare_text``)."""
        with self.assertRaises(ValidationError) as caught:
            self.Sms._prepare_text(text, self.company)
        return caught.exception.args[0]

    def test_over_long_text_is_a_line_error(self):
        """A text over the maximum is a line error worded by the engine's rule (the
        one every SMS passes), its measure still shown."""
        wizard = self._wizard(
            template_id=False, body="Bonjour {{first_name}} " + "x" * 320
        )
        wizard.action_preview()
        for line in wizard.line_ids.filtered(lambda line: line.partner_id in self.ok):
            self.assertEqual(line.error, self._engine_refusal(line.body))
            self.assertIn("at most 2 SMS per message are allowed", line.error)
            self.assertEqual(line.segments, 3)
            self.assertFalse(line.selected)

    def test_blank_line_is_a_line_error(self):
        """A text that renders blank for a participant (only an empty merge value) is
        that line's error, in the engine's words; the other lines can go."""
        self.ok[0].title = self.env.ref("base.res_partner_title_madam")
        wizard = self._wizard(template_id=False, body="{{civility}}\u200b")
        wizard.action_preview()
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertFalse(lines[self.ok[0]].error)
        for partner in self.ok[1:]:
            self.assertEqual(
                lines[partner].error, self._engine_refusal(lines[partner].body)
            )
            self.assertIn("invisible", lines[partner].error)
        self.assertEqual(wizard.recipient_count, 1)

    def test_merge_values_are_the_template_models(self):
        """A line's text is its body rendered with the template model's values for
        the participant and the date (``_common_values``) and the appointment's own
        (location, collaborator, type, theme), as the engine sends it."""
        body = (
            "{{civility}} {{first_name}} {{last_name}}, {{weekday}} {{date}} "
            "{{time}}, {{company_name}} {{company_phone}}: {{appointment_type}} "
            "({{theme}}) {{location}} {{collaborator}}"
        )
        wizard = self._wizard(template_id=False, body=body)
        wizard.action_preview()
        Template = self.env["participant.sms.template"]
        for line in wizard.line_ids.filtered(lambda line: line.partner_id in self.ok):
            values = dict(
                Template._common_values(line.partner_id, self.start, "en_US"),
                location="Salle des fêtes",
                collaborator=self.user_participant.name,
                appointment_type="Collective information session",
                theme="Employment",
            )
            self.assertEqual(
                line.body, self.Sms._convert_text(render(body, values), self.company)
            )

    def test_unknown_merge_field_refused(self):
        wizard = self._wizard(template_id=False, body="Bonjour {{prenom}}")
        with self.assertRaisesRegex(UserError, "prenom"):
            wizard.action_preview()

    def test_credit_check(self):
        self.package.write({"quantity": 4})  # 3 recipients x 2 SMS needed
        wizard = self._wizard()
        wizard.action_preview()
        self.assertFalse(wizard.credit_ok)
        message = (
            "6 SMS credits are needed but only 4 remain: buy a package or untick "
            "recipients."
        )
        self.assertEqual(wizard.credit_note, message)  # the preview's alert
        with self.assertRaisesRegex(UserError, f"^{re.escape(message)}$"):
            wizard.action_validate()
        self.assertFalse(
            self.env["calendar.event"].search(
                [("participant_id", "in", self.ok.ids), ("start", "=", self.start)]
            )
        )
        wizard.line_ids.filtered(
            lambda line: line.partner_id == self.ok[0]
        ).selected = False
        self.assertTrue(wizard.credit_ok)
        self.assertFalse(wizard.credit_note)
        wizard.action_validate()

    def test_validate_creates_appointments_and_sms(self):
        wizard = self._wizard(
            send_mode="scheduled", planned_at=self.start - timedelta(days=2)
        )
        wizard.action_preview()
        result = wizard.action_validate()
        self.assertEqual(
            result["params"]["message"], "3 SMS scheduled and 3 appointments created."
        )
        events = self.env["calendar.event"].search(
            [("participant_id", "in", self.ok.ids), ("start", "=", self.start)]
        )
        self.assertEqual(len(events), 3)
        for event in events:
            self.assertEqual(event.participant_collaborator_id, self.user_participant)
            self.assertEqual(
                event.participant_appointment_type_id.name,
                "Collective information session",
            )
            self.assertEqual(event.participant_theme_id.name, "Employment")
            self.assertEqual(event.participant_outcome_id.name, "Planned")
            self.assertEqual(event.location, "Salle des fêtes")
            self.assertEqual(event.stop - event.start, timedelta(hours=1))
        messages = self.Sms.search(
            [("res_model", "=", "calendar.event"), ("res_id", "in", events.ids)]
        )
        self.assertEqual(len(messages), 3)
        self.assertEqual(len(set(messages.mapped("batch_ref"))), 1)
        self.assertTrue(messages[0].batch_ref.startswith("LOT/"))
        self.assertEqual(set(messages.mapped("origin")), {"batch"})
        self.assertEqual(set(messages.mapped("context_type")), {"batch"})
        self.assertEqual(set(messages.mapped("author_id")), {self.user_batch})
        window = self.company._psms_window()
        for sms in messages:
            self.assertTrue(window.contains(sms.planned_at))
            self.assertEqual(sms.planned_at, self.start - timedelta(days=2))
        # batch lists: filter "Batch"
        self.assertEqual(
            self.Sms.search_count([("batch_ref", "=", messages[0].batch_ref)]), 3
        )

    def test_one_participant_is_said_in_the_singular(self):
        wizard = self._wizard(
            list_id=False,
            partner_ids=[(6, 0, self.ok[0].ids)],
            send_mode="scheduled",
            planned_at=self.start - timedelta(days=2),
        )
        wizard.action_preview()
        self.assertEqual(
            wizard.action_validate()["params"]["message"],
            "1 SMS scheduled and 1 appointment created.",
        )

    def test_from_participant_selection_and_saved_list(self):
        wizard = (
            self.env["participant.sms.batch"]
            .with_user(self.user_batch)
            .with_context(
                active_model="res.partner",
                active_ids=(self.ok | self.non_participant).ids,
            )
            .new({})
        )
        self.assertEqual(wizard.partner_ids._origin, self.ok)
        wizard = (
            self.env["participant.sms.batch"]
            .with_user(self.user_batch)
            .with_context(active_model="participant.list", active_id=self.plist.id)
            .new({})
        )
        self.assertEqual(wizard.list_id._origin, self.plist)


def xlsx_file(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return base64.b64encode(buffer.getvalue())


@tagged("post_install", "-at_install")
class TestSmsFree(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_free = create_sms_user(cls.env, "psms_free", "group_sms_send_free")

    def _wizard(
        self,
        file,
        filename="liste.xlsx",
        body="Comité de sélection lundi 9h, mairie.",
        user=None,
    ):
        return (
            self.env["participant.sms.free"]
            .with_user(user or self.user_free)
            .create({"file": file, "filename": filename, "body": body})
        )

    def test_permission(self):
        with self.assertRaises(AccessError):
            self._wizard(
                xlsx_file([["TELEPHONE"], ["0612345678"]]), user=self.user_participant
            )

    def test_valid_xlsx_with_duplicates_and_invalid_rows(self):
        self.env["phone.blacklist"].sudo()._add(["+33699999999"])
        wizard = self._wizard(
            xlsx_file(
                [
                    ["NOM", "TELEPHONE"],
                    ["A", "06 12 34 56 78"],
                    ["B", "+33612345678"],
                    ["C", "hello"],
                    ["D", "01 44 55 66 77"],
                    ["E", 781234567],
                    ["F", "06 99 99 99 99"],
                ]
            )
        )
        wizard.action_preview()
        errors = {line.raw: line.error for line in wizard.line_ids}
        self.assertFalse(errors["06 12 34 56 78"])
        self.assertEqual(errors["+33612345678"], "Duplicate")
        self.assertEqual(errors["hello"], "Invalid mobile number")
        self.assertEqual(errors["01 44 55 66 77"], "Invalid mobile number")
        self.assertFalse(errors["0781234567"])
        self.assertEqual(errors["06 99 99 99 99"], "STOP")
        self.assertEqual(wizard.recipient_count, 2)
        wizard.action_validate()
        messages = self.Sms.search([("origin", "=", "free")])
        self.assertEqual(
            sorted(messages.mapped("number")), ["+33612345678", "+33781234567"]
        )
        self.assertFalse(messages.partner_id)
        self.assertEqual(len(set(messages.mapped("batch_ref"))), 1)
        self.assertEqual(messages[0].context_type, "free")

    def test_csv(self):
        data = base64.b64encode("Nom;Téléphone\nA;06 12 34 56 78\n".encode())
        wizard = self._wizard(data, filename="liste.csv")
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.number, "+33612345678")

    def test_refused_files_change_nothing(self):
        count = self.Sms.search_count([])
        cases = [
            (
                xlsx_file([["NOM", "MOBILE"], ["A", "0612345678"]]),
                "a.xlsx",
                "TELEPHONE",
            ),
            (base64.b64encode(b"not an excel file"), "a.xlsx", "cannot be read"),
            (base64.b64encode(b"%PDF-1.4"), "a.pdf", "Only .xlsx and .csv"),
            (base64.b64encode(b"TELEPHONE\n"), "a.csv", "no phone number"),
            (
                base64.b64encode(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
                "a.xlsx",
                "password-protected",
            ),
            (
                base64.b64encode(("TELEPHONE\n" + "0612345678\n" * 20001).encode()),
                "a.csv",
                "20,000",
            ),
            (
                base64.b64encode(bomb_xlsx(300 * 1024 * 1024)),
                "bomb.xlsx",
                "far too large",
            ),
            (base64.b64encode(bomb_xlsx(20000)), "long.xlsx", "far too long.*row 2"),
            (
                base64.b64encode(("TELEPHONE\n" + "6" * 300000).encode()),
                "long.csv",
                "far too long",
            ),
        ]
        for data, filename, message in cases:
            with self.subTest(filename=filename, message=message):
                wizard = self._wizard(data, filename=filename)
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_preview()
        self.assertEqual(self.Sms.search_count([]), count)

    def test_formula_and_oversize(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["TELEPHONE"])
        sheet.append(["0612345678"])
        sheet["A3"] = "=A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        wizard = self._wizard(base64.b64encode(buffer.getvalue()))
        with self.assertRaisesRegex(UserError, "Row 3 holds a formula"):
            wizard.action_preview()
        wizard = self._wizard(
            base64.b64encode(b"x" * (10 * 1024 * 1024 + 10)), filename="a.csv"
        )
        with self.assertRaisesRegex(UserError, "10 MB"):
            wizard.action_preview()

    def test_merge_fields_refused(self):
        wizard = self._wizard(
            xlsx_file([["TELEPHONE"], ["0612345678"]]), body="Bonjour {{first_name}}"
        )
        with self.assertRaisesRegex(UserError, "merge fields"):
            wizard.action_preview()

    def test_planned_send_in_window(self):
        self.company.write({"psms_window_start": 8.0, "psms_window_end": 18.0})
        wizard = self._wizard(xlsx_file([["TELEPHONE"], ["0612345678"]]))
        wizard.write(
            {
                "send_mode": "scheduled",
                "planned_at": (fields.Datetime.now() + timedelta(days=3)).replace(
                    hour=3, minute=0, second=0, microsecond=0
                ),
            }
        )
        wizard.action_preview()
        wizard.action_validate()
        sms = self.Sms.search([("origin", "=", "free")])
        self.assertTrue(self.company._psms_window().contains(sms.planned_at))
