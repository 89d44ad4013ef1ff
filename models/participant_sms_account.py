# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.providers import ProviderError, check_token, get_provider
from ..tools.providers.http import error_from_response

_logger = logging.getLogger(__name__)


class ParticipantSmsAccount(models.Model):
    """An account at an SMS provider (or the built-in simulator)."""

    _name = "participant.sms.account"
    _description = "SMS provider account"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    provider = fields.Selection(
        [("simulator", "Simulator (no real SMS)"), ("ovh", "OVHcloud SMS"),
         ("octopush", "Octopush")], required=True, default="simulator")
    timeout = fields.Integer(string="Timeout (seconds)", default=10)
    endpoint = fields.Char(
        string="API address", help="Leave empty to use the provider's public API address.")
    ovh_application_key = fields.Char(string="Application key", groups="base.group_system")
    ovh_application_secret = fields.Char(string="Application secret", groups="base.group_system")
    ovh_consumer_key = fields.Char(string="Consumer key", groups="base.group_system")
    ovh_service_name = fields.Char(string="SMS service name", help="e.g. sms-ab12345-1")
    octopush_api_login = fields.Char(string="API login", groups="base.group_system")
    octopush_api_key = fields.Char(string="API key", groups="base.group_system")
    callback_token = fields.Char(
        string="Callback token", copy=False, readonly=True, groups="base.group_system",
        default=lambda self: secrets.token_urlsafe(32),
        help="Unguessable secret in the callback address given to the provider: the provider "
             "does not sign its callbacks, so only calls that know it are accepted.")
    delivery_report_url = fields.Char(
        compute="_compute_delivery_report_url", string="Delivery report address",
        groups="base.group_system",
        help="Address to give to the provider for its delivery reports.")

    inbound_url = fields.Char(
        compute="_compute_delivery_report_url", string="Reply address",
        groups="base.group_system",
        help="Address to give to the provider for the replies of the participants.")

    _sql_constraints = [
        ("callback_token_uniq", "unique(callback_token)", "The callback token must be unique."),
        ("timeout_positive", "CHECK(timeout > 0 AND timeout <= 120)",
         "The timeout must be between 1 and 120 seconds."),
    ]

    @api.depends("callback_token")
    def _compute_delivery_report_url(self):
        base_url = self.get_base_url()
        for account in self:
            token = account.callback_token
            account.delivery_report_url = (
                f"{base_url}/participant_sms/dlr/{token}" if token else False)
            account.inbound_url = f"{base_url}/participant_sms/inbound/{token}" if token else False

    def write(self, vals):
        if "active" in vals and not vals["active"]:
            used = self.env["res.company"].sudo().search([("psms_account_id", "in", self.ids)])
            if used:
                raise UserError(_("This account sends the SMS of %s: choose another account in "
                                  "the SMS settings before archiving it.",
                                  ", ".join(used.mapped("name"))))
        return super().write(vals)

    def action_renew_callback_token(self):
        self.ensure_one()
        self.sudo().callback_token = secrets.token_urlsafe(32)

    def _provider_settings(self):
        self.ensure_one()
        account = self.sudo()
        settings = {"timeout": account.timeout}
        if account.endpoint:
            settings["endpoint"] = account.endpoint
        if account.provider == "ovh":
            settings.update(application_key=account.ovh_application_key or "",
                            application_secret=account.ovh_application_secret or "",
                            consumer_key=account.ovh_consumer_key or "",
                            service_name=account.ovh_service_name or "")
        elif account.provider == "octopush":
            settings.update(api_login=account.octopush_api_login or "",
                            api_key=account.octopush_api_key or "")
        return settings

    def _get_provider(self):
        """The tools client of this account (raises ProviderError('config') if incomplete).
        The simulator remembers what it accepts in the database, as a real provider would."""
        self.ensure_one()
        if not self:
            raise ProviderError("config", "No SMS provider account.")
        settings = self._provider_settings()
        if self.provider == "simulator":
            settings["store"] = self.env["participant.sms.simulator.message"]._store()
        return get_provider(self.provider, **settings)

    def _get_provider_or_none(self):
        try:
            return self._get_provider()
        except ProviderError:
            return None

    @api.model
    def _find_by_token(self, token):
        """The account whose callback token is ``token`` (constant-time checked), or empty."""
        if not token or len(token) < 20:
            return self.browse()
        account = self.sudo().with_context(active_test=False).search(
            [("callback_token", "=", token)], limit=1)
        if account and check_token(account.callback_token, token):
            return account
        return self.browse()

    def action_test_connection(self):
        """Check the credentials with a harmless call (no SMS sent)."""
        self.ensure_one()
        try:
            provider = self._get_provider()
            if self.provider == "ovh":
                response = provider.call("GET", f"/sms/{provider.service_name}")
                if response.status_code >= 400:
                    raise error_from_response(response)
        except ProviderError as error:
            _logger.warning("SMS account %s: connection test failed (%s)", self.id, error.kind)
            raise UserError(self._error_message(error)) from None
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"type": "success", "message": _("The SMS service answers.")},
        }

    @api.model
    def _error_message(self, error):
        """A translated message for a ProviderError, for the users."""
        if error.kind == "uncertain":
            return _("The SMS service did not answer in time: it may have received the request. "
                     "(%s)", error)
        if error.kind in ("unreachable", "server"):
            return _("The SMS service is unreachable: check the provider settings. (%s)", error)
        if error.kind == "auth":
            return _("The SMS service refused the credentials: check the provider settings.")
        if error.kind == "config":
            return _("The SMS provider account is incomplete: %s", error)
        return _("The SMS service refused the request: %s", error)
