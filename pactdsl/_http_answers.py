"""What a request to a server gets back, with no HTTP library: an answer or a failure.

`RawResponse` (an answer, as plain data) and `TransportFailure` (no answer, and
why) are what `_http.py` hands its callers, so none of them sees how it was sent.
The body bounds live here too: the inflater that stops at a byte cap.
"""

from __future__ import annotations

import http
import json
import zlib
from typing import Any, Literal

import attrs

from pactdsl._http_json import content_charset

__all__ = [
    "RETRYABLE_REASONS",
    "BodyInflater",
    "BodyTooLarge",
    "FailureReason",
    "RawResponse",
    "TransportFailure",
    "header_text",
    "standard_reason",
]

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
        charset = content_charset(self.header("Content-Type") or "")
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


def header_text(raw: bytes) -> str:
    """An answered header value as text: UTF-8 when it is valid UTF-8, else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def standard_reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


class BodyTooLarge(Exception):
    """A body went over `Limits.max_body_bytes` (turned into a "limit" `TransportFailure`)."""


def _body_inflater(encoding: str) -> Any:
    """A zlib decompressor for `encoding`, None for identity; raises KeyError for others."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip header, auto-detected
    raise KeyError(encoding)


def _inflate_within(inflater: Any, data: bytes, room: int) -> bytes:
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
        raise BodyTooLarge
    return b"".join(pieces)


class BodyInflater:
    """A gzip or deflate body inflated piece by piece, each piece held under a byte room.

    Concatenated gzip members (RFC 1952 allows them) are inflated one after the
    other; bytes after the end of a deflate stream, or a stream that stops
    before its end, raise `zlib.error`: a body cut short must not pass as whole.

    Raises:
        KeyError: from the constructor, for a coding other than gzip or deflate.
    """

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._inflater = _body_inflater(coding)
        if self._inflater is None:
            raise KeyError(coding)
        self._started = False

    def feed(self, data: bytes, room: int | None) -> bytes:
        """The bytes `data` inflates to; raises BodyTooLarge past `room` (None: no cap)."""
        pieces: list[bytes] = []
        size = 0
        while data:
            self._started = True
            if room is None:
                piece = self._inflater.decompress(data)
            else:
                piece = _inflate_within(self._inflater, data, room - size)
            pieces.append(piece)
            size += len(piece)
            data = self._inflater.unused_data if self._inflater.eof else b""
            if data:
                if self.coding == "deflate":
                    msg = f"{len(data)} bytes follow the end of the deflate stream"
                    raise zlib.error(msg)
                self._inflater = _body_inflater(self.coding)  # the next gzip member
        return b"".join(pieces)

    def finish(self) -> None:
        """Check the stream ended; raises `zlib.error` when it was cut short."""
        if self._started and not self._inflater.eof:
            msg = f"the {self.coding} stream stops before its end (cut short)"
            raise zlib.error(msg)
