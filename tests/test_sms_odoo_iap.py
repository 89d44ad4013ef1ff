# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's SMS service (IAP) as a provider, against a local server that speaks its
JSON-RPC protocol (``sms.endpoint`` / ``iap.endpoint`` pointed at it, as Odoo's own
``sms`` tests point theirs at a mock): sends with the database's IAP account, per-number
answers, credit, and the delivery reports it posts back to our signed webhook, over
HTTP."""

from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .fakes.fake_providers import FakeOdooIap

MUTE = ("odoo.addons.participant_sms.controllers.main", "odoo.http")


@tagged("post_install", "-at_install")
class TestOdooIap(HttpCase):
    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_enforce_packages": False,
            }
        )
        self.token = self.env["iap.account"].sudo().get("sms").account_token
        self.server = FakeOdooIap(account_token=self.token)
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)
        self.env["ir.config_parameter"].sudo().set_param(
            "sms.endpoint", self.server.url
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "iap.endpoint", self.server.url
        )
        self.account = self.env["participant.sms.account"].create(
            {"name": "Odoo SMS", "provider": "odoo_iap"}
        )
        self.company.psms_account_id = self.account

    def _queue(self, number="+33612345678", body="Bonjour"):
        return self.env["participant.sms"]._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "number": number,
                    "body": body,
                    "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                }
            ]
        )

    def test_sends_with_the_database_iap_account_and_gets_statuses_back(self):
        sms = self._queue()
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.assertEqual(sms.state, "processing")
        self.assertEqual(len(sms.provider_id), 32)
        (sent,) = self.server.sent
        self.assertEqual(
            (sent["uuid"], sent["number"], sent["content"]),
            (sms.provider_id, "+33612345678", "Bonjour"),
        )
        self.assertIn(
            f"/participant_sms/iap/{self.account.id}/", self.server.webhook_url
        )
        self.env.flush_all()
        # Odoo's service posts the delivery report to the webhook it was given
        response = self.server.report(
            "delivered", [sms.provider_id], base_url=self.base_url()
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["result"], "OK")
        self.env.invalidate_all()  # written by the HTTP request, on the test cursor
        self.assertEqual((sms.state, sms.raw_status), ("delivered", "delivered"))

    def test_a_refused_number_fails_and_a_credit_error_waits(self):
        refused = self._queue(number="+33612345600")
        self.server.states["+33612345600"] = "wrong_number_format"
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.assertEqual(refused.state, "failed")
        self.assertIn("formatted", refused.last_error)
        self.server.mode = "credit"
        waiting = self._queue(number="+33612345611")
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.assertEqual(waiting.state, "queued")
        self.assertIn("Not enough credit", waiting.last_error)

    def test_credit_is_read_from_iap(self):
        result = self.account.action_test_connection()
        self.assertIn("42.5", result["params"]["message"])
        self.assertEqual(self.account.balance_unit, "IAP credits")

    @mute_logger(*MUTE)
    def test_forged_or_malformed_reports_change_nothing(self):
        sms = self._queue()
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.env.flush_all()
        good = f"/participant_sms/iap/{self.account.id}/{self.account._iap_signature()}"
        other = self.env["participant.sms.account"].create(
            {"name": "Other", "provider": "odoo_iap"}
        )
        for path, statuses in (
            (f"/participant_sms/iap/{self.account.id}/forged", "delivered"),
            (
                f"/participant_sms/iap/{other.id}/{self.account._iap_signature()}",
                "delivered",
            ),
            (good, "teleported"),
        ):
            response = requests.post(
                self.base_url() + path,
                timeout=10,
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "message_statuses": [
                            {"sms_status": statuses, "uuids": [sms.provider_id]}
                        ]
                    },
                },
            )
            self.assertIn("error", response.json(), path)
        self.env.invalidate_all()
        self.assertEqual(sms.state, "processing")
        self.assertNotIn(
            self.account._iap_signature(), str(self.account._iap_settings()["dbuuid"])
        )
