# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging

from odoo import http
from odoo.http import request

from ..tools.providers import ProviderError

_logger = logging.getLogger(__name__)


class ParticipantSmsController(http.Controller):
    """Callbacks of the SMS providers. They are public (providers do not log in) and act only
    when the unguessable token of an account is in the address; none of the providers signs
    its callbacks."""

    @staticmethod
    def _params():
        params = dict(request.httprequest.args)
        params.update(request.httprequest.form)
        if request.httprequest.mimetype == "application/json":
            try:
                payload = json.loads(request.httprequest.get_data(as_text=True) or "{}")
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                raise ProviderError("malformed", "The JSON body is not an object.")
            params.update(payload)
        return params

    def _handle(self, token, kind, parse, apply):
        """Authenticate by token, parse with the account's provider, apply; 403 / 400 / 200."""
        account = request.env["participant.sms.account"].sudo()._find_by_token(token)
        if not account:
            _logger.warning("SMS %s refused: unknown token (from %s)", kind,
                            request.httprequest.remote_addr)
            return request.make_response("Forbidden", status=403)
        try:
            item = parse(account._get_provider(), self._params())
        except ProviderError as error:
            _logger.warning("SMS %s refused for account %s: %s", kind, account.id, error)
            return request.make_response("Bad Request", status=400)
        apply(account, item)
        return request.make_response("OK", status=200)

    @http.route("/participant_sms/dlr/<string:token>", type="http", auth="public",
                methods=["GET", "POST"], csrf=False, save_session=False)
    def delivery_report(self, token, **_kwargs):
        return self._handle(
            token, "delivery report",
            lambda provider, params: provider.parse_delivery_report(params),
            lambda account, update: request.env["participant.sms.dispatcher"].sudo()
            ._apply_status_updates(account, [update]))

    @http.route("/participant_sms/inbound/<string:token>", type="http", auth="public",
                methods=["GET", "POST"], csrf=False, save_session=False)
    def inbound(self, token, **_kwargs):
        return self._handle(
            token, "reply",
            lambda provider, params: provider.parse_inbound(params),
            lambda account, reply: request.env["participant.sms.reply"].sudo()
            ._process(account, [reply]))
