# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OVHcloud SMS (``/1.0/sms/{serviceName}``), with OVH's request signature.

Every call is signed: ``X-Ovh-Signature = "$1$" +
sha1(AS+CK+METHOD+URL+BODY+TIMESTAMP)``, the six parts joined by ``+``, the timestamp
taken from ``/auth/time`` (the difference with the local clock is kept). Messages are
sent as jobs, many ``receivers`` per job when the text, sender and reply mode are the
same; ``noStopClause`` is set (informational messages: no STOP mention, not held at
night and on weekends); ``senderForResponse`` replaces ``sender`` for reply-enabled
messages; ``tag`` carries our reference. Statuses come by pull on ``/outgoing/{id}`` and
by the account's callback URL (query ``id``, ``dlr``, ``ptt``, ``description``), which
OVH does not sign: the callback URL carries our unguessable token instead.

A job's ``coding`` is the one its text needs, as OVH's own client decides it: ``7bit``
when every character is in the GSM 03.38 alphabet (basic or extension table), otherwise
``8bit`` (Unicode, 70 characters an SMS). The addon measured and charged the text the
same way (``sms_text``); a Unicode character sent in ``7bit`` would reach the phone
garbled.

Replies are pulled from ``/incoming`` and deleted there (``DELETE /incoming/{id}``) by
``acknowledge_replies``, which the caller must call only once the replies are safely
recorded (after its commit): ``fetch_replies`` itself deletes nothing.

``dlr`` codes (as the ``deliveryReceipt`` of ``/outgoing``): 1 delivered to the phone, 2
not delivered to the phone, 4 buffered at the operator (phone unreachable), 8 delivered
to the operator, 16 not delivered to the operator.
"""

import hashlib
import json
import time

from ..sms_text import ucs2_chars
from .base import (
    DELIVERED,
    FAILED,
    NOT_RECEIVED,
    PROCESSING,
    SENT,
    UNKNOWN,
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
from .http import json_object_or_error, json_or_error

DEFAULT_ENDPOINT = "https://eu.api.ovh.com/1.0"
DLR_STATUS = {1: DELIVERED, 2: FAILED, 4: NOT_RECEIVED, 8: SENT, 16: FAILED}
VALIDITY_MINUTES = 2880  # operators retry for 48 h


def coding(text):
    """The job ``coding`` that carries ``text`` intact: ``7bit`` (GSM-7) or ``8bit``
    (Unicode)."""
    return "8bit" if ucs2_chars(text) else "7bit"


def signature(app_secret, consumer_key, method, url, body, timestamp):
    raw = "+".join(
        [app_secret, consumer_key, method.upper(), url, body, str(timestamp)]
    )
    return "$1$" + hashlib.sha1(raw.encode("utf-8")).hexdigest()


class OvhProvider(Provider):
    name = "ovh"
    batch_size = 500
    can_poll_replies = True

    def __init__(
        self,
        application_key="",
        application_secret="",
        consumer_key="",
        service_name="",
        endpoint=DEFAULT_ENDPOINT,
        timeout=10,
        **settings,
    ):
        super().__init__(timeout=timeout, **settings)
        if not (
            application_key and application_secret and consumer_key and service_name
        ):
            raise ProviderError(
                "config",
                "The OVH account needs an application key and secret, "
                "a consumer key and the SMS service name.",
            )
        self.application_key = application_key
        self.application_secret = application_secret
        self.consumer_key = consumer_key
        self.service_name = service_name
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self._time_delta = None

    # -- signed calls ------------------------------------------------------------------
    def _server_time_delta(self):
        if self._time_delta is None:
            response = self._request("GET", self.endpoint + "/auth/time", self.timeout)
            server_time = json_or_error(response)
            if not isinstance(server_time, int):
                raise ProviderError(
                    "malformed", "OVH /auth/time did not answer a timestamp."
                )
            self._time_delta = server_time - int(time.time())
        return self._time_delta

    def call(self, method, path, payload=None):
        url = self.endpoint + path
        body = json.dumps(payload, separators=(",", ":")) if payload is not None else ""
        timestamp = int(time.time()) + self._server_time_delta()
        headers = {
            "X-Ovh-Application": self.application_key,
            "X-Ovh-Consumer": self.consumer_key,
            "X-Ovh-Timestamp": str(timestamp),
            "X-Ovh-Signature": signature(
                self.application_secret, self.consumer_key, method, url, body, timestamp
            ),
            "Content-Type": "application/json",
        }
        return self._request(
            method,
            url,
            self.timeout,
            data=body.encode("utf-8") or None,
            headers=headers,
        )

    # -- sending -----------------------------------------------------------------------
    def _job_payload(self, job, tag):
        first = job[0]
        body, sender, reply = first.body, first.sender, first.reply
        payload = {
            "charset": "UTF-8",
            "class": "phoneDisplay",
            "coding": coding(body),
            "message": body,
            "noStopClause": True,
            "priority": "high",
            "receivers": [message.number for message in job],
            "tag": tag or first.ref,
            "validityPeriod": VALIDITY_MINUTES,
        }
        if reply:
            payload["senderForResponse"] = True
        elif sender:
            payload["sender"] = sender
        return payload

    def send(self, messages, tag=""):
        """One job per group of messages; each job's answer decides for its own messages
        only: accepted receivers are sent, invalid ones refused, a failed job is retried
        (or, when OVH may have created it — no answer, unreadable answer — left to
        ``lookup``)."""
        self._server_time_delta()  # fails before any job is posted: nothing was sent
        results = {}
        for job in group_messages(messages, self.batch_size):
            payload = self._job_payload(job, tag)
            try:
                answer = json_object_or_error(
                    self.call("POST", f"/sms/{self.service_name}/jobs", payload)
                )
            except ProviderError as error:
                results.update((r.ref, r) for r in failed_results(job, error))
                continue
            results.update(self._job_results(job, answer, payload["tag"]))
        return [results[message.ref] for message in messages]

    @staticmethod
    def _job_results(job, answer, tag):
        ids = answer.get("ids") or []
        valid = answer.get("validReceivers") or []
        invalid = set(answer.get("invalidReceivers") or [])
        by_number = dict(zip(valid, ids, strict=False))
        for message in job:
            provider_id = by_number.get(message.number)
            if provider_id is not None:
                yield (
                    message.ref,
                    SendResult(
                        message.ref,
                        True,
                        provider_id=str(provider_id),
                        status=PROCESSING,
                        raw_status="job",
                        provider_tag=tag,
                    ),
                )
            elif message.number in invalid:
                yield (
                    message.ref,
                    SendResult(
                        message.ref,
                        False,
                        status=FAILED,
                        raw_status="invalidReceiver",
                        error="OVH: invalid receiver",
                    ),
                )
            else:  # neither valid nor invalid: OVH's answer does not say; ask it later
                yield (
                    message.ref,
                    SendResult(
                        message.ref,
                        False,
                        status="",
                        raw_status="job",
                        error="OVH: the answer does not name this receiver",
                        outcome=UNKNOWN,
                    ),
                )

    def balance(self):
        """``GET /sms/{serviceName}``: ``creditsLeft``, in SMS credits."""
        answer = json_object_or_error(self.call("GET", f"/sms/{self.service_name}"))
        try:
            return Balance(float(answer["creditsLeft"]), "SMS credits")
        except (KeyError, TypeError, ValueError):
            raise ProviderError(
                "malformed", "OVH did not answer creditsLeft."
            ) from None

    def lookup(self, tag, numbers):
        answer = json_or_error(
            self.call("GET", f"/sms/{self.service_name}/outgoing?tag={tag}")
        )
        wanted, found = set(numbers), {}
        for provider_id in answer or []:
            detail = json_or_error(
                self.call("GET", f"/sms/{self.service_name}/outgoing/{provider_id}")
            )
            if detail.get("receiver") in wanted:
                found[detail["receiver"]] = str(provider_id)
        return found

    # -- statuses ----------------------------------------------------------------------
    def fetch_statuses(self, queries):
        updates = []
        for query in queries:
            response = self.call(
                "GET", f"/sms/{self.service_name}/outgoing/{query.provider_id}"
            )
            if response.status_code == 404:
                # not out yet: still a pending job, or unknown to OVH
                continue
            answer = json_or_error(response)
            dlr = answer.get("deliveryReceipt")
            status = DLR_STATUS.get(dlr)
            if status:
                updates.append(
                    StatusUpdate(
                        query.provider_id, status, f"dlr={dlr} ptt={answer.get('ptt')}"
                    )
                )
        return updates

    def parse_delivery_report(self, params):
        provider_id = str(params.get("id") or "").strip()
        try:
            dlr = int(params.get("dlr"))
        except (TypeError, ValueError):
            dlr = None
        if not provider_id.isdigit() or dlr not in DLR_STATUS:
            raise ProviderError(
                "malformed",
                "An OVH delivery report needs a numeric 'id' and a "
                "known 'dlr' code.",
            )
        ptt, description = params.get("ptt", ""), params.get("description", "")
        raw = f"dlr={dlr} ptt={ptt} {description}".strip()
        return StatusUpdate(provider_id, DLR_STATUS[dlr], raw[:200])

    # -- replies -----------------------------------------------------------------------
    def parse_inbound(self, params):
        """The ``smsResponse`` callback: ``id``, ``senderid`` (or ``sender``),
        ``message``, and the ``tag`` of the SMS answered when OVH knows it."""
        (inbound_id,) = require(params, "id")
        number = str(params.get("senderid") or params.get("sender") or "").strip()
        text = params.get("message")
        if not number or not isinstance(text, str):
            raise ProviderError(
                "malformed", "An OVH reply needs 'senderid' and 'message'."
            )
        return InboundReply(inbound_id, number, text, str(params.get("tag") or ""))

    def iter_replies(self):
        """``GET /incoming`` (the ids), then each ``/incoming/{id}`` when it is read;
        nothing is deleted at OVH (see ``acknowledge_replies``)."""
        ids = json_or_error(self.call("GET", f"/sms/{self.service_name}/incoming"))
        for inbound_id in ids or []:
            detail = json_or_error(
                self.call("GET", f"/sms/{self.service_name}/incoming/{inbound_id}")
            )
            yield InboundReply(
                str(inbound_id),
                str(detail.get("sender") or ""),
                str(detail.get("message") or ""),
                str(detail.get("tag") or ""),
            )

    def acknowledge_replies(self, inbound_ids):
        """``DELETE /incoming/{id}`` of replies recorded and committed; one already gone
        (404) is fine. Raise ProviderError at the first that fails: it and the rest stay
        at OVH, fetched again by the next poll."""
        for inbound_id in inbound_ids:
            response = self.call(
                "DELETE", f"/sms/{self.service_name}/incoming/{inbound_id}"
            )
            if response.status_code not in (200, 204, 404):
                json_or_error(response)
