"""The one place (with `_mock/_respx.py`) where pactdsl touches httpx.

It turns real HTTP messages into the Pact JSON shape the matching engine reads
(V4: headers and query as lists, bodies as ``{content, contentType, encoded}``
objects), and turns the model's examples into bytes to send or serve.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx

from pactdsl._model import Body, Interaction, PactSpec, infer_content_type, is_json_content_type
from pactdsl._pactfile._write import interaction_to_json

__all__ = [
    "actual_request_json",
    "actual_response_json",
    "body_bytes",
    "expected_request_json",
    "expected_response_json",
    "httpx_request_json",
    "httpx_response_json",
]

_TEXTUAL = ("text/", "application/xml", "application/x-www-form-urlencoded")


def _is_textual(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXTUAL) or media.endswith(("+xml", "/xml"))


def _charset(content_type: str) -> str:
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
            text = raw.decode(_charset(declared))
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


def httpx_request_json(request: httpx.Request) -> dict[str, Any]:
    """An `httpx.Request` as V4 Pact JSON (reads the body)."""
    return actual_request_json(
        request.method,
        request.url.path,
        request.url.query.decode("ascii"),
        request.headers.multi_items(),
        request.read(),
    )


def httpx_response_json(response: httpx.Response) -> dict[str, Any]:
    """An `httpx.Response` as V4 Pact JSON (reads the body)."""
    return actual_response_json(
        response.status_code, response.headers.multi_items(), response.read()
    )


def expected_request_json(interaction: Interaction) -> dict[str, Any]:
    """The interaction's request as V4 Pact JSON, for the engine's expected side."""
    request: dict[str, Any] = interaction_to_json(interaction, PactSpec.V4)["request"]
    return request


def expected_response_json(interaction: Interaction) -> dict[str, Any]:
    """The interaction's response as V4 Pact JSON, for the engine's expected side."""
    response: dict[str, Any] = interaction_to_json(interaction, PactSpec.V4)["response"]
    return response


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
        return value.encode(_charset(content_type))
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
