"""`pactdsl demo`: the whole Pact workflow, end to end, on built-in defaults.

The demo carries its own consumer (checkout-app, an HTTP client), provider
(payment-service, a standard-library WSGI app) and contract, so it runs from a
plain ``pip install``. ``examples/checkout/`` holds the same code as readable,
runnable files; the test suite runs both.

Phases, each printed under a heading:

1. declare the checkout-app / payment-service contract;
2. write its pact file;
3. run the consumer's code against the mock provider;
4. start payment-service on 127.0.0.1 (a free port) and verify it;
5. print the verification report;
6. publish to a local broker and ask can-i-deploy, before and after the
   verification results are published.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import attrs

from pactdsl._dsl import Contract, contract, interaction
from pactdsl.match import type_of

__all__ = [
    "DEFAULT_DEMO_DIR",
    "CheckoutClient",
    "PaymentService",
    "demo_contract",
    "run_demo",
    "serve_wsgi",
]

DEFAULT_DEMO_DIR = "pactdsl-demo"
CONSUMER_VERSION = "1.0.0"
PROVIDER_VERSION = "1.0.0"

Echo = Callable[[str], None]


# --------------------------------------------------------------------------
# Phase 1: the contract (the seed's payment-service-contract).


def demo_contract() -> Contract:
    """Declare (or re-declare) the seed's contract and return it.

    Returns:
        The `payment_service_contract` between checkout-app and payment-service.
    """

    @contract(consumer="checkout-app", provider="payment-service")
    def payment_service_contract() -> Iterator[Any]:
        yield (
            interaction("process payment")
            .given("user has valid payment method")
            .request(method="POST", path="/payments", body={"amount": 1000, "currency": "USD"})
            .responds(status=200, body={"id": type_of(str), "status": "success"})
        )

    return payment_service_contract


# --------------------------------------------------------------------------
# The consumer: checkout-app's payment client (pactdsl's own, on the standard library).


@attrs.frozen
class Payment:
    """What checkout-app keeps of a payment."""

    id: str
    status: str


class CheckoutClient:
    """The part of checkout-app that talks to payment-service.

    Args:
        base_url: Where payment-service (or its mock) listens.
    """

    def __init__(self, base_url: str) -> None:
        # A real consumer uses its own HTTP client (examples/checkout/ uses httpx);
        # the demo borrows pactdsl's (the standard library's http.client), so it
        # runs on the default install. Imported here: `import pactdsl._demo`
        # stays free of HTTP code.
        from pactdsl._http import JsonHttpClient

        self._client = JsonHttpClient(base_url=base_url, timeout=5.0)

    def pay(self, amount: int, currency: str) -> Payment:
        """Charge `amount` (in cents) in `currency`.

        Returns:
            The payment payment-service recorded.

        Raises:
            RuntimeError: when payment-service does not answer 200.
        """
        response = self._client.send(
            "POST", "/payments", json={"amount": amount, "currency": currency}
        )
        if response.status != 200:
            msg = f"payment-service answered status={response.status}; expected 200"
            raise RuntimeError(msg)
        data = response.json()
        return Payment(id=data["id"], status=data["status"])

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


# --------------------------------------------------------------------------
# The provider: payment-service, a WSGI app.


class PaymentService:
    """payment-service as a WSGI app: ``POST /payments`` charges a stored payment method."""

    def __init__(self) -> None:
        self.payment_methods: set[str] = set()
        self.payments: dict[str, dict[str, Any]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """Answer one request (the WSGI protocol)."""
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        if (method, path) != ("POST", "/payments"):
            return _json_answer(start_response, 404, {"error": f"no route for {method} {path}"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            order = json.loads(environ["wsgi.input"].read(length) or b"null")
        except ValueError:
            return _json_answer(start_response, 400, {"error": "body is not JSON"})
        if not isinstance(order, dict) or not isinstance(order.get("amount"), int):
            return _json_answer(start_response, 400, {"error": "amount must be an integer"})
        if not self.payment_methods:
            return _json_answer(start_response, 402, {"status": "declined"})
        payment_id = str(uuid.uuid4())
        self.payments[payment_id] = {**order, "status": "success"}
        return _json_answer(start_response, 200, {"id": payment_id, "status": "success"})

    def set_up_state(self, given: str) -> None:
        """Set up a provider state named in the contract."""
        if given == "user has valid payment method":
            self.payment_methods = {"card"}

    def tear_down_state(self, given: str) -> None:
        """Forget what `set_up_state` did."""
        self.payment_methods = set()


_REASONS = {200: "OK", 400: "Bad Request", 402: "Payment Required", 404: "Not Found"}


def _json_answer(start_response: Callable[..., Any], status: int, body: Any) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        f"{status} {_REASONS.get(status, 'Status')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the demo's output to its phases."""


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a background thread.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:54321``.
    """
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="pactdsl-demo", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --------------------------------------------------------------------------
# The run.


def _heading(echo: Echo, number: int, title: str) -> None:
    text = f"[{number}/6] {title}"
    echo("")
    echo(text)
    echo("=" * len(text))


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())


def _fresh_broker_db(directory: Path) -> Path:
    # The demo owns this database: starting afresh makes "false before the
    # verification is published" true on every run, not just the first.
    path = directory / "broker.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def run_demo(directory: str | Path = DEFAULT_DEMO_DIR, echo: Echo = print) -> int:
    """Run the whole workflow and print each phase.

    Args:
        directory: The work folder for the pact file, reports and broker database.
        echo: Where each line of output goes.

    Returns:
        0 when every phase did what the workflow expects, else 1.
    """
    from pactdsl._mock import mock_provider
    from pactdsl._verify import (
        format_verification_report,
        verification_report_json,
        verify_provider,
    )
    from pactdsl.broker import LocalBroker, can_i_deploy, publish, publish_verification_result

    work = Path(directory).resolve()
    work.mkdir(parents=True, exist_ok=True)
    pacts_dir = work / "pacts"
    ok = True

    _heading(echo, 1, "Consumer declares the contract")
    payment_contract = demo_contract()
    echo(
        f"contract {payment_contract.name!r}: {payment_contract.consumer} -> "
        f"{payment_contract.provider}"
    )
    for builder in payment_contract.builders:
        echo(_indent(repr(builder)))

    _heading(echo, 2, "Generate the pact file")
    from pactdsl._dsl import generate_pact

    pact_path = generate_pact(payment_contract, output=pacts_dir, mode="overwrite")
    document = json.loads(pact_path.read_text(encoding="utf-8"))
    echo(f"wrote {pact_path}")
    spec_version = document["metadata"]["pactSpecification"]["version"]
    response_rules = document["interactions"][0]["response"]["matchingRules"]["body"]
    echo(
        f"    pactSpecification {spec_version}, {len(document['interactions'])} "
        f"interaction(s), response body rules: {json.dumps(response_rules)}"
    )

    _heading(echo, 3, "Consumer tests against the mock provider")
    # On a real port: the demo's client is pactdsl's own, not httpx (in-process serves httpx only).
    with mock_provider(payment_contract, port=0) as mock:
        mock_url = mock.url  # known while the mock listens
        client = CheckoutClient(mock_url)
        try:
            payment = client.pay(1000, "USD")
        finally:
            client.close()
    echo(
        f"checkout-app paid through the mock at {mock_url}: id={payment.id!r}, "
        f"status={payment.status!r}"
    )
    echo("every interaction was received and nothing unexpected arrived")

    _heading(echo, 4, "Provider verifies the contract")
    service = PaymentService()
    with serve_wsgi(service) as base_url:
        echo(f"payment-service listening on {base_url}")
        result = verify_provider(
            pact_path,
            base_url=base_url,
            state_setup=service.set_up_state,
            state_teardown=service.tear_down_state,
        )
    verified = result.success
    ok = ok and verified
    echo(f"verified {pact_path.name}: {'passed' if verified else 'FAILED'}")

    _heading(echo, 5, "Verification report")
    echo(format_verification_report(result).rstrip("\n"))
    report_path = work / "verification.json"
    report_path.write_text(
        json.dumps(verification_report_json(result), indent=2) + "\n", encoding="utf-8"
    )

    _heading(echo, 6, "Publish to the broker and ask can-i-deploy")
    broker_path = _fresh_broker_db(work)
    with LocalBroker(broker_path) as broker:
        publish(payment_contract, CONSUMER_VERSION, branch="main", broker=broker)
        echo(f"published checkout-app {CONSUMER_VERSION} to the local broker at {broker_path}")
        before = can_i_deploy(payment_contract.name, CONSUMER_VERSION, broker=broker)
        echo(f"can-i-deploy checkout-app {CONSUMER_VERSION}? {_yes_no(before.ok)}")
        decision = can_i_deploy(pacticipant="checkout-app", version=CONSUMER_VERSION, broker=broker)
        echo(_indent(decision.report()))
        publish_verification_result(payment_contract.pact, result, PROVIDER_VERSION, broker=broker)
        echo(
            f"published payment-service {PROVIDER_VERSION}'s verification result "
            f"({'success' if verified else 'failure'})"
        )
        after = can_i_deploy(payment_contract.name, CONSUMER_VERSION, broker=broker)
        echo(f"can-i-deploy checkout-app {CONSUMER_VERSION}? {_yes_no(after.ok)}")
        decision = can_i_deploy(pacticipant="checkout-app", version=CONSUMER_VERSION, broker=broker)
        echo(_indent(decision.report()))
    ok = ok and not before.ok and after.ok

    echo("")
    echo("Files")
    echo("=====")
    echo(f"pact file:           {pact_path}")
    echo(f"verification report: {report_path}")
    echo(f"broker database:     {broker_path}")
    echo("")
    echo("Demo complete." if ok else "Demo finished, but a phase did not go as expected.")
    return 0 if ok else 1


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
