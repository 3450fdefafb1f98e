r"""Hypothesis strategies derived from Pact matchers and contracts.

A contract with matchers promises a *space* of values, not one example. These
strategies draw from that space, so a property-based test sees what a real
provider (or consumer) may send:

```python
from hypothesis import given
from pactdsl.match import each_like, integer, regex
from pactdsl.strategies import from_body, from_matcher, responses

@given(from_matcher(regex(r"\d{3}-\d{4}", "555-0100")))
def test_parse_phone(phone): ...

@given(from_body({"items": each_like({"id": integer(1)}, min=0)}))
def test_render(payload): ...

@given(responses(user_contract, "get user 123"))
def test_client(response): ...
```

Every value drawn satisfies the matcher in pactdsl's matching engine; the
strategies shrink to small values, and their repr names the matcher, such as
``from_matcher(regex('\\d+', '12'))``.

This is the only public module of pactdsl that imports hypothesis, so
``import pactdsl`` stays light.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

from pactdsl._dsl import Contract, resolve_pact
from pactdsl._errors import InvalidMatcher
from pactdsl._matchers import (
    UNSET,
    Matcher,
    RuleGroup,
    _ArrayContains,
    _Boolean,
    _Combined,
    _ContentType,
    _DateLike,
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
    _TypeMatcher,
    _Values,
    compile_regex,
    flatten,
    regex_fullmatch,
    rule_path_child,
)
from pactdsl._model import Interaction, Pact, is_json_content_type
from pactdsl._rule import SEMVER_PATTERN, STATUS_CLASSES
from pactdsl._rulepath import parse_rule_path

if TYPE_CHECKING:
    from hypothesis.internal.conjecture.data import ConjectureData

__all__ = [
    "DrawnRequest",
    "DrawnResponse",
    "from_body",
    "from_matcher",
    "fuzz_response_factory",
    "requests",
    "responses",
]

# Lists with no upper bound grow at most this many elements past their lower
# bound (or their example's length): enough to find length bugs, small to read.
_EXTRA_ELEMENTS: Final = 4

# The matchers that say nothing without the example they sit on.
_NEEDS_EXAMPLE: Final = (
    _TypeMatcher,
    _Equality,
    _Values,
    _NotEmpty,
    _ContentType,
    _ArrayContains,
)


class _Context(enum.Enum):
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
_ALPHABETS: Final[Mapping[_Context, SearchStrategy[str]]] = {
    _Context.BODY: st.characters(codec="utf-8"),
    _Context.HEADER: _PRINTABLE_ASCII,
    _Context.PATH: _PATH_CHARACTERS,
}


class _Named(SearchStrategy[Any]):
    """A strategy whose repr names what it was derived from, not its expanded tree."""

    def __init__(self, name: str, inner: SearchStrategy[Any]) -> None:
        super().__init__()
        self._name = name
        self._inner = inner

    def __repr__(self) -> str:
        return self._name

    def do_validate(self) -> None:
        self._inner.validate()

    def do_draw(self, data: ConjectureData) -> Any:
        return data.draw(self._inner)


def _short(value: Any, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


def _text(context: _Context, min_size: int = 0) -> SearchStrategy[str]:
    if context is _Context.BODY:
        return st.text(min_size=min_size)
    return st.text(alphabet=_ALPHABETS[context], min_size=min_size)


def _same_type(example: Any, context: _Context) -> SearchStrategy[Any]:
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


def _regex_strategy(pattern: str, context: _Context, where: str) -> SearchStrategy[str]:
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
    checker = compile_regex(pattern, where)
    strategy = st.from_regex(compiled, fullmatch=True, alphabet=_ALPHABETS[context])
    # `re` and the `regex` module the engine uses differ in corners (Unicode
    # classes, case folding): keep only what the engine accepts.
    return strategy.filter(lambda text: regex_fullmatch(checker, text))


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


def _stringify(value: Any) -> str:
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
# The walker: rules by path over a plain example, mirroring the engine.


class _AnyIndex(enum.Enum):
    """A list element past the example's length: only ``[*]`` rules reach it."""

    ANY = "*"


_Segment = str | int | _AnyIndex
_Tokens = tuple[str | int, ...]


def _score(token: str | int, segment: _Segment) -> int:
    if token == "*":
        return 1
    if isinstance(segment, _AnyIndex):
        return 0
    if isinstance(token, int):
        return 2 if isinstance(segment, int) and segment == token else 0
    if isinstance(segment, int):
        return 2 if token.isdigit() and int(token) == segment else 0
    return 2 if token == segment else 0


def _render_tokens(tokens: Sequence[str | int], root: str) -> str:
    path = root
    for token in tokens:
        path = rule_path_child(path, token)
    return path


class _Cascade(enum.Enum):
    """What an ancestor's rule says about a place with no rule of its own."""

    NONE = "none"
    TYPE = "type"
    EQUALITY = "equality"
    NOT_EMPTY = "notEmpty"


class _Walker:
    """Builds the strategy for a plain example under rules keyed by path.

    It follows the engine's reading of rules: the heaviest path wins at each
    place; a ``type`` rule cascades to the places below as a plain type rule,
    ``notEmpty`` as non-emptiness, ``values`` as equality of scalars; an
    ``equality`` rule resets that.
    """

    def __init__(self, rules: Mapping[str, RuleGroup], context: _Context) -> None:
        self.context = context
        self.rules: list[tuple[_Tokens, RuleGroup]] = []
        for path, group in rules.items():
            self.rules.append((tuple(parse_rule_path(path or "$")), group))

    # -- finding rules ------------------------------------------------------

    def best(self, segments: tuple[_Segment, ...]) -> RuleGroup | None:
        found: RuleGroup | None = None
        weight = 0
        for tokens, group in self.rules:
            if len(tokens) != len(segments):
                continue
            score = 1
            for token, segment in zip(tokens, segments, strict=True):
                score *= _score(token, segment)
                if not score:
                    break
            if score > weight:
                found, weight = group, score
        return found

    def accepts(self, expected: Any, actual: Any, segments: tuple[_Segment, ...]) -> bool:
        """Whether the engine accepts `actual` at this place, with the rules below it."""
        from pactdsl.matching import match_body

        rules: dict[str, Any] = {}
        depth = len(segments)
        for tokens, group in self.rules:
            if len(tokens) < depth:
                continue
            if all(_score(t, s) for t, s in zip(tokens[:depth], segments, strict=True)):
                rules[_render_tokens(tokens[depth:], "$.v")] = group.to_json()
        mismatches = match_body(
            {"v": expected},
            {"v": actual},
            rules,
            content_type="application/json",
            allow_unexpected_keys=False,
        )
        return not mismatches

    # -- strategies ---------------------------------------------------------

    def node(
        self, expected: Any, segments: tuple[_Segment, ...], cascade: _Cascade
    ) -> SearchStrategy[Any]:
        group = self.best(segments)
        if group is None:
            if cascade is _Cascade.TYPE:
                return self.by_type(expected, segments, None, None)
            if cascade is _Cascade.NOT_EMPTY:
                return self.not_empty(expected, segments, cascade)
            return self.plain(expected, segments, cascade)
        return self.group(group, expected, segments, cascade)

    def plain(
        self, expected: Any, segments: tuple[_Segment, ...], cascade: _Cascade
    ) -> SearchStrategy[Any]:
        if isinstance(expected, dict):
            return st.fixed_dictionaries(
                {k: self.node(v, (*segments, k), cascade) for k, v in expected.items()}
            )
        if isinstance(expected, list):
            items = [self.node(v, (*segments, i), cascade) for i, v in enumerate(expected)]
            return st.tuples(*items).map(list)
        return st.just(expected)

    def by_type(
        self,
        expected: Any,
        segments: tuple[_Segment, ...],
        low: int | None,
        high: int | None,
        cascade: _Cascade = _Cascade.TYPE,
    ) -> SearchStrategy[Any]:
        if isinstance(expected, dict):
            return st.fixed_dictionaries(
                {k: self.node(v, (*segments, k), cascade) for k, v in expected.items()}
            )
        if isinstance(expected, list):
            return self.grown_list(expected, segments, low, high, cascade)
        return _same_type(expected, self.context)

    def grown_list(
        self,
        expected: list[Any],
        segments: tuple[_Segment, ...],
        low: int | None,
        high: int | None,
        cascade: _Cascade,
    ) -> SearchStrategy[list[Any]]:
        heads = [self.node(v, (*segments, i), cascade) for i, v in enumerate(expected)]
        tail = (
            self.node(expected[0], (*segments, _AnyIndex.ANY), cascade) if expected else _ANY_JSON
        )
        least = low or 0
        most = high if high is not None else max(least, len(expected)) + _EXTRA_ELEMENTS
        if not heads:
            return st.lists(tail, min_size=least, max_size=most)
        return _grown(heads, tail, least, most)

    def group(
        self,
        group: RuleGroup,
        expected: Any,
        segments: tuple[_Segment, ...],
        cascade: _Cascade,
    ) -> SearchStrategy[Any]:
        members = group.matchers
        if len(members) == 1:
            return self.member(members[0], expected, segments, cascade)

        # Every member's example is the place's one example, as in the engine.
        def check(value: Any) -> bool:
            return self.accepts(expected, value, segments)

        if group.combine == "OR":
            options = [self.member(m, expected, segments, cascade) for m in members]
            return st.one_of(options).filter(check)
        return self.member(members[0], expected, segments, cascade).filter(check)

    def member(
        self,
        matcher: Matcher,
        expected: Any,
        segments: tuple[_Segment, ...],
        cascade: _Cascade,
    ) -> SearchStrategy[Any]:
        """The strategy for one rule-form matcher applied at one place."""
        if isinstance(matcher, _TypeMatcher | _EachLike):
            return self.by_type(expected, segments, matcher.min, matcher.max)
        if isinstance(matcher, _Equality):
            return self.plain(expected, segments, _Cascade.EQUALITY)
        if isinstance(matcher, _Values):
            return self.values(expected, segments)
        if isinstance(matcher, _NotEmpty):
            return self.not_empty(expected, segments, _Cascade.NOT_EMPTY)
        if isinstance(matcher, _ArrayContains):
            return self.array_contains(matcher, expected)
        if isinstance(matcher, _EachKey):
            return self.each_key(matcher, expected, segments, cascade)
        if isinstance(matcher, _EachValue):
            return self.each_value(matcher, expected, segments)
        if isinstance(matcher, _ContentType):
            return st.just(expected)
        return self.scalar(matcher, expected)

    def scalar(self, matcher: Matcher, expected: Any) -> SearchStrategy[Any]:
        strategy = _scalar_strategy(matcher, expected, self.context)
        if self.context is not _Context.BODY:
            return strategy.map(_stringify)
        return strategy

    def values(self, expected: Any, segments: tuple[_Segment, ...]) -> SearchStrategy[Any]:
        # Below a values rule the engine compares scalars by equality and
        # arrays element by element (the extras against the first element).
        if isinstance(expected, list):
            return self.grown_list(expected, segments, None, None, _Cascade.EQUALITY)
        if not isinstance(expected, dict):
            if self.context is _Context.BODY:
                return st.just(expected)
            return _same_type(expected, self.context)
        return self.open_map(expected, segments, _Cascade.EQUALITY, _text(self.context))

    def open_map(
        self,
        expected: dict[str, Any],
        segments: tuple[_Segment, ...],
        cascade: _Cascade,
        keys: SearchStrategy[str],
    ) -> SearchStrategy[dict[str, Any]]:
        """A map of any keys, each value compared with the example's value or its first."""
        if not expected:
            return st.dictionaries(keys, _ANY_JSON, max_size=_EXTRA_ELEMENTS)
        first = next(iter(expected.values()))

        def value_for(key: str) -> SearchStrategy[Any]:
            return self.node(expected.get(key, first), (*segments, key), cascade)

        return _open_map(keys, value_for)

    def not_empty(
        self, expected: Any, segments: tuple[_Segment, ...], cascade: _Cascade
    ) -> SearchStrategy[Any]:
        # notEmpty, and the places below it, need values that are present and
        # not empty; the type is kept where the example has one to keep.
        if isinstance(expected, dict):
            return self.plain(expected, segments, cascade)
        if isinstance(expected, list):
            if not expected:
                return st.lists(_text(self.context, min_size=1), min_size=1, max_size=2)
            return self.grown_list(expected, segments, 1, None, cascade)
        if isinstance(expected, str) or expected is None:
            return _text(self.context, min_size=1)
        return _same_type(expected, self.context)

    def array_contains(self, matcher: _ArrayContains, expected: Any) -> SearchStrategy[Any]:
        items = expected if isinstance(expected, list) else []
        required = []
        for variant in matcher.variants:
            if variant.index < len(items):
                walker = _Walker(variant.rules, self.context)
                required.append(walker.node(items[variant.index], (), _Cascade.NONE))
        if not required:
            return st.lists(_ANY_JSON, max_size=_EXTRA_ELEMENTS)
        extras = st.lists(st.one_of(required), max_size=_EXTRA_ELEMENTS)
        return _shuffled_concat(st.tuples(*required).map(list), extras)

    def each_key(
        self,
        matcher: _EachKey,
        expected: Any,
        segments: tuple[_Segment, ...],
        cascade: _Cascade,
    ) -> SearchStrategy[Any]:
        keys = _text_for(matcher.rules, self.context)
        example = expected if isinstance(expected, dict) else {}
        return self.open_map(example, segments, cascade, keys)

    def each_value(
        self, matcher: _EachValue, expected: Any, segments: tuple[_Segment, ...]
    ) -> SearchStrategy[Any]:
        template: Any = None
        if isinstance(expected, dict) and expected:
            template = next(iter(expected.values()))
        elif isinstance(expected, list) and expected:
            template = expected[0]
        elif matcher.example is not UNSET:
            template = matcher.example
        place = (*segments, _AnyIndex.ANY)
        inner = _Walker({}, self.context)
        checker = _Walker({"$": RuleGroup(matcher.rules)}, self.context)

        # The nested rules apply at each value, with the example's value at the
        # same key or index as example, else its first value (as in the engine).
        def value_for(example: Any) -> SearchStrategy[Any]:
            drawn = inner.member(matcher.rules[0], example, place, _Cascade.NONE)
            if len(matcher.rules) > 1:
                drawn = drawn.filter(lambda v: checker.accepts(example, v, ()))
            return drawn

        if isinstance(expected, list):
            heads = [value_for(item) for item in expected]
            return _grown(heads, value_for(template), 0, len(heads) + _EXTRA_ELEMENTS)
        example_map = expected if isinstance(expected, dict) else {}
        return _open_map(_text(self.context), lambda key: value_for(example_map.get(key, template)))


def _scalar_strategy(matcher: Matcher, expected: Any, context: _Context) -> SearchStrategy[Any]:
    if isinstance(matcher, _Regex):
        return _regex_strategy(matcher.pattern, context, f"from_matcher({matcher!r})")
    if isinstance(matcher, _Integer):
        return st.integers()
    if isinstance(matcher, _Decimal):
        return _DECIMALS
    if isinstance(matcher, _Number):
        return st.integers() | _FINITE_FLOATS
    if isinstance(matcher, _Boolean):
        return st.booleans()
    if isinstance(matcher, _Null):
        return st.none()
    if isinstance(matcher, _DateLike):
        return _date_strategy(matcher.format)
    if isinstance(matcher, _Includes):
        around = _text(context, 0)
        value = matcher.value
        return st.tuples(around, around).map(lambda parts: parts[0] + value + parts[1])
    if isinstance(matcher, _Semver):
        return _regex_strategy(_ASCII_SEMVER, _Context.HEADER, "semver()")
    if isinstance(matcher, _StatusCode):
        return _status_codes(matcher.status, expected)
    msg = f"from_matcher({matcher!r}): no strategy for {type(matcher).__name__}"
    raise InvalidMatcher(msg)


def _text_for(matchers: Sequence[Matcher], context: _Context) -> SearchStrategy[str]:
    """Text that satisfies every matcher (keys of `each_key`)."""
    context = _Context.BODY if context is _Context.BODY else context
    walker = _Walker({}, context)
    first = matchers[0]
    if isinstance(first, _TypeMatcher | _EachLike | _NotEmpty | _Equality | _Values):
        base: SearchStrategy[str] = _text(context, 1 if isinstance(first, _NotEmpty) else 0)
    else:
        base = walker.member(first, "", (), _Cascade.NONE).map(_stringify)
    if len(matchers) == 1 and isinstance(first, _Regex | _Integer | _TypeMatcher):
        return base
    rule = {"match": "eachKey", "rules": [m.to_rule() for m in matchers]}

    def check(key: str) -> bool:
        from pactdsl.matching import match_body

        return not match_body(
            {},
            {key: None},
            {"$": {"matchers": [rule]}},
            content_type="application/json",
            allow_unexpected_keys=True,
        )

    return base.filter(check)


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
    names = draw(st.lists(keys, unique=True, max_size=_EXTRA_ELEMENTS))
    return {name: draw(value_for(name)) for name in names}


@st.composite
def _shuffled_concat(
    draw: st.DrawFn, required: SearchStrategy[list[Any]], extras: SearchStrategy[list[Any]]
) -> list[Any]:
    items = draw(required) + draw(extras)
    return list(draw(st.permutations(items)))


# --------------------------------------------------------------------------
# Public strategies.


def _check_matcher(matcher: Any, where: str) -> Matcher:
    if not isinstance(matcher, Matcher):
        msg = (
            f"{where}: matcher={matcher!r} ({type(matcher).__name__}) is not a matcher; "
            "make one with pactdsl.match (like, regex, integer, ...)"
        )
        raise InvalidMatcher(msg)
    return matcher


def _members(matcher: Matcher) -> tuple[Matcher, ...]:
    if isinstance(matcher, _Combined):
        return tuple(m for member in matcher.matchers for m in _members(member))
    return (matcher,)


def from_matcher(matcher: Matcher, *, example: Any = UNSET) -> SearchStrategy[Any]:
    """A strategy for the values `matcher` accepts.

    Works on matchers made by the factories in `pactdsl.match` (with examples,
    and matchers nested inside them), on combinations made with ``&`` (drawn
    from the first, filtered by the engine) and ``|``, and on matchers in rule
    form from `matcher_from_rule` (those have no example: pass it as `example`
    where the matcher needs one, e.g. a ``type`` rule).

    Args:
        matcher: The matcher.
        example: The example the matcher sits on, for a matcher in rule form;
            it replaces the matcher's own example.

    Returns:
        A strategy whose repr is ``from_matcher(<the matcher>)``.

    Raises:
        InvalidMatcher: if `matcher` is not a matcher, needs an example it
            lacks, or holds a regex Python cannot generate from.
    """
    checked = _check_matcher(matcher, "from_matcher()")
    parts = flatten(checked)
    value = parts.example if example is UNSET else example
    if value is UNSET:
        lacking = [m for m in _members(checked) if isinstance(m, _NEEDS_EXAMPLE)]
        if lacking:
            msg = (
                f"from_matcher({checked!r}): {lacking[0]!r} is in rule form and has no "
                "example, and the kind of value depends on it; pass example=<the value "
                "from the pact body>, or use from_body with the DSL form"
            )
            raise InvalidMatcher(msg)
        value = None
    walker = _Walker(parts.rules, _Context.BODY)
    shown = repr(checked) if example is UNSET else f"{checked!r}, example={_short(example)}"
    return _Named(f"from_matcher({shown})", walker.node(value, (), _Cascade.NONE))


def from_body(template: Any) -> SearchStrategy[Any]:
    """A strategy for bodies matching `template`, a JSON value with matchers inside.

    Plain values must be equal (as in a pact); matchers and generators inside
    draw from their own strategies.

    ```python
    from_body({"id": integer(1), "tags": each_like("red", min=0), "kind": "user"})
    ```

    Raises:
        InvalidMatcher: if a matcher inside cannot be generated from.
    """
    parts = flatten(template)
    walker = _Walker(parts.rules, _Context.BODY)
    return _Named(f"from_body({_short(template)})", walker.node(parts.example, (), _Cascade.NONE))


def from_rules(example: Any, rules: Mapping[str, RuleGroup]) -> SearchStrategy[Any]:
    """A strategy for bodies like `example` under rules keyed by path (a pact's form).

    Args:
        example: The plain example body from the pact.
        rules: The body's rule groups by path (``{"$.items": RuleGroup(...)}``).
    """
    walker = _Walker(rules, _Context.BODY)
    return _Named(f"from_rules({_short(example)}, ...)", walker.node(example, (), _Cascade.NONE))


@attrs.frozen
class DrawnResponse:
    """A response drawn from an interaction: what a mock provider may answer.

    Attributes:
        status: The HTTP status.
        headers: Header name to values.
        body: The body: a JSON value, text, bytes, or None for no body.
        content_type: The body's media type, or None.
    """

    status: int
    headers: dict[str, list[str]] = attrs.field(factory=dict)
    body: Any = None
    content_type: str | None = attrs.field(default=None, repr=False)

    def content(self) -> bytes:
        """The body as bytes on the wire."""
        return _encode(self.body, self.content_type)


@attrs.frozen
class DrawnRequest:
    """A request drawn from an interaction: what a consumer may send.

    Attributes:
        method: The HTTP method.
        path: The path.
        query: Query parameter name to values.
        headers: Header name to values.
        body: The body: a JSON value, text, bytes, or None for no body.
        content_type: The body's media type, or None.
    """

    method: str
    path: str
    query: dict[str, list[str]] = attrs.field(factory=dict)
    headers: dict[str, list[str]] = attrs.field(factory=dict)
    body: Any = None
    content_type: str | None = attrs.field(default=None, repr=False)

    def content(self) -> bytes:
        """The body as bytes on the wire."""
        return _encode(self.body, self.content_type)


def _encode(body: Any, content_type: str | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str) and not is_json_content_type(content_type):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _text_slot(example: str, group: RuleGroup | None, context: _Context) -> SearchStrategy[str]:
    """A header, query or path value: text satisfying the slot's rules."""
    if group is None:
        return st.just(example)
    walker = _Walker({"$": group}, context)
    strategy = walker.node(example, (), _Cascade.NONE).map(_stringify)
    if context is _Context.HEADER:
        # HTTP trims the whitespace around a header value.
        strategy = strategy.filter(lambda text: text == text.strip())
    return strategy.filter(lambda text: _text_accepts(example, text, group))


def _text_accepts(example: str, value: str, group: RuleGroup) -> bool:
    from pactdsl.matching import match_response

    expected = {
        "status": 200,
        "headers": {"X-Value": [example]},
        "matchingRules": {"header": {"X-Value": group.to_json()}},
    }
    return not match_response(expected, {"status": 200, "headers": {"X-Value": [value]}}, "4.0")


def _text_map(
    values: Mapping[str, tuple[str, ...]],
    rules: Mapping[str, RuleGroup],
    context: _Context,
) -> SearchStrategy[dict[str, list[str]]]:
    by_lower = {name.lower(): group for name, group in rules.items()}
    fields = {}
    for name, items in values.items():
        group = rules.get(name, by_lower.get(name.lower()))
        fields[name] = st.tuples(*(_text_slot(v, group, context) for v in items)).map(list)
    return st.fixed_dictionaries(fields)


def _body_strategy(
    content: Any, content_type: str | None, rules: Mapping[str, RuleGroup]
) -> SearchStrategy[Any]:
    if content is None or isinstance(content, bytes) or not rules:
        return st.just(content)
    return _Walker(rules, _Context.BODY).node(content, (), _Cascade.NONE)


def response_strategy(interaction: Interaction) -> SearchStrategy[DrawnResponse]:
    """The strategy for the responses an interaction (model form) allows."""
    response = interaction.response
    rules = response.matching_rules
    status_group = rules.get("status", {}).get("")
    if status_group is None:
        status: SearchStrategy[int] = st.just(response.status)
    else:
        status = _Walker({"$": status_group}, _Context.BODY).node(
            response.status, (), _Cascade.NONE
        )
    body = response.body
    content_type = body.content_type if body is not None else None
    strategy = st.builds(
        DrawnResponse,
        status=status,
        headers=_text_map(response.headers, rules.get("header", {}), _Context.HEADER),
        body=_body_strategy(
            body.content if body is not None else None, content_type, rules.get("body", {})
        ),
        content_type=st.just(content_type),
    )
    return _Named(f"responses(<interaction {interaction.description!r}>)", strategy)


def request_strategy(interaction: Interaction) -> SearchStrategy[DrawnRequest]:
    """The strategy for the requests an interaction (model form) allows."""
    request = interaction.request
    rules = request.matching_rules
    body = request.body
    content_type = body.content_type if body is not None else None
    strategy = st.builds(
        DrawnRequest,
        method=st.just(request.method),
        path=_text_slot(request.path, rules.get("path", {}).get(""), _Context.PATH),
        query=_text_map(request.query, rules.get("query", {}), _Context.HEADER),
        headers=_text_map(request.headers, rules.get("header", {}), _Context.HEADER),
        body=_body_strategy(
            body.content if body is not None else None, content_type, rules.get("body", {})
        ),
        content_type=st.just(content_type),
    )
    return _Named(f"requests(<interaction {interaction.description!r}>)", strategy)


def _interaction(source: Contract | Pact | str, description: str, where: str) -> Interaction:
    pact = resolve_pact(source)
    try:
        return pact.interaction(description)
    except KeyError as exc:
        raise KeyError(f"{where}: {exc.args[0]}") from None


def responses(source: Contract | Pact | str, description: str) -> SearchStrategy[DrawnResponse]:
    """A strategy for the responses the contract allows for one interaction.

    Status, headers and body are drawn from their matchers; parts without a
    matcher keep the contract's example.

    Args:
        source: A `Contract`, a `Pact` (e.g. from `load_pact`), or the name of
            a registered contract.
        description: The interaction's description.

    Returns:
        A strategy of `DrawnResponse`; ``.content()`` gives the body bytes.

    Raises:
        KeyError: if no interaction has that description.
    """
    interaction = _interaction(source, description, "responses()")
    return _Named(
        f"responses({_source_name(source)}, {description!r})", response_strategy(interaction)
    )


def requests(source: Contract | Pact | str, description: str) -> SearchStrategy[DrawnRequest]:
    """A strategy for the requests the contract allows for one interaction.

    Useful on the provider side: every drawn request should get an answer the
    contract allows.

    Args:
        source: A `Contract`, a `Pact`, or the name of a registered contract.
        description: The interaction's description.

    Returns:
        A strategy of `DrawnRequest`.

    Raises:
        KeyError: if no interaction has that description.
    """
    interaction = _interaction(source, description, "requests()")
    return _Named(
        f"requests({_source_name(source)}, {description!r})", request_strategy(interaction)
    )


def _source_name(source: Contract | Pact | str) -> str:
    if isinstance(source, Contract):
        return source.name
    if isinstance(source, Pact):
        return f"<pact {source.consumer}-{source.provider}>"
    return repr(source)


def fuzz_response_factory(
    source: Contract | Pact | str, *, seed: int = 0
) -> Callable[[Interaction], tuple[int, Mapping[str, list[str]], bytes]]:
    """A response factory for a mock provider: each call draws a fresh response.

    ``mock_provider(contract, fuzz=True)`` calls this. Inside `fuzz_contract`
    (or any hypothesis test) the responses are drawn through the test's data,
    so a failure shrinks to the smallest response that breaks the consumer.
    Outside a hypothesis test they come from a random generator seeded with
    `seed`, so a run is reproducible.

    Args:
        source: A `Contract`, a `Pact`, or the name of a registered contract.
        seed: The seed for draws outside a hypothesis test.

    Returns:
        A callable taking the matched `Interaction` and returning
        ``(status, headers, body bytes)``.
    """
    from pactdsl._fuzz import FuzzResponder

    return FuzzResponder(resolve_pact(source), seed=seed)


def __getattr__(name: str) -> Any:
    # `fuzz_contract` lives in `pactdsl._fuzz` (so `pactdsl` can export it
    # without importing hypothesis); it is reachable from here too.
    if name == "fuzz_contract":
        from pactdsl._fuzz import fuzz_contract

        return fuzz_contract
    msg = f"module 'pactdsl.strategies' has no attribute {name!r}"
    raise AttributeError(msg)
