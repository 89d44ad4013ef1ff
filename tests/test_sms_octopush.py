# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Octopush complete, on the local server that speaks its protocol: the callback
addresses are registered there by API when they are made, a status update says that
Octopush reports by callback only, and its delivery reports and replies reach the SMS
through the callbacks."""

import json
from datetime import timedelta
from urllib.parse import urlparse

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common_sms import SmsCommon, create_octopush_account
from .fakes.fake_providers import FakeOctopush

MUTE = ("odoo.addons.participant_sms.models.participant_sms_account",)


@tagged("post_install", "-at_install")
class TestOctopush(SmsCommon):
    def _account(self, server):
        account = create_octopush_account(self.env, server)
        self.company.psms_account_id = account
        return account

    def test_new_callback_addresses_are_registered_at_octopush(self):
        with FakeOctopush() as server:
            account = self._account(server)
            action = account.with_user(
                self.user_admin_sms
            ).action_renew_callback_token()
            context = action["context"]
            self.assertEqual(
                server.callbacks,
                {
                    "callback_url_for_deliveries": context[
                        "default_delivery_report_url"
                    ],
                    "callback_url_for_inbounds": context["default_inbound_url"],
                },
            )
            method, path, headers, _body = server.requests[-1]
            self.assertEqual(
                (method, path), ("PATCH", "/v1/public/user/campaign-parameters/edit")
            )
            self.assertEqual(headers["api-key"], "secret-key")
            self.assertIn("registered", context["default_registration"])
            self.assertIn("registered", account.message_ids[0].body)

    @mute_logger(*MUTE)
    def test_a_failed_registration_is_said_and_the_addresses_still_shown(self):
        with FakeOctopush() as server:
            account = self._account(server)
            server.mode = "auth"
            action = account.with_user(
                self.user_admin_sms
            ).action_renew_callback_token()
            self.assertFalse(server.callbacks)
            self.assertIn("copy them", action["context"]["default_registration"])
            self.assertIn(
                "/participant_sms/dlr/",
                action["context"]["default_delivery_report_url"],
            )
            self.assertTrue(
                account._find_by_token(
                    action["context"]["default_inbound_url"].rsplit("/", 1)[1]
                )
            )

    def test_update_statuses_says_octopush_reports_by_callback_only(self):
        with FakeOctopush() as server:
            self._account(server)
            result = (
                self.env["participant.sms"]
                .with_user(self.user_admin_sms)
                .action_update_statuses()
            )
            self.assertIn("callback only", result["params"]["message"])
            self.assertFalse([r for r in server.requests if "sms-campaign" in r[1]])

    def test_ovh_has_no_octopush_registration_and_polls(self):
        account = self.env["participant.sms.account"].create({"name": "Sim"})
        self.company.psms_account_id = account
        action = account.with_user(self.user_admin_sms).action_renew_callback_token()
        self.assertFalse(action["context"]["default_registration"])
        result = (
            self.env["participant.sms"]
            .with_user(self.user_admin_sms)
            .action_update_statuses()
        )
        self.assertIn("being updated", result["params"]["message"])


@tagged("post_install", "-at_install")
class TestOctopushCallbacks(HttpCase):
    """What Octopush posts to the registered addresses reaches the SMS, over HTTP."""

    def test_registered_addresses_receive_octopush_reports_and_replies(self):
        company = self.env.company
        company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_enforce_packages": False,
            }
        )
        with FakeOctopush() as server:
            account = create_octopush_account(self.env, server)
            company.psms_account_id = account
            account.action_renew_callback_token()
            sms = self.env["participant.sms"]._queue(
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
            self.assertEqual(sms.state, "processing")
            ticket = sms.provider_id.split(":")[
                0
            ]  # Octopush's sms_ticket of the campaign
            dlr = urlparse(server.callbacks["callback_url_for_deliveries"]).path
            inbound = urlparse(server.callbacks["callback_url_for_inbounds"]).path
        self.env.flush_all()
        # what Octopush posts (JSON), to the addresses it was given
        response = self.url_open(
            dlr,
            data=json.dumps(
                {
                    "message_id": "sms_0001",
                    "number": "33612345678",
                    "status": "DELIVERED",
                    "delivery_date": "2026-11-25 10:00:00",
                    "sms_ticket": ticket,
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual((sms.state, sms.raw_status), ("delivered", "DELIVERED"))
        response = self.url_open(
            inbound,
            data=json.dumps(
                {
                    "message_id": "in_0001",
                    "number": "33612345678",
                    "text": "Merci",
                    "sms_ticket": ticket,
                    "answer_date": "2026-11-25 10:05:00",
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        self.env["participant.sms.reply"]._cron_process_replies()
        reply = self.env["participant.sms.reply"].search(
            [("inbound_id", "=", "in_0001")]
        )
        self.assertEqual((reply.text, reply.sms_id), ("Merci", sms))
