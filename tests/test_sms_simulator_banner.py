# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""While the company sends through the simulator, every place that shows SMS says that
no real SMS is sent, and simulated statuses are marked."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common_sms import create_ovh_account


@tagged("post_install", "-at_install")
class TestSimulatorBanner(HttpCase):
    def test_banner_and_marks_follow_the_account_in_use(self):
        company = self.env.company
        company.write(
            {
                "psms_account_id": False,
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
            }
        )
        self.authenticate("admin", "admin")
        info = self.make_jsonrpc_request("/web/session/get_session_info", {})
        self.assertTrue(info["psms_simulated"], "the SMS lists show their banner")
        self.assertTrue(company.psms_simulated)
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.psms_simulated)
        dashboard = self.env["participant.sms.dashboard"].create({})
        self.assertTrue(dashboard.simulated)
        participant = self.env["res.partner"].create(
            {
                "name": "Banner PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 10 20 30 40",
            }
        )
        start = fields.Datetime.now() + timedelta(days=3)
        event = self.env["calendar.event"].create(
            {
                "name": "RDV",
                "participant_id": participant.id,
                "start": start,
                "stop": start + timedelta(hours=1),
            }
        )
        self.assertTrue(event.sms_simulated)
        sms = self.env["participant.sms"]._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "number": "+33610203040",
                    "body": "Information",
                }
            ]
        )
        self.assertTrue(sms.simulated)
        # a real provider: no banner, and its SMS are not marked
        company.psms_account_id = create_ovh_account(
            self.env,
            type(
                "S",
                (),
                {
                    "settings": lambda self: {
                        "endpoint": "http://127.0.0.1:9/1.0",
                        "application_key": "a",
                        "application_secret": "b",
                        "consumer_key": "c",
                        "service_name": "s",
                    }
                },
            )(),
        )
        company.invalidate_recordset(["psms_simulated"])
        self.assertFalse(
            self.make_jsonrpc_request("/web/session/get_session_info", {})[
                "psms_simulated"
            ]
        )
        self.assertFalse(event.with_context(recompute=True).sms_simulated)
        self.assertTrue(sms.simulated, "an SMS sent by the simulator stays simulated")
