"""XML bodies: how a `type` rule's min/max counts elements."""

from __future__ import annotations

from typing import Any

import pytest

from pactdsl.matching import match_request, match_response

_HEADERS = {"Content-Type": ["application/xml"]}


def _part(xml: str, rules: dict[str, Any] | None = None) -> dict[str, Any]:
    part: dict[str, Any] = {
        "status": 200,
        "method": "POST",
        "path": "/",
        "headers": _HEADERS,
        "body": {"content": xml, "contentType": "application/xml", "encoded": False},
    }
    if rules is not None:
        part["matchingRules"] = {"body": rules}
    return part


def _type_rule(**bounds: int) -> dict[str, Any]:
    return {"matchers": [{"match": "type", **bounds}]}


TWO_ITEMS = "<list><item>a</item><item>b</item></list>"


@pytest.mark.parametrize("match", [match_request, match_response])
def test_min_on_a_child_element_path_counts_those_elements(match: Any) -> None:
    """`$.list.item` with min 2 accepts three leaf items: it counts items, not their children."""
    expected = _part(TWO_ITEMS, {"$.list.item": _type_rule(min=2)})
    actual = _part("<list><item>x</item><item>y</item><item>z</item></list>")
    assert match(expected, actual) == []


@pytest.mark.parametrize("match", [match_request, match_response])
def test_too_few_elements_give_one_length_mismatch(match: Any) -> None:
    """One item under `$.list.item` min 2 is one mismatch at the parent, saying the count."""
    expected = _part(TWO_ITEMS, {"$.list.item": _type_rule(min=2)})
    mismatches = match(expected, _part("<list><item>x</item></list>"))
    assert [(m.path, m.expected, m.actual, m.message) for m in mismatches] == [
        ("$.body.list", 2, 1, "expected at least 2 'item' elements at $.body.list, got 1")
    ]


def test_too_many_elements_give_one_length_mismatch() -> None:
    """Three items under `$.list.item` max 2 is one mismatch saying the count."""
    expected = _part(TWO_ITEMS, {"$.list.item": _type_rule(max=2)})
    actual = _part("<list><item>x</item><item>y</item><item>z</item></list>")
    assert [m.message for m in match_response(expected, actual)] == [
        "expected at most 2 'item' elements at $.body.list, got 3"
    ]


@pytest.mark.parametrize("match", [match_request, match_response])
def test_element_count_rule_leaves_each_items_children_alone(match: Any) -> None:
    """Items with one child each pass `$.list.item` min 2, and their children are still compared."""
    expected = _part(
        "<list><item><id>1</id></item><item><id>2</id></item></list>",
        {
            "$.list.item": _type_rule(min=2),
            "$.list.item.id['#text']": {"matchers": [{"match": "regex", "regex": "\\d+"}]},
        },
    )
    good = _part(
        "<list><item><id>7</id></item><item><id>8</id></item><item><id>9</id></item></list>"
    )
    bad = _part("<list><item><id>7</id></item><item><id>x</id></item></list>")
    assert match(expected, good) == []
    assert [m.path for m in match(expected, bad)] == ["$.body.list.item[1].id[0]['#text']"]


def test_min_on_the_root_element_counts_its_children() -> None:
    """`$.list` min 2 (the root: always one) bounds the root's child elements, as the spec does."""
    expected = _part(TWO_ITEMS, {"$.list": _type_rule(min=2)})
    assert match_response(expected, _part(TWO_ITEMS)) == []
    assert [m.message for m in match_response(expected, _part("<list><item>x</item></list>"))] == [
        "expected at least 2 child elements at $.body.list, got 1"
    ]


def test_missing_child_of_a_counted_element_is_reported() -> None:
    """A child missing from an element whose group has a min rule is still a mismatch."""
    expected = {
        "status": 200,
        "headers": {"Content-Type": "application/xml"},
        "body": "<list><item><a>1</a><b>2</b></item></list>",
        "matchingRules": {"body": {"$.list.item": {"matchers": [{"match": "type", "min": 1}]}}},
    }
    actual = {
        "status": 200,
        "headers": {"Content-Type": "application/xml"},
        "body": "<list><item><a>1</a></item></list>",
    }
    mismatches = match_response(expected, actual, spec_version="3.0.0")
    assert [m.path for m in mismatches] == ["$.body.list.item[0].b[0]"]


@pytest.mark.parametrize(
    ("rules", "missing"),
    [
        ({"$.list.item": _type_rule(min=0)}, False),
        ({"$.list": _type_rule()}, True),
        ({}, True),
    ],
)
def test_only_a_rule_written_for_a_child_element_makes_it_optional(
    rules: dict[str, Any], missing: bool
) -> None:
    """`$.list.item` with min 0 lets items be absent; a type rule inherited from `$.list` not."""
    expected = _part("<list><item>1</item></list>", rules)
    mismatches = [str(m) for m in match_response(expected, _part("<list></list>"))]
    assert mismatches == (["expected 1 'item' element at $.body.list, got 0"] if missing else [])
