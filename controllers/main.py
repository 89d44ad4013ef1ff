# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.http import request

from ..tools.providers import ProviderError
from ..tools.webhook import MAX_BODY, WebhookError, read_params

_logger = logging.getLogger(__name__)


class RedactCallbackTokens(logging.Filter):
    """The access log shows the callback routes without their secret token."""

    PATTERN = re.compile(r"(/participant_sms/(?:dlr|inbound|iap/\d+)/)[^/?\s\"']+")

    def filter(self, record):
        if isinstance(record.msg, str) and "/participant_sms/" in record.getMessage():
            record.msg, record.args = (
                self.PATTERN.sub(r"\1***", record.getMessage()),
                (),
            )
        return True


_access_log = logging.getLogger("werkzeug")
if not any(type(f).__name__ == "RedactCallbackTokens" for f in _access_log.filters):
    _access_log.addFilter(RedactCallbackTokens())


class ParticipantSmsController(http.Controller):
    """Callbacks of the SMS providers. They are public (providers do not log in) and act
    only when the unguessable token of an account is in the address; none of the
    providers signs its callbacks."""

    @staticmethod
    def _params():
        """The callback's parameters, every limit checked before parsing
        (tools/webhook.py)."""
        http_request = request.httprequest
        if (http_request.content_length or 0) > MAX_BODY:
            raise WebhookError(413, f"The body is over {MAX_BODY} bytes.")
        body = (
            http_request.get_data()
            if http_request.mimetype == "application/json"
            else b""
        )
        form = http_request.form.items(multi=True) if not body else []
        return read_params(
            http_request.args.items(multi=True),
            form,
            body,
            http_request.mimetype,
            http_request.content_length,
        )

    def _handle(self, token, kind, parse, apply):
        """Authenticate by token, parse with the account's provider, apply; 403 / 400 /
        200."""
        account = request.env["participant.sms.account"].sudo()._find_by_token(token)
        if not account:
            _logger.warning(
                "SMS %s refused: unknown token (from %s)",
                kind,
                request.httprequest.remote_addr,
            )
            return request.make_response("Forbidden", status=403)
        try:
            item = parse(account._get_provider(), self._params())
        except WebhookError as error:
            _logger.warning(
                "SMS %s refused for account %s: %s", kind, account.id, error
            )
            return request.make_response(
                "Payload Too Large" if error.status == 413 else "Bad Request",
                status=error.status,
            )
        except ProviderError as error:
            _logger.warning(
                "SMS %s refused for account %s: %s", kind, account.id, error
            )
            return request.make_response("Bad Request", status=400)
        apply(account, item)
        return request.make_response("OK", status=200)

    @http.route(
        "/participant_sms/dlr/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_BODY,
    )
    def delivery_report(self, token, **_kwargs):
        return self._handle(
            token,
            "delivery report",
            lambda provider, params: provider.parse_delivery_report(params),
            lambda account, update: request.env["participant.sms.dispatcher"]
            .sudo()
            ._apply_status_updates(account, [update]),
        )

    @http.route(
        "/participant_sms/inbound/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_BODY,
    )
    def inbound(self, token, **_kwargs):
        return self._handle(
            token,
            "reply",
            lambda provider, params: provider.parse_inbound(params),
            lambda account, reply: request.env["participant.sms.reply"]
            .sudo()
            ._receive(account, [reply]),
        )

    @http.route(
        "/participant_sms/iap/<int:account_id>/<string:signature>",
        type="json",
        auth="public",
        save_session=False,
        max_content_length=MAX_BODY,
    )
    def iap_status(self, account_id, signature, message_statuses=None, **_kwargs):
        """Delivery reports of Odoo's SMS service (JSON-RPC, as Odoo's ``/sms/status``),
        for the account whose signature is in the address."""
        account = (
            request.env["participant.sms.account"]
            .sudo()
            ._find_by_iap_signature(account_id, signature)
        )
        if not account:
            _logger.warning(
                "SMS IAP status refused: bad signature (from %s)",
                request.httprequest.remote_addr,
            )
            raise Forbidden()
        try:
            updates = account._get_provider().parse_delivery_report(
                {"message_statuses": message_statuses}
            )
        except ProviderError as error:
            _logger.warning(
                "SMS IAP status refused for account %s: %s", account.id, error
            )
            raise BadRequest() from None
        request.env["participant.sms.dispatcher"].sudo()._apply_status_updates(
            account, updates
        )
        return "OK"
