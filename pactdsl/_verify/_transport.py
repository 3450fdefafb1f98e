"""How the verifier reaches a provider: over HTTP, or in-process through ASGI/WSGI.

The only verification module that imports httpx (its content belongs in
`pactdsl/_http.py`; it lives here until the lead moves it). Everything it hands
back is plain data (`RawResponse`), and every failure is a `TransportFailure`
with a `reason`, so the verifier never sees an httpx type.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import json
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

import attrs
import httpx

__all__ = [
    "ProviderTransport",
    "RawResponse",
    "TransportFailure",
    "app_kind",
    "check_base_url",
    "open_transport",
]

FailureReason = Literal["connect", "timeout", "unsafe", "app", "http"]

# Characters left as they are in a pact path: RFC 3986 pchar plus '/' and '%'
# (so a path the consumer already percent-encoded is not encoded twice).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_APP_BASE_URL = "http://provider.pactdsl"
_USER_AGENT = "pactdsl-verifier"


@attrs.frozen
class RawResponse:
    """What a provider answered: status, header pairs and the (decoded) body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class TransportFailure(Exception):
    """The request got no HTTP answer; `reason` says why, the message says what to do."""

    def __init__(self, reason: FailureReason, message: str) -> None:
        self.reason: FailureReason = reason
        super().__init__(message)


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


def _target_url(base_url: str, path: str, query: Sequence[tuple[str, str]]) -> str:
    url = base_url + quote(path, safe=_PATH_SAFE)
    if query:
        url += "?" + urlencode(list(query), quote_via=quote)
    return url


def _same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)


def _raw(response: httpx.Response) -> RawResponse:
    return RawResponse(
        response.status_code, tuple(response.headers.multi_items()), response.content
    )


def _failure(exc: Exception, url: str, timeout: float) -> TransportFailure:
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return TransportFailure(
            "timeout",
            f"no answer from {url} within timeout={timeout}s ({type(exc).__name__}); "
            "make the provider answer faster or raise timeout",
        )
    if isinstance(exc, httpx.ConnectError):
        return TransportFailure(
            "connect",
            f"cannot connect to {url} ({exc or type(exc).__name__}); is the provider running "
            "at base_url?",
        )
    if isinstance(exc, httpx.HTTPError):
        return TransportFailure("http", f"request to {url} failed: {type(exc).__name__}: {exc}")
    return TransportFailure(
        "app", f"the app raised {type(exc).__name__}: {exc} while answering {url}"
    )


class ProviderTransport:
    """Sends requests to one provider; create with `open_transport`, then `close`."""

    def __init__(
        self,
        base_url: str,
        timeout: float,
        client: httpx.Client | None,
        async_client: httpx.AsyncClient | None = None,
        *,
        verify_tls: bool = True,
    ) -> None:
        self.base_url = base_url
        self._verify_tls = verify_tls
        self._state_client: httpx.Client | None = None
        self.timeout = timeout
        self._base = httpx.URL(base_url)
        self._client = client
        self._async_client = async_client
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None
        if async_client is not None:
            self._loop = asyncio.new_event_loop()
            if _loop_running():
                # A caller inside an event loop (an async test) cannot nest ours
                # in its thread, so ours runs in a thread of its own.
                self._loop_thread = threading.Thread(
                    target=self._loop.run_forever, name="pactdsl-asgi", daemon=True
                )
                self._loop_thread.start()

    def url_for(self, path: str, query: Sequence[tuple[str, str]] = ()) -> str:
        """The absolute URL for a pact path, refusing any that leaves the provider.

        Raises:
            TransportFailure: reason "unsafe" when the URL's origin is not base_url's.
        """
        url = _target_url(self.base_url, path, query)
        if not _same_origin(httpx.URL(url), self._base):
            msg = f"path={path!r} would send the request to {url}, away from {self.base_url}"
            raise TransportFailure("unsafe", msg)
        return url

    def send(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
    ) -> RawResponse:
        """Send one request to `url` (from `url_for`) and read the whole answer.

        Raises:
            TransportFailure: on connection refused, timeout, or an app that raised.
        """
        try:
            if self._client is not None:
                request = self._client.build_request(method, url, headers=headers, content=body)
                return _raw(self._client.send(request))
            assert self._async_client is not None
            request = self._async_client.build_request(method, url, headers=headers, content=body)
            return _raw(self._run(self._async_client.send(request)))
        except TransportFailure:
            raise
        except Exception as exc:
            raise _failure(exc, url, self.timeout) from None

    def _run(self, coro: Coroutine[Any, Any, httpx.Response]) -> httpx.Response:
        assert self._loop is not None
        bounded = asyncio.wait_for(coro, self.timeout)
        if self._loop_thread is None:
            return self._loop.run_until_complete(bounded)
        future = asyncio.run_coroutine_threadsafe(bounded, self._loop)
        try:
            return future.result()
        except concurrent.futures.TimeoutError as exc:
            raise TimeoutError(str(exc)) from None

    def post_json(self, url: str, payload: Any) -> RawResponse:
        """POST `payload` as JSON (the state-change protocol) and read the answer.

        A `url` starting with '/' goes to the provider (or app) itself; an
        absolute URL goes over the network.

        Raises:
            TransportFailure: when there is no HTTP answer.
        """
        body = json.dumps(payload).encode("utf-8")
        headers = [("Content-Type", "application/json")]
        if url.startswith("/"):
            return self.send("POST", self.url_for(url), headers, body)
        if self._state_client is None:
            self._state_client = httpx.Client(
                timeout=httpx.Timeout(self.timeout),
                verify=self._verify_tls,
                headers={"User-Agent": _USER_AGENT},
            )
        try:
            return _raw(self._state_client.post(url, content=body, headers=headers))
        except httpx.HTTPError as exc:
            raise _failure(exc, url, self.timeout) from None

    def close(self) -> None:
        """Close the connections (and the event loop of an ASGI app)."""
        if self._state_client is not None:
            self._state_client.close()
        if self._client is not None:
            self._client.close()
        if self._async_client is not None and self._loop is not None:
            aclose = self._async_client.aclose()
            if self._loop_thread is None:
                self._loop.run_until_complete(aclose)
            else:
                asyncio.run_coroutine_threadsafe(aclose, self._loop).result()
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop_thread.join()
            self._loop.close()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def open_transport(
    *,
    base_url: str | None,
    app: Any,
    timeout: float,
    follow_redirects: bool,
    verify_tls: bool,
) -> ProviderTransport:
    """A transport to a running provider (`base_url`) or an in-process app (`app`)."""
    limits = httpx.Timeout(timeout)
    headers = {"User-Agent": _USER_AGENT}
    if app is None:
        assert base_url is not None
        client = httpx.Client(
            timeout=limits,
            follow_redirects=follow_redirects,
            verify=verify_tls,
            headers=headers,
        )
        return ProviderTransport(base_url, timeout, client, verify_tls=verify_tls)
    if app_kind(app) == "wsgi":
        client = httpx.Client(
            transport=httpx.WSGITransport(app=app),
            follow_redirects=follow_redirects,
            headers=headers,
        )
        return ProviderTransport(_APP_BASE_URL, timeout, client, verify_tls=verify_tls)
    async_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        follow_redirects=follow_redirects,
        headers=headers,
    )
    return ProviderTransport(_APP_BASE_URL, timeout, None, async_client, verify_tls=verify_tls)
