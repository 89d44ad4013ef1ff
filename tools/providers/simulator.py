# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The built-in simulator: no account, no network, deterministic.

Each message is accepted with an id ``sim-…`` and remembered in the simulator's *store*,
as a real provider remembers what it accepted: after a crash, ``lookup`` finds it
exactly as OVH's ``/outgoing?tag=`` would. The store is given by the caller (the addon
keeps it in the database, committed apart from the dispatcher's transaction); without
one, a store in memory.

Every status poll moves a message one step: ``processing`` -> ``sent`` (delivered to
operator) -> final status chosen by the last two digits of the number:

==========  ====================================================
ends with   what happens
==========  ====================================================
``00``      failed (number unreachable)
``01``      not_received (phone off; becomes expired after 48 h)
``02``      expired
``03``      stop (recipient opted out at the operator)
``96``      accepted, but the answer is lost (as after a timeout): outcome unknown
``97``      the simulated service fails (like an HTTP 500): not sent, to retry
``98``      refused at send time (bad destination)
otherwise   delivered
==========  ====================================================
"""

import uuid

from .base import (
    DELIVERED,
    EXPIRED,
    FAILED,
    NOT_RECEIVED,
    PROCESSING,
    RETRY,
    SENT,
    STOP,
    UNKNOWN,
    Balance,
    InboundReply,
    Provider,
    ProviderError,
    SendResult,
    StatusUpdate,
    require,
)

FINAL_BY_SUFFIX = {"00": FAILED, "01": NOT_RECEIVED, "02": EXPIRED, "03": STOP}
LOST_ANSWER_SUFFIX = "96"
FAILING_SUFFIX = "97"
REFUSED_SUFFIX = "98"


def final_status(number):
    return FINAL_BY_SUFFIX.get(number[-2:], DELIVERED)


class MemoryStore:
    """What a simulator accepted, in this process only."""

    def __init__(self):
        self.accepted = {}  # tag -> {number: provider_id}

    def remember(self, tag, accepted):
        """``accepted``: ``(ref, number, provider_id)`` of the messages of one send
        under ``tag``."""
        self.accepted.setdefault(tag, {}).update(
            (number, provider_id) for _ref, number, provider_id in accepted
        )

    def find(self, tag, numbers):
        known = self.accepted.get(tag, {})
        return {number: known[number] for number in numbers if number in known}


class SimulatorProvider(Provider):
    name = "simulator"
    batch_size = 1000

    def __init__(self, store=None, **settings):
        super().__init__(**settings)
        self.store = store if store is not None else MemoryStore()

    #: what the simulator says is left (it never runs out)
    BALANCE = 10000.0

    def balance(self):
        return Balance(self.BALANCE, "simulated SMS")

    def lookup(self, tag, numbers):
        return self.store.find(tag, numbers)

    def send(self, messages, tag=""):
        results, accepted = [], []
        for message in messages:
            suffix = message.number[-2:]
            if suffix == REFUSED_SUFFIX:
                results.append(
                    SendResult(
                        message.ref,
                        False,
                        status=FAILED,
                        raw_status="BAD_DESTINATION",
                        error="The simulator refuses numbers ending in 98.",
                    )
                )
                continue
            if suffix == FAILING_SUFFIX:
                results.append(
                    SendResult(
                        message.ref,
                        False,
                        status="",
                        raw_status="HTTP 500",
                        error="The simulated service failed (number ending " "in 97).",
                        outcome=RETRY,
                    )
                )
                continue
            provider_id = f"sim-{uuid.uuid4().hex}"
            accepted.append((message.ref, message.number, provider_id))
            if suffix == LOST_ANSWER_SUFFIX:
                results.append(
                    SendResult(
                        message.ref,
                        False,
                        status="",
                        raw_status="timeout",
                        error="The simulated answer was lost (number ending " "in 96).",
                        outcome=UNKNOWN,
                    )
                )
                continue
            results.append(
                SendResult(
                    message.ref,
                    True,
                    provider_id=provider_id,
                    status=PROCESSING,
                    raw_status="ACCEPTED",
                    provider_tag=tag,
                )
            )
        if accepted:
            self.store.remember(tag, accepted)
        return results

    def fetch_statuses(self, queries):
        updates = []
        for query in queries:
            if query.status == PROCESSING:
                updates.append(
                    StatusUpdate(query.provider_id, SENT, "SENT_TO_OPERATOR")
                )
            elif query.status == SENT:
                final = final_status(query.number)
                updates.append(StatusUpdate(query.provider_id, final, final.upper()))
        return updates

    def parse_delivery_report(self, params):
        provider_id = params.get("id")
        status = params.get("status")
        if not provider_id or status not in (
            SENT,
            DELIVERED,
            NOT_RECEIVED,
            FAILED,
            EXPIRED,
            STOP,
        ):
            raise ProviderError(
                "malformed", "A simulator report needs 'id' and a known 'status'."
            )
        return StatusUpdate(str(provider_id), status, status.upper())

    def parse_inbound(self, params):
        inbound_id, number, text = require(params, "id", "number", "text")
        return InboundReply(inbound_id, number, text, str(params.get("ref") or ""))
