# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
from datetime import timedelta

from openpyxl import load_workbook

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common_sms import SmsCommon


@tagged("post_install", "-at_install")
class TestSmsLists(HttpCase):
    def setUp(self):
        super().setUp()
        self.env.company.write(
            {"psms_window_start": 0.0, "psms_window_end": 24.0, "psms_max_segments": 2}
        )
        self.env["participant.sms.package"].create({"name": "Credit", "quantity": 50})
        self.participant = self.env["res.partner"].create(
            {
                "name": "Export PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 12 34 56 78",
                "participant_file_number": "EXP-1",
            }
        )
        now = fields.Datetime.now()
        Sms = self.env["participant.sms"]
        self.sent = Sms._queue(
            [
                {
                    "origin": "instant",
                    "partner_id": self.participant.id,
                    "body": "Envoyé €",
                    "planned_at": now - timedelta(hours=1),
                }
            ]
        )
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.upcoming = Sms._queue(
            [
                {
                    "origin": "scheduled",
                    "partner_id": self.participant.id,
                    "body": "À venir",
                    "planned_at": now + timedelta(days=1),
                }
            ]
        )
        self.free = Sms._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "number": "07 81 23 45 67",
                    "body": "Libre",
                    "planned_at": now + timedelta(days=1),
                }
            ]
        )

    def test_lists_domains(self):
        sent = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_sent"
        )
        upcoming = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_sms_upcoming"
        )
        Sms = self.env["participant.sms"]
        from ast import literal_eval

        self.assertIn(self.sent, Sms.search(literal_eval(sent["domain"])))
        self.assertNotIn(self.upcoming, Sms.search(literal_eval(sent["domain"])))
        self.assertIn(self.upcoming, Sms.search(literal_eval(upcoming["domain"])))

    def test_record_rules(self):
        user = self.env["res.users"].create(
            {
                "name": "Collab",
                "login": "psms_collab",
                "groups_id": [
                    (6, 0, [self.env.ref("participant_sms.group_participant_user").id])
                ],
            }
        )
        visible = self.env["participant.sms"].with_user(user).search([])
        self.assertIn(self.sent, visible)
        self.assertNotIn(
            self.free, visible, "free sends of others are for administrators"
        )

    def _export(self, records, login="admin"):
        user = self.env["res.users"].search([("login", "=", login)])
        action = records.with_user(user).action_export_xlsx()
        return self.url_open(action["url"])

    def test_excel_export(self):
        self.authenticate("admin", "admin")
        response = self._export(self.sent | self.upcoming | self.free)
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            rows[0][:4], ("Planned send", "Actual send", "Recipient", "Phone")
        )
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
        self.env["ir.module.module"]._load_module_terms(
            ["participant_sms"], ["fr_FR"], overwrite=True
        )
        self.env.ref("base.user_admin").lang = "fr_FR"
        self.authenticate("admin", "admin")
        response = self._export(self.sent)
        rows = list(
            load_workbook(io.BytesIO(response.content)).active.iter_rows(
                values_only=True
            )
        )
        self.assertEqual(rows[0][:3], ("Envoi prévu", "Envoi réel", "Destinataire"))
        self.assertEqual(rows[1][11], "En cours")

    def test_export_button_action(self):
        """No id in the address, whatever the size; the list's domain when nothing is
        selected; another user cannot download someone's export."""
        action = (
            self.env["participant.sms"]
            .with_context(psms_list="upcoming")
            .action_export_xlsx()
        )
        export_id = int(action["url"].rsplit("/", 1)[1])
        self.assertNotIn("ids=", action["url"])
        self.assertEqual(
            self.env["participant.sms.export"].browse(export_id)._records(),
            self.env["participant.sms"].search([("state", "=", "queued")]),
        )
        many = self.env["participant.sms"].browse(range(1, 50001))
        self.assertLess(len(many.action_export_xlsx()["url"]), 60)
        self.authenticate("admin", "admin")
        self.assertEqual(
            self.url_open(action["url"]).status_code, 404, "not the creator"
        )

    def test_export_respects_access(self):
        user = self.env["res.users"].create(
            {
                "name": "Collab",
                "login": "psms_collab2",
                "password": "psms_collab2",
                "groups_id": [
                    (6, 0, [self.env.ref("participant_sms.group_participant_user").id])
                ],
            }
        )
        self.authenticate(user.login, "psms_collab2")
        response = self._export(self.free | self.sent, login=user.login)
        rows = list(
            load_workbook(io.BytesIO(response.content)).active.iter_rows(
                values_only=True
            )
        )
        self.assertEqual(len(rows), 2, "only the SMS the user may see")

    def test_open_context_and_dashboard(self):
        action = self.sent.action_open_context()
        self.assertEqual(action["res_model"], "participant.sms")  # no context record
        dashboard = self.env["participant.sms.dashboard"].browse(
            self.env["participant.sms.dashboard"]._open()["res_id"]
        )
        self.assertEqual(dashboard.upcoming_count, 2)
        self.assertEqual(dashboard.sent_this_month, 1)
        self.assertEqual(
            dashboard.credit_remaining,
            self.env["participant.sms.package"]._remaining_credit(self.env.company),
        )


@tagged("post_install", "-at_install")
class TestSmsDashboardCharts(SmsCommon):
    def test_figures_and_the_sms_behind_each(self):
        ok = self.queue_numbers(["+33612345610", "+33612345611"])
        failed = self.queue_numbers(["+33612345600"])
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_poll_statuses()
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(set(ok.mapped("state")), {"delivered"})
        self.assertEqual(failed.state, "failed")
        dashboard = (
            self.env["participant.sms.dashboard"]
            .with_user(self.user_admin_sms)
            .create({"period": "month"})
        )
        charts = dashboard.charts
        self.assertEqual(len(charts["months"]), 1)
        by_state = {serie["state"]: serie for serie in charts["by_state"]}
        self.assertEqual(by_state["delivered"]["counts"], [2])
        self.assertEqual(self.Sms.search(by_state["delivered"]["domains"][0]), ok)
        self.assertEqual(charts["delivery_rate"], [round(100 * 2 / 3, 1)])
        (failure,) = charts["failures"]
        self.assertEqual(
            (failure["count"], self.Sms.search(failure["domain"])), (1, failed)
        )
        self.assertEqual(sum(item["count"] for item in charts["contexts"]), 3)
        dashboard.period = "12months"
        self.assertEqual(len(dashboard.charts["months"]), 12)
