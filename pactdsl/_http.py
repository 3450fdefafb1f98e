"""How pactdsl sends HTTP requests: to a provider, to its state endpoint, to a broker.

Everything it hands out is plain data (`RawResponse`), and every request that
gets no HTTP answer raises `TransportFailure`, so no caller sees how it was
sent. Over the network it uses `_http_client.py` (the standard library's
`http.client`, with the deadline, byte cap, keep-alive, TLS, redirect and proxy
handling pactdsl needs). What needs no sending lives beside it: the Pact JSON
conversions in `_http_json.py`, the answers, failures and body bounds in
`_http_answers.py`, and the checks of the provider's address in `_http_target.py`.

It holds:

- `ProviderTransport` / `open_transport`: how the verifier reaches a provider,
  over HTTP or in-process through ASGI/WSGI;
- `JsonHttpClient`: a small synchronous client for JSON APIs, used by the Pact
  Broker client and by the demo's sample consumer.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Mapping, Sequence
from os import PathLike
from typing import Any, Literal
from urllib.parse import quote, urlencode

from pactdsl._app_request import USER_AGENT, AppTimeout
from pactdsl._asgi import AsgiRunner
from pactdsl._http_answers import (
    BodyTooLarge,
    FailureReason,
    RawResponse,
    TransportFailure,
)
from pactdsl._http_client import HttpClient
from pactdsl._http_errors import HttpError, InvalidURL, ProxyError, failure_reason
from pactdsl._http_json import (
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
from pactdsl._http_urls import Redirects, SendOnce, send_following_redirects, split_url
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
    "open_transport",
    "refuse_transport",
    "tls_verification",
]


# --------------------------------------------------------------------------
# The verifier's transport: a provider over HTTP, or an ASGI/WSGI app in-process.

_APP_BASE_URL = "http://provider.pactdsl"


def _provider_failure(
    exc: Exception, url: str, timeout: float, *, in_process: bool = False
) -> TransportFailure:
    if in_process and not isinstance(exc, HttpError):
        # Whatever an app raised is its own failure (a TimeoutError or an HTTP
        # library's error included); only our own bound on it is a timeout.
        reason: FailureReason = "timeout" if isinstance(exc, AppTimeout) else "app"
    else:
        reason = failure_reason(exc)
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
    elif reason == "tls" and not isinstance(tls_error(exc), ssl.SSLCertVerificationError):
        message = (
            f"TLS failed with {url}: {tls_error(exc)}; the handshake itself failed, not "
            "the certificate check: if the provider serves plain HTTP there, use an "
            "http:// base_url"
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


class ProviderTransport:
    """Sends requests to one provider; create with `open_transport`, then `close`."""

    def __init__(
        self,
        base_url: str,
        timeout: float,
        http: HttpClient | None,
        *,
        app: AsgiRunner | WsgiRunner | None = None,
        follow_redirects: Redirects = False,
        verify_tls: bool | ssl.SSLContext = True,
        limits: Limits | None = None,
    ) -> None:
        self.base_url = base_url
        self.shutdown_problem: str | None = None  # set by `close` when the app's shutdown failed
        self.limits = limits or current_limits()
        self._verify_tls = verify_tls
        self.timeout = timeout
        self._origin = split_url(base_url).origin
        self._follow_redirects = follow_redirects
        # A provider over the network: `http` sends; it also sends state changes
        # to absolute URLs (one is made for them when the provider is an app).
        self._http = http
        # An in-process app runs on a thread of its own, so an app that never
        # returns costs one timeout, not the whole run.
        self._app = app

    @property
    def answer_seconds(self) -> float:
        """How long a whole answer may take: `timeout`, or `Limits.response_seconds` if less."""
        return min(self.timeout, self.limits.response_seconds)

    def url_for(self, path: str, query: Sequence[tuple[str, str]] = ()) -> str:
        """The absolute URL for a pact path, refusing any that leaves the provider.

        Raises:
            TransportFailure: reason "unsafe" when the URL's origin is not base_url's.
        """
        url = target_url(self.base_url, path, query)
        try:
            parsed = split_url(url)
        except InvalidURL as exc:
            # A path not starting with "/" can turn the base's port into garbage.
            msg = f"path={path!r} makes {url!r}, which is not a URL ({exc}); start it with '/'"
            raise TransportFailure("unsafe", msg, detail=str(exc), error=exc) from None
        if parsed.origin != self._origin:
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
        seconds = self.answer_seconds
        deadline = time.monotonic() + seconds
        try:
            return send_following_redirects(
                self._app.send_once if self._app is not None else self._bounded(deadline),
                method,
                url,
                headers,
                body,
                follow=self._follow_redirects,
                origin=self.base_url,
            )
        except TransportFailure:
            raise
        except BodyTooLarge:
            raise self._too_large(url) from None
        except Exception as exc:
            in_process = self._app is not None
            raise _provider_failure(exc, url, seconds, in_process=in_process) from None

    def _bounded(self, deadline: float) -> SendOnce:
        """Sending over the network, each answer due by `deadline` and within the body cap."""
        http = self._http
        assert http is not None
        cap = self.limits.max_body_bytes

        def send_once(
            method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes | None
        ) -> RawResponse:
            return http.send_once(method, url, headers, body, deadline=deadline, max_body_bytes=cap)

        return send_once

    def _too_large(self, url: str) -> TransportFailure:
        msg = (
            f"the answer from {url} has a body over Limits(max_body_bytes="
            f"{self.limits.max_body_bytes}) (after decompression); make it smaller "
            "or raise the limit"
        )
        return TransportFailure("limit", msg)

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
        absolute URL goes over the network (no redirects followed), its answer
        bounded as the provider's are.

        Raises:
            TransportFailure: when there is no HTTP answer.
        """
        body = json.dumps(payload).encode("utf-8")
        headers = [("Content-Type", "application/json")]
        if url.startswith("/"):
            return self.send("POST", self.url_for(url), headers, body)
        if self._http is None:
            self._http = HttpClient(
                timeout=self.timeout, verify_tls=self._verify_tls, user_agent=USER_AGENT
            )
        seconds = self.answer_seconds
        try:
            return self._bounded(time.monotonic() + seconds)("POST", url, headers, body)
        except BodyTooLarge:
            raise self._too_large(url) from None
        except HttpError as exc:
            raise _provider_failure(exc, url, seconds) from None

    def close(self) -> None:
        """Close the connections (and an in-process app's thread, after its lifespan shutdown)."""
        if self._http is not None:
            self._http.close()
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
    verify = tls_verification(verify_tls)
    if app is None:
        assert base_url is not None
        http = HttpClient(timeout=timeout, verify_tls=verify, user_agent=USER_AGENT)
        return ProviderTransport(
            base_url,
            timeout,
            http,
            follow_redirects=follow_redirects,
            verify_tls=verify,
            limits=bounds,
        )
    runner: AsgiRunner | WsgiRunner
    seconds = min(timeout, bounds.response_seconds)
    if app_kind(app) == "wsgi":
        runner = WsgiRunner(app, timeout=seconds, cap=bounds.max_body_bytes)
    else:
        runner = AsgiRunner(
            app,
            timeout=timeout,
            cap=bounds.max_body_bytes,
            lifespan=lifespan,
            request_seconds=seconds,
        )
    return ProviderTransport(
        _APP_BASE_URL,
        timeout,
        None,
        app=runner,
        follow_redirects=follow_redirects,
        verify_tls=verify,
        limits=bounds,
    )


# --------------------------------------------------------------------------
# A small JSON client: the Pact Broker client and the demo's consumer.


class JsonHttpClient:
    """A synchronous HTTP client for JSON APIs that answers with `RawResponse`.

    It follows no redirects unless asked, sends no credentials of its own
    (callers put an ``Authorization`` header on the requests that may carry
    one), and turns every request without an HTTP answer into `TransportFailure`.
    It goes through the proxy the environment names (HTTP_PROXY, HTTPS_PROXY,
    ALL_PROXY, NO_PROXY) unless given one.

    Args:
        base_url: Prepended to relative URLs; empty when every URL is absolute.
        timeout: Seconds any one connect, read or write may wait.
        follow_redirects: Whether to follow 3xx answers (to any origin; an
            Authorization header is not carried to another origin).
        proxy: A proxy URL (``http://[user:password@]host:port``) for every
            request; None for the environment's.
        transport: No longer accepted (it took an httpx transport): raises
            TypeError saying to pass `proxy`.

    Raises:
        TypeError: when `transport` is given.
        ValueError: when `proxy` is not an http:// proxy URL.

    It is a context manager; `close` releases its connections.
    """

    def __init__(
        self,
        *,
        base_url: str = "",
        timeout: float = 30.0,
        follow_redirects: bool = False,
        proxy: str | None = None,
        transport: object | None = None,
    ) -> None:
        refuse_transport(transport)
        self._base_url = base_url
        self._follow: Redirects = "any-origin" if follow_redirects else False
        try:
            self._http = HttpClient(timeout=timeout, proxy=proxy)
        except ProxyError as exc:
            raise ValueError(str(exc)) from None

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
        absolute = url if "://" in url else self._base_url.rstrip("/") + "/" + url.lstrip("/")
        if params:
            query = urlencode(list(params), quote_via=quote)
            absolute += ("&" if "?" in absolute else "?") + query
        try:
            return send_following_redirects(
                self._http.send_once,
                method,
                absolute,
                list(sent_headers.items()),
                content,
                follow=self._follow,
            )
        except HttpError as exc:
            detail = f"{type(exc).__name__}: {exc}"
            msg = f"{method} {url} got no answer ({detail})"
            raise TransportFailure(failure_reason(exc), msg, detail=detail, error=exc) from None

    def close(self) -> None:
        """Release the client's connections."""
        self._http.close()


def refuse_transport(transport: object | None) -> None:
    """Refuse the ``transport=`` argument pactdsl took while it sent through httpx.

    Raises:
        TypeError: when `transport` is not None, saying what to pass instead.
    """
    if transport is not None:
        msg = (
            f"transport={transport!r} is no longer accepted: pactdsl sends HTTP with the "
            "standard library, not through an httpx transport; pass proxy='http://host:port' "
            "to go through a proxy (HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured "
            "without it)"
        )
        raise TypeError(msg)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")
