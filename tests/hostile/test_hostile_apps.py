"""Hostile in-process apps: an answer a server could not send fails, named, never passes."""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests._in_process import exchange, failure

Send = Callable[[dict[str, Any]], Awaitable[None]]
START = {"type": "http.response.start", "status": 200, "headers": []}
BODY = {"type": "http.response.body", "body": b'{"ok":true}'}


def asgi_sending(*messages: Any) -> Any:
    """An ASGI app that answers every HTTP request by sending `messages`, in order."""

    async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] == "http":
            for message in messages:
                await send(message)

    return app


@pytest.mark.parametrize(
    ("messages", "named"),
    [
        (("not a message", START, BODY), "it sent 'not a message', not an ASGI message"),
        (({"type": "http.response.start", "headers": []}, BODY), "status=None, not an int"),
        (({**START, "headers": [("x-id", "7")]}, BODY), "its headers hold ('x-id', '7'), not a"),
        (({**START, "headers": {"x-id": "7"}}, BODY), "its headers are a dict, not a list"),
        (({**START, "headers": [(b"x-id",)]}, BODY), "its headers hold (b'x-id',), not a"),
        (({**START, "headers": [(b"x-id", b"7\r\nx: y")]}, BODY), "holds a NUL, CR or LF"),
        ((START, {**BODY, "body": '{"ok":true}'}), "holds a str body, not bytes"),
        ((START, {**BODY, "body": [123, 34]}), "holds a list body, not bytes"),
        (
            ({**START, "headers": [(b"content-length", b"100")]}, BODY),
            "its Content-Length is 100 but its body has 11 bytes",
        ),
    ],
)
def test_an_asgi_answer_no_server_could_send_is_named(messages: Any, named: str) -> None:
    """A malformed ASGI message is an AppProtocolError naming it, not a TypeError or a pass."""
    assert named in str(failure(asgi_sending(*messages)))


def wsgi_answering(headers: Any, body: Any, *, written: Any = None) -> Any:
    """A WSGI app answering 200 with `headers` and `body` (after `written` via write())."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        write = start_response("200 OK", headers)
        if written is not None:
            write(written)
        return body

    return app


@pytest.mark.parametrize(
    ("app", "named"),
    [
        (wsgi_answering([(b"X-Id", b"7")], [b""]), "its headers hold (b'X-Id', b'7'), not a"),
        (wsgi_answering({"X-Id": "7"}, [b""]), "its headers are a dict, not a list"),
        (wsgi_answering([("X-Id", "7\r\nX: y")], [b""]), "holds a NUL, CR or LF"),
        (wsgi_answering([], [], written="text"), "gave a str, not bytes: 'text'"),
        (
            wsgi_answering([("Content-Length", "100")], [b'{"ok":true}']),
            "its Content-Length is 100 but its body has 11 bytes",
        ),
        (
            wsgi_answering([("Content-Length", "5")], [b'{"ok":true}']),
            "its Content-Length is 5 but its body has 11 bytes",
        ),
    ],
)
def test_a_wsgi_answer_no_server_could_send_is_named(app: Any, named: str) -> None:
    """Bytes or dict headers, a CR in a value, a str written, or a lying length are named."""
    assert named in str(failure(app))


GZIP = [(b"content-encoding", b"gzip")]
OK_GZIP = gzip.compress(b'{"ok":true}')


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (OK_GZIP[:-6], "the gzip stream stops before its end (cut short)"),
        (OK_GZIP + b"JUNKJUNK", "its body is not valid gzip"),
    ],
    ids=["cut-short", "junk-after"],
)
@pytest.mark.parametrize("kind", ["asgi", "wsgi"])
def test_an_app_gzip_body_cut_short_or_trailed_by_junk_is_named(
    kind: str, body: bytes, named: str
) -> None:
    """An app's gzip body missing its trailer, or with bytes after it, fails as over a port."""
    if kind == "asgi":
        app = asgi_sending({**START, "headers": GZIP}, {**BODY, "body": body})
    else:
        app = wsgi_answering([("Content-Encoding", "gzip")], [body])
    assert named in str(failure(app))


@pytest.mark.parametrize("kind", ["asgi", "wsgi"])
def test_an_app_gzip_body_of_two_members_inflates_whole(kind: str) -> None:
    """Two gzip members (RFC 1952) from an app inflate to the whole body, as over a port."""
    body = gzip.compress(b'{"ok":') + gzip.compress(b"true}")
    if kind == "asgi":
        app = asgi_sending({**START, "headers": GZIP}, {**BODY, "body": body})
    else:
        app = wsgi_answering([("Content-Encoding", "gzip")], [body])
    assert exchange(app, "GET", "/x").body == b'{"ok":true}'
