"""Matching rules: every matcher, the path grammar and weights, and rule errors."""

from __future__ import annotations

import time
from typing import Any

import pytest

import pactdsl.matching
from pactdsl._limits import Limits, limits_in_force
from pactdsl.matching import MatchingError, match_body, match_request, match_response
from pactdsl.matching._parse import parse_rules
from pactdsl.matching._paths import ANY_INDEX, ROOT, STAR, Field, Index, parse_rule_path


def _body(
    expected: Any, actual: Any, rules: dict[str, Any], *, unexpected: bool = True
) -> list[str]:
    mismatches = match_body(
        expected, actual, rules, content_type=None, allow_unexpected_keys=unexpected
    )
    return [str(mismatch) for mismatch in mismatches]


def _rule(*matchers: dict[str, Any], combine: str = "AND") -> dict[str, Any]:
    return {"matchers": list(matchers), "combine": combine}


def test_public_names_are_sorted_and_complete() -> None:
    """`__all__` lists the public names, sorted."""
    assert pactdsl.matching.__all__ == sorted(pactdsl.matching.__all__)
    assert set(pactdsl.matching.__all__) == {
        "MatchingError",
        "Mismatch",
        "match_body",
        "match_message",
        "match_request",
        "match_response",
    }


def test_parse_rule_path_tokens() -> None:
    """All token kinds of the path grammar parse."""
    assert parse_rule_path("$.a[1].b[*].*['odd key']") == (
        ROOT,
        Field("a"),
        Index(1),
        Field("b"),
        ANY_INDEX,
        STAR,
        Field("odd key"),
    )


@pytest.mark.parametrize("path", ["$.a[x]", "$.a[1", "$..a", "$a"])
def test_bad_rule_path_raises(path: str) -> None:
    """A path outside the grammar raises MatchingError naming the path."""
    with pytest.raises(MatchingError, match="rule path="):
        parse_rule_path(path)


def test_most_specific_rule_wins() -> None:
    """An exact-name rule (weight 8) beats a wildcard rule (weight 4) at the same place."""
    rules = {
        "$.*": _rule({"match": "regex", "regex": "x+"}),
        "$.id": _rule({"match": "integer"}),
    }
    assert _body({"id": 1, "b": "x"}, {"id": 7, "b": "xxx"}, rules) == []
    assert _body({"id": 1, "b": "x"}, {"id": 7, "b": "y"}, rules) == [
        "expected a value matching the regex `x+` at $.body.b, got 'y' (string)"
    ]


def test_type_rule_cascades_and_equality_resets() -> None:
    """A type rule on a parent applies to children; an equality rule below resets it."""
    rules = {"$": _rule({"match": "type"}), "$.fixed": _rule({"match": "equality"})}
    assert _body({"a": 1, "fixed": "v"}, {"a": 2, "fixed": "v"}, rules) == []
    assert _body({"a": 1, "fixed": "v"}, {"a": 2, "fixed": "w"}, rules) == [
        "expected 'v' at $.body.fixed, got 'w' (string)"
    ]


def test_index_rule_applies_to_one_element() -> None:
    """A rule with an index applies to that element only."""
    rules = {"$[1]": _rule({"match": "type"})}
    assert _body([1, 2], [1, 5], rules) == []
    assert _body([1, 2], [3, 2], rules) == ["expected 1 at $.body[0], got 3 (integer)"]


def test_bracket_key_rule() -> None:
    """A rule on `$['odd key']` applies to that key."""
    rules = {"$['odd key']": _rule({"match": "integer"})}
    assert _body({"odd key": 1}, {"odd key": 2}, rules) == []
    assert _body({"odd key": 1}, {"odd key": 2.5}, rules) == [
        "expected an integer at $.body['odd key'], got 2.5 (decimal)"
    ]


@pytest.mark.parametrize(
    ("matcher", "expected", "good", "bad"),
    [
        ({"match": "integer"}, 1, 99, 1.5),
        ({"match": "decimal"}, 1.5, 2.25, 2),
        ({"match": "real"}, 1.5, 2.25, "2.25"),
        ({"match": "number"}, 1, 2.5, "2"),
        ({"match": "null"}, None, None, 0),
        ({"match": "boolean"}, True, False, "yes"),
        ({"match": "include", "value": "ell"}, "hello", "yellow", "help"),
        ({"match": "regex", "regex": "\\d+"}, "1", "123", "12a"),
        ({"regex": "\\d+"}, "1", "123", "a12"),
        ({"match": "equality"}, "a", "a", "b"),
        ({"match": "type"}, "a", "zzz", 1),
        ({"match": "date", "format": "yyyy-MM-dd"}, "2024-01-01", "2024-02-29", "2023-02-29"),
        ({"match": "time", "format": "HH:mm"}, "10:00", "23:59", "24:00"),
        ({"match": "datetime", "format": "yyyy-MM-dd HH:mm"}, "x", "2024-01-01 10:00", "2024"),
        ({"match": "timestamp", "timestamp": "yyyy"}, "2024", "1999", "99"),
        ({"match": "date"}, "2024-01-01", "2024-12-31", "2024-13-01"),
        ({"match": "semver"}, "1.0.0", "1.2.3-rc.1+build.5", "1.2"),
        ({"match": "notEmpty"}, "a", "b", ""),
        ({"match": "notEmpty"}, "a", 5, None),
        ({"match": "values"}, "a", "a", "b"),
    ],
)
def test_value_matchers(matcher: dict[str, Any], expected: Any, good: Any, bad: Any) -> None:
    """Each value matcher accepts a good value and rejects a bad one."""
    rules = {"$.v": _rule(matcher)}
    assert _body({"v": expected}, {"v": good}, rules) == []
    assert len(_body({"v": expected}, {"v": bad}, rules)) == 1


def test_min_max_as_numeric_strings() -> None:
    """The bounds min and max given as numeric strings work like numbers."""
    rules = {"$": _rule({"match": "type", "min": "2", "max": "3"})}
    assert _body([1], [1, 2], rules) == []
    assert len(_body([1], [1], rules)) == 1


def test_combine_and_or() -> None:
    """A combine of AND needs every matcher, OR needs one."""
    both = [{"match": "regex", "regex": "a.*"}, {"match": "include", "value": "z"}]
    assert _body({"v": "a"}, {"v": "abz"}, {"$.v": _rule(*both)}) == []
    assert len(_body({"v": "a"}, {"v": "ab"}, {"$.v": _rule(*both)})) == 1
    assert _body({"v": "a"}, {"v": "ab"}, {"$.v": _rule(*both, combine="OR")}) == []
    assert len(_body({"v": "a"}, {"v": "q"}, {"$.v": _rule(*both, combine="OR")})) == 1


def test_values_matcher_ignores_keys() -> None:
    """A values rule on an object accepts any keys whose values match the example by type rules."""
    rules = {"$.m": _rule({"match": "values"}), "$.m.*": _rule({"match": "type"})}
    assert _body({"m": {"a": 1}}, {"m": {"x": 5, "y": 6}}, rules, unexpected=False) == []


def test_each_key_and_each_value() -> None:
    """The eachKey rule checks every key and eachValue every value against their rules."""
    each_key = {
        "$.m": _rule({"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]})
    }
    assert _body({"m": {"a": 1}}, {"m": {"b": 1, "c": 1}}, each_key) == []
    assert _body({"m": {"a": 1}}, {"m": {"B": 1}}, each_key) == [
        "expected each key at $.body.m to be a value matching the regex `[a-z]+`, got key 'B'"
    ]
    each_value = {"$.m": _rule({"match": "eachValue", "rules": [{"match": "type"}]})}
    assert _body({"m": {"a": 1}}, {"m": {"x": 2, "y": 3}}, each_value) == []
    assert len(_body({"m": {"a": 1}}, {"m": {"x": "2"}}, each_value)) == 1


def test_array_contains() -> None:
    """An arrayContains rule needs, for each variant, some actual element that matches it."""
    rules = {
        "$": _rule(
            {
                "match": "arrayContains",
                "variants": [
                    {"index": 0, "rules": {"$.id": _rule({"match": "integer"})}},
                    {"index": 1, "rules": {}},
                ],
            }
        )
    }
    expected = [{"id": 1}, {"kind": "b"}]
    assert _body(expected, [{"kind": "b"}, {"x": 0}, {"id": 77}], rules) == []
    assert _body(expected, [{"id": 77}], rules) == [
        'expected an element matching variant 1 ({"kind": "b"} (object)) at $.body, found none'
    ]


def test_status_code_classes() -> None:
    """A statusCode rule accepts a status class or a list of codes."""
    for status, good, bad in [
        ("success", 204, 301),
        ("clientError", 404, 500),
        ([200, 201], 201, 202),
    ]:
        expected = {
            "status": 200,
            "matchingRules": {"status": {"matchers": [{"match": "statusCode", "status": status}]}},
        }
        assert match_response(expected, {"status": good}, "V4") == []
        assert len(match_response(expected, {"status": bad}, "V4")) == 1


def test_header_query_and_path_rules() -> None:
    """Rules on a header, a query parameter and the path apply to those values."""
    expected = {
        "method": "GET",
        "path": "/items/1",
        "query": {"page": ["1"]},
        "headers": {"X-Id": "1"},
        "matchingRules": {
            "path": {"matchers": [{"match": "regex", "regex": "/items/\\d+"}]},
            "query": {"page": {"matchers": [{"match": "integer"}]}},
            "header": {"x-id": {"matchers": [{"match": "regex", "regex": "\\d+"}]}},
        },
    }
    good = {
        "method": "get",
        "path": "/items/42",
        "query": {"page": ["7"]},
        "headers": {"X-ID": "9"},
    }
    bad = {"method": "GET", "path": "/items/x", "query": {"page": ["a"]}, "headers": {"X-Id": "z"}}
    assert match_request(expected, good) == []
    assert [str(m) for m in match_request(expected, bad)] == [
        r"expected the path to match the regex `/items/\d+`, got '/items/x'",
        "expected query parameter 'page' to be an integer, got 'a' (string)",
        r"expected header 'X-Id' to be a value matching the regex `\d+`, got 'z' (string)",
    ]


def test_v2_rules_are_read() -> None:
    """V2 flat rules keyed by `$.body`, `$.headers` and `$.query` apply."""
    expected = {
        "query": "a=1",
        "headers": {"X": "1"},
        "body": {"a": 1},
        "matchingRules": {
            "$.body.a": {"match": "type"},
            "$.headers.X": {"regex": "\\d"},
            "$.query.a": {"match": "regex", "regex": "\\d"},
        },
    }
    actual = {"query": "a=2", "headers": {"X": "5"}, "body": {"a": 9}}
    assert match_request(expected, actual, "2.0.0") == []


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        (
            {"body": {"$.a": {"matchers": [{"match": "bogus"}]}}},
            "body $.a.matchers[0]: unknown matcher 'bogus'",
        ),
        (
            {"body": {"$.a": {"matchers": [{"match": "regex", "regex": "("}]}}},
            "is not a valid regular",
        ),
        ({"body": {"$.a": {"matchers": [{"match": "date", "format": "yyyy-ww"}]}}}, "'w'"),
        ({"body": {"$.a": {"matchers": [{"match": "type", "min": "x"}]}}}, "min='x'"),
        ({"body": {"$.a": {"matchers": [{}]}}}, "has no 'match' key"),
        ({"status": {"matchers": [{"match": "statusCode", "status": "meh"}]}}, "status='meh'"),
    ],
)
def test_broken_rules_raise(rules: dict[str, Any], fragment: str) -> None:
    """A broken rule raises MatchingError naming the rule and what is wrong."""
    with pytest.raises(MatchingError) as raised:
        parse_rules(rules)
    assert fragment in str(raised.value)


def test_nested_quantifier_regex_does_not_hang() -> None:
    """`(a+)+$` against 'a'*40 + '!' ends quickly (the regex package avoids the blow-up)."""
    rules = {"$.v": _rule({"match": "regex", "regex": "(a+)+$"})}
    started = time.monotonic()
    result = _body({"v": "a"}, {"v": "a" * 40 + "!"}, rules)
    assert time.monotonic() - started < 1.5
    assert len(result) == 1


def test_catastrophic_regex_raises_matching_error() -> None:
    """A regex that backtracks catastrophically raises MatchingError within the time limit."""
    rules = {"$.v": _rule({"match": "regex", "regex": "(a|aa)+$"})}
    started = time.monotonic()
    with (
        limits_in_force(Limits(regex_seconds=0.5)),
        pytest.raises(MatchingError, match=r"regex='\(a\|aa\)\+\$' at body \$\.v ran out"),
    ):
        _body({"v": "a"}, {"v": "a" * 40 + "!"}, rules)
    assert time.monotonic() - started < 15  # 0.5 s, stretched on a loaded machine
