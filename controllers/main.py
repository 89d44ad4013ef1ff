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

    @staticmethod
    def _account(token, kind):
        account = request.env["participant.sms.account"].sudo()._find_by_token(token)
        if not account:
            _logger.warning("SMS %s refused: unknown token (from %s)", kind,
                            request.httprequest.remote_addr)
        return account

    @http.route("/participant_sms/dlr/<string:token>", type="http", auth="public",
                methods=["GET", "POST"], csrf=False, save_session=False)
    def delivery_report(self, token, **_kwargs):
        account = self._account(token, "delivery report")
        if not account:
            return request.make_response("Forbidden", status=403)
        try:
            update = account._get_provider().parse_delivery_report(self._params())
        except ProviderError as error:
            _logger.warning("SMS delivery report refused for account %s: %s", account.id, error)
            return request.make_response("Bad Request", status=400)
        request.env["participant.sms"].sudo()._apply_status_updates(account, [update])
        return request.make_response("OK", status=200)

    @http.route("/participant_sms/inbound/<string:token>", type="http", auth="public",
                methods=["GET", "POST"], csrf=False, save_session=False)
    def inbound(self, token, **_kwargs):
        account = self._account(token, "reply")
        if not account:
            return request.make_response("Forbidden", status=403)
        try:
            reply = account._get_provider().parse_inbound(self._params())
        except ProviderError as error:
            _logger.warning("SMS reply refused for account %s: %s", account.id, error)
            return request.make_response("Bad Request", status=400)
        request.env["participant.sms.reply"].sudo()._process(account, [reply])
        return request.make_response("OK", status=200)
