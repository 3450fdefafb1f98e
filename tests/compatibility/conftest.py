"""Steps shared by the compatibility suite's feature files (one step module per feature).

Every step drives the public API: pact files are written as the feature's spec version
would write them and read back by `load_pact`, the mock provider and the verifier;
providers are real HTTP servers on 127.0.0.1 (`_provider.py`). The suite's official
mismatch texts are pact-reference's wording, checked by the facts `_suite.FACTS` lists.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_bdd import given, parsers, then, when

from pactdsl import (
    ContractVerificationResult,
    MissingRequest,
    ProviderRequest,
    SynchronousMessage,
    UnexpectedRequest,
    create_mock_provider,
    define_contract,
    format_verification_report,
    generate_pact,
    interaction,
    message,
    mock_provider,
    sync_message,
    verify_message_consumer,
    verify_mock_interactions,
    verify_provider,
)
from pactdsl.broker import PactBrokerClient
from tests.compatibility import _suite
from tests.compatibility._provider import Canned, Received, published_results, seeded_broker
from tests.compatibility._world import (
    World,
    message_content_type,
    message_contents,
    mock_mismatches,
    numbers,
    pact_items,
    provider_server,
    send,
    step_re,
    write_http_pact,
)

# Scenarios we believe the suite gets wrong, or that need what another issue owns:
# (feature file, scenario title) -> reason. Each is a strict xfail, listed in
# docs/conformance.md with the pact-reference behaviour it was checked against.
XFAILS: dict[tuple[str, str], str] = {}


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
def world(version: str, tmp_path: Path, clean_registry: None) -> Iterator[World]:
    """A fresh scenario state (and contract registry), its servers stopped at the end."""
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


# --- the provider side: a real provider, pact files, the verifier ---------------------------


def _canned(row: dict[str, str]) -> Canned:
    status, headers, body = _suite.response_of(row)
    return Canned(status, tuple(headers), body.raw if body is not None else b"")


def _serve_rows(world: World, rows: list[dict[str, str]]) -> None:
    provider = provider_server(world)
    events: list[tuple[str, ...]] = world.extra.setdefault("events", [])
    for row in rows:
        answer = _canned(row)

        def respond(seen: Received, answer: Canned = answer) -> Canned:
            events.append(("request", seen.method, seen.path))
            return answer

        provider.serve(row["method"], row["path"], respond)


@given(step_re(r"a provider is started that returns the response from interaction (?P<number>\d+)"))
def provider_for(world: World, number: str) -> None:
    _serve_rows(world, [world.interactions[number]])


@given(step_re(r"a provider is started that returns the responses from interactions {which}"))
def provider_for_many(world: World, which: str) -> None:
    _serve_rows(world, [world.interactions[n] for n in numbers(which)])


@given(
    step_re(
        r"a provider is started that returns the response from interaction (?P<number>\d+),"
        r" with the following changes:"
    )
)
def provider_with_changes(world: World, number: str, datatable: list[list[str]]) -> None:
    row = world.interactions[number]
    changes = _suite.single_row(datatable)
    changed = _suite.with_changes(row, changes)
    body = changes.get("response body", "")
    if body and not body.startswith(("JSON:", "XML:", "file:")) and row.get("response body"):
        # A plain-text replacement keeps the interaction's content type (the form body).
        original = _suite.parse_body(row["response body"], row.get("response content") or None)
        assert original is not None
        changed["response content"] = original.content_type or ""
    _serve_rows(world, [changed])


def _pact_for(world: World, number: str, **extra: Any) -> Path:
    row = world.interactions[number]
    version = _suite.http_row_version(row, world.version)
    interaction = _suite.http_interaction_json(row, version)
    states = extra.pop("states", None)
    if states is not None:
        if version in ("V1", "V2"):
            (state,) = states
            interaction["providerState"] = state["name"]
        else:
            interaction["providerStates"] = states
    interaction.update(extra)
    document = _suite.pact_document([interaction], version)
    name = f"pact-{number}-{len(world.extra.get('pacts', []))}"
    return _suite.write_json(world.tmp / "pacts" / f"{name}.json", document)


def _to_verify(world: World, path: Path) -> None:
    world.extra.setdefault("pacts", []).append(path)


@given(step_re(r"a Pact file for interaction (?P<number>\d+) is to be verified"))
def pact_to_verify(world: World, number: str) -> None:
    _to_verify(world, _pact_for(world, number))


@given(
    step_re(
        r"a Pact file for interaction (?P<number>\d+) is to be verified with a provider state"
        r" {state} defined"
    )
)
def pact_with_state(world: World, number: str, state: str) -> None:
    _to_verify(world, _pact_for(world, number, states=[{"name": state}]))


@given(
    step_re(
        r"a Pact file for interaction (?P<number>\d+) is to be verified with the following"
        r" provider states defined:"
    )
)
def pact_with_states(world: World, number: str, datatable: list[list[str]]) -> None:
    states = []
    for row in _suite.table_dicts(datatable):
        state: dict[str, Any] = {"name": row["State Name"]}
        if row.get("Parameters"):
            state["params"] = json.loads(row["Parameters"])
        states.append(state)
    _to_verify(world, _pact_for(world, number, states=states))


@given(
    step_re(r"a Pact file for interaction (?P<number>\d+) is to be verified, but is marked pending")
)
def pact_pending(world: World, number: str) -> None:
    _to_verify(world, _pact_for(world, number, pending=True))


@given(
    step_re(
        r"a Pact file for interaction (?P<number>\d+) is to be verified with the following"
        r" comments:"
    )
)
def pact_with_comments(world: World, number: str, datatable: list[list[str]]) -> None:
    _to_verify(world, _pact_for(world, number, comments=comments_json(datatable)))


def comments_json(datatable: list[list[str]]) -> dict[str, Any]:
    """A comments table (`comment`, `type`) as V4 `comments`: texts and the test name."""
    comments: dict[str, Any] = {}
    for row in _suite.table_dicts(datatable):
        if row["type"] == "text":
            comments.setdefault("text", []).append(row["comment"])
        else:
            comments[row["type"]] = row["comment"]
    return comments


@given(step_re(r"a Pact file for interaction (?P<number>\d+) is to be verified from a Pact broker"))
def pact_from_broker(world: World, number: str) -> None:
    world.extra.setdefault("broker", []).append(number)


@given("publishing of verification results is enabled")
def publishing_enabled(world: World) -> None:
    world.extra["publish"] = True


def _record_state(world: World, action: str, *, fail: bool = False) -> Any:
    events: list[tuple[Any, ...]] = world.extra.setdefault("events", [])

    def callback(state: str, params: dict[str, Any]) -> None:
        events.append((action, state, dict(params or {})))
        if fail:
            msg = f"state {state!r} cannot be set up"
            raise RuntimeError(msg)

    return callback


@given("a provider state callback is configured")
def state_callback(world: World) -> None:
    world.extra["state_setup"] = _record_state(world, "setup")
    world.extra["state_teardown"] = _record_state(world, "teardown")


@given("a provider state callback is configured, but will return a failure")
def failing_state_callback(world: World) -> None:
    world.extra["state_setup"] = _record_state(world, "setup", fail=True)
    world.extra["state_teardown"] = _record_state(world, "teardown")


@given("a request filter is configured to make the following changes:")
def request_filter(world: World, datatable: list[list[str]]) -> None:
    headers = _suite.parse_headers(_suite.single_row(datatable)["headers"])

    def add_headers(request: ProviderRequest) -> None:
        for name, value in headers:
            request.headers[name] = value

    world.extra["request_filter"] = add_headers


def _verify_from_broker(world: World, options: dict[str, Any]) -> ContractVerificationResult:
    consumers = [f"c_{n}" for n in world.extra["broker"]]
    seeds = {c: _suite.json_fixture(f"pact-broker_{c.replace('_', '')}.json") for c in consumers}
    pacts = {
        f"c_{n}": json.loads(
            _pact_for(world, n).read_text("utf-8").replace("compatibility-suite-", "")
        )
        | {"consumer": {"name": f"c_{n}"}, "provider": {"name": "p"}}
        for n in world.extra["broker"]
    }
    broker = seeded_broker(seeds, pacts)
    world.servers.append(broker)
    world.extra["broker_server"] = broker
    with PactBrokerClient(broker.url, retries=0) as client:
        return verify_provider(
            broker=client,
            provider="p",
            provider_version="0.0.0",
            publish_results=bool(world.extra.get("publish")),
            **options,
        )


@when("the verification is run")
def verification_run(world: World) -> None:
    options: dict[str, Any] = {
        key: world.extra[key]
        for key in ("state_setup", "state_teardown", "request_filter", "message_producers")
        if key in world.extra
    }
    if world.provider is not None:
        options["base_url"] = world.provider.url
    if "broker" in world.extra:
        world.result = _verify_from_broker(world, options)
    else:
        sources = [str(p) for p in world.extra.get("pacts", [])]
        world.result = verify_provider(sources, **options)


@then(parsers.re(r"the verification will (?P<negated>NOT )?be successful"))
def verification_verdict(world: World, negated: str | None) -> None:
    assert world.result is not None, "the verification has not run"
    assert world.result.success is (not negated), format_verification_report(world.result)


# The suite's error names -> the part of a response (or message) a mismatch is about.
_ERROR_PARTS = {
    "Response status did not match": "$.status",
    "Headers had differences": "$.header",
    "Body had differences": "$.body",
    "Metadata had differences": "$.metadata",
}


def _has_error(world: World, error: str, *, pending: bool | None = None) -> bool:
    assert world.result is not None, "the verification has not run"
    if error == "State change request failed":
        return any(e.phase == "state setup" for e in world.result.errors)
    prefix = _ERROR_PARTS[error]
    return any(
        m.path.startswith(prefix)
        for entry in world.result.failed
        if pending is None or entry.pending is pending
        for m in entry.mismatches
    )


@then(step_re(r"the verification results will contain a {error} error"))
def verification_error(world: World, error: str) -> None:
    assert world.result is not None
    assert _has_error(world, error), format_verification_report(world.result)


@then(step_re(r"there will be a pending {error} error"))
def pending_error(world: World, error: str) -> None:
    assert world.result is not None
    assert _has_error(world, error, pending=True), format_verification_report(world.result)


def _events(world: World) -> list[tuple[Any, ...]]:
    events: list[tuple[Any, ...]] = world.extra.get("events", [])
    return events


def _first(world: World, kind: str) -> int:
    return next(i for i, e in enumerate(_events(world)) if e[0] == kind)


@then("the provider state callback will be called before the verification is run")
def state_called_before(world: World) -> None:
    kinds = [e[0] for e in _events(world)]
    assert "setup" in kinds, kinds
    if "request" in kinds:
        assert _first(world, "setup") < _first(world, "request"), kinds


@then("the provider state callback will be called after the verification is run")
def state_called_after(world: World) -> None:
    kinds = [e[0] for e in _events(world)]
    assert "teardown" in kinds, kinds
    last_teardown = max(i for i, kind in enumerate(kinds) if kind == "teardown")
    assert last_teardown > max(i for i, kind in enumerate(kinds) if kind != "teardown"), kinds


def _state_calls(world: World, action: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e[1], e[2]) for e in _events(world) if e[0] == action]


@then(
    step_re(
        r"the provider state callback will receive a (?P<action>setup) call with {state} as the"
        r" provider state parameter"
    )
)
@then(
    step_re(
        r"the provider state callback will receive a (?P<action>teardown) call {state} as the"
        r" provider state parameter"
    )
)
def state_call(world: World, action: str, state: str) -> None:
    assert state in [name for name, _ in _state_calls(world, action)], _events(world)


@then(
    step_re(
        r"the provider state callback will receive a (?P<action>setup) call with {state} and the"
        r" following parameters:"
    )
)
@then(
    step_re(
        r"the provider state callback will receive a (?P<action>teardown) call {state} and the"
        r" following parameters:"
    )
)
def state_call_params(world: World, action: str, state: str, datatable: list[list[str]]) -> None:
    row = _suite.single_row(datatable)
    params = {name: json.loads(value) for name, value in row.items()}
    assert (state, params) in _state_calls(world, action), _events(world)


@then("the provider state callback will NOT receive a teardown call")
def no_teardown(world: World) -> None:
    assert not _state_calls(world, "teardown"), _events(world)


@then(
    step_re(
        r"a warning will be displayed that there was no provider state callback configured for"
        r" provider state {state}"
    )
)
def unset_state_warning(world: World, state: str) -> None:
    assert world.result is not None
    assert any(repr(state) in notice or state in notice for notice in world.result.notices), (
        world.result.notices
    )


@then(step_re(r"the request to the provider will contain the header {header}"))
def provider_got_header(world: World, header: str) -> None:
    ((name, value),) = _suite.parse_headers(f"'{header}'")
    received = provider_server(world).received
    assert received, "the provider received nothing"
    assert all(seen.header(name) == value for seen in received), received


@then("a verification result will NOT be published back")
def nothing_published(world: World) -> None:
    assert not published_results(world.extra["broker_server"])


@then(
    parsers.re(
        r"a (?P<outcome>successful|failed) verification result will be published back for"
        r" (?:the )?interaction \{(?P<number>\d+)\}"
    )
)
def result_published(world: World, outcome: str, number: str) -> None:
    everything = published_results(world.extra["broker_server"])
    published = everything.get(f"c_{number}")
    assert published, everything
    (result,) = published
    assert result["success"] is (outcome == "successful"), result
    assert result["providerApplicationVersion"] == "0.0.0", result


# --- generators: what the verifier sends, what the mock answers ----------------------------


def _generator_part(row: dict[str, str]) -> dict[str, Any]:
    part: dict[str, Any] = {}
    body = _suite.parse_body(row.get("body", ""))
    if body is not None:
        part["body"] = body.v4_object()
        part["headers"] = {"Content-Type": [body.content_type]}
    part["generators"] = _suite.json_cell(row["generators"])
    return part


@given("a request configured with the following generators:")
def request_with_generators(world: World, datatable: list[list[str]]) -> None:
    world.extra["request"] = {
        "method": "GET",
        "path": "/path",
        **_generator_part(_suite.single_row(datatable)),
    }


@given("a response configured with the following generators:")
def response_with_generators(world: World, datatable: list[list[str]]) -> None:
    world.extra["response"] = {"status": 200, **_generator_part(_suite.single_row(datatable))}


@given(step_re(r"the generator test mode is set as {mode}"))
def generator_mode(world: World, mode: str) -> None:
    world.extra["mode"] = mode


def _prepare_request(world: World, context: dict[str, Any] | None) -> None:
    """Send the request as the verifier prepares it (Provider mode): generators applied."""
    request = world.extra["request"]
    interaction: dict[str, Any] = {
        "type": "Synchronous/HTTP",
        "description": "a request with generators",
        "request": request,
        "response": {"status": 200},
    }
    options: dict[str, Any] = {}
    if context is not None:
        interaction["providerStates"] = [{"name": "the generator context"}]
        options["state_setup"] = lambda state: context
    pact = _suite.write_json(
        world.tmp / "generators.json", _suite.pact_document([interaction], "V4")
    )
    provider = provider_server(world)
    provider.routes.clear()

    def any_route(seen: Received) -> Canned:
        return Canned(200)

    provider.default = any_route
    result = verify_provider(str(pact), base_url=provider.url, **options)
    assert result.success, format_verification_report(result)
    (seen,) = provider.received
    world.extra["prepared"] = seen


def _prepare_with_mock(world: World, generators_in: str) -> None:
    """Serve the part from a port mock (Consumer mode): its response has generators applied."""
    part = world.extra[generators_in]
    response = (
        part
        if generators_in == "response"
        else {
            "status": 200,
            **{k: v for k, v in part.items() if k in ("body", "headers", "generators")},
        }
    )
    interaction = {
        "type": "Synchronous/HTTP",
        "description": "a response with generators",
        "request": {"method": "GET", "path": "/generated"},
        "response": response,
    }
    pact = _suite.write_json(
        world.tmp / "generated.json", _suite.pact_document([interaction], "V4")
    )
    with mock_provider(pact, port=0) as mock:
        answer = httpx.get(f"{mock.url}/generated", timeout=30)
        world.extra["mock_url"] = mock.url
    world.extra["answer"] = answer


@when("the request is prepared for use")
def request_prepared(world: World) -> None:
    _prepare_request(world, None)


@when(step_re(r"the request is prepared for use with a {kind} context:"))
def request_prepared_in_context(world: World, kind: str, datatable: list[list[str]]) -> None:
    ((cell,),) = datatable
    context = json.loads(cell)
    if kind == "providerState":
        _prepare_request(world, context)
    else:
        # A mock server URL is what the mock provider knows: it serves the part with
        # generators applied, the context's href standing for the mock's own URL.
        assert kind == "mockServer", kind
        world.extra["href"] = context["href"]
        _prepare_with_mock(world, "request")


@when("the response is prepared for use")
def response_prepared(world: World) -> None:
    _prepare_with_mock(world, "response")


def _generated_body(world: World) -> Any:
    if "answer" in world.extra:
        return world.extra["answer"].json()
    return world.extra["prepared"].json()


_VALUE_FORMATS: dict[str, Callable[[Any], object]] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "decimal number": lambda v: (
        isinstance(v, float) or (isinstance(v, str) and re.fullmatch(r"-?\d+\.\d+", v) is not None)
    ),
    "hexadecimal number": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-fA-F]+", v),
    "random string": lambda v: isinstance(v, str) and v != "",
    "string from the regex": lambda v: isinstance(v, str) and re.fullmatch(r"\d{1,8}", v),
    "date": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v),
    "time": lambda v: isinstance(v, str) and re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", v),
    "date-time": lambda v: (
        isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}.*", v)
    ),
    "UUID": lambda v: (
        isinstance(v, str)
        and re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v)
    ),
    "simple UUID": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]{32}", v),
    "lower-case-hyphenated UUID": lambda v: (
        isinstance(v, str)
        and re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v)
    ),
    "upper-case-hyphenated UUID": lambda v: (
        isinstance(v, str)
        and re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", v)
    ),
    "URN UUID": lambda v: (
        isinstance(v, str)
        and re.fullmatch(
            r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v
        )
    ),
    "boolean": lambda v: isinstance(v, bool),
}


def value_at(document: Any, path: str) -> Any:
    """The value at a simple `$.a.b` path."""
    value = document
    for key in path.removeprefix("$.").split("."):
        value = value[key]
    return value


def assert_generated(value: Any, kind: str, example: Any) -> None:
    """A generated value is of the kind the step names (and not the example)."""
    assert _VALUE_FORMATS[kind](value), f"{value!r} is not a {kind}"
    if kind not in ("boolean",):
        assert value != example, f"{value!r} is still the example"


@then(step_re(r"the body value for {path} will have been replaced with an? {kind}"))
def body_value_kind(world: World, path: str, kind: str) -> None:
    example = value_at(_suite.json_fixture("basic.json"), path)
    assert_generated(value_at(_generated_body(world), path), kind, example)


@then(step_re(r"the body value for {path} will have been replaced with {value}"))
def body_value_exact(world: World, path: str, value: str) -> None:
    generated = value_at(_generated_body(world), path)
    if "href" in world.extra:
        value = value.replace(world.extra["href"], world.extra["mock_url"])
    assert str(generated) == value, generated


def _http_part(world: World, side: str, name: str) -> str:
    """`path`, `status`, `header[X]`, `queryParameter[x]` of the prepared request or response."""
    if side == "request":
        seen: Received = world.extra["prepared"]
        if name == "path":
            return seen.path
        if name.startswith("header["):
            found = seen.header(name[len("header[") : -1])
            assert found is not None, seen.headers
            return found
        if name.startswith("queryParameter["):
            query = dict(urllib.parse.parse_qsl(seen.query))
            return query[name[len("queryParameter[") : -1]]
    else:
        answer: httpx.Response = world.extra["answer"]
        if name == "status":
            return str(answer.status_code)
        if name.startswith("header["):
            return answer.headers[name[len("header[") : -1]]
    raise AssertionError(f"no such part {side} {name!r}")


@then(step_re(r"the (?P<side>request|response) {name} will be set as {value}"))
def part_set_as(world: World, side: str, name: str, value: str) -> None:
    assert _http_part(world, side, name) == value


@then(step_re(r"the (?P<side>request|response) {name} will match {pattern}"))
def part_matches(world: World, side: str, name: str, pattern: str) -> None:
    assert re.fullmatch(pattern, _http_part(world, side, name)), _http_part(world, side, name)


@then(step_re(r"the (?P<side>request|response) {name} will not be {value}"))
def part_not(world: World, side: str, name: str, value: str) -> None:
    assert _http_part(world, side, name) != value


# --- the consumer side: contracts declared with the DSL, pact files written ------------------


def _spec(world: World, kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "kind": kind,
        "states": [],
        "key": None,
        "pending": False,
        "comments": [],
        "request": None,
        "responses": [],
    }
    world.extra.setdefault("specs", []).append(spec)
    return spec


def _last(world: World, kind: str | None = None) -> dict[str, Any]:
    specs: list[dict[str, Any]] = world.extra["specs"]
    return [s for s in specs if kind is None or s["kind"] == kind][-1]


_KINDS = {"HTTP": "http", "message": "message", "synchronous message": "sync"}


@given("an integration is being defined for a consumer test")
@given("an HTTP interaction is being defined for a consumer test")
def http_defined(world: World) -> None:
    _spec(world, "http")


@given("a message integration is being defined for a consumer test")
@given("a message interaction is being defined for a consumer test")
def message_defined(world: World) -> None:
    _spec(world, "message")


@given("a synchronous message interaction is being defined for a consumer test")
def sync_defined(world: World) -> None:
    _spec(world, "sync")


def _state_params(datatable: list[list[str]]) -> dict[str, Any]:
    row = _suite.single_row(datatable)
    return {name: json.loads(value) for name, value in row.items()}


@given(step_re(r"a provider state {state} is specified"))
@given(step_re(r"a provider state {state} for the (?:synchronous )?message is specified"))
def state_specified(world: World, state: str) -> None:
    _last(world)["states"].append((state, {}))


@given(step_re(r"a provider state {state} is specified with the following data:"))
@given(
    step_re(
        r"a provider state {state} for the (?:synchronous )?message is specified with the"
        r" following data:"
    )
)
def state_with_data(world: World, state: str, datatable: list[list[str]]) -> None:
    _last(world)["states"].append((state, _state_params(datatable)))


@given(
    step_re(
        r"a key of {key} is specified for the (?P<kind>HTTP|message|synchronous message)"
        r" interaction"
    )
)
def key_specified(world: World, key: str, kind: str) -> None:
    _last(world, _KINDS[kind])["key"] = key


@given(
    parsers.re(r"the (?P<kind>HTTP|message|synchronous message) interaction is marked as pending")
)
def marked_pending(world: World, kind: str) -> None:
    _last(world, _KINDS[kind])["pending"] = True


@given(
    step_re(
        r"a comment {text} is added to the (?P<kind>HTTP|message|synchronous message)"
        r" interaction"
    )
)
def comment_added(world: World, text: str, kind: str) -> None:
    _last(world, _KINDS[kind])["comments"].append(text)


def _message_part() -> dict[str, Any]:
    return {"content": None, "content_type": None, "metadata": {}}


def _part(spec: dict[str, Any], side: str) -> dict[str, Any]:
    if side == "request":
        if spec["request"] is None:
            spec["request"] = _message_part()
        part: dict[str, Any] = spec["request"]
        return part
    spec["responses"].append(_message_part())
    last: dict[str, Any] = spec["responses"][-1]
    return last


def _document_part(part: dict[str, Any], cell: str) -> None:
    """A payload from `file: ...` or a fixture's stem (`"basic"`)."""
    body = _suite.parse_body(cell if cell.startswith("file:") else f"file: {cell}.json")
    assert body is not None
    content = body.content()
    part["content"] = content
    part["content_type"] = body.content_type


@given(step_re(r"the message payload contains the {name} JSON document"))
@given(step_re(r"the message request payload contains the {name} JSON document"))
def request_payload(world: World, name: str) -> None:
    _document_part(_part(_last(world), "request"), name)


@given(step_re(r"the message response payload contains the {name} document"))
def response_payload(world: World, name: str) -> None:
    _document_part(_part(_last(world), "response"), name)


def _metadata(datatable: list[list[str]]) -> dict[str, Any]:
    return {
        row["key"]: _suite.metadata_value(row["value"]) for row in _suite.table_dicts(datatable)
    }


@given("the message contains the following metadata:")
@given("the message request contains the following metadata:")
def request_metadata(world: World, datatable: list[list[str]]) -> None:
    _part(_last(world), "request")["metadata"].update(_metadata(datatable))


@given("a message is defined")
def message_is_defined(world: World) -> None:
    _part(_last(world), "request")


@given(parsers.re(r"the message (?:(?P<side>request|response) )?is configured with the following:"))
def message_configured(world: World, side: str | None, datatable: list[list[str]]) -> None:
    row = _suite.single_row(datatable)
    part = _part(_last(world), side or "request")
    generators = _suite.json_cell(row["generators"])
    if row.get("body"):
        _document_part(part, row["body"])
        part["content"] = _suite.with_generators(part["content"], generators.get("body", {}))
    if row.get("metadata"):
        metadata = json.loads(row["metadata"])
        for name, raw in generators.get("metadata", {}).items():
            metadata[name] = _suite.dsl_generator(raw)
        part["metadata"].update(metadata)


_DEFAULT_CONTENT = {"one": "a", "two": "b"}


def _with_content(builder: Any, method: str, part: dict[str, Any] | None) -> Any:
    part = part or _message_part()
    content = _DEFAULT_CONTENT if part["content"] is None else part["content"]
    return getattr(builder, method)(
        content, metadata=part["metadata"] or None, content_type=part["content_type"]
    )


def _builder(spec: dict[str, Any], number: int) -> Any:
    kind = spec["kind"]
    if kind == "http":
        builder: Any = (
            interaction(f"an HTTP interaction {number}")
            .request(method="GET", path="/basic")
            .responds(status=200, body=_suite.json_fixture("basic.json"))
        )
    elif kind == "message":
        builder = _with_content(message(f"a message {number}"), "with_content", spec["request"])
    else:
        builder = _with_content(
            sync_message(f"a synchronous message {number}"), "with_request", spec["request"]
        )
        for response in spec["responses"] or [None]:
            builder = _with_content(builder, "with_response", response)
    for state, params in spec["states"]:
        builder = builder.given(state, params)
    if spec["key"] is not None:
        builder = builder.key(spec["key"])
    if spec["pending"]:
        builder = builder.pending()
    for text in spec["comments"]:
        builder = builder.comment(text)
    return builder


def _contract(world: World) -> Any:
    if "contract" not in world.extra:
        world.extra["contract"] = define_contract(
            f"compatibility-{world.tmp.name}",
            consumer="compatibility-suite-consumer",
            provider="compatibility-suite-provider",
            interactions=[_builder(s, n) for n, s in enumerate(world.extra["specs"], 1)],
        )
    return world.extra["contract"]


def _write_pact(world: World) -> None:
    spec = _suite.SPEC_VERSIONS[world.version]
    world.pact_file = generate_pact(_contract(world), world.tmp / "pacts", spec=spec)


@when("the Pact file for the test is generated")
def pact_generated(world: World) -> None:
    _write_pact(world)


@then(step_re(r"the first interaction in the Pact file will have a type of {kind}"))
def first_type(world: World, kind: str) -> None:
    assert pact_items(world)[0]["type"] == kind


@then(step_re(r"there will be an interaction in the Pact file with a type of {kind}"))
def some_type(world: World, kind: str) -> None:
    assert kind in [item["type"] for item in pact_items(world)]


@then(
    parsers.re(
        r"the first interaction in the Pact file will have \"(?P<name>\w+)\" = '(?P<value>.*)'"
    )
)
def first_field(world: World, name: str, value: str) -> None:
    assert pact_items(world)[0][name] == json.loads(value)


def _states_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = item.get("providerStates", [])
    return states


@then(
    parsers.re(
        r"the (?:interaction|first message) in the Pact file will contain (?P<count>\d+)"
        r" provider states?",
        flags=re.IGNORECASE,
    )
)
def state_count(world: World, count: str) -> None:
    assert len(_states_of(pact_items(world)[0])) == int(count)


@then(
    step_re(
        r"the (?:interaction|first message) in the Pact file will contain provider state {state}"
    )
)
def state_present(world: World, state: str) -> None:
    assert state in [s["name"] for s in _states_of(pact_items(world)[0])]


@then(
    step_re(
        r"the provider state {state} (?:in the Pact file|for the message) will contain the"
        r" following parameters:"
    )
)
def state_parameters(world: World, state: str, datatable: list[list[str]]) -> None:
    params = json.loads(_suite.single_row(datatable)["parameters"])
    found = [s.get("params") for s in _states_of(pact_items(world)[0]) if s["name"] == state]
    assert found == [params], _states_of(pact_items(world)[0])


# --- message consumers: the handler fed each message --------------------------------------


def _process(world: World, error: str | None) -> None:
    contract = _contract(world)
    received: list[tuple[Any, dict[str, Any]]] = []

    def handler(contents: Any, metadata: dict[str, Any]) -> None:
        received.append((contents, metadata))
        if error is not None:
            raise RuntimeError(error)

    result = verify_message_consumer(contract, handler)
    world.extra["consumer_result"] = result
    world.extra["received"] = received
    (item,) = contract.interactions
    if isinstance(item, SynchronousMessage):
        # The request a consumer sends, generators applied (the handler gets the responses).
        world.extra["request_sent"] = item.request.example()
        world.extra["message"] = item.responses[0]
    else:
        world.extra["request_sent"] = received[0] if received else None
        world.extra["message"] = item.message_contents
    if result.success:
        _write_pact(world)


@when("the message is successfully processed")
def processed(world: World) -> None:
    _process(world, None)


@when(step_re(r"the message is NOT successfully processed with a {error} exception"))
def not_processed(world: World, error: str) -> None:
    _process(world, error)


@then(parsers.re(r"the consumer test will have (?P<outcome>passed|failed)"))
def consumer_outcome(world: World, outcome: str) -> None:
    result = world.extra["consumer_result"]
    assert result.success is (outcome == "passed"), result.report()


@then(step_re(r"the consumer test error will be {error}"))
def consumer_error(world: World, error: str) -> None:
    (failure,) = world.extra["consumer_result"].failures
    assert failure.error == f"RuntimeError: {error}", failure


@then(
    parsers.re(r"a Pact file for the message interaction will (?P<negated>NOT )?have been written")
)
def message_pact_written(world: World, negated: str | None) -> None:
    written = world.pact_file is not None and world.pact_file.is_file()
    assert written is (not negated)
    assert not negated or not list(world.tmp.glob("pacts/*.json"))


def _expected_document(name: str) -> Any:
    body = _suite.parse_body(name if name.startswith("file:") else f"file: {name}.json")
    assert body is not None
    return body.content()


@then(step_re(r"the received message payload will contain the {name} (?:JSON )?document"))
def received_payload(world: World, name: str) -> None:
    contents, _ = world.extra["received"][0]
    assert contents == _expected_document(name)


@then(step_re(r"the received message content type will be {content_type}"))
def received_content_type(world: World, content_type: str) -> None:
    assert world.extra["message"].content_type == content_type


def _received_metadata(world: World, side: str | None) -> dict[str, Any]:
    if side == "request" or (side is None and world.extra["request_sent"] is not None):
        _, metadata = world.extra["request_sent"]
    else:
        _, metadata = world.extra["received"][0]
    found: dict[str, Any] = metadata
    return found


@then(
    step_re(
        r"the received message (?:(?P<side>request|response) )?metadata will contain {name}"
        r" == {value}"
    )
)
def received_metadata(world: World, side: str | None, name: str, value: str) -> None:
    expected = _suite.metadata_value(_suite.unquote(value))
    assert _received_metadata(world, side)[name] == expected


@then(
    step_re(
        r"the received message (?:(?P<side>request|response) )?metadata will contain {name}"
        r" replaced with an? {kind}"
    )
)
def received_metadata_generated(world: World, side: str | None, name: str, kind: str) -> None:
    assert_generated(_received_metadata(world, side)[name], kind, "sjhdjkshsdjh")


@then(
    step_re(
        r"the message (?:(?P<side>request|response) )?contents for {path} will have been"
        r" replaced with an? {kind}"
    )
)
def contents_generated(world: World, side: str | None, path: str, kind: str) -> None:
    if side == "request":
        contents, _ = world.extra["request_sent"]
    else:
        contents, _ = world.extra["received"][0]
    example = value_at(_suite.json_fixture("basic.json"), path)
    assert_generated(value_at(contents, path), kind, example)


@then(
    parsers.re(
        r"the pact file will contain (?P<count>\d+) (?:message )?interactions?",
    )
)
def pact_item_count(world: World, count: str) -> None:
    assert len(pact_items(world)) == int(count)


def _message_json(world: World, side: str = "request") -> dict[str, Any]:
    item = pact_items(world)[0]
    if item.get("type") == "Synchronous/Messages":
        found: dict[str, Any] = item["request"] if side == "request" else item["response"][0]
        return found
    return item


@then(step_re(r"the first message in the pact file will contain the {name} document"))
def first_message_document(world: World, name: str) -> None:
    assert message_contents(_message_json(world)) == _suite.json_fixture(name)


@then(step_re(r"the first message in the pact file content type will be {content_type}"))
def first_message_content_type(world: World, content_type: str) -> None:
    assert message_content_type(_message_json(world)) == content_type


@then(
    step_re(
        r"the first message in the pact file will contain the (?:request )?message metadata"
        r" {name} == {value}"
    )
)
def first_message_metadata(world: World, name: str, value: str) -> None:
    part = _message_json(world)
    metadata = part.get("metaData") or part.get("metadata") or {}
    assert metadata[name] == _suite.metadata_value(_suite.unquote(value))


# --- message providers: producers called by the verifier ---------------------------------------


def message_body(cell: str) -> _suite.Body:
    """A message body cell: `file: ...`, `JSON: ...`, or plain text."""
    body = _suite.parse_body(_suite.unquote(cell))
    assert body is not None, cell
    return body


@given(
    step_re(
        r"a provider is started that can generate the {name} message with {body}"
        r"(?P<with_metadata> and the following metadata:)?"
    )
)
def message_producer(
    world: World, name: str, body: str, with_metadata: str | None, datatable: Any = None
) -> None:
    produced = message_body(body)
    metadata = _metadata(datatable) if with_metadata else {}
    content = produced.content()

    def producer() -> tuple[Any, dict[str, Any]]:
        return content, {**metadata, "contentType": produced.content_type}

    world.extra.setdefault("message_producers", {})[name] = producer


def _message_pact(world: World, name: str, body: _suite.Body, **fields: Any) -> None:
    version = "V4" if fields.get("pending") or fields.get("comments") else world.version
    version = _suite.pact_version(version, body)
    item: dict[str, Any] = {"description": name}
    metadata = {**fields.pop("metadata", {}), "contentType": body.content_type}
    if version == "V4":
        item = {"type": "Asynchronous/Messages", **item, "contents": body.v4_object()}
        item["metadata"] = metadata
    else:
        item["contents"] = body.content()
        item["metaData"] = metadata
    item.update(fields)
    document = _suite.pact_document([item], version)
    number = len(world.extra.get("pacts", []))
    _to_verify(world, _suite.write_json(world.tmp / "pacts" / f"messages-{number}.json", document))


@given(step_re(r"a Pact file for {name}:{body} is to be verified"))
def message_pact(world: World, name: str, body: str) -> None:
    _message_pact(world, name, message_body(body))


@given(step_re(r"a Pact file for {name}:{body} is to be verified, but is marked pending"))
def message_pact_pending(world: World, name: str, body: str) -> None:
    _message_pact(world, name, message_body(body), pending=True)


@given(step_re(r"a Pact file for {name}:{body} is to be verified with provider state {state}"))
def message_pact_with_state(world: World, name: str, body: str, state: str) -> None:
    _message_pact(world, name, message_body(body), providerStates=[{"name": state}])


@given(step_re(r"a Pact file for {name}:{body} is to be verified with the following metadata:"))
def message_pact_with_metadata(
    world: World, name: str, body: str, datatable: list[list[str]]
) -> None:
    _message_pact(world, name, message_body(body), metadata=_metadata(datatable))


@given(step_re(r"a Pact file for {name}:{body} is to be verified with the following comments:"))
def message_pact_with_comments(
    world: World, name: str, body: str, datatable: list[list[str]]
) -> None:
    _message_pact(world, name, message_body(body), comments=comments_json(datatable))


@given(step_re(r"a Pact file for {name} is to be verified with the following:"))
def message_pact_with(world: World, name: str, datatable: list[list[str]]) -> None:
    table = {row[0]: row[1] for row in datatable}
    fields: dict[str, Any] = {}
    if "matching rules" in table:
        fields["matchingRules"] = _suite.json_fixture(table["matching rules"])
    if "metadata" in table:
        fields["metadata"] = {
            key.strip(): _suite.metadata_value(value)
            for key, _, value in (item.partition("=") for item in table["metadata"].split("; "))
        }
    _message_pact(world, name, message_body(table["body"]), **fields)


@then(step_re(r"the comment {text} will have been printed to the console"))
def comment_printed(world: World, text: str) -> None:
    assert world.result is not None
    assert text in format_verification_report(world.result)


@then(step_re(r"the {name} will displayed as the original test name"))
def test_name_printed(world: World, name: str) -> None:
    assert world.result is not None
    assert name in format_verification_report(world.result)
