"""Matcher conformance: what `from_matcher` draws, the matching engine accepts.

Also: matchers survive the trip through their rule form, and values that must
not match (negative generation) are rejected by the engine.
"""

from __future__ import annotations

import json
import math
import string
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from pactdsl import match
from pactdsl._flatten import flatten
from pactdsl._javatime import java_format_matches
from pactdsl._matchers import (
    Matcher,
    _Combined,
    compile_regex,
    matcher_from_rule,
    regex_fullmatch,
    rule_group_from_json,
)
from pactdsl.matching import match_body
from pactdsl.strategies import from_matcher
from tests.strategies_matchers import DATE_FORMATS, REGEX_CASES, leaf_matchers, matchers


def _wire(value: Any) -> Any:
    """The value as it arrives after JSON encoding."""
    return json.loads(json.dumps(value))


def _mismatches(matcher: Matcher, value: Any, example: Any = None) -> list[str]:
    """The engine's verdict on `value` under `matcher`, placed at `$.v` of a body."""
    parts = flatten(matcher)
    expected = parts.example if example is None else example
    rules = {"$.v" + path[1:]: group.to_json() for path, group in parts.rules.items()}
    found = match_body(
        {"v": expected},
        {"v": _wire(value)},
        rules,
        content_type="application/json",
        allow_unexpected_keys=False,
    )
    return [str(m) for m in found]


def _rule_form(matcher: Matcher) -> Matcher:
    return matcher_from_rule(matcher.to_rule(), "test")


@given(st.data(), matchers())
def test_drawn_values_satisfy_their_matcher(data: st.DataObject, matcher: Matcher) -> None:
    """Every value drawn from from_matcher(m), JSON-encoded, satisfies m in the engine."""
    value = data.draw(from_matcher(matcher), label="value")
    assert _mismatches(matcher, value) == []


@given(st.data(), matchers())
def test_rule_form_values_satisfy_the_rule(data: st.DataObject, matcher: Matcher) -> None:
    """A matcher in rule form, given its example, draws values its rules accept."""
    group = matcher.rule_group()
    rule_form = rule_group_from_json(group.to_json(), "test")
    rebuilt = rule_form.matchers[0]
    for other in rule_form.matchers[1:]:
        rebuilt = rebuilt & other if rule_form.combine == "AND" else rebuilt | other
    example = matcher.example_value()
    note(f"rule form: {rebuilt!r}")
    value = data.draw(from_matcher(rebuilt, example=example), label="value")
    rules = {"$.v": group.to_json()}
    found = match_body(
        {"v": example},
        {"v": _wire(value)},
        rules,
        content_type="application/json",
        allow_unexpected_keys=False,
    )
    assert [str(m) for m in found] == []


@given(matchers())
def test_rule_form_round_trips(matcher: Matcher) -> None:
    """matcher_from_rule(m.to_rule()) reads back to itself; rule groups round-trip as JSON."""
    group = matcher.rule_group()
    assert rule_group_from_json(group.to_json(), "test") == group
    if not isinstance(matcher, _Combined):
        once = _rule_form(matcher)
        assert matcher_from_rule(once.to_rule(), "test") == once
        assert once.to_rule() == matcher.to_rule()


def test_every_matcher_kind_is_drawn() -> None:
    """The random matcher strategy reaches every matcher class of pactdsl."""
    from pactdsl import _matchers

    def leaves(cls: type) -> set[type]:
        subs: set[type] = set(cls.__subclasses__())
        return {c for c in subs if not c.__subclasses__()} | {
            leaf for c in subs for leaf in leaves(c)
        }

    classes = {c for c in leaves(_matchers.Matcher) if not c.__name__.startswith("_Combined")}
    seen: set[type] = set()

    @settings(max_examples=400, database=None)
    @given(matchers())
    def collect(matcher: Matcher) -> None:
        stack: list[Any] = [matcher]
        while stack:
            item = stack.pop()
            if isinstance(item, Matcher):
                seen.add(type(item))
                stack.extend(getattr(item, "matchers", ()))
                for _, template in item.nested():
                    stack.append(template)
                stack.extend(getattr(item, "rules", ()))
                examples = getattr(item, "examples", ())
                stack.extend(examples if isinstance(examples, tuple) else ())
            elif isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list | tuple):
                stack.extend(item)

    collect()
    assert classes - seen == set()


# --------------------------------------------------------------------------
# Negative generation: values outside a matcher are rejected.

_OTHER_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(), inner, max_size=2),
    max_leaves=4,
).filter(lambda v: not (isinstance(v, float) and math.isinf(v)))


def _negatives(matcher: Matcher) -> st.SearchStrategy[Any]:
    kind = type(matcher).__name__
    if kind == "_Integer":
        return _OTHER_JSON.filter(lambda v: not isinstance(v, int) or isinstance(v, bool))
    if kind == "_Decimal":
        return _OTHER_JSON.filter(lambda v: not isinstance(v, float))
    if kind == "_Boolean":
        return _OTHER_JSON.filter(lambda v: not isinstance(v, bool))
    if kind == "_Null":
        return _OTHER_JSON.filter(lambda v: v is not None)
    if kind == "_Regex":
        compiled = compile_regex(matcher.pattern, "test")  # type: ignore[attr-defined]
        texts = st.text().filter(lambda t: not regex_fullmatch(compiled, t))
        # Numbers and booleans are compared by their text, so only these are sure misses.
        return texts | st.none() | st.lists(st.text(), max_size=2).map(lambda xs: xs or ["x"])
    if kind in ("_Date", "_Time", "_DateTime"):
        fmt = matcher.format  # type: ignore[attr-defined]
        texts = st.text(alphabet=string.digits + "-:T .ZAPM", max_size=25)
        return texts.filter(lambda t: not java_format_matches(fmt, t)) | st.integers()
    example = matcher.example_value()
    if isinstance(example, str):
        return _OTHER_JSON.filter(lambda v: not isinstance(v, str))
    return _OTHER_JSON.filter(lambda v: not isinstance(v, int | float) or isinstance(v, bool))


_NEGATIVE_CASES = [
    match.integer(3),
    match.decimal(2.5),
    match.boolean(),
    match.null(),
    *(match.regex(p, e) for p, e in REGEX_CASES if p != ".*"),
    match.type_of(str),
    match.type_of(int),
    *(match.date(fmt) for kind, fmt in DATE_FORMATS if kind == "date"),
]


@pytest.mark.parametrize("matcher", _NEGATIVE_CASES, ids=repr)
def test_values_outside_a_matcher_are_rejected(matcher: Matcher) -> None:
    """Values that must not match a common matcher are rejected by the engine."""

    @settings(max_examples=40, database=None)
    @given(_negatives(matcher))
    def check(value: Any) -> None:
        assert _mismatches(matcher, value) != []

    check()


@given(leaf_matchers(), st.data())
def test_a_drawn_value_keeps_the_example_type(matcher: Matcher, data: st.DataObject) -> None:
    """Scalar strategies draw the same JSON type as the example, so bodies stay readable."""
    value = data.draw(from_matcher(matcher))
    example = matcher.example_value()
    if isinstance(example, bool):
        assert isinstance(value, bool)
    elif isinstance(example, str) and type(matcher).__name__ != "_StatusCode":
        assert isinstance(value, str)
