"""verify_provider(broker=...): fetch the pacts a broker selects, verify each, publish the results.

The local SQLite broker is real (a file in tmp_path); the Pact Broker is the
small scripted HTTP server of tests/_broker_server.py on 127.0.0.1.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from pactdsl import PactSpec, define_contract, interaction
from pactdsl._dsl import Contract
from pactdsl._pactfile import pact_to_json
from pactdsl._verify import (
    VerificationConfigError,
    format_verification_report,
    verification_report_json,
    verify_provider,
)
from pactdsl.broker import LocalBroker, PactBrokerClient, can_i_deploy, publish
from tests._broker_server import Answer, ScriptedBroker


@attrs.frozen
class World:
    """Two consumers of one provider, published to a local broker."""

    broker: LocalBroker
    provider: str
    web: Contract
    mobile: Contract


def orders_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The provider: knows order 1, nothing else."""
    if environ["PATH_INFO"] == "/orders/1":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"id": 1, "status": "open"}']
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b"{}"]


def _contracts(token: str) -> tuple[str, Contract, Contract]:
    provider = f"orders-{token}"
    web = define_contract(
        f"web_{token}",
        consumer=f"web-{token}",
        provider=provider,
        interactions=[
            interaction("get order")
            .given("order 1 exists")
            .request(method="GET", path="/orders/1")
            .responds(status=200, body={"id": 1, "status": "open"})
        ],
    )
    mobile = define_contract(
        f"mobile_{token}",
        consumer=f"mobile-{token}",
        provider=provider,
        interactions=[
            interaction("get order 2")
            .request(method="GET", path="/orders/2")
            .responds(status=200, body={"id": 2})
        ],
    )
    return provider, web, mobile


@pytest.fixture
def world(tmp_path: Path, clean_registry: None) -> Iterator[World]:
    """Consumers web 1.0.0 on main (honoured) and mobile 2.0.0 on feat-x (not honoured)."""
    provider, web, mobile = _contracts(uuid.uuid4().hex[:8])
    broker = LocalBroker(tmp_path / "broker.db")
    publish(web, "1.0.0", branch="main", broker=broker)
    publish(mobile, "2.0.0", branch="feat-x", broker=broker)
    yield World(broker, provider, web, mobile)
    broker.close()


def test_main_branch_selector_verifies_and_publishes_what_can_i_deploy_sees(world: World) -> None:
    """A mainBranch selector verifies web's pact only; its published result makes it deployable."""
    assert can_i_deploy(world.web, "1.0.0", broker=world.broker).ok is False
    result = verify_provider(
        broker=world.broker,
        provider=world.provider,
        consumer_version_selectors=[{"mainBranch": True}],
        app=orders_app,
        provider_version="p1",
        provider_branch="main",
        provider_tags=("prod",),
        build_url="https://ci.example/42",
        publish_results=True,
    )
    assert result.success, format_verification_report(result)
    assert result.consumer == world.web.pact.consumer
    assert [e.description for e in result.passed] == ["get order"]
    assert [(r.consumer, r.provider_version, r.success) for r in result.published] == [
        (world.web.pact.consumer, "p1", True)
    ]
    assert can_i_deploy(world.web, "1.0.0", broker=world.broker).ok is True
    assert can_i_deploy(world.mobile, "2.0.0", broker=world.broker).ok is False
    with sqlite3.connect(world.broker.path) as conn:
        branch, tag = conn.execute(
            "SELECT v.branch, t.name FROM versions v JOIN pacticipants p ON p.id = "
            "v.pacticipant_id JOIN tags t ON t.version_id = v.id WHERE p.name = ? AND v.number = ?",
            (world.provider, "p1"),
        ).fetchone()
        [build_url] = conn.execute("SELECT build_url FROM verification_results").fetchone()
    assert (branch, tag, build_url) == ("main", "prod", "https://ci.example/42")


def test_pending_pact_failure_does_not_fail_but_is_published_as_failed(world: World) -> None:
    """A never-verified pact is pending: it fails, the run passes, the broker records a failure."""
    result = verify_provider(
        broker=world.broker,
        provider=world.provider,
        consumer_version_selectors=[{"mainBranch": True}, {"branch": "feat-x"}],
        include_pending=True,
        app=orders_app,
        provider_version="p2",
        publish_results=True,
    )
    assert result.success
    [failed] = result.failed
    assert (failed.description, failed.pending) == ("get order 2", True)
    assert {r.consumer: r.success for r in result.published} == {
        world.web.pact.consumer: True,
        world.mobile.pact.consumer: False,
    }
    report = format_verification_report(result)
    assert "Notices:" in report
    assert f"mobile-{world.provider.split('-')[1]} 2.0.0: the pact is pending" in report
    assert "(pending: does not fail verification)" in report
    assert verification_report_json(result)["notices"] == list(result.notices)
    assert can_i_deploy(world.mobile, "2.0.0", broker=world.broker).ok is False

    # Without pending status the same failure fails the run.
    strict = verify_provider(
        broker=world.broker,
        provider=world.provider,
        consumer_version_selectors=[{"branch": "feat-x"}],
        app=orders_app,
    )
    assert not strict.success
    assert not strict.failed[0].pending


def test_web_pact_is_no_longer_pending_once_verified(world: World) -> None:
    """After a successful published verification, the broker stops marking web's pact pending."""
    options: dict[str, Any] = {
        "broker": world.broker,
        "provider": world.provider,
        "consumer_version_selectors": [{"mainBranch": True}],
        "include_pending": True,
        "app": orders_app,
    }
    before = verify_provider(**options, provider_version="p1", publish_results=True)
    assert before.passed[0].pending
    after = verify_provider(**options)
    assert not after.passed[0].pending
    assert not any("pending" in n for n in after.notices)


def test_filter_consumer_by_name_regex_and_list(world: World) -> None:
    """filter_consumer takes a name, a whole-name regex, or a list of them."""
    token = world.provider.split("-")[1]

    def consumers(value: Any) -> set[str]:
        result = verify_provider(
            broker=world.broker,
            provider=world.provider,
            consumer_version_selectors=[{"latest": True}],
            app=orders_app,
            filter_consumer=value,
        )
        return {e.consumer for e in result.entries}

    assert consumers(f"web-{token}") == {f"web-{token}"}
    assert consumers(r"mob.*") == {f"mobile-{token}"}
    assert consumers([f"web-{token}", f"mobile-{token}"]) == {f"web-{token}", f"mobile-{token}"}
    with pytest.raises(VerificationConfigError, match=r"filter_consumer='web' matched none"):
        consumers("web")  # a regex matches whole names only


def test_fail_fast_stops_after_the_first_failure_and_publishes_only_what_ran(
    world: World,
) -> None:
    """With fail_fast the pacts after the first failure are neither verified nor published."""
    result = verify_provider(
        broker=world.broker,
        provider=world.provider,
        consumer_version_selectors=[{"branch": "feat-x"}, {"mainBranch": True}],
        app=orders_app,
        fail_fast=True,
        provider_version="p3",
        publish_results=True,
    )
    assert [e.description for e in result.entries] == ["get order 2"]
    assert any("1 interaction(s) not verified" in n for n in result.notices)
    assert [r.consumer for r in result.published] == [world.mobile.pact.consumer]
    assert can_i_deploy(world.web, "1.0.0", broker=world.broker).ok is False

    # A pending pact's failure does not fail the run, so it does not stop it either.
    pending = verify_provider(
        broker=world.broker,
        provider=world.provider,
        consumer_version_selectors=[{"branch": "feat-x"}, {"mainBranch": True}],
        include_pending=True,
        app=orders_app,
        fail_fast=True,
    )
    assert [e.description for e in pending.entries] == ["get order 2", "get order"]
    assert pending.success


def test_broker_true_uses_the_configured_local_broker(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """broker=True opens the broker PACTDSL_BROKER_DB names (no Pact Broker URL set)."""
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    monkeypatch.setenv("PACTDSL_BROKER_DB", str(world.broker.path))
    result = verify_provider(
        broker=True,
        provider=world.provider,
        consumer_version_selectors=[{"mainBranch": True}],
        app=orders_app,
        provider_version="p4",
        publish_results=True,
    )
    assert result.success
    assert len(result.published) == 1
    assert can_i_deploy(world.web, "1.0.0", broker=world.broker).ok is True


def test_a_source_with_broker_publishes_there(world: World) -> None:
    """With a source, broker= is where results go, with the provider branch."""
    result = verify_provider(
        world.web,
        app=orders_app,
        broker=world.broker,
        provider=world.provider,
        provider_version="p5",
        provider_branch="release",
        publish_results=True,
    )
    assert [r.provider_version for r in result.published] == ["p5"]
    assert can_i_deploy(world.web, "1.0.0", broker=world.broker).ok is True


def test_publishing_is_skipped_when_filters_verify_part_of_a_pact(world: World) -> None:
    """A description filter verifies part of a pact: nothing is published, a notice says so."""
    result = verify_provider(
        broker=world.broker,
        provider=world.provider,
        app=orders_app,
        filter_description="get order$",
        provider_version="p6",
        publish_results=True,
    )
    assert result.success
    assert result.published == ()
    assert any(
        "results not published: filter_description='get order$'" in n for n in result.notices
    )
    assert can_i_deploy(world.web, "1.0.0", broker=world.broker).ok is False


def test_broker_with_no_pacts_for_the_provider_is_an_error(world: World) -> None:
    """No pacts for a (misspelt) provider raises, naming it; allow_empty accepts it."""
    with pytest.raises(VerificationConfigError, match=r"provider='ordrs'.*allow_empty=True"):
        verify_provider(broker=world.broker, provider="ordrs", app=orders_app)
    empty = verify_provider(broker=world.broker, provider="ordrs", app=orders_app, allow_empty=True)
    assert (empty.total, empty.success, empty.provider) == (0, True, "ordrs")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"broker": True}, "needs provider="),
        ({}, "give the pacts to verify"),
        ({"source": "x", "include_pending": True}, "include_pending only apply"),
        ({"broker": "yes", "provider": "p"}, "must be True"),
        ({"broker": True, "provider": "p", "consumer_version_selectors": {"latest": True}}, "list"),
    ],
)
def test_broker_arguments_that_cannot_work_are_refused(
    arguments: dict[str, Any], message: str
) -> None:
    """Missing provider, no source at all, broker-only options with a source: refused by name."""
    with pytest.raises((VerificationConfigError, TypeError), match=message):
        verify_provider(app=orders_app, **arguments)


def test_provider_must_match_the_pacts_of_a_source(world: World) -> None:
    """provider= with a source checks every pact is for that provider."""
    with pytest.raises(VerificationConfigError, match="is for provider"):
        verify_provider(world.web, app=orders_app, provider="billing")


# --------------------------------------------------------------------------
# The Pact Broker client path


def _pact_document(contract: Contract, results_url: str, version: str) -> dict[str, Any]:
    document = pact_to_json(contract.pact, PactSpec.V3, {})
    document["_links"] = {
        "pb:publish-verification-results": {"href": results_url},
        "pb:consumer-version": {"name": version},
    }
    return document


@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize("configured", [False, True], ids=["client", "from-env"])
def test_pact_broker_selects_verifies_and_receives_results(
    configured: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Selectors, pending, WIP and the provider's tags reach the broker; results land per pact."""
    provider, web, mobile = _contracts(uuid.uuid4().hex[:8])
    server = ScriptedBroker()
    try:
        url = server.url
        server.on(
            "GET",
            "/",
            Answer(
                200,
                {
                    "_links": {
                        "pb:provider-pacts-for-verification": {
                            "href": url + "/pacts/provider/{provider}/for-verification"
                        },
                        "pb:pacticipant-branch-version": {
                            "href": "/pacticipants/{pacticipant}/branches/{branch}"
                            "/versions/{version}"
                        },
                        "pb:pacticipant-version-tag": {
                            "href": "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}"
                        },
                    }
                },
            ),
        )
        pacts = []
        for name, contract, pending in (("web", web, False), ("mobile", mobile, True)):
            results = f"/results/{name}"
            server.on(
                "GET", f"/pacts/{name}", Answer(200, _pact_document(contract, url + results, "1"))
            )
            server.on("POST", results, Answer(201, {"_links": {"self": {"href": url + results}}}))
            pacts.append(
                {
                    "verificationProperties": {
                        "pending": pending,
                        "notices": [{"when": "before_verification", "text": f"{name} notice"}],
                    },
                    "_links": {"self": {"href": f"{url}/pacts/{name}"}},
                }
            )
        server.on(
            "POST",
            f"/pacts/provider/{provider}/for-verification",
            Answer(200, {"_embedded": {"pacts": pacts}}),
        )
        server.on("PUT", f"/pacticipants/{provider}/branches/main/versions/p1", Answer(200, {}))
        server.on("PUT", f"/pacticipants/{provider}/versions/p1/tags/prod", Answer(200, {}))

        options: dict[str, Any] = {
            "provider": provider,
            "consumer_version_selectors": [{"mainBranch": True}, {"deployedOrReleased": True}],
            "include_pending": True,
            "include_wip_pacts_since": "2026-01-01",
            "app": orders_app,
            "provider_version": "p1",
            "provider_branch": "main",
            "provider_tags": ["prod"],
            "build_url": "https://ci.example/7",
            "publish_results": True,
        }
        if configured:
            monkeypatch.setenv("PACT_BROKER_BASE_URL", url)
            monkeypatch.setenv("PACTDSL_BROKER_RETRIES", "0")
            result = verify_provider(broker=True, **options)
        else:
            with PactBrokerClient(url, retries=0) as client:
                result = verify_provider(broker=client, **options)
    finally:
        server.close()

    assert result.success  # mobile fails, but its pact is pending
    [asked] = [s.body for s in server.seen if s.path.endswith("/for-verification")]
    assert asked == {
        "consumerVersionSelectors": [{"mainBranch": True}, {"deployedOrReleased": True}],
        "includePendingStatus": True,
        "includeWipPactsSince": "2026-01-01",
        "providerVersionBranch": "main",
        "providerVersionTags": ["prod"],
    }
    posted = {s.path: s.body for s in server.seen if s.path.startswith("/results/")}
    assert {path: body["success"] for path, body in posted.items()} == {
        "/results/web": True,
        "/results/mobile": False,
    }
    assert {body["buildUrl"] for body in posted.values()} == {"https://ci.example/7"}
    assert {body["providerApplicationVersion"] for body in posted.values()} == {"p1"}
    puts = [s.path for s in server.seen if s.method == "PUT"]
    assert f"/pacticipants/{provider}/branches/main/versions/p1" in puts
    assert f"/pacticipants/{provider}/versions/p1/tags/prod" in puts
    assert any(n.endswith("web notice") for n in result.notices)
    assert any("mobile notice" in n for n in result.notices)
    assert json.dumps(verification_report_json(result))  # the report stays JSON-able
