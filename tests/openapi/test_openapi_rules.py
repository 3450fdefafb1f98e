"""Matching rules in check_openapi beyond the V3 corpus: V4 matchers, DSL contracts, regexes.

The corpus (cases/rules*.yaml) holds V3 pacts; the V4-only matchers
(`notEmpty`, `semver`, `arrayContains`) come here from DSL contracts, which
also show that rules written with `pactdsl.match` are read as a pact file's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
import yaml

from pactdsl import define_contract, interaction, match
from pactdsl.matching import match_request
from pactdsl.openapi import check_openapi
from pactdsl.openapi._regex_language import (
    alphabet,
    finite_strings,
    length_range,
    path_pieces,
    same_language,
)
from tests.openapi.test_openapi_cases import _pact

SPEC = Path(__file__).parent / "specs" / "rules-3.1.yaml"
_READING = {"sensor": "s-1", "value": 21.5}


def _issues(name: str, body: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    contract = define_contract(
        name,
        consumer="shop",
        provider="readings",
        interactions=[
            interaction("store reading")
            .request(
                method="POST",
                path="/readings",
                headers={"Content-Type": "application/json"},
                body=body,
            )
            .responds(status=201)
        ],
    )
    result = check_openapi(contract, SPEC)
    return [(i.severity, i.code, i.pact_path, i.spec_pointer) for i in result.issues]


_PROPERTIES = "#/components/schemas/Reading/properties"


def test_each_like_from_the_dsl_is_read_as_in_a_pact_file() -> None:
    """`each_like(..., min=0)` from pactdsl.match fails against maxItems as the file form does."""
    issues = _issues("openapi_rules_each_like", {**_READING, "tags": match.each_like("a", max=5)})
    assert issues == [
        (
            "error",
            "request.body.rule-incompatible",
            "$.interactions[0].request.body.tags",
            f"{_PROPERTIES}/tags/maxItems",
        ),
        (
            "warning",
            "request.body.rule-wider",
            "$.interactions[0].request.body.tags",
            f"{_PROPERTIES}/tags/uniqueItems",
        ),
    ]


def test_not_empty_on_a_string_admits_values_of_any_type() -> None:
    """V4 `notEmpty` checks presence, not type: against `const` it admits other values."""
    issues = _issues(
        "openapi_rules_not_empty", {**_READING, "kind": match.not_empty("temperature")}
    )
    assert issues == [
        (
            "warning",
            "request.body.rule-wider",
            "$.interactions[0].request.body.kind",
            f"{_PROPERTIES}/kind/const",
        )
    ]


def test_semver_is_judged_as_its_regex_against_max_length() -> None:
    """A `semver` rule admits versions longer than maxLength 8: a warning at maxLength."""
    issues = _issues("openapi_rules_semver", {**_READING, "version": match.semver("1.2.3")})
    assert issues == [
        (
            "warning",
            "request.body.rule-wider",
            "$.interactions[0].request.body.version",
            f"{_PROPERTIES}/version/maxLength",
        )
    ]


def test_array_contains_cannot_be_judged_against_items() -> None:
    """`arrayContains` admits other elements of any shape: a cannot-judge warning."""
    issues = _issues(
        "openapi_rules_array_contains", {**_READING, "tags": match.array_contains("room")}
    )
    assert issues == [
        (
            "warning",
            "request.body.rule-undecided",
            "$.interactions[0].request.body.tags",
            "#/components/schemas/Reading/properties/tags",
        )
    ]


def test_rules_without_a_schema_keyword_to_break_pass() -> None:
    """Rules whose values all fit (an integer-free number, an anchored copy of a pattern) pass."""
    body = {"sensor": match.regex(r"^s-[0-9]+$", "s-1"), "value": 21.5}
    assert _issues("openapi_rules_clean", body) == []


@pytest.mark.parametrize(
    ("pattern", "strings"),
    [
        ("cat|dog", {"cat", "dog"}),
        ("^(GET|PUT)$", {"GET", "PUT"}),
        ("v[12]", {"v1", "v2"}),
        (r"\d+", None),
        ("(?i)cat", None),
        (r"\p{L}", None),
    ],
)
def test_finite_strings_lists_a_plain_alternation_only(
    pattern: str, strings: set[str] | None
) -> None:
    """Only regexes of few whole strings are listed; flags and unknown syntax answer None."""
    found = finite_strings(pattern)
    assert (set(found) if found is not None else None) == strings


def test_length_range_and_alphabet_are_exact_for_plain_regexes() -> None:
    """Shortest and longest strings and the characters used, None when unbounded or unknown."""
    assert length_range(r"\d{2,4}-x?") == (3, 6)
    assert length_range(r"\d+") == (1, None)
    assert length_range(r"a(?=b)") is None
    assert alphabet(r"[0-9]+") == frozenset("0123456789")
    assert alphabet(r".+") is None


def test_path_pieces_split_at_top_level_slashes_only() -> None:
    """A path regex splits into segment regexes unless a slash may come from elsewhere."""
    assert path_pieces(r"^/pets/\d+$") == ["", "pets", r"\d+"]
    assert path_pieces(r"\/pets\/[0-9]+") == ["", "pets", "[0-9]+"]
    assert path_pieces(r"/pets/.+") is None
    assert path_pieces("/a|/b") is None


def test_same_language_ignores_anchors_and_spelling_only() -> None:
    """A regex and a pattern are one language when only anchors, groups or digit classes differ."""
    assert same_language("s-[0-9]+", "^s-[0-9]+$")
    assert same_language(r"^SKU-\d{6}$", "^SKU-[0-9]{6}$")
    assert same_language("(a|b)c", "^(?:a|b)c")
    assert not same_language("s-[0-9]+", "^s-[0-9]{2}$")
    assert not same_language(r"\w+", "[a-z]+")


_PATTERNS = [
    "cat|dog",
    "v[12]",
    r"\d{2,4}-x?",
    "[a-c]{1,3}",
    "(ab|c)+d",
    r"[A-Z]{3}-[0-9]{4}",
    "x?y",
    r"T\d+",
]


@pytest.mark.parametrize("pattern", _PATTERNS)
@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(data=st.data())
def test_the_regex_answers_hold_for_every_string_the_regex_matches(
    pattern: str, data: st.DataObject
) -> None:
    r"""Any whole match lies in finite_strings, within length_range, of alphabet's characters.

    ASCII only: `\d` is read as [0-9], as the schema side reads numbers.
    """
    ascii_only = st.characters(codec="ascii")
    text = data.draw(st.from_regex(pattern, fullmatch=True, alphabet=ascii_only))
    strings, lengths, chars = finite_strings(pattern), length_range(pattern), alphabet(pattern)
    assert strings is None or text in strings
    assert lengths is not None
    assert lengths[0] <= len(text)
    assert lengths[1] is None or len(text) <= lengths[1]
    assert chars is None or set(text) <= chars


_CASES = Path(__file__).parent / "cases"


def _corpus_interaction(file: str, name: str, index: int) -> tuple[str, dict[str, Any]]:
    data = yaml.safe_load((_CASES / file).read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c["name"] == name)
    return data["spec"], case["interactions"][index]


# (cases file, case name, interaction index, the witness's changes to the request).
_WITNESSES = [
    (
        "rules30.yaml",
        "each_like with min 0 in a request body fails against minItems 1",
        0,
        {"body": {"id": 1, "status": "open", "lines": []}},
    ),
    (
        "rules30.yaml",
        "a number rule on an integer property fails and its bounds warn; "
        "decimal against multipleOf warns",
        0,
        {
            "body": {
                "id": 1,
                "status": "open",
                "quantity": 2.5,
                "price": 9.99,
                "lines": [{"sku": "abc"}],
            }
        },
    ),
    (
        "rules30.yaml",
        "values on an object with additionalProperties false fails",
        0,
        {
            "body": {
                "id": 1,
                "status": "open",
                "flags": {"gift": True, "wrap": True},
                "lines": [{"sku": "abc"}],
            }
        },
    ),
    (
        "rules30.yaml",
        "eachKey within the listed names passes; eachKey admitting other names fails",
        1,
        {
            "body": {
                "id": 2,
                "status": "open",
                "flags": {"gift": True, "wrap": False},
                "lines": [{"sku": "abc"}],
            }
        },
    ),
    (
        "rules30.yaml",
        "a number rule on an integer query parameter fails",
        0,
        {"query": {"limit": ["1.5"]}},
    ),
    (
        "rules31.yaml",
        "each_like with a max above maxItems fails; alike elements warn against uniqueItems",
        0,
        {"body": {"sensor": "s-1", "value": 21.5, "tags": ["a", "b", "c", "d"]}},
    ),
    (
        "rules20.yaml",
        "values on a closed object fails",
        0,
        {"body": {"title": "Broken", "watchers": ["ana"], "meta": {"source": "web", "x": "web"}}},
    ),
    (
        "rules20.yaml",
        "each_like with min 0 in a body parameter fails against minItems 1",
        0,
        {"body": {"title": "Broken", "watchers": []}},
    ),
    (
        "rules20.yaml",
        "a decimal rule on an integer query parameter fails",
        0,
        {"query": {"page": ["1.5"]}},
    ),
]


@pytest.mark.parametrize(("file", "name", "index", "changes"), _WITNESSES)
def test_each_rule_error_of_the_corpus_has_a_witness(
    file: str, name: str, index: int, changes: dict[str, Any]
) -> None:
    """A request the rules admit (the matching engine says so) that the document refuses."""
    spec, original = _corpus_interaction(file, name, index)
    expected = original["request"]
    witness = {k: v for k, v in expected.items() if k != "matchingRules"} | changes
    assert match_request(expected, witness, "3.0.0") == []
    as_example = {**original, "request": witness}
    result = check_openapi(_pact([as_example]), Path(__file__).parent / "specs" / spec)
    assert not result.ok, result.report()
    assert all(issue.code.endswith(".incompatible") for issue in result.errors)


def test_every_rule_error_of_the_corpus_is_given_a_witness() -> None:
    """Each rule-incompatible error of the corpus's interactions is one of the witnessed above."""
    erring = set()
    for file in sorted(_CASES.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for case in data["cases"]:
            result = check_openapi(
                _pact(case["interactions"]), Path(__file__).parent / "specs" / data["spec"]
            )
            for issue in result.errors:
                if issue.code.endswith(".rule-incompatible"):
                    index = int(issue.pact_path.split("[", 2)[1].split("]")[0])
                    erring.add((file.name, case["name"], index))
    assert erring == {(file, name, index) for file, name, index, _ in _WITNESSES}
