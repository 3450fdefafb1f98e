"""Engine behaviour that mutation testing found no test pinning, one test per kind of survivor."""

from __future__ import annotations

from typing import Any

import pytest

from pactdsl._rule import MATCHER_ALIASES, STATUS_CLASSES, Rule, parse_rule
from pactdsl.matching import match_body, match_request, match_response
from pactdsl.matching._parse import parse_rule_list
from pactdsl.matching._rules import check_leaf, variant_rules


def _group(*matchers: dict[str, Any], combine: str = "AND") -> dict[str, Any]:
    return {"combine": combine, "matchers": list(matchers)}


def _request(part: str, value: str, rules: dict[str, Any] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "GET", "path": "/"}
    if part == "header":
        request["headers"] = {"X-Value": value}
    else:
        request["query"] = {"v": [value]}
    if rules is not None:
        key = "X-Value" if part == "header" else "v"
        request["matchingRules"] = {part: {key: rules}}
    return request


@pytest.mark.parametrize("part", ["header", "query"])
@pytest.mark.parametrize(("actual", "matches"), [("7", True), ("aa", True), ("x!", False)])
def test_an_or_rule_on_a_text_value_fails_only_when_every_matcher_fails(
    part: str, actual: str, matches: bool
) -> None:
    """OR on a header or query value passes if one matcher holds and fails if none does."""
    rules = _group({"match": "integer"}, {"match": "regex", "regex": "a+"}, combine="OR")
    mismatches = match_request(_request(part, "5", rules), _request(part, actual), "4.0")
    assert (mismatches == []) is matches


def test_an_equality_rule_on_an_object_resets_a_parent_type_rule() -> None:
    """Below an equality rule, values must equal the example although a type rule is above."""
    expected = {"a": {"b": 1}, "c": 1}
    rules = {"$": _group({"match": "type"}), "$.a": _group({"match": "equality"})}
    opts: dict[str, Any] = {"content_type": "application/json", "allow_unexpected_keys": True}
    assert match_body(expected, {"a": {"b": 1}, "c": 2}, rules, **opts) == []
    assert match_body(expected, {"a": {"b": 2}, "c": 2}, rules, **opts) != []
    assert match_body(expected, {"a": {"b": 2}, "c": 2}, {"$": rules["$"]}, **opts) == []


@pytest.mark.parametrize(("value", "matches"), [("text", False), (1, True)])
def test_each_value_compares_with_its_value_when_the_example_map_is_empty(
    value: Any, matches: bool
) -> None:
    """An eachValue rule's `value` is the example for values of an empty example map."""
    rule = {"match": "eachValue", "value": value, "rules": [{"match": "type"}]}
    mismatches = match_body(
        {"m": {}},
        {"m": {"k": 5}},
        {"$.m": _group(rule)},
        content_type="application/json",
        allow_unexpected_keys=True,
    )
    assert (mismatches == []) is matches


def _status_verdict(status_class: str, status: Any) -> bool:
    rules = {"status": _group({"match": "statusCode", "status": status_class})}
    expected = {"status": 200, "matchingRules": rules}
    return match_response(expected, {"status": status}, "4.0") == []


@pytest.mark.parametrize("status_class", sorted(STATUS_CLASSES))
def test_status_classes_hold_at_their_boundaries(status_class: str) -> None:
    """Each status class takes its first and last code and neither neighbour outside it."""
    codes = STATUS_CLASSES[status_class]
    assert _status_verdict(status_class, codes.start)
    assert _status_verdict(status_class, codes.stop - 1)
    assert not _status_verdict(status_class, codes.start - 1)
    if codes.stop < 600:
        assert not _status_verdict(status_class, codes.stop)


def test_status_codes_given_as_text_are_read_as_numbers() -> None:
    """A status code given as a numeric string is matched as that code, other text is not."""
    assert _status_verdict("success", "201")
    assert not _status_verdict("success", "404")
    assert not _status_verdict("success", "abc")


# pact-reference's spellings (MatchingRule::create in pact_models), written out so
# that a spelling dropped from the table fails here.
PACT_REFERENCE_SPELLINGS = {
    "array-contains": "arrayContains",
    "arrayContains": "arrayContains",
    "boolean": "boolean",
    "content-type": "contentType",
    "contentType": "contentType",
    "date": "date",
    "datetime": "datetime",
    "decimal": "decimal",
    "each-key": "eachKey",
    "each-value": "eachValue",
    "eachKey": "eachKey",
    "eachValue": "eachValue",
    "equality": "equality",
    "include": "include",
    "integer": "integer",
    "max": "type",
    "max-type": "type",
    "min": "type",
    "min-type": "type",
    "not-empty": "notEmpty",
    "notEmpty": "notEmpty",
    "null": "null",
    "number": "number",
    "real": "decimal",
    "regex": "regex",
    "semver": "semver",
    "status-code": "statusCode",
    "statusCode": "statusCode",
    "time": "time",
    "timestamp": "datetime",
    "type": "type",
    "values": "values",
}


def test_the_alias_table_is_pact_references() -> None:
    """The alias table holds exactly the spellings pact-reference reads."""
    assert dict(MATCHER_ALIASES) == PACT_REFERENCE_SPELLINGS


_ATTRIBUTES = {"min": 1, "max": 2, "value": "x", "regex": "a", "variants": []}


@pytest.mark.parametrize(("alias", "canonical"), sorted(PACT_REFERENCE_SPELLINGS.items()))
def test_every_alias_spelling_reads_as_its_matcher(alias: str, canonical: str) -> None:
    """Each spelling pact-reference reads names its canonical matcher, in the model and engine."""
    rule = {"match": alias, **_ATTRIBUTES}
    assert parse_rule(rule, "here").name == canonical
    assert parse_rule_list(rule, "here").rules[0].name == canonical


@pytest.mark.parametrize(
    ("matcher", "actual", "matches"),
    [
        ("decimal", "1.5", True),
        ("decimal", "1", False),
        ("decimal", "x.5", False),
        ("boolean", "true", True),
        ("boolean", "false", True),
        ("boolean", "yes", False),
        ("integer", "-3", True),
        ("integer", "3.0", False),
        ("number", "2.5e3", True),
        ("number", "two", False),
    ],
)
def test_numbers_and_booleans_in_text_values(matcher: str, actual: str, matches: bool) -> None:
    """A header value is text: numbers and booleans are read from it by their spelling."""
    rules = _group({"match": matcher})
    mismatches = match_request(_request("header", "1", rules), _request("header", actual), "4.0")
    assert (mismatches == []) is matches


def test_not_empty_is_inherited_by_the_places_below() -> None:
    """A notEmpty rule on an object asks its values to be non-empty too."""
    rules = {"$.a": _group({"match": "notEmpty"})}
    opts: dict[str, Any] = {"content_type": "application/json", "allow_unexpected_keys": True}
    assert match_body({"a": {"b": "x"}}, {"a": {"b": "y"}}, rules, **opts) == []
    assert match_body({"a": {"b": "x"}}, {"a": {"b": ""}}, rules, **opts) != []


@pytest.mark.parametrize(("index", "matches"), [(0, True), (1, True), (2, False)])
def test_an_array_contains_variant_index_must_name_an_example_element(
    index: int, matches: bool
) -> None:
    """A variant describes the example element at its index; one past the end is a mismatch."""
    rule = {"match": "arrayContains", "variants": [{"index": index, "rules": {}}]}
    mismatches = match_body(
        {"items": [{"id": 1}, {"id": 2}]},
        {"items": [{"id": 2}, {"id": 1}, {"id": 3}]},
        {"$.items": _group(rule)},
        content_type="application/json",
        allow_unexpected_keys=True,
    )
    assert (mismatches == []) is matches


@pytest.mark.parametrize(
    ("rule", "actual", "matches"),
    [
        ({"match": "regex", "regex": "\\d+"}, 123, True),
        ({"match": "regex", "regex": "\\d+"}, 1.5, False),
        ({"match": "regex", "regex": "true|false"}, True, True),
        ({"match": "regex", "regex": "false"}, False, True),
        ({"match": "regex", "regex": "\\d+"}, None, False),
        ({"match": "include", "value": "2"}, 123, True),
        ({"match": "include", "value": "4"}, 123, False),
        ({"match": "include", "value": "ru"}, True, True),
        ({"match": "include", "value": ""}, None, False),
    ],
)
def test_regex_and_include_read_a_number_or_boolean_as_its_json_text(
    rule: dict[str, Any], actual: Any, matches: bool
) -> None:
    """Regex and include rules test a number or boolean by its JSON text; null never matches."""
    mismatches = match_body(
        {"v": "example"},
        {"v": actual},
        {"$.v": _group(rule)},
        content_type="application/json",
        allow_unexpected_keys=True,
    )
    assert (mismatches == []) is matches


def _body(expected: Any, actual: Any, rules: dict[str, Any] | None) -> list[str]:
    groups = None if rules is None else {path: _group(*rule) for path, rule in rules.items()}
    mismatches = match_body(
        expected, actual, groups, content_type="application/json", allow_unexpected_keys=True
    )
    assert all(mismatch.kind == "body" for mismatch in mismatches)
    return [str(mismatch) for mismatch in mismatches]


@pytest.mark.parametrize(
    ("rule", "example", "actual", "expectation"),
    [
        ({"match": "integer"}, 1, "x", "an integer"),
        ({"match": "decimal"}, 1.5, "x", "a decimal number"),
        ({"match": "number"}, 1, "x", "a number"),
        ({"match": "null"}, None, "x", "null"),
        ({"match": "boolean"}, True, "x", "a boolean"),
        ({"match": "semver"}, "1.0.0", "x", "a semantic version (semver.org)"),
        ({"match": "notEmpty"}, "a", "", "a non-empty value"),
        ({"match": "regex", "regex": "\\d+"}, "1", "x", "a value matching the regex `\\d+`"),
        ({"match": "include", "value": "ab"}, "xaby", "x", "a value including 'ab'"),
        (
            {"match": "date", "format": "yyyy-MM-dd"},
            "2024-01-02",
            "x",
            "a date in format 'yyyy-MM-dd'",
        ),
        ({"match": "time", "format": "HH:mm"}, "10:00", "x", "a time in format 'HH:mm'"),
        ({"match": "datetime", "format": "yyyy"}, "2024", "x", "a datetime in format 'yyyy'"),
        ({"match": "equality"}, 1, 2, "1"),
        ({"match": "values"}, 1, 2, "1"),
        ({"match": "type"}, 1, "x", "a value of the same type as 1 (integer)"),
    ],
)
def test_each_matcher_says_what_it_expects(
    rule: dict[str, Any], example: Any, actual: Any, expectation: str
) -> None:
    """A failed value rule's message names what the matcher expects, in its own words."""
    json_type = {str: "string", int: "integer"}[type(actual)]
    got = f"{actual!r} ({json_type})"
    assert _body({"v": example}, {"v": actual}, {"$.v": [rule]}) == [
        f"expected {expectation} at $.body.v, got {got}"
    ]


@pytest.mark.parametrize(
    ("example", "actual", "message"),
    [
        ("1", 1, "expected '1' at $.body.a, got 1 (integer)"),
        (True, 1, "expected true at $.body.a, got 1 (integer)"),
        (1, True, "expected 1 at $.body.a, got true (boolean)"),
        (None, "", "expected null at $.body.a, got '' (string)"),
        (1, 1.0, None),
        (0.5, 0.5, None),
    ],
)
def test_without_rules_scalars_of_another_json_type_differ(
    example: Any, actual: Any, message: str | None
) -> None:
    """With no rule, "1" is not 1 and true is not 1, while 1 equals 1.0."""
    assert _body({"a": example}, {"a": actual}, None) == ([message] if message else [])


def test_a_rule_on_the_eachvalue_place_ties_with_its_nested_rules_and_loses() -> None:
    """An eachValue rule's nested rules weigh as `.*` below it and win the tie with `.*` there."""
    each_integer = [{"match": "eachValue", "rules": [{"match": "integer"}]}]
    letters = [{"match": "regex", "regex": "[a-z]+"}]
    assert _body({"a": {"x": 1}}, {"a": {"x": 5}}, {"$.a": each_integer, "$.a.*": letters}) == []
    assert _body({"x": 1}, {"x": 5}, {"$": each_integer, "$.*": letters}) == []
    assert _body({"a": {"x": 1}}, {"a": {"x": "q"}}, {"$.a": each_integer, "$.a.*": letters}) == [
        "expected an integer at $.body.a.x, got 'q' (string)"
    ]


EACH_VALUE_TYPE = [{"match": "eachValue", "rules": [{"match": "type"}]}]


@pytest.mark.parametrize(
    ("example", "actual", "message"),
    [
        ("x", 5, "expected a string at $.body.v, got 5 (integer)"),
        (1, "x", "expected a number at $.body.v, got 'x' (string)"),
        (True, 5, "expected a boolean at $.body.v, got 5 (integer)"),
        (None, 5, "expected an object at $.body.v, got 5 (integer)"),
    ],
)
def test_each_value_on_a_scalar_names_the_example_type(
    example: Any, actual: Any, message: str
) -> None:
    """An eachValue rule wants an object or array; on a scalar it names the example's type."""
    assert _body({"v": example}, {"v": actual}, {"$.v": EACH_VALUE_TYPE}) == [message]


def test_each_value_compares_extra_elements_with_the_first_example_element() -> None:
    """Elements past the example's end take its first element as their example, by index below."""
    rules = {"$.v": EACH_VALUE_TYPE}
    assert _body({"v": [1, "a"]}, {"v": [2, "b", 5]}, rules) == []
    assert _body({"v": [1, "a"]}, {"v": [2, "b", "c"]}, rules) == [
        "expected a value of the same type as 1 (integer) at $.body.v[2], got 'c' (string)"
    ]


@pytest.mark.parametrize("example", [[], None])
def test_each_value_without_example_elements_uses_the_rule_value(example: Any) -> None:
    """An empty (or null) example leaves the rule's own `value` as every element's example."""
    rules = {"$.v": [{"match": "eachValue", "rules": [{"match": "type"}], "value": 1}]}
    assert _body({"v": example}, {"v": [1, 2]}, rules) == []
    assert _body({"v": example}, {"v": ["a"]}, rules) == [
        "expected a value of the same type as 1 (integer) at $.body.v[0], got 'a' (string)"
    ]


def test_each_key_reads_keys_as_text() -> None:
    """Keys are text: an integer key rule accepts the key "12"."""
    rules = {"$.m": [{"match": "eachKey", "rules": [{"match": "integer"}]}]}
    assert _body({"m": {"1": "a"}}, {"m": {"12": "a"}}, rules) == []
    assert _body({"m": {"1": "a"}}, {"m": {"x": "a"}}, rules) == [
        "expected each key at $.body.m to be an integer, got key 'x'"
    ]


def test_a_value_rule_on_an_object_is_a_mismatch() -> None:
    """A regex rule where the actual value is an object fails: an object has no text."""
    rules = {"$.a": [{"match": "regex", "regex": "[a-z]+"}]}
    assert _body({"a": {"b": 1}}, {"a": {"b": 1}}, rules) == [
        'expected a value matching the regex `[a-z]+` at $.body.a, got {"b": 1} (object)'
    ]


def test_not_empty_wants_content_on_its_place_and_below() -> None:
    """A notEmpty rule fails an empty object on its place, and below it under a full example."""
    not_empty = {"$.a": [{"match": "notEmpty"}]}
    assert _body({"a": {}}, {"a": {}}, not_empty) == [
        "expected a non-empty value at $.body.a, got {} (object)"
    ]
    assert _body({"a": {"b": {"c": 1}}}, {"a": {"b": {}}}, not_empty) == [
        "expected a non-empty value at $.body.a.b, got {} (object)"
    ]


def test_a_list_of_rules_applies_each_as_in_a_json_body() -> None:
    """Within a list of rules, integer reads JSON (not text), type counts, equality walks keys."""
    assert _body(
        {"a": "1"}, {"a": "12"}, {"$.a": [{"match": "integer"}, {"match": "notEmpty"}]}
    ) == ["expected an integer at $.body.a, got '12' (string)"]
    two_types = {"$.a": [{"match": "type", "min": 2}, {"match": "type"}]}
    assert _body({"a": [1]}, {"a": [1]}, two_types) == [
        "expected a list of at least 2 elements at $.body.a, got 1 element"
    ]
    equality_and_type = {"$.a": [{"match": "equality"}, {"match": "type"}]}
    # Each rule walks the keys, so each reports the missing one.
    assert (
        _body({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}}, equality_and_type)
        == ["missing key 'c' at $.body.a (expected 2 (integer))"] * 2
    )


def test_a_header_category_given_as_one_group_names_no_header() -> None:
    """Header rules without header names apply to no header: values compare by equality."""
    request = {"method": "GET", "path": "/", "headers": {"X-A": "1"}}
    expected = {**request, "matchingRules": {"header": {"matchers": [{"match": "type"}]}}}
    actual = {**request, "headers": {"X-A": "2"}}
    assert [str(m) for m in match_request(expected, actual, "3.0.0")] == [
        "expected header 'X-A' with value '1', got '2'"
    ]


@pytest.mark.parametrize(
    ("example", "actual", "matches"),
    [("5", "abc", True), (5, "abc", True), (None, "abc", False), ("x", 5, False)],
)
def test_a_type_rule_on_text_takes_any_text_for_an_example(
    example: Any, actual: Any, matches: bool
) -> None:
    """Where values are text, a type rule accepts text for any example but null."""
    rule = Rule("type")
    assert check_leaf(rule, example, actual, text=True, where="header X") is matches


def test_variant_rules_name_their_place_in_the_pact() -> None:
    """Each variant's rule list names the arrayContains rule, the variant and its own path."""
    rule = parse_rule(
        {
            "match": "arrayContains",
            "variants": [{"index": 0, "rules": {"$.id": _group(*[{"match": "integer"}])}}],
        },
        "here",
    )
    ((index, rule_set),) = variant_rules(rule, "body $.items")
    ((_, rule_list),) = rule_set.category("body")
    assert index == 0
    assert rule_list.rule_path == "body $.items[0] $.id"


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (1, "expected a list of at least 2 elements at $.body.a, got 1 element"),
        (2, None),
        (3, None),
        (4, "expected a list of at most 3 elements at $.body.a, got 4 elements"),
    ],
)
def test_type_bounds_include_their_ends(count: int, message: str | None) -> None:
    """A type rule with min 2 and max 3 takes lists of 2 and 3 elements, and no others."""
    rules = {"$.a": [{"match": "type", "min": 2, "max": 3}]}
    assert _body({"a": [1]}, {"a": [1] * count}, rules) == ([message] if message else [])


def test_a_type_rule_passes_its_type_but_not_its_bounds_below() -> None:
    """Below a type rule with min 2, an inner list of one element is fine: bounds stay put."""
    rules = {"$.a": [{"match": "type", "min": 2}]}
    assert _body({"a": [[1]]}, {"a": [[1], [2]]}, rules) == []
