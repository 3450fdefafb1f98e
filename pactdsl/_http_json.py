"""HTTP requests and responses as Pact JSON, and the model's examples as bytes.

Pure conversions, with no HTTP library: the mock provider's core reads what a
carrier received through them, and `_http.py` (which sends requests) uses them for
the verifier. The Pact JSON is V4's, as the matching engine reads it: headers
and query as lists, bodies as ``{content, contentType, encoded}`` objects.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from pactdsl._model import Body, Interaction, PactSpec, infer_content_type, is_json_content_type
from pactdsl._pactfile._write import request_json, response_json

__all__ = [
    "MAX_DECODED_BODY",
    "actual_request_json",
    "actual_response_json",
    "body_bytes",
    "body_object",
    "content_charset",
    "decoded_body",
    "expected_request_json",
    "expected_response_json",
]

_TEXTUAL = ("text/", "application/xml", "application/x-www-form-urlencoded")


def _is_textual(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXTUAL) or media.endswith(("+xml", "/xml"))


def content_charset(content_type: str) -> str:
    """The charset a Content-Type names (UTF-8 when it names none)."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def body_object(raw: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The V4 body object for bytes received over HTTP (None when empty)."""
    if not raw:
        return None
    declared = content_type or ""
    if is_json_content_type(declared) or _is_textual(declared):
        try:
            text = raw.decode(content_charset(declared))
        except (UnicodeDecodeError, LookupError):
            return _binary(raw, declared)
        if is_json_content_type(declared):
            try:
                return {"content": json.loads(text), "contentType": declared, "encoded": False}
            except json.JSONDecodeError:
                # Left as text: the engine then reports a body that is not JSON.
                return {"content": text, "contentType": declared, "encoded": False}
        return {"content": text, "contentType": declared, "encoded": False}
    if not declared:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _binary(raw, "application/octet-stream")
        try:
            return {
                "content": json.loads(text),
                "contentType": "application/json",
                "encoded": False,
            }
        except json.JSONDecodeError:
            return {"content": text, "contentType": "text/plain", "encoded": False}
    return _binary(raw, declared)


def _binary(raw: bytes, content_type: str) -> dict[str, Any]:
    return {
        "content": base64.b64encode(raw).decode("ascii"),
        "contentType": content_type,
        "encoded": "base64",
    }


def _header_lists(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _content_type(headers: Mapping[str, list[str]]) -> str | None:
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return None


MAX_DECODED_BODY = 32 * 1024 * 1024
"""The most bytes a compressed request body may expand to (a zip bomb stops there)."""


def decoded_body(headers: Iterable[tuple[str, str]], body: bytes) -> bytes:
    """`body` decoded by its ``Content-Encoding`` (gzip, deflate, identity), bounded in size.

    Raises:
        ValueError: naming the encoding when it is unknown, the body does not
            decode, or it expands beyond `MAX_DECODED_BODY`.
    """
    codings = [
        coding.strip().lower()
        for name, value in headers
        if name.lower() == "content-encoding"
        for coding in value.split(",")
        if coding.strip()
    ]
    for coding in reversed(codings):  # the last applied is undone first
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            msg = (
                f"Content-Encoding={coding!r} is not supported; send the body as gzip, "
                "deflate or uncompressed"
            )
            raise ValueError(msg)
        if coding == "deflate" and body[:1] != b"\x78":
            window = -zlib.MAX_WBITS  # raw deflate, as some clients send it
        else:
            window = zlib.MAX_WBITS | (16 if coding != "deflate" else 0)
        decoder = zlib.decompressobj(window)
        try:
            out = decoder.decompress(body, MAX_DECODED_BODY + 1)
        except zlib.error as exc:
            msg = f"Content-Encoding={coding!r}: the body does not decode ({exc})"
            raise ValueError(msg) from None
        if len(out) > MAX_DECODED_BODY or decoder.unconsumed_tail:
            msg = (
                f"Content-Encoding={coding!r}: the body expands beyond {MAX_DECODED_BODY} "
                "bytes; send a smaller body"
            )
            raise ValueError(msg)
        body = out
    return body


def actual_request_json(
    method: str,
    path: str,
    query_string: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> dict[str, Any]:
    """A received request as V4 Pact JSON, ready for `match_request`."""
    header_map = _header_lists(headers)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    out: dict[str, Any] = {
        "method": method.upper(),
        "path": path,
        "query": query,
        "headers": header_map,
    }
    obj = body_object(body, _content_type(header_map))
    if obj is not None:
        out["body"] = obj
    return out


def actual_response_json(
    status: int, headers: Iterable[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    """A received response as V4 Pact JSON, ready for `match_response`."""
    header_map = _header_lists(headers)
    out: dict[str, Any] = {"status": status, "headers": header_map}
    obj = body_object(body, _content_type(header_map))
    if obj is not None:
        out["body"] = obj
    return out


def expected_request_json(interaction: Interaction) -> dict[str, Any]:
    """The interaction's request as V4 Pact JSON, for the engine's expected side."""
    # Only the request: no response, and no V4 key hash, on the mock's start path.
    return request_json(interaction.request, PactSpec.V4)


def expected_response_json(interaction: Interaction) -> dict[str, Any]:
    """The interaction's response as V4 Pact JSON, for the engine's expected side."""
    return response_json(interaction.response, PactSpec.V4)


def body_bytes(
    body: Body | None, headers: Mapping[str, tuple[str, ...]], content: Any = None
) -> bytes:
    """The bytes to send for a body; `content` overrides the body's own (generated values)."""
    if body is None:
        return b""
    value = body.content if content is None else content
    if isinstance(value, bytes):
        return value
    content_type = body.content_type or infer_content_type(headers, value)
    if isinstance(value, str) and not is_json_content_type(content_type):
        return value.encode(content_charset(content_type))
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
