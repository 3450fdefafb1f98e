r"""Multipart bodies (``multipart/form-data``): declare the parts, get the bytes and the rules.

A request (or response) body may be a form with fields and uploaded files, built from
`field` and `file` calls and wrapped in `body`. A field's value or a file's content may
be a matcher (`pactdsl.match`), so the part is matched by rule instead of by value:

```python
from pactdsl import interaction, multipart
from pactdsl.match import content_type, regex

interaction("upload a photo").request(
    method="POST",
    path="/photos",
    body=multipart.body(
        multipart.field("title", regex(r"\w+", "Rat")),
        multipart.file("photo", content_type("image/jpeg", b"\xff\xd8\xff\xe0"), "image/jpeg",
                       filename="rat.jpg"),
    ),
).responds(status=201)
```

The pact file holds the example body (base64 in V4), the Content-Type
``multipart/form-data; boundary=...`` with a ``regex`` rule on that header (a client
chooses its own boundary), and the parts' rules at ``$.<field name>``. The mock
provider and the verifier compare multipart bodies part by part: parts are paired by
name, each compared as a body of its own content type with the rules at its path.
"""

from __future__ import annotations

import hashlib as _hashlib
import typing as _typing

import attrs as _attrs

from pactdsl._errors import InvalidMatcher as _InvalidMatcher
from pactdsl._matchers import Matcher as _Matcher
from pactdsl._matchers import RuleGroup as _RuleGroup
from pactdsl._matchers import _call_repr
from pactdsl._rulepath import rule_path_child as _rule_path_child

if _typing.TYPE_CHECKING:
    from typing import Any

__all__ = ["CONTENT_TYPE_PATTERN", "MultipartBody", "MultipartPart", "body", "field", "file"]

CONTENT_TYPE_PATTERN = r"multipart/form-data;\s*boundary=\S+"
"""The regex rule a multipart body puts on the Content-Type header: any boundary."""


@_attrs.frozen(repr=False)
class MultipartPart:
    """One part of a multipart body: made by `field` or `file`."""

    name: str
    value: Any
    content_type: str
    filename: str | None = None
    factory: str = "field"

    def __repr__(self) -> str:
        args: list[Any] = [self.name, self.value]
        kwargs: dict[str, Any] = {}
        if self.factory == "file":
            args.append(self.content_type)
            if self.filename is not None:
                kwargs["filename"] = self.filename
        elif self.content_type != "text/plain":
            kwargs["content_type"] = self.content_type
        return _call_repr(f"multipart.{self.factory}", *args, **kwargs)

    def example(self) -> bytes:
        """The part's example content, as bytes."""
        value = self.value.example_value() if isinstance(self.value, _Matcher) else self.value
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def field(name: str, value: Any, content_type: str = "text/plain") -> MultipartPart:
    """A form field: text (or a matcher whose example is text).

    Raises:
        InvalidMatcher: If the name is empty or the value is not text.
    """
    _check_name("field", name)
    example = value.example_value() if isinstance(value, _Matcher) else value
    if not isinstance(example, str):
        msg = f"multipart.field({name!r}, value={value!r}): the value must be text (str)"
        raise _InvalidMatcher(msg)
    _check_type("field", name, content_type)
    return MultipartPart(name, value, content_type)


def file(
    name: str, content: Any, content_type: str, *, filename: str | None = None
) -> MultipartPart:
    """An uploaded file: bytes (or a matcher whose example is bytes, e.g. `match.content_type`).

    Raises:
        InvalidMatcher: If the name is empty or the content is not bytes.
    """
    _check_name("file", name)
    example = content.example_value() if isinstance(content, _Matcher) else content
    if not isinstance(example, bytes | bytearray):
        msg = (
            f"multipart.file({name!r}, content={content!r}): the content must be bytes "
            "(or a matcher with a bytes example, e.g. content_type('image/jpeg', data))"
        )
        raise _InvalidMatcher(msg)
    _check_type("file", name, content_type)
    if filename is not None and (
        not isinstance(filename, str) or any(c in filename for c in '"\r\n')
    ):
        msg = (
            f"multipart.file({name!r}, filename={filename!r}): give a file name without "
            "quotes or newlines"
        )
        raise _InvalidMatcher(msg)
    return MultipartPart(name, content, content_type, filename, "file")


def _check_name(factory: str, name: Any) -> None:
    if not isinstance(name, str) or not name or any(c in name for c in '"\r\n'):
        msg = (
            f"multipart.{factory}(name={name!r}): give a non-empty name without quotes or newlines"
        )
        raise _InvalidMatcher(msg)


def _check_type(factory: str, name: str, content_type: Any) -> None:
    if not isinstance(content_type, str) or "/" not in content_type or "\n" in content_type:
        msg = (
            f"multipart.{factory}({name!r}, content_type={content_type!r}): give a media type "
            "such as 'text/plain' or 'image/jpeg'"
        )
        raise _InvalidMatcher(msg)


@_attrs.frozen(repr=False)
class MultipartBody:
    """A ``multipart/form-data`` body, ready for ``.request(body=...)`` or ``.responds(body=...)``.

    Made by `body`; the example bytes and the rules are made once, when the body is made.
    """

    parts: tuple[MultipartPart, ...]
    boundary: str
    _bytes: bytes = _attrs.field(eq=False)

    def __repr__(self) -> str:
        return _call_repr("multipart.body", *self.parts)

    @property
    def content_type(self) -> str:
        """The Content-Type the body is sent with (its boundary included)."""
        return f"multipart/form-data; boundary={self.boundary}"

    def example_bytes(self) -> bytes:
        """The example body, as a client sends it."""
        return self._bytes

    def rules(self) -> dict[str, _RuleGroup]:
        """The parts' matching rules, by part path (``$.photo``)."""
        return {
            _rule_path_child("$", part.name): part.value.rule_group()
            for part in self.parts
            if isinstance(part.value, _Matcher)
        }


def body(*parts: MultipartPart) -> MultipartBody:
    """A ``multipart/form-data`` body from its fields and files, in order.

    The boundary is derived from the content (so pact files are reproducible) and never
    occurs in it.

    Raises:
        InvalidMatcher: If there is no part, a part is not a `field`/`file`, or two parts
            share a name.
    """
    if not parts:
        msg = "multipart.body(): give at least one multipart.field(...) or multipart.file(...)"
        raise _InvalidMatcher(msg)
    names: set[str] = set()
    for part in parts:
        if not isinstance(part, MultipartPart):
            msg = f"multipart.body({part!r}): each part must be multipart.field(...) or .file(...)"
            raise _InvalidMatcher(msg)
        if part.name in names:
            msg = f"multipart.body(...): two parts are named {part.name!r}; names must differ"
            raise _InvalidMatcher(msg)
        names.add(part.name)
    digest = _hashlib.sha256()
    for part in parts:
        digest.update(part.name.encode() + b"\0" + part.example())
    boundary = "pactdsl-" + digest.hexdigest()[:32]
    while any(boundary.encode() in part.example() for part in parts):
        boundary += "x"
    return MultipartBody(tuple(parts), boundary, _encode(parts, boundary))


def _encode(parts: tuple[MultipartPart, ...], boundary: str) -> bytes:
    out = bytearray()
    for part in parts:
        disposition = f'form-data; name="{part.name}"'
        if part.filename is not None:
            disposition += f'; filename="{part.filename}"'
        out += f"--{boundary}\r\n".encode()
        out += f"Content-Disposition: {disposition}\r\n".encode()
        out += f"Content-Type: {part.content_type}\r\n\r\n".encode()
        out += part.example() + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)
