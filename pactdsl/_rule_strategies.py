"""Strategies for values under Pact rules, walking the rules with the engine's own cursor.

`RuleDraw` builds, for a plain example and a `RuleCursor` of the matching engine,
the hypothesis strategy of every value the engine accepts there: the rule that
applies at each place, cascading and tie-breaks are the engine's, not a copy of
them. `pactdsl.strategies` is the public door over it.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

from pactdsl._errors import InvalidMatcher
from pactdsl._rule import SEMVER_PATTERN, STATUS_CLASSES, Rule
from pactdsl.matching._json import JsonComparer, each_value_template
from pactdsl.matching._parse import parse_rules
from pactdsl.matching._paths import ROOT
from pactdsl.matching._regex import compile_pattern, compiled_fullmatch
from pactdsl.matching._rules import (
    EMPTY_CURSOR,
    RuleCursor,
    RuleList,
    RuleSet,
    check_leaf,
    variant_rules,
)

if TYPE_CHECKING:
    from pactdsl._matchers import RuleGroup

__all__ = [
    "BUILDERS",
    "EXTRA_ELEMENTS",
    "Context",
    "RuleDraw",
    "rules_cursor",
    "stringify",
]

# Lists with no upper bound grow at most this many elements past their lower
# bound (or their example's length): enough to find length bugs, small to read.
EXTRA_ELEMENTS: Final = 4

# An element past the example's length: only `[*]` and `.*` rules reach it.
_PAST_THE_EXAMPLE: Final = 2**62


class Context(enum.Enum):
    """Where a value goes: a JSON body, or a text slot of an HTTP message."""

    BODY = "body"
    HEADER = "header"
    PATH = "path"


_PRINTABLE_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# Characters a path segment may carry without percent-encoding (RFC 3986 pchar
# and "/"); "%" is left out so a drawn path never holds a broken escape.
_PATH_CHARACTERS = st.sampled_from(
    sorted(set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/"))
)
_ALPHABETS: Final[Mapping[Context, SearchStrategy[str]]] = {
    Context.BODY: st.characters(codec="utf-8"),
    Context.HEADER: _PRINTABLE_ASCII,
    Context.PATH: _PATH_CHARACTERS,
}


def rules_cursor(rules: Mapping[str, RuleGroup]) -> RuleCursor:
    """Return the engine's cursor at the root of rule groups keyed by body path."""
    if not rules:
        return EMPTY_CURSOR
    return parse_rules(
        {"body": {path or "$": group.to_json() for path, group in rules.items()}}
    ).cursor("body")


def _list_cursor(rule_list: RuleList) -> RuleCursor:
    return RuleSet({"body": (((ROOT,), rule_list),)}).cursor("body")


# --------------------------------------------------------------------------
# Scalars.


def _fractional(value: float) -> float:
    # Pact `decimal` means "has a fractional part"; the bounded range keeps the
    # +0.5 exact.
    return value + 0.5 if value.is_integer() else value


_FINITE_FLOATS: Final = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False)
_DECIMALS: Final = st.floats(
    min_value=-1e9, max_value=1e9, allow_nan=False, allow_subnormal=False
).map(_fractional)
_ANY_JSON: Final[SearchStrategy[Any]] = st.recursive(
    st.none() | st.booleans() | st.integers() | _FINITE_FLOATS | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def _text(context: Context, min_size: int = 0) -> SearchStrategy[str]:
    if context is Context.BODY:
        return st.text(min_size=min_size)
    return st.text(alphabet=_ALPHABETS[context], min_size=min_size)


def _same_type(example: Any, context: Context) -> SearchStrategy[Any]:
    """Any value of the example's JSON type (numbers keep their Python type)."""
    if isinstance(example, bool):
        return st.booleans()
    if isinstance(example, int):
        return st.integers()
    if isinstance(example, float):
        return _FINITE_FLOATS
    if isinstance(example, str):
        return _text(context)
    if example is None:
        return st.none()
    return _ANY_JSON


# Constructs of Java (and of the `regex` module) that Python's `re`, which
# hypothesis generates from, does not read; each with the spelling to use.
_JAVA_ONLY: Final = (
    (re.compile(r"\\[pP]\{"), r"\p{...} classes: use [^\W\d_] for letters, \d for digits"),
    (re.compile(r"\(\?<[A-Za-z]"), "(?<name>...) groups: write (?P<name>...)"),
    (re.compile(r"\\z"), r"\z: write \Z"),
    (re.compile(r"\\h"), r"\h: write [ \t]"),
)


def _regex_strategy(pattern: str, context: Context, where: str) -> SearchStrategy[str]:
    try:
        # ASCII classes, as in Java: \d draws 0-9 rather than any Unicode digit,
        # so drawn values satisfy every Pact implementation, and read well.
        compiled = re.compile(pattern, re.ASCII)
    except re.error:
        compiled = None
    try:
        compiled = compiled or re.compile(pattern)
    except re.error as exc:
        hints = [hint for probe, hint in _JAVA_ONLY if probe.search(pattern)]
        advice = "; ".join(hints) if hints else "use Python re syntax"
        msg = (
            f"{where}: pattern={pattern!r} cannot be generated from: Python's re module, "
            f"which hypothesis uses, rejects it ({exc}); {advice}"
        )
        raise InvalidMatcher(msg) from None
    checker = compile_pattern(pattern, where)
    strategy = st.from_regex(compiled, fullmatch=True, alphabet=_ALPHABETS[context])
    # `re` and the `regex` module the engine uses differ in corners (Unicode
    # classes, case folding): keep only what the engine accepts.
    return strategy.filter(lambda text: compiled_fullmatch(checker, text, where))


# semver.org's pattern with ASCII digits, so drawn versions read as versions.
_ASCII_SEMVER: Final = SEMVER_PATTERN.replace(r"\d", "[0-9]")


def _two_digit_year(fmt: str) -> bool:
    unquoted = re.sub(r"'[^']*'", "", fmt)
    return re.search(r"(?<![yu])[yu]{2}(?![yu])", unquoted) is not None


def _datetimes(fmt: str) -> SearchStrategy[_dt.datetime]:
    offsets = st.integers(-18 * 60, 18 * 60).map(
        lambda minutes: _dt.timezone(_dt.timedelta(minutes=minutes))
    )
    # A two-digit year reads back as 20yy (as in Java), so draw only those years:
    # otherwise the weekday or 29 February of 19yy would not survive the trip.
    if _two_digit_year(fmt):
        low, high = _dt.datetime(2000, 1, 1), _dt.datetime(2099, 12, 31, 23, 59, 59)
    else:
        low, high = _dt.datetime(1, 1, 1), _dt.datetime(9999, 12, 31, 23, 59, 59)
    return st.datetimes(min_value=low, max_value=high, timezones=offsets)


def _date_strategy(fmt: str) -> SearchStrategy[str]:
    from pactdsl._javatime import format_java

    return _datetimes(fmt).map(lambda moment: format_java(fmt, moment))


def _status_codes(status: str | tuple[int, ...], example: Any) -> SearchStrategy[int]:
    if isinstance(status, str):
        codes = list(STATUS_CLASSES[status])
        if status != "info":
            # A 1xx is an interim answer in HTTP, never a final one a client sees.
            codes = [code for code in codes if code >= 200]
    else:
        codes = list(status)
    first = example if example in codes else codes[0]
    # sampled_from shrinks towards the front: put the contract's example there.
    return st.sampled_from([first, *(code for code in codes if code != first)])


def stringify(value: Any) -> str:
    """The text form of a value, as the engine reads text slots."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


# --------------------------------------------------------------------------
# One builder per matcher name, for a matcher the engine parsed.

# A builder takes the draw, the rule, the example, the cursor and the rule path.
_Builder = Callable[["RuleDraw", Rule, Any, RuleCursor, str], SearchStrategy[Any]]


def _scalar(make: Callable[[Rule, Any, Context, str], SearchStrategy[Any]]) -> _Builder:
    def build(draw: RuleDraw, rule: Rule, expected: Any, cursor: RuleCursor, where: str) -> Any:
        strategy = make(rule, expected, draw.context, where)
        return strategy if draw.context is Context.BODY else strategy.map(stringify)

    return build


def _includes(rule: Rule, expected: Any, context: Context, where: str) -> SearchStrategy[str]:
    around = _text(context, 0)
    value = str(rule.value)
    return st.tuples(around, around).map(lambda parts: parts[0] + value + parts[1])


def _regex(rule: Rule, expected: Any, context: Context, where: str) -> SearchStrategy[str]:
    return _regex_strategy(rule.regex or "", context, f"the regex rule at {where}")


BUILDERS: Final[Mapping[str, _Builder]] = {
    "type": lambda d, m, e, c, w: d.by_type(e, c, m.min, m.max),
    "equality": lambda d, m, e, c, w: d.plain(e, c),
    "values": lambda d, m, e, c, w: d.values(e, c),
    "notEmpty": lambda d, m, e, c, w: d.not_empty(e, c),
    "arrayContains": lambda d, m, e, c, w: d.array_contains(m, e, w),
    "eachKey": lambda d, m, e, c, w: d.each_key(m, e, c, w),
    "eachValue": lambda d, m, e, c, w: d.each_value(m, e, w),
    "contentType": lambda d, m, e, c, w: st.just(e),
    "regex": _scalar(_regex),
    "integer": _scalar(lambda m, e, ctx, w: st.integers()),
    "decimal": _scalar(lambda m, e, ctx, w: _DECIMALS),
    "number": _scalar(lambda m, e, ctx, w: st.integers() | _FINITE_FLOATS),
    "boolean": _scalar(lambda m, e, ctx, w: st.booleans()),
    "null": _scalar(lambda m, e, ctx, w: st.none()),
    "date": _scalar(lambda m, e, ctx, w: _date_strategy(m.format or "")),
    "time": _scalar(lambda m, e, ctx, w: _date_strategy(m.format or "")),
    "datetime": _scalar(lambda m, e, ctx, w: _date_strategy(m.format or "")),
    "include": _scalar(_includes),
    "semver": _scalar(
        lambda m, e, ctx, w: _regex_strategy(_ASCII_SEMVER, Context.HEADER, "semver")
    ),
    "statusCode": _scalar(lambda m, e, ctx, w: _status_codes(m.status or "success", e)),
}
"""The strategy of each matcher name: one per name the rule model knows."""


class RuleDraw:
    """Builds the strategy for a plain example under the engine's rule cursor.

    At each place the engine's cursor says which rule list applies (the most
    specific path, or one inherited from a parent); the builder draws what
    that rule list accepts, and where several matchers must hold together
    filters by the engine's own verdict.
    """

    def __init__(self, context: Context) -> None:
        self.context = context

    def accepts(self, expected: Any, actual: Any, cursor: RuleCursor) -> bool:
        """Whether the engine accepts `actual` at a place, with the rules below it."""
        comparer = JsonComparer("$", allow_unexpected_keys=False)
        comparer.compare(expected, actual, (), cursor)
        return not comparer.mismatches

    def node(self, expected: Any, cursor: RuleCursor) -> SearchStrategy[Any]:
        """The strategy at one place: its rule list, or the example's structure."""
        rule_list = cursor.best
        if rule_list is None or rule_list.is_equality:
            return self.plain(expected, cursor)
        matchers = rule_list.rules
        where = rule_list.rule_path
        if rule_list.cascaded:
            # Inherited: `values` and `eachKey` keep the structure below their place.
            matchers = tuple(m for m in matchers if m.name not in ("values", "eachKey"))
            if not matchers:
                return self.plain(expected, cursor)
        if len(matchers) == 1:
            return self.member(matchers[0], expected, cursor, where)

        # Every member's example is the place's one example, as in the engine.
        def check(value: Any) -> bool:
            return self.accepts(expected, value, cursor)

        if rule_list.combine == "OR":
            options = [self.member(m, expected, cursor, where) for m in matchers]
            return st.one_of(options).filter(check)
        return self.member(matchers[0], expected, cursor, where).filter(check)

    def member(
        self, rule: Rule, expected: Any, cursor: RuleCursor, where: str
    ) -> SearchStrategy[Any]:
        """The strategy for one rule applied at one place (`where`: its rule path)."""
        return BUILDERS[rule.name](self, rule, expected, cursor, where)

    def plain(self, expected: Any, cursor: RuleCursor) -> SearchStrategy[Any]:
        """The example itself, with the places below it drawn under their rules."""
        if isinstance(expected, dict):
            return st.fixed_dictionaries(
                {k: self.node(v, cursor.child(k)) for k, v in expected.items()}
            )
        if isinstance(expected, list):
            items = [self.node(v, cursor.child(i)) for i, v in enumerate(expected)]
            return st.tuples(*items).map(list)
        return st.just(expected)

    def by_type(
        self, expected: Any, cursor: RuleCursor, low: int | None, high: int | None
    ) -> SearchStrategy[Any]:
        """Any value of the example's type; a list within the bounds."""
        if isinstance(expected, dict):
            return st.fixed_dictionaries(
                {k: self.node(v, cursor.child(k)) for k, v in expected.items()}
            )
        if isinstance(expected, list):
            return self.grown_list(expected, cursor, low, high)
        return _same_type(expected, self.context)

    def grown_list(
        self, expected: list[Any], cursor: RuleCursor, low: int | None, high: int | None
    ) -> SearchStrategy[list[Any]]:
        """The example's elements under their rules, then more like the first one."""
        heads = [self.node(v, cursor.child(i)) for i, v in enumerate(expected)]
        tail = self.node(expected[0], cursor.child(_PAST_THE_EXAMPLE)) if expected else _ANY_JSON
        least = low or 0
        most = high if high is not None else max(least, len(expected)) + EXTRA_ELEMENTS
        if not heads:
            return st.lists(tail, min_size=least, max_size=most)
        return _grown(heads, tail, least, most)

    def values(self, expected: Any, cursor: RuleCursor) -> SearchStrategy[Any]:
        """Below a values rule scalars are compared by equality, arrays element by element."""
        if isinstance(expected, list):
            return self.grown_list(expected, cursor, None, None)
        if not isinstance(expected, dict):
            if self.context is Context.BODY:
                return st.just(expected)
            return _same_type(expected, self.context)
        return self.open_map(expected, cursor, _text(self.context))

    def open_map(
        self, expected: dict[str, Any], cursor: RuleCursor, keys: SearchStrategy[str]
    ) -> SearchStrategy[dict[str, Any]]:
        """A map of any keys, each value compared with the example's value or its first."""
        if not expected:
            return st.dictionaries(keys, _ANY_JSON, max_size=EXTRA_ELEMENTS)
        first = next(iter(expected.values()))

        def value_for(key: str) -> SearchStrategy[Any]:
            return self.node(expected.get(key, first), cursor.child(key))

        return _open_map(keys, value_for)

    def not_empty(self, expected: Any, cursor: RuleCursor) -> SearchStrategy[Any]:
        """Values present and not empty, keeping the example's type where it has one."""
        if isinstance(expected, dict):
            return self.plain(expected, cursor)
        if isinstance(expected, list):
            if not expected:
                return st.lists(_text(self.context, min_size=1), min_size=1, max_size=2)
            return self.grown_list(expected, cursor, 1, None)
        if isinstance(expected, str) or expected is None:
            return _text(self.context, min_size=1)
        return _same_type(expected, self.context)

    def array_contains(self, rule: Rule, expected: Any, where: str) -> SearchStrategy[Any]:
        """The variants' elements in any order, with more of them."""
        items = expected if isinstance(expected, list) else []
        required = [
            self.node(items[index], rule_set.cursor("body"))
            for index, rule_set in variant_rules(rule, where)
            if index < len(items)
        ]
        if not required:
            return st.lists(_ANY_JSON, max_size=EXTRA_ELEMENTS)
        extras = st.lists(st.one_of(required), max_size=EXTRA_ELEMENTS)
        return _shuffled_concat(st.tuples(*required).map(list), extras)

    def each_key(
        self, rule: Rule, expected: Any, cursor: RuleCursor, where: str
    ) -> SearchStrategy[Any]:
        """A map whose keys satisfy the rules, with values like the example's."""
        if not isinstance(expected, dict):
            return self.plain(expected, cursor)
        return self.open_map(expected, cursor, self.keys(rule.rules, where))

    def each_value(self, rule: Rule, expected: Any, where: str) -> SearchStrategy[Any]:
        """A map or list whose values satisfy the nested rules."""
        template = each_value_template(rule, expected)
        if not rule.rules:
            return self.plain(expected, EMPTY_CURSOR)
        checker = _list_cursor(RuleList(rule.rules, "AND", where))

        # The nested rules apply at each value, with the example's value at the
        # same key or index as example, else its first value (as in the engine).
        def value_for(example: Any) -> SearchStrategy[Any]:
            drawn = self.member(rule.rules[0], example, EMPTY_CURSOR, where)
            if len(rule.rules) > 1:
                drawn = drawn.filter(lambda v: self.accepts(example, v, checker))
            return drawn

        if isinstance(expected, list):
            heads = [value_for(item) for item in expected]
            return _grown(heads, value_for(template), 0, len(heads) + EXTRA_ELEMENTS)
        example_map = expected if isinstance(expected, dict) else {}
        return _open_map(_text(self.context), lambda key: value_for(example_map.get(key, template)))

    def keys(self, rules: tuple[Rule, ...], where: str) -> SearchStrategy[str]:
        """Text that satisfies every rule, as the engine checks the keys of `eachKey`."""
        if not rules:
            return _text(self.context)
        first = rules[0]
        if first.name in ("type", "notEmpty", "equality", "values"):
            base: SearchStrategy[str] = _text(self.context, 1 if first.name == "notEmpty" else 0)
        else:
            base = RuleDraw(self.context).member(first, "", EMPTY_CURSOR, where).map(stringify)
        if len(rules) == 1 and first.name in ("regex", "integer", "type"):
            return base
        return base.filter(
            lambda key: all(check_leaf(r, key, key, text=True, where=where) for r in rules)
        )


@st.composite
def _grown(
    draw: st.DrawFn,
    heads: list[SearchStrategy[Any]],
    tail: SearchStrategy[Any],
    least: int,
    most: int,
) -> list[Any]:
    size = draw(st.integers(least, most))
    return [draw(heads[i] if i < len(heads) else tail) for i in range(size)]


@st.composite
def _open_map(
    draw: st.DrawFn,
    keys: SearchStrategy[str],
    value_for: Callable[[str], SearchStrategy[Any]],
) -> dict[str, Any]:
    names = draw(st.lists(keys, unique=True, max_size=EXTRA_ELEMENTS))
    return {name: draw(value_for(name)) for name in names}


@st.composite
def _shuffled_concat(
    draw: st.DrawFn, required: SearchStrategy[list[Any]], extras: SearchStrategy[list[Any]]
) -> list[Any]:
    items = draw(required) + draw(extras)
    return list(draw(st.permutations(items)))
