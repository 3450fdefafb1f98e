"""Verdicts pactdsl shares with pact-reference: header lists and provider-state values.

Each pact is verified by pactdsl and by pact-python's `Verifier` (pact-reference's
Rust core, as in pact-js and pact-jvm) against the same real provider.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pactdsl import (
    Contract,
    Interaction,
    define_contract,
    generate_pact,
    interaction,
    mock_provider,
)
from pactdsl._verify import format_verification_report, verify_provider
from pactdsl.generate import mock_server_url, provider_state
from tests.test_interop_pact_js import routes
from tests.test_verify import RunningProvider
from tests.test_verify_interop import pact_python_verdict

pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def _write(folder: Path, response: dict[str, Any], states: list[Any] | None = None) -> Path:
    interaction: dict[str, Any] = {
        "description": "a request for the thing",
        "request": {"method": "GET", "path": "/thing"},
        "response": response,
    }
    if states:
        interaction["providerStates"] = states
    document = {
        "consumer": {"name": "verdict-consumer"},
        "provider": {"name": "verdict-provider"},
        "interactions": [interaction],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    path = folder / "verdict-consumer-verdict-provider.json"
    path.write_text(json.dumps(document), "utf-8")
    return path


def _regex(pattern: str) -> dict[str, Any]:
    return {"combine": "AND", "matchers": [{"match": "regex", "regex": pattern}]}


_VARY = ("Vary", "Accept")
HEADER_CASES = [
    pytest.param(
        [("X-Api-Version", "v2, v3"), _VARY], "$.header.X-Api-Version", id="one line v2, v3"
    ),
    pytest.param([("X-Api-Version", "v2"), ("X-Api-Version", "v3"), _VARY], None, id="two lines"),
    pytest.param([("X-Api-Version", "v3"), ("Vary", "Accept, Origin")], None, id="Vary listed"),
]


@pytest.mark.parametrize(("headers", "failing"), HEADER_CASES)
def test_headers_split_on_commas_only_where_pact_reference_splits(
    provider: RunningProvider, tmp_path: Path, headers: list[tuple[str, str]], failing: str | None
) -> None:
    r"""A comma-joined X-Api-Version is one value and fails `^v\d+$`; Vary is a list."""
    pact = _write(
        tmp_path,
        {
            "status": 200,
            "headers": {"X-Api-Version": "v2", "Vary": "Accept"},
            "matchingRules": {
                "header": {"X-Api-Version": _regex(r"^v\d+$"), "Vary": _regex("^[A-Z][a-z]+$")}
            },
        },
    )
    routes(provider)["/thing"] = (200, headers, b"")
    ours = verify_provider(pact, base_url=provider.url)
    theirs = pact_python_verdict(pact, provider.url, "verdict-provider")
    assert ours.success is theirs is (failing is None), format_verification_report(ours)
    if failing is not None:
        (failed,) = ours.failed
        assert [(m.path, m.actual) for m in failed.mismatches] == [(failing, "v2, v3")]


def _order_contract() -> Contract:
    return define_contract(
        "orders",
        consumer="verdict-consumer",
        provider="verdict-provider",
        interactions=[
            interaction("a request for the thing")
            .given("an order exists")
            .request(method="GET", path="/thing")
            .responds(
                status=200,
                body={
                    "orderId": provider_state("${orderId}", 1),
                    "self": mock_server_url(r".*(/orders/\d+)$", "http://localhost:9/orders/1"),
                },
            )
        ],
    )


def test_dsl_provider_state_and_mock_url_values_carry_rules(clean_registry: None) -> None:
    """`provider_state(...)` writes a type rule and `mock_server_url(...)` a regex, as pact-js."""
    (item,) = _order_contract().pact.interactions
    assert isinstance(item, Interaction)
    body_rules = item.response.matching_rules["body"]
    rules = {path: group.to_json()["matchers"] for path, group in body_rules.items()}
    assert rules == {
        "$.orderId": [{"match": "type"}],
        "$.self": [{"match": "regex", "regex": r".*(/orders/\d+)$"}],
    }


STATE_CASES = [
    pytest.param("hand", {"orderId": 1234}, "$.body.orderId", id="no rule, another id"),
    pytest.param("hand", {"orderId": 1}, None, id="no rule, the example"),
    pytest.param("dsl", {"orderId": 1234, "self": "http://provider/orders/1234"}, None, id="dsl"),
]


@pytest.mark.parametrize(("source", "answer", "failing"), STATE_CASES)
def test_provider_state_values_are_request_side_only(
    provider: RunningProvider,
    tmp_path: Path,
    clean_registry: None,
    source: str,
    answer: dict[str, Any],
    failing: str | None,
) -> None:
    """A state value without a rule is compared with the example, in pactdsl and pact-python."""
    if source == "hand":
        pact = _write(
            tmp_path,
            {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {"orderId": 1},
                "generators": {
                    "body": {"$.orderId": {"type": "ProviderState", "expression": "${orderId}"}}
                },
            },
            states=[{"name": "an order exists"}],
        )
    else:
        pact = generate_pact(_order_contract(), output=tmp_path)
    routes(provider)["/thing"] = (
        200,
        [("Content-Type", "application/json")],
        json.dumps(answer).encode(),
    )
    ours = verify_provider(pact, base_url=provider.url, state_setup=lambda state: {"orderId": 1234})
    theirs = pact_python_verdict(pact, provider.url, "verdict-provider")
    assert ours.success is theirs is (failing is None), format_verification_report(ours)
    if failing is not None:
        (failed,) = ours.failed
        assert [(m.path, m.actual) for m in failed.mismatches] == [(failing, 1234)]


def test_mock_serves_the_example_of_a_provider_state_value(clean_registry: None) -> None:
    """The mock, like pact-reference's, serves the example and moves only the URL to itself."""
    with mock_provider(_order_contract(), 0) as mock, httpx.Client() as client:
        body = client.get(f"{mock.url}/thing").json()
        assert body == {"orderId": 1, "self": f"{mock.url}/orders/1"}
