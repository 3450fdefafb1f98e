"""The request replayed for an HTTP interaction: built from the pact, open to a filter.

The examples give the request; the pact's generators change it (provider-state
values injected), then the `request_filter` may change it (auth, signatures).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from pactdsl._generators import Generator, GeneratorContext, apply_generators
from pactdsl._http import body_bytes
from pactdsl._model import Interaction, is_json_content_type

__all__ = ["ProviderRequest", "build_request", "unparseable_json", "unsafe_path"]


@attrs.define
class ProviderRequest:
    """The request about to be sent; a `request_filter` may change any field.

    Attributes:
        method: The HTTP method, e.g. ``"POST"``.
        path: The path, starting with ``/`` (it may not leave the provider).
        query: Query parameters: name to list of values.
        headers: Header name to value (repeated values joined by ``", "``).
        body: The body bytes, or None for no body.
    """

    method: str
    path: str
    query: dict[str, list[str]] = attrs.field(factory=dict)
    headers: dict[str, str] = attrs.field(factory=dict)
    body: bytes | None = None

    def set_header(self, name: str, value: str) -> None:
        """Set a header, replacing any with the same name in any letter case."""
        for key in [k for k in self.headers if k.lower() == name.lower()]:
            del self.headers[key]
        self.headers[name] = value

    def header(self, name: str) -> str | None:
        """The value of a header (case-insensitive), or None."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        """The body parsed as JSON (None when there is no body)."""
        return None if not self.body else json.loads(self.body)

    def set_json(self, value: Any) -> None:
        """Replace the body with `value` as JSON (and say so in Content-Type)."""
        self.body = json.dumps(value).encode("utf-8")
        self.set_header("Content-Type", "application/json")


def _key_name(key: str) -> str:
    # Query and header generators are keyed by name; some writers prefix "$.".
    return key[2:] if key.startswith("$.") else key


def _generate(gen: Generator, example: Any, context: GeneratorContext, notes: list[str]) -> Any:
    try:
        return gen.generate(context)
    except KeyError as exc:
        # As pact-reference does: an unresolved provider-state expression keeps
        # the example value, and the note says so.
        notes.append(f"{exc.args[0]} (used the example value {example!r})")
        return example


def unsafe_path(path: str) -> str | None:
    if not path.startswith("/"):
        return "does not start with '/'"
    if path.startswith(("//", "/\\")):
        return "starts with '//' (a host of its own)"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path.lstrip("/")):
        return "holds an absolute URL"
    return None


def build_request(
    interaction: Interaction,
    context: GeneratorContext,
    extra_headers: Mapping[str, str],
    notes: list[str],
) -> ProviderRequest:
    spec = interaction.request
    gens = spec.generators
    path = spec.path
    path_gen = gens.get("path", {}).get("")
    if path_gen is not None:
        path = str(_generate(path_gen, path, context, notes))
    query = {name: list(values) for name, values in spec.query.items()}
    # A generator for a parameter or header the pact leaves out adds it (the
    # compatibility suite's "generator with the request headers/query parameters").
    for key, gen in gens.get("query", {}).items():
        name = _key_name(key)
        values = query.get(name) or [""]
        query[name] = [str(_generate(gen, value, context, notes)) for value in values]
    headers = {name: ", ".join(values) for name, values in spec.headers.items()}
    for key, gen in gens.get("header", {}).items():
        name = _key_name(key)
        headers[name] = str(_generate(gen, headers.get(name, ""), context, notes))
    body: bytes | None = None
    if spec.body is not None:
        content = spec.body.content
        body_gens = gens.get("body", {})
        if body_gens:
            content = _generate_body(content, body_gens, context, notes)
        body = body_bytes(spec.body, spec.headers, content)
        if spec.body.content_type and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = spec.body.content_type
    request = ProviderRequest(spec.method, path, query, headers, body)
    for name, value in extra_headers.items():
        request.set_header(name, value)
    return request


def _generate_body(
    content: Any, generators: Mapping[str, Generator], context: GeneratorContext, notes: list[str]
) -> Any:
    try:
        return apply_generators(content, generators, context)
    except KeyError:
        # One unresolved expression: apply them one by one so the others still work.
        for path, gen in generators.items():
            try:
                content = apply_generators(content, {path: gen}, context)
            except KeyError as exc:
                notes.append(f"{exc.args[0]} (kept the example at {path})")
        return content


def unparseable_json(actual: Mapping[str, Any], raw: bytes) -> str | None:
    body = actual.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        return None
    if not is_json_content_type(body.get("contentType")):
        return None
    try:
        json.loads(raw)
    except ValueError as exc:
        snippet = raw[:80].decode("utf-8", "replace")
        return (
            f"the provider declared Content-Type {body.get('contentType')!r} but the body is "
            f"not valid JSON ({exc}): {snippet!r}"
        )
    return None
