"""Multipart bodies (`multipart/form-data`, `multipart/mixed`, ...), compared part by part.

Each side is split with its own boundary (a client picks a fresh one per request), so
the boundaries never have to agree. Parts are paired by their form-data name (or, for
parts without one, by position); each pair is compared as a body of the part's content
type, with the body rules at the part's path (`$.photo`, `$['my file']`, `$[1]`): a
`contentType` rule for an uploaded file, a `regex` for a text field, rules inside a
JSON part. Mismatches are reported at `$.body.<part>`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

import attrs

from pactdsl.matching._mismatch import MatchingError, Mismatch
from pactdsl.matching._paths import render_path
from pactdsl.matching._rules import RuleCursor

__all__ = ["MultipartPart", "match_multipart", "multipart_boundary", "parse_multipart"]

# Bounds for untrusted bodies: a part count and a header block size.
_MAX_PARTS = 1000
_MAX_HEADER_BYTES = 16 * 1024

_PARAM = re.compile(r';\s*([A-Za-z0-9_.*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')

ContentComparer = Callable[..., list[Mismatch]]


@attrs.frozen
class MultipartPart:
    """One part of a multipart body: its headers, name, content type and decoded bytes."""

    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def name(self) -> str | None:
        """The form-data field name (`Content-Disposition: form-data; name="..."`)."""
        return _params(self.header("Content-Disposition") or "").get("name")

    @property
    def filename(self) -> str | None:
        """The uploaded file's name, if the part is a file."""
        return _params(self.header("Content-Disposition") or "").get("filename")

    @property
    def content_type(self) -> str:
        """The part's content type (RFC 2046's default: ``text/plain``)."""
        return self.header("Content-Type") or "text/plain"


def _params(value: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, raw in _PARAM.findall(value):
        text = raw.strip()
        if text.startswith('"') and text.endswith('"') and len(text) >= 2:
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        found[key.lower()] = text
    return found


def multipart_boundary(content_type: str) -> str | None:
    """The `boundary` parameter of a multipart content type, or None."""
    return _params(content_type).get("boundary") or None


def parse_multipart(raw: bytes | str, content_type: str) -> list[MultipartPart]:
    """Split a multipart body into its parts (base64 transfer encoding decoded).

    Raises:
        ValueError: naming what is wrong (no boundary, no closing delimiter, ...).
    """
    boundary = multipart_boundary(content_type)
    if boundary is None:
        msg = f"content type {content_type!r} has no boundary parameter"
        raise ValueError(msg)
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    delimiter = b"--" + boundary.encode("latin-1")
    segments = data.split(delimiter)
    if len(segments) < 3:
        msg = f"no part delimited by {delimiter.decode('latin-1')!r}"
        raise ValueError(msg)
    if not segments[-1].startswith(b"--"):
        msg = f"no closing delimiter {delimiter.decode('latin-1') + '--'!r}"
        raise ValueError(msg)
    if len(segments) - 2 > _MAX_PARTS:
        msg = f"more than {_MAX_PARTS} parts"
        raise ValueError(msg)
    return [_part(segment) for segment in segments[1:-1]]


def _part(segment: bytes) -> MultipartPart:
    # The delimiter line ends with CRLF; the CRLF before the next delimiter belongs to it.
    if segment.startswith(b"\r\n"):
        segment = segment[2:]
    elif segment.startswith(b"\n"):
        segment = segment[1:]
    if segment.endswith(b"\r\n"):
        segment = segment[:-2]
    elif segment.endswith(b"\n"):
        segment = segment[:-1]
    head, separator, body = _split_head(segment)
    if not separator:
        head, body = b"", segment
    if len(head) > _MAX_HEADER_BYTES:
        msg = f"a part's headers are longer than {_MAX_HEADER_BYTES} bytes"
        raise ValueError(msg)
    headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            msg = f"a part's header line {line!r} has no ':'"
            raise ValueError(msg)
        headers.append((name.strip(), value.strip()))
    part = MultipartPart(tuple(headers), body)
    if (part.header("Content-Transfer-Encoding") or "").strip().lower() == "base64":
        try:
            decoded = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            msg = "a part says Content-Transfer-Encoding: base64 but is not valid base64"
            raise ValueError(msg) from None
        part = attrs.evolve(part, body=decoded)
    return part


def _split_head(segment: bytes) -> tuple[bytes, bytes, bytes]:
    if segment.startswith((b"\r\n", b"\n")):
        # No headers at all: the blank line comes first.
        return b"", b"\n", segment[2:] if segment.startswith(b"\r\n") else segment[1:]
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = segment.partition(separator)
        if found:
            return head, found, body
    return segment, b"", b""


def _key(part: MultipartPart, index: int) -> str | int:
    return part.name if part.name is not None else index


def _essence(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _content(part: MultipartPart) -> Any:
    """A part's body as the engine compares it: text for textual types, else bytes."""
    essence = _essence(part.content_type)
    textual = essence.startswith("text/") or essence.endswith(
        ("/json", "+json", "/xml", "+xml", "x-www-form-urlencoded")
    )
    if textual:
        try:
            return part.body.decode("utf-8")
        except UnicodeDecodeError:
            return part.body
    return part.body


def match_multipart(
    expected: Any,
    actual: Any,
    cursor: RuleCursor,
    *,
    expected_type: str,
    actual_type: str | None,
    allow_unexpected: bool,
    compare: ContentComparer,
) -> list[Mismatch]:
    """Compare two multipart bodies part by part.

    Args:
        expected: The expected body (bytes or text), split with `expected_type`'s boundary.
        actual: The actual body, split with `actual_type`'s boundary.
        cursor: The body rule cursor at `$`.
        expected_type: The expected content type (with its boundary).
        actual_type: The actual content type (its boundary); None to use the expected one.
        allow_unexpected: Whether parts the expected body lacks are allowed.
        compare: The engine's body comparison, called for each pair of parts as
            ``compare(expected, actual, cursor, content_type=..., actual_content_type=...,
            allow_unexpected_keys=...)``.

    Raises:
        MatchingError: when the expected body is not a valid multipart body.
    """
    try:
        expected_parts = parse_multipart(expected, expected_type)
    except ValueError as exc:
        msg = f"the expected multipart body cannot be read: {exc}; fix the body in the pact."
        raise MatchingError(msg) from None
    if actual is None:
        return [Mismatch("body", "$.body", expected, None, "expected a multipart body, got none")]
    actual_content_type = actual_type or expected_type
    try:
        actual_parts = parse_multipart(actual, actual_content_type)
    except ValueError as exc:
        return [
            Mismatch(
                "body",
                "$.body",
                expected_type,
                actual_content_type,
                f"expected a multipart body ({_essence(expected_type)}), got one that cannot "
                f"be read as multipart: {exc}",
            )
        ]
    actual_by_key = {_key(part, n): part for n, part in enumerate(actual_parts)}
    mismatches: list[Mismatch] = []
    for index, part in enumerate(expected_parts):
        key = _key(part, index)
        path = render_path("$.body", (key,))
        found = actual_by_key.pop(key, None)
        what = f"part {key!r}" if isinstance(key, str) else f"part {key}"
        if found is None:
            mismatches.append(
                Mismatch("body", path, _content(part), None, f"expected {what}, it is missing")
            )
            continue
        mismatches += _match_part(part, found, cursor.child(key), path, what, compare)
    if not allow_unexpected:
        for key, part in actual_by_key.items():
            what = f"part {key!r}" if isinstance(key, str) else f"part {key}"
            mismatches.append(
                Mismatch(
                    "body",
                    render_path("$.body", (key,)),
                    None,
                    _content(part),
                    f"unexpected {what} ({part.content_type}, {len(part.body)} bytes)",
                )
            )
    return mismatches


def _match_part(
    expected: MultipartPart,
    actual: MultipartPart,
    cursor: RuleCursor,
    path: str,
    what: str,
    compare: ContentComparer,
) -> list[Mismatch]:
    if (expected.filename is None) != (actual.filename is None):
        # A file upload (a filename in Content-Disposition) is not a plain field.
        wanted, got = ("a file", "a field") if actual.filename is None else ("a field", "a file")
        return [
            Mismatch(
                "body",
                path,
                expected.filename,
                actual.filename,
                f"expected {what} to be {wanted}, got {got} (filename={actual.filename!r})",
            )
        ]
    rule_list = cursor.best
    has_type_rule = rule_list is not None and any(m.name == "contentType" for m in rule_list.rules)
    if not has_type_rule and _essence(expected.content_type) != _essence(actual.content_type):
        return [
            Mismatch(
                "body_type",
                path,
                expected.content_type,
                actual.content_type,
                f"expected {what} of content type {expected.content_type!r}, got "
                f"{actual.content_type!r}",
            )
        ]
    found = compare(
        _content(expected),
        _content(actual),
        cursor,
        content_type=expected.content_type,
        actual_content_type=actual.content_type,
        allow_unexpected_keys=False,
    )
    return [
        attrs.evolve(m, path=path + m.path[len("$.body") :], message=f"{what}: {m.message}")
        for m in found
    ]
