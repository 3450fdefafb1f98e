"""Interop: pact files pactdsl writes are verified by pact-python's (Rust) verifier."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pact import Verifier

from pactdsl import Contract, define_contract, generate_pact, interaction
from pactdsl.match import decimal, each_like, integer, like, regex

_GOOD_ORDER: dict[str, Any] = {
    "id": 42,
    "code": "Bob",
    "total": 12.75,
    "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}],
}


def _order_contract(name: str) -> Contract:
    """A contract with integer, regex, decimal, each_like and like rules, and a state."""
    return define_contract(
        name,
        consumer="interop-consumer",
        provider="interop-provider",
        interactions=[
            interaction("get order 42")
            .given("order exists", id=42)
            .request(method="GET", path="/orders/42", headers={"Accept": "application/json"})
            .responds(
                status=200,
                headers={"X-Request-Id": regex(r"[0-9a-f]{8}", "deadbeef")},
                body={
                    "id": integer(1),
                    "code": regex(r"[A-Z][a-z]+", "Ann"),
                    "total": decimal(9.5),
                    "items": each_like({"sku": like("X-0"), "qty": integer(1)}),
                },
            ),
            interaction("create order")
            .request(method="POST", path="/orders", body={"sku": "A-1", "qty": 1})
            .responds(status=201, body={"id": integer(7)}),
        ],
    )


class _Provider:
    """A real HTTP provider on 127.0.0.1 whose order body a test chooses."""

    def __init__(self, order: dict[str, Any], request_id: str = "0badc0de") -> None:
        self.order = order
        self.request_id = request_id
        self.state_calls: list[Any] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/orders/42":
                    self._send(200, provider.order, {"X-Request-Id": provider.request_id})
                else:
                    self._send(404, {"error": "not found"}, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                data = self.rfile.read(length)
                if self.path == "/_state":
                    # The Pact state-change protocol: {"state", "params", "action"}.
                    provider.state_calls.append(json.loads(data))
                    self._send(200, {}, {})
                else:
                    self._send(201, {"id": 99}, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def pact_files(tmp_path: Path, clean_registry: None) -> dict[str, Path]:
    """The order contract written as V3 and as V4."""
    contract = _order_contract("interop-orders")
    return {
        spec: generate_pact(contract, output=tmp_path / spec, spec=spec)
        for spec in ("3.0.0", "4.0")
    }


def _verifier(pact_file: Path, provider: _Provider) -> Verifier:
    """pact-python's verifier for `pact_file` against `provider`, ready to run."""
    # The state-change URL is the provider's own endpoint: pact-python's
    # in-process state server never closes its socket (a ResourceWarning).
    return (
        Verifier("interop-provider", host="127.0.0.1")
        .add_transport(url=provider.url)
        .state_handler(f"{provider.url}/_state", teardown=False, body=True)
        .add_source(pact_file)
    )


@pytest.mark.parametrize("spec", ["3.0.0", "4.0"])
def test_conforming_provider_passes(pact_files: dict[str, Path], spec: str) -> None:
    """pact-python verifies a conforming provider against pactdsl's V3 and V4 files."""
    with _Provider(dict(_GOOD_ORDER)) as provider:
        _verifier(pact_files[spec], provider).verify()
    setups = [c for c in provider.state_calls if c.get("state")]
    assert setups == [{"state": "order exists", "action": "setup", "params": {"id": 42}}]


# breakage -> (order body, X-Request-Id, what the verifier's report must name)
_BROKEN = {
    "wrong type": ({**_GOOD_ORDER, "id": "42"}, "0badc0de", "$.id"),
    "regex miss": ({**_GOOD_ORDER, "code": "bob1"}, "0badc0de", "$.code"),
    "empty each_like": ({**_GOOD_ORDER, "items": []}, "0badc0de", "$.items"),
    "decimal as integer": ({**_GOOD_ORDER, "total": 12}, "0badc0de", "$.total"),
    "header regex miss": (dict(_GOOD_ORDER), "NOT-HEX!", "X-Request-Id"),
}


@pytest.mark.parametrize("spec", ["3.0.0", "4.0"])
@pytest.mark.parametrize("breakage", sorted(_BROKEN))
def test_provider_breaking_a_matcher_fails(
    pact_files: dict[str, Path], spec: str, breakage: str
) -> None:
    """pact-python fails a provider whose response breaks one matcher of the pact."""
    order, request_id, named = _BROKEN[breakage]
    with _Provider(order, request_id) as provider:
        verifier = _verifier(pact_files[spec], provider)
        with pytest.raises(RuntimeError):
            verifier.verify()
    report = verifier.output(strip_ansi=True)
    failures = report[report.index("Failures:") :]
    assert named in failures
    assert "create order" not in failures
