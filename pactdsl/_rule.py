"""The one model of a Pact matching rule: a rule dict parsed into a typed, normalised `Rule`.

Every reader of rule dicts goes through `parse_rule` and `parse_rule_group`: the
pact-file reader (which builds the DSL's matcher classes from the result), the
matching engine (which adds compiled regexes and rule paths) and the strategies.
Writers go back through `Rule.to_json`. It accepts what pact-reference's reader
accepts (aliases such as ``real``, ``timestamp``, ``min-type``, ``each-key``; V2
rules without ``match``; numeric-string bounds) and refuses the rest with a
`RuleError` naming where the rule sits, so a pact that loads can be verified.

Pure: it imports only the other pure helpers (regex compilation, Java formats).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, get_args

import attrs

from pactdsl._regex import PatternLimitError, compile_cached

__all__ = [
    "CATEGORY_ALIASES",
    "FORMAT_WHEN_ABSENT",
    "MATCHER_ALIASES",
    "MATCHER_NAMES",
    "SEMVER_PATTERN",
    "STATUS_CLASSES",
    "V4_ONLY_MATCHERS",
    "Combine",
    "MatcherName",
    "Rule",
    "RuleError",
    "RuleVariant",
    "parse_combine",
    "parse_rule",
    "parse_rule_group",
    "rule_group_json",
]

MatcherName: TypeAlias = Literal[
    "equality",
    "regex",
    "type",
    "integer",
    "decimal",
    "number",
    "include",
    "null",
    "boolean",
    "date",
    "time",
    "datetime",
    "contentType",
    "values",
    "arrayContains",
    "eachKey",
    "eachValue",
    "semver",
    "notEmpty",
    "statusCode",
]
"""The canonical name of every matcher a pact may hold."""

MATCHER_NAMES: Final[frozenset[MatcherName]] = frozenset(get_args(MatcherName))

V4_ONLY_MATCHERS: Final[frozenset[MatcherName]] = frozenset(
    {"arrayContains", "eachKey", "eachValue", "semver", "notEmpty", "statusCode"}
)
"""The matchers Pact V4 added: a V3 file cannot hold them."""

Combine: TypeAlias = Literal["AND", "OR"]
"""How the matchers at one rule path combine."""

MATCHER_ALIASES: Final[Mapping[str, MatcherName]] = {
    **{name: name for name in get_args(MatcherName)},
    "real": "decimal",
    "timestamp": "datetime",
    "min": "type",
    "max": "type",
    "min-type": "type",
    "max-type": "type",
    "content-type": "contentType",
    "array-contains": "arrayContains",
    "each-key": "eachKey",
    "each-value": "eachValue",
    "not-empty": "notEmpty",
    "status-code": "statusCode",
}
"""Every spelling of a matcher name that pact-reference reads, to its canonical name."""

# The attribute an alias cannot do without (pact-reference refuses the rule otherwise).
_REQUIRED_BY_ALIAS: Final[Mapping[str, str]] = {
    "min": "min",
    "max": "max",
    "min-type": "min",
    "max-type": "max",
}

CATEGORY_ALIASES: Final[Mapping[str, str]] = {
    "body": "body",
    "content": "body",
    "contents": "body",
    "header": "header",
    "headers": "header",
    "query": "query",
    "path": "path",
    "status": "status",
    "metadata": "metadata",
    "metaData": "metadata",
}
"""Every spelling of a rule or generator category, to its canonical name."""

SEMVER_PATTERN: Final = (
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
"""The semver.org regular expression for SemVer 2.0.0 (whole-string match, no anchors)."""

STATUS_CLASSES: Final[Mapping[str, range]] = {
    "info": range(100, 200),
    "success": range(200, 300),
    "redirect": range(300, 400),
    "clientError": range(400, 500),
    "serverError": range(500, 600),
    "nonError": range(100, 400),
    "error": range(400, 600),
}
"""The status classes of a `statusCode` rule and the codes each allows."""

FORMAT_WHEN_ABSENT: Final[Mapping[str, str]] = {
    "date": "yyyy-MM-dd",
    "time": "HH:mm:ss",
    "datetime": "yyyy-MM-dd'T'HH:mm:ssXXX",
}
"""The Java format pact-reference applies when a date, time or datetime rule gives none."""

# Keys that name a rule's kind when it has no `match` (V2 writers), in pact-reference's order.
_KIND_BY_KEY: Final = (
    ("regex", "regex"),
    ("min", "min"),
    ("max", "max"),
    ("timestamp", "timestamp"),
    ("time", "time"),
    ("date", "date"),
)


class RuleError(ValueError):
    """A rule dict is malformed; `where` names the place, `problem` what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


@attrs.frozen
class RuleVariant:
    """One variant of an `arrayContains` rule: the element index and its body rules.

    Attributes:
        index: The index of the example element the variant describes.
        rules: Rule groups by body path, relative to the element.
        generators: Generator dicts by body path, as the pact holds them.
    """

    index: int
    rules: Mapping[str, tuple[tuple[Rule, ...], Combine]] = attrs.field(factory=dict)
    generators: Mapping[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the V4 variant object."""
        out: dict[str, Any] = {
            "index": self.index,
            "rules": {
                path: rule_group_json(rules, combine)
                for path, (rules, combine) in self.rules.items()
            },
        }
        if self.generators:
            out["generators"] = dict(self.generators)
        return out


@attrs.frozen
class Rule:
    """One matcher in normal form; attributes a matcher does not use stay at their default.

    Attributes:
        name: The canonical matcher name.
        min: The least length of a `type` rule, or None.
        max: The greatest length of a `type` rule, or None.
        regex: The pattern of a `regex` rule.
        value: The text of `include` and `contentType`; the example of `eachKey`
            and `eachValue` (any JSON value, or None).
        format: The Java format of `date`, `time` and `datetime` (never None there).
        status: The class name or the codes of a `statusCode` rule.
        rules: The rules of `eachKey` and `eachValue`.
        variants: The variants of `arrayContains`.
    """

    name: MatcherName
    min: int | None = None
    max: int | None = None
    regex: str | None = None
    value: Any = None
    format: str | None = None
    status: str | tuple[int, ...] | None = None
    rules: tuple[Rule, ...] = ()
    variants: tuple[RuleVariant, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the rule dict a V3/V4 pact holds for this rule."""
        out: dict[str, Any] = {"match": self.name}
        if self.name == "type":
            if self.min is not None:
                out["min"] = self.min
            if self.max is not None:
                out["max"] = self.max
        elif self.name == "regex":
            out["regex"] = self.regex
        elif self.name in ("include", "contentType"):
            out["value"] = self.value
        elif self.name in ("date", "time", "datetime"):
            out["format"] = self.format
        elif self.name == "statusCode":
            out["status"] = list(self.status) if isinstance(self.status, tuple) else self.status
        elif self.name in ("eachKey", "eachValue"):
            out["rules"] = [rule.to_json() for rule in self.rules]
            if self.value is not None:
                out["value"] = self.value
        elif self.name == "arrayContains":
            out["variants"] = [variant.to_json() for variant in self.variants]
        return out


def rule_group_json(rules: tuple[Rule, ...], combine: Combine) -> dict[str, Any]:
    """Return the V3/V4 object of the rules at one path: ``{"combine", "matchers"}``."""
    return {"combine": combine, "matchers": [rule.to_json() for rule in rules]}


def parse_combine(raw: Any, where: str) -> Combine:
    """Read a rule group's `combine` (absent means AND; case is ignored, as writers differ).

    Raises:
        RuleError: For anything but AND or OR.
    """
    if raw is None:
        return "AND"
    text = raw.upper() if isinstance(raw, str) else raw
    if text == "AND":
        return "AND"
    if text == "OR":
        return "OR"
    raise RuleError(f"{where}.combine", f"must be 'AND' or 'OR', got {raw!r}")


def parse_rule_group(raw: Any, where: str) -> tuple[tuple[Rule, ...], Combine]:
    """Parse the rules at one path: ``{"matchers": [...], "combine": ...}``, a list, or one rule.

    Args:
        raw: The value a pact holds at the path.
        where: Where it sits, for messages (e.g. ``...matchingRules.body['$.id']``).

    Returns:
        The rules and how they combine.

    Raises:
        RuleError: Naming where, for a malformed or empty group or rule.
    """
    if isinstance(raw, Mapping) and "matchers" in raw:
        items = raw["matchers"]
        if not isinstance(items, list) or not items:
            raise RuleError(f"{where}.matchers", f"must be a non-empty list, got {items!r}")
        combine = parse_combine(raw.get("combine"), where)
        return tuple(parse_rule(item, f"{where}.matchers[{n}]") for n, item in enumerate(items)), (
            combine
        )
    if isinstance(raw, list):
        if not raw:
            raise RuleError(where, "an empty list of rules says nothing; give at least one rule")
        return tuple(parse_rule(item, f"{where}[{n}]") for n, item in enumerate(raw)), "AND"
    return (parse_rule(raw, where),), "AND"


def _kind(raw: Mapping[str, Any], where: str) -> str:
    kind = raw.get("match", raw.get("pact:matcher:type"))
    if kind is not None:
        if not isinstance(kind, str):
            raise RuleError(where, f"match={kind!r} must be a matcher name such as 'type'")
        return kind
    for key, found in _KIND_BY_KEY:
        if key in raw:
            return found
    raise RuleError(
        where,
        f"the rule {raw!r} has no 'match' key (nor 'regex', 'min', 'max', 'timestamp', "
        "'time' or 'date' to tell its kind); give one, such as {\"match\": \"type\"}",
    )


def _unknown(kind: str, where: str) -> RuleError:
    known = ", ".join(sorted(MATCHER_NAMES))
    import difflib  # only to name a close guess in this error

    same_but_case = [name for name in MATCHER_NAMES if name.lower() == kind.lower()]
    close = same_but_case or difflib.get_close_matches(kind, MATCHER_ALIASES, n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    return RuleError(where, f"unknown matcher {kind!r}; {guess}known matchers are {known}")


def parse_rule(raw: Any, where: str) -> Rule:
    r"""Parse one rule dict of any spec version or writer into its normal form.

    Args:
        raw: A dict such as ``{"match": "type", "min": 1}``, ``{"regex": "\\d+"}``
            (V2, no `match`) or ``{"pact:matcher:type": "integer"}``.
        where: Where the rule sits, for messages.

    Returns:
        The rule.

    Raises:
        RuleError: Naming where and what is wrong: an unknown name, a missing or
            malformed attribute, a regex that does not compile, a date format
            pactdsl cannot match.
    """
    if not isinstance(raw, Mapping):
        raise RuleError(where, f"a matching rule must be an object, got {raw!r}")
    kind = _kind(raw, where)
    name = MATCHER_ALIASES.get(kind)
    if name is None:
        raise _unknown(kind, where)
    required = _REQUIRED_BY_ALIAS.get(kind)
    if required is not None and raw.get(required) is None:
        raise RuleError(where, f"a {kind!r} rule needs {required!r}, a whole number >= 0")
    return _PARSERS.get(name, _bare)(name, kind, raw, where)


def _bare(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    return Rule(name)


def _bound(raw: Mapping[str, Any], key: str, where: str) -> int | None:
    # Some writers store bounds as numeric strings ("1") or floats (1.0).
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    raise RuleError(where, f"{key}={value!r} must be a whole number >= 0")


def _type(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    low, high = _bound(raw, "min", where), _bound(raw, "max", where)
    if low is not None and high is not None and low > high:
        raise RuleError(where, f"cannot have max={high} < min={low}; swap them or drop one")
    return Rule(name, min=low, max=high)


def _text(raw: Mapping[str, Any], key: str, kind: str, where: str) -> str:
    # pact-reference reads a number or boolean here as its JSON text.
    value = raw.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise RuleError(where, f"the {kind!r} rule needs a string {key!r}, got {value!r}")


def _regex(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    pattern = _text(raw, "regex", kind, where)
    import regex  # loads with the first pattern (pactdsl._regex): most sessions have none

    try:
        compile_cached(pattern)
    except PatternLimitError as exc:
        raise RuleError(where, f"pattern={pattern[:80]!r}: {exc}") from None
    except regex.error as exc:
        raise RuleError(
            where, f"pattern={pattern!r} is not a valid regular expression ({exc})"
        ) from None
    return Rule(name, regex=pattern)


def _valued(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    return Rule(name, value=_text(raw, "value", kind, where))


def _date_like(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    # Old writers put the format under the rule's own name: {"timestamp": "..."}.
    fmt = raw.get("format", raw.get(kind))
    if fmt is None or fmt == "":
        fmt = FORMAT_WHEN_ABSENT[name]
    if not isinstance(fmt, str):
        raise RuleError(where, f"format={fmt!r} must be a string such as 'yyyy-MM-dd'")
    from pactdsl._javatime import check_java_format  # date rules only: most pacts have none

    try:
        check_java_format(fmt)
    except ValueError as exc:
        raise RuleError(where, str(exc)) from None
    return Rule(name, format=fmt)


def _status(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    status = raw.get("status", "success")
    if isinstance(status, str) and status in STATUS_CLASSES:
        return Rule(name, status=status)
    if isinstance(status, list) and status:
        codes = [_status_code(code) for code in status]
        if all(code is not None for code in codes):
            return Rule(name, status=tuple(code for code in codes if code is not None))
    raise RuleError(
        where,
        f"status={status!r} must be one of {', '.join(STATUS_CLASSES)} or a list of status codes",
    )


def _status_code(code: Any) -> int | None:
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    if isinstance(code, str) and code.isdecimal():
        return int(code)
    return None


def _each(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    nested = raw.get("rules", [])
    if not isinstance(nested, list):
        raise RuleError(where, f"the {kind!r} rule needs a list of 'rules', got {nested!r}")
    rules = tuple(parse_rule(item, f"{where}.rules[{n}]") for n, item in enumerate(nested))
    return Rule(name, rules=rules, value=raw.get("value"))


def _array_contains(name: MatcherName, kind: str, raw: Mapping[str, Any], where: str) -> Rule:
    items = raw.get("variants")
    if not isinstance(items, list):
        raise RuleError(where, f"the {kind!r} rule needs a list of 'variants', got {items!r}")
    variants = []
    for position, item in enumerate(items):
        at = f"{where}.variants[{position}]"
        if not isinstance(item, Mapping):
            raise RuleError(at, f"a variant must be an object, got {item!r}")
        index = _bound(item, "index", at)
        rules = item.get("rules", {})
        generators = item.get("generators", {})
        if not isinstance(rules, Mapping):
            raise RuleError(f"{at}.rules", f"must be an object keyed by path, got {rules!r}")
        if not isinstance(generators, Mapping):
            raise RuleError(
                f"{at}.generators", f"must be an object keyed by path, got {generators!r}"
            )
        groups = {
            path: parse_rule_group(group, f"{at}.rules['{path}']") for path, group in rules.items()
        }
        variants.append(RuleVariant(position if index is None else index, groups, dict(generators)))
    return Rule(name, variants=tuple(variants))


_PARSERS: Final = {
    "type": _type,
    "regex": _regex,
    "include": _valued,
    "contentType": _valued,
    "date": _date_like,
    "time": _date_like,
    "datetime": _date_like,
    "statusCode": _status,
    "eachKey": _each,
    "eachValue": _each,
    "arrayContains": _array_contains,
}
