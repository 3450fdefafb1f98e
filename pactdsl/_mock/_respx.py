"""In-process serving for httpx clients, through respx: the only module importing respx.

One respx router, shared by every in-process mock, patches httpx's
``Client._transport_for_url`` / ``AsyncClient._transport_for_url`` (respx
``using="httpx"``), so clients built with their own transport are caught too.
Its single route looks the request's host up among the running mocks: a mock's
host is answered by its core, any other host passes through to the real
transport untouched. No socket is opened for a mock's host.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import respx
from respx.mocks import Mocker

from pactdsl._mock._core import MockRequest, MockResponse

__all__ = ["HTTPXResponse", "install", "send_request", "uninstall"]

Handler = Callable[[MockRequest], MockResponse]
HTTPXResponse = httpx.Response
"""What `mock_request` returns; named here so no other module imports httpx."""

_LOCK = threading.Lock()
_HANDLERS: dict[str, tuple[Handler, str]] = {}  # host: (handler, the scheme it serves)
_ROUTER: _SilentRouter | None = None
_MOCKER = Mocker.registry["httpx"]


class _SilentRouter(respx.MockRouter):
    """A respx router that keeps no call list: the mocks record their own calls."""

    def record(
        self,
        request: httpx.Request,
        *,
        response: httpx.Response | None = None,
        route: respx.Route | None = None,
    ) -> None:
        return None


def _others_registered() -> bool:
    """Whether user respx routers (``using="httpx"``) are active besides ours."""
    return any(router is not _ROUTER for router in _MOCKER.routers)


def _dispatch(request: httpx.Request) -> httpx.Response | httpx.Request | None:
    served = _HANDLERS.get(request.url.host)
    if served is None:
        # None lets a user's own respx router answer; the request itself passes through.
        return None if _others_registered() else request
    handler, scheme = served
    if request.url.scheme != scheme:
        # As a mock on a port would: TLS and plain HTTP do not talk to each other.
        msg = (
            f"the in-process mock provider at {scheme}://{request.url.host} serves {scheme}:// "
            f"only (tls={scheme == 'https'}); the request went to {request.url}"
        )
        raise httpx.ConnectError(msg, request=request)
    response = handler(
        MockRequest(
            request.method,
            request.url.path,
            request.url.query.decode("ascii", "replace"),
            tuple(request.headers.multi_items()),
            request.content,
        )
    )
    return httpx.Response(response.status, headers=list(response.headers), content=response.body)


def _router() -> _SilentRouter:
    global _ROUTER
    if _ROUTER is None:
        # Made once: building a respx router is costly next to serving one request.
        router = _SilentRouter(using="httpx", assert_all_called=False)
        router.route().mock(side_effect=_dispatch)
        _ROUTER = router
    return _ROUTER


def install(host: str, handler: Handler, scheme: str = "http") -> None:
    """Serve requests to `scheme`://`host` (from any httpx client) with `handler`, in-process.

    Raises:
        ValueError: when another mock already serves `host`.
    """
    with _LOCK:
        if host in _HANDLERS:
            msg = f"host={host!r} is already served by a running mock provider"
            raise ValueError(msg)
        _HANDLERS[host] = (handler, scheme)
        if len(_HANDLERS) == 1:
            # What `MockRouter.start()` does, less its route snapshot (unneeded here).
            _MOCKER.register(_router())
            _MOCKER.start()


def uninstall(host: str) -> None:
    """Stop serving `host`; httpx is unpatched when no in-process mock is left."""
    with _LOCK:
        if _HANDLERS.pop(host, None) is not None and not _HANDLERS:
            _MOCKER.unregister(_router())
            _MOCKER.stop()


_CLIENT: httpx.Client | None = None


def _client() -> httpx.Client:
    global _CLIENT
    with _LOCK:
        if _CLIENT is None:
            # No keep-alive: a pooled connection could outlive the mock server it went to.
            _CLIENT = httpx.Client(
                trust_env=False, limits=httpx.Limits(max_keepalive_connections=0)
            )
        return _CLIENT


def send_request(
    base_url: str,
    method: str,
    path: str,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
    *,
    trust: ssl.SSLContext | None = None,
) -> httpx.Response:
    """Send one request to a running mock with httpx; return the response, read.

    `trust` is the context that trusts an HTTPS mock's CA.
    """
    kwargs: dict[str, Any] = {}
    if isinstance(body, bytes | str):
        kwargs["content"] = body
    elif body is not None:
        kwargs["json"] = body
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    arguments: dict[str, Any] = {"params": dict(query or {}), "headers": dict(headers or {})}
    if trust is None:
        return _client().request(method.upper(), url, **arguments, **kwargs)
    with httpx.Client(trust_env=False, verify=trust) as client:
        return client.request(method.upper(), url, **arguments, **kwargs)
