# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exports hold data, never formulas (OWASP "CSV injection"): whatever a participant
answered or a user typed, every text cell of the SMS history and of the SMS list exports
is written as text (openpyxl ``data_type`` "s"), with the exact characters stored, and
one that a spreadsheet could take for a formula (``= + - @``, tab, carriage return,
``#N/A``) has the quote prefix style. Downloaded through the real HTTP routes, read back
with openpyxl."""

import io

from openpyxl import load_workbook

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..tools.excel import looks_like_formula

HOSTILE = [
    '=HYPERLINK("http://x","Cliquez ici")',
    "+33 6 12 34 56 78 rappel",
    "-1",
    "@SUM(A1)",
    "\tX",
    "\rX",
    "#N/A",
]


@tagged("post_install", "-at_install")
class TestSmsExportCells(HttpCase):
    def setUp(self):
        super().setUp()
        self.env.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_enforce_packages": False,
                "psms_max_segments": 3,
            }
        )
        self.person = self.env["res.partner"].create(
            {
                "name": '=cmd|" /C calc"!A0',
                "is_participant": True,
                "mobile": "+33 6 12 34 56 78",
            }
        )
        Sms = self.env["participant.sms"]
        self.sms = Sms._queue(
            [
                {
                    "origin": "instant",
                    "partner_id": self.person.id,
                    "body": body,
                    "planned_at": fields.Datetime.now(),
                }
                for body in HOSTILE
            ]
        )
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        simulator = self.env.ref("participant_sms.sms_account_simulator")
        self.replies = self.env["participant.sms.reply"].create(
            [
                {
                    "account_id": simulator.id,
                    "inbound_id": f"cells-{index}",
                    "number": "+33612345678",
                    "text": text,
                    "sms_id": sms.id,
                    "partner_id": self.person.id,
                }
                for index, (sms, text) in enumerate(
                    zip(self.sms, HOSTILE, strict=False)
                )
            ]
        )
        self.manager = new_test_user(
            self.env,
            login="psms_cells_mgr",
            password="psms_cells_mgr",
            groups="base.group_user,participant_sms.group_participant_manager,"
            "participant_sms.group_sms_admin",
        )

    def _cells(self, content):
        """Every cell of every sheet, as openpyxl reads it back."""
        book = load_workbook(io.BytesIO(content))
        return {sheet.title: [list(row) for row in sheet.iter_rows()] for sheet in book}

    def assertOnlyData(self, sheets):
        checked = 0
        for title, rows in sheets.items():
            for row in rows:
                for cell in row:
                    self.assertNotIn(
                        cell.data_type, ("f", "e"), (title, cell.coordinate, cell.value)
                    )
                    if isinstance(cell.value, str):
                        self.assertEqual(cell.data_type, "s")
                        self.assertEqual(
                            bool(cell.quotePrefix),
                            looks_like_formula(cell.value),
                            (title, cell.coordinate, cell.value),
                        )
                        checked += looks_like_formula(cell.value)
        self.assertGreater(checked, len(HOSTILE), "the hostile texts were exported")

    def test_the_history_holds_the_texts_as_text(self):
        self.authenticate("psms_cells_mgr", "psms_cells_mgr")
        action = self.person.with_user(self.manager).action_export_sms_history()
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        sheets = self._cells(response.content)
        self.assertOnlyData(sheets)
        sms_rows, reply_rows, agreement_rows = (rows[1:] for rows in sheets.values())
        self.assertFalse(agreement_rows, "no agreement: the sheet has its header only")
        self.assertEqual([row[3].value for row in sms_rows], self.sms.mapped("body"))
        self.assertIn(
            "\rX", self.sms.mapped("body"), "a carriage return is kept in an SMS"
        )
        self.assertEqual(
            [row[2].value for row in reply_rows], HOSTILE, "replies kept exactly"
        )
        self.assertEqual(
            {row[3].value for row in reply_rows}, set(self.sms.mapped("body"))
        )

    def test_the_sent_list_export_holds_the_texts_as_text(self):
        self.authenticate("psms_cells_mgr", "psms_cells_mgr")
        action = (
            self.env["participant.sms"]
            .with_user(self.manager)
            .with_context(
                psms_list="sent",
                active_domain=[("partner_id", "=", self.person.id)],
            )
            .action_export_xlsx()
        )
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        sheets = self._cells(response.content)
        self.assertOnlyData(sheets)
        (rows,) = sheets.values()
        self.assertEqual(len(rows), 1 + len(HOSTILE))
        self.assertEqual(
            sorted(row[9].value for row in rows[1:]), sorted(self.sms.mapped("body"))
        )
        self.assertEqual({row[2].value for row in rows[1:]}, {self.person.name})
        self.assertTrue(
            all(hasattr(row[0].value, "year") for row in rows[1:]),
            "dates stay Excel dates",
        )
