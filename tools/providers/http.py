# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One place for the HTTP calls of the provider clients: requests with a timeout, errors
turned into :class:`ProviderError`. Secrets never reach the error messages."""

import requests
import urllib3

from .base import ProviderError

#: seconds, for a caller that gives no timeout
DEFAULT_TIMEOUT = 10


def request(method, url, timeout, session=None, **kwargs):
    """``requests.request`` with a timeout, through ``session`` when given (a
    ``requests.Session``: its connections are kept and reused, see
    ``Provider.__enter__``). A request that never reached the provider raises
    ``ProviderError('unreachable')``; one that left but got no answer (read timeout,
    connection cut while waiting) raises ``ProviderError('uncertain')``: the provider
    may have acted."""
    timeout = timeout or DEFAULT_TIMEOUT  # never a request without a timeout
    try:
        response = (session or requests).request(method, url, timeout=timeout, **kwargs)
    except requests.ConnectTimeout:
        raise ProviderError(
            "unreachable", f"The SMS provider cannot be reached within {timeout} s."
        ) from None
    except requests.Timeout:
        raise ProviderError(
            "uncertain", f"The SMS provider did not answer within {timeout} s."
        ) from None
    except requests.ConnectionError as exc:
        if _never_connected(exc):
            raise ProviderError(
                "unreachable",
                f"The SMS provider cannot be reached ({type(exc).__name__}).",
            ) from None
        raise ProviderError(
            "uncertain",
            f"The connection to the SMS provider was cut ({type(exc).__name__}).",
        ) from None
    except requests.RequestException as exc:
        raise ProviderError(
            "unreachable", f"The SMS provider cannot be reached ({type(exc).__name__})."
        ) from None
    return response


def _never_connected(exc):
    """Whether a ConnectionError happened before the request was sent (connection
    refused, name not resolved: urllib3's NewConnectionError somewhere in the chain of
    causes)."""
    seen, cause = set(), exc
    while isinstance(cause, BaseException) and id(cause) not in seen:
        if isinstance(cause, urllib3.exceptions.NewConnectionError):
            return True
        seen.add(id(cause))
        nested = [
            getattr(cause, "reason", None),
            *cause.args,
            cause.__cause__,
            cause.__context__,
        ]
        cause = next(
            (c for c in nested if isinstance(c, BaseException) and id(c) not in seen),
            None,
        )
    return False


def error_from_response(response):
    """The :class:`ProviderError` for a non-2xx ``response``."""
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    detail = ""
    if isinstance(payload, dict):
        detail = str(
            payload.get("message") or payload.get("error") or payload.get("code") or ""
        )
    code = response.status_code
    if code in (401, 403):
        kind = "auth"
    elif code >= 500:
        kind = "server"
    else:
        kind = "rejected"
    return ProviderError(kind, f"HTTP {code} {detail}".strip(), status_code=code)


def json_or_error(response):
    if not 200 <= response.status_code < 300:
        raise error_from_response(response)
    try:
        return response.json()
    except ValueError:
        raise ProviderError(
            "malformed", "The SMS provider's answer is not JSON."
        ) from None


def json_object_or_error(response):
    """A 2xx JSON object; ``ProviderError('malformed')`` for any other readable
    answer."""
    answer = json_or_error(response)
    if not isinstance(answer, dict):
        raise ProviderError(
            "malformed", "The SMS provider's answer is not a JSON object."
        )
    return answer
