# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from psms_tools.webhook import (
    MAX_BODY,
    MAX_DEPTH,
    WebhookError,
    bound_text,
    json_depth_ok,
    read_params,
)


def read(body=b"", mimetype="application/json", args=(), form=()):
    return read_params(args, form, body, mimetype)


def test_plain_callbacks():
    assert read(args=[("id", "12"), ("dlr", "1")], mimetype="") == {
        "id": "12",
        "dlr": "1",
    }
    assert read(
        json.dumps({"number": "+33612345678", "text": "OUI", "n": 3}).encode()
    ) == {"number": "+33612345678", "text": "OUI", "n": 3}


@pytest.mark.parametrize(
    "args, form, body",
    [
        ([("id", "1\x00")], [], b""),
        ([("i\x00d", "1")], [], b""),
        ([], [("text", "a\x00")], b""),
        ([], [], b'{"text": "OUI\\u0000"}'),
        ([], [], b'{"te\\u0000xt": "OUI"}'),
    ],
)
def test_nul_bytes_anywhere_are_refused(args, form, body):
    with pytest.raises(WebhookError) as error:
        read(body, args=args, form=form)
    assert error.value.status == 400


def test_deep_json_is_refused_before_parsing():
    deep = ("[" * 100000 + "]" * 100000).encode()
    with pytest.raises(WebhookError) as error:
        read(b'{"a": ' + deep[: MAX_BODY - 10] + b"}")
    assert error.value.status in (400, 413)
    nested = '{"a": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}"
    with pytest.raises(WebhookError) as error:
        read(nested.encode())
    assert error.value.status == 400 and "nested" in str(error.value)


def test_oversize_and_malformed_bodies():
    with pytest.raises(WebhookError) as error:
        read(b"x" * (MAX_BODY + 1))
    assert error.value.status == 413
    with pytest.raises(WebhookError) as error:
        read_params([], [], b"", "application/json", content_length=10 * 1024 * 1024)
    assert error.value.status == 413
    for body in (b"\xff\xfe", b"[1, 2]", b"not json", b'{"a": {"b": 1}}'):
        with pytest.raises(WebhookError) as error:
            read(body)
        assert error.value.status == 400


def test_bound_text():
    assert bound_text("OUI") == ("OUI", None)
    kept, original = bound_text("a" * 2_000_000)
    assert (len(kept), original) == (1600, 2_000_000)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=30,
    )
)
def test_depth_scan_agrees_with_the_parser(value):
    text = json.dumps(value)

    def depth(item):
        if isinstance(item, list):
            return 1 + max(map(depth, item), default=0)
        if isinstance(item, dict):
            return 1 + max(map(depth, item.values()), default=0)
        return 0

    assert json_depth_ok(text, 3) == (depth(value) <= 3)
