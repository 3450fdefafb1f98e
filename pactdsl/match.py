"""Matchers: say what a value must look like instead of what it must equal.

Place a matcher anywhere in a request or response (body at any depth, path,
query values, header values, status). The pact file then holds the matcher's
example and a Pact matching rule at that place:

```python
from pactdsl import interaction
from pactdsl.match import each_like, integer, like, regex

interaction("list users").request(method="GET", path="/users").responds(
    status=200,
    body={"users": each_like({"id": integer(1), "name": like("Ann")}, min=1)},
)
```

Combine matchers with ``&`` (all must hold) and ``|`` (any may hold).
Every factory checks its arguments at once: a regex example must match the
whole pattern, a date example must fit its Java format, ``min <= max``.
"""

from __future__ import annotations

import base64 as _base64
import datetime as _dt
import typing as _typing
import warnings as _warnings

if _typing.TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

from pactdsl._errors import InvalidMatcher as _InvalidMatcher
from pactdsl._errors import PactCompatibilityWarning as _PactCompatibilityWarning
from pactdsl._flatten import flatten as _flatten
from pactdsl._matchers import (
    _STATUS_DEFAULT_EXAMPLE,
    UNSET,
    Matcher,
    Unset,
    _ArrayContains,
    _Boolean,
    _check_example_json,
    _check_min_max,
    _ContentType,
    _Date,
    _DateLike,
    _DateTime,
    _Decimal,
    _EachKey,
    _EachLike,
    _EachValue,
    _Equality,
    _Includes,
    _Integer,
    _NotEmpty,
    _Null,
    _Number,
    _Regex,
    _Semver,
    _StatusCode,
    _Time,
    _TypeMatcher,
    _Values,
)
from pactdsl._matchers import compile_regex as _compile_regex
from pactdsl._matchers import (
    example_of as _example_of,
)
from pactdsl._matchers import regex_fullmatch as _regex_fullmatch
from pactdsl._rule import FORMAT_WHEN_ABSENT as _FORMAT_WHEN_ABSENT
from pactdsl._rule import SEMVER_PATTERN as _SEMVER_PATTERN
from pactdsl._rule import STATUS_CLASSES as _STATUS_CLASSES
from pactdsl._rule import RuleVariant as _RuleVariant

__all__ = [
    "UNSET",
    "Matcher",
    "Unset",
    "array_contains",
    "boolean",
    "content_type",
    "date",
    "datetime",
    "decimal",
    "each_key",
    "each_like",
    "each_value",
    "equality",
    "includes",
    "integer",
    "like",
    "not_empty",
    "null",
    "number",
    "regex",
    "semver",
    "status_code",
    "time",
    "timestamp",
    "type_of",
    "uuid",
    "values",
]

_TYPE_DEFAULTS: dict[type, Any] = {
    str: "string",
    int: 1,
    float: 1.5,
    bool: True,
    list: [],
    dict: {},
}

# Example dates are fixed, so an unchanged contract writes the same bytes.
_EXAMPLE_MOMENT = _dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=_dt.UTC)


def like(example: Any, *, min: int | None = None, max: int | None = None) -> Matcher:
    """Match any value of the same JSON type as `example` (Pact ``type``).

    Nested values are compared by type too. On a list, `min` and `max` bound
    its length.

    Args:
        example: The example value; it may hold other matchers.
        min: Least list length, for list examples.
        max: Greatest list length, for list examples.

    Raises:
        InvalidMatcher: if `example` is not JSON or the bounds are wrong (a
            type such as ``str`` points to `type_of`).
    """
    if isinstance(example, type):
        msg = (
            f"like({example.__name__}): like() takes an example value, not a type; "
            f"use type_of({example.__name__}) to match any {example.__name__}, or "
            f"like(<an example {example.__name__}>)"
        )
        raise _InvalidMatcher(msg)
    _check_example_json(example, "like()")
    _check_min_max(min, max, "like()")
    if (min is not None or max is not None) and not isinstance(example, list | tuple):
        msg = (
            f"like({example!r}): min/max bound a list's length, but the example "
            f"is a {type(example).__name__}; give a list example"
        )
        raise _InvalidMatcher(msg)
    return _TypeMatcher(example, min, max)


def type_of(example: Any, *, min: int | None = None, max: int | None = None) -> Matcher:
    """Match by type: `type_of(str)` takes a Python type, `type_of("x")` an example.

    A type gets a plain example (``"string"``, ``1``, ``1.5``, ``True``, ``[]``,
    ``{}``); anything else behaves exactly like `like`.
    """
    if isinstance(example, type):
        if example not in _TYPE_DEFAULTS:
            names = ", ".join(t.__name__ for t in _TYPE_DEFAULTS)
            msg = f"type_of({example.__name__}): JSON has no such type; use one of {names}"
            raise _InvalidMatcher(msg)
        example = _TYPE_DEFAULTS[example]
    return like(example, min=min, max=max)


def each_like(template: Any, *, min: int = 1, max: int | None = None) -> Matcher:
    """Match a list whose every element is like `template`.

    Args:
        template: One element; it may hold other matchers.
        min: Least length (default 1). The example holds `max(min, 1)` copies.
        max: Greatest length, or None for no bound.
    """
    _check_example_json(template, "each_like()")
    if min is None:
        msg = "each_like(): min=None; give a whole number >= 0 (default 1)"
        raise _InvalidMatcher(msg)
    _check_min_max(min, max, "each_like()")
    if max == 0:
        msg = "each_like(): max=0 allows only empty lists; use equality([]) instead"
        raise _InvalidMatcher(msg)
    return _EachLike(template, min, max)


# A UUID in its 8-4-4-4-12 hex form, either case (as pact-js's `uuid`).
_UUID_REGEX = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# An ISO-8601 date-time, optional fraction and offset (as pact-js's `iso8601DateTime`).
_ISO_8601_REGEX = (
    r"\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-][0-2]\d:?[0-5]\d)?"
)


def _preset(name: str, pattern: str, example: str, what: str) -> Matcher:
    if not isinstance(example, str) or not _regex_fullmatch(_compile_regex(pattern, name), example):
        msg = f"{name}({example!r}): example={example!r} is not {what}"
        raise _InvalidMatcher(msg)
    return regex(pattern, example)


def uuid(example: str = "e2490de5-5bd3-43d5-b7c4-526e33f71304") -> Matcher:
    """Match a UUID string, 8-4-4-4-12 hex digits in either case (pact-js's ``uuid``).

    A preset of `regex`: the pact holds a ``regex`` rule every Pact tool reads.

    Raises:
        InvalidMatcher: if `example` is not a UUID.
    """
    return _preset("uuid", _UUID_REGEX, example, "a UUID (8-4-4-4-12 hex digits)")


def timestamp(example: str = "2024-01-02T03:04:05.678+00:00") -> Matcher:
    """Match an ISO-8601 date-time string (pact-js's ``iso8601DateTime``).

    ``2024-01-02T03:04:05Z``, ``2024-01-02T03:04:05.678+01:00`` and
    ``2024-01-02T03:04:05`` all match. A preset of `regex`; for one exact
    layout, use `datetime` with a Java format instead.

    Raises:
        InvalidMatcher: if `example` is not such a date-time.
    """
    return _preset("timestamp", _ISO_8601_REGEX, example, "an ISO-8601 date-time")


def regex(pattern: str, example: str) -> Matcher:
    """Match a string against `pattern`, which must match the whole value.

    Args:
        pattern: A regular expression (Java and Python syntax mostly agree).
        example: A string the pattern matches in full.

    Raises:
        InvalidMatcher: if the pattern does not compile or the example does not
            match it (saying so when the two look swapped, pact-python's order).

    Warns:
        PactCompatibilityWarning: if the pattern uses Python-only syntax
            (``(?P<name>...)``, ``(?P=name)``, the inline flags ``s``, ``a``,
            ``u``, ``L``) that the Pact core's verifiers cannot compile.
    """
    # Regex and date matchers load their hints (and the regex package) on first use.
    from pactdsl._matcher_hints import regex_portability_problem, regex_swap_hint

    where = f"regex({pattern!r}, {example!r})"
    try:
        compiled = _compile_regex(pattern, where)
    except _InvalidMatcher:
        swapped = regex_swap_hint(pattern, example)
        if swapped is None:
            raise
        raise _InvalidMatcher(f"{where}: {swapped}") from None
    if not isinstance(example, str):
        msg = f"{where}: example={example!r} must be a str"
        raise _InvalidMatcher(msg)
    if not _regex_fullmatch(compiled, example):
        swapped = regex_swap_hint(pattern, example)
        msg = f"{where}: " + (
            swapped
            or f"example={example!r} does not match the whole pattern; give an example "
            "the pattern matches from start to end"
        )
        raise _InvalidMatcher(msg)
    problem = regex_portability_problem(pattern)
    if problem is not None:
        what, advice = problem
        _warnings.warn(
            f"regex({pattern!r}): pactdsl matches {what}, but the Pact core behind "
            "pact-python 4, pact-js and the pact CLI (Oniguruma regexes) cannot compile "
            f"it, so their verifiers will reject this pact; {advice}",
            _PactCompatibilityWarning,
            stacklevel=2,
        )
    return _Regex(pattern, example)


def _typed_example(name: str, example: Any, default: Any, accepts: tuple[type, ...]) -> Any:
    if example is UNSET:
        return default
    if isinstance(example, bool) and bool not in accepts:
        msg = f"{name}({example!r}): example={example!r} is a bool, not {name}"
        raise _InvalidMatcher(msg)
    if not isinstance(example, accepts):
        kinds = " or ".join(t.__name__ for t in accepts)
        msg = f"{name}({example!r}): example={example!r} must be {kinds}"
        raise _InvalidMatcher(msg)
    return example


def integer(example: int | Unset = UNSET) -> Matcher:
    """Match any integer (Pact ``integer``); the example defaults to 1."""
    return _Integer(_typed_example("integer", example, 1, (int,)))


def decimal(example: float | Unset = UNSET) -> Matcher:
    """Match any number with a fractional part (Pact ``decimal``); default 1.5."""
    value = _typed_example("decimal", example, 1.5, (float,))
    return _Decimal(value)


def number(example: float | Unset = UNSET) -> Matcher:
    """Match any JSON number (Pact ``number``); the example defaults to 1."""
    return _Number(_typed_example("number", example, 1, (int, float)))


def boolean(example: bool | Unset = UNSET) -> Matcher:
    """Match ``true`` or ``false`` (Pact ``boolean``); the example defaults to True."""
    return _Boolean(_typed_example("boolean", example, True, (bool,)))


def null() -> Matcher:
    """Match only ``null`` (Pact ``null``)."""
    return _Null(None)


# A factory's datetime defaults to local time, which every Pact implementation can
# render; a rule read without a format gets pact-reference's (with an offset).
_DEFAULT_FORMATS = {**_FORMAT_WHEN_ABSENT, "datetime": "yyyy-MM-dd'T'HH:mm:ss"}


def _date_like(
    cls: type[_DateLike], name: str, format: str | None, example: str | Unset
) -> Matcher:
    from pactdsl._javatime import check_java_format, format_java, java_format_matches
    from pactdsl._matcher_hints import java_format_hint

    fmt = _DEFAULT_FORMATS[cls.pact_type] if format is None else format
    where = f"{name}({fmt!r})"
    if not isinstance(fmt, str) or not fmt:
        msg = f"{name}(): format={fmt!r} must be a non-empty Java date pattern"
        raise _InvalidMatcher(msg)
    hint = java_format_hint(fmt, _DEFAULT_FORMATS[cls.pact_type])
    if hint is not None:
        raise _InvalidMatcher(f"{where}: {hint}")
    try:
        check_java_format(fmt)
    except ValueError as exc:
        raise _InvalidMatcher(f"{where}: {exc}") from None
    if example is UNSET:
        return cls(fmt, format_java(fmt, _EXAMPLE_MOMENT))
    if not isinstance(example, str):
        msg = f"{where}: example={example!r} must be a str"
        raise _InvalidMatcher(msg)
    if not java_format_matches(fmt, example):
        msg = (
            f"{where}: example={example!r} does not fit the format; give an example "
            f"such as {format_java(fmt, _EXAMPLE_MOMENT)!r}"
        )
        raise _InvalidMatcher(msg)
    return cls(fmt, example)


def date(format: str | None = None, example: str | Unset = UNSET) -> Matcher:
    """Match a date in a Java DateTimeFormatter pattern (default ``yyyy-MM-dd``)."""
    return _date_like(_Date, "date", format, example)


def time(format: str | None = None, example: str | Unset = UNSET) -> Matcher:
    """Match a time in a Java DateTimeFormatter pattern (default ``HH:mm:ss``)."""
    return _date_like(_Time, "time", format, example)


def datetime(format: str | None = None, example: str | Unset = UNSET) -> Matcher:
    """Match a timestamp in a Java pattern (default ``yyyy-MM-dd'T'HH:mm:ss``).

    Written as the Pact ``datetime`` rule; ``timestamp`` is read as the same.
    """
    return _date_like(_DateTime, "datetime", format, example)


def includes(value: str, example: str | Unset = UNSET) -> Matcher:
    """Match a string that contains `value` (Pact ``include``)."""
    if not isinstance(value, str) or not value:
        msg = f"includes({value!r}): value must be a non-empty str"
        raise _InvalidMatcher(msg)
    if example is not UNSET and (not isinstance(example, str) or value not in example):
        msg = f"includes({value!r}, {example!r}): example={example!r} must contain {value!r}"
        raise _InvalidMatcher(msg)
    return _Includes(value, value if example is UNSET else example)


def equality(example: Any) -> Matcher:
    """Match exactly `example`, even below a type matcher (Pact ``equality``)."""
    _check_example_json(example, "equality()")
    return _Equality(example)


def values(example: dict[str, Any]) -> Matcher:
    """Match a map by its values only, ignoring its keys (Pact ``values``)."""
    if not isinstance(example, dict):
        msg = f"values({example!r}): example must be a dict"
        raise _InvalidMatcher(msg)
    _check_example_json(example, "values()")
    return _Values(example)


def content_type(content_type: str, example: Any = UNSET) -> Matcher:
    """Match a body whose detected content type is `content_type` (Pact ``contentType``).

    For a binary type (not text, JSON, XML or a form) the example is bytes, or
    base64 text of them; either way the pact, the mocks and the verifier deal
    in the bytes (a V4 body with ``"encoded": "base64"``).

    Raises:
        InvalidMatcher: if the media type is malformed, a binary example is
            neither bytes nor base64, or its content is not detected as
            `content_type` (the rule matches by detected content, as in
            pact-reference, so no body could satisfy it).
    """
    if not isinstance(content_type, str) or "/" not in content_type:
        msg = f"content_type({content_type!r}): give a media type such as 'image/png'"
        raise _InvalidMatcher(msg)
    from pactdsl.matching._content import body_kind, sniff_content_type

    if example is UNSET or body_kind(content_type) != "binary":
        return _ContentType(content_type, example)
    where = f"content_type({content_type!r}, ...)"
    if isinstance(example, str):
        try:
            example = _base64.b64decode(example, validate=True)
        except ValueError:
            msg = f"{where}: a str example of a binary type must be base64; give bytes or base64"
            raise _InvalidMatcher(msg) from None
    if not isinstance(example, bytes):
        msg = f"{where}: example={example!r} must be bytes (or base64 text) for a binary type"
        raise _InvalidMatcher(msg)
    detected = sniff_content_type(example)
    if _media_essence(detected) != _media_essence(content_type):
        msg = (
            f"{where}: the example's content is detected as {detected!r}; a contentType "
            "rule matches by detected content (as pact-reference does), so no body could "
            f"pass it: give a real {content_type} example, or the bytes themselves as the "
            "body to ask for exactly them"
        )
        raise _InvalidMatcher(msg)
    return _ContentType(content_type, example)


def _media_essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def array_contains(*variants: Any) -> Matcher:
    """Match a list that holds, somewhere, an element matching each variant.

    Each variant is a template that may hold matchers. The list may hold other
    elements too (Pact V4 ``arrayContains``).
    """
    if not variants:
        msg = "array_contains(): give at least one variant"
        raise _InvalidMatcher(msg)
    built = []
    for index, template in enumerate(variants):
        _check_example_json(template, f"array_contains() variant {index}")
        parts = _flatten(template)
        rules = {path: group.parsed() for path, group in parts.rules.items()}
        generators = {path: gen.to_json() for path, gen in parts.generators.items()}
        built.append(_RuleVariant(index, rules, generators))
    return _ArrayContains(tuple(built), tuple(variants))


def _check_string_rules(name: str, rules: Sequence[Matcher]) -> None:
    if not rules:
        msg = f"{name}(): give at least one matcher for the {name.split('_')[1]}s"
        raise _InvalidMatcher(msg)
    for rule in rules:
        if not isinstance(rule, Matcher):
            msg = f"{name}(): rule={rule!r} is not a matcher; use e.g. regex(...)"
            raise _InvalidMatcher(msg)


def each_key(example: dict[str, Any], *rules: Matcher) -> Matcher:
    """Match a map whose every key satisfies `rules` (Pact V4 ``eachKey``).

    Example: ``each_key({"en": "Hello"}, regex(r"[a-z]{2}", "en"))``.
    """
    if not isinstance(example, dict):
        msg = f"each_key({example!r}): example must be a dict"
        raise _InvalidMatcher(msg)
    _check_string_rules("each_key", rules)
    for key in example:
        for rule in rules:
            if isinstance(rule, _Regex) and not _regex_fullmatch(
                _compile_regex(rule.pattern, "each_key()"), key
            ):
                msg = f"each_key(): key={key!r} of the example does not match {rule!r}"
                raise _InvalidMatcher(msg)
    _check_example_json(example, "each_key()")
    return _EachKey(tuple(rules), example)


def each_value(example: dict[str, Any], *rules: Matcher) -> Matcher:
    """Match a map whose every value satisfies `rules` (Pact V4 ``eachValue``)."""
    if not isinstance(example, dict):
        msg = f"each_value({example!r}): example must be a dict"
        raise _InvalidMatcher(msg)
    _check_string_rules("each_value", rules)
    _check_example_json(example, "each_value()")
    return _EachValue(tuple(rules), example)


def semver(example: str = "1.0.0") -> Matcher:
    """Match a SemVer 2.0 version string (Pact V4 ``semver``)."""
    pattern = _compile_regex(_SEMVER_PATTERN, "semver()")
    if not isinstance(example, str) or not _regex_fullmatch(pattern, example):
        msg = f"semver({example!r}): example={example!r} is not a semantic version like '1.2.3'"
        raise _InvalidMatcher(msg)
    return _Semver(example)


def not_empty(example: Any) -> Matcher:
    """Match a value of the example's type that is not empty (Pact V4 ``notEmpty``)."""
    _check_example_json(example, "not_empty()")
    plain = _example_of(example)
    if plain is None or plain in ("", [], {}):
        msg = f"not_empty({example!r}): the example itself is empty; give a non-empty one"
        raise _InvalidMatcher(msg)
    empty_at = _first_empty_below(plain, "$")
    if empty_at is not None:
        # Pact verifiers apply notEmpty to every value below it, so such an
        # example would fail its own rule at the provider.
        msg = (
            f"not_empty({example!r}): the example is empty at {empty_at}; notEmpty "
            "applies to every value below it, so give non-empty values there too"
        )
        raise _InvalidMatcher(msg)
    return _NotEmpty(example)


def _first_empty_below(value: Any, path: str) -> str | None:
    children: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        children = [(f"{path}.{k}", v) for k, v in value.items()]
    elif isinstance(value, list):
        children = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    for child_path, child in children:
        if child is None or child in ("", [], {}):
            return child_path
        found = _first_empty_below(child, child_path)
        if found is not None:
            return found
    return None


def status_code(status: str | Sequence[int] = "success", example: int | Unset = UNSET) -> Matcher:
    """Match an HTTP status by class or list (Pact V4 ``statusCode``).

    Args:
        status: One of ``info``, ``success``, ``redirect``, ``clientError``,
            ``serverError``, ``nonError``, ``error``, or a list of codes.
        example: The status the mock answers with; a class has a default.
    """
    if isinstance(status, str):
        if status not in _STATUS_CLASSES:
            msg = f"status_code({status!r}): unknown class; use one of {sorted(_STATUS_CLASSES)}"
            raise _InvalidMatcher(msg)
        allowed = list(_STATUS_CLASSES[status])
        stored: str | tuple[int, ...] = status
        default = _STATUS_DEFAULT_EXAMPLE[status]
    else:
        codes = tuple(status)
        if not codes or not all(
            isinstance(c, int) and not isinstance(c, bool) and 100 <= c <= 599 for c in codes
        ):
            msg = f"status_code({list(codes)!r}): give status codes between 100 and 599"
            raise _InvalidMatcher(msg)
        allowed, stored, default = list(codes), codes, codes[0]
    value = default if example is UNSET else example
    if value not in allowed:
        msg = f"status_code({status!r}, {example!r}): example={value!r} is not in that class"
        raise _InvalidMatcher(msg)
    return _StatusCode(stored, value)
