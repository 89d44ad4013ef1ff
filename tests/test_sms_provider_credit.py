# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The provider's own credit: read from OVH (creditsLeft) and Octopush (check-balance)
on the local servers that speak their protocols, with each status update and on demand;
a low credit warns the SMS administrators once."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_sms import SmsCommon, create_octopush_account, create_ovh_account
from .fakes.fake_providers import FakeOctopush, FakeOvh

MUTE = ("odoo.addons.participant_sms.models.participant_sms_account",)


@tagged("post_install", "-at_install")
class TestProviderCredit(SmsCommon):
    def test_ovh_credit_read_with_the_status_update_and_a_low_credit_warns_once(self):
        self.company.psms_credit_warning = 100
        with FakeOvh() as server:
            account = create_ovh_account(self.env, server)
            self.company.psms_account_id = account
            server.credits_left = 1250
            self.Dispatcher._cron_poll_statuses()
            self.assertEqual(
                (account.balance, account.balance_unit), (1250, "SMS credits")
            )
            self.assertTrue(account.balance_at)
            self.assertFalse(account.balance_low or account.activity_ids)
            self.assertEqual(self.company.psms_balance, 1250)
            server.credits_left = 40
            self.Dispatcher._cron_poll_statuses()
            self.assertTrue(account.balance_low and self.company.psms_balance_low)
            admins = account.activity_ids.mapped("user_id")
            self.assertIn(self.user_admin_sms, admins)
            self.assertIn("40", account.activity_ids[0].note)
            account.with_user(self.user_admin_sms).action_refresh_balance()
            self.assertEqual(
                len(account.activity_ids), len(admins), "warned once, not again"
            )
            with self.assertRaises(AccessError):
                account.with_user(self.user_instant).action_refresh_balance()

    @mute_logger(*MUTE)
    def test_octopush_connection_test_is_a_real_authenticated_call(self):
        with FakeOctopush() as server:
            account = create_octopush_account(self.env, server)
            result = account.with_user(self.user_admin_sms).action_test_connection()
            self.assertIn("216.027", result["params"]["message"])
            self.assertEqual(server.requests[-1][0], "GET")
            self.assertIn("/wallet/check-balance", server.requests[-1][1])
            self.assertEqual(account.balance, 216.027)
            server.mode = "auth"
            with self.assertRaisesRegex(UserError, "credentials"):
                account.with_user(self.user_admin_sms).action_test_connection()

    @mute_logger(*MUTE)
    def test_an_unreadable_credit_is_said_not_hidden(self):
        with FakeOvh() as server:
            account = create_ovh_account(self.env, server)
            server.mode = "auth"
            account._refresh_balance()
            self.assertIn("credentials", account.balance_error)
            self.assertFalse(account.balance_at)
