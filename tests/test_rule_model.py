"""One rule model: the parser, the engine, the pact-file reader and the DSL agree on every rule."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactdsl import _matchers
from pactdsl._errors import InvalidMatcher, PactFileError
from pactdsl._matchers import matcher_from_rule
from pactdsl._model import Interaction, PactSpec
from pactdsl._pactfile import load_pact
from pactdsl._pactfile._write import pact_to_json
from pactdsl._rule import (
    MATCHER_ALIASES,
    MATCHER_NAMES,
    STATUS_CLASSES,
    Rule,
    RuleError,
    parse_rule,
    parse_rule_group,
    rule_group_json,
)
from pactdsl._rule_strategies import BUILDERS
from pactdsl.matching import MatchingError
from pactdsl.matching._parse import parse_rules
from pactdsl.matching._rules import LEAF_CHECKS, STRUCTURAL_MATCHERS
from tests._shared import conformance_dir

_ENGINE_DIR = Path(__file__).resolve().parent.parent / "pactdsl" / "matching"


def _dsl_classes() -> set[type[_matchers.Matcher]]:
    found: set[type[_matchers.Matcher]] = set()
    pending = [_matchers.Matcher]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.add(sub)
            pending.append(sub)
    return found


def test_every_part_knows_the_same_matcher_names() -> None:
    """The parser, the engine's checks and the DSL classes and builders name the same matchers."""
    assert set(LEAF_CHECKS) | STRUCTURAL_MATCHERS == MATCHER_NAMES
    assert not set(LEAF_CHECKS) & STRUCTURAL_MATCHERS
    dsl_names = {cls.pact_type for cls in _dsl_classes() if "pact_type" in vars(cls)}
    assert dsl_names == MATCHER_NAMES
    assert set(_matchers._FROM_RULE) == MATCHER_NAMES
    assert set(MATCHER_ALIASES.values()) == MATCHER_NAMES
    assert set(BUILDERS) == MATCHER_NAMES


@pytest.mark.parametrize(
    "module_name",
    sorted(
        ["pactdsl._rule", "pactdsl._rulepath", "pactdsl._regex"]
        + [f"pactdsl.matching.{path.stem}" for path in _ENGINE_DIR.glob("_*.py")]
    ),
)
def test_every_name_a_rule_module_exports_exists(module_name: str) -> None:
    """Each name in the `__all__` of the rule and engine modules is defined there, once."""
    module = importlib.import_module(module_name)
    names = list(module.__all__)
    assert len(set(names)) == len(names)
    assert [name for name in names if not hasattr(module, name)] == []


def _pact_with_rule(rule: Any) -> dict[str, Any]:
    return {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [
            {
                "description": "d",
                "request": {"method": "GET", "path": "/"},
                "response": {
                    "status": 200,
                    "body": {"a": "2024-01-02"},
                    "matchingRules": {"body": {"$.a": {"combine": "AND", "matchers": [rule]}}},
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def _engine_rule(rule: Any) -> Rule:
    rule_set = parse_rules({"body": {"$.a": {"matchers": [rule]}}})
    ((_, rule_list),) = rule_set.category("body")
    (engine_rule,) = rule_list.rules
    return engine_rule


# The table of rule dicts the readers used to disagree on, and more of
# pact-reference's spellings: None where every reader must refuse the rule.
DISAGREEMENTS: list[tuple[dict[str, Any], dict[str, Any] | None]] = [
    ({"match": "minType", "min": 1}, None),
    ({"match": "min-type", "min": 1}, {"match": "type", "min": 1}),
    ({"match": "max-type", "max": "2"}, {"match": "type", "max": 2}),
    ({"match": "min", "min": 0}, {"match": "type", "min": 0}),
    ({"match": "min"}, None),
    (
        {"match": "content-type", "value": "image/png"},
        {"match": "contentType", "value": "image/png"},
    ),
    ({"match": "contentType"}, None),
    ({"match": "include"}, None),
    ({"match": "include", "value": 5}, {"match": "include", "value": "5"}),
    ({"match": "date"}, {"match": "date", "format": "yyyy-MM-dd"}),
    ({"match": "time"}, {"match": "time", "format": "HH:mm:ss"}),
    ({"match": "timestamp"}, {"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}),
    ({"match": "date", "format": "yyyy-ww"}, None),
    ({"match": "date", "format": 3}, None),
    ({"match": "statusCode"}, {"match": "statusCode", "status": "success"}),
    (
        {"match": "status-code", "status": ["200", 201]},
        {"match": "statusCode", "status": [200, 201]},
    ),
    ({"match": "statusCode", "status": "fine"}, None),
    ({"match": "not-empty"}, {"match": "notEmpty"}),
    ({"match": "real"}, {"match": "decimal"}),
    ({"regex": "\\d+"}, {"match": "regex", "regex": "\\d+"}),
    ({"match": "regex", "regex": "("}, None),
    ({"match": "type", "min": -1}, None),
    ({"match": "type", "min": 3, "max": 1}, None),
    ({"pact:matcher:type": "integer"}, {"match": "integer"}),
    (
        {"match": "each-key", "rules": [{"match": "regex", "regex": "[a-z]+"}]},
        {"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]},
    ),
    ({"match": "array-contains", "variants": []}, {"match": "arrayContains", "variants": []}),
    ({"match": "arrayContains"}, None),
    ({"match": "bogus"}, None),
    ({}, None),
]


@pytest.mark.parametrize(("rule", "expected"), DISAGREEMENTS, ids=json.dumps)
def test_each_rule_gets_the_same_answer_everywhere(
    rule: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    """The model, the engine, the pact-file reader and the DSL accept or refuse a rule alike."""
    pact = _pact_with_rule(rule)
    if expected is None:
        with pytest.raises(RuleError):
            parse_rule(rule, "here")
        with pytest.raises(MatchingError):
            _engine_rule(rule)
        with pytest.raises(InvalidMatcher):
            matcher_from_rule(rule, "here")
        with pytest.raises(PactFileError) as refused:
            load_pact(pact)
        assert refused.value.where.startswith(
            "interactions[0].response.matchingRules.body['$.a'].matchers[0]"
        )
        return
    parsed = parse_rule(rule, "here")
    assert parsed.to_json() == expected
    assert matcher_from_rule(rule, "here").to_rule() == expected
    item = load_pact(pact).interactions[0]
    assert isinstance(item, Interaction)
    group = item.response.matching_rules["body"]["$.a"]
    assert group.to_json()["matchers"] == [expected]
    assert _engine_rule(rule) == parsed


def test_a_bad_date_format_is_refused_at_load_naming_the_place() -> None:
    """A date format pactdsl cannot match fails load_pact, not a later verification."""
    with pytest.raises(PactFileError) as refused:
        load_pact(_pact_with_rule({"match": "date", "format": "yyyy-ww"}))
    assert "'w'" in refused.value.problem


def _spec_case_rule_groups() -> list[Any]:
    groups: list[Any] = []
    for path in sorted(conformance_dir().rglob("*.json")):
        case = json.loads(path.read_text("utf-8-sig"))
        for side in ("expected", "actual"):
            rules = (case.get(side) or {}).get("matchingRules") or {}
            if all(key.startswith("$") for key in rules):
                groups.extend(rules.values())  # V2: one flat map keyed by path
                continue
            for entries in rules.values():
                if isinstance(entries, dict) and "matchers" not in entries:
                    groups.extend(entries.values())
                else:
                    groups.append(entries)
    return groups


def test_spec_case_rules_survive_a_write_and_a_read() -> None:
    """Every rule group in the Pact specification's cases reads back the same after writing."""
    groups = _spec_case_rule_groups()
    assert len(groups) > 100
    for raw in groups:
        rules, combine = parse_rule_group(raw, "case")
        assert parse_rule_group(rule_group_json(rules, combine), "again") == (rules, combine)


def _spec_case_pacts() -> list[Any]:
    pacts = []
    for path in sorted(conformance_dir().glob("v[234]/re*/*/*.json")):
        case = json.loads(path.read_text("utf-8-sig"))
        expected = case["expected"]
        if not isinstance(expected, dict) or not expected.get("matchingRules"):
            continue
        kind = path.parent.parent.name
        request = expected if kind == "request" else {"method": "GET", "path": "/"}
        response = expected if kind == "response" else {"status": 200}
        version = {"v2": "2.0.0", "v3": "3.0.0", "v4": "4.0"}[path.parts[-4]]
        pacts.append(
            {
                "consumer": {"name": "c"},
                "provider": {"name": "p"},
                "interactions": [
                    {"description": path.name, "request": request, "response": response}
                ],
                "metadata": {"pactSpecification": {"version": version}},
            }
        )
    return pacts


def test_spec_case_pacts_load_write_load_to_the_same_model() -> None:
    """Load, write and load again keeps every spec case's pact equal, in its version and in V4."""
    pacts = _spec_case_pacts()
    assert len(pacts) > 50
    for data in pacts:
        pact = load_pact(data)
        spec = PactSpec.parse(data["metadata"]["pactSpecification"]["version"])
        for target in {spec, PactSpec.V4}:
            assert load_pact(pact_to_json(pact, target, {})) == pact, data["interactions"][0]


_NAMES = st.sampled_from(sorted(MATCHER_NAMES - {"arrayContains", "eachKey", "eachValue"}))


@st.composite
def _rules(draw: st.DrawFn) -> Rule:
    name = draw(_NAMES)
    if name == "type":
        low = draw(st.none() | st.integers(0, 5))
        high = draw(st.none() | st.integers(low or 0, 9))
        return Rule("type", min=low, max=high)
    if name == "regex":
        return Rule("regex", regex=draw(st.sampled_from(["a+", "\\d{2}", "[x-z]*"])))
    if name in ("include", "contentType"):
        return Rule(name, value=draw(st.text(max_size=5)))
    if name in ("date", "time", "datetime"):
        return Rule(name, format=draw(st.sampled_from(["yyyy-MM-dd", "HH:mm", "yyyy"])))
    if name == "statusCode":
        status = draw(
            st.sampled_from(sorted(STATUS_CLASSES))
            | st.lists(st.integers(100, 599), min_size=1, max_size=3).map(tuple)
        )
        return Rule(name, status=status)
    return Rule(name)


@given(st.lists(_rules(), min_size=1, max_size=3), st.sampled_from(["AND", "OR"]))
def test_written_rules_read_back_the_same(rules: list[Rule], combine: Any) -> None:
    """Any group of model rules, written and read again, is the same group."""
    parsed = parse_rule_group(rule_group_json(tuple(rules), combine), "here")
    assert parsed == (tuple(rules), combine)
