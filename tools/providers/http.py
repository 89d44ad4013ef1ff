"""One place for the HTTP calls of the provider clients: requests with a timeout, errors turned
into :class:`ProviderError`. Secrets never reach the error messages."""
import requests

from .base import ProviderError


def request(method, url, timeout, **kwargs):
    try:
        response = requests.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout:
        raise ProviderError("unreachable", f"The SMS provider did not answer within {timeout} s.") from None
    except requests.RequestException as exc:
        raise ProviderError("unreachable",
                            f"The SMS provider cannot be reached ({type(exc).__name__}).") from None
    return response


def error_from_response(response):
    """The :class:`ProviderError` for a non-2xx ``response``."""
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    detail = ""
    if isinstance(payload, dict):
        detail = str(payload.get("message") or payload.get("error") or payload.get("code") or "")
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
        raise ProviderError("malformed", "The SMS provider's answer is not JSON.") from None
