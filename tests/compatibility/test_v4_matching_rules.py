"""V4/matching_rules.feature: V4 matchers on requests (mock) and responses (verifier)."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from pactdsl import verify_provider
from tests.compatibility import _suite
from tests.compatibility._provider import Canned
from tests.compatibility._world import (
    World,
    failed_mismatches,
    provider_server,
    step_re,
    write_http_pact,
)

if _suite.suite_present():
    scenarios(_suite.feature_path("V4/matching_rules.feature"))
else:
    test_compatibility_suite_is_present = _suite.test_compatibility_suite_is_present


@pytest.fixture
def version() -> str:
    """The feature's spec version."""
    return "V4"


@given("an expected response configured with the following:")
def expected_response(world: World, datatable: list[list[str]]) -> None:
    row = _suite.single_row(datatable)
    world.interactions["1"] = {
        "No": "1",
        "method": "GET",
        "path": "/status",
        "response": row["status"],
        "response matching rules": row.get("matching rules", ""),
    }


@given(parsers.re(r"a status (?P<status>\d+) response is received"))
def status_received(world: World, status: str) -> None:
    provider_server(world).serve("GET", "/status", Canned(int(status)))


@when("the response is compared to the expected one")
def compare_response(world: World) -> None:
    pact = write_http_pact(world, [world.interactions["1"]])
    result = verify_provider(str(pact), base_url=provider_server(world).url)
    assert not result.errors, result.errors
    world.response_mismatches = failed_mismatches(result)


@then(parsers.re(r"the response comparison should (?P<negated>NOT )?be OK"))
def response_verdict(world: World, negated: str | None) -> None:
    assert world.response_mismatches is not None, "no response compared yet"
    assert bool(world.response_mismatches) == bool(negated), _suite.rendered(
        world.response_mismatches
    )


@then(step_re(r"the response mismatches will contain a {kind} mismatch with error {message}"))
def response_mismatch(world: World, kind: str, message: str) -> None:
    assert world.response_mismatches is not None, "no response compared yet"
    _suite.assert_contains(world.response_mismatches, _suite.unquote(message), kind=kind)
