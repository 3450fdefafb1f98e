"""Reading an OpenAPI 3.x or Swagger 2.0 document and walking it across its `$ref`s.

`referencing` resolves the references: local pointers, and relative files read
by our own retrieve function, which reads only files in the root document's
folder (or below it) and never the network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import attrs
import referencing
import referencing.exceptions
import yaml

from pactdsl._limits import current_limits
from pactdsl.openapi._result import OpenAPIDocumentError

__all__ = ["Document", "Node", "has_ref", "load_document", "pointer_escape", "refs_in"]

_DICT_BASE = "urn:pactdsl:openapi-document"


class _NoDatesLoader(yaml.SafeLoader):
    """Safe YAML without the timestamp resolver: `2024-01-01` stays a string, as in JSON."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def pointer_escape(token: object) -> str:
    """One JSON-pointer token (RFC 6901: ``~`` as ``~0``, ``/`` as ``~1``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def refs_in(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(JSON pointer, target) of every string ``$ref`` in a parsed document, in order."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                yield pointer, item
            else:
                yield from refs_in(item, f"{pointer}/{pointer_escape(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from refs_in(item, f"{pointer}/{index}")


def _too_deep(where: str) -> OpenAPIDocumentError:
    depth = current_limits().max_nesting_depth
    msg = f"nests deeper than Limits(max_nesting_depth={depth}); flatten it or raise the limit"
    return OpenAPIDocumentError(where, msg)


def _check_size(data: Any, where: str) -> None:
    """Refuse a document over the nesting or value-count bounds of the `Limits` in force.

    YAML aliases are counted again at each use: a "billion laughs" document is
    small on disk but explodes once its schemas are walked.
    """
    limits = current_limits()
    left = limits.max_document_values
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        left -= 1
        if left < 0:
            msg = (
                f"holds more than Limits(max_document_values={limits.max_document_values}) "
                "values (YAML aliases count at each use); split it or raise the limit"
            )
            raise OpenAPIDocumentError(where, msg)
        if depth > limits.max_nesting_depth:
            raise _too_deep(where)
        if isinstance(value, Mapping):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def _parse_text(text: str, where: str) -> Any:
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_NoDatesLoader)  # a SafeLoader subclass: safe
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise OpenAPIDocumentError(where, f"is neither valid JSON nor YAML: {exc}") from None
    except RecursionError:
        raise _too_deep(where) from None
    _check_size(data, where)
    return data


def _read_file(path: Path, where: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise OpenAPIDocumentError(where, f"not UTF-8 text ({exc})") from None
    except OSError as exc:
        raise OpenAPIDocumentError(where, f"cannot be read ({exc.strerror or exc})") from None
    return _parse_text(text, where)


def _is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https", "ftp")


@attrs.frozen
class Document:
    """A loaded document: its version, root contents and the resolver for its `$ref`s."""

    version: str
    root: Mapping[str, Any]
    base: str
    folder: Path | None
    registry: referencing.Registry[Any] = attrs.field(eq=False)

    @property
    def is_swagger2(self) -> bool:
        """True for a Swagger 2.0 document."""
        return self.version.startswith("2")

    @property
    def is_31(self) -> bool:
        """True for OpenAPI 3.1 (schemas are JSON Schema 2020-12 already)."""
        return self.version.startswith("3.1")

    def node(self) -> Node:
        """The root of the document."""
        return Node(self, self.root, self.base, "")

    def display(self, base: str, pointer: str) -> str:
        """``#/a/b`` in the root document, ``pet.yaml#/Pet`` in another file."""
        if base == self.base or self.folder is None:
            return f"#{pointer}"
        path = Path(unquote(urlsplit(base).path))
        try:
            name = path.relative_to(self.folder).as_posix()
        except ValueError:
            name = path.as_posix()
        return f"{name}#{pointer}"

    def resolve(self, base: str, ref: str, where: str) -> tuple[Any, str, str]:
        """The target of `ref` seen from the file `base`: (contents, its file, its pointer)."""
        if ref.startswith("#"):
            target = base + ref
        elif base == _DICT_BASE:
            msg = (
                f"$ref={ref!r} names another file, but the document was given as a dict; "
                "give its path instead so files beside it can be read"
            )
            raise OpenAPIDocumentError(where, msg)
        else:
            target = urljoin(base, ref)
        file, _, fragment = target.partition("#")
        try:
            resolved = self.registry.resolver(base_uri=base).lookup(target)
        except referencing.exceptions.Unresolvable as exc:
            cause: BaseException | None = exc
            while cause is not None and not isinstance(cause, OpenAPIDocumentError):
                cause = cause.__cause__
            if cause is not None:
                raise OpenAPIDocumentError(where, f"$ref={ref!r}: {cause}") from None
            if isinstance(exc.__cause__, referencing.exceptions.Unretrievable):
                msg = f"$ref={ref!r} cannot be read: {exc.__cause__.__cause__ or exc.__cause__}"
                raise OpenAPIDocumentError(where, msg) from None
            msg = f"$ref={ref!r} points to nothing; check the pointer after '#'"
            raise OpenAPIDocumentError(where, msg) from None
        return resolved.contents, file, unquote(fragment)


def has_ref(value: Any, where: str) -> bool:
    """True when `value` is a Reference Object; a `$ref` that is no string is a document error.

    A mapping or boolean under ``$ref`` is left alone: it is a property named ``$ref``.
    """
    if not isinstance(value, Mapping) or "$ref" not in value:
        return False
    ref = value["$ref"]
    if isinstance(ref, str):
        return True
    if isinstance(ref, Mapping | bool):
        return False
    msg = f"$ref={ref!r} must be a string such as '#/components/schemas/Pet'"
    raise OpenAPIDocumentError(where, msg)


@attrs.frozen
class Node:
    """A place in the document: its value, the file it is in and its JSON pointer there."""

    document: Document = attrs.field(repr=False)
    value: Any
    base: str
    pointer: str

    @property
    def where(self) -> str:
        """The place as shown in messages: ``#/paths/~1pets`` or ``pet.yaml#/Pet``."""
        return self.document.display(self.base, self.pointer)

    def child(self, key: object) -> Node:
        """The member `key` (a mapping key or list index), or a node holding None."""
        value: Any = None
        if isinstance(self.value, Mapping):
            value = self.value.get(key)
            if value is None and isinstance(key, str) and key.isdigit():
                value = self.value.get(int(key))  # YAML reads `200:` as an int
        elif isinstance(self.value, list) and isinstance(key, int) and 0 <= key < len(self.value):
            value = self.value[key]
        return Node(self.document, value, self.base, f"{self.pointer}/{pointer_escape(key)}")

    def deref(self) -> Node:
        """This node, or what its `$ref` (and theirs, in turn) points to."""
        node = self
        seen: set[tuple[str, str]] = set()
        while has_ref(node.value, node.where):
            if (node.base, node.pointer) in seen:
                raise OpenAPIDocumentError(node.where, "$ref points to itself in a loop")
            seen.add((node.base, node.pointer))
            contents, file, pointer = self.document.resolve(
                node.base, node.value["$ref"], node.where
            )
            node = Node(self.document, contents, file, pointer)
        return node

    def mapping(self) -> Mapping[str, Any]:
        """The value as a mapping (None as empty); anything else is a document error."""
        if self.value is None:
            return {}
        if not isinstance(self.value, Mapping):
            msg = f"must be an object, not {type(self.value).__name__} {self.value!r:.60}"
            raise OpenAPIDocumentError(self.where, msg)
        return self.value

    def items(self) -> list[tuple[str, Node]]:
        """(key, node) for each member of a mapping, keys as strings."""
        return [(str(k), self.child(k)) for k in self.mapping()]

    def elements(self) -> list[Node]:
        """The nodes of a list (None as empty); anything else is a document error."""
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            msg = f"must be a list, not {type(self.value).__name__}"
            raise OpenAPIDocumentError(self.where, msg)
        return [self.child(i) for i in range(len(self.value))]


def _version_of(root: Any, where: str) -> str:
    if not isinstance(root, Mapping):
        msg = f"is not an OpenAPI document: its top is a {type(root).__name__}, not an object"
        raise OpenAPIDocumentError(where, msg)
    swagger = root.get("swagger")
    if swagger is not None:
        if str(swagger) != "2.0":
            raise OpenAPIDocumentError(f"{where}#/swagger", f"swagger={swagger!r} is not 2.0")
        return "2.0"
    version = root.get("openapi")
    if isinstance(version, str) and version.startswith(("3.0", "3.1")):
        return version
    if isinstance(version, int | float) and not isinstance(version, bool):
        msg = (
            f"openapi={version!r} is a number, not a version string: YAML reads an unquoted "
            f"{version} as one; write the full version in quotes, e.g. openapi: '3.0.3'"
        )
        raise OpenAPIDocumentError(f"{where}#/openapi", msg)
    msg = (
        f"openapi={version!r} is not a version pactdsl reads; give an OpenAPI 3.0 or 3.1 "
        "document, or a Swagger 2.0 one (swagger: '2.0')"
    )
    raise OpenAPIDocumentError(f"{where}#/openapi", msg)


def _retriever(folder: Path | None) -> Any:
    def retrieve(uri: str) -> referencing.Resource[Any]:
        parts = urlsplit(uri)
        if folder is None or parts.scheme != "file":
            msg = f"only files beside the document are read, not {uri}"
            raise OpenAPIDocumentError(uri, msg)
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(folder):
            msg = f"{path} is outside the document's folder {folder}; only files in it are read"
            raise OpenAPIDocumentError(uri, msg)
        contents = _read_file(path, str(path))
        return referencing.Specification.OPAQUE.create_resource(contents)

    return retrieve


def load_document(spec: str | os.PathLike[str] | Mapping[str, Any]) -> Document:
    """Read `spec` (a path to JSON or YAML, or a parsed dict).

    Raises:
        OpenAPIDocumentError: naming the file and pointer of what cannot be read.
        FileNotFoundError: when `spec` names a file that does not exist.
    """
    folder: Path | None
    if isinstance(spec, Mapping):
        root: Any = spec
        base, folder, where = _DICT_BASE, None, "<dict>"
        _check_size(root, where)
    elif isinstance(spec, str | os.PathLike):
        text = os.fspath(spec)
        if _is_url(text):
            msg = (
                f"spec={text!r} is a URL; pactdsl reads documents from files only: "
                "download it first and give its path"
            )
            raise OpenAPIDocumentError("", msg)
        path = Path(text).resolve()
        if not path.is_file():
            msg = f"spec={text!r}: no such file"
            raise FileNotFoundError(msg)
        root = _read_file(path, text)
        base, folder, where = path.as_uri(), path.parent, text
    else:
        msg = f"spec={spec!r} ({type(spec).__name__}) must be a file path or a dict"
        raise TypeError(msg)
    version = _version_of(root, where)
    resource = referencing.Specification.OPAQUE.create_resource(root)
    # `retrieve` is the attrs alias of Registry's private field, which mypy does not see.
    empty: referencing.Registry[Any] = referencing.Registry(retrieve=_retriever(folder))  # type: ignore[call-arg]
    registry = empty.with_resource(base, resource)
    return Document(version, root, base, folder, registry)
