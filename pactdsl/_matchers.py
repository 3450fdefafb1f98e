"""Matcher classes: frozen attrs objects that become Pact matching rules.

Users never build these classes directly: the lowercase factories in
`pactdsl.match` check their arguments once and return an instance. A matcher
has two lives:

* the *DSL form*, made by a factory, carries an example (which may hold nested
  matchers) and is placed inside a request or response;
* the *rule form*, made by `matcher_from_rule` from a pact file's rule dict,
  carries no example: the example lives in the pact's body.

`flatten` walks a value with matchers inside and splits it into the plain
example, the matching rules by path and the generators by path, which is what a
pact file stores.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from pactdsl._errors import InvalidMatcher
from pactdsl._json_value import check_json_value
from pactdsl._regex import (
    PatternLimitError,
    compile_cached,
    fullmatch_within_limit,
    regex_seconds,
)
from pactdsl._rule import (
    FORMAT_WHEN_ABSENT,
    Combine,
    MatcherName,
    Rule,
    RuleError,
    RuleVariant,
    parse_rule,
    parse_rule_group,
    rule_group_json,
)

if TYPE_CHECKING:
    import regex

__all__ = [
    "UNSET",
    "Matcher",
    "RuleGroup",
    "Unset",
    "example_of",
    "matcher_from_parsed",
    "matcher_from_rule",
    "rule_group_from_json",
]


class Unset(enum.Enum):
    """The type of `UNSET`, the "no example given" sentinel."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET
"""A matcher in rule form has no example; so does a factory call that gave none."""

_STATUS_DEFAULT_EXAMPLE = {
    "info": 100,
    "success": 200,
    "redirect": 301,
    "clientError": 400,
    "serverError": 500,
    "nonError": 200,
    "error": 400,
}


def _repr_value(value: Any) -> str:
    if isinstance(value, type):
        return value.__name__
    return repr(value)


def _call_repr(name: str, *args: Any, **kwargs: Any) -> str:
    """Render a factory call, leaving out keyword arguments left at their default."""
    parts = [_repr_value(a) for a in args if a is not UNSET]
    parts += [f"{k}={_repr_value(v)}" for k, v in kwargs.items() if v is not UNSET]
    return f"{name}({', '.join(parts)})"


def compile_regex(pattern: str, where: str) -> regex.Pattern[str]:
    """Compile `pattern` with the `regex` module or raise `InvalidMatcher`."""
    if not isinstance(pattern, str):
        msg = f"{where}: pattern={pattern!r} must be a str"
        raise InvalidMatcher(msg)
    import regex  # loads with the first pattern (pactdsl._regex): most sessions have none

    try:
        return compile_cached(pattern)
    except PatternLimitError as exc:
        msg = f"{where}: pattern={pattern[:80]!r}: {exc}"
        raise InvalidMatcher(msg) from None
    except regex.error as exc:
        msg = f"{where}: pattern={pattern!r} is not a valid regular expression ({exc})"
        raise InvalidMatcher(msg) from None


def regex_fullmatch(compiled: regex.Pattern[str], text: str) -> bool:
    """Whole-string match with a time bound; a timeout raises `InvalidMatcher`."""
    try:
        return fullmatch_within_limit(compiled, text)
    except TimeoutError:
        msg = (
            f"pattern={compiled.pattern[:80]!r} took longer than "
            f"Limits(regex_seconds={regex_seconds()}) "
            f"on {text[:40]!r}; simplify the pattern (nested quantifiers backtrack)"
        )
        raise InvalidMatcher(msg) from None


@attrs.frozen
class RuleGroup:
    """The matchers that apply at one rule path, and how they combine."""

    matchers: tuple[Matcher, ...]
    combine: Combine = "AND"

    def parsed(self) -> tuple[tuple[Rule, ...], Combine]:
        """The group in the one rule model: its rules and how they combine."""
        return tuple(m.rule() for m in self.matchers), self.combine

    def to_json(self) -> dict[str, Any]:
        """The V3/V4 shape: ``{"combine": ..., "matchers": [...]}``."""
        return rule_group_json(*self.parsed())


@attrs.frozen(repr=False)
class Matcher:
    """Base class of every matcher; see `pactdsl.match` for the factories."""

    pact_type: ClassVar[MatcherName]

    def rule(self) -> Rule:
        """This matcher's rule in the one rule model (what a pact file holds, typed)."""
        return Rule(self.pact_type)

    def to_rule(self) -> dict[str, Any]:
        """The rule dict a pact file holds for this matcher (V3/V4 form)."""
        return self.rule().to_json()

    def example_value(self) -> Any:
        """The plain JSON example, with nested matchers resolved to their examples."""
        return None

    def nested(self) -> Iterator[tuple[str | int | None, Any]]:
        """Templates under this matcher that may hold matchers: (key, template).

        A key of None means "at the same path" (the example itself); ``"[*]"``
        style keys are given as ``"*items"`` by `flatten`.
        """
        return iter(())

    def rule_group(self) -> RuleGroup:
        """The rules this matcher puts at its own path, in rule form."""
        return RuleGroup((matcher_from_parsed(self.rule(), "matcher"),))

    def __and__(self, other: Matcher) -> Matcher:
        if not isinstance(other, Matcher):
            return NotImplemented
        return _AllOf(_members(self, _AllOf) + _members(other, _AllOf))

    def __or__(self, other: Matcher) -> Matcher:
        if not isinstance(other, Matcher):
            return NotImplemented
        return _AnyOf(_members(self, _AnyOf) + _members(other, _AnyOf))


def _members(m: Matcher, kind: type[_AllOf | _AnyOf]) -> tuple[Matcher, ...]:
    return m.matchers if isinstance(m, kind) else (m,)


def example_of(value: Any) -> Any:
    """Resolve nested matchers and generators to their example values."""
    if isinstance(value, dict):
        return {k: example_of(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [example_of(v) for v in value]
    # Matchers and generators alike carry their example (generators build on
    # this module, so they are recognised by that, not by their class).
    example = getattr(value, "example_value", None)
    return example() if callable(example) else value


def _check_example_json(example: Any, where: str) -> None:
    try:
        check_json_value(example_of(example), "example")
    except TypeError as exc:
        raise InvalidMatcher(f"{where}: {exc}") from None


def _check_min_max(min: int | None, max: int | None, where: str) -> None:
    for name, value in (("min", min), ("max", max)):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            msg = f"{where}: {name}={value!r} must be a whole number >= 0 or None"
            raise InvalidMatcher(msg)
    if min is not None and max is not None and min > max:
        msg = f"{where}: cannot have max={max} < min={min}; swap them or drop one"
        raise InvalidMatcher(msg)


@attrs.frozen(repr=False)
class _TypeMatcher(Matcher):
    pact_type: ClassVar[MatcherName] = "type"
    example: Any = UNSET
    min: int | None = None
    max: int | None = None

    def __repr__(self) -> str:
        return _call_repr(
            "like",
            self.example,
            min=UNSET if self.min is None else self.min,
            max=UNSET if self.max is None else self.max,
        )

    def rule(self) -> Rule:
        return Rule("type", min=self.min, max=self.max)

    def example_value(self) -> Any:
        return example_of(self.example)

    def nested(self) -> Iterator[tuple[str | int | None, Any]]:
        yield None, self.example


@attrs.frozen(repr=False)
class _EachLike(Matcher):
    pact_type: ClassVar[MatcherName] = "type"
    template: Any
    min: int = 1
    max: int | None = None

    def __repr__(self) -> str:
        return _call_repr(
            "each_like",
            self.template,
            min=UNSET if self.min == 1 else self.min,
            max=UNSET if self.max is None else self.max,
        )

    def rule(self) -> Rule:
        return Rule("type", min=self.min, max=self.max)

    def example_value(self) -> Any:
        count = max(self.min, 1)
        if self.max is not None:
            count = min(count, self.max)
        return [example_of(self.template) for _ in range(count)]

    def nested(self) -> Iterator[tuple[str | int | None, Any]]:
        yield "[*]", self.template


@attrs.frozen(repr=False)
class _Regex(Matcher):
    pact_type: ClassVar[MatcherName] = "regex"
    pattern: str
    example: Any = UNSET

    def __repr__(self) -> str:
        return _call_repr("regex", self.pattern, self.example)

    def rule(self) -> Rule:
        return Rule("regex", regex=self.pattern)

    def example_value(self) -> Any:
        return self.example


# A subclass that adds no field is a plain class with empty __slots__: it inherits
# attrs' __init__, __eq__ (which compares classes) and __hash__ rather than having
# attrs build them again, which costs every session a fraction of a millisecond each.
@attrs.frozen(repr=False)
class _Simple(Matcher):
    """Matchers with only an example: integer, decimal, number, boolean, ..."""

    example: Any = UNSET
    factory_name: ClassVar[str] = ""

    def __repr__(self) -> str:
        return _call_repr(self.factory_name, self.example)

    def example_value(self) -> Any:
        return example_of(self.example)


class _Integer(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "integer"
    factory_name: ClassVar[str] = "integer"


class _Decimal(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "decimal"
    factory_name: ClassVar[str] = "decimal"


class _Number(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "number"
    factory_name: ClassVar[str] = "number"


class _Boolean(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "boolean"
    factory_name: ClassVar[str] = "boolean"


class _Null(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "null"
    factory_name: ClassVar[str] = "null"

    def __repr__(self) -> str:
        return "null()"


class _Equality(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "equality"
    factory_name: ClassVar[str] = "equality"


class _Values(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "values"
    factory_name: ClassVar[str] = "values"

    def nested(self) -> Iterator[tuple[str | int | None, Any]]:
        # As pact-js's eachKeyLike writes it (through pact-reference): the rules
        # inside a value apply under every key, at `<path>.*`.
        yield ".*", self.example


class _Semver(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "semver"
    factory_name: ClassVar[str] = "semver"


class _NotEmpty(_Simple):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "notEmpty"
    factory_name: ClassVar[str] = "not_empty"

    def nested(self) -> Iterator[tuple[str | int | None, Any]]:
        yield None, self.example


@attrs.frozen(repr=False)
class _DateLike(Matcher):
    format: str
    example: Any = UNSET
    factory_name: ClassVar[str] = ""

    def __repr__(self) -> str:
        return _call_repr(self.factory_name, self.format, self.example)

    def rule(self) -> Rule:
        return Rule(self.pact_type, format=self.format)

    def example_value(self) -> Any:
        return self.example


class _Date(_DateLike):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "date"
    factory_name: ClassVar[str] = "date"


class _Time(_DateLike):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "time"
    factory_name: ClassVar[str] = "time"


class _DateTime(_DateLike):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "datetime"
    factory_name: ClassVar[str] = "datetime"


@attrs.frozen(repr=False)
class _Includes(Matcher):
    pact_type: ClassVar[MatcherName] = "include"
    value: str
    example: Any = UNSET

    def __repr__(self) -> str:
        example = UNSET if self.example == self.value else self.example
        return _call_repr("includes", self.value, example)

    def rule(self) -> Rule:
        return Rule("include", value=self.value)

    def example_value(self) -> Any:
        return self.value if self.example is UNSET else self.example


@attrs.frozen(repr=False)
class _ContentType(Matcher):
    pact_type: ClassVar[MatcherName] = "contentType"
    content_type: str
    example: Any = UNSET

    def __repr__(self) -> str:
        return _call_repr("content_type", self.content_type, self.example)

    def rule(self) -> Rule:
        return Rule("contentType", value=self.content_type)

    def example_value(self) -> Any:
        return self.example


@attrs.frozen(repr=False)
class _StatusCode(Matcher):
    pact_type: ClassVar[MatcherName] = "statusCode"
    status: str | tuple[int, ...]
    example: Any = UNSET

    def __repr__(self) -> str:
        status = list(self.status) if isinstance(self.status, tuple) else self.status
        return _call_repr("status_code", status, self.example)

    def rule(self) -> Rule:
        return Rule("statusCode", status=self.status)

    def example_value(self) -> Any:
        return self.example


@attrs.frozen(repr=False)
class _ArrayContains(Matcher):
    pact_type: ClassVar[MatcherName] = "arrayContains"
    variants: tuple[RuleVariant, ...]
    examples: Any = UNSET  # the variants' templates in DSL form

    def __repr__(self) -> str:
        if self.examples is UNSET:
            return f"array_contains(<{len(self.variants)} variants>)"
        return _call_repr("array_contains", *self.examples)

    def rule(self) -> Rule:
        return Rule("arrayContains", variants=self.variants)

    def example_value(self) -> Any:
        if self.examples is UNSET:
            return UNSET
        return [example_of(t) for t in self.examples]


@attrs.frozen(repr=False)
class _EachKeyOrValue(Matcher):
    rules: tuple[Matcher, ...]
    example: Any = UNSET
    factory_name: ClassVar[str] = ""

    def __repr__(self) -> str:
        return _call_repr(self.factory_name, self.example, *self.rules)

    def rule(self) -> Rule:
        value = None if self.example is UNSET else example_of(self.example)
        return Rule(self.pact_type, rules=tuple(m.rule() for m in self.rules), value=value)

    def example_value(self) -> Any:
        return example_of(self.example)


class _EachKey(_EachKeyOrValue):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "eachKey"
    factory_name: ClassVar[str] = "each_key"


class _EachValue(_EachKeyOrValue):
    __slots__ = ()
    pact_type: ClassVar[MatcherName] = "eachValue"
    factory_name: ClassVar[str] = "each_value"


@attrs.frozen(repr=False)
class _Combined(Matcher):
    matchers: tuple[Matcher, ...]
    combine: ClassVar[Combine] = "AND"
    operator: ClassVar[str] = "&"

    def __repr__(self) -> str:
        return "(" + f" {self.operator} ".join(map(repr, self.matchers)) + ")"

    def rule(self) -> Rule:
        msg = f"{self!r} is a combination; use rule_group() to serialise it"
        raise TypeError(msg)

    def rule_group(self) -> RuleGroup:
        groups = [m.rule_group().matchers for m in self.matchers]
        return RuleGroup(tuple(m for g in groups for m in g), self.combine)

    def example_value(self) -> Any:
        return self.matchers[0].example_value()

    def nested(self) -> Iterator[tuple[str | int | None, Any]]:
        return self.matchers[0].nested()


class _AllOf(_Combined):
    __slots__ = ()
    combine: ClassVar[Combine] = "AND"
    operator: ClassVar[str] = "&"


class _AnyOf(_Combined):
    __slots__ = ()
    combine: ClassVar[Combine] = "OR"
    operator: ClassVar[str] = "|"


# --------------------------------------------------------------------------
# Matchers in rule form, built from the one rule model.


def _simple(cls: type[_Simple]) -> Callable[[Rule, str], Matcher]:
    return lambda rule, where: cls()


def _date_like(cls: type[_DateLike]) -> Callable[[Rule, str], Matcher]:
    return lambda rule, where: cls(rule.format or FORMAT_WHEN_ABSENT[cls.pact_type])


def _each(cls: type[_EachKeyOrValue]) -> Callable[[Rule, str], Matcher]:
    def build(rule: Rule, where: str) -> Matcher:
        rules = tuple(
            matcher_from_parsed(r, f"{where}.rules[{n}]") for n, r in enumerate(rule.rules)
        )
        return cls(rules, UNSET if rule.value is None else rule.value)

    return build


_FROM_RULE: Mapping[MatcherName, Callable[[Rule, str], Matcher]] = {
    "type": lambda rule, where: _TypeMatcher(UNSET, rule.min, rule.max),
    "regex": lambda rule, where: _Regex(rule.regex or ""),
    "integer": _simple(_Integer),
    "decimal": _simple(_Decimal),
    "number": _simple(_Number),
    "boolean": _simple(_Boolean),
    "null": _simple(_Null),
    "equality": _simple(_Equality),
    "values": _simple(_Values),
    "semver": _simple(_Semver),
    "notEmpty": _simple(_NotEmpty),
    "date": _date_like(_Date),
    "time": _date_like(_Time),
    "datetime": _date_like(_DateTime),
    "include": lambda rule, where: _Includes(str(rule.value)),
    "contentType": lambda rule, where: _ContentType(str(rule.value)),
    "statusCode": lambda rule, where: _StatusCode(rule.status or "success"),
    "arrayContains": lambda rule, where: _ArrayContains(rule.variants),
    "eachKey": _each(_EachKey),
    "eachValue": _each(_EachValue),
}


def matcher_from_parsed(rule: Rule, where: str = "rule") -> Matcher:
    """Build the matcher class (rule form, no example) of a rule of the one rule model."""
    return _FROM_RULE[rule.name](rule, where)


def matcher_from_rule(rule: Any, where: str = "rule") -> Matcher:
    """Parse one Pact rule dict (``{"match": "regex", "regex": ...}``) into a matcher.

    Accepts what pact-reference reads (see `pactdsl._rule.parse_rule`): V2 rules
    with `regex` and no `match`, `min`/`max` alone (a type rule), numeric-string
    bounds, `timestamp` for `datetime`, `real` for `decimal`, dashed aliases.

    Raises:
        InvalidMatcher: naming `where` and what is wrong with the rule.
    """
    try:
        parsed = parse_rule(rule, where)
    except RuleError as exc:
        raise InvalidMatcher(str(exc)) from None
    return matcher_from_parsed(parsed, where)


def rule_group_from_json(raw: Any, where: str) -> RuleGroup:
    """Parse a V3/V4 ``{"combine", "matchers"}`` object, a list of rules, or a lone V2 rule."""
    try:
        rules, combine = parse_rule_group(raw, where)
    except RuleError as exc:
        raise InvalidMatcher(str(exc)) from None
    return RuleGroup(tuple(matcher_from_parsed(r, where) for r in rules), combine)
