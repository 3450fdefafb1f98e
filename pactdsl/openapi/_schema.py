"""OpenAPI schemas as JSON Schema 2020-12, and examples validated against them.

Each dialect is normalised once: OpenAPI 3.0's `nullable`, Swagger 2's
`x-nullable` and `type: file`, draft-4 boolean `exclusiveMinimum`/`Maximum`,
and the rule that 3.0/2.0 ignore a `$ref`'s siblings. Every referenced schema
becomes one entry of `$defs`, so recursive schemas stay finite.

A *response* view relaxes and tightens as swagger-mock-validator does: the
provider may send fewer properties than the schema lists (`required` is
dropped, except inside `oneOf` where it tells branches apart), and the pact
may not show properties the schema does not list (`unevaluatedProperties:
false` on each object that says nothing about extra properties; on the parent
of an `allOf`/`anyOf`/`oneOf`, not its branches, so a property of one branch
is not extra to another).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import jsonschema
import jsonschema.exceptions

from pactdsl.openapi._document import Node, has_ref, pointer_escape
from pactdsl.openapi._result import OpenAPIDocumentError

__all__ = [
    "WHERE",
    "SchemaFailure",
    "Schemas",
    "Validator",
    "View",
    "checks_format",
    "coerce",
    "where_of",
]

View = Literal["request", "response"]

WHERE = "x-pactdsl-where"
"""An annotation keyword of the compiled schemas: where each subschema is in the document."""
_WHERE = WHERE
_SUBSCHEMA = (
    *("additionalProperties", "items", "not", "contains", "propertyNames", "if", "then"),
    *("else", "unevaluatedItems", "unevaluatedProperties"),
)
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SKIPPED = ("$defs", "definitions", "discriminator", "xml", "example", "examples")
_FORMATS = jsonschema.FormatChecker()
_COMPOSED = ("anyOf", "oneOf", "allOf")


def _int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


def _int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _date_time(value: object) -> bool:
    """RFC 3339 date-time, as OpenAPI means it (jsonschema checks it only with an extra)."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _byte(value: object) -> bool:
    return not isinstance(value, str) or _BASE64.fullmatch(value) is not None


_FORMATS.checks("int32")(_int32)
_FORMATS.checks("int64")(_int64)
_FORMATS.checks("date-time")(_date_time)
_FORMATS.checks("byte")(_byte)


def checks_format(name: object) -> bool:
    """True when the check enforces `format: name` (others are annotations only)."""
    return isinstance(name, str) and name in _FORMATS.checkers


def where_of(schema: Any) -> str:
    """Where a compiled (sub)schema sits in the document, or "" when unknown."""
    return str(schema.get(_WHERE, "")) if isinstance(schema, Mapping) else ""


@attrs.frozen
class SchemaFailure:
    """One way an instance fails its schema: where in the instance, where in the document."""

    instance_path: tuple[str | int, ...]
    where: str
    message: str


@attrs.define
class _Compiler:
    view: View
    legacy: bool  # OpenAPI 3.0 or Swagger 2: draft-4-like schemas with `nullable`
    defs: dict[str, Any] = attrs.Factory(dict)
    names: dict[tuple[str, str, bool, bool], str] = attrs.Factory(dict)

    def schema(self, node: Node, *, closed: bool = True, keep_required: bool = False) -> Any:
        value = node.value
        if isinstance(value, bool):
            return value
        if not isinstance(value, Mapping):
            msg = f"a schema must be an object, not {type(value).__name__} {value!r:.60}"
            raise OpenAPIDocumentError(node.where, msg)
        if has_ref(value, node.where):
            ref = self._ref(node, closed=closed, keep_required=keep_required)
            if self.legacy or len(value) == 1:
                return ref
            siblings = {k: v for k, v in value.items() if k != "$ref"}
            node = attrs.evolve(node, value=siblings)
            return {**self._plain(node, closed=closed, keep_required=keep_required), **ref}
        return self._plain(node, closed=closed, keep_required=keep_required)

    def _ref(self, node: Node, *, closed: bool, keep_required: bool) -> dict[str, Any]:
        target = node.deref()
        key = (target.base, target.pointer, closed, keep_required)
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = f"s{len(self.names)}"
            self.defs[name] = True  # a placeholder while a recursive schema is compiled
            self.defs[name] = self.schema(target, closed=closed, keep_required=keep_required)
        return {"$ref": f"#/$defs/{name}"}

    def _plain(self, node: Node, *, closed: bool, keep_required: bool) -> dict[str, Any]:
        value: Mapping[str, Any] = node.value
        out: dict[str, Any] = {_WHERE: node.where}
        composed = any(k in value for k in ("allOf", "anyOf", "oneOf"))
        for key, sub in value.items():
            if key in _SKIPPED or key == "$ref":
                continue
            # A Swagger 2 parameter is its own schema; its `required: true` is not JSON Schema's.
            if key == "required" and (isinstance(sub, bool) or not self._required(keep_required)):
                continue
            child = node.child(key)
            if key == "items" and isinstance(sub, list):  # draft-4 tuple form
                out["prefixItems"] = [self.schema(n) for n in child.elements()]
            elif key == "additionalItems" and isinstance(value.get("items"), list):
                out["items"] = self.schema(child)
            elif key in _SUBSCHEMA:
                out[key] = self.schema(child)
            elif key in _SUBSCHEMA_MAPS and isinstance(sub, Mapping):
                out[key] = {str(k): self.schema(n) for k, n in child.items()}
            elif key in _SUBSCHEMA_LISTS and isinstance(sub, list):
                keep = keep_required or key == "oneOf"
                out[key] = [
                    self.schema(n, closed=False, keep_required=keep) for n in child.elements()
                ]
            else:
                out[key] = sub
        null_too = self.legacy and self._legacy(out)
        open_ended = "additionalProperties" in out or "unevaluatedProperties" in out
        if (
            self.view == "response"
            and closed
            and not open_ended
            and (composed or self._is_object(out))
        ):
            out["unevaluatedProperties"] = False
        if null_too:  # `nullable` beside allOf/oneOf/...: null, or else the schema in full
            return {_WHERE: node.where, "if": {"type": "null"}, "else": out}
        return out

    def _required(self, keep_required: bool) -> bool:
        return self.view == "request" or keep_required

    @staticmethod
    def _is_object(schema: Mapping[str, Any]) -> bool:
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        return "object" in kinds or (kind is None and "properties" in schema)

    @staticmethod
    def _legacy(out: dict[str, Any]) -> bool:
        """Rewrite OpenAPI 3.0 / Swagger 2 keywords; True when null must be let in around it."""
        if out.get("type") == "file":  # Swagger 2 formData files: any content
            del out["type"]
        for bound, exclusive in (
            ("minimum", "exclusiveMinimum"),
            ("maximum", "exclusiveMaximum"),
        ):
            flag = out.get(exclusive)
            if isinstance(flag, bool):
                del out[exclusive]
                if flag and bound in out:
                    out[exclusive] = out.pop(bound)
        nullable = out.pop("nullable", False) is True
        nullable = out.pop("x-nullable", False) is True or nullable
        if not nullable:
            return False
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return kind is None and any(k in out for k in ("allOf", "anyOf", "oneOf", "not"))


@attrs.frozen
class Validator:
    """A compiled schema: validates instances and coerces parameter strings to its types."""

    schema: Any
    _validator: jsonschema.Draft202012Validator = attrs.field(repr=False)

    def failures(self, instance: Any) -> list[SchemaFailure]:
        """How `instance` fails the schema (empty when it passes), each with its place.

        A property the schema does not list is reported at the property itself.
        """
        found = []
        errors = list(self._validator.iter_errors(instance))
        paths = [tuple(e.absolute_path) for e in errors]
        # An object that fits no branch of its anyOf/oneOf has all its properties
        # unevaluated: that second error says nothing new.
        composed = {p for e, p in zip(errors, paths, strict=True) if e.validator in _COMPOSED}
        for error, path in zip(errors, paths, strict=True):
            schema = error.schema if isinstance(error.schema, Mapping) else {}
            where = str(schema.get(_WHERE, ""))
            keyword = str(error.validator)
            if keyword != "unevaluatedProperties":
                if where and keyword in schema:
                    where = f"{where}/{pointer_escape(keyword)}"
                found.append(SchemaFailure(path, where, str(error.message)))
            elif path not in composed:
                found.extend(_unexpected(error, path, where, paths, self._declared(error.schema)))
        return sorted(found, key=lambda f: (tuple(map(str, f.instance_path)), f.message))

    def _declared(self, schema: Any, depth: int = 0) -> frozenset[str]:
        """The property names `schema` and its allOf/anyOf/oneOf branches list."""
        schema = self.resolved(schema)
        names = set(schema.get("properties", {}) or {})
        if depth < 16:
            for branch in _COMPOSED:
                for sub in schema.get(branch, ()) or ():
                    names |= self._declared(sub, depth + 1)
        return frozenset(names)

    def accepts(self, schema: Any, instance: Any) -> bool:
        """True when `instance` fits `schema`, a part of this validator's schema."""
        return bool(self._validator.evolve(schema=schema).is_valid(instance))

    def refusal(self, schema: Any, instance: Any) -> tuple[str, str] | None:
        """The keyword of `schema` (a part of this validator's) that refuses `instance`.

        Returns:
            None when `instance` fits; else the keyword and its document pointer.
        """
        for error in self._validator.evolve(schema=schema).iter_errors(instance):
            sub = error.schema if isinstance(error.schema, Mapping) else {}
            keyword = str(error.validator)
            where = where_of(sub)
            return keyword, f"{where}/{pointer_escape(keyword)}" if where else ""
        return None

    def resolved(self, schema: Any | None = None) -> Mapping[str, Any]:
        """`schema` (default: the top) with its `$ref` to `$defs` followed."""
        schema = self.schema if schema is None else schema
        seen = 0
        while isinstance(schema, Mapping) and "$ref" in schema and seen < 64:
            schema = self.schema["$defs"].get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
            seen += 1
        return schema if isinstance(schema, Mapping) else {}


def _unexpected(
    error: jsonschema.exceptions.ValidationError,
    path: tuple[str | int, ...],
    where: str,
    paths: list[tuple[str | int, ...]],
    declared: frozenset[str],
) -> list[SchemaFailure]:
    """One failure per property not in the schema, leaving out those with errors of their own.

    A property whose own value fails (inside an allOf branch, say) is not
    evaluated either, but its own error says what is wrong with it. And when
    something inside the object fails, its failing branch's other properties
    go unevaluated too: then only names no branch lists (`declared`) are extra.
    """
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    inner_failure = any(len(p) > len(path) and p[: len(path)] == path for p in paths)
    return [
        SchemaFailure((*path, key), where, f"{key!r} is not in the schema")
        for key in instance
        if repr(key) in error.message
        and not any(p[: len(path) + 1] == (*path, key) for p in paths)
        and not (inner_failure and key in declared)
    ]


def _check_schema(schema: Any, where: str) -> None:
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        raise OpenAPIDocumentError(where, f"not a valid schema: {exc.message}") from None


@attrs.define
class Schemas:
    """A document's schemas compiled for one view: each referenced schema once.

    The validators share one `$defs`, so a schema that many operations use is
    rewritten and checked against the metaschema once, not once per use.
    """

    view: View
    legacy: bool  # OpenAPI 3.0 or Swagger 2
    _compiler: _Compiler = attrs.field(init=False)
    _checked: set[str] = attrs.field(init=False, factory=set)
    _validators: dict[tuple[str, str], Validator] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        self._compiler = _Compiler(self.view, self.legacy)

    def validator(self, node: Node) -> Validator:
        """The schema at `node` in JSON Schema 2020-12, ready to validate.

        Raises:
            OpenAPIDocumentError: when the schema is not a valid JSON Schema.
        """
        key = (node.base, node.pointer)
        if key in self._validators:
            return self._validators[key]
        top = self._compiler.schema(node)
        _check_schema(top, node.where)
        defs = self._compiler.defs
        for name in [n for n in defs if n not in self._checked]:
            self._checked.add(name)
            sub = defs[name]
            _check_schema(sub, str(sub.get(_WHERE, node.where)) if isinstance(sub, dict) else "")
        schema = {"$defs": defs, "allOf": [top]} if defs else top
        validator = Validator(
            schema, jsonschema.Draft202012Validator(schema, format_checker=_FORMATS)
        )
        self._validators[key] = validator
        return validator


_INTEGER = re.compile(r"[+-]?\d+")


def _scalar(text: str, kinds: list[Any]) -> Any:
    for kind in kinds:
        if kind == "integer" and _INTEGER.fullmatch(text.strip()):
            return int(text)
        if kind == "number":
            try:
                number = float(text)
            except ValueError:
                continue
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "null" and text in ("", "null"):
            return None
    return text


def coerce(validator: Validator, values: tuple[str, ...], separator: str | None) -> Any:
    """Parameter strings as the schema's types: numbers, booleans, arrays of them.

    A value that does not convert stays a string, so validation reports it.
    `separator` splits one value into array items (``,`` for csv and form
    without explode); None keeps the pact's repeated values as the items.
    """
    schema = validator.resolved()
    for branch in ("allOf", "anyOf", "oneOf"):
        if "type" not in schema and schema.get(branch):
            schema = validator.resolved(schema[branch][0])
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds:
        items = validator.resolved(schema.get("items", {}))
        item_kind = items.get("type")
        item_kinds = item_kind if isinstance(item_kind, list) else [item_kind]
        parts = [p for v in values for p in (v.split(separator) if separator else [v])]
        return [_scalar(p, item_kinds) for p in parts]
    return _scalar(",".join(values), kinds)
