"""The one place (with `_mock/_httpx.py`) where pactdsl touches httpx.

A move to another HTTP library changes this module (and `_mock/_httpx.py`) only:
everything it hands out is plain data (`RawResponse`), and every request that
gets no HTTP answer raises `TransportFailure`, so no caller sees an httpx type.
What needs no HTTP library lives beside it: the Pact JSON conversions in
`_http_json.py` (the mock's core uses them without loading httpx), the
answers, failures and body bounds in `_http_answers.py`, and the checks of the
provider's address in `_http_target.py`.

It holds:

- `httpx_request_json` / `httpx_response_json`: httpx messages as Pact JSON;
- `ProviderTransport` / `open_transport`: how the verifier reaches a provider,
  over HTTP or in-process through ASGI/WSGI;
- `JsonHttpClient`: a small synchronous client for JSON APIs, used by the Pact
  Broker client and by the demo's sample consumer.
"""

from __future__ import annotations

import contextvars
import json
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from os import PathLike
from typing import Any, Literal

import httpcore
import httpx

from pactdsl._app_request import AppTimeout
from pactdsl._asgi import AsgiRunner
from pactdsl._http_answers import (
    BodyTooLarge,
    FailureReason,
    RawResponse,
    TransportFailure,
    body_inflater,
    inflate_within,
    standard_reason,
)
from pactdsl._http_json import (
    actual_request_json,
    actual_response_json,
    body_bytes,
    expected_response_json,
)
from pactdsl._http_target import (
    app_kind,
    check_base_url,
    target_url,
    tls_error,
    tls_verification,
)
from pactdsl._limits import Limits, current_limits
from pactdsl._wsgi import WsgiRunner

# The verifier and the broker client reach HTTP through this module only, so it
# hands them the plain-data types and conversions they use from beside it too.
__all__ = [
    "JsonHttpClient",
    "ProviderTransport",
    "RawResponse",
    "TransportFailure",
    "actual_response_json",
    "app_kind",
    "body_bytes",
    "check_base_url",
    "expected_response_json",
    "httpx_request_json",
    "httpx_response_json",
    "open_transport",
    "tls_verification",
]


def httpx_request_json(request: httpx.Request) -> dict[str, Any]:
    """An `httpx.Request` as V4 Pact JSON (reads the body)."""
    return actual_request_json(
        request.method,
        request.url.path,
        request.url.query.decode("ascii"),
        request.headers.multi_items(),
        request.read(),
    )


def httpx_response_json(response: httpx.Response) -> dict[str, Any]:
    """An `httpx.Response` as V4 Pact JSON (reads the body)."""
    return actual_response_json(
        response.status_code, response.headers.multi_items(), response.read()
    )


def _failure_reason(exc: Exception) -> FailureReason:
    if tls_error(exc) is not None:
        return "tls"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    if isinstance(exc, httpx.TransportError):
        return "network"
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return "http"
    return "app"


def _raw(response: httpx.Response, content: bytes | None = None) -> RawResponse:
    return RawResponse(
        response.status_code,
        tuple(response.headers.multi_items()),
        response.content if content is None else content,
        response.reason_phrase or standard_reason(response.status_code),
    )


# --------------------------------------------------------------------------
# The verifier's transport: a provider over HTTP, or an ASGI/WSGI app in-process.

_APP_BASE_URL = "http://provider.pactdsl"
_USER_AGENT = "pactdsl-verifier"


def _same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)


def _provider_failure(
    exc: Exception, url: str, timeout: float, *, in_process: bool = False
) -> TransportFailure:
    if in_process:  # whatever an app raised is its own failure, even an httpx error
        reason: FailureReason = "timeout" if isinstance(exc, AppTimeout) else "app"
    else:
        reason = _failure_reason(exc)
    detail = f"{type(exc).__name__}: {exc}"
    if reason == "timeout":
        message = (
            f"no answer from {url} within timeout={timeout}s ({type(exc).__name__}); "
            "make the provider answer faster or raise timeout"
        )
    elif reason == "connect":
        message = (
            f"cannot connect to {url} ({exc or type(exc).__name__}); is the provider running "
            "at base_url?"
        )
    elif reason == "tls":
        message = (
            f"TLS failed with {url}: {tls_error(exc)}; if the provider's certificate is "
            "signed by your own CA, pass its bundle as verify_tls='path/to/ca.pem' (CLI "
            "--ca-bundle PATH), or verify_tls=False (CLI --no-verify-tls) to skip the check"
        )
    elif reason == "app":
        message = f"the app raised {detail} while answering {url}"
    else:
        # Kept under the older, broader label: the verifier reports it, never retries it.
        reason = "http"
        message = f"request to {url} failed: {detail}"
    return TransportFailure(reason, message, detail=detail, error=exc)


# --------------------------------------------------------------------------
# Bounded answers: a provider under test may trickle, never end, or send a gzip
# bomb. One deadline covers the whole answer (headers and body), every socket read
# waits at most until then, and the body is read (and inflated) up to a byte cap.

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "pactdsl_response_deadline", default=None
)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose reads and writes end at the response's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    @staticmethod
    def _timeout(timeout: float | None) -> float | None:
        deadline = _DEADLINE.get()
        if deadline is None:
            return timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            msg = "the whole answer did not arrive before its deadline"
            raise httpcore.ReadTimeout(msg)
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, self._timeout(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync sockets, each wrapped in a `_DeadlineStream`."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _DeadlineStream._timeout(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, timeout, socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _deadline_transport(verify_tls: bool | ssl.SSLContext) -> httpx.HTTPTransport:
    """Httpx's transport for URLs, on sockets bounded by the response deadline."""
    transport = httpx.HTTPTransport(verify=verify_tls)
    # httpx does not expose httpcore's network_backend; swap the pool it built for
    # an equal one on our backend (same TLS context).
    pool: httpcore.ConnectionPool = transport._pool
    transport._pool = httpcore.ConnectionPool(
        ssl_context=pool._ssl_context,
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=_DeadlineBackend(),
    )
    return transport


def _read_bounded(response: httpx.Response, cap: int, deadline: float) -> bytes:
    """The (decoded) body of a streamed response, at most `cap` bytes, before `deadline`."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    try:
        inflater = body_inflater(encoding)
        chunks: Iterator[bytes] = response.iter_raw()
    except KeyError:  # br, zstd or a list of codings: httpx decodes, the cap still holds
        inflater, chunks = None, response.iter_bytes()
    kept: list[bytes] = []
    size = 0
    for chunk in chunks:
        if time.monotonic() > deadline:
            msg = "the body did not end before its deadline"
            raise TimeoutError(msg)
        data = inflate_within(inflater, chunk, cap - size) if inflater is not None else chunk
        size += len(data)
        if size > cap:
            raise BodyTooLarge
        kept.append(data)
    return b"".join(kept)


def _origin_guard(base: httpx.URL) -> Callable[[httpx.Response], None]:
    """A response hook refusing to follow a redirect away from the provider's origin."""

    def refuse_other_origins(response: httpx.Response) -> None:
        location = response.headers.get("Location")
        if not response.is_redirect or location is None:
            return
        target = response.url.join(location)
        if not _same_origin(target, base):
            msg = (
                f"{response.url} redirected ({response.status_code}) to {target}, another "
                f"origin than {base}; pactdsl does not follow it (pass "
                "follow_redirects='any-origin' to allow it)"
            )
            raise TransportFailure("unsafe", msg)

    return refuse_other_origins


class ProviderTransport:
    """Sends requests to one provider; create with `open_transport`, then `close`."""

    def __init__(
        self,
        base_url: str,
        timeout: float,
        client: httpx.Client | None,
        *,
        app: AsgiRunner | WsgiRunner | None = None,
        verify_tls: bool | ssl.SSLContext = True,
        limits: Limits | None = None,
    ) -> None:
        self.base_url = base_url
        self.shutdown_problem: str | None = None  # set by `close` when the app's shutdown failed
        self.limits = limits or current_limits()
        self._verify_tls = verify_tls
        self._state_client: httpx.Client | None = None
        self.timeout = timeout
        self._base = httpx.URL(base_url)
        self._client = client
        # An in-process app runs on a thread of its own, so an app that never
        # returns costs one timeout, not the whole run.
        self._app = app

    def url_for(self, path: str, query: Sequence[tuple[str, str]] = ()) -> str:
        """The absolute URL for a pact path, refusing any that leaves the provider.

        Raises:
            TransportFailure: reason "unsafe" when the URL's origin is not base_url's.
        """
        url = target_url(self.base_url, path, query)
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            # A path not starting with "/" can turn the base's port into garbage.
            msg = f"path={path!r} makes {url!r}, which is not a URL ({exc}); start it with '/'"
            raise TransportFailure("unsafe", msg, detail=str(exc), error=exc) from None
        if not _same_origin(parsed, self._base):
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

        The whole answer must arrive within `timeout` (and `Limits.response_seconds`),
        its body (inflated) within `Limits.max_body_bytes`.

        Raises:
            TransportFailure: on connection refused, timeout, an app that raised,
                a redirect to another origin, or an answer over the limits.
        """
        seconds = min(self.timeout, self.limits.response_seconds)
        deadline = time.monotonic() + seconds
        token = _DEADLINE.set(deadline)
        try:
            if self._app is not None:
                return self._app.send_once(method, url, headers, body)
            assert self._client is not None
            request = self._client.build_request(method, url, headers=headers, content=body)
            response = self._client.send(request, stream=True)
            try:
                content = _read_bounded(response, self.limits.max_body_bytes, deadline)
            finally:
                response.close()
            return _raw(response, content)
        except TransportFailure:
            raise
        except BodyTooLarge:
            msg = (
                f"the answer from {url} has a body over Limits(max_body_bytes="
                f"{self.limits.max_body_bytes}) (after decompression); make it smaller "
                "or raise the limit"
            )
            raise TransportFailure("limit", msg) from None
        except Exception as exc:
            in_process = self._app is not None
            raise _provider_failure(exc, url, seconds, in_process=in_process) from None
        finally:
            _DEADLINE.reset(token)

    def start(self) -> None:
        """Run an in-process app's lifespan startup, when there is one to run.

        Raises:
            LifespanFailure: when the app's startup fails or does not finish in time.
        """
        if self._app is not None:
            self._app.start()

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
            raise _provider_failure(exc, url, self.timeout) from None

    def close(self) -> None:
        """Close the connections (and an in-process app's thread, after its lifespan shutdown)."""
        if self._state_client is not None:
            self._state_client.close()
        if self._client is not None:
            self._client.close()
        if self._app is not None:
            self.shutdown_problem = self._app.close()


def open_transport(
    *,
    base_url: str | None,
    app: Any,
    timeout: float,
    follow_redirects: bool | Literal["any-origin"],
    verify_tls: bool | str | PathLike[str],
    lifespan: bool = True,
) -> ProviderTransport:
    """A transport to a running provider (`base_url`) or an in-process app (`app`).

    For an ASGI app with `lifespan`, call `ProviderTransport.start` before the
    first request: it runs the app's lifespan startup (shutdown runs in `close`).
    ``follow_redirects=True`` follows redirects within the provider's origin only;
    ``"any-origin"`` follows them anywhere.
    """
    bounds = current_limits()
    headers = {"User-Agent": _USER_AGENT}
    verify = tls_verification(verify_tls)
    base = httpx.URL(base_url if app is None and base_url is not None else _APP_BASE_URL)
    hooks = {"response": [_origin_guard(base)]} if follow_redirects is True else {}
    follow = bool(follow_redirects)
    if app is None:
        assert base_url is not None
        client = httpx.Client(
            transport=_deadline_transport(verify),
            timeout=httpx.Timeout(timeout),
            follow_redirects=follow,
            event_hooks=hooks,
            headers=headers,
        )
        return ProviderTransport(base_url, timeout, client, verify_tls=verify, limits=bounds)
    runner: AsgiRunner | WsgiRunner
    if app_kind(app) == "wsgi":
        seconds = min(timeout, bounds.response_seconds)
        runner = WsgiRunner(app, timeout=seconds, cap=bounds.max_body_bytes)
    else:
        runner = AsgiRunner(app, timeout=timeout, cap=bounds.max_body_bytes, lifespan=lifespan)
    return ProviderTransport(
        _APP_BASE_URL, timeout, None, app=runner, verify_tls=verify, limits=bounds
    )


# --------------------------------------------------------------------------
# A small JSON client: the Pact Broker client and the demo's consumer.


class JsonHttpClient:
    """A synchronous HTTP client for JSON APIs that answers with `RawResponse`.

    It follows no redirects unless asked, sends no credentials of its own
    (callers put an ``Authorization`` header on the requests that may carry
    one), and turns every request without an HTTP answer into `TransportFailure`.

    Args:
        base_url: Prepended to relative URLs; empty when every URL is absolute.
        timeout: Seconds to wait for each answer.
        follow_redirects: Whether to follow 3xx answers.
        transport: A transport object of the underlying HTTP library (today an
            ``httpx.BaseTransport``), for tests and proxies; None for the network.

    It is a context manager; `close` releases its connections.
    """

    def __init__(
        self,
        *,
        base_url: str = "",
        timeout: float = 30.0,
        follow_redirects: bool = False,
        transport: object | None = None,
    ) -> None:
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            msg = (
                f"transport={transport!r} is not an httpx.BaseTransport; pass one "
                "(e.g. httpx.HTTPTransport(proxy=...)) or None"
            )
            raise TypeError(msg)
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            follow_redirects=follow_redirects,
            transport=transport,
        )

    def __enter__(self) -> JsonHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        params: Sequence[tuple[str, str]] | None = None,
    ) -> RawResponse:
        """Send one request and read the whole answer, whatever its status.

        Args:
            method: The HTTP method.
            url: An absolute URL, or a path below `base_url`.
            headers: Request headers.
            json: A JSON-able body (None: no JSON body); sets Content-Type
                to application/json unless `headers` names one.
            content: Raw body bytes, instead of `json`.
            params: Query parameters, in order (repeats allowed).

        Raises:
            TransportFailure: when no HTTP answer came (its `retryable` says
                whether sending again may help).
            ValueError: when both `json` and `content` are given.
        """
        sent_headers = dict(headers or {})
        if json is not None:
            if content is not None:
                msg = "pass json= or content=, not both"
                raise ValueError(msg)
            content = _json_bytes(json)
            if not any(name.lower() == "content-type" for name in sent_headers):
                sent_headers["Content-Type"] = "application/json"
        try:
            response = self._client.request(
                method,
                url,
                content=content,
                headers=sent_headers,
                params=list(params) if params else None,
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            detail = f"{type(exc).__name__}: {exc}"
            msg = f"{method} {url} got no answer ({detail})"
            raise TransportFailure(_failure_reason(exc), msg, detail=detail, error=exc) from None
        return _raw(response)

    def close(self) -> None:
        """Release the client's connections."""
        self._client.close()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")
