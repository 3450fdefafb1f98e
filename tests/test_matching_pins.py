"""Engine behaviour that mutation testing found no test pinning, one test per kind of survivor."""

from __future__ import annotations

from typing import Any

import pytest

from pactdsl._rule import MATCHER_ALIASES, STATUS_CLASSES, parse_rule
from pactdsl.matching import match_body, match_request, match_response
from pactdsl.matching._parse import parse_rule_list


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
