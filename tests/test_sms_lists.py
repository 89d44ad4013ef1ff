# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
from datetime import timedelta

from openpyxl import load_workbook

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSmsLists(HttpCase):

    def setUp(self):
        super().setUp()
        self.env.company.write({"psms_window_start": 0.0, "psms_window_end": 24.0,
                                "psms_max_segments": 2})
        self.env["participant.sms.package"].create({"name": "Credit", "quantity": 50})
        self.participant = self.env["res.partner"].create({
            "name": "Export PARTICIPANT", "is_participant": True, "mobile": "+33 6 12 34 56 78",
            "participant_file_number": "EXP-1"})
        now = fields.Datetime.now()
        Sms = self.env["participant.sms"]
        self.sent = Sms._queue([{"origin": "instant", "partner_id": self.participant.id,
                                 "body": "Envoyé €", "planned_at": now - timedelta(hours=1)}])
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.upcoming = Sms._queue([{"origin": "scheduled", "partner_id": self.participant.id,
                                     "body": "À venir", "planned_at": now + timedelta(days=1)}])
        self.free = Sms._queue([{"origin": "free", "context_type": "free",
                                 "number": "07 81 23 45 67", "body": "Libre",
                                 "planned_at": now + timedelta(days=1)}])

    def test_lists_domains(self):
        sent = self.env["ir.actions.act_window"]._for_xml_id("participant_sms.action_participant_sms_sent")
        upcoming = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_upcoming")
        Sms = self.env["participant.sms"]
        from ast import literal_eval
        self.assertIn(self.sent, Sms.search(literal_eval(sent["domain"])))
        self.assertNotIn(self.upcoming, Sms.search(literal_eval(sent["domain"])))
        self.assertIn(self.upcoming, Sms.search(literal_eval(upcoming["domain"])))

    def test_record_rules(self):
        user = self.env["res.users"].create({
            "name": "Collab", "login": "psms_collab",
            "groups_id": [(6, 0, [self.env.ref("participant_sms.group_participant_user").id])]})
        visible = self.env["participant.sms"].with_user(user).search([])
        self.assertIn(self.sent, visible)
        self.assertNotIn(self.free, visible, "free sends of others are for administrators")

    def test_excel_export(self):
        self.authenticate("admin", "admin")
        ids = ",".join(str(i) for i in (self.sent | self.upcoming | self.free).ids)
        response = self.url_open(f"/participant_sms/export_xlsx?ids={ids}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("Planned send", "Actual send", "Recipient", "Phone"))
        self.assertEqual(len(rows), 4)
        first = rows[1]
        self.assertEqual(first[2], "Export PARTICIPANT")
        self.assertEqual(first[3], "+33 6 12 34 56 78")
        self.assertEqual(first[9], "Envoyé €")
        self.assertEqual(first[11], "Processing")
        self.assertTrue(hasattr(first[0], "year"), "dates are Excel dates")
        self.assertEqual(rows[3][2], None, "free send: no recipient")

    def test_excel_export_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["participant_sms"], ["fr_FR"],
                                                        overwrite=True)
        self.env.ref("base.user_admin").lang = "fr_FR"
        self.authenticate("admin", "admin")
        response = self.url_open(f"/participant_sms/export_xlsx?ids={self.sent.id}")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Envoi prévu", "Envoi réel", "Destinataire"))
        self.assertEqual(rows[1][11], "En cours")

    def test_export_button_action(self):
        action = self.env["participant.sms"].with_context(psms_list="upcoming").action_export_xlsx()
        self.assertIn(str(self.upcoming.id), action["url"])
        self.assertNotIn(f"ids={self.sent.id},", action["url"] + ",")

    def test_export_respects_access(self):
        user = self.env["res.users"].create({
            "name": "Collab", "login": "psms_collab2", "password": "psms_collab2",
            "groups_id": [(6, 0, [self.env.ref("participant_sms.group_participant_user").id])]})
        self.authenticate(user.login, "psms_collab2")
        response = self.url_open(f"/participant_sms/export_xlsx?ids={self.free.id},{self.sent.id}")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(len(rows), 2, "only the SMS the user may see")

    def test_open_context_and_dashboard(self):
        action = self.sent.action_open_context()
        self.assertEqual(action["res_model"], "participant.sms")  # no context record
        dashboard = self.env["participant.sms.dashboard"].browse(
            self.env["participant.sms.dashboard"]._open()["res_id"])
        self.assertEqual(dashboard.upcoming_count, 2)
        self.assertEqual(dashboard.sent_this_month, 1)
        self.assertEqual(dashboard.credit_remaining, self.env["participant.sms.package"]._remaining_credit(self.env.company))
