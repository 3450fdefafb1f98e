"""Fuzzing `load_pact` and the engine with hostile JSON: only pactdsl's own errors come out.

A fixed budget (derandomized, a set number of examples) keeps it fast and the
same on every CI run; any other exception type (ValueError from int("²"),
RecursionError, re.error, AttributeError, ...) fails the test with its input.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pactdsl import PactdslError, load_pact
from pactdsl._rule import MATCHER_ALIASES
from pactdsl.matching import MatchingError, match_request, match_response

BUDGET = settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ODD_TEXT = st.sampled_from(
    [
        "²",
        "٣",
        "1e999",
        "NaN",
        "-0",
        "0x1F",
        "",
        " ",
        "$",
        "$.",
        "$[",
        "$.a[*",
        "\x00",
        "é" * 3,
        "DDDD",
        "yyyy-MM-dd'T'HH",
        "(?:(?:a{1000}){1000}){1000}",
        "(a|aa)+$",
        "[",
        "{",
        "%s",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    ODD_TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=6), ODD_TEXT), inner, max_size=4),
    ),
    max_leaves=20,
)
MATCHER = st.fixed_dictionaries(
    {"match": st.one_of(st.sampled_from(sorted(MATCHER_ALIASES)), ODD_TEXT)},
    optional={
        "regex": st.one_of(ODD_TEXT, JSON),
        "min": st.one_of(ODD_TEXT, SCALARS),
        "max": st.one_of(ODD_TEXT, SCALARS),
        "format": st.one_of(ODD_TEXT, SCALARS),
        "value": JSON,
        "values": JSON,
        "rules": JSON,
    },
)
RULES = st.dictionaries(
    st.one_of(st.sampled_from(["$", "$.a", "$.a[*]", "$.*", "$['x']"]), ODD_TEXT),
    st.one_of(st.fixed_dictionaries({"matchers": st.lists(MATCHER, max_size=3)}), JSON),
    max_size=3,
)
GENERATOR = st.fixed_dictionaries(
    {
        "type": st.one_of(
            st.sampled_from(
                [
                    "RandomInt",
                    "RandomString",
                    "Regex",
                    "Uuid",
                    "Date",
                    "DateTime",
                    "ProviderState",
                    "MockServerURL",
                    "RandomDecimal",
                    "RandomHexadecimal",
                ]
            ),
            ODD_TEXT,
        )
    },
    optional={
        "min": SCALARS,
        "max": SCALARS,
        "regex": ODD_TEXT,
        "format": ODD_TEXT,
        "example": SCALARS,
        "expression": ODD_TEXT,
        "size": SCALARS,
        "digits": SCALARS,
    },
)


@st.composite
def hostile_pacts(draw: st.DrawFn) -> Any:
    """A pact shaped like a real one whose parts are replaced by hostile values."""
    response: dict[str, Any] = {
        "status": draw(st.one_of(st.just(200), SCALARS)),
        "body": draw(JSON),
        "matchingRules": draw(st.one_of(st.fixed_dictionaries({"body": RULES}), RULES, JSON)),
        "generators": draw(
            st.one_of(
                st.fixed_dictionaries(
                    {
                        "body": st.dictionaries(
                            st.sampled_from(["$.a", "$", "$.b[0]"]), GENERATOR, max_size=2
                        )
                    }
                ),
                JSON,
            )
        ),
    }
    request: dict[str, Any] = {
        "method": draw(st.one_of(st.just("GET"), SCALARS)),
        "path": draw(st.one_of(st.just("/x"), SCALARS)),
        "query": draw(st.one_of(st.just("a=1"), JSON)),
        "headers": draw(st.one_of(st.just({"Accept": "application/json"}), JSON)),
    }
    interaction: dict[str, Any] = {
        "description": draw(st.one_of(st.just("d"), SCALARS)),
        "providerStates": draw(st.one_of(st.just([{"name": "s"}]), JSON)),
        "request": request,
        "response": response,
    }
    version = draw(st.sampled_from(["1.0.0", "2.0.0", "3.0.0", "4.0", "9", "²"]))
    pact: dict[str, Any] = {
        "consumer": {"name": draw(st.one_of(st.just("c"), SCALARS))},
        "provider": {"name": draw(st.one_of(st.just("p"), SCALARS))},
        "interactions": [interaction],
        "metadata": {"pactSpecification": {"version": version}},
    }
    for _ in range(draw(st.integers(0, 2))):  # drop a random top-level or nested key
        target = draw(st.sampled_from([pact, interaction, request, response]))
        if target:
            target.pop(draw(st.sampled_from(sorted(target))), None)
    return pact


@BUDGET
@given(hostile_pacts())
def test_load_pact_raises_only_pactdsl_errors(pact: Any) -> None:
    """Any hostile pact, as a dict or as JSON text, loads or raises a PactdslError."""
    for source in (pact, json.dumps(pact)):
        with contextlib.suppress(PactdslError):
            load_pact(source)


@BUDGET
@given(
    st.fixed_dictionaries(
        {"status": SCALARS, "body": JSON, "headers": JSON, "matchingRules": RULES}
    ),
    st.fixed_dictionaries({"status": SCALARS, "body": JSON, "headers": JSON}),
)
def test_the_engine_raises_only_matching_errors(expected: Any, actual: Any) -> None:
    """Hostile expected and actual messages give mismatches or a MatchingError, nothing else."""
    for match, rules_key in ((match_response, "body"), (match_request, "body")):
        wrapped = dict(expected, matchingRules={rules_key: expected["matchingRules"]})
        for candidate in (expected, wrapped):
            with contextlib.suppress(MatchingError):
                match(candidate, actual, "3.0.0")
