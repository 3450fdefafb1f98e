"""The one place (with `_mock/_respx.py`) where pactdsl touches httpx.

A move to another HTTP library changes this module (and `_respx.py`) only:
everything it hands out is plain data (`RawResponse`), and every request that
gets no HTTP answer raises `TransportFailure`, so no caller sees an httpx type.

It holds three things:

- conversions between real HTTP messages and the Pact JSON shape the matching
  engine reads (V4: headers and query as lists, bodies as
  ``{content, contentType, encoded}`` objects), and the model's examples as
  bytes to send or serve;
- `ProviderTransport` / `open_transport`: how the verifier reaches a provider,
  over HTTP or in-process through ASGI/WSGI;
- `JsonHttpClient`: a small synchronous client for JSON APIs, used by the Pact
  Broker client and by the demo's sample consumer.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextvars
import http
import inspect
import json
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from os import PathLike
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import attrs
import httpcore
import httpx

from pactdsl._lifespan import Lifespan
from pactdsl._limits import Limits, current_limits
from pactdsl._model import Body, Interaction, PactSpec, infer_content_type, is_json_content_type
from pactdsl._pactfile._write import request_json, response_json

__all__ = [
    "JsonHttpClient",
    "ProviderTransport",
    "RawResponse",
    "TransportFailure",
    "actual_request_json",
    "actual_response_json",
    "app_kind",
    "body_bytes",
    "check_base_url",
    "decoded_body",
    "expected_request_json",
    "expected_response_json",
    "httpx_request_json",
    "httpx_response_json",
    "open_transport",
]

_T = TypeVar("_T")
_TEXTUAL = ("text/", "application/xml", "application/x-www-form-urlencoded")


def _is_textual(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXTUAL) or media.endswith(("+xml", "/xml"))


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def body_object(raw: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The V4 body object for bytes received over HTTP (None when empty)."""
    if not raw:
        return None
    declared = content_type or ""
    if is_json_content_type(declared) or _is_textual(declared):
        try:
            text = raw.decode(_charset(declared))
        except (UnicodeDecodeError, LookupError):
            return _binary(raw, declared)
        if is_json_content_type(declared):
            try:
                return {"content": json.loads(text), "contentType": declared, "encoded": False}
            except json.JSONDecodeError:
                # Left as text: the engine then reports a body that is not JSON.
                return {"content": text, "contentType": declared, "encoded": False}
        return {"content": text, "contentType": declared, "encoded": False}
    if not declared:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _binary(raw, "application/octet-stream")
        try:
            return {
                "content": json.loads(text),
                "contentType": "application/json",
                "encoded": False,
            }
        except json.JSONDecodeError:
            return {"content": text, "contentType": "text/plain", "encoded": False}
    return _binary(raw, declared)


def _binary(raw: bytes, content_type: str) -> dict[str, Any]:
    return {
        "content": base64.b64encode(raw).decode("ascii"),
        "contentType": content_type,
        "encoded": "base64",
    }


def _header_lists(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _content_type(headers: Mapping[str, list[str]]) -> str | None:
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return None


MAX_DECODED_BODY = 32 * 1024 * 1024
"""The most bytes a compressed request body may expand to (a zip bomb stops there)."""


def decoded_body(headers: Iterable[tuple[str, str]], body: bytes) -> bytes:
    """`body` decoded by its ``Content-Encoding`` (gzip, deflate, identity), bounded in size.

    Raises:
        ValueError: naming the encoding when it is unknown, the body does not
            decode, or it expands beyond `MAX_DECODED_BODY`.
    """
    codings = [
        coding.strip().lower()
        for name, value in headers
        if name.lower() == "content-encoding"
        for coding in value.split(",")
        if coding.strip()
    ]
    for coding in reversed(codings):  # the last applied is undone first
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            msg = (
                f"Content-Encoding={coding!r} is not supported; send the body as gzip, "
                "deflate or uncompressed"
            )
            raise ValueError(msg)
        if coding == "deflate" and body[:1] != b"\x78":
            window = -zlib.MAX_WBITS  # raw deflate, as some clients send it
        else:
            window = zlib.MAX_WBITS | (16 if coding != "deflate" else 0)
        decoder = zlib.decompressobj(window)
        try:
            out = decoder.decompress(body, MAX_DECODED_BODY + 1)
        except zlib.error as exc:
            msg = f"Content-Encoding={coding!r}: the body does not decode ({exc})"
            raise ValueError(msg) from None
        if len(out) > MAX_DECODED_BODY or decoder.unconsumed_tail:
            msg = (
                f"Content-Encoding={coding!r}: the body expands beyond {MAX_DECODED_BODY} "
                "bytes; send a smaller body"
            )
            raise ValueError(msg)
        body = out
    return body


def actual_request_json(
    method: str,
    path: str,
    query_string: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> dict[str, Any]:
    """A received request as V4 Pact JSON, ready for `match_request`."""
    header_map = _header_lists(headers)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    out: dict[str, Any] = {
        "method": method.upper(),
        "path": path,
        "query": query,
        "headers": header_map,
    }
    obj = body_object(body, _content_type(header_map))
    if obj is not None:
        out["body"] = obj
    return out


def actual_response_json(
    status: int, headers: Iterable[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    """A received response as V4 Pact JSON, ready for `match_response`."""
    header_map = _header_lists(headers)
    out: dict[str, Any] = {"status": status, "headers": header_map}
    obj = body_object(body, _content_type(header_map))
    if obj is not None:
        out["body"] = obj
    return out


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


def expected_request_json(interaction: Interaction) -> dict[str, Any]:
    """The interaction's request as V4 Pact JSON, for the engine's expected side."""
    # Only the request: no response, and no V4 key hash, on the mock's start path.
    return request_json(interaction.request, PactSpec.V4)


def expected_response_json(interaction: Interaction) -> dict[str, Any]:
    """The interaction's response as V4 Pact JSON, for the engine's expected side."""
    return response_json(interaction.response, PactSpec.V4)


def body_bytes(
    body: Body | None, headers: Mapping[str, tuple[str, ...]], content: Any = None
) -> bytes:
    """The bytes to send for a body; `content` overrides the body's own (generated values)."""
    if body is None:
        return b""
    value = body.content if content is None else content
    if isinstance(value, bytes):
        return value
    content_type = body.content_type or infer_content_type(headers, value)
    if isinstance(value, str) and not is_json_content_type(content_type):
        return value.encode(_charset(content_type))
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------
# Answers and failures: the plain data every sender below hands back.

FailureReason = Literal["connect", "timeout", "network", "unsafe", "app", "http", "tls", "limit"]

# Reasons that say the request may succeed when sent again.
RETRYABLE_REASONS: frozenset[FailureReason] = frozenset({"connect", "timeout", "network"})


@attrs.frozen
class RawResponse:
    """What a server answered: status, header pairs, the (decoded) body bytes, the reason phrase."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    reason: str = ""

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None when absent."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def text(self) -> str:
        """The body as text, in the charset its Content-Type names (UTF-8 by default)."""
        charset = _charset(self.header("Content-Type") or "")
        try:
            return self.body.decode(charset, "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            ValueError: when the body is not JSON.
        """
        return json.loads(self.body)


class TransportFailure(Exception):
    """The request got no HTTP answer; `reason` says why, the message says what to do.

    Attributes:
        reason: "connect", "timeout", "network" (the connection broke), "unsafe"
            (refused before sending, or a redirect away from the provider), "app"
            (an in-process app raised), "limit" (the answer is over a `Limits`
            bound) or "http" (any other failure of the HTTP library).
        detail: The underlying error, as ``"ErrorType: message"``.
        error: The underlying exception itself (with its traceback), or None
            when the failure was decided here (an unsafe URL).
    """

    def __init__(
        self,
        reason: FailureReason,
        message: str,
        *,
        detail: str = "",
        error: BaseException | None = None,
    ) -> None:
        self.reason: FailureReason = reason
        self.detail = detail or message
        self.error = error
        super().__init__(message)

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again may get an answer."""
        return self.reason in RETRYABLE_REASONS


def _tls_error(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind `exc` (httpx wraps it in ConnectError), if any."""
    seen: BaseException | None = exc
    for _ in range(8):  # a short chain; never loop on a cycle
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def tls_verification(verify_tls: bool | str | PathLike[str]) -> bool | ssl.SSLContext:
    """What httpx's ``verify=`` gets for `verify_tls`: a bool, or a context trusting a CA bundle.

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


def _failure_reason(exc: Exception) -> FailureReason:
    if _tls_error(exc) is not None:
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
        response.reason_phrase or _standard_reason(response.status_code),
    )


def _standard_reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


# --------------------------------------------------------------------------
# The verifier's transport: a provider over HTTP, or an ASGI/WSGI app in-process.

# Characters left as they are in a pact path: RFC 3986 pchar plus '/' and '%'
# (so a path the consumer already percent-encoded is not encoded twice).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_APP_BASE_URL = "http://provider.pactdsl"
_USER_AGENT = "pactdsl-verifier"


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


def _provider_failure(exc: Exception, url: str, timeout: float) -> TransportFailure:
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
            f"TLS failed with {url}: {_tls_error(exc)}; if the provider's certificate is "
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


class _BodyTooLarge(Exception):
    """A body went over `Limits.max_body_bytes` (turned into a "limit" `TransportFailure`)."""


def _inflater(encoding: str) -> Any:
    """A zlib decompressor for `encoding`, None for identity; raises KeyError for others."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip header, auto-detected
    raise KeyError(encoding)


def _inflate(inflater: Any, data: bytes, room: int) -> bytes:
    """Inflate `data` but stop as soon as the output would exceed `room` bytes."""
    pieces = [inflater.decompress(data, room + 1)]
    size = len(pieces[0])
    while inflater.unconsumed_tail and size <= room:
        more = inflater.decompress(inflater.unconsumed_tail, room + 1 - size)
        if not more:
            break
        pieces.append(more)
        size += len(more)
    if size > room:
        raise _BodyTooLarge
    return b"".join(pieces)


def _read_bounded(response: httpx.Response, cap: int, deadline: float) -> bytes:
    """The (decoded) body of a streamed response, at most `cap` bytes, before `deadline`."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    try:
        inflater = _inflater(encoding)
        chunks: Iterator[bytes] = response.iter_raw()
    except KeyError:  # br, zstd or a list of codings: httpx decodes, the cap still holds
        inflater, chunks = None, response.iter_bytes()
    kept: list[bytes] = []
    size = 0
    for chunk in chunks:
        if time.monotonic() > deadline:
            msg = "the body did not end before its deadline"
            raise TimeoutError(msg)
        data = _inflate(inflater, chunk, cap - size) if inflater is not None else chunk
        size += len(data)
        if size > cap:
            raise _BodyTooLarge
        kept.append(data)
    return b"".join(kept)


def _bounded_asgi(app: Any, cap: int) -> Any:
    """Wrap an ASGI app so a response body over `cap` bytes stops it.

    httpx's ASGI transport gathers the whole body before returning, so the cap
    must hold inside the app's ``send``.
    """

    async def bounded(scope: Any, receive: Any, send: Any) -> None:
        sent = 0

        async def counting_send(message: Any) -> None:
            nonlocal sent
            if message.get("type") == "http.response.body":
                sent += len(message.get("body", b""))
                if sent > cap:
                    raise _BodyTooLarge
            await send(message)

        await app(scope, receive, counting_send)

    return bounded


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
        async_client: httpx.AsyncClient | None = None,
        *,
        verify_tls: bool | ssl.SSLContext = True,
        lifespan: Lifespan | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.base_url = base_url
        self._lifespan = lifespan
        self.shutdown_problem: str | None = None  # set by `close` when the app's shutdown failed
        self.limits = limits or current_limits()
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
            if self._client is not None:
                request = self._client.build_request(method, url, headers=headers, content=body)
                response = self._client.send(request, stream=True)
                try:
                    content = _read_bounded(response, self.limits.max_body_bytes, deadline)
                finally:
                    response.close()
                return _raw(response, content)
            assert self._async_client is not None
            request = self._async_client.build_request(method, url, headers=headers, content=body)
            return _raw(self._run(self._async_client.send(request)))
        except TransportFailure:
            raise
        except _BodyTooLarge:
            msg = (
                f"the answer from {url} has a body over Limits(max_body_bytes="
                f"{self.limits.max_body_bytes}) (after decompression); make it smaller "
                "or raise the limit"
            )
            raise TransportFailure("limit", msg) from None
        except Exception as exc:
            raise _provider_failure(exc, url, seconds) from None
        finally:
            _DEADLINE.reset(token)

    def start(self) -> None:
        """Run the app's lifespan startup, when there is one to run.

        Raises:
            LifespanFailure: when the app's startup fails or does not finish in time.
        """
        if self._lifespan is not None:
            self._run(self._lifespan.startup(self.timeout), bound=False)

    def _run(self, coro: Coroutine[Any, Any, _T], *, bound: bool = True) -> _T:
        assert self._loop is not None
        bounded = asyncio.wait_for(coro, self.timeout) if bound else coro
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
            raise _provider_failure(exc, url, self.timeout) from None

    def close(self) -> None:
        """Close the connections (and the event loop of an ASGI app)."""
        if self._state_client is not None:
            self._state_client.close()
        if self._client is not None:
            self._client.close()
        if self._async_client is not None and self._loop is not None:
            if self._lifespan is not None:
                shutdown = self._lifespan.shutdown(self.timeout)
                self.shutdown_problem = self._run(shutdown, bound=False)
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
    if app_kind(app) == "wsgi":
        client = httpx.Client(
            transport=httpx.WSGITransport(app=app),
            follow_redirects=follow,
            event_hooks=hooks,
            headers=headers,
        )
        return ProviderTransport(_APP_BASE_URL, timeout, client, verify_tls=verify, limits=bounds)
    span = Lifespan(app) if lifespan else None
    served = span.app if span is not None else app
    async_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_bounded_asgi(served, bounds.max_body_bytes)),
        follow_redirects=follow,
        headers=headers,
    )
    return ProviderTransport(
        _APP_BASE_URL,
        timeout,
        None,
        async_client,
        verify_tls=verify,
        lifespan=span,
        limits=bounds,
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
