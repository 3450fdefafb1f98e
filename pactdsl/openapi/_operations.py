"""Finding a request's operation in the document, and what the operation declares.

Lookup: strip a base path (an explicit one, Swagger 2's `basePath`, or the
path part of each OpenAPI 3 `servers[].url`), split into segments, match each
path template segment by segment (a `{param}` must also pass its schema),
prefer the template with the most literal segments (OpenAPI says concrete
paths win), then the method. "No such path" and "path without this method"
are told apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs

from pactdsl.openapi._document import Document, Node
from pactdsl.openapi._result import OpenAPIDocumentError

__all__ = [
    "METHODS",
    "Lookup",
    "Operation",
    "Parameter",
    "Route",
    "accept_ranges",
    "any_value",
    "base_paths",
    "find_operation",
    "media_matches",
    "routes",
]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{([^{}]+)\}")


@attrs.frozen
class Parameter:
    """A declared parameter: its name, place, whether required, and its schema's node."""

    name: str
    location: str  # path, query, header, cookie, body, formData
    required: bool
    node: Node  # the parameter object (resolved)
    schema: Node  # its schema (Swagger 2: the parameter itself for non-body parameters)

    @property
    def separator(self) -> str | None:
        """How one value holds several array items: None when each item is repeated."""
        value = self.node.value
        if self.schema is self.node:  # Swagger 2 collectionFormat, csv by default
            fmt = value.get("collectionFormat", "csv")
            return {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}.get(fmt)
        style = value.get("style", "form" if self.location in ("query", "cookie") else "simple")
        explode = value.get("explode", style == "form")
        if style == "form" and explode:
            return None
        return {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")


@attrs.frozen
class Operation:
    """An operation found for a request, with its template and the path values."""

    template: str
    method: str
    node: Node  # the operation object
    path_item: Node
    path_values: Mapping[str, str]

    def parameters(self) -> list[Parameter]:
        """Path-item and operation parameters, the operation's winning on (name, in)."""
        found: dict[tuple[str, str], Parameter] = {}
        for source in (self.path_item.child("parameters"), self.node.child("parameters")):
            for element in source.elements():
                param = element.deref()
                value = param.mapping()
                name, location = value.get("name"), value.get("in")
                if not isinstance(name, str) or not isinstance(location, str):
                    raise OpenAPIDocumentError(param.where, "a parameter needs `name` and `in`")
                if "schema" in value or location == "body":
                    schema = param.child("schema")
                elif "content" in value:
                    schema = next(
                        (n.child("schema") for _, n in param.child("content").items()),
                        param.child("schema"),
                    )
                else:
                    schema = param
                required = value.get("required", location == "path") is True
                found[(name.lower() if location == "header" else name, location)] = Parameter(
                    name, location, required, param, schema
                )
        return list(found.values())


@attrs.frozen
class Lookup:
    """The outcome of looking up a request: an operation, or why there is none."""

    operation: Operation | None
    where: str
    message: str = ""


def _prefix(path: str) -> str:
    """``/api`` from ``api``, ``/api/`` or ``/api``: pact paths start with a slash."""
    inner = path.strip("/")
    return f"/{inner}" if inner else ""


def base_paths(document: Document, explicit: str | None) -> list[str]:
    """The path prefixes a pact path may start with, longest first."""
    if explicit is not None:
        return [_prefix(explicit)]
    root = document.node()
    if document.is_swagger2:
        base = root.value.get("basePath")
        return [_prefix(base)] if isinstance(base, str) else [""]
    prefixes = set()
    for server in root.child("servers").elements():
        url = server.mapping().get("url")
        if not isinstance(url, str):
            continue
        for name, var in server.child("variables").items():
            default = var.mapping().get("default")
            url = url.replace("{" + name + "}", str(default))
        prefixes.add(_prefix(urlsplit(url).path))
    return sorted(prefixes or {""}, key=len, reverse=True)


def _segment_pattern(segment: str) -> re.Pattern[str]:
    parts, last = [], 0
    for found in _PARAM.finditer(segment):
        parts.append(re.escape(segment[last : found.start()]))
        parts.append(f"(?P<p{len(parts)}>.+?)")
        last = found.end()
    parts.append(re.escape(segment[last:]))
    return re.compile("".join(parts))


@attrs.frozen
class Route:
    """A path template split once: literal segments as strings, the others as patterns."""

    template: str
    item: Node
    segments: tuple[str | tuple[re.Pattern[str], tuple[str, ...]], ...]
    literal: int  # how many literal segments: the more, the more concrete

    def match(self, actual: list[str]) -> dict[str, str] | None:
        if len(actual) != len(self.segments):
            return None
        values: dict[str, str] = {}
        for wanted, segment in zip(self.segments, actual, strict=True):
            if isinstance(wanted, str):
                if wanted != segment:
                    return None
                continue
            pattern, names = wanted
            found = pattern.fullmatch(segment)
            if found is None:
                return None
            values.update((n, unquote(v)) for n, v in zip(names, found.groups(), strict=True))
        return values


def routes(document: Document) -> list[Route]:
    """The document's path templates, ready to match (made once per check)."""
    found = []
    for template, item in document.node().child("paths").items():
        stripped = template.strip("/")
        segments: list[str | tuple[re.Pattern[str], tuple[str, ...]]] = []
        for segment in stripped.split("/") if stripped else []:
            names = tuple(_PARAM.findall(segment))
            segments.append((_segment_pattern(segment), names) if names else segment)
        literal = sum(1 for s in segments if isinstance(s, str))
        found.append(Route(template, item, tuple(segments), literal))
    return found


def find_operation(
    document: Document,
    table: list[Route],
    prefixes: list[str],
    method: str,
    path: str,
    fits: Callable[[Operation], tuple[str, str] | None],
) -> Lookup:
    """The operation for `method` and `path`, or a lookup saying why none fits.

    `table` is what `routes` made of the document. `fits` says why an
    operation's path parameters reject the path's values (where, message), or
    None when they accept them.
    """
    paths = document.node().child("paths")
    candidates: list[tuple[int, str, Node, dict[str, str]]] = []
    for prefix in prefixes:
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            continue
        rest = path[len(prefix) :].split("?", 1)[0].strip("/")
        segments = rest.split("/") if rest else []
        for route in table:
            values = route.match(segments)
            if values is not None:
                candidates.append((route.literal, route.template, route.item, values))
        if candidates:
            break
    if not candidates:
        bases = ", ".join(repr(p) for p in prefixes if p)
        hint = f" after the base path ({bases})" if bases else ""
        if (
            bases
            and "" not in prefixes
            and not any(path == p or path.startswith(p + "/") for p in prefixes)
        ):
            hint += ", which it does not start with; give the prefix with --base-path (base_path=)"
        msg = f"no path of the document matches {path!r}{hint}"
        return Lookup(None, paths.where, msg)
    candidates.sort(key=lambda c: -c[0])
    misfit: tuple[str, str] | None = None
    for _, template, item, values in candidates:
        path_item = item.deref()
        if method.lower() not in path_item.mapping():
            continue
        operation = path_item.child(method.lower()).deref()
        found = Operation(template, method.upper(), operation, path_item, values)
        why_not = fits(found)
        if why_not is None:
            return Lookup(found, "")
        misfit = misfit or why_not
    if misfit is not None:
        return Lookup(None, *misfit)
    _, template, item, _ = candidates[0]
    allowed = sorted(m.upper() for m in item.deref().mapping() if m in METHODS)
    msg = f"path {path!r} matches {template!r}, which has no {method.upper()} (it has {allowed})"
    return Lookup(None, item.where, msg)


def _media(text: str) -> tuple[str, str]:
    media = text.split(";", 1)[0].strip().lower()
    kind, _, sub = media.partition("/")
    return kind, sub or "*"


def media_matches(actual: str, declared: str) -> bool:
    """True when two media types or ranges agree (wildcards either side; parameters ignored)."""
    (a_kind, a_sub), (d_kind, d_sub) = _media(actual), _media(declared)
    kinds_agree = "*" in (a_kind, d_kind) or a_kind == d_kind
    subs_agree = "*" in (a_sub, d_sub) or a_sub == d_sub
    return kinds_agree and subs_agree


def accept_ranges(accept: str) -> list[str]:
    """The media ranges of an Accept header, leaving out those with ``q=0``."""
    ranges = []
    for part in accept.split(","):
        params = [p.strip().replace(" ", "") for p in part.split(";")[1:]]
        if any(p in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        if part.strip():
            ranges.append(part.strip())
    return ranges


def any_value(mapping: Mapping[str, Any], name: str) -> tuple[str, ...] | None:
    """The values of `name` in a pact's headers (case-insensitive), or None."""
    for key, values in mapping.items():
        if key.lower() == name.lower():
            return tuple(values)
    return None
