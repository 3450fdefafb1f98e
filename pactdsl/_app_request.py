"""What the in-process drivers (`_asgi.py`, `_wsgi.py`) share, with no HTTP library.

A request to an in-process app starts as the verifier's (method, URL, header
pairs, body); `app_request` splits the URL and adds the headers an HTTP client
would (Host, Accept, Accept-Encoding, User-Agent, Content-Length), so an app
sees what it would see behind a server. `BodyReader` gathers the app's answer
up to `Limits.max_body_bytes`, inflating gzip or deflate on the way as a client
does. The errors an app can cause that are not its own exceptions are here too.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import attrs

from pactdsl._http_answers import BodyInflater, BodyTooLarge, header_text
from pactdsl._http_urls import client_defaults, request_head, split_url

__all__ = [
    "USER_AGENT",
    "AppProtocolError",
    "AppRequest",
    "AppTimeout",
    "BodyReader",
    "answer_headers",
    "app_request",
    "first_header",
    "header_bytes",
]

USER_AGENT = "pactdsl-verifier"
# What an HTTP client adds to every request (as httpx did for in-process apps).
_DEFAULT_HEADERS = client_defaults(USER_AGENT)


class AppProtocolError(Exception):
    """An in-process app broke the ASGI or WSGI protocol; the message says how."""


class AppTimeout(TimeoutError):
    """An in-process app did not answer in time (not a TimeoutError the app raised)."""


@attrs.frozen
class AppRequest:
    """One request to an in-process app, as a server would hand it over.

    `raw_path` and `query` are the URL's, still percent-encoded; `headers`
    holds the sent header pairs, the client's own ones included.
    """

    method: str
    scheme: str
    host: str
    port: int
    raw_path: bytes
    query: bytes
    headers: tuple[tuple[str, str], ...]
    body: bytes


def app_request(
    method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes | None
) -> AppRequest:
    """The request to send to an app for the absolute `url` (from `url_for`, or a redirect).

    Raises:
        InvalidURL: when `url` is not an absolute http(s) URL.
    """
    where = split_url(url)  # percent-encodes what a redirect's Location left raw
    content = body or b""
    sent = request_head(method, where, headers, content, _DEFAULT_HEADERS)
    path, _, query = where.target.partition("?")
    return AppRequest(
        method=method.upper(),
        scheme=where.scheme,
        host=where.host,
        port=where.port,
        raw_path=path.encode("ascii"),
        query=query.encode("ascii"),
        headers=tuple(sent),
        body=content,
    )


def header_bytes(text: str) -> bytes:
    """A header name or value as the bytes a server reads (Latin-1, else UTF-8)."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def answer_headers(headers: Any, *, raw: bool) -> list[tuple[str, str]]:
    """An app's answer headers as text pairs, checked as a server would before sending them.

    Args:
        headers: What the app gave: (bytes, bytes) pairs from an ASGI app (`raw`),
            (str, str) pairs from a WSGI app.
        raw: Whether the pairs are bytes (ASGI) rather than str (WSGI).

    Raises:
        AppProtocolError: for headers that are not such pairs, or a name or
            value holding a NUL, CR or LF (it could not be sent over HTTP).
    """
    kinds = (bytes, bytearray) if raw else (str,)
    shown = "bytes" if raw else "str"
    if isinstance(headers, str | bytes | dict) or not hasattr(headers, "__iter__"):
        msg = f"its headers are a {type(headers).__name__}, not a list of ({shown}, {shown}) pairs"
        raise AppProtocolError(msg)
    pairs: list[tuple[str, str]] = []
    for pair in headers:
        if not (
            isinstance(pair, tuple | list)
            and len(pair) == 2
            and all(isinstance(part, kinds) for part in pair)
        ):
            msg = f"its headers hold {pair!r:.80}, not a ({shown}, {shown}) pair"
            raise AppProtocolError(msg)
        name, value = (header_text(bytes(p) if raw else header_bytes(p)) for p in pair)
        if any(bad in name + value for bad in "\0\r\n"):
            msg = f"its header {name}: {value!r} holds a NUL, CR or LF"
            raise AppProtocolError(msg)
        pairs.append((name, value))
    return pairs


class BodyReader:
    """An answer's body gathered chunk by chunk, at most `cap` bytes sent or inflated.

    gzip and deflate bodies are inflated as they arrive (as an HTTP client
    does); other codings (br, zstd, a list) are kept as sent, still capped.
    """

    def __init__(self, cap: int, content_encoding: str) -> None:
        self._cap = cap
        self._encoding = content_encoding.strip().lower()
        try:
            self._inflater: BodyInflater | None = BodyInflater(self._encoding)
        except KeyError:  # identity, or a coding kept as sent
            self._inflater = None
        self._chunks: list[bytes] = []
        self._sent = 0
        self._size = 0
        self.over = False  # set once the body went over the cap, even if the app hid that

    def add(self, chunk: bytes) -> None:
        """Keep `chunk` (inflated).

        Raises:
            BodyTooLarge: when the body sent, or inflated, goes over the cap.
            AppProtocolError: when a gzip or deflate body does not inflate.
        """
        self._sent += len(chunk)
        if self._sent > self._cap:
            self.over = True
            raise BodyTooLarge
        data = chunk
        if self._inflater is not None:
            try:
                data = self._inflater.feed(chunk, self._cap - self._size)
            except BodyTooLarge:
                self.over = True
                raise
            except zlib.error as exc:
                raise self._not_inflatable(exc) from None
        self._size += len(data)
        self._chunks.append(data)

    def body(self) -> bytes:
        """The whole body, once the app has sent all of it.

        Raises:
            AppProtocolError: when a gzip or deflate body stops before its end.
        """
        if self._inflater is not None:
            try:
                self._inflater.finish()
            except zlib.error as exc:
                raise self._not_inflatable(exc) from None
        return b"".join(self._chunks)

    def _not_inflatable(self, exc: zlib.error) -> AppProtocolError:
        return AppProtocolError(
            f"its body is not valid {self._encoding} (its Content-Encoding): {exc}"
        )

    def check_length(self, headers: Sequence[tuple[str, str]], method: str, status: int) -> None:
        """Check the body sent is as long as its Content-Length says (as a client would).

        Raises:
            AppProtocolError: when they differ: over HTTP the answer would be
                cut short, or its end taken for the next answer.
        """
        declared = first_header(headers, "content-length").strip()
        if not declared or method == "HEAD" or status in (204, 304):
            return
        if declared != str(self._sent):
            msg = f"its Content-Length is {declared} but its body has {self._sent} bytes"
            raise AppProtocolError(msg)


def first_header(headers: Sequence[tuple[str, str]], name: str) -> str:
    """The first value of header `name` (case-insensitive), or ''."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), "")
