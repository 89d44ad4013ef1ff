# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Octopush (``/v1/public``): ``api-login`` / ``api-key`` headers, up to 500 recipients
per ``POST /sms-campaign/send`` with a ``request_id`` that Octopush uses to refuse a
duplicate request, ``with_replies`` for reply-enabled messages. Octopush answers an
``sms_ticket`` for the campaign; each recipient's message is then known by (ticket,
number), which is our provider id ``"<ticket>:<number>"``. Statuses come only by the
delivery-report callback (``message_id``, ``number``, ``status``, ``sms_ticket``),
unsigned: the callback URL carries our token. Its public API has no per-message status
request (only list campaigns' preparation status), so nothing can be polled; ``PATCH
/user/campaign-parameters/edit`` sets the callback addresses.
"""

import hashlib

from .base import (
    DELIVERED,
    EXPIRED,
    FAILED,
    NOT_RECEIVED,
    PROCESSING,
    SENT,
    STOP,
    Balance,
    InboundReply,
    Provider,
    ProviderError,
    SendResult,
    StatusUpdate,
    failed_results,
    group_messages,
    require,
)
from .http import json_object_or_error

DEFAULT_ENDPOINT = "https://api.octopush.com/v1/public"
STATUS_MAP = {
    "ACK": SENT,
    "DELIVERED": DELIVERED,
    "NOT_DELIVERED": NOT_RECEIVED,
    "EXPIRED": EXPIRED,
    "NOT_ALLOWED": FAILED,
    "BAD_DESTINATION": FAILED,
    "UNKNOWN_DESTINATION": FAILED,
    "BLACKLISTED_NUMBER": STOP,
    "ERROR": FAILED,
}


class OctopushProvider(Provider):
    name = "octopush"
    batch_size = 500
    can_poll = False
    can_lookup = False

    def __init__(
        self,
        api_login="",
        api_key="",
        endpoint=DEFAULT_ENDPOINT,
        sms_type="sms_premium",
        timeout=10,
        **settings,
    ):
        super().__init__(timeout=timeout, **settings)
        if not (api_login and api_key):
            raise ProviderError(
                "config", "The Octopush account needs an API login and key."
            )
        self.api_login = api_login
        self.api_key = api_key
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self.sms_type = sms_type

    def _headers(self):
        return {
            "api-login": self.api_login,
            "api-key": self.api_key,
            "Content-Type": "application/json",
            "cache-control": "no-cache",
        }

    @staticmethod
    def request_id(messages):
        """Stable id of a request: the same messages sent again give the same id."""
        digest = hashlib.sha256("|".join(m.ref for m in messages).encode()).hexdigest()
        return digest[:40]

    def balance(self, country_code="FR"):
        """``GET /wallet/check-balance`` for our SMS type: ``amount`` and ``unit``."""
        response = self._request(
            "GET",
            self.endpoint + "/wallet/check-balance",
            self.timeout,
            params={"product_name": self.sms_type, "country_code": country_code},
            headers=self._headers(),
        )
        answer = json_object_or_error(response)
        try:
            return Balance(
                float(answer["amount"]), str(answer.get("unit") or self.sms_type)
            )
        except (KeyError, TypeError, ValueError):
            raise ProviderError(
                "malformed", "Octopush did not answer an amount."
            ) from None

    def lookup(self, tag, numbers):
        raise ProviderError(
            "config", "Octopush cannot tell which messages it received."
        )

    def send(self, messages, tag=""):
        """One campaign per group of messages; each campaign's answer decides for its
        own messages only. Octopush cannot be asked afterwards what it received, so a
        campaign that may have been created (no answer, unreadable answer) is reported
        UNKNOWN and is never sent again."""
        results = {}
        for campaign in group_messages(messages, self.batch_size):
            try:
                ticket = self._send_campaign(campaign)
            except ProviderError as error:
                results.update((r.ref, r) for r in failed_results(campaign, error))
                continue
            for message in campaign:
                results[message.ref] = SendResult(
                    message.ref,
                    True,
                    provider_id=f"{ticket}:{message.number}",
                    status=PROCESSING,
                    raw_status="ticket",
                    provider_tag=ticket,
                )
        return [results[message.ref] for message in messages]

    def _send_campaign(self, campaign):
        body, sender, reply = campaign[0].body, campaign[0].sender, campaign[0].reply
        payload = {
            "recipients": [{"phone_number": m.number} for m in campaign],
            "text": body,
            "type": self.sms_type,
            "purpose": "alert",
            "with_replies": bool(reply),
            "request_id": self.request_id(campaign),
        }
        if sender and not reply:
            payload["sender"] = sender
        response = self._request(
            "POST",
            self.endpoint + "/sms-campaign/send",
            self.timeout,
            json=payload,
            headers=self._headers(),
        )
        ticket = json_object_or_error(response).get("sms_ticket")
        if not ticket or not isinstance(ticket, str):
            raise ProviderError("malformed", "Octopush did not answer an sms_ticket.")
        return ticket

    def fetch_statuses(self, queries):
        # Octopush reports statuses by callback only
        return []

    can_register_callbacks = True

    def register_callbacks(self, delivery_report_url, inbound_url):
        """Set the account's delivery-report and inbound callback addresses at
        Octopush."""
        payload = {
            "callbacks": {
                "callback_url_for_deliveries": delivery_report_url,
                "callback_url_for_inbounds": inbound_url,
            }
        }
        response = self._request(
            "PATCH",
            self.endpoint + "/user/campaign-parameters/edit",
            self.timeout,
            json=payload,
            headers=self._headers(),
        )
        json_object_or_error(response)

    def parse_delivery_report(self, params):
        ticket = str(params.get("sms_ticket") or "").strip()
        number = str(params.get("number") or "").strip()
        raw = str(params.get("status") or "").strip().upper()
        if not ticket or not number or raw not in STATUS_MAP:
            raise ProviderError(
                "malformed",
                "An Octopush delivery report needs 'sms_ticket', "
                "'number' and a known 'status'.",
            )
        if not number.startswith("+"):
            number = "+" + number.lstrip("0")
        return StatusUpdate(f"{ticket}:{number}", STATUS_MAP[raw], raw)

    def parse_inbound(self, params):
        """The inbound callback: ``message_id``, ``number``, ``text``, and the
        ``sms_ticket`` of the campaign answered when Octopush gives it."""
        inbound_id, number = require(params, "message_id", "number")
        text = params.get("text")
        if not isinstance(text, str):
            raise ProviderError("malformed", "An Octopush reply needs a 'text'.")
        if not number.startswith("+"):
            number = "+" + number.lstrip("0")
        return InboundReply(
            inbound_id, number, text, str(params.get("sms_ticket") or "")
        )
