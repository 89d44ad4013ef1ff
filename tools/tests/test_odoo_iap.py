# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's SMS service (IAP) on the local server that speaks its JSON-RPC protocol."""

import json

import pytest
from psms_fakes.fake_providers import FakeOdooIap
from psms_tools.providers import OutgoingSms, ProviderError, get_provider
from psms_tools.providers.base import DELIVERED, FAILED, REFUSED, RETRY, UNKNOWN


def sms(ref, number, body="Bonjour"):
    return OutgoingSms(ref, number, body)


def test_send_groups_by_text_and_each_number_decides():
    with FakeOdooIap() as server:
        server.states["+33612345600"] = "wrong_number_format"
        server.states["+33612345601"] = "server_error"
        iap = get_provider(
            "odoo_iap",
            webhook_url="https://db.example/participant_sms/iap/1/x",
            **server.settings(),
        )
        results = iap.send(
            [
                sms("a", "+33612345678"),
                sms("b", "+33612345679", "Autre"),
                sms("c", "+33612345600"),
                sms("d", "+33612345601"),
            ]
        )
        assert [r.outcome for r in results] == ["accepted", "accepted", REFUSED, RETRY]
        assert (
            len(results[0].provider_id) == 32
            and results[0].provider_id != results[1].provider_id
        )
        assert {s["uuid"] for s in server.sent} == {
            results[0].provider_id,
            results[1].provider_id,
        }
        method, path, _headers, _body = server.requests[-1]
        assert (method, path) == ("POST", "/api/sms/3/send")
        assert server.webhook_url.endswith("/participant_sms/iap/1/x")
        assert "formatted" in results[2].error


def test_credit_error_and_wrong_token_are_retried_not_failed():
    with FakeOdooIap() as server:
        server.mode = "credit"
        (result,) = get_provider("odoo_iap", **server.settings()).send(
            [sms("a", "+33612345678")]
        )
        assert (result.outcome, result.error_kind) == (RETRY, "credit")
        assert "InsufficientCreditError" in result.error
        server.mode = "ok"
        (result,) = get_provider(
            "odoo_iap", **dict(server.settings(), account_token="bad")
        ).send([sms("a", "+33612345678")])
        assert (result.outcome, result.error_kind) == (RETRY, "auth")


def test_no_answer_is_unknown_and_balance_is_read():
    with FakeOdooIap() as server:
        server.mode, server.delay = "slow", 1.5
        (result,) = get_provider("odoo_iap", timeout=0.5, **server.settings()).send(
            [sms("a", "+33612345678")]
        )
        assert result.outcome == UNKNOWN
        server.mode = "ok"
        assert get_provider("odoo_iap", **server.settings()).balance().amount == 42.5


def test_delivery_reports_parsed_and_checked():
    iap = get_provider("odoo_iap", account_token="t")
    updates = iap.parse_delivery_report(
        {
            "message_statuses": [
                {"sms_status": "delivered", "uuids": ["a" * 32, "b" * 32]},
                {"sms_status": "rejected", "uuids": ["c" * 32]},
            ]
        }
    )
    assert [(u.provider_id[0], u.status) for u in updates] == [
        ("a", DELIVERED),
        ("b", DELIVERED),
        ("c", FAILED),
    ]
    for bad in (
        {},
        {"message_statuses": []},
        {"message_statuses": [{"sms_status": "teleported", "uuids": ["a" * 32]}]},
        {"message_statuses": [{"sms_status": "delivered", "uuids": ["../etc"]}]},
    ):
        with pytest.raises(ProviderError):
            iap.parse_delivery_report(bad)


def test_an_account_without_iap_token_is_incomplete():
    with pytest.raises(ProviderError) as err:
        get_provider("odoo_iap")
    assert err.value.kind == "config"


class FailingSecondRequest(FakeOdooIap):
    """Answers its second request with a server error (500), the others as usual."""

    def route(self, handler, method, url, body):
        if len(self.requests) == 2:
            return handler._answer(500, {"message": "Internal server error"})
        return super().route(handler, method, url, body)


def test_a_dispatch_batch_goes_in_requests_of_500_each_deciding_for_its_own():
    numbers = [f"+336{n:08d}" for n in range(1201)]
    messages = [sms(str(n), number) for n, number in enumerate(numbers)]
    with FakeOdooIap() as server:
        results = get_provider("odoo_iap", **server.settings()).send(messages)
        sizes = [
            sum(len(m["numbers"]) for m in json.loads(body)["params"]["messages"])
            for _method, _path, _headers, body in server.requests
        ]
        assert sizes == [500, 500, 201]
        assert [r.ref for r in results] == [m.ref for m in messages]
        assert {r.outcome for r in results} == {"accepted"}
        assert sorted(s["number"] for s in server.sent) == numbers
    with FailingSecondRequest() as server:
        results = get_provider("odoo_iap", **server.settings()).send(messages)
        assert [r.ref for r in results] == [m.ref for m in messages]
        outcomes = [r.outcome for r in results]
        assert outcomes[:500] == ["accepted"] * 500
        # a server error: the service did not take them, they wait for a retry
        assert set(outcomes[500:1000]) == {RETRY}
        assert outcomes[1000:] == ["accepted"] * 201
        assert len(server.sent) == 701
