# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The provider interface: send a batch, fetch statuses, parse a delivery-report
callback, authenticate a callback. Statuses are ours (see ``STATUSES``); the provider's
raw code is kept beside them."""

import hmac
from dataclasses import dataclass

# our operator-side statuses
PROCESSING = "processing"  # accepted by the provider, on its way
SENT = "sent"  # delivered to the operator
DELIVERED = "delivered"  # delivered to the phone
NOT_RECEIVED = "not_received"  # sent, phone unreachable: operators retry for 48 h
FAILED = "failed"  # number unreachable / refused
EXPIRED = "expired"  # still unreachable after the operators' retries
STOP = "stop"  # the recipient opted out (blacklisted)
STATUSES = (PROCESSING, SENT, DELIVERED, NOT_RECEIVED, FAILED, EXPIRED, STOP)
FINAL_STATUSES = frozenset((DELIVERED, FAILED, EXPIRED, STOP))


class ProviderError(Exception):
    """A provider call that did not work. ``kind``:

    - ``unreachable``: the request never reached the provider (retry later);
    - ``uncertain``: the request left but no answer came back (read timeout, connection
      cut): the provider may have acted on it;
    - ``auth``: wrong credentials (retry after fixing the settings);
    - ``credit``: no credit left at the provider (retry after buying some);
    - ``rejected``: the provider refused the request (4xx other than auth);
    - ``server``: the provider failed (5xx; retry later);
    - ``malformed``: an answer or a callback we cannot read;
    - ``config``: the account is not configured.
    """

    def __init__(self, kind, message, status_code=None):
        super().__init__(message)
        self.kind = kind
        self.status_code = status_code

    @property
    def retryable(self):
        return self.kind in ("unreachable", "uncertain", "server", "auth", "credit")

    @property
    def maybe_sent(self):
        """For a send request: whether the provider may have accepted it all the same
        (no answer, or a success answer we cannot read)."""
        return self.kind in ("uncertain", "malformed")

    def send_outcome(self):
        """The :data:`OUTCOMES` value of the messages of a send request that failed
        so."""
        if self.maybe_sent:
            return UNKNOWN
        return RETRY if self.retryable else REFUSED


@dataclass(frozen=True)
class OutgoingSms:
    ref: str  # our reference of the message (unique)
    number: str  # E.164
    body: str
    sender: str = ""  # sender label (ignored when reply is True)
    reply: bool = False  # sent from the reply-capable number


# what became of one message of a send request
ACCEPTED = "accepted"  # the provider has it (``provider_id``)
REFUSED = "refused"  # the provider refused it for good: not sent
RETRY = "retry"  # not sent, for a passing reason: send it again later
# the provider may have it: ask it (``lookup``), never send it again blind
UNKNOWN = "unknown"
OUTCOMES = (ACCEPTED, REFUSED, RETRY, UNKNOWN)


@dataclass(frozen=True)
class SendResult:
    ref: str
    accepted: bool
    provider_id: str = ""
    status: str = PROCESSING
    raw_status: str = ""
    error: str = ""
    provider_tag: str = ""
    outcome: str = ""  # one of OUTCOMES; empty: ACCEPTED or REFUSED after ``accepted``
    error_kind: str = ""  # the ProviderError kind when the request failed

    def __post_init__(self):
        if not self.outcome:
            object.__setattr__(self, "outcome", ACCEPTED if self.accepted else REFUSED)
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown send outcome {self.outcome!r}")


def failed_results(messages, error):
    """The results of ``messages`` whose one request failed with ``error``
    (ProviderError)."""
    return [
        SendResult(
            message.ref,
            False,
            status="",
            raw_status=error.kind,
            error=str(error),
            outcome=error.send_outcome(),
            error_kind=error.kind,
        )
        for message in messages
    ]


@dataclass(frozen=True)
class Balance:
    """What the provider says is left on the account."""

    amount: float
    unit: str  # e.g. "SMS credits" (OVH), "sms_premium" (Octopush)


@dataclass(frozen=True)
class StatusQuery:
    provider_id: str
    number: str
    status: str


@dataclass(frozen=True)
class StatusUpdate:
    provider_id: str
    status: str
    raw_status: str = ""
    error: str = ""


@dataclass(frozen=True)
class InboundReply:
    inbound_id: str
    number: str
    text: str
    provider_ref: str = ""


def require(params, *names):
    """The values of ``names`` in ``params`` (stripped strings); ProviderError if one is
    missing or empty."""
    values = []
    for name in names:
        value = params.get(name)
        if not isinstance(value, str | int) or not str(value).strip():
            raise ProviderError("malformed", f"The callback has no '{name}'.")
        values.append(str(value).strip())
    return values


def group_messages(messages, max_size):
    """Group messages that share text, sender and reply mode (one provider request
    each), a number at most once per group, at most ``max_size`` per group. Return
    lists."""
    groups, open_groups = [], {}
    for message in messages:
        key = (message.body, "" if message.reply else message.sender, message.reply)
        group = open_groups.get(key)
        if (
            group is None
            or message.number in group["numbers"]
            or len(group["messages"]) >= max_size
        ):
            group = {"messages": [], "numbers": set()}
            groups.append(group)
            open_groups[key] = group
        group["messages"].append(message)
        group["numbers"].add(message.number)
    return [group["messages"] for group in groups]


def check_token(expected, given):
    """Constant-time comparison of a callback token; an empty expected token never
    matches."""
    if not expected or not given or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


#: the provider clients by name: each subclass of :class:`Provider` adds itself
PROVIDERS = {}


def get_provider(name, **settings):
    """The client of the provider ``name``, built with ``settings``."""
    try:
        return PROVIDERS[name](**settings)
    except KeyError:
        raise ProviderError("config", f"Unknown SMS provider: {name!r}") from None


class Provider:
    """Base class of the provider clients."""

    name = None

    def __init_subclass__(cls):
        """Each client is known by its name (``object``'s hook does nothing)."""
        PROVIDERS[cls.name] = cls

    #: how many messages one request to the provider carries at most: a ``send``
    #: of more (a dispatch batch) makes several requests
    batch_size = 500
    #: the ``requests.Session`` of a client used as a context manager (a dispatch
    #: run): its connections are reused from one request to the next; None: one
    #: connection per request
    session = None
    #: whether statuses can be fetched (otherwise they come by callback only)
    can_poll = True

    def __init__(self, timeout=10, throttle=None, **settings):
        self.timeout = timeout
        #: called before each HTTP request: waits for a slot of the account's rate
        #: limit (see ``throttle.py``), shared by every process that uses the account
        self.throttle = throttle or (lambda: None)
        self.settings = settings
        self.session = None

    def __enter__(self):
        """``with client:`` sends every request of the block through one
        ``requests.Session`` (keep-alive, one TLS handshake), closed at its end."""
        import requests  # noqa: PLC0415 (only the HTTP clients need it)

        if self.session is None:
            self.session = requests.Session()
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def close(self):
        """Close the client's session and its connections (idempotent)."""
        session, self.session = self.session, None
        if session is not None:
            session.close()

    def _request(self, method, url, timeout, **kwargs):
        """Every HTTP request of a client: its slot of the rate limit first."""
        from .http import request  # noqa: PLC0415 (http imports this module)

        self.throttle()
        return request(method, url, timeout, session=self.session, **kwargs)

    #: whether ``lookup`` can tell which messages of an interrupted send the provider
    #: has
    can_lookup = True

    def send(self, messages, tag=""):
        """Send ``messages`` (a list of :class:`OutgoingSms`) under ``tag`` (our
        reference of the dispatch, given back by ``lookup``); return one
        :class:`SendResult` per message, in order. Each provider request decides the
        outcome of its own messages only (accepted, refused, to retry, or unknown when
        the request may have been acted on). Raise :class:`ProviderError` only when no
        request was made."""
        raise NotImplementedError

    def balance(self):
        """The account's credit at the provider (:class:`Balance`); also proves that the
        credentials work. Raise :class:`ProviderError` when it cannot be read."""
        raise NotImplementedError

    def lookup(self, tag, numbers):
        """After an interrupted dispatch: ``{number: provider_id}`` of the messages sent
        under ``tag`` that the provider has (a number absent from the answer was not
        sent)."""
        raise NotImplementedError

    def fetch_statuses(self, queries):
        """Return :class:`StatusUpdate` for the :class:`StatusQuery` whose status is
        known."""
        raise NotImplementedError

    def parse_delivery_report(self, params):
        """Read a delivery-report callback (a dict of its query or body) into a
        :class:`StatusUpdate`; raise ``ProviderError('malformed')`` when it cannot."""
        raise NotImplementedError

    #: whether replies can be fetched (otherwise they come by callback only)
    can_poll_replies = False

    def parse_inbound(self, params):
        """Read an inbound-reply callback into an :class:`InboundReply`; raise
        ``ProviderError('malformed')`` when it cannot."""
        raise NotImplementedError

    def fetch_replies(self):
        """Replies waiting at the provider (for providers that deliver them by pull)."""
        return list(self.iter_replies())

    def iter_replies(self):
        """The replies waiting at the provider one by one, each fetched when it is
        read (a backlog is worked through in bounded batches); may raise
        ProviderError at any point."""
        return iter(())

    def acknowledge_replies(self, inbound_ids):
        """Tell the provider these replies were recorded (it may then forget them)."""
        return None

    #: whether ``register_callbacks`` can give the provider our callback addresses
    can_register_callbacks = False

    def register_callbacks(self, delivery_report_url, inbound_url):
        """Give the provider the addresses of our delivery-report and reply
        callbacks."""
        raise NotImplementedError
