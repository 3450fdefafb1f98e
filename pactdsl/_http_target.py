"""Where the verifier sends its requests, checked with no HTTP library.

The provider's base URL, the kind of an in-process app (ASGI or WSGI), the
URL of a pact path below the base, and the TLS trust for it (a CA bundle read
into an `ssl` context); `_http.py` sends the requests.
"""

from __future__ import annotations

import inspect
import ssl
from collections.abc import Sequence
from os import PathLike
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

__all__ = ["app_kind", "check_base_url", "target_url", "tls_error", "tls_verification"]

# Characters left as they are in a pact path: RFC 3986 pchar plus '/' and '%'
# (so a path the consumer already percent-encoded is not encoded twice).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def check_base_url(base_url: str) -> str:
    """Return `base_url` without a trailing slash, or raise naming what is wrong.

    Raises:
        ValueError: when it is not an absolute http(s) URL with a host.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = (
            f"base_url={base_url!r} must be an absolute http:// or https:// URL with a host, "
            "e.g. 'http://localhost:8000'"
        )
        raise ValueError(msg)
    if parts.query or parts.fragment:
        msg = f"base_url={base_url!r} must not carry a query or fragment"
        raise ValueError(msg)
    return base_url.rstrip("/")


def app_kind(app: Any) -> Literal["asgi", "wsgi"]:
    """Tell an ASGI application (async, 3 arguments) from a WSGI one (2 arguments).

    Raises:
        TypeError: when `app` is neither.
    """
    if not callable(app):
        msg = f"app={app!r} is not callable; pass an ASGI or WSGI application"
        raise TypeError(msg)
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app):
        return "asgi"
    try:
        params = list(inspect.signature(app).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [
        p
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) == 3:
        return "asgi"  # (scope, receive, send), e.g. a wrapped coroutine function
    if len(positional) == 2:
        return "wsgi"  # (environ, start_response)
    msg = (
        f"app={app!r} takes {len(positional)} positional arguments; an ASGI app takes "
        "(scope, receive, send) and is async, a WSGI app takes (environ, start_response)"
    )
    raise TypeError(msg)


def target_url(base_url: str, path: str, query: Sequence[tuple[str, str]]) -> str:
    """`path` (percent-encoded where it is not already) and `query` below `base_url`."""
    url = base_url + quote(path, safe=_PATH_SAFE)
    if query:
        url += "?" + urlencode(list(query), quote_via=quote)
    return url


def tls_error(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind `exc` (a ConnectError carries it as its cause), if any."""
    seen: BaseException | None = exc
    for _ in range(8):  # a short chain; never loop on a cycle
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def tls_verification(verify_tls: bool | str | PathLike[str]) -> bool | ssl.SSLContext:
    """What the HTTP client's `verify_tls` gets: a bool, or a context trusting a CA bundle.

    Raises:
        ValueError: when the CA bundle cannot be read, naming it.
    """
    if isinstance(verify_tls, bool):
        return verify_tls
    try:
        return ssl.create_default_context(cafile=str(verify_tls))
    except (OSError, ssl.SSLError) as exc:
        msg = (
            f"verify_tls={str(verify_tls)!r} must be True, False or the path of a PEM CA "
            f"bundle that signed the provider's certificate; reading it failed: {exc}"
        )
        raise ValueError(msg) from None
