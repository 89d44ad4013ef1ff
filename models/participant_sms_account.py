# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import logging
import re
import secrets
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.sql_db import Cursor
from odoo.tools import SQL, LazyTranslate, hmac

from odoo.addons.iap.tools.iap_tools import iap_get_endpoint

from ..tools.providers import ProviderError, check_token, get_provider
from ..tools.providers.throttle import throttle

_lt = LazyTranslate(__name__)
#: the credit units the providers give (``tools.providers``: plain English codes), in
#: the user's language; a unit not listed (Octopush's own) is shown as the provider
#: gives it
BALANCE_UNITS = {
    "simulated SMS": _lt("simulated SMS"),
    "SMS credits": _lt("SMS credits"),
    "IAP credits": _lt("IAP credits"),
}

_logger = logging.getLogger(__name__)
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{40,64}")
PREVIOUS_TOKEN_GRACE = timedelta(hours=24)
#: one row per rate-limited account: the theoretical arrival time (epoch seconds, the
#: database's clock) of its next request, shared by every server (tools/providers/
#: throttle.py). No foreign key: a test's uncommitted account can reserve its slots.
RATE_SLOT_TABLE = "participant_sms_rate_slot"


class ParticipantSmsAccount(models.Model):
    """An account at an SMS provider (or the built-in simulator)."""

    _name = "participant.sms.account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "SMS provider account"
    _order = "sequence, id"

    name = fields.Char(
        required=True, translate=True
    )  # the module's "Simulator" speaks French
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    provider = fields.Selection(
        [
            ("simulator", "Simulator (no real SMS)"),
            ("ovh", "OVHcloud SMS"),
            ("octopush", "Octopush"),
            ("odoo_iap", "Odoo SMS (IAP)"),
        ],
        required=True,
        default="simulator",
        help="Odoo SMS (IAP) sends through Odoo's own SMS service with this "
        "database's IAP "
        "account and credits.",
    )
    timeout = fields.Integer(string="Timeout (seconds)", default=10)
    rate_limit = fields.Integer(
        string="Requests per second",
        default=0,
        help="The most HTTP requests per second the provider accepts from this "
        "account, respected by every Odoo server of the database together. "
        "0: no limit.",
    )
    endpoint = fields.Char(
        string="API address",
        help="Leave empty to use the provider's public API address.",
    )
    ovh_application_key = fields.Char(
        string="Application key", groups="base.group_system"
    )
    ovh_application_secret = fields.Char(
        string="Application secret", groups="base.group_system"
    )
    ovh_consumer_key = fields.Char(string="Consumer key", groups="base.group_system")
    ovh_service_name = fields.Char(string="SMS service name", help="e.g. sms-ab12345-1")
    octopush_api_login = fields.Char(string="API login", groups="base.group_system")
    octopush_api_key = fields.Char(string="API key", groups="base.group_system")
    balance = fields.Float(
        string="Provider credit",
        readonly=True,
        copy=False,
        help="What the provider says is left on the account.",
    )
    balance_unit_code = fields.Char(
        string="Credit unit given by the provider", readonly=True, copy=False
    )
    balance_unit = fields.Char(compute="_compute_balance_unit", string="Credit unit")
    balance_at = fields.Datetime(string="Credit read on", readonly=True, copy=False)
    balance_error = fields.Char(
        string="Credit reading error", readonly=True, copy=False
    )
    balance_low = fields.Boolean(
        compute="_compute_balance_low", string="Low provider credit"
    )

    # the callback token is a secret shown once (when created or renewed); only its
    # SHA-256 is kept, and the previous one still works for 24 hours after a renewal
    callback_token_hash = fields.Char(
        copy=False, readonly=True, index=True, groups="base.group_system"
    )
    callback_token_hint = fields.Char(
        string="Callback token",
        copy=False,
        readonly=True,
        help="The last characters of the secret in the callback addresses (shown in "
        "full only "
        "when it is created or renewed).",
    )
    previous_token_hash = fields.Char(
        copy=False, readonly=True, groups="base.group_system"
    )
    previous_token_until = fields.Datetime(
        string="Previous addresses valid until",
        copy=False,
        readonly=True,
        help="After a renewal, the previous callback addresses keep working until "
        "then, so "
        "that no report is lost while the provider's console is updated.",
    )
    delivery_report_url = fields.Char(
        compute="_compute_callback_urls",
        string="Delivery report address",
        help="Address to give to the provider for its delivery reports.",
    )
    inbound_url = fields.Char(
        compute="_compute_callback_urls",
        string="Reply address",
        help="Address to give to the provider for the replies of the participants.",
    )

    _sql_constraints = [
        (
            "callback_token_hash_uniq",
            "unique(callback_token_hash)",
            "The callback token must be unique.",
        ),
        (
            "timeout_positive",
            "CHECK(timeout > 0 AND timeout <= 120)",
            "The timeout must be between 1 and 120 seconds.",
        ),
    ]

    @api.depends("callback_token_hint")
    def _compute_callback_urls(self):
        for account in self:
            base_url = account.get_base_url()
            hidden = (
                f"…{account.callback_token_hint}"
                if account.callback_token_hint
                else False
            )
            account.delivery_report_url = (
                hidden and f"{base_url}/participant_sms/dlr/{hidden}"
            )
            account.inbound_url = (
                hidden and f"{base_url}/participant_sms/inbound/{hidden}"
            )

    _sql_constraints = [
        (
            "rate_limit_positive",
            "CHECK (rate_limit >= 0)",
            "The requests per second cannot be negative.",
        ),
    ]

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS %s (account_id integer PRIMARY KEY, "
                "tat double precision NOT NULL)",
                SQL.identifier(RATE_SLOT_TABLE),
            )
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("install_filename"):
            # an account of the module's data: no "created" note in the installer's
            # language (English) on a chatter French users read
            self = self.with_context(mail_create_nolog=True)
        return super().create(vals_list)

    @api.constrains("active")
    def _check_archived_unused(self):
        """An account that sends a company's SMS is not archived (a constraint: only
        a change of ``active`` checks it, not every write of the account)."""
        archived = self.filtered_domain([("active", "=", False)])
        used = archived and self.env["res.company"].sudo().search(
            [("psms_account_id", "in", archived.ids)]
        )
        if used:
            raise ValidationError(
                _(
                    "This account sends the SMS of %s: choose another account in "
                    "the SMS settings before archiving it.",
                    ", ".join(used.mapped("name")),
                )
            )

    @api.model
    def _hash_token(self, token):
        return hashlib.sha256(token.encode()).hexdigest()

    def _issue_token(self):
        """A new callback token for this account: its hash is kept (the previous one
        stays valid for 24 hours), the token itself is returned, never stored."""
        self.ensure_one()
        token = secrets.token_urlsafe(32)
        account = self.sudo()
        values = {
            "callback_token_hash": self._hash_token(token),
            "callback_token_hint": token[-4:],
        }
        if account.callback_token_hash:
            values.update(
                previous_token_hash=account.callback_token_hash,
                previous_token_until=fields.Datetime.now() + PREVIOUS_TOKEN_GRACE,
            )
        account.write(values)
        return token

    def action_renew_callback_token(self):
        """SMS administrators: new callback addresses, shown once."""
        self.ensure_one()
        if not self.env.user.has_group("participant_sms.group_sms_admin"):
            raise AccessError(
                _("Only SMS administrators can renew the callback addresses.")
            )
        token = self._issue_token()
        base_url = self.get_base_url()
        dlr_url = f"{base_url}/participant_sms/dlr/{token}"
        inbound_url = f"{base_url}/participant_sms/inbound/{token}"
        return {
            "type": "ir.actions.act_window",
            "res_model": "participant.sms.account.addresses",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": _("New callback addresses"),
            "context": {
                "default_account_id": self.id,
                "default_delivery_report_url": dlr_url,
                "default_inbound_url": inbound_url,
                "default_registration": self._register_callbacks(dlr_url, inbound_url),
            },
        }

    def _register_callbacks(self, dlr_url, inbound_url):
        """Give the new addresses to a provider that can take them by API (Octopush);
        return what the dialog says about it (empty when the provider's console must be
        used)."""
        provider = self._get_provider_or_none()
        if not provider or not provider.can_register_callbacks:
            return False
        try:
            provider.register_callbacks(dlr_url, inbound_url)
        except ProviderError as error:
            _logger.warning(
                "SMS account %s: callback registration failed (%s)", self.id, error.kind
            )
            return _(
                "They could not be registered at the provider (%s): copy them into its "
                "console.",
                self._error_message(error),
            )
        self.message_post(
            body=_("The new callback addresses were registered at the provider.")
        )
        return _(
            "They are registered at the provider: delivery reports and replies will "
            "reach "
            "this database."
        )

    def _callback_only_note(self):
        """What *Update statuses now* says when this account's provider cannot be
        asked."""
        provider = self._get_provider_or_none() if self else None
        if not provider or provider.can_poll:
            return False
        label = dict(self._fields["provider"]._description_selection(self.env))[
            self.provider
        ]
        return _(
            "%(provider)s reports the statuses by callback only: there is nothing to "
            "ask "
            "it. They arrive by themselves.",
            provider=label,
        )

    def _iap_settings(self):
        """Odoo's SMS service: the database's IAP account, the endpoints Odoo's ``sms``
        and ``iap`` modules use (or this account's address), and our status webhook."""
        params = self.env["ir.config_parameter"].sudo()
        iap_account = self.env["iap.account"].sudo().get("sms")
        return {
            "account_token": iap_account.account_token or "",
            "dbuuid": params.get_param("database.uuid") or "",
            "endpoint": self.endpoint
            or params.get_param("sms.endpoint", "https://sms.api.odoo.com"),
            "iap_endpoint": self.endpoint or iap_get_endpoint(self.env),
            "webhook_url": f"{self.get_base_url()}/participant_sms/iap/{self.id}/"
            f"{self._iap_signature()}",
        }

    def _iap_signature(self):
        """Odoo's service is given the webhook address with each send: its secret is a
        signature of the account by the database secret, so nothing secret is stored."""
        return hmac(self.env(su=True), "participant_sms.iap_webhook", self.id)

    @api.model
    def _find_by_iap_signature(self, account_id, signature):
        account = (
            self.sudo().with_context(active_test=False).browse(account_id).exists()
        )
        if (
            not account
            or account.provider != "odoo_iap"
            or not isinstance(signature, str)
        ):
            return self.browse()
        return (
            account
            if check_token(account._iap_signature(), signature)
            else self.browse()
        )

    def _get_provider(self, durable=False):
        """The tools client of this account, with its settings (raises
        ProviderError('config') if incomplete). The simulator remembers what it
        accepts in the database, as a real provider would (``durable``: in its own
        committed transaction, for a dispatcher that commits)."""
        self.ensure_one()
        account = self.sudo()
        settings = {"timeout": account.timeout}
        if account.endpoint:
            settings["endpoint"] = account.endpoint
        if account.provider == "simulator":
            settings["store"] = self.env["participant.sms.simulator.message"]._store(
                durable
            )
        elif account.provider == "ovh":
            settings.update(
                application_key=account.ovh_application_key or "",
                application_secret=account.ovh_application_secret or "",
                consumer_key=account.ovh_consumer_key or "",
                service_name=account.ovh_service_name or "",
            )
        elif account.provider == "octopush":
            settings.update(
                api_login=account.octopush_api_login or "",
                api_key=account.octopush_api_key or "",
            )
        elif account.provider == "odoo_iap":
            settings.update(self._iap_settings())
        if account.rate_limit > 0:
            settings["throttle"] = throttle(
                self._slot_reserver(self.env.registry, account.id, account.rate_limit)
            )
        return get_provider(account.provider, **settings)

    @staticmethod
    def _slot_reserver(registry, account_id, rate):
        """The ``reserve`` of the account's shared GCRA schedule (burst 1: two requests
        at least 1/rate s apart, whichever server sends them): one statement in its own
        short READ COMMITTED transaction, so no lock outlives it and none is held during
        the HTTP request, whatever the caller's transaction holds. Returns the seconds
        to wait (by the database's clock, the same for every server)."""
        interval = 1.0 / rate

        def reserve():
            with registry.cursor() as cr:
                if isinstance(cr, Cursor):  # not a test's cursor, already in its txn
                    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                cr.execute(
                    f"""WITH clock AS (
                            SELECT extract(epoch FROM clock_timestamp())::float8 AS now)
                        INSERT INTO {RATE_SLOT_TABLE} AS slot (account_id, tat)
                             SELECT %(account)s, clock.now + %(interval)s FROM clock
                        ON CONFLICT (account_id) DO UPDATE
                           SET tat = greatest(slot.tat + %(interval)s, EXCLUDED.tat)
                        RETURNING slot.tat, (SELECT now FROM clock)""",
                    {"account": account_id, "interval": interval},
                )
                tat, now = cr.fetchone()
            return tat - interval - now

        return reserve

    def _get_provider_or_none(self):
        try:
            return self._get_provider()
        except ProviderError:
            return None

    @api.model
    def _find_by_token(self, token):
        """The account whose callback token (or previous one, for 24 hours after a
        renewal) is ``token``, looked up by its hash; empty for anything else."""
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
            return self.browse()
        digest = self._hash_token(token)
        accounts = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch(
                [
                    "|",
                    ("callback_token_hash", "=", digest),
                    "&",
                    ("previous_token_hash", "=", digest),
                    ("previous_token_until", ">", fields.Datetime.now()),
                ],
                [
                    "callback_token_hash",
                    "previous_token_hash",
                    "provider",
                    "timeout",
                    "endpoint",
                ],
                limit=1,
            )
        )  # one query: every callback starts here
        for account in accounts:
            if check_token(account.callback_token_hash, digest) or check_token(
                account.previous_token_hash, digest
            ):
                return account
        return self.browse()

    @api.depends("balance", "balance_at")
    def _compute_balance_low(self):
        for account in self:
            threshold = self.env.company.psms_credit_warning
            account.balance_low = bool(
                account.balance_at
                and account.provider != "simulator"
                and account.balance < threshold
            )

    @api.depends("balance_unit_code")
    @api.depends_context("lang")
    def _compute_balance_unit(self):
        for account in self:
            account.balance_unit = self._unit_label(account.balance_unit_code)

    @api.model
    def _unit_label(self, unit):
        """A provider's credit unit in the user's language ("simulated SMS" -> "SMS
        simulés")."""
        label = BALANCE_UNITS.get(unit)
        return str(label) if label else unit or ""

    def _refresh_balance(self, providers=None):
        """Read the credit left at the provider; tell the SMS administrators (an
        activity on the account) when it falls under the company's low-credit
        threshold. ``providers``: the clients a run already built, by account."""
        providers = providers or {}
        for account in self.sudo():
            was_low = account.balance_low
            try:
                provider = providers.get(account) or account._get_provider()
                balance = provider.balance()
            except (ProviderError, NotImplementedError) as error:
                account.balance_error = (
                    self._error_message(error)
                    if isinstance(error, ProviderError)
                    else False
                )
                continue
            account.write(
                {
                    "balance": balance.amount,
                    "balance_unit_code": balance.unit,
                    "balance_at": fields.Datetime.now(),
                    "balance_error": False,
                }
            )
            if account.balance_low and not was_low:
                account._warn_low_balance()

    def _warn_low_balance(self):
        admins = self.env.ref("participant_sms.group_sms_admin").users.filtered(
            lambda user: not user.share and user.active and user.id != SUPERUSER_ID
        )
        # outside _(): its arguments must be plain for extraction
        amount = f"{self.balance:g}"
        note = _(
            "Only %(amount)s %(unit)s left at the SMS provider: buy credit before the "
            "SMS "
            "stop.",
            amount=amount,
            unit=self.balance_unit,
        )
        for admin in admins:
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                user_id=admin.id,
                summary=_("Low SMS credit"),
                note=note,
            )

    def action_refresh_balance(self):
        """SMS administrators: read the provider's credit now."""
        if not self.env.user.has_group("participant_sms.group_sms_admin"):
            raise AccessError(
                _("Only SMS administrators can read the provider's credit.")
            )
        self._refresh_balance()
        return True

    def action_test_connection(self):
        """Check the credentials with a harmless call (no SMS sent): SMS
        administrators."""
        self.ensure_one()
        if not self.env.user.has_group("participant_sms.group_sms_admin"):
            raise AccessError(
                _("Only SMS administrators can test the provider account.")
            )
        try:
            balance = (
                self._get_provider().balance()
            )  # an authenticated call, nothing sent
        except ProviderError as error:
            _logger.warning(
                "SMS account %s: connection test failed (%s)", self.id, error.kind
            )
            raise UserError(self._error_message(error)) from None
        self.sudo().write(
            {
                "balance": balance.amount,
                "balance_unit_code": balance.unit,
                "balance_at": fields.Datetime.now(),
                "balance_error": False,
            }
        )
        amount = f"{balance.amount:g}"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "The SMS service answers: %(amount)s %(unit)s left.",
                    amount=amount,
                    unit=self._unit_label(balance.unit),
                ),
            },
        }

    @api.model
    def _error_message(self, error):
        """A translated message for a ProviderError, for the users."""
        if error.kind == "uncertain":
            return _(
                "The SMS service did not answer in time: it may have received the "
                "request. "
                "(%s)",
                error,
            )
        if error.kind in ("unreachable", "server"):
            return _(
                "The SMS service is unreachable: check the provider settings. (%s)",
                error,
            )
        if error.kind == "auth":
            return _(
                "The SMS service refused the credentials: check the provider settings."
            )
        if error.kind == "credit":
            return _(
                "Not enough credit at the SMS provider: buy credit; the SMS wait until "
                "their deadline. (%s)",
                error,
            )
        if error.kind == "config":
            return _("The SMS provider account is incomplete: %s", error)
        return _("The SMS service refused the request: %s", error)
