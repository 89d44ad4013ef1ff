# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Small local HTTP servers that speak the providers' documented protocols, for the
tests and benchmarks (bound to 127.0.0.1 only). They check what a real provider checks
(OVH's signature, Octopush's API headers and request ids) and answer the documented
bodies and errors.

``mode`` switches the behaviour: ``ok``, ``auth`` (401), ``reject`` (400), ``server``
(500), ``slow`` (answers after ``delay`` seconds).
"""

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

try:  # inside the addon: the Odoo tests and the benchmarks
    from ...tools.providers.ovh import signature
    from ...tools.sms_text import GSM7, UCS2, measure
except ImportError:  # the tools' plain pytest tests (tools/tests/conftest.py)
    from psms_tools.providers.ovh import signature
    from psms_tools.sms_text import GSM7, UCS2, measure

#: the ``coding`` of an OVH job for the encoding the addon measured (and charged)
OVH_CODING = {GSM7: "7bit", UCS2: "8bit"}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeProvider/1.0"
    #: keeps the connection between requests, as the providers' servers do (every
    #: answer gives its Content-Length): a client's session reuses it
    protocol_version = "HTTP/1.1"
    #: TCP_NODELAY, as a provider's web server sets it: on a kept connection, the
    #: body written after the headers leaves at once (without it, the client's
    #: delayed ACK holds it back tens of milliseconds)
    disable_nagle_algorithm = True
    #: an idle kept connection is closed after these seconds
    timeout = 5

    def setup(self):
        result = super().setup()
        #: which connection of the server this is (1, 2, ...)
        self.connection_number = self.server.open_connection(self.connection)
        return result

    def log_message(self, *args):  # keep test output clean
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8") if length else ""

    def _answer(self, code, payload):
        self._answer_raw(code, json.dumps(payload).encode(), "application/json")

    def _answer_raw(self, code, data, content_type="text/html"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _common(self):
        fake = self.server.fake
        if fake.mode == "slow":
            time.sleep(fake.delay)
        if fake.mode == "server":
            self._answer(500, {"message": "Internal server error"})
            return False
        return True

    def do_GET(self):
        self.server.fake.handle(self, "GET", "")

    def do_POST(self):
        self.server.fake.handle(self, "POST", self._read_body())

    def do_PATCH(self):
        self.server.fake.handle(self, "PATCH", self._read_body())

    def do_DELETE(self):
        self.server.fake.handle(self, "DELETE", "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections = []  # every connection accepted, in order
        self._connections_lock = threading.Lock()

    def open_connection(self, sock):
        """Note a new connection; return its number (1, 2, ...)."""
        with self._connections_lock:
            self.connections.append(sock)
            return len(self.connections)

    def close_connections(self):
        """Close the connections kept alive: a client's session left open gets no
        answer from a server that was stopped."""
        with self._connections_lock:
            for sock in self.connections:
                with contextlib.suppress(OSError):  # already closed by the client
                    sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address):
        # a client that gave up (timeout tests) closes the connection: nothing to report
        pass


class FakeProvider:
    """Base of the fake servers: ``with FakeOvh() as ovh: ... ovh.url``."""

    def __init__(self):
        self.mode = "ok"
        self.delay = 2.0
        #: seconds every request waits before its answer (a provider's latency; the
        #: requests are served in parallel)
        self.latency = 0.0
        self.requests = []
        #: when each request arrived (``time.time()``, in arrival order): a rate
        #: limit is checked on them
        self.request_times = []
        #: the number of the connection of each request, in arrival order (see
        #: _Handler.setup): the connections a client opened
        self.peers = []
        self._id_lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self):
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()

    def handle(self, handler, method, body):
        self.request_times.append(time.time())
        self.peers.append(handler.connection_number)
        self.requests.append((method, handler.path, dict(handler.headers), body))
        if self.latency:
            time.sleep(self.latency)
        if not handler._common():
            return
        self.route(handler, method, urlparse(handler.path), body)


class FakeOvh(FakeProvider):
    """``POST /1.0/sms/{service}/jobs``, ``GET /1.0/sms/{service}/outgoing/{id}``,
    ``GET|DELETE /1.0/sms/{service}/incoming/{id}``, ``GET /1.0/auth/time``; every call
    but auth/time must carry a valid signature. A job's ``coding`` must be the one its
    message needs (``7bit`` for GSM-7, ``8bit`` for Unicode): OVH would garble a Unicode
    character sent in 7bit, and bill a GSM-7 text sent in 8bit as Unicode, so the fake
    refuses both (400)."""

    def __init__(
        self,
        application_key="ak",
        application_secret="as",
        consumer_key="ck",
        service_name="sms-ab12345-1",
    ):
        super().__init__()
        self.application_key = application_key
        self.application_secret = application_secret
        self.consumer_key = consumer_key
        self.service_name = service_name
        self.next_id = 1000
        self.outgoing = {}  # id -> {"receiver", "message", "deliveryReceipt", "ptt"}
        self.jobs = []
        self.incoming = {}  # id -> {"sender", "message", "tag"}
        #: faults of the next job posts, in order ("ok", "server": 500 and no job,
        #: "garbage": job created then a 200 answer that is not JSON, "lost": job
        #: created then no answer before ``delay`` seconds, as when the client times
        #: out)
        self.job_faults = []
        #: faults of the next reply deletions, in order ("ok", "server": 500, reply
        #: kept)
        self.delete_faults = []
        # ids of the replies deleted, in order (one entry per deletion)
        self.deleted = []
        #: faults of the next reads of a reply (``GET /incoming/{id}``), in order
        #: ("ok", "server": 500)
        self.read_faults = []
        # ids of the replies read, in order
        self.read = []
        self.credits_left = 1250.0

    def _new_id(self):
        """The next id (requests are served by several threads)."""
        with self._id_lock:
            self.next_id += 1
            return self.next_id

    def add_incoming(self, sender, message, tag=""):
        new_id = self._new_id()
        self.incoming[str(new_id)] = {
            "id": new_id,
            "sender": sender,
            "message": message,
            "tag": tag,
        }
        return str(new_id)

    @property
    def url(self):
        return self.base_url + "/1.0"

    def settings(self, **extra):
        return dict(
            application_key=self.application_key,
            application_secret=self.application_secret,
            consumer_key=self.consumer_key,
            service_name=self.service_name,
            endpoint=self.url,
            **extra,
        )

    def _signed(self, handler, method, body):
        headers = handler.headers
        if headers.get("X-Ovh-Application") != self.application_key:
            return False
        if headers.get("X-Ovh-Consumer") != self.consumer_key:
            return False
        timestamp = headers.get("X-Ovh-Timestamp", "")
        url = self.base_url + handler.path
        expected = signature(
            self.application_secret, self.consumer_key, method, url, body, timestamp
        )
        return (
            headers.get("X-Ovh-Signature") == expected
            and abs(int(timestamp or 0) - time.time()) < 60
        )

    def route(self, handler, method, url, body):
        path = url.path
        if path == "/1.0/auth/time" and method == "GET":
            return handler._answer(200, int(time.time()))
        if self.mode == "auth" or not self._signed(handler, method, body):
            return handler._answer(
                403, {"message": "Invalid signature", "errorCode": "INVALID_SIGNATURE"}
            )
        prefix = f"/1.0/sms/{self.service_name}"
        if method == "GET" and path == prefix:
            return handler._answer(
                200,
                {
                    "name": self.service_name,
                    "status": "enable",
                    "creditsLeft": self.credits_left,
                },
            )
        if method == "POST" and path == prefix + "/jobs":
            return self._post_job(handler, body)
        if method == "GET" and path == prefix + "/incoming":
            return handler._answer(200, [int(i) for i in self.incoming])
        if path.startswith(prefix + "/incoming/"):
            inbound_id = path.rsplit("/", 1)[1]
            if inbound_id not in self.incoming:
                return handler._answer(
                    404, {"message": "The requested object does not exist"}
                )
            if method == "DELETE":
                if (
                    self.delete_faults.pop(0) if self.delete_faults else "ok"
                ) == "server":
                    return handler._answer(500, {"message": "Internal server error"})
                del self.incoming[inbound_id]
                self.deleted.append(inbound_id)
                return handler._answer(200, None)
            if (self.read_faults.pop(0) if self.read_faults else "ok") == "server":
                return handler._answer(500, {"message": "Internal server error"})
            self.read.append(inbound_id)
            return handler._answer(200, self.incoming[inbound_id])
        if method == "GET" and path == prefix + "/outgoing":
            tag = parse_query(handler.path).get("tag")
            return handler._answer(
                200,
                [
                    int(i)
                    for i, sms in self.outgoing.items()
                    if tag is None or sms["tag"] == tag
                ],
            )
        if method == "GET" and path.startswith(prefix + "/outgoing/"):
            sms = self.outgoing.get(path.rsplit("/", 1)[1])
            if not sms:
                return handler._answer(
                    404, {"message": "The requested object does not exist"}
                )
            return handler._answer(
                200,
                {
                    "id": int(path.rsplit("/", 1)[1]),
                    "deliveryReceipt": sms["deliveryReceipt"],
                    "ptt": sms["ptt"],
                    "receiver": sms["receiver"],
                },
            )
        return handler._answer(
            404, {"message": f"Got an invalid (or empty) URL: {path}"}
        )

    def _post_job(self, handler, body):
        fault = self.job_faults.pop(0) if self.job_faults else "ok"
        if fault == "server":
            return handler._answer(500, {"message": "Internal server error"})
        try:
            job = json.loads(body)
        except ValueError:
            return handler._answer(400, {"message": "Invalid JSON"})
        if self.mode == "reject" or not job.get("message") or not job.get("receivers"):
            return handler._answer(
                400, {"message": "Invalid parameter: message or receivers"}
            )
        if job.get("senderForResponse") and job.get("sender"):
            return handler._answer(
                400, {"message": "sender and senderForResponse are exclusive"}
            )
        if job.get("coding") != OVH_CODING[measure(job["message"]).encoding]:
            return handler._answer(
                400,
                {"message": "Invalid parameter: coding does not fit " "the message"},
            )
        self.jobs.append(job)
        valid, invalid, ids = [], [], []
        for receiver in job["receivers"]:
            if not receiver.startswith("+") or receiver.endswith("98"):
                invalid.append(receiver)
                continue
            new_id = self._new_id()
            ids.append(new_id)
            valid.append(receiver)
            self.outgoing[str(new_id)] = {
                "receiver": receiver,
                "message": job["message"],
                "deliveryReceipt": 8,
                "ptt": 0,
                "tag": job.get("tag", ""),
            }
        if fault == "garbage":
            return handler._answer_raw(
                200, b"<html>Service temporarily degraded</html>"
            )
        if fault == "lost":
            time.sleep(self.delay)
        return handler._answer(
            200,
            {
                "ids": ids,
                "validReceivers": valid,
                "invalidReceivers": invalid,
                "tag": job.get("tag", ""),
                "totalCreditsRemoved": len(valid),
            },
        )


class FakeOctopush(FakeProvider):
    """``POST /v1/public/sms-campaign/send`` with ``api-login``/``api-key`` headers."""

    def __init__(self, api_login="login@example.com", api_key="secret-key"):
        super().__init__()
        self.api_login = api_login
        self.api_key = api_key
        self.request_ids = set()
        self.campaigns = []
        self.amount = "216.027"
        self.callbacks = {}

    @property
    def url(self):
        return self.base_url + "/v1/public"

    def settings(self, **extra):
        return dict(
            api_login=self.api_login, api_key=self.api_key, endpoint=self.url, **extra
        )

    def route(self, handler, method, url, body):
        if (
            self.mode == "auth"
            or handler.headers.get("api-login") != self.api_login
            or handler.headers.get("api-key") != self.api_key
        ):
            return handler._answer(
                401, {"code": 100, "message": "Invalid login or API key"}
            )
        if method == "GET" and url.path == "/v1/public/wallet/check-balance":
            product = parse_query(handler.path).get("product_name", "sms_premium")
            return handler._answer(
                200, {"amount": self.amount, "unit": product, "wallet_packs": None}
            )
        if method == "PATCH" and url.path == "/v1/public/user/campaign-parameters/edit":
            try:
                callbacks = json.loads(body).get("callbacks")
            except (ValueError, AttributeError):
                callbacks = None
            if not isinstance(callbacks, dict):
                return handler._answer(
                    400, {"code": 121, "message": "Invalid parameters"}
                )
            self.callbacks.update(callbacks)
            return handler._answer(200, {"callbacks": self.callbacks})
        if method != "POST" or url.path != "/v1/public/sms-campaign/send":
            return handler._answer(404, {"code": 404, "message": "Not found"})
        try:
            campaign = json.loads(body)
        except ValueError:
            return handler._answer(400, {"code": 121, "message": "Invalid JSON"})
        recipients = campaign.get("recipients") or []
        if self.mode == "reject" or not campaign.get("text") or not recipients:
            return handler._answer(
                400, {"code": 121, "message": "Missing text or recipients"}
            )
        if len(recipients) > 500:
            return handler._answer(400, {"code": 122, "message": "Too many recipients"})
        if campaign.get("request_id") in self.request_ids:
            return handler._answer(
                400, {"code": 175, "message": "request_id already used"}
            )
        self.request_ids.add(campaign.get("request_id"))
        self.campaigns.append(campaign)
        ticket = f"sms_{len(self.campaigns):08d}"
        return handler._answer(
            201,
            {
                "sms_ticket": ticket,
                "number_of_contacts": len(recipients),
                "total_cost": 0.05 * len(recipients),
            },
        )


class FakeOdooIap(FakeProvider):
    """Odoo's SMS service as the ``sms`` module speaks to it: JSON-RPC ``POST
    /api/sms/3/send`` and ``POST /iap/1/balance``, checked against the database's
    ``account_token``; ``report()`` posts delivery reports to the ``webhook_url`` it was
    given, as the service does. ``states`` forces the answer for a number (e.g.
    ``wrong_number_format``); mode ``credit`` answers the InsufficientCreditError."""

    def __init__(self, account_token="iap-token"):
        super().__init__()
        self.account_token = account_token
        self.states = {}
        self.sent = []  # {"uuid", "number", "content"}
        self.webhook_url = ""
        self.credit = 42.5

    @property
    def url(self):
        return self.base_url

    def settings(self, **extra):
        return dict(
            account_token=self.account_token,
            dbuuid="db-uuid",
            endpoint=self.url,
            iap_endpoint=self.url,
            **extra,
        )

    def _rpc_error(self, handler, name, message, call_id):
        return handler._answer(
            200,
            {
                "jsonrpc": "2.0",
                "id": call_id,
                "error": {
                    "code": 200,
                    "message": "Odoo Server Error",
                    "data": {"name": name, "message": message},
                },
            },
        )

    def route(self, handler, method, url, body):
        try:
            call = json.loads(body)
            params, call_id = call["params"], call.get("id")
        except (ValueError, KeyError, TypeError):
            return handler._answer(400, {"message": "Not JSON-RPC"})
        if method != "POST" or url.path not in ("/api/sms/3/send", "/iap/1/balance"):
            return handler._answer(404, {"message": "Not found"})
        if params.get("account_token") != self.account_token:
            return self._rpc_error(
                handler, "odoo.exceptions.AccessError", "Unknown account", call_id
            )
        if url.path == "/iap/1/balance":
            return handler._answer(
                200, {"jsonrpc": "2.0", "id": call_id, "result": self.credit}
            )
        if self.mode == "credit":
            return self._rpc_error(
                handler,
                "odoo.addons.iap.tools.iap_tools." "InsufficientCreditError",
                "No credit",
                call_id,
            )
        self.webhook_url = params.get("webhook_url") or ""
        result = []
        for message in params.get("messages") or []:
            for number in message.get("numbers") or []:
                state = self.states.get(number["number"], "success")
                if state == "success":
                    self.sent.append(dict(number, content=message["content"]))
                result.append({"uuid": number["uuid"], "state": state, "credit": 1})
        return handler._answer(200, {"jsonrpc": "2.0", "id": call_id, "result": result})

    def report(self, sms_status, uuids, base_url=None):
        """Post a delivery report to the webhook (``base_url`` replaces its scheme and
        host, e.g. a test server's)."""
        import requests  # noqa: PLC0415 (only the tests post reports)

        target = urlparse(self.webhook_url)
        url = (base_url.rstrip("/") + target.path) if base_url else self.webhook_url
        return requests.post(
            url,
            timeout=10,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "message_statuses": [{"sms_status": sms_status, "uuids": uuids}]
                },
            },
        )


def parse_query(path):
    return {key: values[0] for key, values in parse_qs(urlparse(path).query).items()}
