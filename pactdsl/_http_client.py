"""A small synchronous HTTP/1.1 client on the standard library, with hard bounds.

What pactdsl sends over the network (the verifier's requests, state-change
calls, the Pact Broker client) goes through `HttpClient`: `http.client` writes
requests and parses answers, on `socket` and `ssl`. No third-party HTTP library.

A provider under test may be hostile or broken, so every request is bounded:

- one deadline for the whole answer: each socket read and write waits at most
  until then, so a provider trickling a byte a second fails at the deadline,
  not one read timeout later per byte;
- the body is read, and gzip/deflate inflated incrementally, up to a byte cap;
- keep-alive connections are reused per origin; one whose answer was not read
  to its end is closed, never reused.

Proxies come from ``proxy=`` or the environment (HTTP_PROXY, HTTPS_PROXY,
ALL_PROXY, NO_PROXY): plain HTTP goes to the proxy in absolute form, HTTPS
through a CONNECT tunnel. Redirects are followed around it, by
`_http_urls.send_following_redirects`. A request without an HTTP answer raises
an `_http_errors.HttpError` subclass.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import re
import select
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from email.errors import MissingHeaderBodySeparatorDefect
from typing import Any, cast

import attrs

from pactdsl._http_answers import (
    BodyInflater,
    BodyTooLarge,
    RawResponse,
    header_text,
    standard_reason,
)
from pactdsl._http_errors import (
    ConnectError,
    ConnectTimeout,
    DecodingError,
    HttpError,
    InvalidURL,
    LocalProtocolError,
    ProxyError,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    TransportError,
    WriteError,
    WriteTimeout,
)
from pactdsl._http_urls import SplitUrl, client_defaults, request_head, split_url

__all__ = ["HttpClient"]

_CHUNK = 65536
_KEEPALIVE_SECONDS = 5.0
_IDLE_PER_ROUTE = 8

# --------------------------------------------------------------------------
# Sockets bounded by a deadline


@attrs.define
class _Bounds:
    """How long one socket operation may wait: `timeout`, cut short at `deadline`."""

    timeout: float
    deadline: float | None = None

    def seconds(self, error: type[TransportError]) -> float:
        """The wait allowed now; raises `error` when the deadline has passed."""
        if self.deadline is None:
            return self.timeout
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            msg = "the whole answer did not arrive before its deadline"
            raise error(msg)
        return min(self.timeout, remaining)


class _BoundedSocket:
    """A connected socket (plain or TLS) whose every read and write obeys `bounds`.

    http.client writes with ``sendall`` and reads through ``makefile("rb")``;
    both come here, so header lines and body alike stop at the deadline.
    """

    def __init__(self, sock: socket.socket, bounds: _Bounds) -> None:
        self.sock = sock
        self.bounds = bounds
        # As socket.makefile does: http.client closes the connection of a
        # "Connection: close" answer before its body is read, so the socket
        # really closes only when its last reader has too.
        self._readers = 0
        self._closing = False

    def sendall(self, data: Any) -> None:
        with memoryview(data) as view, view.cast("B") as octets:
            sent = 0
            while sent < len(octets):
                self.sock.settimeout(self.bounds.seconds(WriteTimeout))
                try:
                    sent += self.sock.send(octets[sent:])
                except TimeoutError:
                    msg = f"the request was not written within {self.sock.gettimeout()}s"
                    raise WriteTimeout(msg) from None

    def recv_into(self, buffer: Any) -> int:
        self.sock.settimeout(self.bounds.seconds(ReadTimeout))
        try:
            return self.sock.recv_into(buffer)
        except TimeoutError:
            msg = f"no data within {self.sock.gettimeout()}s"
            raise ReadTimeout(msg) from None

    def makefile(self, mode: str = "rb", buffering: int = io.DEFAULT_BUFFER_SIZE) -> Any:
        self._readers += 1
        return io.BufferedReader(_SocketReader(self), buffering)

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closing and not self._readers:
            self.sock.close()

    def close(self) -> None:
        self._closing = True
        if not self._readers:
            self.sock.close()

    def fileno(self) -> int:
        return self.sock.fileno()


class _SocketReader(io.RawIOBase):
    """The raw stream under an answer's buffered reader; closing it leaves the socket open."""

    def __init__(self, sock: _BoundedSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._sock.reader_closed()
        super().close()


def _stale(sock: _BoundedSocket) -> bool:
    """Whether an idle keep-alive connection has something to read (EOF or junk): unusable."""
    try:
        ready, _, _ = select.select([sock.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


# --------------------------------------------------------------------------
# Connections, through a proxy or not


@attrs.frozen
class _Proxy:
    """An http:// proxy: where it listens and what authenticates to it."""

    host: str
    port: int
    shown: str  # its URL without credentials, for messages
    authorization: str | None = None


def _proxy(url: str, name: str) -> _Proxy:
    """Parse a proxy URL (a bare ``host:port`` means http://).

    Raises:
        ProxyError: when it is not an http:// proxy URL with a host.
    """
    full = url if "://" in url else "http://" + url
    if not full.lower().startswith("http://"):
        msg = (
            f"{name}={url!r}: only http:// proxies are supported (https:// sites are "
            "reached through them by CONNECT); give http://host:port"
        )
        raise ProxyError(msg)
    try:
        where = split_url(full)
    except InvalidURL as exc:
        msg = f"{name}={url!r} is not a proxy URL ({exc}); give http://host:port"
        raise ProxyError(msg) from None
    return _Proxy(where.host, where.port, f"http://{where.authority}", where.authorization)


@attrs.frozen
class _Route:
    """Where a request goes: the origin, and the proxy in between (or None)."""

    scheme: str
    host: str
    port: int
    proxy: _Proxy | None


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_OBSOLETE_FOLD = re.compile(r"\r?\n[ \t]+")


class _Answer(http.client.HTTPResponse):
    """An answer whose head is checked: what http.client lets through, we refuse.

    Interim answers (102 Processing, 103 Early Hints: http.client skips only 100)
    are skipped; folded header lines are unfolded; a line that is not a header,
    a NUL or CR in a header, a Transfer-Encoding other than chunked, or a
    Content-Length that is not one number raises `RemoteProtocolError` rather
    than reading a body framed by a guess.
    """

    def _read_status(self) -> tuple[str, int, str]:
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not (101 < status < 200):
                return version, status, reason
            http.client.parse_headers(self.fp)  # the interim answer's headers

    def _read_next_chunk_size(self) -> int:
        # As http.client's, but a garbled size is named (it reports IncompleteRead,
        # a body cut short) and Python's int() leniency ("0x5", "1_0", "-5") refused.
        line = self.fp.readline(_CHUNK + 1)
        if len(line) > _CHUNK:
            raise http.client.LineTooLong("chunk size")
        if not line:
            raise http.client.IncompleteRead(b"")
        size = line.split(b";", 1)[0].strip()
        if not size or size.strip(b"0123456789abcdefABCDEF"):
            _refuse(f"the chunk size {size[:40]!r} is not a hexadecimal number", part="body")
        return int(size, 16)

    def begin(self) -> None:
        super().begin()
        # The parser stopped at a line that is no header: the headers after it are
        # lost. (Other defects are about a body it expected, as for multipart.)
        if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in self.msg.defects):
            _refuse("a header line is not 'name: value'")
        for name, value in self.msg.items():
            if not _TOKEN.fullmatch(name):
                _refuse(f"the header name {name!r} is not a token")
            unfolded = _OBSOLETE_FOLD.sub(" ", value)
            if unfolded != value:
                self.msg.replace_header(name, unfolded)
            if any(bad in unfolded for bad in "\0\r\n"):
                _refuse(f"the header {name}: {unfolded!r} holds a NUL, CR or LF")
        codings = _listed(self.msg.get_all("Transfer-Encoding"))
        if codings and [coding.lower() for coding in codings] != ["chunked"]:
            # http.client only de-chunks "chunked" alone: "gzip, chunked" would
            # hand over the chunk framing as the body.
            _refuse(f"Transfer-Encoding {codings} is not supported (only chunked is)")
        if self.chunked:
            return  # chunked framing: any Content-Length is ignored (RFC 9112 6.3)
        lengths = set(_listed(self.msg.get_all("Content-Length")))
        if not lengths:
            return
        if len(lengths) > 1 or not all(part.isdigit() and part.isascii() for part in lengths):
            _refuse(f"Content-Length {sorted(lengths)} is not one length in digits")
        if self.length is None:  # "11, 11": http.client read that as no length at all
            self.length = int(lengths.pop())


def _listed(values: list[str] | None) -> list[str]:
    """The items of a comma-separated header, over all its lines."""
    return [part.strip() for value in values or () for part in value.split(",")]


def _refuse(why: str, part: str = "head") -> None:
    msg = f"the answer's {part} is malformed: {why}"
    raise RemoteProtocolError(msg)


class _Connection(http.client.HTTPConnection):
    """One keep-alive connection for a route, its socket bounded by `bounds`."""

    response_class = _Answer

    def __init__(self, route: _Route, tls: ssl.SSLContext | None, timeout: float) -> None:
        super().__init__(route.host, route.port, timeout=timeout)
        self.route = route
        self.bounds = _Bounds(timeout)
        self.idle_since = 0.0
        self._tls = tls
        self._bounded: _BoundedSocket | None = None

    @property
    def bounded(self) -> _BoundedSocket | None:
        return self._bounded if self.sock is not None else None

    def connect(self) -> None:
        """Connect (to the proxy, when there is one), tunnel, and shake hands over TLS.

        Raises:
            ConnectError: no connection, or the TLS handshake failed (the ssl
                error is its cause).
            ConnectTimeout: when that took too long.
            ProxyError: when the proxy refused the tunnel.
        """
        proxy = self.route.proxy
        address = (self.host, self.port) if proxy is None else (proxy.host, proxy.port)
        seconds = self.bounds.seconds(ConnectTimeout)
        try:
            raw = socket.create_connection(address, seconds)
        except TimeoutError:
            msg = f"no connection to {address[0]}:{address[1]} within {seconds:g}s"
            raise ConnectTimeout(msg) from None
        except OSError as exc:
            via = "" if proxy is None else f" (the proxy {proxy.shown})"
            msg = f"{exc or type(exc).__name__}{via}"
            raise ConnectError(msg) from exc
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._bounded = _BoundedSocket(raw, self.bounds)
        # http.client only calls sendall() and makefile() on it.
        self.sock = cast(socket.socket, self._bounded)
        try:
            if proxy is not None and self._tls is not None:
                self._tunnel_through(proxy)
            if self._tls is not None:
                self._shake_hands(raw, self._tls)
        except HttpError:
            self.close()
            raise
        except OSError as exc:
            self.close()
            raise ConnectError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            self.close()
            raise

    def _tunnel_through(self, proxy: _Proxy) -> None:
        assert self._bounded is not None
        authority = SplitUrl("https", self.host, self.port, "/").authority
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        if proxy.authorization:
            lines.append(f"Proxy-Authorization: {proxy.authorization}")
        answer = http.client.HTTPResponse(cast(socket.socket, self._bounded), method="CONNECT")
        try:
            self._bounded.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
            answer.begin()
        except (http.client.HTTPException, ConnectionError) as exc:
            msg = f"the proxy {proxy.shown} broke off CONNECT {authority} ({exc!r})"
            raise ProxyError(msg) from exc
        finally:
            answer.close()  # its reader only: the socket stays open
        if answer.status != 200:
            msg = (
                f"the proxy {proxy.shown} answered {answer.status} {answer.reason} to "
                f"CONNECT {authority}; check the proxy's address and credentials"
            )
            raise ProxyError(msg)

    def _shake_hands(self, raw: socket.socket, tls: ssl.SSLContext) -> None:
        assert self._bounded is not None
        raw.settimeout(self.bounds.seconds(ConnectTimeout))
        try:
            self._bounded.sock = tls.wrap_socket(raw, server_hostname=self.host)
        except TimeoutError:
            msg = f"the TLS handshake with {self.host}:{self.port} took too long"
            raise ConnectTimeout(msg) from None
        except OSError as exc:  # ssl.SSLError among them, kept as the cause
            raise ConnectError(str(exc) or type(exc).__name__) from exc


# --------------------------------------------------------------------------
# The client


class _StaleConnection(Exception):
    """A reused keep-alive connection turned out closed before any answer: send again."""


# Sent again on a fresh connection when a reused one closes before answering: a
# method whose repeat the provider may act on twice (POST, PATCH) is not resent.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class HttpClient:
    """Keep-alive HTTP/1.1 connections per origin; each request bounded as asked.

    Args:
        timeout: Seconds any one connect, read or write may wait.
        verify_tls: True (trust the system's CAs, which honours SSL_CERT_FILE
            and SSL_CERT_DIR), False (no certificate check), or the SSL context to use.
        proxy: A proxy URL (``http://[user:password@]host:port``) for every
            request; None takes HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY
            from the environment.
        user_agent: The User-Agent sent unless a request names its own.

    Raises:
        ProxyError: when `proxy` is not an http:// proxy URL.

    It is thread-safe; `close` releases the idle connections.
    """

    def __init__(
        self,
        *,
        timeout: float,
        verify_tls: bool | ssl.SSLContext = True,
        proxy: str | None = None,
        user_agent: str = "pactdsl",
    ) -> None:
        self._timeout = timeout
        self._verify_tls = verify_tls
        self._tls: ssl.SSLContext | None = (
            verify_tls if isinstance(verify_tls, ssl.SSLContext) else None
        )
        self._proxy = None if proxy is None else _proxy(proxy, "proxy")
        self._environment: dict[str, str] | None = None
        self._routes: dict[tuple[str, str, int], _Route] = {}
        self._defaults = client_defaults(user_agent)
        self._idle: dict[_Route, list[_Connection]] = {}
        self._lock = threading.Lock()

    def send_once(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
        *,
        deadline: float | None = None,
        max_body_bytes: int | None = None,
    ) -> RawResponse:
        """Send one request (no redirects followed) and read the whole answer.

        Args:
            method: The HTTP method.
            url: An absolute http(s) URL.
            headers: Header pairs, in order (repeats allowed); Host, Accept,
                Accept-Encoding, Connection, User-Agent and Content-Length are
                added unless named here.
            body: The body bytes, or None.
            deadline: A `time.monotonic()` time by which the whole answer must
                have arrived (None: only the per-operation timeout).
            max_body_bytes: The most body bytes (after inflating) accepted.

        Raises:
            HttpError: a subclass saying why no answer came.
            BodyTooLarge: when the body is over `max_body_bytes`.
        """
        where = split_url(url)
        route = self._route(where)
        target = where.url if route.proxy is not None and route.scheme == "http" else where.target
        head = self._head(method, where, route, headers, body)
        for attempt in range(2):
            connection, reused = self._checkout(route)
            connection.bounds.deadline = deadline
            response: http.client.HTTPResponse | None = None
            try:
                retry = reused and not attempt and method.upper() in _IDEMPOTENT
                response = _exchange(connection, method, target, head, body, resendable=retry)
                status, pairs, reason = response.status, response.getheaders(), response.reason
                content = _read_answer(response, max_body_bytes)
            except _StaleConnection:
                connection.close()
                continue
            except BaseException:
                # The answer of a "Connection: close" holds the socket, not the connection.
                if response is not None:
                    response.close()
                connection.close()
                raise
            self._checkin(connection, response)
            return RawResponse(
                status,
                tuple((name, header_text(value.encode("latin-1"))) for name, value in pairs),
                content,
                reason or standard_reason(status),
            )
        raise AssertionError("unreachable: the second attempt never raises _StaleConnection")

    def close(self) -> None:
        """Close the idle connections (a later request opens new ones)."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _head(
        self,
        method: str,
        where: SplitUrl,
        route: _Route,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
    ) -> list[tuple[str, str]]:
        head = request_head(method, where, headers, body, self._defaults)
        if route.proxy is not None and route.scheme == "http" and route.proxy.authorization:
            head.append(("Proxy-Authorization", route.proxy.authorization))
        return head

    def _route(self, where: SplitUrl) -> _Route:
        route = self._routes.get(where.origin)
        if route is None:
            route = _Route(where.scheme, where.host, where.port, self._proxy_for(where))
            self._routes[where.origin] = route
        return route

    def _proxy_for(self, where: SplitUrl) -> _Proxy | None:
        if self._proxy is not None:
            return self._proxy
        import urllib.request  # only when a request goes out: it is slow to import

        if self._environment is None:
            self._environment = urllib.request.getproxies()
        url = self._environment.get(where.scheme) or self._environment.get("all")
        if not url:
            return None
        host = where.host if ":" in where.host else f"{where.host}:{where.port}"
        if urllib.request.proxy_bypass(host):
            return None
        return _proxy(url, f"{where.scheme.upper()}_PROXY")

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            if self._verify_tls:
                self._tls = ssl.create_default_context()
            else:
                self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                self._tls.check_hostname = False
                self._tls.verify_mode = ssl.CERT_NONE
        return self._tls

    def _checkout(self, route: _Route) -> tuple[_Connection, bool]:
        """An idle connection for `route` that is still usable, or a new one (not yet open)."""
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(route, [])
            while idle:
                connection = idle.pop()
                bounded = connection.bounded
                if (
                    bounded is not None
                    and now - connection.idle_since < _KEEPALIVE_SECONDS
                    and not _stale(bounded)
                ):
                    return connection, True
                connection.close()
        tls = self._tls_context() if route.scheme == "https" else None
        return _Connection(route, tls, self._timeout), False

    def _checkin(self, connection: _Connection, response: http.client.HTTPResponse) -> None:
        """Keep `connection` for the next request to its route, if the answer left it usable."""
        if response.will_close or not response.isclosed() or connection.bounded is None:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        with self._lock:
            idle = self._idle.setdefault(connection.route, [])
            if len(idle) < _IDLE_PER_ROUTE:
                idle.append(connection)
                return
        connection.close()


def _exchange(
    connection: _Connection,
    method: str,
    target: str,
    head: Sequence[tuple[str, str]],
    body: bytes | None,
    resendable: bool,
) -> http.client.HTTPResponse:
    """Write the request on `connection` (opening it if new) and read the answer's head.

    `resendable`: a reused connection found closed before any answer raises
    `_StaleConnection` (the caller sends again) rather than an error.
    """
    if connection.sock is None:
        connection.connect()
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in head:
            connection.putheader(name, value if value.isascii() else value.encode("utf-8"))
    except http.client.InvalidURL as exc:
        raise InvalidURL(str(exc)) from None
    except ValueError as exc:  # an illegal method, header name or value
        raise LocalProtocolError(str(exc)) from None
    try:
        connection.endheaders(body)
    except HttpError:
        raise
    except ConnectionError as exc:
        if resendable:
            raise _StaleConnection from exc
        msg = f"the connection broke while the request was sent ({exc or type(exc).__name__})"
        raise WriteError(msg) from exc
    except OSError as exc:
        raise WriteError(str(exc) or type(exc).__name__) from exc
    with _reading("the answer is not HTTP/1.x"):
        try:
            return connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError) as exc:
            if resendable:
                raise _StaleConnection from exc
            msg = "the server closed the connection without answering"
            raise RemoteProtocolError(msg) from exc


def _read_answer(response: http.client.HTTPResponse, cap: int | None) -> bytes:
    """The answer's whole body, decoded, mapping failures to this module's errors."""
    with _reading("the body was cut short"):
        return _read_body(response, cap)


@contextlib.contextmanager
def _reading(garbled: str) -> Iterator[None]:
    """Turn what reading an answer raises into this module's errors; `garbled` says what broke."""
    try:
        yield
    except (HttpError, BodyTooLarge):
        raise
    except http.client.HTTPException as exc:
        msg = f"{garbled} ({type(exc).__name__}: {exc})"
        raise RemoteProtocolError(msg) from exc
    except OSError as exc:
        raise ReadError(str(exc) or type(exc).__name__) from exc


def _read_body(response: http.client.HTTPResponse, cap: int | None) -> bytes:
    """The body, inflated for gzip/deflate, at most `cap` bytes (after inflating)."""
    coding = (response.getheader("Content-Encoding") or "").strip().lower()
    try:
        inflater: BodyInflater | None = BodyInflater(coding)
    except KeyError:
        # Only gzip and deflate are asked for (Accept-Encoding); a body in another
        # coding (br, zstd, a list of codings) is kept as its bytes came.
        inflater = None
    if cap is not None and inflater is None and (response.length or 0) > cap:
        raise BodyTooLarge  # a declared length over the cap: no need to read it
    kept: list[bytes] = []
    size = 0
    try:
        while chunk := response.read(_CHUNK):
            if inflater is not None:
                chunk = inflater.feed(chunk, None if cap is None else cap - size)
            size += len(chunk)
            if cap is not None and size > cap:
                raise BodyTooLarge
            kept.append(chunk)
        if response.length:  # http.client returns b"" when a Content-Length body is cut short
            msg = f"the connection closed {response.length} bytes before the end of the body"
            raise RemoteProtocolError(msg)
        if inflater is not None:
            inflater.finish()
    except zlib.error as exc:
        msg = f"the body is not valid {coding} ({exc})"
        raise DecodingError(msg) from None
    return b"".join(kept)
