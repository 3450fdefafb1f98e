"""Matchers: examples, Pact rules, parsing rules back, reprs and combinations."""

from __future__ import annotations

from typing import Any

import pytest

from pactdsl import InvalidMatcher, match
from pactdsl._flatten import flatten
from pactdsl._matchers import RuleGroup, matcher_from_rule, rule_group_from_json
from pactdsl.generate import random_int

# factory call -> (example value, rule dicts of the group at "$")
RULES: list[Any] = [
    (match.like({"a": 1}), {"a": 1}, [{"match": "type"}]),
    (match.like([1, 2], min=1, max=3), [1, 2], [{"match": "type", "min": 1, "max": 3}]),
    (match.type_of(str), "string", [{"match": "type"}]),
    (match.type_of(int), 1, [{"match": "type"}]),
    (match.type_of(float), 1.5, [{"match": "type"}]),
    (match.type_of(bool), True, [{"match": "type"}]),
    (match.type_of(list), [], [{"match": "type"}]),
    (match.type_of(dict), {}, [{"match": "type"}]),
    (match.each_like({"id": 1}), [{"id": 1}], [{"match": "type", "min": 1}]),
    (match.each_like(7, min=3, max=5), [7, 7, 7], [{"match": "type", "min": 3, "max": 5}]),
    (match.each_like(7, min=0), [7], [{"match": "type", "min": 0}]),
    (match.regex(r"\d+", "12"), "12", [{"match": "regex", "regex": r"\d+"}]),
    (match.integer(), 1, [{"match": "integer"}]),
    (match.integer(-5), -5, [{"match": "integer"}]),
    (match.decimal(), 1.5, [{"match": "decimal"}]),
    (match.number(2), 2, [{"match": "number"}]),
    (match.number(2.5), 2.5, [{"match": "number"}]),
    (match.boolean(False), False, [{"match": "boolean"}]),
    (match.null(), None, [{"match": "null"}]),
    (match.date(), "2024-01-02", [{"match": "date", "format": "yyyy-MM-dd"}]),
    (
        match.date("dd.MM.yyyy", "29.02.2020"),
        "29.02.2020",
        [{"match": "date", "format": "dd.MM.yyyy"}],
    ),
    (match.time(), "03:04:05", [{"match": "time", "format": "HH:mm:ss"}]),
    (
        match.datetime("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
        "2024-01-02T03:04:05.678Z",
        [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}],
    ),
    (match.includes("lo"), "lo", [{"match": "include", "value": "lo"}]),
    (match.includes("lo", "hello"), "hello", [{"match": "include", "value": "lo"}]),
    (match.equality([1, "a"]), [1, "a"], [{"match": "equality"}]),
    (match.values({"x": 1}), {"x": 1}, [{"match": "values"}]),
    (match.content_type("text/csv", "x"), "x", [{"match": "contentType", "value": "text/csv"}]),
    (match.semver(), "1.0.0", [{"match": "semver"}]),
    (match.semver("2.0.0-rc.1+build.5"), "2.0.0-rc.1+build.5", [{"match": "semver"}]),
    (match.not_empty("x"), "x", [{"match": "notEmpty"}]),
    (match.status_code(), 200, [{"match": "statusCode", "status": "success"}]),
    (match.status_code("clientError"), 400, [{"match": "statusCode", "status": "clientError"}]),
    (match.status_code([201, 204]), 201, [{"match": "statusCode", "status": [201, 204]}]),
    (match.status_code("error", 503), 503, [{"match": "statusCode", "status": "error"}]),
    (
        match.each_key({"en": "hi"}, match.regex("[a-z]{2}", "en")),
        {"en": "hi"},
        [
            {
                "match": "eachKey",
                "rules": [{"match": "regex", "regex": "[a-z]{2}"}],
                "value": {"en": "hi"},
            }
        ],
    ),
    (
        match.each_value({"a": "x"}, match.type_of(str)),
        {"a": "x"},
        [{"match": "eachValue", "rules": [{"match": "type"}], "value": {"a": "x"}}],
    ),
    (
        match.array_contains({"id": match.integer(1)}, "b"),
        [{"id": 1}, "b"],
        [
            {
                "match": "arrayContains",
                "variants": [
                    {
                        "index": 0,
                        "rules": {"$.id": {"combine": "AND", "matchers": [{"match": "integer"}]}},
                    },
                    {"index": 1, "rules": {}},
                ],
            }
        ],
    ),
    (match.integer(3) & match.number(3), 3, [{"match": "integer"}, {"match": "number"}]),
]


@pytest.mark.parametrize(("matcher", "example", "rules"), RULES, ids=lambda v: repr(v)[:60])
def test_example_and_rules(matcher: match.Matcher, example: Any, rules: list[Any]) -> None:
    """Each factory gives its example and the Pact rules a pact file holds."""
    parts = flatten(matcher)
    assert parts.example == example
    assert [m.to_rule() for m in parts.rules["$"].matchers] == rules


@pytest.mark.parametrize(("matcher", "example", "rules"), RULES, ids=lambda v: repr(v)[:60])
def test_rules_parse_back(matcher: match.Matcher, example: Any, rules: list[Any]) -> None:
    """The rule JSON of each matcher parses back to an equal rule group."""
    group = matcher.rule_group()
    assert rule_group_from_json(group.to_json(), "rule") == group
    for rule in rules:
        assert matcher_from_rule(rule).to_rule() == rule


@pytest.mark.parametrize(("matcher", "example", "rules"), RULES, ids=lambda v: repr(v)[:60])
def test_repr_reads_like_the_call(matcher: match.Matcher, example: Any, rules: list[Any]) -> None:
    """A matcher's repr evaluates, in the namespace of pactdsl.match, to an equal matcher."""
    namespace = {name: getattr(match, name) for name in match.__all__}
    assert eval(repr(matcher), namespace) == matcher


def test_repr_leaves_out_defaults() -> None:
    """Reprs show only what the call gave, in the call's order."""
    assert repr(match.like({"id": 1})) == "like({'id': 1})"
    assert repr(match.like([1], min=1)) == "like([1], min=1)"
    assert repr(match.each_like(match.integer(2), min=2)) == "each_like(integer(2), min=2)"
    assert repr(match.regex(r"\d+", "1")) == r"regex('\\d+', '1')"
    assert repr(match.null()) == "null()"
    assert repr(match.includes("a")) == "includes('a')"


def test_combinations_flatten_and_keep_their_kind() -> None:
    """(a & b) & c is one AND of three; | gives OR; mixing nests."""
    a, b, c = match.integer(1), match.number(1), match.not_empty(1)
    both = (a & b) & c
    assert both.rule_group() == RuleGroup(
        (a.rule_group().matchers[0], b.rule_group().matchers[0], c.rule_group().matchers[0]),
        "AND",
    )
    either = a | match.null()
    assert either.rule_group().combine == "OR"
    assert repr(either) == "(integer(1) | null())"
    assert either.example_value() == 1
    assert (a & b) == (a & b)
    with pytest.raises(TypeError):
        _ = a & 1  # type: ignore[operator]


def test_nested_rules_have_their_paths() -> None:
    """Matchers nested at any depth put their rules at Pact rule paths, odd keys bracketed."""
    value = {
        "users": match.each_like(
            {"id": match.integer(1), "odd key": match.like("x"), "tags": match.each_like("t")}
        ),
        "it's": {"deep": [match.regex("[ab]", "a")]},
        "plain": 1,
    }
    parts = flatten(value)
    assert sorted(parts.rules) == [
        "$.users",
        "$.users[*].id",
        "$.users[*].tags",
        "$.users[*]['odd key']",
        "$['it\\'s'].deep[0]",
    ]
    assert parts.example == {
        "users": [{"id": 1, "odd key": "x", "tags": ["t"]}],
        "it's": {"deep": ["a"]},
        "plain": 1,
    }


def test_generator_inside_like_is_kept() -> None:
    """like(random_int()) keeps the type rule and the generator at the same path."""
    parts = flatten({"n": match.like(random_int(5, 9))})
    assert parts.example == {"n": 5}
    assert [m.to_rule() for m in parts.rules["$.n"].matchers] == [{"match": "type"}]
    assert parts.generators["$.n"] == random_int(5, 9)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"regex": "a+"}, {"match": "regex", "regex": "a+"}),
        ({"min": "2"}, {"match": "type", "min": 2}),
        ({"match": "type", "max": 3.0}, {"match": "type", "max": 3}),
        ({"match": "timestamp", "format": "yyyy"}, {"match": "datetime", "format": "yyyy"}),
        ({"timestamp": "yyyy"}, {"match": "datetime", "format": "yyyy"}),
        ({"date": "dd/MM"}, {"match": "date", "format": "dd/MM"}),
        ({"match": "real"}, {"match": "decimal"}),
        ({"match": "time"}, {"match": "time", "format": "HH:mm:ss"}),
    ],
)
def test_reads_rule_variants_of_other_writers(
    rule: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Rules without match, numeric-string bounds, timestamp and real read as their modern form."""
    assert matcher_from_rule(rule).to_rule() == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("type", "a matching rule must be an object"),
        ({"match": "regx"}, "unknown matcher 'regx'"),
        ({}, "has no 'match' key"),
        ({"match": "regex"}, "needs a string 'regex', got None"),
        ({"match": "type", "min": "x"}, "min='x' must be a whole number >= 0"),
        ({"match": "type", "min": 3, "max": 1}, "cannot have max=1 < min=3"),
        ({"match": "statusCode", "status": "fine"}, "status='fine' must be one of"),
        ({"match": "arrayContains"}, "needs a list of 'variants'"),
        ({"match": "eachKey", "rules": {}}, "needs a list of 'rules'"),
        ({"match": "date", "format": 1}, "format=1 must be a string"),
    ],
)
def test_bad_rules_name_where(rule: Any, expected: str) -> None:
    """A bad rule dict raises InvalidMatcher starting with the place it came from."""
    with pytest.raises(InvalidMatcher) as caught:
        matcher_from_rule(rule, "here")
    assert str(caught.value).startswith("here")
    assert expected in str(caught.value)


def test_matchers_are_frozen() -> None:
    """Matchers are immutable values (hashable, equal by content)."""
    made = match.regex("a", "a")
    with pytest.raises(AttributeError):
        made.pattern = "b"  # type: ignore[attr-defined]
    assert hash(made) == hash(match.regex("a", "a"))


def test_uuid_and_timestamp_presets_match_what_they_say() -> None:
    """uuid() and timestamp() are regex presets that refuse a wrong example, naming themselves."""
    from pactdsl.match import timestamp, uuid

    assert uuid("E2490DE5-5BD3-43D5-B7C4-526E33F71304").to_rule()["match"] == "regex"
    for moment in ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.1+01:00", "2024-01-02T03:04:05"):
        assert timestamp(moment).example_value() == moment
    with pytest.raises(InvalidMatcher, match=r"^uuid\('e2490de5'\): example='e2490de5' is not"):
        uuid("e2490de5")
    with pytest.raises(InvalidMatcher, match=r"^timestamp\('2024-01-02 03:04'\): example="):
        timestamp("2024-01-02 03:04")


def test_like_of_a_type_points_to_type_of() -> None:
    """like(str) is refused with a message naming type_of(str)."""
    with pytest.raises(InvalidMatcher) as caught:
        match.like(str)
    assert str(caught.value) == (
        "like(str): like() takes an example value, not a type; use type_of(str) to match any "
        "str, or like(<an example str>)"
    )
