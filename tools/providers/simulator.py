"""The built-in simulator: no account, no network, deterministic.

Each message is accepted with an id ``sim-…``. Every status poll moves it one step:
``processing`` -> ``sent`` (delivered to operator) -> final status chosen by the last two
digits of the number:

==========  ====================================================
ends with   final status
==========  ====================================================
``00``      failed (number unreachable)
``01``      not_received (phone off; becomes expired after 48 h)
``02``      expired
``03``      stop (recipient opted out at the operator)
``98``      refused at send time (bad destination)
otherwise   delivered
==========  ====================================================
"""
import uuid

from .base import (DELIVERED, EXPIRED, FAILED, NOT_RECEIVED, PROCESSING, SENT, STOP,
                   InboundReply, Provider, ProviderError, SendResult, StatusUpdate, require)

FINAL_BY_SUFFIX = {"00": FAILED, "01": NOT_RECEIVED, "02": EXPIRED, "03": STOP}
REFUSED_SUFFIX = "98"


def final_status(number):
    return FINAL_BY_SUFFIX.get(number[-2:], DELIVERED)


class SimulatorProvider(Provider):
    """The simulator remembers what it was sent in this process (``lookup``)."""

    name = "simulator"
    batch_size = 1000
    _sent = {}  # tag -> {number: provider_id}, shared by the process

    def lookup(self, tag, numbers):
        known = self._sent.get(tag, {})
        return {number: known[number] for number in numbers if number in known}

    def send(self, messages, tag=""):
        sent = self._sent.setdefault(tag, {}) if tag else {}
        results = []
        for message in messages:
            if message.number.endswith(REFUSED_SUFFIX):
                results.append(SendResult(message.ref, False, status=FAILED,
                                          raw_status="BAD_DESTINATION",
                                          error="The simulator refuses numbers ending in 98."))
                continue
            provider_id = f"sim-{uuid.uuid4().hex}"
            sent[message.number] = provider_id
            results.append(SendResult(message.ref, True, provider_id=provider_id,
                                      status=PROCESSING, raw_status="ACCEPTED",
                                      provider_tag=tag))
        return results

    def fetch_statuses(self, queries):
        updates = []
        for query in queries:
            if query.status == PROCESSING:
                updates.append(StatusUpdate(query.provider_id, SENT, "SENT_TO_OPERATOR"))
            elif query.status == SENT:
                final = final_status(query.number)
                updates.append(StatusUpdate(query.provider_id, final, final.upper()))
        return updates

    def parse_delivery_report(self, params):
        provider_id = params.get("id")
        status = params.get("status")
        if not provider_id or status not in (SENT, DELIVERED, NOT_RECEIVED, FAILED, EXPIRED,
                                             STOP):
            raise ProviderError("malformed", "A simulator report needs 'id' and a known 'status'.")
        return StatusUpdate(str(provider_id), status, status.upper())

    def parse_inbound(self, params):
        inbound_id, number, text = require(params, "id", "number", "text")
        return InboundReply(inbound_id, number, text, str(params.get("ref") or ""))
