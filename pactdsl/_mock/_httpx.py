"""In-process serving for httpx clients: the mock's only door into httpx.

While an in-process mock runs, httpx's ``Client._send_single_request`` and
``AsyncClient._send_single_request`` are patched (once, for every mock): a
request to a running mock's host is sent through an ``httpx.MockTransport``
over the mock's core, whatever transport the client was built with; any other
host goes to the original method untouched. No socket is opened for a mock's
host, and httpx is unpatched when the last mock stops.

Why that method, not ``_transport_for_url``: respx (``using="httpx"``) patches
``_transport_for_url`` and restores what it found when it stops. Sharing that
attribute with it would let a respx mock started before ours and stopped first
undo our patch (or one started after ours and stopped last leave its patch
behind). On separate attributes the two patch and unpatch in any order; ours
runs first, so a mock's host never reaches a user's respx router and every other
host still does.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

import httpx

from pactdsl._mock._core import MockRequest, MockResponse

__all__ = ["HTTPXResponse", "install", "send_request", "uninstall"]

Handler = Callable[[MockRequest], MockResponse]
HTTPXResponse = httpx.Response
"""What `mock_request` returns; named here so no other module imports httpx."""

_LOCK = threading.Lock()
_HANDLERS: dict[str, tuple[Handler, str]] = {}  # host: (handler, the scheme it serves)
_PATCHED_METHOD = "_send_single_request"
# While patched: each patched class, with the method it had before and ours.
_PATCHED: dict[type[Any], tuple[Any, Any]] = {}


def _answer(served: tuple[Handler, str], request: httpx.Request) -> httpx.Response:
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
    answer = httpx.Response(response.status, headers=list(response.headers), content=response.body)
    # Given unread, as a server's would be: reading it then sets `elapsed`.
    return httpx.Response(answer.status_code, headers=answer.headers, stream=answer.stream)


class _ServedBy:
    """The client as httpx's own ``_send_single_request`` sees it, with one transport.

    Calling httpx's method with this in place of the client keeps all it does
    around the transport (response.request, elapsed, cookies, encoding, logging)
    without copying it; the client itself is left as it is, so concurrent
    requests through it are unaffected.
    """

    __slots__ = ("_client", "_transport")

    def __init__(self, client: object, transport: httpx.MockTransport) -> None:
        self._client = client
        self._transport = transport

    def _transport_for_url(self, url: httpx.URL) -> httpx.MockTransport:
        return self._transport

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _served_by(client: object, request: httpx.Request) -> _ServedBy | None:
    served = _HANDLERS.get(request.url.host)
    if served is None:
        return None
    return _ServedBy(client, httpx.MockTransport(partial(_answer, served)))


SendSync = Callable[[Any, httpx.Request], httpx.Response]
SendAsync = Callable[[Any, httpx.Request], Awaitable[httpx.Response]]


def _sync_patch(original: SendSync) -> SendSync:
    def _send_single_request(client: httpx.Client, request: httpx.Request) -> httpx.Response:
        served = _served_by(client, request)
        return original(client if served is None else served, request)

    return _send_single_request


def _async_patch(original: SendAsync) -> SendAsync:
    async def _send_single_request(
        client: httpx.AsyncClient, request: httpx.Request
    ) -> httpx.Response:
        served = _served_by(client, request)
        return await original(client if served is None else served, request)

    return _send_single_request


_PATCH_MAKERS: dict[type[Any], Callable[[Any], Any]] = {
    httpx.Client: _sync_patch,
    httpx.AsyncClient: _async_patch,
}


def _patch() -> None:
    for cls, make in _PATCH_MAKERS.items():
        # Each patch holds the method it replaced, so one left in place (below) still
        # reaches what was there before it.
        original = vars(cls)[_PATCHED_METHOD]
        patched = make(original)
        setattr(cls, _PATCHED_METHOD, patched)
        _PATCHED[cls] = (original, patched)


def _unpatch() -> None:
    for cls, (original, patched) in _PATCHED.items():
        # Someone who patched over ours (and saved ours) puts it back when they stop;
        # ours then only passes through, so it stays rather than undo theirs.
        if vars(cls)[_PATCHED_METHOD] is patched:
            setattr(cls, _PATCHED_METHOD, original)
    _PATCHED.clear()


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
            _patch()


def uninstall(host: str) -> None:
    """Stop serving `host`; httpx is unpatched when no in-process mock is left."""
    with _LOCK:
        if _HANDLERS.pop(host, None) is not None and not _HANDLERS:
            _unpatch()


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
