# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common_sms import CallbackTokens


@tagged("post_install", "-at_install")
class TestDeliveryReportController(CallbackTokens, HttpCase):
    def setUp(self):
        super().setUp()
        self.env.company.write({"psms_window_start": 0.0, "psms_window_end": 24.0})
        self.env["participant.sms.package"].create({"name": "Credit", "quantity": 50})
        self.simulator = self.env.ref("participant_sms.sms_account_simulator")
        self.ovh = self.env["participant.sms.account"].create(
            {
                "name": "OVH",
                "provider": "ovh",
                "ovh_application_key": "ak",
                "ovh_application_secret": "as",
                "ovh_consumer_key": "ck",
                "ovh_service_name": "sms-test-1",
            }
        )
        self.sms = self.env["participant.sms"]._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "number": "+33612345678",
                    "body": "Bonjour",
                    "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                }
            ]
        )
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.assertEqual(self.sms.state, "processing")

    def _url(self, account, **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"/participant_sms/dlr/{self.token(account)}?{query}"

    def test_valid_report_is_applied_once(self):
        url = self._url(self.simulator, id=self.sms.provider_id, status="delivered")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.sms.state, "delivered")
        status_at = self.sms.status_at
        # the same report again: idempotent; a later contradicting report: final stays
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertEqual(
            self.url_open(
                self._url(self.simulator, id=self.sms.provider_id, status="failed")
            ).status_code,
            200,
        )
        self.assertEqual(self.sms.state, "delivered")
        self.assertEqual(self.sms.status_at, status_at)

    def test_post_form_and_json(self):
        response = self.url_open(
            f"/participant_sms/dlr/{self.token(self.simulator)}",
            data={"id": self.sms.provider_id, "status": "sent"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.sms.state, "sent")
        response = self.url_open(
            f"/participant_sms/dlr/{self.token(self.simulator)}",
            data=json.dumps({"id": self.sms.provider_id, "status": "not_received"}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.sms.state, "not_received")

    @mute_logger("odoo.addons.participant_sms.controllers.main")
    def test_wrong_or_missing_token(self):
        for token in ("", "x", "A" * 43, self.token(self.simulator)[:-1] + "?"):
            response = self.url_open(
                f"/participant_sms/dlr/{token}?id={self.sms.provider_id}&status=delivered"
            )
            self.assertIn(response.status_code, (403, 404), token)
        self.assertEqual(self.sms.state, "processing")

    @mute_logger("odoo.addons.participant_sms.controllers.main")
    def test_malformed_reports(self):
        for params in (
            {},
            {"id": self.sms.provider_id},
            {"status": "delivered"},
            {"id": self.sms.provider_id, "status": "teleported"},
        ):
            response = self.url_open(self._url(self.simulator, **params))
            self.assertEqual(response.status_code, 400, params)
        response = self.url_open(
            f"/participant_sms/dlr/{self.token(self.simulator)}",
            data=b"[1, 2",
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.sms.state, "processing")

    def test_unknown_message_changes_nothing(self):
        response = self.url_open(
            self._url(self.simulator, id="sim-unknown", status="failed")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.sms.state, "processing")

    @mute_logger("odoo.addons.participant_sms.controllers.main")
    def test_ovh_callback_format(self):
        self.sms.sudo().write({"account_id": self.ovh.id, "provider_id": "123456"})
        response = self.url_open(
            self._url(self.ovh, id="123456", dlr="1", ptt="0", description="Delivered")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.sms.state, "delivered")
        self.assertIn("dlr=1", self.sms.raw_status)
        # a report for the OVH account cannot move a simulator message, and vice versa
        self.assertEqual(
            self.url_open(self._url(self.ovh, id="abc", dlr="1")).status_code, 400
        )
