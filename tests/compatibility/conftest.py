"""Steps shared by the compatibility suite's feature files (one step module per feature).

Every step drives the public API: pact files are written as the feature's spec version
would write them and read back by `load_pact`, the mock provider and the verifier;
providers are real HTTP servers on 127.0.0.1 (`_provider.py`). The suite's official
mismatch texts are pact-reference's wording, checked by the facts `_suite.FACTS` lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_bdd import given, then, when

from pactdsl import (
    MissingRequest,
    UnexpectedRequest,
    create_mock_provider,
    verify_mock_interactions,
)
from tests.compatibility import _suite
from tests.compatibility._world import (
    World,
    mock_mismatches,
    numbers,
    send,
    step_re,
    write_http_pact,
)

# Scenarios we believe the suite gets wrong, or that need what another issue owns:
# (feature file, scenario title) -> reason. Each is a strict xfail, listed in
# docs/conformance.md with the pact-reference behaviour it was checked against.
XFAILS: dict[tuple[str, str], str] = {
    ("V1/http_consumer.feature", "Request with a multipart body (negative case)"): (
        "multipart bodies are compared as whole bytes, not part by part (issue 12, next step)"
    ),
}


def pytest_configure(config: pytest.Config) -> None:
    for tag in ("consumer", "provider", "message", "wip", "SynchronousMessage"):
        config.addinivalue_line("markers", f"{tag}: compatibility-suite scenarios tagged @{tag}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
        feature, _, title = doc.partition(": ")
        if not feature.endswith(".feature"):
            continue
        name = "/".join(Path(feature).parts[-2:])
        reason = XFAILS.get((name, title))
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.fixture
def version() -> str:
    """The feature's version (each step module overrides it)."""
    raise AssertionError("each step module sets its feature's version")


@pytest.fixture
def world(version: str, tmp_path: Path) -> Iterator[World]:
    """A fresh scenario state, its servers stopped at the end."""
    state = World(version, tmp_path)
    try:
        yield state
    finally:
        state.close()


# --- the interactions table ----------------------------------------------------------------


@given("the following HTTP interactions have been defined:")
def define_interactions(world: World, datatable: list[list[str]]) -> None:
    for row in _suite.table_dicts(datatable):
        world.interactions[row["No"]] = row


# --- the consumer side: the mock provider -------------------------------------------------


def start_mock(world: World, rows: list[dict[str, str]], *, port: int | None = 0) -> None:
    """Start a mock provider (a real port by default) for these rows' interactions."""
    world.served = [row["No"] for row in rows]
    world.mock = create_mock_provider(write_http_pact(world, rows, "served"), port).start()


@when(step_re(r"the mock server is started with interaction (?P<number>\d+)"))
def mock_started_with(world: World, number: str) -> None:
    start_mock(world, [world.interactions[number]])


@when(step_re(r"the mock server is started with interactions {which}"))
def mock_started_with_list(world: World, which: str) -> None:
    start_mock(world, [world.interactions[n] for n in numbers(which)])


@when(
    step_re(
        r"the mock server is started with interaction (?P<number>\d+)"
        r" but with the following changes:"
    )
)
def mock_started_with_changes(world: World, number: str, datatable: list[list[str]]) -> None:
    row = _suite.with_changes(world.interactions[number], _suite.single_row(datatable))
    start_mock(world, [row])


@when(step_re(r"request (?P<number>\d+) is made to the mock server"))
def request_made(world: World, number: str) -> None:
    world.responses.append(send(world.mock.url, world.interactions[number]))


@when(step_re(r"request (?P<number>\d+) is made to the mock server with the following changes:"))
def request_made_with_changes(world: World, number: str, datatable: list[list[str]]) -> None:
    row = _suite.with_changes(world.interactions[number], _suite.single_row(datatable))
    world.responses.append(send(world.mock.url, row))


@then(step_re(r"a (?P<status>\d+) (?P<outcome>success|error) response is returned"))
def response_returned(world: World, status: str, outcome: str) -> None:
    response = world.responses[-1]
    if outcome == "success":
        assert response.status_code == int(status), response.text
    else:
        # Our mock answers a request that matches no interaction with 404 (pact-reference:
        # 500); see docs/conformance.md.
        assert response.status_code in (404, 500), (response.status_code, response.text)


@then(step_re(r"the mismatches will contain a {kind} mismatch with error {message}"))
def mismatch_of_kind(world: World, kind: str, message: str) -> None:
    _suite.assert_contains(mock_mismatches(world), _suite.unquote(message), kind=kind)


@then(
    step_re(r"the mismatches will contain a {kind} mismatch with path {path} with error {message}")
)
def mismatch_of_kind_at(world: World, kind: str, path: str, message: str) -> None:
    _suite.assert_contains(mock_mismatches(world), _suite.unquote(message), path=path)


# --- the matching engine, through the in-process mock ----------------------------------------


def _expected_row(row: dict[str, str]) -> dict[str, str]:
    return {"No": "1", **row}


@given("an expected request configured with the following:")
def expected_request(world: World, datatable: list[list[str]]) -> None:
    world.expected = _expected_row(_suite.single_row(datatable))


@given(step_re(r"an? expected request with an? {name} header of {value}"))
def expected_request_header(world: World, name: str, value: str) -> None:
    world.expected = _expected_row({"headers": f"'{name}: {value}'"})


@given("a request is received with the following:")
def request_received(world: World, datatable: list[list[str]]) -> None:
    world.actuals = [_suite.single_row(datatable)]


@given("the following requests are received:")
def requests_received(world: World, datatable: list[list[str]]) -> None:
    world.actuals = _suite.table_dicts(datatable)


@given(step_re(r"a request is received with an? {name} header of {value}"))
def request_received_header(world: World, name: str, value: str) -> None:
    world.actuals = [{"headers": f"'{name}: {value}'"}]


@when(step_re(r"the requests? (?:is|are) compared to the expected one"))
def compare_requests(world: World) -> None:
    assert world.expected is not None, "no expected request configured"
    pact = write_http_pact(world, [world.expected], "expected")
    world.results = []
    for actual in world.actuals:
        mock = create_mock_provider(pact).start()
        try:
            response = send(mock.url, actual)
            ok, problems = verify_mock_interactions(mock)
        finally:
            mock.stop()
        found = [
            m
            for p in problems
            if isinstance(p, UnexpectedRequest)
            for n in p.closest
            for m in n.mismatches
        ]
        assert ok == (response.status_code == 200), (ok, response.status_code, problems)
        if not ok:
            assert found or any(isinstance(p, MissingRequest) for p in problems), problems
        world.results.append((response.status_code, found))


@then(step_re(r"the comparison should (?P<negated>NOT )?be OK"))
def comparison_verdict(world: World, negated: str | None) -> None:
    assert world.results is not None, "no request has been compared yet"
    for number, (status, found) in enumerate(world.results, start=1):
        if negated:
            assert status != 200, f"request {number}: expected mismatches, got none"
        else:
            assert status == 200, f"request {number}: {_suite.rendered(found)}"


@then(step_re(r"the mismatches will contain a mismatch with error {path} -> {message}"))
def mismatch_at(world: World, path: str, message: str) -> None:
    assert world.results is not None, "no request has been compared yet"
    found = [m for _, mismatches in world.results for m in mismatches]
    _suite.assert_contains(found, _suite.unquote(message), path=_suite.unquote(path))


# --- the provider side: verification -----------------------------------------------------------
