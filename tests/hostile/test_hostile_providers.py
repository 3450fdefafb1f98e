"""Hostile providers against the verifier: one error entry each, in bounded time and memory."""

from __future__ import annotations

from typing import Any

from tests.hostile._hostile import run_capped

# Starts a raw socket server on 127.0.0.1 whose connections run `behaviour`, then
# verifies one GET /x interaction against it and reports the verdict.
VERIFY = """
import socket, threading, time, zlib
from pactdsl import Limits, define_contract, format_verification_report, interaction
from pactdsl import verify_provider

def serve(behaviour):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    def loop():
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=handle, args=(connection, behaviour), daemon=True).start()
    def handle(connection, behaviour):
        try:
            connection.recv(65536)
            behaviour(connection)
        except OSError:
            pass
    threading.Thread(target=loop, daemon=True).start()
    return "http://127.0.0.1:%d" % listener.getsockname()[1]

def send_forever(connection, head, piece, pause=0.0):
    connection.sendall(head)
    while True:
        connection.sendall(piece)
        if pause:
            time.sleep(pause)

contract = define_contract("web", consumer="web", provider="api", interactions=[
    interaction("get x").request(method="GET", path="/x").responds(status=200, body={"ok": True})])

def verdict(base_url, **options):
    result = verify_provider(contract, base_url=base_url, **options)
    report(error=None, success=result.success,
           text=format_verification_report(result)[-3000:])
"""


def verify_against(behaviour: str, **options: Any) -> Any:
    """Verify against a raw server running `behaviour` (Python code defining `behave`)."""
    arguments = ", ".join(f"{key}={value!r}" for key, value in options.items())
    return run_capped(VERIFY + behaviour + f"\nverdict(serve(behave), {arguments})\n", timeout=180)


def test_trickling_headers_end_at_the_timeout() -> None:
    """A header byte every 0.3 s never trips a read timeout; the whole-answer deadline does."""
    result = verify_against(
        """
def behave(connection):
    send_forever(connection, b"HTTP/1.1 200 OK\\r\\n", b"X", pause=0.3)
""",
        timeout=3.0,
    )
    assert result["success"] is False, result
    assert "within timeout=3.0s" in result["text"]
    assert result["seconds"] < 60


def test_a_trickling_body_ends_at_the_timeout() -> None:
    """A body byte every 0.3 s is cut at the deadline with a timeout error."""
    result = verify_against(
        """
def behave(connection):
    head = b"HTTP/1.1 200 OK\\r\\nContent-Length: 100000\\r\\n\\r\\n"
    send_forever(connection, head, b"{", pause=0.3)
""",
        timeout=3.0,
    )
    assert result["success"] is False, result
    assert "timeout=3.0s" in result["text"]
    assert result["seconds"] < 60


def test_an_endless_chunked_body_stops_at_the_byte_cap() -> None:
    """A chunked body that never ends is an error naming max_body_bytes, in bounded memory."""
    result = verify_against(
        """
def behave(connection):
    send_forever(connection, b"HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
                 b"10000\\r\\n" + b"a" * 65536 + b"\\r\\n")
"""
    )
    assert result["success"] is False, result
    assert "max_body_bytes=33554432" in result["text"]


def test_a_half_gigabyte_body_stops_at_the_byte_cap() -> None:
    """A 500 MB Content-Length body costs at most the cap, not 1.5 GB."""
    result = verify_against(
        """
def behave(connection):
    send_forever(connection, b"HTTP/1.1 200 OK\\r\\nContent-Length: 500000000\\r\\n\\r\\n",
                 b"a" * 65536)
"""
    )
    assert result["success"] is False, result
    assert "max_body_bytes" in result["text"]


def test_a_gzip_bomb_is_inflated_only_up_to_the_cap() -> None:
    """About 0.5 MB of gzip that inflates to 500 MB stops at the cap after decompression."""
    result = verify_against(
        """
packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
megabyte = bytes(1_000_000)
BOMB = b"".join(packer.compress(megabyte) for _ in range(500)) + packer.flush()
def behave(connection):
    head = (b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
            b"Content-Encoding: gzip\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(BOMB))
    connection.sendall(head + BOMB)
"""
    )
    assert result["success"] is False, result
    assert "after decompression" in result["text"]


def test_a_redirect_to_another_origin_is_not_followed() -> None:
    """With follow_redirects=True a 302 to another origin is refused, not verified there."""
    result = verify_against(
        """
def honest(connection):
    connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
                       b"Content-Length: 11\\r\\n\\r\\n{\\"ok\\":true}")
elsewhere = serve(honest)
def behave(connection):
    connection.sendall(b"HTTP/1.1 302 Found\\r\\nLocation: " + elsewhere.encode() +
                       b"/x\\r\\nContent-Length: 0\\r\\n\\r\\n")
""",
        follow_redirects=True,
    )
    assert result["success"] is False, result
    assert "another origin" in result["text"]


def test_a_body_cut_short_of_its_content_length_is_an_error_not_a_pass() -> None:
    """A provider declaring 100 bytes that sends the expected 11 and closes does not pass."""
    result = verify_against(
        """
def behave(connection):
    connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
                       b"Content-Length: 100\\r\\n\\r\\n{\\"ok\\":true}")
    connection.close()
"""
    )
    assert result["success"] is False, result
    assert "89 bytes before the end of the body" in result["text"]


def test_a_provider_resetting_the_connection_is_an_error_naming_it() -> None:
    """A provider that resets the connection instead of answering errors the interaction."""
    result = verify_against(
        """
import struct
def behave(connection):
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()
"""
    )
    assert result["success"] is False, result
    assert "closed the connection without answering" in result["text"]


# An in-process app whose GET /hang never returns, beside a GET /ok that answers;
# verifies both interactions with timeout=1 and reports each outcome and the time.
IN_PROCESS = """
import asyncio, time
from pactdsl import define_contract, interaction, verify_provider

contract = define_contract("web", consumer="web", provider="api", interactions=[
    interaction("hang").request(method="GET", path="/hang").responds(status=200),
    interaction("ok").request(method="GET", path="/ok").responds(status=200)])

def verdict(app):
    started = time.monotonic()
    result = verify_provider(contract, app=app, timeout=1)
    report(error=None, seconds=time.monotonic() - started,
           passed=[entry.description for entry in result.passed],
           errors={entry.description: entry.message for entry in result.errors})
"""


def verify_in_process(app: str) -> Any:
    """Verify the two interactions against `app` (Python code defining `app`)."""
    return run_capped(IN_PROCESS + app + "\nverdict(app)\n", timeout=120)


def test_a_hung_wsgi_app_costs_one_timeout_and_the_rest_is_verified() -> None:
    """A WSGI app that never returns fails that interaction at the timeout; the next passes."""
    result = verify_in_process(
        """
def app(environ, start_response):
    if environ["PATH_INFO"] == "/hang":
        time.sleep(3600)
    start_response("200 OK", [])
    return [b""]
"""
    )
    assert result["passed"] == ["ok"], result
    assert "within timeout=1" in result["errors"]["hang"]
    assert result["seconds"] < 10


def test_an_asgi_app_awaiting_forever_costs_one_timeout() -> None:
    """An ASGI app awaiting forever fails that interaction at the timeout; the next passes."""
    result = verify_in_process(
        """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/hang":
        await asyncio.sleep(3600)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""
    )
    assert result["passed"] == ["ok"], result
    assert "hang" in result["errors"]
    assert result["seconds"] < 10


def test_an_asgi_app_blocking_its_loop_fails_without_hanging_the_run() -> None:
    """An ASGI app blocking its event loop fails that interaction and the ones after it."""
    result = verify_in_process(
        """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/hang":
        time.sleep(3600)  # a sync call in an async endpoint: nothing can interrupt it
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""
    )
    assert result["passed"] == [], result
    assert "within timeout=1" in result["errors"]["hang"]
    assert "has not returned from GET" in result["errors"]["ok"]
    assert result["seconds"] < 10
