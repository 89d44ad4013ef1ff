# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A provider client used as a context manager (a dispatch run) sends its requests
through one ``requests.Session``: one connection for all of them when the server keeps
it alive, closed at the end; outside it, one connection per request as before. Every
request has a timeout, whatever the caller gives."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from psms_tools.providers import ProviderError, get_provider
from psms_tools.providers.http import DEFAULT_TIMEOUT, request


class _KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection between requests

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.server.peers.add(self.client_address)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"jsonrpc": "2.0", "id": 1, "result": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAlive)
    httpd.daemon_threads = True
    httpd.peers = set()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _client(httpd):
    return get_provider(
        "odoo_iap",
        account_token="token",
        endpoint=f"http://127.0.0.1:{httpd.server_address[1]}",
        timeout=5,
    )


def test_one_connection_per_run_closed_at_its_end(server):
    client = _client(server)
    with client:
        session = client.session
        assert session is not None
        for _i in range(4):
            client._call(client.endpoint + "/api/sms/3/send", {})
    assert len(server.peers) == 1, "the four requests shared one connection"
    assert client.session is None
    assert not session.adapters["http://"].poolmanager.pools, "connections closed"


def test_without_a_run_one_connection_per_request(server):
    client = _client(server)
    for _i in range(3):
        client._call(client.endpoint + "/api/sms/3/send", {})
    assert client.session is None
    assert len(server.peers) == 3


def test_close_is_idempotent_and_the_client_usable_again(server):
    client = _client(server)
    with client:
        client._call(client.endpoint + "/api/sms/3/send", {})
    client.close()
    with client:
        client._call(client.endpoint + "/api/sms/3/send", {})
    assert client.session is None


def test_a_request_always_has_a_timeout(server, monkeypatch):
    """No timeout given: the default one, not an endless wait."""
    import requests

    seen = []
    real = requests.Session.request

    def spy(self, method, url, **kwargs):
        seen.append(kwargs.get("timeout"))
        return real(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    with requests.Session() as session:
        request(
            "POST",
            f"http://127.0.0.1:{server.server_address[1]}/",
            None,
            session=session,
            json={},
        )
    assert seen == [DEFAULT_TIMEOUT]


def test_unreachable_through_a_session_is_unreachable():
    client = get_provider(
        "odoo_iap", account_token="token", endpoint="http://127.0.0.1:9", timeout=2
    )
    with client, pytest.raises(ProviderError) as raised:
        client._call(client.endpoint + "/api/sms/3/send", {})
    assert raised.value.kind == "unreachable"
