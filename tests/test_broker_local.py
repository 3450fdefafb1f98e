"""The local SQLite broker: the seed's workflow, environments, deployments and concurrency."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from pactdsl import Contract, define_contract, generate_pact, interaction
from pactdsl._verify import verify_provider
from pactdsl.broker import (
    BrokerLookupError,
    CanIDeployDecision,
    LocalBroker,
    PactConflictError,
    can_i_deploy,
    create_environment,
    get_broker,
    is_deployable,
    pacts_for_verification,
    publish,
    publish_verification_result,
    record_deployment,
)
from pactdsl.match import type_of

CONSUMER = "checkout-app"
PROVIDER = "payment-service"


class _Outcome:
    """A verification outcome for tests that need a failing result on purpose."""

    def __init__(self, success: bool) -> None:
        self.success = success


def _payment_contract(*, with_currency: bool = False, name: str = "payment_contract") -> Contract:
    body: dict[str, Any] = {"id": type_of("pay-1"), "status": "success"}
    if with_currency:
        body["currency"] = "USD"
    return define_contract(
        name,
        consumer=CONSUMER,
        provider=PROVIDER,
        interactions=[
            interaction("process payment")
            .given("user has valid payment method")
            .request(method="POST", path="/payments", body={"amount": 1000, "currency": "USD"})
            .responds(status=200, body=body)
        ],
    )


def _provider_app(status: str = "success") -> Callable[..., Iterable[bytes]]:
    """A tiny WSGI payment service answering POST /payments."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/payments":
            body = json.dumps({"id": "pay-42", "status": status, "currency": "USD"}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


@pytest.fixture
def local_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Configure the default broker as a fresh local database under tmp_path."""
    path = tmp_path / "broker.db"
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    monkeypatch.setenv("PACTDSL_BROKER_DB", str(path))
    return path


@pytest.mark.usefixtures("clean_registry")
def test_seed_workflow_with_the_real_verifier(local_db: Path) -> None:
    """1.0.0 is deployable once verified; a changed 1.1.0 is not, until verified in turn."""
    contract = _payment_contract()
    publish(contract, "1.0.0", branch="main")
    assert can_i_deploy("payment_contract", "1.0.0").ok is False

    result = verify_provider(
        "payment_contract", app=_provider_app(), provider_version="2.0.0", publish_results=True
    )
    assert result.success
    assert can_i_deploy("payment_contract", "1.0.0").ok is True

    _payment_contract(with_currency=True)  # the consumer changes its contract
    publish("payment_contract", "1.1.0", branch="main")
    assert is_deployable("payment_contract", "1.1.0") is False  # the seed's bool form
    assert is_deployable("payment_contract", "1.0.0") is True

    verify_provider(
        "payment_contract", app=_provider_app(), provider_version="2.0.0", publish_results=True
    )
    assert can_i_deploy("payment_contract", "1.1.0").ok is True
    assert local_db.is_file()


@pytest.mark.usefixtures("clean_registry")
def test_failed_verification_is_recorded_and_keeps_the_answer_false(local_db: Path) -> None:
    """A provider whose answer breaks the contract publishes a failure; can_i_deploy stays False."""
    _payment_contract()
    publish("payment_contract", "1.0.0")
    result = verify_provider(
        "payment_contract",
        app=_provider_app(status="failed"),
        provider_version="2.0.1",
        publish_results=True,
    )
    assert not result.success
    assert can_i_deploy("payment_contract", "1.0.0").ok is False
    decision = can_i_deploy(pacticipant=CONSUMER, version="1.0.0")
    assert decision.ok is False
    assert any("failed verification by payment-service 2.0.1" in r for r in decision.reasons)


@pytest.mark.usefixtures("clean_registry")
def test_unchanged_pact_of_a_new_version_shares_the_verification(tmp_path: Path) -> None:
    """A new consumer version publishing the same content is verified already, by content hash."""
    broker = LocalBroker(tmp_path / "b.db")
    contract = _payment_contract()
    first = publish(contract, "1.0.0", broker=broker)
    publish_verification_result(contract, _Outcome(True), "2.0.0", broker=broker)
    pact_file = generate_pact(contract, output=tmp_path / "pacts", spec="4.0")
    second = publish(pact_file, "1.0.1", broker=broker)  # same pact, as a V4 file
    assert second.pact_sha == first.pact_sha
    assert any("already verified by payment-service 2.0.0" in n for n in second.notices)
    assert can_i_deploy(contract, "1.0.1", broker=broker).ok is True
    with sqlite3.connect(tmp_path / "b.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM pact_contents").fetchone() == (1,)
        assert conn.execute("SELECT COUNT(*) FROM pact_publications").fetchone() == (2,)


@pytest.mark.usefixtures("clean_registry")
def test_republishing_a_version_with_other_content_is_a_conflict(tmp_path: Path) -> None:
    """The same consumer version may publish the same pact again, but not a different one."""
    broker = LocalBroker(tmp_path / "b.db")
    publish(_payment_contract(), "1.0.0", broker=broker)
    again = publish("payment_contract", "1.0.0", broker=broker)
    assert "already published" in again.notices[0]
    changed = _payment_contract(with_currency=True)
    with pytest.raises(PactConflictError, match=r"consumer_version='1.0.0'.*new version"):
        publish(changed, "1.0.0", broker=broker)


@pytest.mark.usefixtures("clean_registry")
def test_verifying_an_unpublished_pact_says_to_publish_first(tmp_path: Path) -> None:
    """Publishing a result for a pact nobody published names the pair and what to do."""
    broker = LocalBroker(tmp_path / "b.db")
    with pytest.raises(BrokerLookupError, match=r"checkout-app and payment-service.*publish it"):
        publish_verification_result(_payment_contract(), True, "2.0.0", broker=broker)


@pytest.mark.usefixtures("clean_registry")
def test_publish_verification_result_needs_a_success_flag(tmp_path: Path) -> None:
    """A result without a bool `success` is refused with a TypeError naming it."""
    broker = LocalBroker(tmp_path / "b.db")
    contract = _payment_contract()
    publish(contract, "1.0.0", broker=broker)
    with pytest.raises(TypeError, match="bool `success`"):
        publish_verification_result(contract, object(), "2.0.0", broker=broker)


def _deploy_scene(broker: LocalBroker) -> None:
    """Consumer 1.0.0 verified by provider 2.0.0, both in production; 1.1.0 changed."""
    publish(_payment_contract(), "1.0.0", broker=broker)
    publish_verification_result("payment_contract", True, "2.0.0", broker=broker)
    create_environment("production", production=True, broker=broker)
    create_environment("test", broker=broker)
    record_deployment(PROVIDER, "2.0.0", "production", broker=broker)
    record_deployment(CONSUMER, "1.0.0", "production", broker=broker)
    publish(_payment_contract(with_currency=True), "1.1.0", broker=broker)


@pytest.mark.usefixtures("clean_registry")
def test_can_i_deploy_to_an_environment_checks_the_deployed_provider(tmp_path: Path) -> None:
    """A consumer version is deployable only if the provider version deployed there verified it."""
    broker = LocalBroker(tmp_path / "b.db")
    _deploy_scene(broker)
    good = can_i_deploy(
        pacticipant=CONSUMER, version="1.0.0", to_environment="production", broker=broker
    )
    assert isinstance(good, CanIDeployDecision)
    assert good.ok is True
    assert [(r.provider, r.provider_version, r.verification) for r in good.rows] == [
        (PROVIDER, "2.0.0", True)
    ]

    changed = can_i_deploy(
        pacticipant=CONSUMER, version="1.1.0", to_environment="production", broker=broker
    )
    assert changed.ok is False
    assert changed.reasons[0] == (
        "the pact of checkout-app 1.1.0 with payment-service 2.0.0 has never been verified; "
        "verify it with payment-service 2.0.0 and publish the result"
    )
    assert "cannot deploy to production" in str(changed)

    # A newer provider verifies 1.1.0, but 2.0.0 is still what runs in production.
    publish_verification_result("payment_contract", True, "2.1.0", broker=broker)
    still = can_i_deploy(
        pacticipant=CONSUMER, version="1.1.0", to_environment="production", broker=broker
    )
    assert still.ok is False
    record_deployment(PROVIDER, "2.1.0", "production", broker=broker)
    now = can_i_deploy(
        pacticipant=CONSUMER, version="1.1.0", to_environment="production", broker=broker
    )
    assert now.ok is True
    assert [r.provider_version for r in now.rows] == ["2.1.0"]  # 2.0.0 is no longer deployed


@pytest.mark.usefixtures("clean_registry")
def test_can_i_deploy_a_provider_checks_the_deployed_consumers(tmp_path: Path) -> None:
    """A provider version is deployable only if it verified each consumer version deployed there."""
    broker = LocalBroker(tmp_path / "b.db")
    _deploy_scene(broker)
    publish_verification_result("payment_contract", False, "3.0.0", broker=broker)
    bad = can_i_deploy(
        pacticipant=PROVIDER, version="3.0.0", to_environment="production", broker=broker
    )
    assert bad.ok is False
    # 3.0.0 verified the 1.1.0 pact (failing) but never the one 1.0.0 runs in production.
    assert bad.rows[0].consumer_version == "1.0.0"
    assert bad.rows[0].verification is None
    empty_env = can_i_deploy(
        pacticipant=PROVIDER, version="3.0.0", to_environment="test", broker=broker
    )
    assert empty_env.ok is True
    assert "no integrations in test" in empty_env.reasons[0]


@pytest.mark.usefixtures("clean_registry")
def test_can_i_deploy_without_environment_uses_latest_pacts(tmp_path: Path) -> None:
    """Without an environment a provider version must have verified each consumer's latest pact."""
    broker = LocalBroker(tmp_path / "b.db")
    _deploy_scene(broker)
    decision = can_i_deploy(pacticipant=PROVIDER, version="2.0.0", broker=broker)
    assert decision.ok is False  # the latest pact is 1.1.0's, which 2.0.0 never verified
    assert decision.rows[0].consumer_version == "1.1.0"


@pytest.mark.usefixtures("clean_registry")
def test_unknown_names_give_reasons_or_errors(tmp_path: Path) -> None:
    """Unknown pacticipants or versions give a negative decision; unknown environments raise."""
    broker = LocalBroker(tmp_path / "b.db")
    _deploy_scene(broker)
    nobody = can_i_deploy(pacticipant="nobody", version="1", broker=broker)
    assert nobody.ok is False
    assert "nobody is unknown" in nobody.reasons[0]
    missing = can_i_deploy(pacticipant=CONSUMER, version="9.9.9", broker=broker)
    assert "version 9.9.9 of checkout-app is unknown" in missing.reasons[0]
    with pytest.raises(BrokerLookupError, match=r"environment='staging'.*create_environment"):
        can_i_deploy(pacticipant=CONSUMER, version="1.0.0", to_environment="staging", broker=broker)
    with pytest.raises(BrokerLookupError, match=r"version='7.0.0' of payment-service"):
        record_deployment(PROVIDER, "7.0.0", "production", broker=broker)


@pytest.mark.usefixtures("clean_registry")
def test_can_i_deploy_refuses_mixed_call_forms(tmp_path: Path) -> None:
    """Mixing the contract form and the pacticipant form raises a TypeError showing both."""
    broker = LocalBroker(tmp_path / "b.db")
    with pytest.raises(TypeError, match="use can_i_deploy"):
        can_i_deploy("payment_contract", "1.0.0", pacticipant=CONSUMER, broker=broker)  # type: ignore[call-overload]


@pytest.mark.usefixtures("clean_registry")
def test_record_deployment_replaces_the_previous_version_per_instance(tmp_path: Path) -> None:
    """A new deployment to the same instance undeploys the old one; other instances stay."""
    broker = LocalBroker(tmp_path / "b.db")
    _deploy_scene(broker)
    publish_verification_result("payment_contract", True, "2.1.0", broker=broker)
    record_deployment(PROVIDER, "2.1.0", "production", broker=broker, application_instance="eu")
    live = {d.version for d in broker.deployed_versions(PROVIDER, "production")}
    assert live == {"2.0.0", "2.1.0"}
    record_deployment(PROVIDER, "2.1.0", "production", broker=broker)
    assert [d.version for d in broker.deployed_versions(PROVIDER, "production")] == [
        "2.1.0",
        "2.1.0",
    ]


@pytest.mark.usefixtures("clean_registry")
def test_pacts_for_verification_selectors_and_pending(tmp_path: Path) -> None:
    """Selectors pick the latest, branch and deployed pacts; unverified pacts are pending."""
    broker = LocalBroker(tmp_path / "b.db")
    _deploy_scene(broker)
    publish(
        _payment_contract(name="payment_contract").pact, "1.2.0-feat", branch="feat", broker=broker
    )
    latest = pacts_for_verification(PROVIDER, include_pending_status=True, broker=broker)
    assert [(p.consumer_version, p.pending) for p in latest] == [("1.2.0-feat", False)]
    deployed = pacts_for_verification(
        PROVIDER, consumer_version_selectors=[{"deployedOrReleased": True}], broker=broker
    )
    assert [p.consumer_version for p in deployed] == ["1.0.0"]
    both = pacts_for_verification(
        PROVIDER,
        consumer_version_selectors=[{"branch": "feat"}, {"environment": "production"}],
        include_pending_status=True,
        broker=broker,
    )
    # 1.2.0-feat has 1.0.0's content: one pact to verify, selected once.
    assert [p.consumer_version for p in both] == ["1.2.0-feat"]
    with pytest.raises(ValueError, match=r"keys \['colour'\]"):
        pacts_for_verification(
            PROVIDER, consumer_version_selectors=[{"colour": "red"}], broker=broker
        )


@pytest.mark.usefixtures("clean_registry")
def test_pending_pact_and_verifying_what_the_broker_selected(tmp_path: Path) -> None:
    """A never-verified pact is pending; publishing a result for it makes it deployable."""
    broker = LocalBroker(tmp_path / "b.db")
    publish(_payment_contract(), "1.0.0", broker=broker)
    [selected] = pacts_for_verification(PROVIDER, include_pending_status=True, broker=broker)
    assert selected.pending is True
    result = verify_provider(selected.pact, app=_provider_app())
    publish_verification_result(selected, result, "2.0.0", broker=broker)
    assert can_i_deploy("payment_contract", "1.0.0", broker=broker).ok is True


def test_get_broker_reads_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PACT_BROKER_BASE_URL the local broker is used, at PACTDSL_BROKER_DB if set."""
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    monkeypatch.setenv("PACTDSL_BROKER_DB", str(tmp_path / "x.db"))
    chosen = get_broker()
    assert isinstance(chosen, LocalBroker)
    assert chosen.path == tmp_path / "x.db"
    named = get_broker(tmp_path / "y.db")
    assert isinstance(named, LocalBroker)
    assert named.path == tmp_path / "y.db"
    monkeypatch.delenv("PACTDSL_BROKER_DB")
    default = get_broker()
    assert isinstance(default, LocalBroker)
    assert default.path == Path(".pactdsl/broker.db")


_WORKER = textwrap.dedent(
    """
    import sys
    from pactdsl import Interaction, Pact, Request, Response
    from pactdsl.broker import LocalBroker, PactDocument

    db, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    broker = LocalBroker(db)
    for n in range(count):
        own = Pact(f"consumer-{who}", "provider", (
            Interaction(f"call {n}", Request("GET", f"/{who}/{n}"), Response(200)),
        ))
        shared = Pact("shared-consumer", "provider", (
            Interaction("same", Request("GET", "/same"), Response(200)),
        ))
        for pact, version in ((own, f"{n}"), (shared, f"{who}-{n}")):
            document = PactDocument.from_source(pact)
            broker.publish_pact(document, version, branch="main", tags=[who])
            broker.publish_verification_result(document, True, f"p-{who}-{n}")
    print("done", who)
    """
)


def test_two_processes_publish_and_verify_at_once_without_losing_anything(tmp_path: Path) -> None:
    """Two processes writing one database concurrently keep every publication and result."""
    db = tmp_path / "shared.db"
    count = 40
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(db), who, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        assert out.startswith("done")
    with sqlite3.connect(db) as conn:
        count_of = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("pact_publications", "verification_results", "pact_contents")
        }
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    # Each process: 40 own + 40 shared publications and as many results; the
    # shared content is stored once.
    assert count_of == {
        "pact_publications": 4 * count,
        "verification_results": 4 * count,
        "pact_contents": 2 * count + 1,
    }
    broker = LocalBroker(db)
    for who in ("a", "b"):
        for n in (0, count - 1):
            assert broker.has_successful_verification(f"consumer-{who}", "provider", f"{n}")
        assert broker.can_i_deploy("shared-consumer", f"{who}-{count - 1}").ok


def test_both_brokers_implement_the_broker_protocol(tmp_path: Path) -> None:
    """LocalBroker and PactBrokerClient both satisfy the Broker protocol."""
    from pactdsl.broker import Broker, PactBrokerClient

    assert isinstance(LocalBroker(tmp_path / "b.db"), Broker)
    with PactBrokerClient("http://127.0.0.1:1") as client:
        assert isinstance(client, Broker)


def test_decision_refuses_truth_value() -> None:
    """A can-i-deploy decision cannot be used as a bool, so `if decision:` never lies."""
    from pactdsl.broker import CanIDeployDecision

    decision = CanIDeployDecision("checkout-app", "1.0.0", None, ok=False)
    with pytest.raises(TypeError, match=r"test decision\.ok"):
        bool(decision)
