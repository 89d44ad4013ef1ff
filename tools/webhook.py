# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading provider callbacks safely: every limit is checked before anything is parsed.

- the body: at most ``MAX_BODY`` bytes (413 beyond), UTF-8;
- no NUL (or other C0 control character but tab, CR and LF) anywhere, keys or values
  (400);
- JSON: an object, nested at most ``MAX_DEPTH`` deep, checked by a scan before
  ``json.loads`` (a body nested 100,000 deep never reaches the parser's recursion);
- values: strings, numbers, booleans or null at the top level; at most ``MAX_FIELDS``
  fields.

Reply texts are bounded separately (``bound_text``): the first ``MAX_TEXT`` characters
are kept and the original size is noted.
"""

import json
import re

MAX_BODY = 64 * 1024
MAX_DEPTH = 16
MAX_FIELDS = 100
MAX_TEXT = 1600  # ten SMS
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WebhookError(Exception):
    """A callback refused before it reaches a provider parser; ``status`` is the HTTP
    code."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def check_text(value, what="value"):
    if _CONTROL.search(value):
        raise WebhookError(400, f"A {what} holds a control character.")
    return value


def strip_control(value):
    """``value`` with each control character a check refuses written as a space: for a
    text from an authenticated provider poll, kept rather than left at the provider for
    ever."""
    return _CONTROL.sub(" ", value or "")


def json_depth_ok(text, limit=MAX_DEPTH):
    """Whether ``text`` nests objects and arrays at most ``limit`` deep (strings
    skipped)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def read_params(args, form, body, mimetype, content_length=None):
    """The callback's parameters (query, form, JSON object), all checked; ``args`` and
    ``form`` are ``(key, value)`` pairs, ``body`` the raw bytes (read up to ``MAX_BODY +
    1``)."""
    if (content_length or 0) > MAX_BODY or len(body or b"") > MAX_BODY:
        raise WebhookError(413, f"The body is over {MAX_BODY} bytes.")
    params = {}
    for key, value in list(args) + list(form):
        params[check_text(key, "name")] = check_text(value)
    if mimetype == "application/json" and body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookError(400, "The body is not UTF-8.") from None
        if not json_depth_ok(text):
            raise WebhookError(
                400, f"The JSON body is nested more than {MAX_DEPTH} deep."
            )
        try:
            payload = json.loads(text)
        except ValueError:
            raise WebhookError(400, "The body is not JSON.") from None
        if not isinstance(payload, dict):
            raise WebhookError(400, "The JSON body is not an object.")
        for key, value in payload.items():
            if not isinstance(value, str | int | float | bool | None):
                raise WebhookError(400, f"The field {key[:40]!r} is not a plain value.")
            params[check_text(key, "name")] = (
                check_text(value) if isinstance(value, str) else value
            )
    if len(params) > MAX_FIELDS:
        raise WebhookError(400, f"More than {MAX_FIELDS} fields.")
    return params


def bound_text(text, limit=MAX_TEXT):
    """``(kept text, original length or None)``: the first ``limit`` characters."""
    if len(text) <= limit:
        return text, None
    return text[:limit], len(text)
