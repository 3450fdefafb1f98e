"""What rules say about the places below them, and arrayContains variants, as in pact-reference."""

from __future__ import annotations

from typing import Any

import pytest

from pactdsl.matching import match_body, match_request, match_response
from pactdsl.matching._paths import Field, parse_rule_path


def _body(
    expected: Any, actual: Any, rules: dict[str, Any], *, unexpected: bool = True
) -> list[str]:
    mismatches = match_body(
        expected,
        actual,
        {path: {"matchers": matchers} for path, matchers in rules.items()},
        content_type=None,
        allow_unexpected_keys=unexpected,
    )
    return [str(mismatch) for mismatch in mismatches]


EACH_VALUE_TYPE = {"$": [{"match": "eachValue", "rules": [{"match": "type"}]}]}


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ({"a": {"n": 1}}, {"b": {"n": 0}}),
        ({"a": [1]}, {"b": [5, 6]}),
        ({"a": [{"n": 1}]}, {"b": [{"n": 2}, {"n": 3}], "c": []}),
    ],
)
def test_type_inside_each_value_reaches_the_children(expected: Any, actual: Any) -> None:
    """A type rule nested in eachValue matches the children of each value by type."""
    assert _body(expected, actual, EACH_VALUE_TYPE) == []


def test_type_inside_each_value_still_checks_types_below() -> None:
    """Below eachValue(type) a child of another type is a mismatch, at its own path."""
    assert _body({"a": {"n": 1}}, {"b": {"n": "0"}}, EACH_VALUE_TYPE) == [
        "expected a value of the same type as 1 (integer) at $.body.b.n, got '0' (string)"
    ]
    assert _body({"a": [1]}, {"b": [5, "x"]}, EACH_VALUE_TYPE) == [
        "expected a value of the same type as 1 (integer) at $.body.b[1], got 'x' (string)"
    ]


def test_each_value_keeps_rules_written_below_it() -> None:
    """A rule on a place below the values (`$.*.n`) applies there as well as eachValue's."""
    rules = {**EACH_VALUE_TYPE, "$.*.n": [{"match": "regex", "regex": "\\d+"}]}
    assert _body({"a": {"n": "1"}}, {"b": {"n": "22"}}, rules) == []
    assert _body({"a": {"n": "1"}}, {"b": {"n": "x"}}, rules) == [
        "expected a value matching the regex `\\d+` at $.body.b.n, got 'x' (string)"
    ]


def test_each_value_compares_a_known_key_with_its_own_example() -> None:
    """A value under a key the example has is compared with that key's example."""
    rules = {"$": [{"match": "eachValue", "rules": [{"match": "type"}]}]}
    assert _body({"a": 1, "s": "x"}, {"s": "y", "z": 2}, rules) == []
    assert _body({"a": 1, "s": "x"}, {"s": 5}, rules) == [
        "expected a value of the same type as 'x' (string) at $.body.s, got 5 (integer)"
    ]


VALUES = {"$": [{"match": "values"}]}


def test_values_compares_scalars_below_by_equality() -> None:
    """Under values, the keys are free but each value equals the example's value."""
    assert _body({"a": 1}, {"x": 1, "y": 1}, VALUES) == []
    assert _body({"a": 1}, {"x": 1, "y": 2}, VALUES) == ["expected 1 at $.body.y, got 2 (integer)"]
    assert _body({"a": {"n": 1}}, {"x": {"n": 2}}, VALUES) == [
        "expected 1 at $.body.x.n, got 2 (integer)"
    ]


def test_values_on_an_array_compares_element_by_element() -> None:
    """Under values, array elements line up with the example; extra ones equal its first."""
    assert _body([1, 2], [1, 2, 1], VALUES) == []
    assert _body([1, 2], [1], VALUES) == []
    assert _body([1, 2], [2, 1], VALUES) == [
        "expected 1 at $.body[0], got 2 (integer)",
        "expected 2 at $.body[1], got 1 (integer)",
    ]
    assert _body({"a": {"n": [1]}}, {"x": {"n": [1, 1]}}, VALUES) == []


def test_values_on_a_scalar_is_equality() -> None:
    """A values rule on a scalar accepts only the example value."""
    rules = {"$.v": [{"match": "values"}]}
    assert _body({"v": "a"}, {"v": "a"}, rules) == []
    assert _body({"v": "a"}, {"v": "b"}, rules) == ["expected 'a' at $.body.v, got 'b' (string)"]


EACH_KEY = {"$": [{"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}]}


def test_each_key_leaves_values_of_new_keys_unchecked() -> None:
    """Under eachKey only the keys are checked for keys the example lacks."""
    assert _body({"a": 1}, {"a": 1, "b": True, "c": [1], "d": None}, EACH_KEY) == []
    assert _body({"a": 1}, {"b": 1, "C": 1}, EACH_KEY) == [
        "expected each key at $.body to be a value matching the regex `[a-z]+`, got key 'C'"
    ]


def test_each_key_checks_the_structure_of_known_keys() -> None:
    """Under eachKey a known key's scalar is free, but its object keeps its keys."""
    assert _body({"a": 1}, {"a": "x"}, EACH_KEY) == []
    assert _body({"a": {"n": 1}}, {"a": {"m": 2}}, EACH_KEY, unexpected=False) == [
        "missing key 'n' at $.body.a (expected 1 (integer))",
        "unexpected key 'm' at $.body.a",
    ]
    assert _body({"a": {"n": 1}}, {"a": 5}, EACH_KEY) == [
        "expected an object at $.body.a, got 5 (integer)"
    ]


NOT_EMPTY = {"$.t": [{"match": "notEmpty"}]}


def test_not_empty_below_asks_for_content_not_type() -> None:
    """Below notEmpty each value must be present and not empty, of any type."""
    assert _body({"t": ["b"]}, {"t": ["rat", 5]}, NOT_EMPTY) == []
    assert _body({"t": ["b"]}, {"t": ["rat", ""]}, NOT_EMPTY) == [
        "expected a non-empty value at $.body.t[1], got '' (string)"
    ]
    assert _body({"t": {"k": "v"}}, {"t": {"k": None}}, NOT_EMPTY) == [
        "expected a non-empty value at $.body.t.k, got null"
    ]


def test_not_empty_on_its_place() -> None:
    """A notEmpty rule rejects empty values and keeps containers, but not the scalar type."""
    assert _body({"t": "a"}, {"t": 5}, NOT_EMPTY) == []
    assert _body({"t": ["b"]}, {"t": []}, NOT_EMPTY) == [
        "expected a non-empty value at $.body.t, got [] (array)"
    ]
    assert _body({"t": ["b"]}, {"t": "b"}, NOT_EMPTY) == [
        "expected an array at $.body.t, got 'b' (string)"
    ]


def test_equality_below_resets_a_cascading_rule() -> None:
    """An equality rule under values, eachKey or notEmpty governs its own place."""
    for rule in ({"match": "values"}, {"match": "notEmpty"}, {"match": "eachKey", "rules": []}):
        rules = {"$": [rule], "$.a": [{"match": "equality"}]}
        assert _body({"a": "x"}, {"a": "y"}, rules) == [
            "expected 'x' at $.body.a, got 'y' (string)"
        ]


ACTIONS = [
    {"name": "add", "href": "http://x/items/1"},
    {"name": "delete", "href": "http://x/items/2"},
]


def _array_contains(*variants: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {"$.actions": [{"match": "arrayContains", "variants": list(variants)}]}


def test_array_contains_variant_rules_are_relative_to_the_element() -> None:
    """A variant rule at `$.href` applies to the href of each candidate element."""
    href = {"$.href": {"matchers": [{"match": "regex", "regex": "http://x/items/\\d+"}]}}
    rules = _array_contains({"index": 0, "rules": href}, {"index": 1, "rules": href})
    actual = [
        {"name": "delete", "href": "http://x/items/77"},
        {"name": "add", "href": "http://x/items/9"},
    ]
    assert _body({"actions": ACTIONS}, {"actions": actual}, rules) == []
    wrong = [{"name": "add", "href": "http://x/items/9"}, {"name": "delete", "href": "x"}]
    assert _body({"actions": ACTIONS}, {"actions": wrong}, rules) == [
        'expected an element matching variant 1 ({"name": "delete", "href": "http://x/items/2"} '
        "(object)) at $.body.actions, found none"
    ]


def test_array_contains_variants_pick_example_elements_by_index() -> None:
    """A variant names the example element it asks for; other elements are not asked for."""
    rules = _array_contains({"index": 1, "rules": {}})
    assert _body({"actions": ACTIONS}, {"actions": [ACTIONS[1]]}, rules) == []
    assert len(_body({"actions": ACTIONS}, {"actions": [ACTIONS[0]]}, rules)) == 1


def test_array_contains_variant_past_the_example_is_reported() -> None:
    """A variant index past the end of the example is a mismatch that says so."""
    rules = _array_contains({"index": 5, "rules": {}})
    assert _body({"actions": ACTIONS}, {"actions": ACTIONS}, rules) == [
        "arrayContains at $.body.actions names variant index 5, but the example has only 2 elements"
    ]


def test_array_contains_without_variants_asks_for_every_example_element() -> None:
    """With no variants, each example element must be found, in any order."""
    rules = _array_contains()
    assert _body({"actions": ACTIONS}, {"actions": [ACTIONS[1], {}, ACTIONS[0]]}, rules) == []
    assert len(_body({"actions": ACTIONS}, {"actions": [ACTIONS[1]]}, rules)) == 1


def test_array_contains_in_a_request_wants_no_extra_keys() -> None:
    """In a request a candidate element with keys the variant lacks does not match."""
    rules = {"body": _array_contains({"index": 0, "rules": {}})}
    expected = {"method": "POST", "path": "/", "body": {"actions": [ACTIONS[0]]}}
    extra = {**ACTIONS[0], "title": "Add"}
    actual = {"method": "POST", "path": "/", "body": {"actions": [extra]}}
    assert len(match_request({**expected, "matchingRules": rules}, actual, "V4")) == 1
    response = {"status": 200, "body": {"actions": [ACTIONS[0]]}, "matchingRules": rules}
    assert match_response(response, {"status": 200, "body": {"actions": [extra]}}, "V4") == []


@pytest.mark.parametrize(
    ("status", "got", "message"),
    [
        ("success", 404, "expected a status in the 'success' class (200-299), got 404"),
        ("nonError", 500, "expected a status in the 'nonError' class (100-399), got 500"),
        ([200, 201], 204, "expected one of the statuses 200, 201, got 204"),
    ],
)
def test_status_code_messages_say_the_allowed_range(status: Any, got: int, message: str) -> None:
    """A failing statusCode rule says which statuses it allows."""
    expected = {
        "status": 200,
        "matchingRules": {"status": {"matchers": [{"match": "statusCode", "status": status}]}},
    }
    assert [str(m) for m in match_response(expected, {"status": got}, "V4")] == [message]


def test_rule_path_with_escaped_quote_names_the_key() -> None:
    r"""`$['it\'s']` names the key `it's`, and a mismatch there names it the same way."""
    assert parse_rule_path("$['it\\'s']")[-1] == Field("it's")
    assert parse_rule_path("$['back\\\\slash']")[-1] == Field("back\\slash")
    rules = {"$['it\\'s']": [{"match": "integer"}]}
    assert _body({"it's": 1}, {"it's": 2}, rules) == []
    assert _body({"it's": 1}, {"it's": "2"}, rules) == [
        "expected an integer at $.body['it\\'s'], got '2' (string)"
    ]
