"""Which rule applies when rule paths weigh the same: the tie-breaks, pinned.

A rule path's weight for a place is the product of one score per token (an exact
name or index 2, ``*`` or ``[*]`` 1), as in pact-reference (`path_exp.rs`,
`matches_token`). Where two paths weigh the same, pact-reference's
`max_by_path` takes the larger weight times token count, and among equals
whichever its hash map yields (no order); Pact-JVM prefers the longer path
text, then the first. pactdsl decides every tie by a fixed rule:

1. the greater weight wins;
2. at equal weight, a rule written for the place itself beats one inherited
   from an ancestor (a cascade), whatever their order;
3. at equal weight and kind, the rule written first in the pact wins.
"""

from __future__ import annotations

import pytest

from tests.test_matching_cascade import _body

INTEGER = [{"match": "integer"}]
LETTERS = [{"match": "regex", "regex": "[a-z]+"}]
TYPE = [{"match": "type"}]
NOT_INTEGER = "expected an integer at $.body.a.b, got 'x' (string)"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("$.a.*", "$.*.b"),  # 2 x 2 x 1 against 2 x 1 x 2
        ("$.a.b", "$['a']['b']"),  # one place, two spellings
    ],
)
def test_the_first_written_of_equal_paths_wins(first: str, second: str) -> None:
    """Of two rule paths of equal weight for a place, the one written first applies."""
    expected, actual = {"a": {"b": 1}}, {"a": {"b": "x"}}
    assert _body(expected, actual, {first: INTEGER, second: LETTERS}) == [NOT_INTEGER]
    assert _body(expected, actual, {second: INTEGER, first: LETTERS}) == [NOT_INTEGER]
    assert _body(expected, actual, {first: LETTERS, second: INTEGER}) == []


def test_index_and_name_spellings_of_one_element_tie() -> None:
    """`$.a[0]` and `$.a.0` weigh the same for element 0; the first written applies."""
    expected, actual = {"a": [1, 2]}, {"a": ["x", 2]}
    message = "expected an integer at $.body.a[0], got 'x' (string)"
    assert _body(expected, actual, {"$.a[0]": INTEGER, "$.a.0": LETTERS}) == [message]
    assert _body(expected, actual, {"$.a.0": INTEGER, "$.a[0]": LETTERS}) == [message]
    assert _body(expected, actual, {"$.a[0]": LETTERS, "$.a.0": INTEGER}) == []


def test_any_index_and_any_name_tie_on_an_element() -> None:
    """`$.a[*]` and `$.a.*` weigh the same for an element; the first written applies."""
    expected, actual = {"a": [1]}, {"a": ["x"]}
    message = "expected an integer at $.body.a[0], got 'x' (string)"
    assert _body(expected, actual, {"$.a[*]": INTEGER, "$.a.*": LETTERS}) == [message]
    assert _body(expected, actual, {"$.a.*": INTEGER, "$.a[*]": LETTERS}) == [message]


def test_any_index_never_names_a_key() -> None:
    """`[*]` scores nothing on an object's key, so `$[*].*` does not reach `$.a.b` at all."""
    expected, actual = {"a": {"b": 1}}, {"a": {"b": "x"}}
    assert _body(expected, actual, {"$[*].*": LETTERS, "$.*.*": INTEGER}) == [NOT_INTEGER]


def test_a_heavier_path_wins_whatever_its_order() -> None:
    """An exact name (weight 8) beats a wildcard (weight 4) written before it, and after it."""
    expected, actual = {"a": {"b": 1}}, {"a": {"b": "x"}}
    assert _body(expected, actual, {"$.a.*": LETTERS, "$.a.b": INTEGER}) == [NOT_INTEGER]
    assert _body(expected, actual, {"$.a.b": INTEGER, "$.a.*": LETTERS}) == [NOT_INTEGER]


def test_a_rule_for_the_place_beats_an_inherited_one_of_equal_weight() -> None:
    """`$.*.b` (weight 4) on the place beats the type rule cascading from `$.a` (weight 4)."""
    expected, actual = {"a": {"b": 1}}, {"a": {"b": "x"}}
    for rules in ({"$.a": TYPE, "$.*.b": INTEGER}, {"$.*.b": INTEGER, "$.a": TYPE}):
        assert _body(expected, actual, rules) == [NOT_INTEGER]


def test_a_heavier_inherited_rule_beats_a_lighter_rule_for_the_place() -> None:
    """The type rule cascading from `$.a` (weight 4) beats `$.*.*` (weight 2) on the place."""
    expected, actual = {"a": {"b": "y"}}, {"a": {"b": "x"}}
    letters_only = {"$.a": TYPE, "$.*.*": INTEGER}
    assert _body(expected, actual, letters_only) == []
    assert _body(expected, {"a": {"b": 5}}, letters_only) == [
        "expected a value of the same type as 'y' (string) at $.body.a.b, got 5 (integer)"
    ]


def test_the_nearest_heaviest_ancestor_cascades() -> None:
    """Of two ancestors' cascading rules, the heavier (more specific) one governs below."""
    expected = {"a": {"b": {"c": 1}}}
    rules = {"$.*": [{"match": "equality"}], "$.a.b": TYPE}
    assert _body(expected, {"a": {"b": {"c": 2}}}, rules) == []
    reversed_rules = {"$.a.b": TYPE, "$.*": [{"match": "equality"}]}
    assert _body(expected, {"a": {"b": {"c": 2}}}, reversed_rules) == []


def test_equal_ancestors_cascade_the_first_written() -> None:
    """Two ancestors' rules of equal weight: the first written cascades to the places below."""
    expected, actual = {"a": {"b": 1}}, {"a": {"b": 2}}
    equality_first = {"$.a": [{"match": "equality"}], "$['a']": TYPE}
    assert _body(expected, actual, equality_first) == ["expected 1 at $.body.a.b, got 2 (integer)"]
    type_first = {"$['a']": TYPE, "$.a": [{"match": "equality"}]}
    assert _body(expected, actual, type_first) == []


def test_a_wildcard_under_the_root_beats_the_root_rule_it_ties() -> None:
    """`$.*` (weight 2) on a key beats the type rule cascading from `$` (weight 2)."""
    for rules in ({"$": TYPE, "$.*": INTEGER}, {"$.*": INTEGER, "$": TYPE}):
        assert _body({"a": 1}, {"a": "x"}, rules) == [
            "expected an integer at $.body.a, got 'x' (string)"
        ]
