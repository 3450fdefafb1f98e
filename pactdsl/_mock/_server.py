"""Serving on a real port: a stdlib HTTP/1.1 server on a background thread.

Any client can talk to it (urllib, requests, aiohttp, curl). Every response
carries an explicit Content-Length so keep-alive works. `stop` returns at once:
the accept loop wakes on a self-pipe rather than polling, and open keep-alive
connections are shut down. Threads come from a shared pool, because starting a
thread costs more than serving a request when a test suite starts one mock per test.
With an SSL context it serves HTTPS: each accepted socket is wrapped, and the
handshake runs on the connection's own thread, so a silent client cannot stall
the accept loop.

A consumer under test may misbehave, so the server is bounded by the `Limits` it
is given: at most `mock_workers` connections are served at once (others wait in
the listen queue), a connection silent for `idle_seconds` is closed, a request
body over `max_body_bytes` is refused, and the accept loop outlives any failure of
one connection. A request the server cannot read (bad Content-Length or chunk
size, a body too big or too slow) still reaches the handler, as a `MockRequest`
with `problem` set, so the mock records it and its verification fails.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import selectors
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from pactdsl._limits import DEFAULT_LIMITS, Limits
from pactdsl._mock._core import MockRequest, MockResponse, MockServerError

__all__ = ["MockHTTPServer"]

Handler = Callable[[MockRequest], MockResponse]


class _ThreadPool:
    """Daemon threads that wait for tasks; a new one starts only when none is idle."""

    max_idle = 64

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0

    def submit(self, task: Callable[[], None]) -> None:
        """Run `task` on an idle thread, or a new one.

        Raises:
            RuntimeError: when no thread can be started (the task is not queued).
        """
        with self._lock:
            spawn = self._idle == 0
            if not spawn:
                self._idle -= 1
        if spawn:
            threading.Thread(target=self._work, name="pactdsl-mock", daemon=True).start()
        self._tasks.put(task)

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            # Tasks handle their own errors (socketserver's handle_error, the loop's guards).
            with contextlib.suppress(Exception):
                task()
            with self._lock:
                if self._idle >= self.max_idle:
                    return
                self._idle += 1


_POOL = _ThreadPool()


class _RequestProblem(Exception):
    """A request the server cannot read; the message says what is wrong."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many clients may connect at once (load tests); the default backlog of 5 drops SYNs.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        handler: Handler,
        ssl_context: ssl.SSLContext | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.mock_handler = handler
        self.ssl_context = ssl_context
        self.limits = limits
        self.workers = threading.BoundedSemaphore(limits.mock_workers)
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection on a pooled thread (ThreadingMixIn would start one)."""

        def serve() -> None:
            try:
                self.process_request_thread(request, client_address)
            finally:
                self.workers.release()

        _POOL.submit(serve)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection; with TLS, wrap it (the handshake runs on the worker thread)."""
        connection, address = super().get_request()
        if self.ssl_context is not None:
            connection = self.ssl_context.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that refused our certificate; report anything else."""
        if isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            return
        super().handle_error(request, client_address)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve the host's FQDN (slow DNS); bind directly.
        # SO_REUSEADDR lets a fixed port be reused while in TIME_WAIT; on Linux and macOS
        # a port someone listens on still fails at once. Windows would let us steal it.
        if os.name != "nt":
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        host, port = self.socket.getsockname()[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the client's delayed
    # ACK stalls every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        # StreamRequestHandler applies `timeout` to the connection: idle clients are closed.
        self.timeout = self.server.limits.idle_seconds  # type: ignore[misc]
        super().setup()
        with self.server.connections_lock:
            self.server.open_connections.add(self.connection)
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except BaseException:
                self.finish()  # handle_error stays quiet about a refused handshake
                raise

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.open_connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the client may have gone already
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the mock records calls itself."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a request the stdlib parser refused, and record it with the mock first."""
        if code >= 400:
            method, _, rest = str(getattr(self, "requestline", "")).partition(" ")
            with contextlib.suppress(Exception):
                self.server.mock_handler(
                    MockRequest(
                        method or "?",
                        rest.split(" ", 1)[0] or "?",
                        problem=f"{code} {message or ''}".strip(),
                    )
                )
        super().send_error(code, message, explain)

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler dispatches to do_<METHOD>; serve every method.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _read_body(self) -> bytes:
        cap = self.server.limits.max_body_bytes
        too_big = f"the request body is over Limits(max_body_bytes={cap})"
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                except ValueError:
                    msg = f"the chunk size {size_line[:40]!r} is not a hex number"
                    raise _RequestProblem(400, msg) from None
                if size < 0:
                    raise _RequestProblem(400, f"the chunk size {size} is negative")
                if size == 0:
                    # Trailers, if any, end with an empty line.
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > cap:
                    raise _RequestProblem(413, too_big)
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    raise _RequestProblem(400, "the connection closed inside a chunk")
                chunks.append(chunk)
                self.rfile.readline(1024)
        raw_length = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            raise _RequestProblem(400, f"Content-Length={raw_length[:40]!r} is not a size")
        if length > cap:
            raise _RequestProblem(413, f"{too_big} (Content-Length={length})")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise _RequestProblem(400, f"the body ended after {len(body)} of {length} bytes")
        return body

    def _serve(self) -> None:
        raw_path, _, query = self.path.partition("?")
        problem = None
        try:
            body = self._read_body()
        except _RequestProblem as exc:
            body, problem = b"", str(exc)
        except (TimeoutError, OSError) as exc:
            body, problem = b"", f"the request body did not arrive ({type(exc).__name__})"
        if problem is not None:
            self.close_connection = True  # the rest of the body is still unread
        request = MockRequest(
            self.command,
            unquote(raw_path, errors="replace"),
            query,
            tuple(self.headers.items()),
            body,
            problem=problem,
        )
        try:
            response = self.server.mock_handler(request)
        except Exception as exc:  # the client must get an answer, not a reset
            body = f"pactdsl mock provider failed: {type(exc).__name__}: {exc}".encode()
            response = MockResponse(500, (("Content-Type", "text/plain"),), body)
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)


class MockHTTPServer:
    """A real HTTP/1.1 server on `host`:`port` answering with `handler`.

    Args:
        handler: The mock core's `handle`.
        host: The address to listen on.
        port: 0 for any free port, or a fixed port.
        ssl_context: A server-side context to serve HTTPS with, or None for HTTP.
        limits: Workers, idle timeout and body size (`Limits`).
    """

    def __init__(
        self,
        handler: Handler,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._handler = handler
        self._ssl_context = ssl_context
        self._host = host
        self._requested_port = port
        self._limits = limits
        self._server: _Server | None = None
        self._stopped: threading.Event | None = None
        self._wake_read: socket.socket | None = None
        self._wake_write: socket.socket | None = None

    @property
    def port(self) -> int:
        """The port listened on (known once started)."""
        if self._server is None:
            msg = "the mock server is not started; call start() first"
            raise RuntimeError(msg)
        return self._server.server_port

    @property
    def is_serving(self) -> bool:
        """Whether the accept loop is alive (started, not stopped, not crashed)."""
        return self._stopped is not None and not self._stopped.is_set()

    def start(self) -> None:
        """Bind and start serving on a daemon thread.

        Raises:
            MockServerError: when the port is busy or the address cannot be bound.
        """
        try:
            server = _Server(
                (self._host, self._requested_port), self._handler, self._ssl_context, self._limits
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                msg = (
                    f"port={self._requested_port} on host={self._host!r} is already in use; "
                    "pick another port, or port=0 for any free one"
                )
            else:
                msg = (
                    f"cannot listen on host={self._host!r} port={self._requested_port}: "
                    f"{exc.strerror or exc}"
                )
            raise MockServerError(exc.errno or 0, msg) from None
        self._server = server
        self._wake_read, self._wake_write = socket.socketpair()
        stopped = threading.Event()
        wake = self._wake_read
        self._stopped = stopped
        try:
            _POOL.submit(lambda: self._accept_loop(server, wake, stopped))
        except RuntimeError as exc:
            self.stop()
            raise MockServerError(0, f"cannot start the mock's server thread: {exc}") from None

    @staticmethod
    def _accept_loop(server: _Server, wake: socket.socket, stopped: threading.Event) -> None:
        try:
            MockHTTPServer._accept_until_woken(server, wake)
        finally:
            stopped.set()

    @staticmethod
    def _accept_until_woken(server: _Server, wake: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(server.socket, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while True:
                # Every worker busy: leave new connections in the listen queue, but
                # keep watching the wake socket so stop() still returns at once.
                while not server.workers.acquire(timeout=0.05):
                    if any(key.fileobj is wake for key, _ in selector.select(timeout=0)):
                        return
                if any(key.fileobj is wake for key, _ in selector.select()):
                    server.workers.release()
                    return
                MockHTTPServer._accept_one(server)

    @staticmethod
    def _accept_one(server: _Server) -> None:
        """Accept one connection and hand it to a worker; a failure costs that connection only."""
        try:
            connection, address = server.get_request()
        except OSError:
            server.workers.release()
            return
        try:
            server.process_request(connection, address)
        except Exception:  # no thread could start, say: drop this connection, keep serving
            server.workers.release()
            with contextlib.suppress(OSError):
                connection.close()

    def stop(self) -> None:
        """Stop accepting, close open connections and the listening socket."""
        server, stopped = self._server, self._stopped
        if server is None or stopped is None:
            return
        assert self._wake_write is not None
        assert self._wake_read is not None
        self._wake_write.send(b"x")
        stopped.wait()
        with server.connections_lock:
            connections = list(server.open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        self._wake_write.close()
        self._wake_read.close()
        self._server = None
        self._stopped = None
        self._wake_read = self._wake_write = None
