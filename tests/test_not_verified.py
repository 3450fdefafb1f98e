"""Nothing skipped in silence: an interaction a run selects but cannot check is *not verified*.

A mixed pact (HTTP + a message) verified without a message producer must not
pass anywhere: the Python API, the CLI's text, JSON and JUnit reports, the
published result, and can-i-deploy (local broker and the Pact Broker client).
"""

from __future__ import annotations

import json
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pactdsl import (
    define_contract,
    format_verification_report,
    generate_pact,
    interaction,
    message,
    verification_report_json,
    verification_report_junit,
    verify_provider,
)
from pactdsl._cli import build_cli
from pactdsl._dsl import Contract
from pactdsl.broker import (
    LocalBroker,
    PactBrokerClient,
    PactForVerification,
    can_i_deploy,
    publish,
    publish_verification_result,
)
from tests._broker_server import Answer, ScriptedBroker


def _mixed(token: str) -> Contract:
    return define_contract(
        f"mixed_{token}",
        consumer=f"shop-{token}",
        provider=f"orders-{token}",
        interactions=[
            interaction("get order")
            .request(method="GET", path="/orders/1")
            .responds(200, body={"id": 1}),
            message("an order created event").with_content({"id": 1}),
        ],
    )


def orders_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The provider's HTTP side: answers order 1."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"id": 1}']


@pytest.fixture
def mixed(clean_registry: None) -> Contract:
    """A fresh mixed HTTP + message contract."""
    return _mixed(uuid.uuid4().hex[:8])


def test_the_python_api_counts_the_message_as_not_verified(mixed: Contract) -> None:
    """verify_provider without producers: 1 passed, 1 not verified, and no success."""
    result = verify_provider(mixed, app=orders_app)
    assert not result.success
    assert (len(result.passed), len(result.unverified), result.total) == (1, 1, 2)
    [entry] = result.unverified
    assert entry.description == "an order created event"
    assert entry.status == "not verified"
    assert "message_producers=" in entry.reason
    text = format_verification_report(result)
    assert "Passed: 1/2 interactions (1 not verified)" in text
    assert 'Not Verified:\n-------------\n1. "an order created event"' in text


def test_an_explicit_type_filter_narrows_the_run_to_a_success(mixed: Contract) -> None:
    """filter_type='http' leaves the message out: the run is the HTTP part, and passes."""
    result = verify_provider(mixed, app=orders_app, filter_type="http")
    assert result.success
    assert [e.description for e in result.entries] == ["get order"]
    with pytest.raises(ValueError, match="filter_type='htp' must be one or more of 'http'"):
        verify_provider(mixed, app=orders_app, filter_type="htp")


def test_producers_alone_leave_http_interactions_not_verified(mixed: Contract) -> None:
    """Only message producers: the HTTP interaction is not verified, and the run fails."""
    result = verify_provider(mixed, message_producers={"an order created event": lambda: {"id": 1}})
    assert not result.success
    assert [(e.description, e.status) for e in result.entries] == [
        ("get order", "not verified"),
        ("an order created event", "passed"),
    ]


def test_json_and_junit_reports_show_the_not_verified_message(mixed: Contract) -> None:
    """The JSON summary counts notVerified; JUnit reports it as a failure of type 'not verified'."""
    result = verify_provider(mixed, app=orders_app)
    document = verification_report_json(result)
    assert document["success"] is False
    assert document["summary"]["notVerified"] == 1
    assert [i["status"] for i in document["interactions"]] == ["passed", "not verified"]
    assert "message_producers=" in document["interactions"][1]["reason"]
    root = ET.fromstring(verification_report_junit(result))
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    failure = root.find(".//testcase[@name='an order created event']/failure")
    assert failure is not None
    assert failure.get("type") == "not verified"


@pytest.fixture
def pact_file(tmp_path: Path, mixed: Contract, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The mixed pact as a V4 file, a provider module beside it, and the CLI's local broker."""
    (tmp_path / "orders_provider.py").write_text(
        "from tests.test_not_verified import orders_app\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(Path(__file__).parent.parent), *sys.path])
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    monkeypatch.setenv("PACTDSL_BROKER_DB", str(tmp_path / "broker.db"))
    yield generate_pact(mixed, tmp_path / "pacts", spec="4.0")
    sys.modules.pop("orders_provider", None)


def _cli(*args: str) -> Result:
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


@pytest.mark.parametrize("report", ["text", "json", "junit"])
def test_the_cli_fails_and_every_report_format_says_not_verified(
    pact_file: Path, report: str
) -> None:
    """`pactdsl verify` exits 1; the text, JSON and JUnit reports name the message."""
    ran = _cli("verify", str(pact_file), "--app", "orders_provider:orders_app", "--report", report)
    assert ran.exit_code == 1, ran.output
    if report == "text":
        assert "Passed: 1/2 interactions (1 not verified)" in ran.output
    elif report == "json":
        assert json.loads(ran.output)["summary"]["notVerified"] == 1
    else:
        assert 'failures="1"' in ran.output
        assert 'type="not verified"' in ran.output
    narrowed = _cli(
        "verify",
        str(pact_file),
        "--app",
        "orders_provider:orders_app",
        "--interaction-type",
        "http",
    )
    assert narrowed.exit_code == 0, narrowed.output
    assert "Passed: 1/1 interactions" in narrowed.output


def test_the_cli_publishes_a_failure_and_can_i_deploy_names_the_message(
    pact_file: Path, mixed: Contract
) -> None:
    """Published, the run is a failure recording each interaction; can-i-deploy says no, and why."""
    assert _cli("publish", str(pact_file), "--consumer-version", "1.0").exit_code == 0
    verified = _cli(
        "verify",
        str(pact_file),
        "--app",
        "orders_provider:orders_app",
        "--publish",
        "--provider-version",
        "p1",
    )
    assert verified.exit_code == 1, verified.output
    answer = _cli("can-i-deploy", "--contract", str(pact_file), "--version", "1.0")
    assert answer.exit_code == 1, answer.output
    assert "cannot deploy" in answer.output
    assert "'an order created event' (not verified: no message producer" in answer.output
    with LocalBroker(pact_file.parent.parent / "broker.db") as broker:
        decision = broker.can_i_deploy(mixed.pact.consumer, "1.0")
        assert not decision.ok
        assert "'an order created event' (not verified" in decision.reasons[0]
        [record] = broker.describe_version(mixed.pact.provider, "p1").verifications
        assert record.success is False


def test_a_result_that_left_interactions_out_publishes_as_not_verified(
    tmp_path: Path, mixed: Contract
) -> None:
    """Publishing the HTTP-only result of a mixed pact records the message as left out."""
    with LocalBroker(tmp_path / "b.db") as broker:
        publish(mixed, "1.0", broker=broker)
        http_only = verify_provider(mixed, app=orders_app, filter_type="http")
        assert http_only.success
        record = publish_verification_result(mixed, http_only, "p1", broker)
        assert record.success is False
        assert [(o.description, o.status) for o in record.interactions] == [
            ("get order", "passed"),
            ("an order created event", "not verified"),
        ]
        assert can_i_deploy(mixed, "1.0", broker=broker).ok is False
        decision = broker.can_i_deploy(mixed.pact.consumer, "1.0")
        assert "'an order created event' (not verified: left out of the run)" in str(decision)


def test_the_pact_broker_receives_test_results_and_is_read_back_strictly(
    mixed: Contract,
) -> None:
    """The Pact Broker gets success false with testResults; a 'success' contradicted is a no."""
    server = ScriptedBroker()
    try:
        results = server.url + "/results/1"
        server.on("POST", "/results/1", Answer(201, {"_links": {"self": {"href": results}}}))
        tested = [
            {"interactionDescription": "get order", "success": True, "status": "passed"},
            {
                "interactionDescription": "an order created event",
                "success": False,
                "status": "not verified",
                "reason": "no message producer for it",
            },
        ]
        row = {
            "consumer": {"name": "shop", "version": {"number": "1.0"}},
            "provider": {"name": "orders", "version": {"number": "p1"}},
            "verificationResult": {"success": True, "testResults": tested},
        }
        server.on(
            "GET",
            "/matrix",
            Answer(200, {"summary": {"deployable": True, "reason": "ok"}, "matrix": [row]}),
        )
        with PactBrokerClient(server.url, retries=0) as client:
            result = verify_provider(mixed, app=orders_app)
            target = PactForVerification(mixed.pact, verification_results_url=results)
            record = publish_verification_result(target, result, "p1", client)
            decision = client.can_i_deploy("shop", "1.0")
    finally:
        server.close()
    [posted] = [s.body for s in server.seen if s.path == "/results/1"]
    assert posted["success"] is False
    assert [(t["interactionDescription"], t["success"]) for t in posted["testResults"]] == [
        ("get order", True),
        ("an order created event", False),
    ]
    assert record.success is False
    assert not decision.ok
    assert "'an order created event' (not verified: no message producer for it)" in str(decision)
