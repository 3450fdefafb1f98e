"""Real servers on 127.0.0.1 for the HTTP client's tests: raw sockets, TLS and a proxy.

`RawServer` runs a behaviour (a function of the connection and the first
request it read, head and Content-Length body) on every accepted connection,
so a test can answer honestly, trickle, lie about lengths, reset, or never
end. `ForwardProxy` is a small HTTP proxy: absolute-form requests are
forwarded to their origin, CONNECT opens a tunnel; it records what it was
asked and can require credentials.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

__all__ = ["ForwardProxy", "RawServer", "answer", "read_head", "read_request"]

Behaviour = Callable[[socket.socket, bytes], object]


def read_head(connection: socket.socket) -> bytes:
    """The request head (through the blank line) read from `connection`; b"" at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = connection.recv(65536)
        if not piece:
            return b""
        data += piece
    return data


def read_request(connection: socket.socket) -> tuple[bytes, bytes]:
    """A whole request (head and Content-Length body) from `connection`; (b"", b"") at EOF."""
    data = read_head(connection)
    if not data:
        return b"", b""
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        piece = connection.recv(65536)
        if not piece:
            break
        body += piece
    return head, body


def answer(status: str, body: bytes = b"", headers: tuple[str, ...] = ()) -> bytes:
    """An HTTP/1.1 answer with a Content-Length, as bytes."""
    lines = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class RawServer:
    """A socket server on 127.0.0.1 running `behaviour` on each connection (optionally TLS).

    Attributes:
        url: The server's base URL.
        connections: How many connections were accepted.
        heads: Each first request (head and body) `behaviour` was given, in order.
    """

    def __init__(self, behaviour: Behaviour, *, tls: ssl.SSLContext | None = None) -> None:
        self._behaviour = behaviour
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self.connections = 0
        self.heads: list[bytes] = []
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}"
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            if self._tls is not None:
                connection = self._tls.wrap_socket(connection, server_side=True)
                with self._lock:
                    self._open.append(connection)
            head, body = read_request(connection)
            if head:
                request = head + b"\r\n\r\n" + body
                self.heads.append(request)
                self._behaviour(connection, request)
        except OSError:
            pass
        finally:
            connection.close()

    def close(self) -> None:
        """Stop accepting and close every connection still open."""
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._listener.close()
        self._thread.join()
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


class ForwardProxy:
    """An HTTP proxy on 127.0.0.1: forwards absolute-form requests, tunnels CONNECT.

    Attributes:
        url: The proxy's URL (``http://127.0.0.1:PORT``).
        request_lines: Each request line it received (``GET http://...``, ``CONNECT h:p``).
        authorizations: The Proxy-Authorization value of each request (None when absent).
    """

    def __init__(self, *, credentials: str | None = None) -> None:
        self._credentials = credentials
        self.request_lines: list[str] = []
        self.authorizations: list[str | None] = []
        self._server = RawServer(self._handle)
        self.url = self._server.url

    def _handle(self, client: socket.socket, head: bytes) -> None:
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
        self.request_lines.append(f"{method} {target}")
        fields = dict(line.split(": ", 1) for line in lines[1:])
        given = next((v for k, v in fields.items() if k.lower() == "proxy-authorization"), None)
        self.authorizations.append(given)
        if self._credentials is not None and given != self._credentials:
            client.sendall(answer("407 Proxy Authentication Required", b"who are you?"))
            return
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = b""
        else:
            where = urlsplit(target)
            upstream = socket.create_connection((where.hostname, where.port or 80))
            origin_form = where.path + (f"?{where.query}" if where.query else "")
            kept = [ln for ln in lines[1:] if not ln.lower().startswith("proxy-authorization")]
            rest = "\r\n".join([f"{method} {origin_form} {version}", *kept]).encode("latin-1")
            rest += b"\r\n\r\n" + head.split(b"\r\n\r\n", 1)[1]
        with upstream:
            upstream.sendall(rest)
            back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            back.start()
            _pipe(client, upstream)
            back.join()

    def close(self) -> None:
        """Stop the proxy."""
        self._server.close()

    def __enter__(self) -> ForwardProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
