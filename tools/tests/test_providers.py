# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psms_fakes.fake_providers import FakeOctopush, FakeOvh
from psms_tools.providers import (
    OutgoingSms,
    ProviderError,
    StatusQuery,
    check_token,
    get_provider,
)
from psms_tools.providers.base import (
    ACCEPTED,
    DELIVERED,
    EXPIRED,
    FAILED,
    NOT_RECEIVED,
    PROCESSING,
    REFUSED,
    RETRY,
    SENT,
    STOP,
    UNKNOWN,
)
from psms_tools.providers.ovh import signature
from psms_tools.providers.simulator import MemoryStore
from psms_tools.sms_text import GSM7, UCS2, measure


def sms(ref, number, body="Rappel : RDV demain 9h", **kw):
    return OutgoingSms(
        ref=ref, number=number, body=body, sender=kw.pop("sender", "MAIRIE"), **kw
    )


# -- simulator -------------------------------------------------------------------------
def test_simulator_progression_by_number():
    sim = get_provider("simulator")
    numbers = {
        "a": "+33612345678",
        "b": "+33612345600",
        "c": "+33612345601",
        "d": "+33612345602",
        "e": "+33612345603",
    }
    results = sim.send([sms(ref, number) for ref, number in numbers.items()])
    assert all(r.accepted and r.status == PROCESSING for r in results)
    queries = [StatusQuery(r.provider_id, numbers[r.ref], PROCESSING) for r in results]
    first = sim.fetch_statuses(queries)
    assert {u.status for u in first} == {SENT}
    queries = [StatusQuery(r.provider_id, numbers[r.ref], SENT) for r in results]
    final = {u.provider_id: u.status for u in sim.fetch_statuses(queries)}
    assert [final[r.provider_id] for r in results] == [
        DELIVERED,
        FAILED,
        NOT_RECEIVED,
        EXPIRED,
        STOP,
    ]


def test_simulator_refuses_98():
    (result,) = get_provider("simulator").send([sms("x", "+33612345698")])
    assert not result.accepted and result.status == FAILED and result.outcome == REFUSED


def test_simulator_faults_and_store():
    """97: the service fails (retry, nothing kept); 96: accepted but the answer is lost
    (unknown): the store has it, as a real provider would."""
    store = MemoryStore()
    sim = get_provider("simulator", store=store)
    results = sim.send(
        [sms("a", "+33612345697"), sms("b", "+33612345696"), sms("c", "+33612345678")],
        tag="t",
    )
    assert [r.outcome for r in results] == [RETRY, UNKNOWN, ACCEPTED]
    # another client with the same store (after a crash) finds what was accepted
    found = get_provider("simulator", store=store).lookup(
        "t", ["+33612345697", "+33612345696", "+33612345678"]
    )
    assert set(found) == {"+33612345696", "+33612345678"}


def test_unknown_provider():
    with pytest.raises(ProviderError) as err:
        get_provider("carrier-pigeon")
    assert err.value.kind == "config"


def test_check_token():
    assert check_token("abc", "abc")
    assert not check_token("abc", "abd")
    assert not check_token("", "")
    assert not check_token("abc", None)


# -- OVH -------------------------------------------------------------------------------
def test_ovh_signature_formula():
    sig = signature(
        "AS", "CK", "post", "https://eu.api.ovh.com/1.0/sms/x/jobs", "{}", 1366560945
    )
    import hashlib

    expected = (
        "$1$"
        + hashlib.sha1(
            b"AS+CK+POST+https://eu.api.ovh.com/1.0/sms/x/jobs+{}+1366560945"
        ).hexdigest()
    )
    assert sig == expected


def test_ovh_send_groups_receivers_and_signs():
    with FakeOvh() as server:
        ovh = get_provider("ovh", **server.settings())
        messages = [
            sms("1", "+33612345678"),
            sms("2", "+33612345679"),
            sms("3", "+33612345678"),  # same number again: second job
            sms("4", "+33612345670", body="Autre texte"),
            sms("5", "+33612345671", reply=True),
        ]
        results = ovh.send(messages)
        assert [r.accepted for r in results] == [True] * 5
        assert len({r.provider_id for r in results}) == 5
        assert len(server.jobs) == 4
        first = server.jobs[0]
        assert first["receivers"] == ["+33612345678", "+33612345679"]
        assert first["noStopClause"] is True and first["sender"] == "MAIRIE"
        assert first["tag"] == "1"
        reply_job = server.jobs[-1]
        assert reply_job["senderForResponse"] is True and "sender" not in reply_job


def test_ovh_invalid_receiver():
    with FakeOvh() as server:
        results = get_provider("ovh", **server.settings()).send(
            [sms("1", "+33612345678"), sms("2", "+33612345698")]
        )
        assert results[0].accepted and not results[1].accepted
        assert results[1].status == FAILED


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Rappel : RDV demain 9h à la mairie. Ça ira ?", "7bit"),  # à, Ç: GSM-7 basic
        ("Merci, ça ira", "8bit"),  # ç is not (only Ç is)
        ("Tarif : 5€ [salle B] {étage 2} ~ ^ | \\", "7bit"),  # GSM-7 extension table
        ("Répondez OUI ✓", "8bit"),
        ("C’est confirmé", "8bit"),  # typographic apostrophe
        ("Œuvre collective", "8bit"),
        ("Bonne journée 😀", "8bit"),  # outside the BMP
    ],
)
def test_ovh_job_coding_fits_the_text(body, expected):
    """Invariant: a job is coded as its text was measured and charged (``sms_text``):
    7bit for GSM-7, 8bit for UCS-2; the local OVH server refuses any other, so an
    accepted job is one OVH would deliver intact."""
    with FakeOvh() as server:
        (result,) = get_provider("ovh", **server.settings()).send(
            [sms("1", "+33612345678", body=body)]
        )
        assert result.accepted
        (job,) = server.jobs
        assert job["coding"] == expected
        assert job["coding"] == {GSM7: "7bit", UCS2: "8bit"}[measure(body).encoding]
        assert server.outgoing[result.provider_id]["message"] == body


def test_fake_ovh_refuses_a_coding_that_does_not_fit():
    """The local OVH server is a real check: a Unicode text in 7bit (garbled by OVH) or
    a GSM-7 text in 8bit (billed as Unicode) is refused, nothing is created."""
    with FakeOvh() as server:
        ovh = get_provider("ovh", **server.settings())
        for body, wrong in (
            ("Répondez OUI ✓", "7bit"),
            ("Répondez OUI", "8bit"),
            ("Répondez OUI", "16bit"),
        ):
            payload = ovh._job_payload([sms("1", "+33612345678", body=body)], "t")
            payload["coding"] = wrong
            response = ovh.call("POST", f"/sms/{server.service_name}/jobs", payload)
            assert response.status_code == 400
        assert server.jobs == [] and server.outgoing == {}


@pytest.fixture(scope="module")
def ovh_server():
    with FakeOvh() as server:
        yield server


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.text(alphabet="aéàçÇ€[]{}^~|\\ Ω@£\n’«»✓Œ😀", min_size=1, max_size=80))
def test_ovh_any_text_goes_out_with_its_coding(ovh_server, body):
    """Whatever the mix of GSM-7, extension and Unicode characters, the job is accepted
    with the coding the addon charged, and OVH keeps the text as it was."""
    (result,) = get_provider("ovh", **ovh_server.settings()).send(
        [sms("1", "+33612345678", body=body)]
    )
    assert result.accepted
    assert ovh_server.jobs[-1]["coding"] == (
        "8bit" if measure(body).encoding == UCS2 else "7bit"
    )
    assert ovh_server.outgoing[result.provider_id]["message"] == body


def test_ovh_statuses_by_pull():
    with FakeOvh() as server:
        ovh = get_provider("ovh", **server.settings())
        (result,) = ovh.send([sms("1", "+33612345678")])
        query = StatusQuery(result.provider_id, "+33612345678", PROCESSING)
        assert ovh.fetch_statuses([query])[0].status == SENT
        server.outgoing[result.provider_id]["deliveryReceipt"] = 1
        (update,) = ovh.fetch_statuses([query])
        assert update.status == DELIVERED and "dlr=1" in update.raw_status
        assert ovh.fetch_statuses([StatusQuery("999999", "+33612345678", SENT)]) == []


@pytest.mark.parametrize(
    "mode, outcome, kind",
    [
        ("auth", RETRY, "auth"),
        ("reject", REFUSED, "rejected"),
        ("server", RETRY, "server"),
    ],
)
def test_ovh_errors(mode, outcome, kind):
    with FakeOvh() as server:
        if mode == "server":
            server.job_faults = ["server"]  # /auth/time answers; the job fails
        else:
            server.mode = mode
        (result,) = get_provider("ovh", **server.settings()).send(
            [sms("1", "+33612345678")]
        )
        assert (result.accepted, result.outcome, result.raw_status) == (
            False,
            outcome,
            kind,
        )
        assert "as" not in result.error.split()  # no secret in the message


def test_ovh_each_job_decides_for_its_own_messages():
    """Job 1 accepted, job 2 answered 500, job 3 created but its answer is unreadable,
    job 4 created but its answer is lost (timeout): only job 2 may be sent again."""
    with FakeOvh() as server:
        server.job_faults, server.delay = ["ok", "server", "garbage", "lost"], 1.5
        ovh = get_provider("ovh", timeout=0.5, **server.settings())
        messages = [
            sms("1", "+33612345678", body="A"),
            sms("2", "+33612345679", body="B"),
            sms("3", "+33612345670", body="C"),
            sms("4", "+33612345671", body="D"),
        ]
        results = ovh.send(messages, tag="t1")
        assert [r.outcome for r in results] == [ACCEPTED, RETRY, UNKNOWN, UNKNOWN]
        assert results[0].provider_id and not results[1].provider_id
        # what OVH really has: jobs 1, 3 and 4; lookup finds exactly those
        found = ovh.lookup("t1", [m.number for m in messages])
        assert set(found) == {"+33612345678", "+33612345670", "+33612345671"}


def test_ovh_time_failure_sends_nothing():
    with FakeOvh() as server:
        server.mode = "server"
        with pytest.raises(ProviderError) as err:
            get_provider("ovh", **server.settings()).send([sms("1", "+33612345678")])
        assert err.value.kind == "server" and server.jobs == []


def test_ovh_wrong_secret_is_refused_by_signature_check():
    with FakeOvh() as server:
        settings = server.settings()
        settings["application_secret"] = "wrong"
        (result,) = get_provider("ovh", **settings).send([sms("1", "+33612345678")])
        assert (result.outcome, result.raw_status) == (
            RETRY,
            "auth",
        ) and server.jobs == []


def test_ovh_timeout():
    """No answer in time: the request may have been acted on (uncertain), never "not
    sent"."""
    with FakeOvh() as server:
        server.mode, server.delay = "slow", 1.5
        started = time.monotonic()
        with pytest.raises(ProviderError) as err:
            get_provider("ovh", timeout=0.5, **server.settings()).call("GET", "/me")
        assert err.value.kind == "uncertain" and err.value.retryable
        assert time.monotonic() - started < 1.4


def test_ovh_unreachable():
    with pytest.raises(ProviderError) as err:
        get_provider(
            "ovh",
            application_key="a",
            application_secret="b",
            consumer_key="c",
            service_name="s",
            endpoint="http://127.0.0.1:9/1.0",
            timeout=1,
        ).send([sms("1", "+33612345678")])
    assert err.value.kind == "unreachable"


def test_ovh_config_required():
    with pytest.raises(ProviderError) as err:
        get_provider("ovh", application_key="a")
    assert err.value.kind == "config"


def test_ovh_delivery_report():
    ovh = get_provider(
        "ovh",
        application_key="a",
        application_secret="b",
        consumer_key="c",
        service_name="s",
    )
    update = ovh.parse_delivery_report(
        {"id": "1234", "dlr": "1", "ptt": "0", "description": "Delivered"}
    )
    assert (update.provider_id, update.status) == ("1234", DELIVERED)
    assert ovh.parse_delivery_report({"id": "1234", "dlr": "4"}).status == NOT_RECEIVED
    for bad in (
        {},
        {"id": "1234"},
        {"id": "x", "dlr": "1"},
        {"id": "1", "dlr": "77"},
        {"id": "1", "dlr": "abc"},
    ):
        with pytest.raises(ProviderError) as err:
            ovh.parse_delivery_report(bad)
        assert err.value.kind == "malformed"


# -- Octopush --------------------------------------------------------------------------
def test_octopush_send():
    with FakeOctopush() as server:
        octopush = get_provider("octopush", **server.settings())
        messages = [sms(str(i), f"+336123456{i:02d}") for i in range(10, 15)]
        messages.append(sms("r", "+33612345699", reply=True))
        results = octopush.send(messages)
        assert all(r.accepted for r in results)
        assert results[0].provider_id == "sms_00000001:+33612345610"
        assert len(server.campaigns) == 2
        assert server.campaigns[0]["sender"] == "MAIRIE"
        assert (
            server.campaigns[1]["with_replies"] is True
            and "sender" not in server.campaigns[1]
        )
        # the same messages again: same request_id, refused by Octopush as a duplicate
        again = octopush.send(messages[:5])
        assert {r.outcome for r in again} == {REFUSED}


def test_octopush_splits_at_500():
    with FakeOctopush() as server:
        messages = [sms(str(i), f"+3361{i:07d}") for i in range(1200)]
        results = get_provider("octopush", **server.settings()).send(messages)
        assert len(results) == 1200
        assert [len(c["recipients"]) for c in server.campaigns] == [500, 500, 200]


@pytest.mark.parametrize(
    "mode, outcome", [("auth", RETRY), ("reject", REFUSED), ("server", RETRY)]
)
def test_octopush_errors(mode, outcome):
    with FakeOctopush() as server:
        server.mode = mode
        (result,) = get_provider("octopush", **server.settings()).send(
            [sms("1", "+33612345678")]
        )
        assert (result.accepted, result.outcome) == (False, outcome)


def test_octopush_timeout_is_unknown_not_failed():
    with FakeOctopush() as server:
        server.mode, server.delay = "slow", 1.5
        (result,) = get_provider("octopush", timeout=0.5, **server.settings()).send(
            [sms("1", "+33612345678")]
        )
        assert result.outcome == UNKNOWN


def test_octopush_delivery_report():
    octopush = get_provider("octopush", api_login="l", api_key="k")
    update = octopush.parse_delivery_report(
        {
            "sms_ticket": "sms_1",
            "number": "+33612345678",
            "status": "DELIVERED",
            "message_id": "m1",
        }
    )
    assert (update.provider_id, update.status) == ("sms_1:+33612345678", DELIVERED)
    assert (
        octopush.parse_delivery_report(
            {"sms_ticket": "t", "number": "33612345678", "status": "BLACKLISTED_NUMBER"}
        ).status
        == STOP
    )
    for bad in (
        {},
        {"sms_ticket": "t", "number": "+33612345678", "status": "WHATEVER"},
    ):
        with pytest.raises(ProviderError):
            octopush.parse_delivery_report(bad)


def test_octopush_registers_its_callbacks_and_cannot_poll():
    with FakeOctopush() as server:
        octopush = get_provider("octopush", **server.settings())
        assert octopush.can_register_callbacks and not octopush.can_poll
        octopush.register_callbacks("https://x.example/dlr/t", "https://x.example/in/t")
        assert server.callbacks == {
            "callback_url_for_deliveries": "https://x.example/dlr/t",
            "callback_url_for_inbounds": "https://x.example/in/t",
        }
        assert server.requests[-1][0] == "PATCH"
        server.mode = "auth"
        with pytest.raises(ProviderError) as err:
            octopush.register_callbacks("https://y.example/dlr", "https://y.example/in")
        assert err.value.kind == "auth"
        assert (
            server.callbacks["callback_url_for_deliveries"] == "https://x.example/dlr/t"
        )
    assert not get_provider("simulator").can_register_callbacks


def test_simulator_lookup_after_interrupted_send():
    sim = get_provider("simulator")
    sim.send([sms("1", "+33612345678"), sms("2", "+33612345679")], tag="claim-abc")
    found = sim.lookup("claim-abc", ["+33612345678", "+33612345677"])
    assert list(found) == ["+33612345678"]
    assert sim.lookup("claim-unknown", ["+33612345678"]) == {}


def test_ovh_lookup_by_tag():
    with FakeOvh() as server:
        ovh = get_provider("ovh", **server.settings())
        results = ovh.send(
            [sms("1", "+33612345678"), sms("2", "+33612345679")], tag="claim-xyz"
        )
        assert server.jobs[0]["tag"] == "claim-xyz"
        found = ovh.lookup("claim-xyz", ["+33612345678", "+33612345670"])
        assert found == {"+33612345678": results[0].provider_id}
        assert ovh.lookup("other", ["+33612345678"]) == {}


def test_octopush_cannot_lookup():
    with pytest.raises(ProviderError):
        get_provider("octopush", api_login="l", api_key="k").lookup(
            "t", ["+33612345678"]
        )


def test_inbound_parsing():
    sim = get_provider("simulator")
    reply = sim.parse_inbound(
        {"id": "r1", "number": "+33612345678", "text": "OUI", "ref": "t"}
    )
    assert (reply.inbound_id, reply.number, reply.text, reply.provider_ref) == (
        "r1",
        "+33612345678",
        "OUI",
        "t",
    )
    ovh = get_provider(
        "ovh",
        application_key="a",
        application_secret="b",
        consumer_key="c",
        service_name="s",
    )
    reply = ovh.parse_inbound(
        {"id": "9", "senderid": "+33612345678", "message": "Non", "tag": "abc"}
    )
    assert (reply.number, reply.text, reply.provider_ref) == (
        "+33612345678",
        "Non",
        "abc",
    )
    octopush = get_provider("octopush", api_login="l", api_key="k")
    reply = octopush.parse_inbound(
        {"message_id": "m", "number": "33612345678", "text": "ok"}
    )
    assert reply.number == "+33612345678"
    for provider, bad in (
        (sim, {"id": "1", "number": "+336"}),
        (ovh, {"id": "1"}),
        (octopush, {"number": "+33612345678", "text": "x"}),
        (sim, {"id": ["x"], "number": "1", "text": "a"}),
    ):
        with pytest.raises(ProviderError) as err:
            provider.parse_inbound(bad)
        assert err.value.kind == "malformed"


def test_ovh_reply_polling_and_acknowledge():
    with FakeOvh() as server:
        ovh = get_provider("ovh", **server.settings())
        first = server.add_incoming("+33612345678", "OUI", tag="claim-1")
        server.add_incoming("+33612345679", "Non merci")
        replies = ovh.fetch_replies()
        assert [(r.inbound_id, r.number, r.text, r.provider_ref) for r in replies][
            0
        ] == (first, "+33612345678", "OUI", "claim-1")
        assert len(replies) == 2
        ovh.acknowledge_replies([r.inbound_id for r in replies])
        assert server.incoming == {}
        assert ovh.fetch_replies() == []


def test_ovh_fetching_deletes_nothing_acknowledging_does():
    """Invariant: a reply leaves OVH only by ``acknowledge_replies`` (the caller's
    commit decides when); a deletion that fails keeps the reply there for the next poll,
    and acknowledging a reply already gone is no error."""
    with FakeOvh() as server:
        ovh = get_provider("ovh", **server.settings())
        first = server.add_incoming("+33612345678", "OUI")
        second = server.add_incoming("+33612345679", "Non")
        assert len(ovh.fetch_replies()) == 2
        assert len(ovh.fetch_replies()) == 2 and server.deleted == []
        server.delete_faults = ["server"]
        with pytest.raises(ProviderError) as err:
            ovh.acknowledge_replies([first, second])
        assert err.value.kind == "server"
        assert set(server.incoming) == {
            first,
            second,
        }, "nothing deleted after the failure"
        ovh.acknowledge_replies([first, second])
        ovh.acknowledge_replies([first])  # already gone (404): fine
        assert server.incoming == {} and server.deleted == [first, second]


# -- balances --------------------------------------------------------------------------
def test_balances_from_the_providers():
    with FakeOvh() as server:
        server.credits_left = 42.5
        balance = get_provider("ovh", **server.settings()).balance()
        assert (balance.amount, balance.unit) == (42.5, "SMS credits")
        server.mode = "auth"
        with pytest.raises(ProviderError) as error:
            get_provider("ovh", **server.settings()).balance()
        assert error.value.kind == "auth"
    with FakeOctopush() as server:
        balance = get_provider("octopush", **server.settings()).balance()
        assert (balance.amount, balance.unit) == (216.027, "sms_premium")
        assert "product_name=sms_premium" in server.requests[-1][1]
        server.mode = "auth"
        with pytest.raises(ProviderError) as error:
            get_provider("octopush", **server.settings()).balance()
        assert error.value.kind == "auth"
    assert get_provider("simulator").balance().unit == "simulated SMS"
