"""pactdsl's own HTTP client against real servers on 127.0.0.1: bounds, keep-alive, redirects.

Raw socket servers (`tests/_http_servers.py`) play honest and hostile
providers: trickling headers or bodies, endless and lying bodies, gzip bombs,
resets. TLS and proxies have their own module, `tests/test_http_client_tls.py`.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from pactdsl import Limits
from pactdsl._http import JsonHttpClient, open_transport
from pactdsl._http_answers import BodyTooLarge, RawResponse, TransportFailure
from pactdsl._http_client import HttpClient
from pactdsl._http_errors import (
    ConnectError,
    DecodingError,
    InvalidURL,
    ReadTimeout,
    RemoteProtocolError,
    TooManyRedirects,
    WriteTimeout,
    failure_reason,
)
from pactdsl._http_urls import send_following_redirects, split_url
from pactdsl._limits import limits_in_force
from tests._http_servers import RawServer, answer, read_request


@pytest.fixture
def client() -> Iterator[HttpClient]:
    """A client with a 5 s per-operation timeout, closed after the test."""
    with HttpClient(timeout=5.0) as made:
        yield made


def _serve_forever(connection: socket.socket, first: bytes, respond: bytes) -> None:
    """Answer `respond` to the request in `first` and to every later one on the connection."""
    connection.sendall(respond)
    while True:
        head, _ = read_request(connection)
        if not head:
            return
        connection.sendall(respond)


def _trickle(connection: socket.socket, head: bytes, pause: float) -> None:
    connection.sendall(head)
    while True:
        connection.sendall(b"X")
        time.sleep(pause)


# --------------------------------------------------------------------------
# Answers and keep-alive


def test_an_answer_keeps_status_reason_repeated_headers_and_body(client: HttpClient) -> None:
    """Status, reason phrase, repeated headers in order and the body come back as sent."""
    reply = answer("201 Made", b"{}", ("Set-Cookie: a=1", "X-Name: caf\xc3\xa9", "Set-Cookie: b=2"))
    with RawServer(lambda c, h: c.sendall(reply)) as server:
        got = client.send_once("GET", server.url + "/x", [], None)
    assert (got.status, got.reason, got.body) == (201, "Made", b"{}")
    assert [v for k, v in got.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert got.header("x-name") == "café"


def test_requests_carry_default_headers_unless_named_and_repeats_in_order(
    client: HttpClient,
) -> None:
    """Host, Accept, Accept-Encoding and Content-Length are added; given ones win; repeats stay."""
    with RawServer(lambda c, h: c.sendall(answer("200 OK"))) as server:
        client.send_once("POST", server.url + "/p?q=a b", [("X-A", "1"), ("X-A", "2")], b"hey")
        client.send_once("GET", server.url + "/g", [("Accept", "text/plain")], None)
        client.send_once("PUT", server.url + "/empty", [], None)
    post, get, put = (head.decode("latin-1").lower() for head in server.heads)
    assert post.startswith("post /p?q=a%20b http/1.1\r\n")
    assert f"host: 127.0.0.1:{server.port}\r\n" in post
    assert "accept-encoding: gzip, deflate\r\n" in post
    assert "x-a: 1\r\nx-a: 2\r\n" in post
    assert post.endswith("content-length: 3\r\n\r\nhey")
    assert "accept: text/plain\r\n" in get
    assert "accept: */*" not in get
    assert "content-length" not in get
    assert "content-length: 0\r\n" in put


def test_keep_alive_reuses_one_connection_per_origin(client: HttpClient) -> None:
    """Ten requests to one HTTP/1.1 server travel over a single connection."""
    with RawServer(lambda c, h: _serve_forever(c, h, answer("200 OK", b"ok"))) as server:
        bodies = [client.send_once("GET", f"{server.url}/{n}", [], None).body for n in range(10)]
        assert bodies == [b"ok"] * 10
        assert server.connections == 1


def test_a_connection_whose_answer_was_not_read_to_the_end_is_not_reused(
    client: HttpClient,
) -> None:
    """An answer stopped at the byte cap closes its connection; the next request opens another."""
    big = answer("200 OK", b"a" * 1000)
    with RawServer(lambda c, h: _serve_forever(c, h, big)) as server:
        with pytest.raises(BodyTooLarge):
            client.send_once("GET", server.url + "/big", [], None, max_body_bytes=10)
        assert client.send_once("GET", server.url + "/big", [], None).body == b"a" * 1000
        assert server.connections == 2


def test_an_idle_connection_the_server_closed_is_replaced(client: HttpClient) -> None:
    """A keep-alive connection the server closed while idle is not used: the request succeeds."""
    with RawServer(lambda c, h: c.sendall(answer("200 OK", b"once"))) as server:
        first = client.send_once("GET", server.url + "/1", [], None)
        time.sleep(0.1)  # the server has closed its end by now
        second = client.send_once("GET", server.url + "/2", [], None)
    assert (first.body, second.body) == (b"once", b"once")
    assert server.connections == 2


def _close_second_request_unanswered(connection: socket.socket, first: bytes) -> None:
    """Answer the first request; read the next one on the connection and close unanswered."""
    connection.sendall(answer("200 OK", b"first"))
    read_request(connection)


@pytest.mark.parametrize(("method", "resent"), [("GET", True), ("PUT", True), ("POST", False)])
def test_a_reused_connection_closed_unanswered_resends_only_idempotent_methods(
    client: HttpClient, method: str, resent: bool
) -> None:
    """A kept-alive connection closed before answering is resent for GET/PUT, never for POST."""
    connections: list[int] = []

    def behaviour(connection: socket.socket, first: bytes) -> None:
        connections.append(len(connections))
        if len(connections) == 1:
            _close_second_request_unanswered(connection, first)
        else:
            connection.sendall(answer("200 OK", b"again"))

    with RawServer(behaviour) as server:
        client.send_once(method, server.url + "/1", [], b"x")
        if resent:
            assert client.send_once(method, server.url + "/2", [], b"x").body == b"again"
            assert server.connections == 2
        else:
            with pytest.raises(RemoteProtocolError, match="closed the connection without"):
                client.send_once(method, server.url + "/2", [], b"x")
            assert server.connections == 1


def test_connection_close_answers_are_read_whole_and_not_pooled(client: HttpClient) -> None:
    """An answer saying Connection: close is read to its end before its socket closes."""
    reply = answer("200 OK", b"z" * 200_000, ("Connection: close",))
    with RawServer(lambda c, h: c.sendall(reply)) as server:
        for _ in range(2):
            assert client.send_once("GET", server.url, [], None).body == b"z" * 200_000
        assert server.connections == 2


# --------------------------------------------------------------------------
# Deadlines, caps and broken answers


def test_trickling_headers_fail_at_the_deadline_not_per_read(client: HttpClient) -> None:
    """A header byte every 0.1 s never trips the 5 s read timeout; the 1 s deadline stops it."""
    with RawServer(lambda c, h: _trickle(c, b"HTTP/1.1 200 OK\r\n", 0.1)) as server:
        started = time.monotonic()
        with pytest.raises(ReadTimeout) as caught:
            client.send_once("GET", server.url, [], None, deadline=started + 1.0)
    assert 0.9 < time.monotonic() - started < 3.0
    assert failure_reason(caught.value) == "timeout"


def test_a_trickling_body_fails_at_the_deadline(client: HttpClient) -> None:
    """A body byte every 0.1 s is cut at the deadline."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    with RawServer(lambda c, h: _trickle(c, head, 0.1)) as server:
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            client.send_once("GET", server.url, [], None, deadline=started + 1.0)
    assert time.monotonic() - started < 3.0


def test_a_server_that_never_reads_fails_writing_at_the_deadline(client: HttpClient) -> None:
    """A 64 MB body to a server that reads nothing stops at the deadline with a write timeout."""
    stop = threading.Event()
    with RawServer(lambda c, h: stop.wait(10)) as server:
        started = time.monotonic()
        with pytest.raises(WriteTimeout) as caught:
            client.send_once("POST", server.url, [], bytes(64 << 20), deadline=started + 1.0)
        stop.set()
    assert time.monotonic() - started < 4.0
    assert failure_reason(caught.value) == "timeout"


def test_an_endless_chunked_body_stops_at_the_cap(client: HttpClient) -> None:
    """Chunks that never end stop at max_body_bytes."""

    def endless(connection: socket.socket, head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        while True:
            connection.sendall(b"400\r\n" + b"a" * 1024 + b"\r\n")

    with RawServer(endless) as server, pytest.raises(BodyTooLarge):
        client.send_once("GET", server.url, [], None, max_body_bytes=100_000)


def test_a_chunked_body_is_joined(client: HttpClient) -> None:
    """A chunked body within the cap arrives whole."""
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    with RawServer(lambda c, h: c.sendall(chunked)) as server:
        assert client.send_once("GET", server.url, [], None, max_body_bytes=5).body == b"abcde"


def test_a_declared_length_over_the_cap_fails_before_reading_the_body(
    client: HttpClient,
) -> None:
    """Content-Length: 500 MB is refused at once, without reading 500 MB."""

    def huge(connection: socket.socket, head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 500000000\r\n\r\n")
        time.sleep(10)

    with RawServer(huge) as server:
        started = time.monotonic()
        with pytest.raises(BodyTooLarge):
            client.send_once("GET", server.url, [], None, max_body_bytes=1000)
    assert time.monotonic() - started < 2.0


def test_gzip_and_deflate_bodies_are_inflated(client: HttpClient) -> None:
    """Gzip (also chunked) and deflate bodies come back inflated."""
    text = b'{"ok": true}' * 50
    squeezed = zlib.compress(text)
    zipped = gzip.compress(text)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(zipped), zipped)
    replies = {
        "/gzip": answer("200 OK", zipped, ("Content-Encoding: gzip",)),
        "/deflate": answer("200 OK", squeezed, ("Content-Encoding: deflate",)),
        "/chunked": b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunked,
    }
    with RawServer(lambda c, h: c.sendall(replies[h.split(b" ")[1].decode()])) as server:
        for path in replies:
            assert client.send_once("GET", server.url + path, [], None).body == text


def test_a_gzip_bomb_is_inflated_only_up_to_the_cap(client: HttpClient) -> None:
    """100 MB of zeros gzipped stops at the cap after inflating, in a moment."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(packer.compress(bytes(1_000_000)) for _ in range(100)) + packer.flush()
    reply = answer("200 OK", bomb, ("Content-Encoding: gzip",))
    with RawServer(lambda c, h: c.sendall(reply)) as server, pytest.raises(BodyTooLarge):
        client.send_once("GET", server.url, [], None, max_body_bytes=1_000_000)


def test_an_unknown_content_encoding_keeps_the_bytes_as_they_came(client: HttpClient) -> None:
    """A br body (never asked for) is kept raw rather than guessed at."""
    reply = answer("200 OK", b"\x8b\x02\x80", ("Content-Encoding: br",))
    with RawServer(lambda c, h: c.sendall(reply)) as server:
        assert client.send_once("GET", server.url, [], None).body == b"\x8b\x02\x80"


def test_a_body_claiming_gzip_that_is_not_is_a_decoding_error(client: HttpClient) -> None:
    """Plain text labelled gzip raises DecodingError, reason "http" (not worth retrying)."""
    reply = answer("200 OK", b"plain text", ("Content-Encoding: gzip",))
    with (
        RawServer(lambda c, h: c.sendall(reply)) as server,
        pytest.raises(DecodingError) as caught,
    ):
        client.send_once("GET", server.url, [], None)
    assert failure_reason(caught.value) == "http"


def test_a_body_shorter_than_its_content_length_is_a_protocol_error(client: HttpClient) -> None:
    """Content-Length: 100 then 5 bytes and a close is an error, not a 5-byte body."""
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"
    with (
        RawServer(lambda c, h: c.sendall(reply)) as server,
        pytest.raises(RemoteProtocolError, match="95 bytes before the end") as caught,
    ):
        client.send_once("GET", server.url, [], None)
    assert failure_reason(caught.value) == "network"


def test_a_reset_before_any_answer_is_a_network_failure(client: HttpClient) -> None:
    """A server that resets the connection on reading the request gives reason "network"."""

    def reset(connection: socket.socket, head: bytes) -> None:
        connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )

    with (
        RawServer(reset) as server,
        pytest.raises(RemoteProtocolError) as caught,
    ):
        client.send_once("GET", server.url, [], None)
    assert failure_reason(caught.value) == "network"


def test_a_garbled_status_line_is_a_protocol_error(client: HttpClient) -> None:
    """An answer that is not HTTP raises RemoteProtocolError naming what broke."""
    with (
        RawServer(lambda c, h: c.sendall(b"SSH-2.0-OpenSSH\r\n\r\n")) as server,
        pytest.raises(RemoteProtocolError, match=r"not HTTP/1\.x"),
    ):
        client.send_once("GET", server.url, [], None)


def test_a_refused_connection_is_a_connect_failure(client: HttpClient) -> None:
    """Nobody listening gives ConnectError, reason "connect"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectError) as caught:
        client.send_once("GET", f"http://127.0.0.1:{port}/", [], None)
    assert failure_reason(caught.value) == "connect"


@pytest.mark.parametrize(
    "url",
    ["ftp://host/x", "/relative", "http://host:port/", "http:///path", "http://127.0.0.1:99999/"],
)
def test_urls_that_cannot_be_sent_to_are_invalid(url: str) -> None:
    """Another scheme, no host, or a garbled or out-of-range port raise InvalidURL."""
    with pytest.raises(InvalidURL, match=r"URL|host"):
        split_url(url)


def test_split_url_normalises_host_port_target_and_credentials() -> None:
    """IDNA hosts are encoded, default ports filled, targets quoted, userinfo made Basic auth."""
    where = split_url("HTTPS://us%40er:pw@Bücher.example/a b?x=1 2#frag")
    assert (where.scheme, where.host, where.port) == ("https", "xn--bcher-kva.example", 443)
    assert where.target == "/a%20b?x=1%202"
    assert where.authority == "xn--bcher-kva.example"
    assert where.authorization == "Basic dXNAZXI6cHc="
    assert split_url("http://[::1]:8080").authority == "[::1]:8080"


# --------------------------------------------------------------------------
# Redirects


def _redirecting(location: str, status: str = "302 Found") -> RawServer:
    """A server redirecting /start to `location` and answering every other path with its request."""

    # RawServer closes each connection after one answer, so the answers say so: a
    # client may otherwise reuse the connection before the close reaches it.
    def behave(connection: socket.socket, head: bytes) -> None:
        request = head.split(b"\r\n\r\n")[0]
        if b" /start " in head.split(b"\r\n", 1)[0]:
            moved = (f"Location: {location}", "Connection: close")
            connection.sendall(answer(status, headers=moved))
        else:
            body = head.split(b"\r\n\r\n", 1)[1]
            connection.sendall(answer("200 OK", request + b"|" + body, ("Connection: close",)))

    return RawServer(behave)


def _follow(client: HttpClient, follow: bool | str, method: str, url: str) -> RawResponse:
    headers = [("Authorization", "Bearer t"), ("Content-Type", "text/plain")]
    return send_following_redirects(
        client.send_once,
        method,
        url,
        headers,
        b"data",
        follow=follow,  # type: ignore[arg-type]
    )


def test_redirects_are_returned_as_they_are_when_not_followed(client: HttpClient) -> None:
    """follow=False hands back the 302 itself."""
    with _redirecting("/end") as server:
        got = _follow(client, False, "GET", server.url + "/start")
    assert (got.status, got.header("Location")) == (302, "/end")


@pytest.mark.parametrize(
    ("status", "method", "sent"),
    [
        ("302 Found", "POST", "GET /end"),
        ("303 See Other", "PUT", "GET /end"),
        ("301 Moved Permanently", "POST", "GET /end"),
        ("307 Temporary Redirect", "POST", "POST /end"),
        ("308 Permanent Redirect", "POST", "POST /end"),
    ],
)
def test_redirects_within_the_origin_rewrite_the_method_as_browsers_do(
    client: HttpClient, status: str, method: str, sent: str
) -> None:
    """303, and 301/302 after POST, become a body-less GET; 307 and 308 resend as they were."""
    with _redirecting("/end", status) as server:
        got = _follow(client, True, method, server.url + "/start")
    request, _, body = got.body.partition(b"|")
    assert request.decode().startswith(sent + " HTTP/1.1")
    assert body == (b"data" if sent.startswith("POST") else b"")
    assert (b"content-length" in request.lower()) == sent.startswith("POST")
    assert b"Authorization: Bearer t" in request


def test_a_redirect_to_another_origin_is_refused_when_following_within_the_origin(
    client: HttpClient,
) -> None:
    """follow=True refuses another port with TransportFailure "unsafe", naming both origins."""
    with (
        RawServer(lambda c, h: c.sendall(answer("200 OK"))) as elsewhere,
        _redirecting(elsewhere.url + "/end") as server,
    ):
        with pytest.raises(TransportFailure) as caught:
            _follow(client, True, "GET", server.url + "/start")
        assert elsewhere.connections == 0
    assert caught.value.reason == "unsafe"
    assert f"to {elsewhere.url}/end, another origin than {server.url}/start" in str(caught.value)
    assert "follow_redirects='any-origin'" in str(caught.value)


def test_any_origin_follows_elsewhere_without_the_authorization_header(
    client: HttpClient,
) -> None:
    """follow='any-origin' reaches another origin, and does not carry Authorization there."""
    with (
        RawServer(lambda c, h: c.sendall(answer("200 OK", h))) as elsewhere,
        _redirecting(elsewhere.url + "/end", "307 Temporary Redirect") as server,
    ):
        got = _follow(client, "any-origin", "POST", server.url + "/start")
    assert got.body.startswith(b"POST /end HTTP/1.1")
    assert f"Host: 127.0.0.1:{elsewhere.port}".encode() in got.body
    assert b"Authorization" not in got.body
    assert got.body.endswith(b"data")


def test_a_redirect_loop_stops_after_the_allowed_hops(client: HttpClient) -> None:
    """A server redirecting /start to itself ends in TooManyRedirects after max_redirects."""
    with _redirecting("/start") as server:
        with pytest.raises(TooManyRedirects):
            send_following_redirects(
                client.send_once,
                "GET",
                server.url + "/start",
                [],
                None,
                follow=True,
                max_redirects=3,
            )
        assert len(server.heads) == 4


# --------------------------------------------------------------------------
# The JSON client the broker client uses


def test_json_client_joins_base_url_and_params_and_sends_json() -> None:
    """A path goes below base_url, params after any query, json= as application/json."""
    with (
        RawServer(lambda c, h: c.sendall(answer("200 OK", b'{"ok": 1}'))) as server,
        JsonHttpClient(base_url=server.url + "/api/") as json_client,
    ):
        got = json_client.send("POST", "/items?a=1", json={"x": 1}, params=[("b", "2 3")])
    assert got.json() == {"ok": 1}
    head = server.heads[0].decode()
    assert head.startswith("POST /api/items?a=1&b=2%203 HTTP/1.1")
    assert "Content-Type: application/json" in head
    assert head.endswith('{"x": 1}')


def test_json_client_refuses_transport_and_a_proxy_it_cannot_use() -> None:
    """transport= raises TypeError pointing at proxy=; a socks proxy URL raises ValueError."""
    with pytest.raises(TypeError, match=r"transport=.*pass proxy="):
        JsonHttpClient(transport=object())
    with pytest.raises(ValueError, match=r"proxy='socks5://h:1'.*only http://"):
        JsonHttpClient(proxy="socks5://h:1")


# --------------------------------------------------------------------------
# The verifier's transport: one redirect loop for URLs and in-process apps


def _redirecting_wsgi(environ: dict[str, object], start_response: Any) -> list[bytes]:
    """A WSGI app sending /a to /b, /away to another origin, and answering /b."""
    path = environ["PATH_INFO"]
    if path == "/a":
        start_response("302 Found", [("Location", "/b")])
        return [b""]
    if path == "/away":
        start_response("302 Found", [("Location", "http://elsewhere.example/b")])
        return [b""]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"at {path}".encode()]


def test_an_in_process_app_redirects_through_the_same_loop() -> None:
    """follow_redirects=True follows an app's redirect within it and refuses one leaving it."""
    transport = open_transport(
        base_url=None, app=_redirecting_wsgi, timeout=5.0, follow_redirects=True, verify_tls=True
    )
    try:
        followed = transport.send("GET", transport.url_for("/a"), [], None)
        with pytest.raises(TransportFailure, match="another origin") as away:
            transport.send("GET", transport.url_for("/away"), [], None)
    finally:
        transport.close()
    assert (followed.status, followed.body) == (200, b"at /b")
    assert away.value.reason == "unsafe"


def test_a_state_change_url_elsewhere_is_bounded_like_the_provider() -> None:
    """post_json to an absolute URL stops an oversized answer at the byte cap."""
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 500000000\r\n\r\n"
    with (
        RawServer(lambda c, h: c.sendall(reply)) as states,
        limits_in_force(Limits(max_body_bytes=1000)),
    ):
        transport = open_transport(
            base_url=states.url, app=None, timeout=5.0, follow_redirects=False, verify_tls=True
        )
        try:
            with pytest.raises(TransportFailure, match=r"max_body_bytes=1000") as caught:
                transport.post_json(states.url + "/state", {"state": "x"})
        finally:
            transport.close()
    assert caught.value.reason == "limit"
    assert b'{"state": "x"}' in states.heads[0]


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_header_values_read_as_utf8_when_they_are_else_latin1(
    client: HttpClient, encoding: str
) -> None:
    """A header value's bytes read as UTF-8 when valid UTF-8, else as Latin-1: 'café' both ways."""
    head = "HTTP/1.1 200 OK\r\nX-Name: café\r\nContent-Length: 0\r\n\r\n".encode(encoding)
    with RawServer(lambda c, h: c.sendall(head)) as server:
        got = client.send_once("GET", server.url, [], None)
    assert got.header("X-Name") == "café"
