"""The mock provider: in-process for httpx, on a real port for any client."""

from __future__ import annotations

import asyncio
import http.client
import inspect
import json
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from pactdsl import Contract, define_contract, generate_pact, interaction
from pactdsl import generate as gen
from pactdsl._http_json import actual_response_json, expected_response_json
from pactdsl._mock import (
    AmbiguousRequest,
    MissingRequest,
    MockMismatchError,
    MockProvider,
    MockServerError,
    UnexpectedRequest,
    create_mock_provider,
    mock_provider,
    mock_request,
    verify_mock_interactions,
)
from pactdsl.match import integer, like, regex
from pactdsl.matching import match_response


def _name(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def users_contract() -> Contract:
    """A small contract: two users by state, one create, one regex path."""
    return define_contract(
        _name("users"),
        consumer="user-web",
        provider="user-service",
        interactions=[
            interaction("get user 123")
            .given("user 123 exists")
            .request(method="GET", path="/users/123")
            .responds(status=200, body={"id": 123, "name": like("Alice")}),
            interaction("get missing user 123")
            .given("no users")
            .request(method="GET", path="/users/123")
            .responds(status=404),
            interaction("create user")
            .request(method="POST", path="/users", body={"name": like("Bob")})
            .responds(status=201, body={"id": integer(7)}),
            interaction("get order")
            .request(method="GET", path=regex(r"/orders/\d+", "/orders/1"))
            .responds(
                status=200,
                body={
                    "id": gen.uuid(),
                    "self": gen.mock_server_url(r".*(/orders/\d+)$", "http://example/orders/1"),
                },
            ),
        ],
    )


@pytest.fixture
def contract() -> Contract:
    """A fresh users contract with a unique registered name."""
    return users_contract()


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every socket connect or bind made while the test runs."""
    seen: list[str] = []
    real_connect, real_bind = socket.socket.connect, socket.socket.bind

    def connect(self: socket.socket, address: Any) -> None:
        seen.append(f"connect {address}")
        real_connect(self, address)

    def bind(self: socket.socket, address: Any) -> None:
        seen.append(f"bind {address}")
        real_bind(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "bind", bind)
    return seen


class _PlainHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"real server"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def plain_server() -> Iterator[str]:
    """A stdlib HTTP server that is not a mock, for pass-through checks."""
    server = HTTPServer(("127.0.0.1", 0), _PlainHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- in-process ------------------------------------------------------------


def test_sync_httpx_client_is_answered_in_process_without_sockets(
    contract: Contract, no_sockets: list[str]
) -> None:
    """An httpx.Client gets the interaction's response and no socket is connected or bound."""
    with mock_provider(contract, interactions="get user 123") as mock, httpx.Client() as client:
        response = client.get(f"{mock.url}/users/123")
    assert response.status_code == 200
    assert response.json() == {"id": 123, "name": "Alice"}
    assert response.headers["content-type"] == "application/json"
    assert no_sockets == []


def test_async_httpx_client_is_answered_in_process_without_sockets(
    contract: Contract, no_sockets: list[str]
) -> None:
    """An httpx.AsyncClient gets the response through `async with`, with no socket."""

    async def run() -> httpx.Response:
        async with (
            mock_provider(contract, interactions="create user") as mock,
            httpx.AsyncClient() as client,
        ):
            return await client.post(f"{mock.url}/users", json={"name": "Zed"})

    response = asyncio.run(run())
    assert response.status_code == 201
    assert response.json() == {"id": 7}
    assert [s for s in no_sockets if not s.startswith("bind")] == []


def test_clients_with_their_own_transport_are_intercepted(
    contract: Contract, no_sockets: list[str]
) -> None:
    """Clients built with an explicit transport (sync and async) still reach the mock."""

    async def run_async(url: str) -> int:
        transport = httpx.AsyncHTTPTransport(retries=2)
        async with httpx.AsyncClient(transport=transport) as client:
            return (await client.get(f"{url}/users/123")).status_code

    with mock_provider(contract, interactions="get user 123") as mock:
        with httpx.Client(transport=httpx.HTTPTransport(retries=2)) as client:
            assert client.get(f"{mock.url}/users/123").status_code == 200
        assert asyncio.run(run_async(mock.url)) == 200
    assert len(mock.calls) == 2
    assert [s for s in no_sockets if s.startswith("connect")] == []


def test_other_hosts_pass_through_to_the_network(contract: Contract, plain_server: str) -> None:
    """While an in-process mock runs, requests to other hosts reach the real server."""
    with mock_provider(contract, interactions="get user 123") as mock:
        assert httpx.get(plain_server).text == "real server"
        assert httpx.get(f"{mock.url}/users/123").status_code == 200
    assert len(mock.calls) == 1


def test_a_users_own_respx_router_still_answers_its_hosts(contract: Contract) -> None:
    """A respx router the test set up keeps answering its own routes beside the mock."""
    with respx.mock(using="httpx") as router:
        router.get("http://elsewhere.test/ping").respond(204)
        with mock_provider(contract, interactions="get user 123") as mock:
            assert httpx.get("http://elsewhere.test/ping").status_code == 204
            assert httpx.get(f"{mock.url}/users/123").status_code == 200


def test_nested_mocks_have_distinct_urls_and_calls(contract: Contract) -> None:
    """Two mocks running at once each get only the requests sent to their own URL."""
    with (
        mock_provider(contract, interactions="get user 123") as first,
        mock_provider(contract, interactions="create user") as second,
    ):
        assert first.url != second.url
        assert httpx.get(f"{first.url}/users/123").status_code == 200
        assert httpx.post(f"{second.url}/users", json={"name": "x"}).status_code == 201
    assert [c.interaction.description for c in first.calls if c.interaction] == ["get user 123"]
    assert [c.interaction.description for c in second.calls if c.interaction] == ["create user"]


def test_requests_after_stop_are_not_intercepted(contract: Contract) -> None:
    """Once stopped, the fake host is no longer served (the .invalid name cannot resolve)."""
    with mock_provider(contract, interactions="get user 123") as mock:
        httpx.get(f"{mock.url}/users/123")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{mock.url}/users/123")


# --- a real port -------------------------------------------------------------


def test_urllib_and_httpx_are_answered_over_a_real_port(contract: Contract) -> None:
    """A real server on port 0 answers urllib and httpx, and `url` names its port."""
    with mock_provider(contract, port=0, interactions=["get user 123", "create user"]) as mock:
        assert mock.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{mock.url}/users/123") as reply:
            assert reply.status == 200
            assert json.loads(reply.read()) == {"id": 123, "name": "Alice"}
        response = httpx.post(f"{mock.url}/users", json={"name": "Bob"})
        assert response.status_code == 201
        assert response.json() == {"id": 7}
    assert len(mock.calls) == 2


def test_real_port_serves_keep_alive_connections(contract: Contract) -> None:
    """Several requests on one HTTP/1.1 connection each get a complete answer."""
    with (
        mock_provider(contract, port=0, interactions="get user 123") as mock,
        httpx.Client() as client,
    ):
        for _ in range(5):
            assert client.get(f"{mock.url}/users/123").json()["id"] == 123
    assert len(mock.calls) == 5


def test_a_busy_port_fails_at_once_with_a_clear_error(contract: Contract) -> None:
    """Asking for a port someone listens on raises MockServerError naming the port."""
    with mock_provider(contract, port=0, interactions="get user 123") as first:
        port = int(first.url.rsplit(":", 1)[1])
        busy = create_mock_provider(contract, port=port, interactions="get user 123")
        with pytest.raises(MockServerError, match=f"port={port}.*already in use"):
            busy.start()
        assert not busy.is_running
        httpx.get(f"{first.url}/users/123")


def test_a_fixed_port_is_reported_in_the_url(contract: Contract) -> None:
    """A mock made for a fixed port knows its URL before it starts, and serves there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mock = create_mock_provider(contract, port=port, interactions="get user 123")
    assert mock.url == f"http://127.0.0.1:{port}"
    mock.start()
    try:
        assert httpx.get(f"{mock.url}/users/123").status_code == 200
    finally:
        mock.stop()
    assert verify_mock_interactions(mock) == (True, [])


def test_port_zero_has_no_url_before_start(contract: Contract) -> None:
    """The URL of a port-0 mock is unknown until it is bound, and says so."""
    mock = create_mock_provider(contract, port=0)
    with pytest.raises(RuntimeError, match="start"):
        _ = mock.url


# --- matching, 404 and verification -------------------------------------------


def test_unmatched_request_gets_404_with_mismatches_as_json(contract: Contract) -> None:
    """A request matching nothing gets 404 listing each interaction's mismatches."""
    mock = create_mock_provider(contract, interactions=["create user", "get user 123"]).start()
    try:
        response = httpx.post(f"{mock.url}/users", json={"name": 5})
    finally:
        mock.stop()
    assert response.status_code == 404
    report = response.json()
    assert report["error"] == "No interaction matches POST /users"
    by_name = {item["description"]: item["mismatches"] for item in report["interactions"]}
    assert [m["path"] for m in by_name["create user"]] == ["$.body.name"]
    assert {m["kind"] for m in by_name["get user 123"]} == {"method", "path"}
    ok, problems = verify_mock_interactions(mock)
    assert not ok
    unexpected = [p for p in problems if isinstance(p, UnexpectedRequest)]
    assert unexpected[0].closest[0].description == "create user"


def test_404_hints_at_an_interaction_that_is_not_served(contract: Contract) -> None:
    """When an interaction left out by `interactions=` would match, the 404 says so."""
    mock = create_mock_provider(contract, interactions="create user").start()
    try:
        assert httpx.get(f"{mock.url}/orders/9").status_code == 404
        httpx.post(f"{mock.url}/users", json={"name": "x"})
    finally:
        mock.stop()
    assert "'get order' matches but is not served" in mock.report()


def test_leaving_the_block_raises_when_an_interaction_was_not_received(
    contract: Contract,
) -> None:
    """A served interaction never requested makes the `with` block raise MockMismatchError."""
    mock = mock_provider(contract, interactions=["get user 123", "create user"])
    with pytest.raises(MockMismatchError) as info, mock:
        httpx.get(f"{mock.url}/users/123")
    error = info.value
    assert isinstance(error, AssertionError)
    assert [type(p) for p in error.mismatches] == [MissingRequest]
    assert "Interaction 'create user' was never received: expected POST /users" in str(error)


def test_unexpected_request_report_lists_only_what_differs(contract: Contract) -> None:
    """The report uses the 'No interaction matches ... amongst:' layout with the differences."""
    mock = mock_provider(contract, interactions="create user")

    def exercise() -> None:
        with mock:
            httpx.post(f"{mock.url}/users", json={"name": 42})
            httpx.post(f"{mock.url}/users", json={"name": "ok"})

    with pytest.raises(MockMismatchError) as info:
        exercise()
    text = str(info.value)
    assert "No interaction matches POST /users amongst:" in text
    assert "  - 'create user': expected a value of the same type as 'Bob'" in text
    assert "method" not in text


def test_a_failing_body_keeps_its_own_exception_with_the_report_as_a_note(
    contract: Contract,
) -> None:
    """If the block raises, that exception propagates, carrying the mock's report as a note."""
    with (
        pytest.raises(ZeroDivisionError) as info,
        mock_provider(contract, interactions="create user"),
    ):
        _ = 1 / 0
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "'create user' was never received" in notes


def test_a_clean_run_verifies_true(contract: Contract) -> None:
    """After every served interaction is requested, verification is (True, [])."""
    with mock_provider(contract, given="user 123 exists") as mock:
        mock_request(mock, "GET", "/users/123")
    assert verify_mock_interactions(mock) == (True, [])
    assert mock.report() == ""


def test_same_request_different_states_are_told_apart_by_given(contract: Contract) -> None:
    """Two interactions on GET /users/123 answer by the provider state chosen with given=."""
    with mock_provider(contract, given="no users") as mock:
        assert httpx.get(f"{mock.url}/users/123").status_code == 404
    with mock_provider(contract, given="user 123 exists") as mock:
        assert httpx.get(f"{mock.url}/users/123").status_code == 200
    assert [c.interaction.description for c in mock.calls if c.interaction] == ["get user 123"]


def test_an_ambiguous_request_is_a_500_that_says_how_to_choose(contract: Contract) -> None:
    """With both same-request interactions served, the request gets 500 and a recorded problem."""
    mock = create_mock_provider(contract).start()
    try:
        response = mock_request(mock, "GET", "/users/123")
    finally:
        mock.stop()
    assert response.status_code == 500
    assert "given=" in response.json()["error"]
    assert {i["description"] for i in response.json()["interactions"]} == {
        "get user 123",
        "get missing user 123",
    }
    _, problems = verify_mock_interactions(mock)
    assert isinstance(problems[0], AmbiguousRequest)
    assert "interactions=" in str(problems[0])


def test_selection_errors_name_what_is_missing(contract: Contract) -> None:
    """Unknown descriptions or states, or an empty selection, raise ValueError at once."""
    with pytest.raises(ValueError, match=r"no interaction 'nope'.*known descriptions"):
        mock_provider(contract, interactions="nope")
    with pytest.raises(ValueError, match="provider state 'nobody'"):
        mock_provider(contract, given="nobody")
    with pytest.raises(ValueError, match="leave no interaction"):
        mock_provider(contract, interactions="create user", given="no users")
    with pytest.raises(ValueError, match="port=70000"):
        mock_provider(contract, port=70000)


def test_generators_use_the_mock_url(contract: Contract) -> None:
    """mock_server_url points at the mock and uuid values are fresh per request."""
    with mock_provider(contract, interactions="get order") as mock:
        first = httpx.get(f"{mock.url}/orders/5").json()
        second = httpx.get(f"{mock.url}/orders/5").json()
    assert first["self"] == f"{mock.url}/orders/1"
    assert first["id"] != second["id"]
    assert uuid.UUID(first["id"])


def test_calls_record_request_interaction_and_response(contract: Contract) -> None:
    """Each call keeps the request as Pact JSON, the interaction served and the response."""
    with mock_provider(contract, port=0, interactions="create user") as mock:
        mock_request(mock, "POST", "/users", query={"dry": "1"}, body={"name": "Q"})
    (call,) = mock.calls
    assert call.request["method"] == "POST"
    assert call.request["query"] == {"dry": ["1"]}
    assert call.request["body"]["content"] == {"name": "Q"}
    assert call.interaction is not None
    assert call.interaction.description == "create user"
    assert call.response.status == 201
    assert call.response.json() == {"id": 7}
    assert call.problem is None


def test_mock_request_sends_bytes_and_text_bodies(contract: Contract) -> None:
    """mock_request sends bytes and str bodies as they are."""
    mock = create_mock_provider(contract, interactions="create user").start()
    try:
        text = mock_request(mock, "POST", "/users", body="plain", headers={"X-A": "1"})
        raw = mock_request(mock, "POST", "/users", body=b"\x00\x01")
    finally:
        mock.stop()
    assert text.status_code == raw.status_code == 404
    assert mock.calls[0].request["headers"]["x-a"] == ["1"]
    assert mock.calls[0].request["body"]["content"] == "plain"


def test_mock_request_refuses_a_stopped_mock(contract: Contract) -> None:
    """mock_request on a mock that is not running says to start it."""
    mock = create_mock_provider(contract)
    with pytest.raises(RuntimeError, match="not running"):
        mock_request(mock, "GET", "/users/123")
    ok, problems = verify_mock_interactions(mock)
    assert not ok
    assert len(problems) == 4


def test_start_twice_is_refused_and_restart_forgets_calls(contract: Contract) -> None:
    """A running mock cannot start again; a restarted mock starts with no calls."""
    mock = create_mock_provider(contract, interactions="get user 123").start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            mock.start()
        mock_request(mock, "GET", "/users/123")
    finally:
        mock.stop()
    mock.stop()
    assert len(mock.calls) == 1
    mock.start()
    mock.stop()
    assert mock.calls == []


# --- contract sources ------------------------------------------------------


def test_contract_may_be_a_registered_name_or_a_pact_file(
    contract: Contract, tmp_path: Path
) -> None:
    """mock_provider accepts a registered contract name and a pact-file path."""
    with mock_provider(contract.name, interactions="get user 123") as mock:
        assert httpx.get(f"{mock.url}/users/123").status_code == 200
    path = generate_pact(contract, output=tmp_path, spec="4.0")
    for source in (path, str(path)):
        with mock_provider(source, port=0, interactions="create user") as mock:
            assert httpx.post(f"{mock.url}/users", json={"name": "F"}).status_code == 201
    with pytest.raises(KeyError, match="neither a registered contract nor a pact file"):
        mock_provider(_name("no-such-contract"))


# --- decorator -------------------------------------------------------------

_DECORATED = users_contract()


@mock_provider(_DECORATED, interactions="get user 123")
def test_decorated_test_receives_the_running_mock(pact_mock: MockProvider) -> None:
    """A decorated test gets a running mock through its `pact_mock` parameter."""
    assert pact_mock.is_running
    assert httpx.get(f"{pact_mock.url}/users/123").json()["id"] == 123


def test_decorator_hides_the_mock_parameter_and_verifies(contract: Contract) -> None:
    """The wrapper's signature drops `pact_mock`, and a missed interaction fails the call."""

    @mock_provider(contract, interactions="create user")
    def check(label: str, pact_mock: MockProvider) -> str:
        return label

    assert list(inspect.signature(check).parameters) == ["label"]
    with pytest.raises(MockMismatchError, match="'create user' was never received"):
        check("x")


def test_async_decorator_runs_a_fresh_mock_per_call(contract: Contract) -> None:
    """An async decorated function gets its own mock on each call."""
    urls: list[str] = []

    @mock_provider(contract, interactions="create user")
    async def check(pact_mock: MockProvider) -> int:
        urls.append(pact_mock.url)
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{pact_mock.url}/users", json={"name": "A"})
        return response.status_code

    assert inspect.iscoroutinefunction(check)
    assert asyncio.run(check()) == 201
    assert asyncio.run(check()) == 201
    assert len(set(urls)) == 2


def test_decorator_without_the_parameter_still_serves(contract: Contract) -> None:
    """A decorated function that does not name `pact_mock` runs inside a running mock."""
    seen: list[int] = []

    @mock_provider(contract, port=0, interactions="get user 123")
    def check() -> None:
        seen.append(1)

    with pytest.raises(MockMismatchError):
        check()
    assert seen == [1]


# --- response factory hook (fuzzing) --------------------------------------------


def test_a_response_factory_replaces_the_examples(contract: Contract) -> None:
    """The response-factory hook (used by fuzz=True) makes every served response."""
    served: list[str] = []

    def factory(item: Any) -> tuple[int, dict[str, Any], bytes]:
        served.append(item.description)
        return 299, {"X-Fuzz": ["a", "b"], "Content-Type": "text/plain"}, b"fuzzed"

    with MockProvider(contract, interactions="create user", response_factory=factory) as mock:
        response = httpx.post(f"{mock.url}/users", json={"name": "N"})
    assert (response.status_code, response.text) == (299, "fuzzed")
    assert response.headers.get_list("x-fuzz") == ["a", "b"]
    assert served == ["create user"]


def test_fuzz_answers_with_varied_responses_that_satisfy_the_contract(
    contract: Contract,
) -> None:
    """fuzz=True serves drawn responses, each matching the interaction's response."""
    with mock_provider(contract, fuzz=True, interactions="get user 123") as mock:
        responses = [httpx.get(f"{mock.url}/users/123") for _ in range(8)]
    expected = expected_response_json(contract.pact.interaction("get user 123"))
    for response in responses:
        actual = actual_response_json(
            response.status_code, response.headers.multi_items(), response.content
        )
        assert match_response(expected, actual, "4.0") == []
    assert len({response.content for response in responses}) > 1


def test_fuzz_and_a_factory_cannot_be_combined(contract: Contract) -> None:
    """Giving both fuzz=True and a response factory is refused."""
    with pytest.raises(ValueError, match="give only one"):
        MockProvider(contract, fuzz=True, response_factory=lambda item: (200, {}, b""))


def test_repr_says_where_and_whether_it_runs(contract: Contract) -> None:
    """The repr names consumer, provider, interaction count, mode and state."""
    mock = create_mock_provider(contract, interactions="create user")
    assert (
        repr(mock) == "<MockProvider user-web -> user-service, 1 interactions, in-process, stopped>"
    )


def test_head_then_get_on_one_connection_stay_in_step(contract: Contract) -> None:
    """A HEAD answer carries no body, so a GET on the same connection reads its own reply."""
    with mock_provider(contract, port=0, given="user 123 exists") as mock:
        port = int(mock.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("HEAD", "/users/123")
            head = connection.getresponse()
            assert (head.status, head.read()) == (404, b"")
            assert int(head.headers["Content-Length"]) > 0
            connection.request("GET", "/users/123")
            reply = connection.getresponse()
            assert json.loads(reply.read()) == {"id": 123, "name": "Alice"}
        finally:
            connection.close()
        assert [c.response.status for c in mock.calls] == [404, 200]
        problems = verify_mock_interactions(mock)[1]
        assert [type(p) for p in problems] == [UnexpectedRequest]
        mock.stop()
        mock.start()
        mock_request(mock, "GET", "/users/123")
