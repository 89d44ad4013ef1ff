# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Hostile requests on the public callback routes: always a clear 4xx, nothing changed,
and the access log never shows a token."""

import json
import logging

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..tools.webhook import MAX_BODY, MAX_TEXT
from .common_sms import CallbackTokens

QUIET = ("odoo.addons.participant_sms.controllers.main", "odoo.http", "werkzeug")


@tagged("post_install", "-at_install")
class TestHostileCallbacks(CallbackTokens, HttpCase):
    def setUp(self):
        super().setUp()
        self.simulator = self.env.ref("participant_sms.sms_account_simulator")
        self.Reply = self.env["participant.sms.reply"]

    def _inbound(self, token=None, **kwargs):
        return self.url_open(
            f"/participant_sms/inbound/{token or self.token(self.simulator)}", **kwargs
        )

    def _json(self, text, token=None):
        return self._inbound(
            token,
            data=text.encode() if isinstance(text, str) else text,
            headers={"Content-Type": "application/json"},
        )

    @mute_logger(*QUIET)
    def test_every_hostile_request_gets_a_clear_4xx_and_changes_nothing(self):
        token = self.token(self.simulator)
        deep = (
            '{"id": "1", "number": "+33612345678", "text": '
            + "[" * 100000
            + "]" * 100000
            + "}"
        )
        cases = [
            (
                "NUL in the token",
                lambda: self.url_open(f"/participant_sms/inbound/{token[:-1]}%00"),
                403,
            ),
            (
                "token of another length",
                lambda: self.url_open("/participant_sms/dlr/short"),
                403,
            ),
            (
                "NUL in a query value",
                lambda: self.url_open(
                    f"/participant_sms/dlr/{token}?id=1%00&status=delivered"
                ),
                400,
            ),
            (
                "NUL in a query name",
                lambda: self.url_open(
                    f"/participant_sms/dlr/{token}?i%00d=1&status=delivered"
                ),
                400,
            ),
            (
                "NUL in a form field",
                lambda: self._inbound(
                    data={"id": "r1", "number": "+33612345678", "text": "OUI\x00"}
                ),
                400,
            ),
            (
                "NUL in a JSON field",
                lambda: self._json(
                    '{"id": "r1", "number": "+33612345678", "text": "OUI\\u0000"}'
                ),
                400,
            ),
            ("JSON nested 100,000 deep", lambda: self._json(deep), 413),
            (
                "JSON nested 40 deep",
                lambda: self._json('{"id": "1", "x": ' + "[" * 40 + "]" * 40 + "}"),
                400,
            ),
            ("JSON that is not an object", lambda: self._json("[1, 2, 3]"), 400),
            ("JSON that is not UTF-8", lambda: self._json(b'{"text": "\xff"}'), 400),
            (
                "a 2 MB reply",
                lambda: self._json(
                    json.dumps(
                        {"id": "big", "number": "+33612345678", "text": "a" * 2_000_000}
                    )
                ),
                413,
            ),
            (
                "a 9.9 MB form",
                lambda: self._inbound(
                    data={
                        "id": "big",
                        "number": "+33612345678",
                        "text": "a" * 9_900_000,
                    }
                ),
                413,
            ),
            (
                "a body just over the limit",
                lambda: self._json(json.dumps({"id": "x", "text": "a" * MAX_BODY})),
                413,
            ),
        ]
        count = self.Reply.search_count([])
        results = {}
        for name, send, expected in cases:
            with self.subTest(name):
                response = send()
                results[name] = response.status_code
                self.assertEqual(response.status_code, expected, name)
        self.assertEqual(self.Reply.search_count([]), count, "nothing recorded")
        logging.getLogger(__name__).info(
            "hostile callbacks: %s cases, codes %s", len(cases), results
        )

    @mute_logger("odoo.addons.participant_sms.controllers.main")
    def test_a_long_reply_is_bounded_with_its_size_noted(self):
        response = self._json(
            json.dumps(
                {"id": "long-1", "number": "+33600000001", "text": "OUI " + "x" * 9996}
            )
        )
        self.assertEqual(response.status_code, 200)
        reply = self.Reply.search([("inbound_id", "=", "long-1")])
        self.assertEqual((len(reply.text), reply.text_length), (MAX_TEXT, 10000))

    def test_the_access_log_never_shows_a_token(self):
        """The server writes its access line after answering (and tests run it quiet):
        the filters installed on the real ``werkzeug`` logger get the line werkzeug
        writes."""
        token = self.token(self.simulator)
        access = logging.getLogger("werkzeug")
        self.assertTrue(access.filters, "the redaction filter is installed")
        lines = []
        for path in (
            f"/participant_sms/dlr/{token}?id=1&status=delivered",
            f"/participant_sms/inbound/{token}",
        ):
            record = logging.LogRecord(
                "werkzeug",
                logging.INFO,
                __file__,
                0,
                '%s - - [%s] "%s" %s -',
                ("127.0.0.1", "25/Nov/2026", f"GET {path} HTTP/1.1", 200),
                None,
            )
            self.assertTrue(all(f.filter(record) for f in access.filters))
            lines.append(record.getMessage())
        self.assertFalse([line for line in lines if token in line])
        self.assertIn("/participant_sms/dlr/***?id=1", lines[0])
        self.assertIn("/participant_sms/inbound/*** HTTP/1.1", lines[1])
