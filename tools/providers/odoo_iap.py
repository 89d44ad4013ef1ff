# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own SMS service (IAP), with the database's IAP account, spoken as Odoo's
``sms`` module speaks it (``odoo/addons/sms/tools/sms_api.py``,
``controllers/main.py``):

* send: JSON-RPC ``call`` to ``<sms endpoint>/api/sms/3/send`` with ``account_token``,
  ``dbuuid``, ``messages`` (``[{"content", "numbers": [{"uuid", "number"}]}]``, one per
  text) and ``webhook_url``; the result is one ``{"uuid", "state", "credit"}`` per
  number;
* statuses: Odoo's service posts JSON-RPC ``{"message_statuses": [{"sms_status",
  "uuids"}]}`` to the ``webhook_url`` (no polling, no lookup);
* credit: JSON-RPC ``<iap endpoint>/iap/1/balance`` with ``service_name='sms'``.

Our provider id of a message is the 32-hex ``uuid`` we give it.
"""

import uuid

from .base import (
    DELIVERED,
    EXPIRED,
    FAILED,
    NOT_RECEIVED,
    PROCESSING,
    REFUSED,
    RETRY,
    SENT,
    UNKNOWN,
    Balance,
    Provider,
    ProviderError,
    SendResult,
    StatusUpdate,
    failed_results,
)
from .http import json_object_or_error

DEFAULT_ENDPOINT = "https://sms.api.odoo.com"
DEFAULT_IAP_ENDPOINT = "https://iap.odoo.com"
SEND_ROUTE = "/api/sms/3/send"
BALANCE_ROUTE = "/iap/1/balance"
#: answers of a send, per number
ACCEPTED_STATES = {"success": PROCESSING, "processing": PROCESSING}
RETRY_STATES = {"server_error", "insufficient_credit", "unregistered"}
#: delivery reports (sms_status)
REPORT_MAP = {
    "success": PROCESSING,
    "processing": PROCESSING,
    "sent": SENT,
    "delivered": DELIVERED,
    "not_delivered": NOT_RECEIVED,
    "expired": EXPIRED,
    "invalid_destination": FAILED,
    "not_allowed": FAILED,
    "rejected": FAILED,
}
STATE_TEXTS = {
    "insufficient_credit": "Not enough credit on the database's IAP account.",
    "unregistered": "The database's IAP account is not registered for SMS.",
    "server_error": "Odoo's SMS service failed.",
    "wrong_number_format": "The number is not correctly formatted.",
    "duplicate_message": "Odoo's SMS service removed a duplicate of this message.",
    "country_not_supported": "The destination country is not supported.",
    "registration_needed": "A country-specific registration is needed.",
    "incompatible_content": "The content breaks the rules of Odoo's SMS providers.",
}


def _is_uuid(value):
    return (
        isinstance(value, str)
        and len(value) == 32
        and all(char in "0123456789abcdef" for char in value)
    )


class OdooIapProvider(Provider):
    name = "odoo_iap"
    batch_size = 500
    can_poll = False
    can_lookup = False

    def __init__(
        self,
        account_token="",
        dbuuid="",
        endpoint=DEFAULT_ENDPOINT,
        iap_endpoint=DEFAULT_IAP_ENDPOINT,
        webhook_url="",
        timeout=15,
        **settings,
    ):
        super().__init__(timeout=timeout, **settings)
        if not account_token:
            raise ProviderError("config", "The database has no IAP account for SMS.")
        self.account_token = account_token
        self.dbuuid = dbuuid
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self.iap_endpoint = (iap_endpoint or DEFAULT_IAP_ENDPOINT).rstrip("/")
        self.webhook_url = webhook_url

    def _call(self, url, params):
        """A JSON-RPC ``call``; its ``error`` raised as a ProviderError."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": params,
            "id": uuid.uuid4().hex,
        }
        answer = json_object_or_error(
            self._request("POST", url, self.timeout, json=payload)
        )
        error = answer.get("error")
        if error:
            data = error.get("data") if isinstance(error, dict) else None
            data = data if isinstance(data, dict) else {}
            name = str(data.get("name") or "").rpartition(".")[2]
            message = str(
                data.get("message")
                or (error.get("message") if isinstance(error, dict) else "")
                or ""
            )[:200]
            kind = {
                "InsufficientCreditError": "credit",
                "AccessError": "auth",
                "UserError": "rejected",
            }.get(name, "server")
            raise ProviderError(kind, f"{name or 'Error'}: {message}".strip())
        if "result" not in answer:
            raise ProviderError("malformed", "Odoo's SMS service answered no result.")
        return answer["result"]

    def balance(self):
        result = self._call(
            self.iap_endpoint + BALANCE_ROUTE,
            {
                "dbuuid": self.dbuuid,
                "account_token": self.account_token,
                "service_name": "sms",
            },
        )
        try:
            return Balance(float(result), "IAP credits")
        except (TypeError, ValueError):
            raise ProviderError(
                "malformed", "Odoo's IAP service did not answer a balance."
            ) from None

    def lookup(self, tag, numbers):
        raise ProviderError(
            "config", "Odoo's SMS service cannot tell which messages it received."
        )

    def send(self, messages, tag=""):
        """One request per ``batch_size`` messages (500, the size of the requests of
        Odoo's own queue), its messages grouped by text; each number's answer decides
        for its message. A request that may have been acted on (no answer, unreadable
        answer) leaves its messages UNKNOWN, never sent again; the other requests are
        not affected."""
        results = []
        for start in range(0, len(messages), self.batch_size):
            results += self._send_request(messages[start : start + self.batch_size])
        return results

    def _send_request(self, messages):
        uuids = {message.ref: uuid.uuid4().hex for message in messages}
        by_body = {}
        for message in messages:
            by_body.setdefault(message.body, []).append(
                {"uuid": uuids[message.ref], "number": message.number}
            )
        try:
            result = self._call(
                self.endpoint + SEND_ROUTE,
                {
                    "account_token": self.account_token,
                    "dbuuid": self.dbuuid,
                    "webhook_url": self.webhook_url,
                    "messages": [
                        {"content": body, "numbers": numbers}
                        for body, numbers in by_body.items()
                    ],
                },
            )
        except ProviderError as error:
            return failed_results(messages, error)
        states = {}
        if isinstance(result, list):
            states = {
                item.get("uuid"): str(item.get("state") or "")
                for item in result
                if isinstance(item, dict)
            }
        return [
            self._result(message, uuids[message.ref], states.get(uuids[message.ref]))
            for message in messages
        ]

    @staticmethod
    def _result(message, message_uuid, state):
        if state in ACCEPTED_STATES:
            return SendResult(
                message.ref,
                True,
                provider_id=message_uuid,
                status=ACCEPTED_STATES[state],
                raw_status=state,
            )
        if state is None:  # absent from the answer: the service may have it
            return SendResult(
                message.ref,
                False,
                status="",
                raw_status="no answer",
                error="Odoo's SMS service did not answer for this number.",
                outcome=UNKNOWN,
                error_kind="malformed",
            )
        text = STATE_TEXTS.get(state, f"Odoo's SMS service answered {state!r}.")
        outcome = RETRY if state in RETRY_STATES else REFUSED
        kind = (
            "rejected"
            if outcome == REFUSED
            else ("credit" if state == "insufficient_credit" else "server")
        )
        return SendResult(
            message.ref,
            False,
            status="",
            raw_status=state[:64],
            error=text,
            outcome=outcome,
            error_kind=kind,
        )

    def fetch_statuses(self, queries):
        return []  # statuses come by the webhook only

    def parse_delivery_report(self, params):
        """One webhook call: ``message_statuses`` (the JSON-RPC ``params``) ->
        StatusUpdates."""
        statuses = params.get("message_statuses") if isinstance(params, dict) else None
        if not isinstance(statuses, list) or not statuses:
            raise ProviderError(
                "malformed",
                "A delivery report of Odoo's SMS service needs " "'message_statuses'.",
            )
        updates = []
        for entry in statuses:
            raw = entry.get("sms_status") if isinstance(entry, dict) else None
            uuids = entry.get("uuids") if isinstance(entry, dict) else None
            if (
                raw not in REPORT_MAP
                or not isinstance(uuids, list)
                or not uuids
                or not all(_is_uuid(value) for value in uuids)
            ):
                raise ProviderError(
                    "malformed",
                    "Each status needs a known 'sms_status' and " "32-hex 'uuids'.",
                )
            error = "" if REPORT_MAP[raw] in (PROCESSING, SENT, DELIVERED) else raw
            updates += [
                StatusUpdate(value, REPORT_MAP[raw], raw, error) for value in uuids
            ]
        return updates
