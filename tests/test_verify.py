"""Provider verification against a real HTTP provider, an in-process ASGI app and a WSGI app.

One small "payments" provider is written once (`PaymentsBehaviour.answer`) and
served three ways: by a stdlib `ThreadingHTTPServer` on 127.0.0.1, as a
hand-written ASGI callable and as a WSGI callable. Its `mode` makes it honour
or break the contract in one precise way.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from pactdsl import Pact, define_contract, generate_pact, interaction, load_pact
from pactdsl._verify import (
    ContractVerificationResult,
    ErroredInteraction,
    FailedInteraction,
    ProviderRequest,
    VerificationConfigError,
    verify_provider,
)
from pactdsl.generate import provider_state
from pactdsl.match import integer

pytestmark = pytest.mark.usefixtures("clean_registry")

Answer = tuple[int, list[tuple[str, str]], bytes]


class PaymentsBehaviour:
    """The provider's logic, shared by its HTTP, ASGI and WSGI faces."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.state_calls: list[dict[str, Any]] = []
        self.seen: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.lock = threading.Lock()

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """Answer one request: the payments API, an echo, a redirect and a state endpoint."""
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query))
        with self.lock:
            self.seen.append({"method": method, "path": path, "query": query, "headers": headers})
        if path == "/_pact/state" and method == "POST":
            change = json.loads(body)
            with self.lock:
                self.state_calls.append(change)
            if change["state"] == "broken state":
                return 500, [("Content-Type", "text/plain")], b"cannot seed"
            if change["action"] == "setup":
                return _json(200, {"id": 42})
            return 200, [], b""
        if path == "/echo":
            return _json(200, {"headers": headers, "query": query, "body": body.decode()})
        if path == "/old-payments/7":
            return 302, [("Location", "/payments/7")], b""
        if path.startswith("/payments/") and method == "GET":
            return self._payment(int(path.rsplit("/", 1)[1]))
        return _json(404, {"error": f"no route {method} {path}"})

    def _payment(self, payment_id: int) -> Answer:
        payment: dict[str, Any] = {"id": payment_id, "status": "success", "amount": 1000}
        if self.mode == "wrong_status":
            return _json(500, {"error": "boom"})
        if self.mode == "wrong_type":
            payment["amount"] = "1000"
        if self.mode == "missing":
            del payment["status"]
        if self.mode == "pending_status":
            payment["status"] = "pending"
        if self.mode == "bad_json":
            return 200, [("Content-Type", "application/json")], b"{not json"
        if self.mode == "hang":
            self.release.wait(10)
        return _json(200, payment)


def _json(status: int, value: Any) -> Answer:
    return status, [("Content-Type", "application/json")], json.dumps(value).encode()


class RunningProvider:
    """A `ThreadingHTTPServer` on 127.0.0.1:0 serving a `PaymentsBehaviour`."""

    def __init__(self, behaviour: PaymentsBehaviour) -> None:
        self.behaviour = behaviour
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = outer.behaviour.answer(
                    self.command, self.path, dict(self.headers.items()), body
                )
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll keeps shutdown() quick; serve_forever polls at 0.5 s by default.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.behaviour.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def asgi_app(behaviour: PaymentsBehaviour) -> Callable[..., Any]:
    """A hand-written ASGI 3 application in front of `behaviour`."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        target = scope["path"] + (
            "?" + scope["query_string"].decode() if scope["query_string"] else ""
        )
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        if behaviour.mode == "hang":
            import asyncio

            await asyncio.sleep(10)
        if behaviour.mode == "raise":
            raise RuntimeError("database is down")
        status, out_headers, payload = behaviour.answer(scope["method"], target, headers, body)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in out_headers],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    return app


def wsgi_app(behaviour: PaymentsBehaviour) -> Callable[..., Any]:
    """A WSGI application in front of `behaviour`."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        target = environ["PATH_INFO"] + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
        )
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        status, out_headers, payload = behaviour.answer(
            environ["REQUEST_METHOD"], target, headers, body
        )
        start_response(f"{status} X", out_headers)
        return [payload]

    return app


@pytest.fixture
def behaviour() -> PaymentsBehaviour:
    """A fresh provider behaviour in mode "ok"."""
    return PaymentsBehaviour()


@pytest.fixture
def provider(behaviour: PaymentsBehaviour) -> Iterator[RunningProvider]:
    """The payments provider running on 127.0.0.1 (port 0)."""
    running = RunningProvider(behaviour)
    try:
        yield running
    finally:
        running.stop()


def payments_contract(name: str = "payments") -> Any:
    """A contract with one interaction: get payment 7, with a provider state."""
    return define_contract(
        name,
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("get payment")
            .given("payment 7 exists", id=7)
            .request(method="GET", path="/payments/7", headers={"Accept": "application/json"})
            .responds(
                status=200,
                headers={"Content-Type": "application/json"},
                body={"id": integer(7), "status": "success", "amount": integer(1000)},
            )
        ],
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --------------------------------------------------------------------------
# Outcomes over HTTP


def test_conforming_provider_passes(provider: RunningProvider) -> None:
    """A provider that honours the contract gives one passed interaction and success."""
    result = verify_provider(payments_contract(), base_url=provider.url)
    assert result.success
    assert [e.description for e in result.passed] == ["get payment"]
    assert (result.failed, result.errors) == ((), ())
    assert (result.provider, result.consumer) == ("payment-service", "checkout-app")
    assert result.passed[0].state_names == ("payment 7 exists",)


def test_wrong_status_fails_with_status_mismatch(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """A 500 where the contract says 200 fails with a status mismatch (200 vs 500)."""
    behaviour.mode = "wrong_status"
    result = verify_provider(payments_contract(), base_url=provider.url)
    assert not result.success
    (failed,) = result.failed
    status = [m for m in failed.mismatches if m.kind == "status"]
    assert [(m.expected, m.actual) for m in status] == [(200, 500)]


def test_wrong_type_fails_at_the_field(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """A string where the contract's integer matcher wants a number fails at body.amount."""
    behaviour.mode = "wrong_type"
    result = verify_provider(payments_contract(), base_url=provider.url)
    (failed,) = result.failed
    assert [(m.path, m.actual) for m in failed.mismatches] == [("$.body.amount", "1000")]


def test_missing_field_fails_at_the_field(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """An answer without the `status` key fails with a mismatch at body.status."""
    behaviour.mode = "missing"
    result = verify_provider(payments_contract(), base_url=provider.url)
    (failed,) = result.failed
    assert [m.path for m in failed.mismatches] == ["$.body.status"]
    assert failed.mismatches[0].actual is None


def test_provider_down_is_an_error_not_a_crash() -> None:
    """Connection refused gives an error entry for the interaction (phase "request")."""
    result = verify_provider(payments_contract(), base_url=f"http://127.0.0.1:{_free_port()}")
    assert not result.success
    (error,) = result.errors
    assert error.phase == "request"
    assert "cannot connect" in error.message
    assert result.passed == ()


def test_hanging_provider_times_out_as_an_error(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """A provider that does not answer within timeout=0.3 gives a timeout error entry."""
    behaviour.mode = "hang"
    result = verify_provider(payments_contract(), base_url=provider.url, timeout=0.3)
    (error,) = result.errors
    assert "timeout=0.3" in error.message
    assert not result.success


def test_unparseable_json_body_is_an_error(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """A body declared JSON that does not parse is an error for that interaction, not a pass."""
    behaviour.mode = "bad_json"
    result = verify_provider(payments_contract(), base_url=provider.url)
    (error,) = result.errors
    assert error.phase == "response"
    assert "not valid JSON" in error.message


# --------------------------------------------------------------------------
# Provider states


def test_state_setup_gets_params_and_feeds_provider_state_generators(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """Values returned by state_setup(name, params) fill provider_state generators."""
    contract = define_contract(
        "payments-generated",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("get created payment")
            .given("a payment exists", amount=1000)
            .request(method="GET", path=provider_state("/payments/${id}", "/payments/1"))
            .responds(status=200, body={"id": provider_state("${id}", 1), "status": "success"})
        ],
    )
    calls: list[tuple[str, dict[str, Any]]] = []

    def setup(state: str, params: dict[str, Any]) -> dict[str, Any]:
        calls.append((state, params))
        return {"id": 42}

    result = verify_provider(contract, base_url=provider.url, state_setup=setup)
    assert result.success, result
    assert calls == [("a payment exists", {"amount": 1000})]
    assert behaviour.seen[-1]["path"] == "/payments/42"


def test_generator_for_an_absent_header_or_parameter_adds_it(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """A request generator at a header or query parameter the pact leaves out sends one."""
    document = {
        "consumer": {"name": "checkout-app"},
        "provider": {"name": "payment-service"},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "description": "get payment with generated extras",
                "request": {
                    "method": "GET",
                    "path": "/payments/7",
                    "generators": {
                        "header": {"X-Trace": {"type": "RandomInt", "min": 1, "max": 9}},
                        "query": {"v": {"type": "RandomInt", "min": 1, "max": 9}},
                    },
                },
                "response": {"status": 200},
            }
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    result = verify_provider(load_pact(document), base_url=provider.url)
    assert result.success, result
    seen = behaviour.seen[-1]
    trace = {k.lower(): v for k, v in seen["headers"].items()}["x-trace"]
    assert trace.isdigit()
    assert 1 <= int(trace) <= 9
    assert seen["query"]["v"].isdigit()
    assert 1 <= int(seen["query"]["v"]) <= 9


def test_unresolved_provider_state_value_keeps_the_example_with_a_note(
    provider: RunningProvider,
) -> None:
    """Without a value from state setup, the example is sent and a note says so."""
    contract = define_contract(
        "payments-unresolved",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("get payment by state id")
            .given("a payment exists")
            .request(method="GET", path=provider_state("/payments/${id}", "/payments/7"))
            .responds(status=200, body={"id": 7})
        ],
    )
    result = verify_provider(contract, base_url=provider.url, state_setup=lambda state: None)
    (passed,) = result.passed
    assert any("'id'" in note for note in passed.notes)


def test_one_parameter_state_setup_and_teardown_are_called_in_order(
    provider: RunningProvider,
) -> None:
    """state_setup(name) runs before the request and state_teardown(name) after it."""
    events: list[str] = []
    result = verify_provider(
        payments_contract(),
        base_url=provider.url,
        state_setup=lambda state: events.append(f"setup {state}"),
        state_teardown=lambda state: events.append(f"teardown {state}"),
        request_filter=lambda request: events.append(f"request {request.path}"),
    )
    assert result.success
    assert events == [
        "setup payment 7 exists",
        "request /payments/7",
        "teardown payment 7 exists",
    ]


def test_failing_state_setup_is_an_error_and_no_request_is_sent(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """An exception in state_setup gives an error naming the state; the provider is not called."""

    def setup(state: str) -> None:
        raise LookupError("no such fixture")

    result = verify_provider(payments_contract(), base_url=provider.url, state_setup=setup)
    (error,) = result.errors
    assert error.phase == "state setup"
    assert "'payment 7 exists'" in error.message
    assert "LookupError: no such fixture" in error.message
    assert behaviour.seen == []


def test_failing_teardown_turns_a_pass_into_an_error(provider: RunningProvider) -> None:
    """A teardown that raises makes an otherwise passing interaction an error."""

    def teardown(state: str) -> None:
        raise RuntimeError("cannot delete")

    result = verify_provider(payments_contract(), base_url=provider.url, state_teardown=teardown)
    (error,) = result.errors
    assert error.phase == "state teardown"
    assert "cannot delete" in error.message


def test_state_change_url_speaks_the_standard_protocol(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """The state URL gets setup and teardown POSTs; its JSON answer feeds generators."""
    contract = define_contract(
        "payments-state-url",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("get created payment")
            .given("a payment exists", amount=5)
            .request(method="GET", path=provider_state("/payments/${id}", "/payments/1"))
            .responds(status=200, body={"id": 42})
        ],
    )
    result = verify_provider(
        contract, base_url=provider.url, state_change_url=provider.url + "/_pact/state"
    )
    assert result.success, result
    assert behaviour.state_calls == [
        {"state": "a payment exists", "params": {"amount": 5}, "action": "setup"},
        {"state": "a payment exists", "params": {"amount": 5}, "action": "teardown"},
    ]
    assert behaviour.seen[1]["path"] == "/payments/42"


def test_interaction_without_states_gets_the_empty_state_by_url_and_callbacks(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """An interaction with no provider state gets setup and teardown for state "" (as Rust)."""
    contract = define_contract(
        "payments-no-state",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[interaction("ping").request(method="GET", path="/payments/7").responds()],
    )
    by_url = verify_provider(contract, base_url=provider.url, state_change_url="/_pact/state")
    assert by_url.success, by_url
    assert behaviour.state_calls == [
        {"state": "", "params": {}, "action": "setup"},
        {"state": "", "params": {}, "action": "teardown"},
    ]
    events: list[tuple[str, str, dict[str, Any]]] = []
    by_callbacks = verify_provider(
        contract,
        base_url=provider.url,
        state_setup=lambda state, params: events.append(("setup", state, params)),
        state_teardown=lambda state, params: events.append(("teardown", state, params)),
    )
    assert by_callbacks.success, by_callbacks
    assert events == [("setup", "", {}), ("teardown", "", {})]


def test_callback_failing_on_the_empty_state_says_how_to_skip_it(
    provider: RunningProvider,
) -> None:
    """A state_setup that cannot take state "" fails the interaction, saying to return early."""
    contract = define_contract(
        "payments-no-state-lookup",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[interaction("ping").request(method="GET", path="/payments/7").responds()],
    )
    fixtures = {"payment 7 exists": lambda: None}
    result = verify_provider(
        contract, base_url=provider.url, state_setup=lambda state: fixtures[state]()
    )
    (error,) = result.errors
    assert error.phase == "state setup"
    assert "declares no provider state" in error.message
    assert "return early from state_setup when the state is ''" in error.message


def test_failed_state_setup_is_not_torn_down_but_earlier_states_are(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """After a setup fails, teardown skips that state and the later ones, not those set up."""
    contract = define_contract(
        "payments-two-states",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("get payment")
            .given("a user exists")
            .given("payment 7 exists")
            .given("a refund exists")
            .request(method="GET", path="/payments/7")
            .responds(status=200)
        ],
    )
    events: list[str] = []

    def setup(state: str) -> None:
        events.append(f"setup {state}")
        if state == "payment 7 exists":
            raise RuntimeError("no fixture")

    result = verify_provider(
        contract,
        base_url=provider.url,
        state_setup=setup,
        state_teardown=lambda state: events.append(f"teardown {state}"),
    )
    (error,) = result.errors
    assert error.phase == "state setup"
    assert "'payment 7 exists' raised RuntimeError: no fixture" in error.message
    assert events == ["setup a user exists", "setup payment 7 exists", "teardown a user exists"]
    assert behaviour.seen == []


def test_state_change_url_failure_is_an_error(provider: RunningProvider) -> None:
    """A state endpoint answering 500 makes the interaction an error, never a pass."""
    contract = define_contract(
        "payments-broken-state",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("get payment")
            .given("broken state")
            .request(method="GET", path="/payments/7")
            .responds(status=200)
        ],
    )
    result = verify_provider(contract, base_url=provider.url, state_change_url="/_pact/state")
    (error,) = result.errors
    assert error.phase == "state setup"
    assert "status 500" in error.message


# --------------------------------------------------------------------------
# Requests: filter, headers, safety, redirects, selection


def test_request_filter_and_headers_change_what_is_sent(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """`headers` are added and the filter may change headers, query and body before sending."""
    contract = define_contract(
        "echo",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("echo")
            .request(method="POST", path="/echo", query={"page": "1"}, body={"a": 1})
            .responds(status=200)
        ],
    )

    def add_auth(request: ProviderRequest) -> None:
        request.set_header("Authorization", "Bearer s3cret")
        request.query["page"] = ["2"]
        request.set_json({**request.json(), "signed": True})

    result = verify_provider(
        contract, base_url=provider.url, request_filter=add_auth, headers={"X-Tenant": "t1"}
    )
    assert result.success
    seen = behaviour.seen[-1]
    assert seen["headers"]["Authorization"] == "Bearer s3cret"
    assert seen["headers"]["X-Tenant"] == "t1"
    assert seen["query"] == {"page": "2"}


def test_a_path_that_leaves_the_provider_is_refused(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """A filter (or pact) path like //evil.example/x or an absolute URL is an error, not sent."""
    for bad in ("//evil.example/steal", "/http://evil.example/x"):

        def rewrite(request: ProviderRequest, bad: str = bad) -> None:
            request.path = bad

        result = verify_provider(payments_contract(), base_url=provider.url, request_filter=rewrite)
        (error,) = result.errors
        assert "refused to send" in error.message
    assert behaviour.seen == []


def test_pact_file_with_absolute_url_path_is_an_error(
    provider: RunningProvider, tmp_path: Path
) -> None:
    """A pact file whose path is an absolute URL gives an error entry and sends nothing."""
    doc = {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [
            {
                "description": "steal",
                "request": {"method": "GET", "path": "http://evil.example/x"},
                "response": {"status": 200},
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    file = tmp_path / "c-p.json"
    file.write_text(json.dumps(doc))
    result = verify_provider(file, base_url=provider.url)
    (error,) = result.errors
    assert "refused to send" in error.message


def test_redirects_are_not_followed_unless_asked(provider: RunningProvider) -> None:
    """A 302 is matched as is by default, and followed with follow_redirects=True."""
    contract = define_contract(
        "redirect",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("old url")
            .request(method="GET", path="/old-payments/7")
            .responds(status=200, body={"id": 7})
        ],
    )
    plain = verify_provider(contract, base_url=provider.url)
    assert [m.actual for m in plain.failed[0].mismatches if m.kind == "status"] == [302]
    followed = verify_provider(contract, base_url=provider.url, follow_redirects=True)
    assert followed.success


def test_filters_select_interactions_by_description_and_state(provider: RunningProvider) -> None:
    """filter_description and filter_state are regular expressions selecting interactions."""
    contract = define_contract(
        "two",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("get payment 7")
            .given("payment 7 exists")
            .request(method="GET", path="/payments/7")
            .responds(status=200),
            interaction("get missing").request(method="GET", path="/nothing").responds(status=404),
        ],
    )
    by_description = verify_provider(contract, base_url=provider.url, filter_description="missing")
    assert [e.description for e in by_description.entries] == ["get missing"]
    by_state = verify_provider(contract, base_url=provider.url, filter_state="^payment")
    assert [e.description for e in by_state.entries] == ["get payment 7"]


def test_failing_pending_interaction_does_not_fail_success(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """A V4 pending interaction that fails is reported but `success` stays True."""
    contract = define_contract(
        "pending",
        consumer="checkout-app",
        provider="payment-service",
        interactions=[
            interaction("future payment")
            .pending()
            .request(method="GET", path="/payments/7")
            .responds(status=200, body={"status": "settled"})
        ],
    )
    result = verify_provider(contract, base_url=provider.url)
    assert result.failed[0].pending
    assert result.success


# --------------------------------------------------------------------------
# Sources


def test_sources_name_pact_file_and_folder_give_the_same_outcome(
    provider: RunningProvider, tmp_path: Path
) -> None:
    """A contract name, a Pact, a pact file and a folder are all verified alike."""
    contract = payments_contract("payments-by-name")
    file = generate_pact(contract, output=tmp_path, spec="4.0")
    for source in ("payments-by-name", contract.pact, file, str(tmp_path), [file]):
        result = verify_provider(source, base_url=provider.url)
        assert [e.description for e in result.passed] == ["get payment"], source


def test_folder_of_two_pacts_gives_a_combined_result(
    provider: RunningProvider, tmp_path: Path
) -> None:
    """Two pact files give one result whose by_consumer() splits it per consumer."""
    generate_pact(payments_contract("one"), output=tmp_path)
    other = define_contract(
        "other",
        consumer="mobile-app",
        provider="payment-service",
        interactions=[
            interaction("missing payment").request(method="GET", path="/nope").responds(status=200)
        ],
    )
    generate_pact(other, output=tmp_path)
    result = verify_provider(tmp_path, base_url=provider.url)
    assert result.consumer == "checkout-app, mobile-app"
    parts = result.by_consumer()
    assert parts["checkout-app"].success
    assert not parts["mobile-app"].success
    assert result.total == 2


# --------------------------------------------------------------------------
# In-process apps


@pytest.mark.parametrize("make_app", [asgi_app, wsgi_app], ids=["asgi", "wsgi"])
@pytest.mark.parametrize(
    ("mode", "outcome"),
    [("ok", "passed"), ("wrong_status", "failed"), ("wrong_type", "failed"), ("missing", "failed")],
)
def test_in_process_apps_give_the_same_outcomes(
    make_app: Callable[[PaymentsBehaviour], Any], mode: str, outcome: str
) -> None:
    """ASGI and WSGI apps are verified in-process with the same outcomes as over HTTP."""
    behaviour = PaymentsBehaviour()
    behaviour.mode = mode
    result = verify_provider(payments_contract(), app=make_app(behaviour))
    got = "passed" if result.passed else "failed" if result.failed else "error"
    assert got == outcome
    assert behaviour.seen[0]["path"] == "/payments/7"


def test_asgi_state_change_path_goes_to_the_app() -> None:
    """state_change_url="/_pact/state" is served by the in-process app itself."""
    behaviour = PaymentsBehaviour()
    result = verify_provider(
        payments_contract(), app=asgi_app(behaviour), state_change_url="/_pact/state"
    )
    assert result.success
    assert [c["action"] for c in behaviour.state_calls] == ["setup", "teardown"]


def test_asgi_app_that_hangs_times_out() -> None:
    """An ASGI app awaiting forever is cut off at the timeout and gives an error."""
    behaviour = PaymentsBehaviour()
    behaviour.mode = "hang"
    result = verify_provider(payments_contract(), app=asgi_app(behaviour), timeout=0.2)
    (error,) = result.errors
    assert "timeout=0.2" in error.message


def test_asgi_app_that_raises_is_an_error() -> None:
    """An exception inside the app is an error entry that names it."""
    behaviour = PaymentsBehaviour()
    behaviour.mode = "raise"
    result = verify_provider(payments_contract(), app=asgi_app(behaviour))
    (error,) = result.errors
    assert "RuntimeError: database is down" in error.message


def test_verify_inside_a_running_event_loop() -> None:
    """verify_provider with an ASGI app also works when called from async code."""
    import asyncio

    async def main() -> ContractVerificationResult:
        return verify_provider(payments_contract(), app=asgi_app(PaymentsBehaviour()))

    assert asyncio.run(main()).success


# --------------------------------------------------------------------------
# Argument checks


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({}, "exactly one of base_url"),
        ({"base_url": "http://x", "app": wsgi_app(PaymentsBehaviour())}, "exactly one of base_url"),
        ({"base_url": "localhost:8000"}, "base_url='localhost:8000'"),
        ({"base_url": "http://x", "timeout": 0}, "timeout=0"),
        (
            {"base_url": "http://x", "state_setup": print, "state_change_url": "/s"},
            "not both",
        ),
        ({"base_url": "http://x", "filter_description": "("}, "filter_description='('"),
        ({"base_url": "http://x", "publish_results": True}, "provider_version"),
        ({"base_url": "http://x", "state_change_url": "ftp://x/state"}, "state_change_url="),
    ],
)
def test_bad_arguments_raise_naming_the_argument(kwargs: dict[str, Any], needle: str) -> None:
    """Arguments that cannot work raise VerificationConfigError naming the argument."""
    with pytest.raises(VerificationConfigError, match=None) as info:
        verify_provider(payments_contract(), **kwargs)
    assert needle in str(info.value)


def test_unknown_source_names_the_registered_contracts() -> None:
    """A source that is neither a contract name nor a path says what is registered."""
    payments_contract("known-one")
    with pytest.raises(VerificationConfigError, match="known-one"):
        verify_provider("no-such-contract", base_url="http://127.0.0.1:1")


def test_app_that_is_neither_asgi_nor_wsgi_is_refused() -> None:
    """An app with the wrong number of arguments raises TypeError explaining both kinds."""
    with pytest.raises(TypeError, match="ASGI app takes"):
        verify_provider(payments_contract(), app=lambda: None)


def test_publish_results_without_the_broker_client_raises_clearly() -> None:
    """publish_results=True with a version fails before verifying if no broker client exists."""
    import importlib.util

    broker = importlib.util.find_spec("pactdsl.broker")
    has_hook = False
    if broker is not None:
        module = importlib.import_module("pactdsl.broker")
        has_hook = callable(getattr(module, "publish_verification_result", None))
    if has_hook:
        # The broker client exists: the check is about arguments only.
        with pytest.raises(VerificationConfigError, match="provider_version"):
            verify_provider(payments_contract(), base_url="http://x", publish_results=True)
        return
    with pytest.raises(VerificationConfigError, match="needs the Pact Broker client"):
        verify_provider(
            payments_contract(), base_url="http://x", publish_results=True, provider_version="1"
        )


def test_result_entries_are_attrs_objects_naming_their_interaction(
    provider: RunningProvider, behaviour: PaymentsBehaviour
) -> None:
    """Failed entries carry Mismatch objects; error entries a message; both name the interaction."""
    behaviour.mode = "wrong_status"
    failed = verify_provider(payments_contract(), base_url=provider.url).failed[0]
    assert isinstance(failed, FailedInteraction)
    assert failed.description == "get payment"
    assert failed.consumer == "checkout-app"
    errored = verify_provider(
        payments_contract("down"), base_url=f"http://127.0.0.1:{_free_port()}"
    ).errors[0]
    assert isinstance(errored, ErroredInteraction)
    assert errored.description == "get payment"


def test_verifying_a_pact_object_built_by_hand(provider: RunningProvider) -> None:
    """A `Pact` read from JSON (V2 layout) verifies like a contract."""
    from pactdsl import load_pact

    pact = load_pact(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "payment-service"},
            "interactions": [
                {
                    "description": "get payment",
                    "providerState": "payment 7 exists",
                    "request": {"method": "GET", "path": "/payments/7"},
                    "response": {
                        "status": 200,
                        "body": {"id": 7, "status": "success", "amount": 1},
                        "matchingRules": {"$.body.amount": {"match": "type"}},
                    },
                }
            ],
            "metadata": {"pactSpecification": {"version": "2.0.0"}},
        }
    )
    assert isinstance(pact, Pact)
    assert verify_provider(pact, base_url=provider.url).success
