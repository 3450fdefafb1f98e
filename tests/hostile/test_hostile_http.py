"""Hostile answer heads and bodies over a raw socket: each matches rightly or fails named."""

from __future__ import annotations

from typing import Any

from pactdsl._http_client import HttpClient
from tests._http_servers import RawServer
from tests.hostile.test_hostile_providers import verify_against

# `answer(head, body)` sends one answer (the head's lines, then the body) and,
# unless `keep` is true, closes the connection.
ANSWER = """
import gzip
JSON = b"Content-Type: application/json\\r\\n"
OK = b'{"ok":true}'
def answer(head, body=OK, keep=False):
    def behave(connection):
        connection.sendall(b"HTTP/1.1 200 OK\\r\\n" + head + b"\\r\\n" + body)
        time.sleep(30 if keep else 0.2)
        connection.close()
    return behave
"""


def verify_answer(behave: str) -> Any:
    """Verify GET /x against a server whose `behave` is the expression given."""
    return verify_against(ANSWER + f"behave = {behave}\n", timeout=3.0)


def test_contradicting_content_lengths_fail_rather_than_pick_one() -> None:
    """Content-Length 11 then 5 is a malformed head, not a pass on the first 11 bytes."""
    result = verify_answer(r'answer(JSON + b"Content-Length: 11\r\nContent-Length: 5\r\n")')
    assert result["success"] is False, result
    assert "Content-Length ['11', '5'] is not one length" in result["text"]


def test_a_negative_content_length_fails_rather_than_reading_to_the_close() -> None:
    """Content-Length -1 is malformed; http.client alone would read until the close."""
    result = verify_answer(r'answer(JSON + b"Content-Length: -1\r\n")')
    assert result["success"] is False, result
    assert "Content-Length ['-1']" in result["text"]


def test_a_repeated_equal_content_length_frames_the_body() -> None:
    """Content-Length "11, 11" on a kept-alive connection frames 11 bytes, not a timeout."""
    result = verify_answer(r'answer(JSON + b"Content-Length: 11, 11\r\n", keep=True)')
    assert result["success"] is True, result
    assert result["seconds"] < 20


def test_a_gzip_body_cut_before_its_trailer_fails() -> None:
    """A gzip body missing its CRC trailer fails as cut short, though its data inflates."""
    result = verify_answer(r'answer(JSON + b"Content-Encoding: gzip\r\n", gzip.compress(OK)[:-6])')
    assert result["success"] is False, result
    assert "the gzip stream stops before its end" in result["text"]


def test_concatenated_gzip_members_are_inflated_whole() -> None:
    """Two gzip members (RFC 1952) inflate to both halves of the body, which then passes."""
    result = verify_answer(
        r'answer(JSON + b"Content-Encoding: gzip\r\n",'
        r' gzip.compress(b"{\"ok\":") + gzip.compress(b"true}"))'
    )
    assert result["success"] is True, result


def test_bytes_after_a_gzip_body_fail() -> None:
    """Junk after the gzip member is a decoding error, not silently dropped."""
    result = verify_answer(
        r'answer(JSON + b"Content-Encoding: gzip\r\n", gzip.compress(OK) + b"JUNKJUNK")'
    )
    assert result["success"] is False, result
    assert "DecodingError: the body is not valid gzip" in result["text"]


def test_103_early_hints_before_the_answer_are_skipped() -> None:
    """A 103 Early Hints interim answer is skipped and the 200 after it is verified."""
    result = verify_answer(
        r'lambda connection: connection.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"'
        r' b"HTTP/1.1 200 OK\r\n" + JSON + b"Content-Length: 11\r\n\r\n" + OK)'
    )
    assert result["success"] is True, result


def test_a_nul_in_a_header_value_fails_the_answer() -> None:
    """A header value holding a NUL byte makes the answer malformed, named by its header."""
    result = verify_answer(r'answer(JSON + b"X-Id: a\x00b\r\nContent-Length: 11\r\n")')
    assert result["success"] is False, result
    assert "the header X-Id: 'a\\x00b' holds a NUL, CR or LF" in result["text"]


def test_a_line_that_is_no_header_fails_rather_than_dropping_the_rest() -> None:
    """A bare CR ends the parsed headers early; the answer fails instead of losing the rest."""
    result = verify_answer(r'answer(JSON + b"X-Id: a\rb\r\nContent-Length: 11\r\n")')
    assert result["success"] is False, result
    assert "a header line is not 'name: value'" in result["text"]


def test_a_folded_header_line_is_unfolded() -> None:
    """An obs-folded header value reaches the caller as one line, the fold made a space."""
    reply = b"HTTP/1.1 200 OK\r\nX-Id: a\r\n b\r\nContent-Length: 0\r\n\r\n"
    with RawServer(lambda c, h: c.sendall(reply)) as server, HttpClient(timeout=5) as client:
        got = client.send_once("GET", server.url + "/x", [], None)
    assert got.header("X-Id") == "a b"


def test_a_garbled_location_is_an_invalid_url_not_a_traceback() -> None:
    """A Location urllib cannot split fails the interaction naming it, with no traceback."""
    result = verify_against(
        """
def behave(connection):
    connection.sendall(b"HTTP/1.1 302 Found\\r\\nLocation: http://[::1/x\\r\\n"
                       b"Content-Length: 0\\r\\n\\r\\n")
""",
        follow_redirects=True,
    )
    assert result["success"] is False, result
    assert "to Location 'http://[::1/x': Invalid IPv6 URL" in result["text"]
    assert "Traceback" not in result["text"]


def test_https_to_a_plain_http_provider_says_to_use_http() -> None:
    """An https:// base_url on a plain HTTP port is named a failed handshake, not a CA issue."""
    result = verify_against(
        """
def behave(connection):
    connection.sendall(b"HTTP/1.1 400 Bad Request\\r\\nContent-Length: 0\\r\\n\\r\\n")
verdict(serve(behave).replace("http://", "https://"))
raise SystemExit
"""
    )
    assert result["success"] is False, result
    assert "if the provider serves plain HTTP there, use an http:// base_url" in result["text"]


def test_an_answer_before_the_request_body_is_read_names_the_broken_send() -> None:
    """A provider closing before reading a 16 MB body fails naming the request's sending."""
    result = verify_against(
        """
contract = define_contract("web", consumer="web", provider="api", interactions=[
    interaction("post").request(method="POST", path="/x", body={"a": "x" * 16_000_000})
    .responds(status=200)])
def behave(connection):
    connection.sendall(b"HTTP/1.1 413 Too Large\\r\\nContent-Length: 0\\r\\n\\r\\n")
    connection.close()
""",
    )
    assert result["success"] is False, result
    assert "the connection broke while the request was sent" in result["text"]


def test_a_transfer_coding_besides_chunked_fails_rather_than_keeping_the_framing() -> None:
    """Coding "gzip, chunked" fails; unframed, its chunk sizes passed a type-matched text body."""
    result = verify_against(
        """
from pactdsl.match import like
contract = define_contract("web", consumer="web", provider="api", interactions=[
    interaction("get x").request(method="GET", path="/x")
    .responds(status=200, headers={"Content-Type": "text/plain"}, body=like("hello"))])
def behave(connection):
    connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\n"
                       b"Transfer-Encoding: gzip, chunked\\r\\n\\r\\n"
                       b"5\\r\\nhello\\r\\n0\\r\\n\\r\\n")
    time.sleep(0.2)
    connection.close()
"""
    )
    assert result["success"] is False, result
    assert "Transfer-Encoding ['gzip', 'chunked'] is not supported" in result["text"]


def test_a_chunk_size_that_is_not_hexadecimal_is_named() -> None:
    """A chunk size "zz" is named as such, not reported as a body cut short."""
    result = verify_answer(r'answer(JSON + b"Transfer-Encoding: chunked\r\n", b"zz\r\n" + OK)')
    assert result["success"] is False, result
    assert "malformed: the chunk size b'zz' is not a hexadecimal" in result["text"]
