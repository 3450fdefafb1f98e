"""A pact a broker selects that pactdsl cannot read: an error of that pact, the others verified.

Another team's tool (or an older pactdsl) may have published a pact pactdsl refuses
to read, e.g. a date rule with the format ``DDDD``. It must fail that pact, be
published as failed, and leave every other pact verified; never a crash of the
whole run, never "nothing to verify".
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from pactdsl import PactSpec, define_contract, interaction, verify_provider
from pactdsl._dsl import Contract
from pactdsl._pactfile import pact_to_json
from pactdsl.broker import LocalBroker, PactBrokerClient, publish
from tests._broker_server import Answer, ScriptedBroker


def orders_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The provider: order 1 is open."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"id": 1, "status": "open"}']


def _contract(consumer: str, provider: str) -> Contract:
    return define_contract(
        f"{consumer}_contract",
        consumer=consumer,
        provider=provider,
        interactions=[
            interaction("get order")
            .request(method="GET", path="/orders/1")
            .responds(status=200, body={"id": 1, "status": "open"})
        ],
    )


def _unreadable(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with a date rule whose format no reader of pactdsl accepts."""
    response = document["interactions"][0]["response"]
    response["matchingRules"] = {
        "body": {"$.status": {"matchers": [{"match": "date", "format": "DDDD"}]}}
    }
    return document


def _scripted(provider: str, web: Contract, mobile: Contract, *, pending: bool) -> ScriptedBroker:
    """A Pact Broker selecting web's pact (readable) and mobile's (not)."""
    server = ScriptedBroker()
    url = server.url
    href = url + "/pacts/provider/{provider}/for-verification"
    server.on(
        "GET", "/", Answer(200, {"_links": {"pb:provider-pacts-for-verification": {"href": href}}})
    )
    selected = []
    for name, contract in (("web", web), ("mobile", mobile)):
        document = pact_to_json(contract.pact, PactSpec.V3, {})
        if name == "mobile":
            document = _unreadable(document)
        document["_links"] = {
            "pb:publish-verification-results": {"href": f"{url}/results/{name}"},
            "pb:consumer-version": {"name": "1.0.0"},
        }
        server.on("GET", f"/pacts/{name}", Answer(200, document))
        server.on("POST", f"/results/{name}", Answer(201, {"_links": {}}))
        selected.append(
            {
                "verificationProperties": {"pending": pending and name == "mobile"},
                "_links": {"self": {"href": f"{url}/pacts/{name}"}},
            }
        )
    server.on(
        "POST",
        f"/pacts/provider/{provider}/for-verification",
        Answer(200, {"_embedded": {"pacts": selected}}),
    )
    return server


@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize("pending", [False, True], ids=["current", "pending"])
def test_an_unreadable_pact_from_a_pact_broker_fails_only_itself(pending: bool) -> None:
    """The unreadable pact is one error (published as failed); the readable one passes."""
    token = uuid.uuid4().hex[:8]
    provider = f"orders-{token}"
    web, mobile = _contract(f"web-{token}", provider), _contract(f"mobile-{token}", provider)
    server = _scripted(provider, web, mobile, pending=pending)
    try:
        with PactBrokerClient(server.url, retries=0) as client:
            result = verify_provider(
                broker=client,
                provider=provider,
                app=orders_app,
                provider_version="p1",
                publish_results=True,
            )
    finally:
        server.close()
    assert [entry.consumer for entry in result.passed] == [f"web-{token}"]
    [error] = result.errors
    assert error.phase == "pact"
    assert error.consumer == f"mobile-{token}"
    assert "DDDD" in error.message
    assert "cannot be read" in error.message
    assert result.success is pending  # a pending pact's error does not fail the build
    posted = {s.path: s.body["success"] for s in server.seen if s.path.startswith("/results/")}
    assert posted == {"/results/web": True, "/results/mobile": False}


@pytest.mark.usefixtures("clean_registry")
def test_an_unreadable_pact_in_the_local_broker_fails_only_itself(tmp_path: Path) -> None:
    """A stored pact that no longer reads (an older pactdsl wrote it) is an error of its own."""
    token = uuid.uuid4().hex[:8]
    provider = f"orders-{token}"
    web, mobile = _contract(f"web-{token}", provider), _contract(f"mobile-{token}", provider)
    database = tmp_path / "broker.db"
    with LocalBroker(database) as broker:
        publish(web, "1.0.0", branch="main", broker=broker)
        publish(mobile, "2.0.0", branch="main", broker=broker)
    with sqlite3.connect(database) as connection:
        for row_id, content in connection.execute("SELECT id, content FROM pact_contents"):
            if f"mobile-{token}" in content:
                bad = json.dumps(_unreadable(json.loads(content)))
                connection.execute(
                    "UPDATE pact_contents SET content = ? WHERE id = ?", (bad, row_id)
                )
    connection.close()
    with LocalBroker(database) as broker:
        result = verify_provider(broker=broker, provider=provider, app=orders_app)
    assert not result.success
    assert [entry.consumer for entry in result.passed] == [f"web-{token}"]
    [error] = result.errors
    assert error.consumer == f"mobile-{token}"
    assert error.phase == "pact"
    assert "DDDD" in error.message


pytest_plugins = ["pytester"]


def test_the_pytest_plugin_fails_an_item_for_an_unreadable_pact(
    pytester: pytest.Pytester, tmp_path: Path, clean_registry: None
) -> None:
    """With pact_verification(broker=...), an unreadable pact is a failing item, not no items."""
    token = uuid.uuid4().hex[:8]
    provider = f"orders-{token}"
    database = tmp_path / "broker.db"
    with LocalBroker(database) as broker:
        publish(_contract(f"mobile-{token}", provider), "2.0.0", branch="main", broker=broker)
    with sqlite3.connect(database) as connection:
        [(row_id, content)] = connection.execute("SELECT id, content FROM pact_contents")
        bad = json.dumps(_unreadable(json.loads(content)))
        connection.execute("UPDATE pact_contents SET content = ? WHERE id = ?", (bad, row_id))
    connection.close()
    pytester.makepyfile(
        f"""
        import pytest

        from pactdsl.broker import LocalBroker


        @pytest.mark.pact_verification(broker=LocalBroker({str(database)!r}), provider={provider!r})
        def test_orders(pact_interaction):
            pact_interaction.verify(app=lambda environ, start_response: [])
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*pact of mobile-* 2.0.0 cannot be read*DDDD*"])
