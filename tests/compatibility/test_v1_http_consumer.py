"""V1/http_consumer.feature: the port mock serves, records and verifies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_bdd import parsers, scenarios, then, when

from pactdsl import MissingRequest, UnexpectedRequest, generate_pact, verify_mock_interactions
from tests.compatibility import _suite
from tests.compatibility._world import World, step_re

if _suite.suite_present():
    scenarios(_suite.feature_path("V1/http_consumer.feature"))
else:
    test_compatibility_suite_is_present = _suite.test_compatibility_suite_is_present


@pytest.fixture
def version() -> str:
    """The feature's spec version."""
    return "V1"


_ORDINALS = {"first": 0, "second": 1, "third": 2}


@then(step_re(r"the payload will contain the {name} JSON document"))
def payload_document(world: World, name: str) -> None:
    assert world.responses[-1].json() == _suite.json_fixture(f"{name}.json")


@then(step_re(r"the content type will be set as {content_type}"))
def content_type_set(world: World, content_type: str) -> None:
    assert world.responses[-1].headers["content-type"] == content_type


@when("the pact test is done")
def pact_test_done(world: World) -> None:
    """Verify the mock, stop it, and write the pact only when it verified (as a test does)."""
    world.mock_ok, world.problems = verify_mock_interactions(world.mock)
    world.mock.stop()
    if world.mock_ok:
        world.pact_file = generate_pact(world.mock.pact, world.tmp / "pacts", spec="2.0.0")


@then(parsers.re(r"the mock server status will (?P<negated>NOT )?be OK"))
def mock_status(world: World, negated: str | None) -> None:
    assert world.mock_ok is (not negated), [str(p) for p in world.problems]


@then(
    parsers.re(
        r"the mock server will (?P<negated>NOT )?write out a Pact file for the interactions?"
        r" when done"
    )
)
def pact_written(world: World, negated: str | None) -> None:
    assert (world.pact_file is not None and world.pact_file.is_file()) is (not negated)
    assert not negated or not list(world.tmp.glob("pacts/*.json"))


def _pact_interactions(world: World) -> list[dict[str, Any]]:
    assert world.pact_file is not None, "no pact file written"
    interactions: list[dict[str, Any]] = json.loads(world.pact_file.read_text("utf-8"))[
        "interactions"
    ]
    return interactions


def _interaction(world: World, ordinal: str) -> dict[str, Any]:
    return _pact_interactions(world)[_ORDINALS[ordinal]]


@then(parsers.re(r"the pact file will contain \{(?P<count>\d+)\} interactions?"))
def pact_interaction_count(world: World, count: str) -> None:
    assert len(_pact_interactions(world)) == int(count)


@then(step_re(r"the \{(?P<ordinal>\w+)\} interaction request will be for a {method}"))
def request_method(world: World, ordinal: str, method: str) -> None:
    assert _interaction(world, ordinal)["request"]["method"] == method


@then(step_re(r"the \{(?P<ordinal>\w+)\} interaction response will contain the {name} document"))
def response_document(world: World, ordinal: str, name: str) -> None:
    assert _interaction(world, ordinal)["response"]["body"] == _suite.json_fixture(name)


@then(step_re(r"the \{(?P<ordinal>\w+)\} interaction request will contain the {name} document"))
def request_document(world: World, ordinal: str, name: str) -> None:
    assert _interaction(world, ordinal)["request"]["body"] == _suite.json_fixture(name)


@then(step_re(r"the \{(?P<ordinal>\w+)\} interaction request query parameters will be {query}"))
def request_query(world: World, ordinal: str, query: str) -> None:
    assert _interaction(world, ordinal)["request"]["query"] == query


@then(
    step_re(
        r"the \{(?P<ordinal>\w+)\} interaction request will contain the header {name}"
        r" with value {value}"
    )
)
def request_header(world: World, ordinal: str, name: str, value: str) -> None:
    assert _interaction(world, ordinal)["request"]["headers"][name] == value


@then(step_re(r"the \{(?P<ordinal>\w+)\} interaction request content type will be {value}"))
def request_content_type(world: World, ordinal: str, value: str) -> None:
    headers = _interaction(world, ordinal)["request"]["headers"]
    assert {k.lower(): v for k, v in headers.items()}["content-type"] == value


@then(
    parsers.re(
        r"the mock server status will be an expected but not received error for interaction"
        r" \{(?P<number>\d+)\}"
    )
)
def missing_request(world: World, number: str) -> None:
    missing = [p for p in world.problems if isinstance(p, MissingRequest)]
    assert [p.description for p in missing] == [f"interaction {number}"], world.problems


@then(
    step_re(
        r"the mock server status will be an unexpected {method} request received error for"
        r" interaction \{(?P<number>\d+)\}"
    )
)
def unexpected_for_interaction(world: World, method: str, number: str) -> None:
    path = world.interactions[number]["path"]
    unexpected = [p for p in world.problems if isinstance(p, UnexpectedRequest)]
    assert [(p.method, p.path) for p in unexpected] == [(method, path)], world.problems


@then(
    step_re(
        r"the mock server status will be an unexpected {method} request received error for"
        r" path {path}"
    )
)
def unexpected_for_path(world: World, method: str, path: str) -> None:
    unexpected = [p for p in world.problems if isinstance(p, UnexpectedRequest)]
    assert [(p.method, p.path) for p in unexpected] == [(method, path)], world.problems


@then("the mock server status will be mismatches")
def status_mismatches(world: World) -> None:
    unexpected = [p for p in world.problems if isinstance(p, UnexpectedRequest)]
    assert unexpected, world.problems
    assert all(near.mismatches for p in unexpected for near in p.closest), world.problems
