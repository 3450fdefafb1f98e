"""Deciding what a body is: JSON, XML, text, form, or binary.

The content type comes from the Content-Type header or the V4 body object; when
neither gives one, the body is sniffed (magic numbers for common binary types,
then JSON, XML and text).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, Final, Literal

from pactdsl.matching._mismatch import MatchingError

__all__ = ["BodyKind", "body_kind", "is_body_object", "open_body_object", "sniff_content_type"]

_BODY_OBJECT_KEYS: Final = frozenset({"content", "contentType", "encoded", "contentTypeHint"})

BodyKind = Literal["json", "xml", "text", "form", "multipart", "binary"]

_MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BM", "image/bmp"),
)


def is_body_object(value: Any, *, v4: bool) -> bool:
    """Tell whether a body is a V4 body object: ``{"content", "contentType", "encoded"}``.

    Args:
        value: The body (or message contents) as the pact holds it.
        v4: Whether the pact is V4; otherwise, from the shape alone, the object
            must also name its `contentType` or `encoded`.
    """
    if not isinstance(value, dict) or "content" not in value or not set(value) <= _BODY_OBJECT_KEYS:
        return False
    return v4 or bool(set(value) & {"contentType", "encoded"})


def open_body_object(
    body: Mapping[str, Any], declared: str | None, what: str
) -> tuple[Any, str | None]:
    """Return a V4 body object's content, decoded, and its content type.

    Args:
        body: The body object.
        declared: The content type the headers or metadata declare, if any.
        what: The part, for messages (``the body``, ``the message contents``).

    Raises:
        MatchingError: If content marked ``encoded='base64'`` is not base64.
    """
    content = body.get("content")
    content_type = body.get("contentType") or declared
    encoded = body.get("encoded", False)
    if isinstance(encoded, str) and encoded.lower() == "base64" and isinstance(content, str):
        try:
            content = base64.b64decode(content, validate=False)
        except (binascii.Error, ValueError):
            raise MatchingError(
                f"{what} is marked encoded='base64' but is not valid base64; fix it in the pact."
            ) from None
    elif isinstance(encoded, str) and encoded.lower() == "json" and isinstance(content, str):
        content = json.loads(content)
    return content, content_type


def sniff_content_type(content: Any) -> str:
    """Guess the media type of a body from its content.

    Args:
        content: Bytes, text, or an already-parsed JSON value.

    Returns:
        A media type such as `image/png`, `application/json`,
        `application/xml`, `text/plain` or `application/octet-stream`.
    """
    if isinstance(content, dict | list | int | float | bool):
        return "application/json"
    if isinstance(content, bytes):
        for magic, media_type in _MAGIC_NUMBERS:
            if content.startswith(magic):
                return media_type
        if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
            return "image/webp"
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
    elif isinstance(content, str):
        text = content
    else:
        return "application/octet-stream"
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        if stripped[:5].lower() == "<?xml" or not stripped[:14].lower().startswith(
            ("<!doctype html", "<html")
        ):
            return "application/xml"
        return "text/html"
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped)
        except ValueError:
            return "text/plain"
        return "application/json"
    if any(ord(char) < 9 or 13 < ord(char) < 32 for char in text[:512]):
        return "application/octet-stream"
    return "text/plain"


def body_kind(content_type: str) -> BodyKind:
    """Say how to compare bodies of a media type.

    Args:
        content_type: A media type, parameters allowed.

    Returns:
        `json`, `xml`, `form`, `multipart`, `text` or `binary`.
    """
    essence = content_type.split(";", 1)[0].strip().lower()
    if essence.startswith("multipart/"):
        return "multipart"
    if essence.endswith(("/json", "+json")):
        return "json"
    if essence.endswith(("/xml", "+xml")):
        return "xml"
    if essence == "application/x-www-form-urlencoded":
        return "form"
    if essence.startswith("text/") or essence in ("application/javascript",):
        return "text"
    return "binary"
