"""What a matching rule admits at one place, judged against the schema there.

A value under a rule stands for every value the rule admits. In a request
the consumer may send any of them, so each one the schema refuses is a
finding; in a response the consumer accepts more than the provider sends,
which is fine (docs/openapi.md has the whole table). A finding is one of:

- ``incompatible`` (an error): the rule's own kind or size clashes with the
  schema's: a `number` or `decimal` rule where the schema takes integers,
  array bounds outside `minItems`/`maxItems`, keys the schema closes out;
- ``wider`` (a warning): the rule surely admits values a value constraint
  refuses (`enum`, `const`, `pattern`, `format`, bounds, lengths,
  `multipleOf`): a matcher says what kind of value the consumer sends, not
  each value, so this is reported without failing the check;
- ``undecided`` (a warning): pactdsl cannot tell (a regex against a
  `pattern`, a Java date format against a `format`, `anyOf` branches, ...).

The schema at a place is the list of its compiled subschemas that all apply
(`allOf` branches, a `$ref`'s target, the `anyOf`/`oneOf` branches the
example fits), as `Place`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

import attrs

from pactdsl._rule import SEMVER_PATTERN, Rule
from pactdsl.openapi._regex_language import alphabet, finite_strings, length_range, same_language
from pactdsl.openapi._schema import WHERE, Validator, checks_format, where_of

__all__ = ["Finding", "Kind", "Place", "admitted_findings", "array_findings", "place_of"]

Kind = Literal["incompatible", "wider", "undecided"]
Finding = tuple[Kind, str, str]
"""A finding at one place: its kind, the document pointer and what is wrong."""

_DIGITS: Final = frozenset("0123456789")
# The texts the engine reads as numbers (pactdsl.matching._rules), as regexes.
_TEXT_REGEX: Final = {
    "integer": r"[+-]?\d+",
    "decimal": r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?",
    "number": r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?",
}
# Java formats whose every string is an RFC 3339 `date`, `date-time` or `time`
# (years past 9999, which `yyyy` also reads, aside).
_ISO_FORMATS: Final = {
    "date": frozenset({"yyyy-MM-dd", "uuuu-MM-dd"}),
    "date-time": frozenset(
        f"{year}-MM-dd'T'HH:mm:ss{fraction}{zone}"
        for year in ("yyyy", "uuuu")
        for fraction in ("", ".S", ".SS", ".SSS", ".SSSSSS", ".SSSSSSSSS")
        for zone in ("XXX", "'Z'", "X")
    ),
    "time": frozenset(f"HH:mm:ss{f}{z}" for f in ("", ".SSS") for z in ("XXX", "'Z'")),
}
_NUMBER_BOUNDS: Final = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


@attrs.frozen
class Place:
    """The compiled subschemas that apply at one place of a value.

    Attributes:
        parts: Each applies in full (their keywords all hold).
        branchy: Under an `anyOf`/`oneOf` of several branches, where another
            branch may take what these parts refuse.
    """

    parts: tuple[Mapping[str, Any], ...]
    branchy: bool = False


def _expand(
    validator: Validator, schema: Any, value: Any, out: list[Mapping[str, Any]], depth: int
) -> bool:
    """Add `schema` and what it brings in to `out`; True when a choice of branches was met."""
    if depth > 32 or not isinstance(schema, Mapping):
        return False
    branchy = False
    if "$ref" in schema:
        branchy = _expand(
            validator, validator.resolved({"$ref": schema["$ref"]}), value, out, depth + 1
        )
        schema = {k: v for k, v in schema.items() if k != "$ref"}  # 3.1 siblings apply too
    out.append(schema)
    for sub in schema.get("allOf") or ():
        branchy |= _expand(validator, sub, value, out, depth + 1)
    if schema.get("if") == {"type": "null"} and value is not None:  # a nullable wrapper
        branchy |= _expand(validator, schema.get("else"), value, out, depth + 1)
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key) or ()
        branchy |= len(branches) > 1
        for branch in branches:
            if validator.accepts(branch, value):
                branchy |= _expand(validator, branch, value, out, depth + 1)
    return branchy


def place_of(
    validator: Validator, schemas: list[Any], value: Any, *, branchy: bool = False
) -> Place:
    """The place where `schemas` (all applying) meet `value`."""
    out: list[Mapping[str, Any]] = []
    for schema in schemas:
        branchy |= _expand(validator, schema, value, out, 0)
    return Place(tuple(out), branchy)


def _types(place: Place) -> tuple[frozenset[str] | None, Mapping[str, Any] | None]:
    """The JSON types every part allows (None: any), with the first part that says so."""
    allowed: frozenset[str] | None = None
    first = None
    for part in place.parts:
        kind = part.get("type")
        if kind is None:
            continue
        kinds = frozenset(kind if isinstance(kind, list) else [kind])
        allowed = kinds if allowed is None else allowed & kinds
        first = first or part
    return allowed, first


def _at(part: Mapping[str, Any], keyword: str) -> str:
    where = where_of(part)
    return f"{where}/{keyword}" if where else ""


@attrs.frozen
class _Admitted:
    """What a rule admits at a scalar place, in the terms the judge needs."""

    words: str  # "any string", "strings matching `\d+`"
    json_type: str  # string, number, integer, any
    values: tuple[Any, ...] | None = None  # every value, when there are few
    regex: str | None = None  # the strings admitted: whole matches of this
    explicit: bool = False  # an integer/decimal/number rule: the kind is the consumer's word
    numeric: str | None = None  # a text rule read as numbers: integer or number
    include: str | None = None
    java: str | None = None
    lengths: tuple[int, int | None] | None = (0, None)  # None: unknown


_EXACT: Final = _Admitted("only the example", "any", values=())
"""Equality and its like: nothing wider than the example, already checked."""


def _regex_admits(pattern: str, words: str, **extra: Any) -> _Admitted:
    strings = finite_strings(pattern)
    if strings is not None:
        return _Admitted(words, "string", values=tuple(sorted(strings)))
    return _Admitted(words, "string", regex=pattern, lengths=length_range(pattern), **extra)


def _admitted(rule: Rule, example: Any, *, text: bool) -> _Admitted | None:
    """What `rule` admits where its example is `example` (None: pactdsl cannot say)."""
    name = rule.name
    if name in ("type", "contentType") or (name == "values" and text):
        if isinstance(example, bool) and not text:
            return _Admitted("true or false", "boolean", values=(True, False))
        if example is None and not text:
            return _Admitted("null", "null", values=(None,))
        if isinstance(example, str) or text:
            return _Admitted("any text" if text else "any string", "string")
        return _Admitted("any number", "number")
    if name in _TEXT_REGEX:
        words = {"integer": "any integer", "decimal": "any decimal", "number": "any number"}[name]
        if text:
            numeric = "integer" if name == "integer" else "number"
            return _regex_admits(_TEXT_REGEX[name], words, explicit=True, numeric=numeric)
        return _Admitted(words, "integer" if name == "integer" else "number", explicit=True)
    if name == "regex" and (isinstance(example, str) or text):
        return _regex_admits(rule.regex or "", f"strings matching `{rule.regex}`")
    if name == "semver":
        return _regex_admits(SEMVER_PATTERN, "any semantic version")
    if name == "boolean":
        return _Admitted(
            "true or false", "boolean", values=("true", "false") if text else (True, False)
        )
    if name == "null" and not text:
        return _Admitted("null", "null", values=(None,))
    if name in ("null", "equality", "values"):
        return _EXACT
    if name == "include":
        value = str(rule.value)
        return _Admitted(
            f"any string containing {value!r}", "string", include=value, lengths=(len(value), None)
        )
    if name in ("date", "time", "datetime"):
        return _Admitted(
            f"any {name} in format {rule.format!r}", "string", java=rule.format, lengths=None
        )
    if name == "notEmpty":
        if text:
            return _Admitted("any non-empty text", "string", lengths=(1, None))
        return _Admitted("any non-empty value, of any JSON type", "any", lengths=(1, None))
    if name == "eachKey" and not text:
        return _Admitted("any value (eachKey puts no constraint on a scalar)", "any")
    return None


def _same(value: Any) -> Any:
    return value


def admitted_findings(
    validator: Validator,
    rule: Rule,
    example: Any,
    place: Place,
    *,
    text: bool,
    read: Callable[[Any], Any] = _same,
) -> list[Finding]:
    """What `rule` admits at a scalar place that the schema there refuses.

    Args:
        validator: The compiled schema the place's parts belong to.
        rule: The rule.
        example: The pact's value there (text for parameters and object keys).
        place: The schema there (for a parameter: on the coerced example).
        text: Whether the value is text (as the engine reads parameters and keys).
        read: How a text value reads for the schema (a parameter's coercion).
    """
    if not any(set(part) - {WHERE} for part in place.parts):
        return []  # no schema here: nothing a rule could go beyond
    admitted = _admitted(rule, example, text=text)
    if admitted is None:
        return [
            (
                "undecided",
                _first_where(place),
                f"pactdsl cannot tell what a `{rule.name}` rule admits here",
            )
        ]
    if admitted.values is not None:
        return _finite(validator, admitted, place, read)
    types, typed = _types(place)
    if text and types is not None and "string" not in types:
        return _text_typed(admitted, place, types, typed)
    if admitted.json_type == "any":
        return _any_value(admitted, place, types, typed)
    if admitted.json_type == "string":
        return _strings(admitted, place)
    return _numbers(admitted, place, types, typed)


def _any_value(
    admitted: _Admitted,
    place: Place,
    types: frozenset[str] | None,
    typed: Mapping[str, Any] | None,
) -> list[Finding]:
    """A rule that admits values of every JSON type (notEmpty, eachKey on a scalar)."""
    says = f"the rule admits {admitted.words}"
    found: list[Finding] = []
    if types is not None and typed is not None:
        found.append(("wider", _at(typed, "type"), f"{says}; the schema only {_kinds(types)}"))
    for part in place.parts:
        found.extend(_listed(part, says))
    return found


def _listed(part: Mapping[str, Any], says: str) -> list[Finding]:
    """An infinite set of values against `enum` or `const`: surely wider."""
    found: list[Finding] = []
    for keyword in ("enum", "const"):
        if keyword in part:
            allowed = part[keyword] if keyword == "enum" else [part[keyword]]
            found.append(("wider", _at(part, keyword), f"{says}; the schema only {_show(allowed)}"))
    return found


def _first_where(place: Place) -> str:
    return next((where_of(p) for p in place.parts if where_of(p)), "")


def _kinds(types: frozenset[str]) -> str:
    return " or ".join(f"{t}s" if t != "null" else "null" for t in sorted(types))


def _show(values: tuple[Any, ...] | list[Any]) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:5])
    return shown + (", ..." if len(values) > 5 else "")


def _finite(
    validator: Validator, admitted: _Admitted, place: Place, read: Callable[[Any], Any]
) -> list[Finding]:
    refused: list[Any] = []
    first: tuple[str, str] | None = None
    for value in admitted.values or ():
        instance = read(value)
        for part in place.parts:
            refusal = validator.refusal(part, instance)
            if refusal is not None:
                refused.append(value)
                first = first or refusal
                break
    if first is None:
        return []
    keyword, where = first
    kind: Kind = "incompatible" if keyword == "type" else "wider"
    return [
        (
            kind,
            where,
            f"the rule admits {_show(admitted.values or ())}; the schema refuses "
            f"{_show(refused)} (`{keyword}`)",
        )
    ]


def _java_fits(java: str, fmt: str) -> bool:
    return java in _ISO_FORMATS.get(fmt, frozenset())


def _strings(admitted: _Admitted, place: Place) -> list[Finding]:
    found: list[Finding] = []
    plain = admitted.regex is None and admitted.include is None and admitted.java is None
    says = f"the rule admits {admitted.words}"
    for part in place.parts:
        found.extend(_listed(part, says))
        pattern = part.get("pattern")
        if isinstance(pattern, str):
            if admitted.regex is not None and same_language(admitted.regex, pattern):
                pass
            elif plain:
                found.append(
                    (
                        "wider",
                        _at(part, "pattern"),
                        f"{says}; the schema only those matching `{pattern}`",
                    )
                )
            else:
                found.append(
                    (
                        "undecided",
                        _at(part, "pattern"),
                        f"{says}; pactdsl cannot tell whether each matches the "
                        f"schema's `{pattern}`",
                    )
                )
        fmt = part.get("format")
        if checks_format(fmt):
            if admitted.java is not None and _java_fits(admitted.java, str(fmt)):
                pass
            elif plain:
                found.append(
                    ("wider", _at(part, "format"), f"{says}; the schema only `{fmt}` strings")
                )
            else:
                found.append(
                    (
                        "undecided",
                        _at(part, "format"),
                        f"{says}; pactdsl cannot tell whether each is a `{fmt}`",
                    )
                )
        found.extend(_lengths(admitted, part, says))
    return found


def _lengths(admitted: _Admitted, part: Mapping[str, Any], says: str) -> list[Finding]:
    low, high = part.get("minLength"), part.get("maxLength")
    if not isinstance(low, int) and not isinstance(high, int):
        return []
    if admitted.lengths is None:
        keyword = "minLength" if isinstance(low, int) else "maxLength"
        return [("undecided", _at(part, keyword), f"{says}; pactdsl cannot tell how long they are")]
    shortest, longest = admitted.lengths
    found: list[Finding] = []
    if isinstance(low, int) and shortest < low:
        found.append(
            (
                "wider",
                _at(part, "minLength"),
                f"{says}, some shorter than the schema's minLength {low}",
            )
        )
    if isinstance(high, int) and (longest is None or longest > high):
        found.append(
            (
                "wider",
                _at(part, "maxLength"),
                f"{says}, some longer than the schema's maxLength {high}",
            )
        )
    return found


def _numbers(
    admitted: _Admitted,
    place: Place,
    types: frozenset[str] | None,
    typed: Mapping[str, Any] | None,
) -> list[Finding]:
    found: list[Finding] = []
    says = f"the rule admits {admitted.words}"
    integers = admitted.json_type == "integer"
    if (
        types is not None
        and typed is not None
        and "number" not in types
        and "integer" in types
        and not integers
    ):
        kind: Kind = "incompatible" if admitted.explicit else "wider"
        found.append((kind, _at(typed, "type"), f"{says}; the schema only integers"))
    for part in place.parts:
        found.extend(_listed(part, says))
        for keyword in _NUMBER_BOUNDS:
            bound = part.get(keyword)
            if isinstance(bound, int | float) and not isinstance(bound, bool):
                found.append(
                    ("wider", _at(part, keyword), f"{says}; the schema's {keyword} is {bound}")
                )
        step = part.get("multipleOf")
        if (
            isinstance(step, int | float)
            and not isinstance(step, bool)
            and not (integers and step == 1)
        ):
            found.append(
                ("wider", _at(part, "multipleOf"), f"{says}; the schema only multiples of {step}")
            )
        fmt = part.get("format")
        if fmt in ("int32", "int64") and checks_format(fmt):
            found.append(("wider", _at(part, "format"), f"{says}; the schema only {fmt} values"))
    return found


def _text_typed(
    admitted: _Admitted, place: Place, types: frozenset[str], typed: Mapping[str, Any] | None
) -> list[Finding]:
    """Text values (a parameter) against a schema that wants numbers or booleans."""
    where = _at(typed, "type") if typed is not None else ""
    numbers = bool(types & {"integer", "number"})
    if admitted.numeric is not None and numbers:
        read = attrs.evolve(
            admitted, json_type="integer" if admitted.numeric == "integer" else "number"
        )
        return _numbers(read, place, types, typed)
    if admitted.regex is not None and numbers:
        chars, lengths = alphabet(admitted.regex), admitted.lengths
        if chars is not None and chars <= _DIGITS and lengths is not None and lengths[0] >= 1:
            read = attrs.evolve(admitted, json_type="integer", explicit=False)
            return _numbers(read, place, types, typed)
        return [
            (
                "undecided",
                where,
                f"the rule admits {admitted.words}; pactdsl cannot tell whether each "
                f"reads as {_kinds(types)}",
            )
        ]
    return [("wider", where, f"the rule admits {admitted.words}; the schema only {_kinds(types)}")]


def array_findings(rule: Rule, value: list[Any], place: Place) -> list[Finding]:
    """What an array rule admits (lengths, elements) that the schema there refuses."""
    name = rule.name
    if name == "arrayContains":
        if any(k in part for part in place.parts for k in ("items", "prefixItems", "contains")):
            return [
                (
                    "undecided",
                    _first_where(place),
                    "arrayContains admits other elements of any shape beside its variants; "
                    "pactdsl does not check them against the schema's items",
                )
            ]
        return []
    if name == "type":
        low, high = rule.min or 0, rule.max
    elif name == "notEmpty":
        low, high = 1, None
    elif name in ("values", "eachKey", "eachValue"):
        low, high = 0, None
    else:
        return []
    if high is None:
        counted = f"{low} or more"
    else:
        counted = f"exactly {low}" if low == high else f"{low} to {high}"
    says = f"the rule admits arrays of {counted} elements"
    found: list[Finding] = []
    for part in place.parts:
        least, most = part.get("minItems"), part.get("maxItems")
        if isinstance(least, int) and low < least:
            kind: Kind = "incompatible" if name == "type" and rule.min is not None else "wider"
            found.append((kind, _at(part, "minItems"), f"{says}; the schema's minItems is {least}"))
        if isinstance(most, int) and (high is None or high > most):
            kind = "incompatible" if name == "type" and rule.max is not None else "wider"
            found.append((kind, _at(part, "maxItems"), f"{says}; the schema's maxItems is {most}"))
        if part.get("uniqueItems") is True and (high is None or high >= 2):
            found.append(
                (
                    "wider",
                    _at(part, "uniqueItems"),
                    f"{says}, alike, so maybe equal; the schema wants them unique",
                )
            )
        if "prefixItems" in part or "contains" in part:
            keyword = "prefixItems" if "prefixItems" in part else "contains"
            found.append(
                (
                    "undecided",
                    _at(part, keyword),
                    f"{says}; pactdsl cannot tell how they meet the schema's {keyword}",
                )
            )
    if not value and (high is None or high > 0):
        items = [p for p in place.parts if "items" in p]
        if items:
            found.append(
                (
                    "undecided",
                    _at(items[0], "items"),
                    "the example array is empty, so the rule admits elements of any kind; "
                    "pactdsl cannot check them against the schema's items",
                )
            )
    return found


def pattern_search(pattern: str, key: str) -> bool:
    """True when a `patternProperties` pattern finds `key` (a broken pattern finds nothing)."""
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return False
