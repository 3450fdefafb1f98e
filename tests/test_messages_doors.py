"""Messages through every door: publish, the CLI, the pytest plugin, Kafka-style metadata."""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pactdsl import define_contract, interaction, message, verify_provider
from pactdsl._dsl import Contract
from pactdsl._errors import PactSpecError
from pactdsl.broker import LocalBroker, publish
from pactdsl.match import integer


def _mixed(token: str) -> Contract:
    return define_contract(
        f"mixed_{token}",
        consumer=f"shop-{token}",
        provider=f"orders-{token}",
        interactions=[
            interaction("get order").request(method="GET", path="/orders/1").responds(200),
            message("an order created event").with_content({"id": 1}),
        ],
    )


@pytest.mark.usefixtures("clean_registry")
def test_publishing_a_mixed_contract_writes_v4_and_says_so(tmp_path: Path) -> None:
    """publish() of HTTP + messages chooses Pact 4.0 (with a notice); spec= can insist on V3."""
    mixed = _mixed(uuid.uuid4().hex[:8])
    with LocalBroker(tmp_path / "b.db") as broker:
        published = publish(mixed, "1.0", broker=broker)
        assert "as Pact 4.0: Pact 3.0.0 cannot hold it" in published.notices[0]
        with sqlite3.connect(tmp_path / "b.db") as conn:
            [row] = conn.execute("SELECT content FROM pact_contents").fetchall()
        assert json.loads(row[0])["metadata"]["pactSpecification"]["version"] == "4.0"
        with pytest.raises(PactSpecError, match="cannot mix HTTP interactions"):
            publish(mixed, "1.1", broker=broker, spec="3.0.0")


def _message_endpoint(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """A provider's message proxy: POST {description, providerStates} answers the message."""
    asked = json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
    if environ["PATH_INFO"] != "/_pact/messages" or asked["description"] != "order created":
        start_response("404 Not Found", [])
        return [b""]
    order_id = asked["providerStates"][0]["params"]["id"]
    metadata = base64.b64encode(json.dumps({"topic": "orders"}).encode()).decode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Pact-Message-Metadata", metadata)]
    )
    return [json.dumps({"id": order_id}).encode()]


@pytest.mark.usefixtures("clean_registry")
def test_the_message_proxy_url_verifies_messages_and_their_metadata() -> None:
    """messages_url='/_pact/messages' asks the app for each message; metadata comes base64."""
    events = define_contract(
        f"events_{uuid.uuid4().hex[:8]}",
        consumer="billing",
        provider="orders",
        interactions=[
            message("order created")
            .given("an order", id=7)
            .with_content({"id": integer(7)}, metadata={"topic": "orders"}),
            message("order paid").with_content({"id": 1}),
        ],
    )
    result = verify_provider(events, app=_message_endpoint, messages_url="/_pact/messages")
    assert [(e.description, e.status) for e in result.entries] == [
        ("order created", "passed"),
        ("order paid", "error"),
    ]
    [error] = result.errors
    assert "messages_url='/_pact/messages' for 'order paid' answered status 404" in error.message
    wrong = define_contract(
        f"events_{uuid.uuid4().hex[:8]}",
        consumer="billing",
        provider="orders",
        interactions=[
            message("order created")
            .given("an order", id=7)
            .with_content({"id": 7}, metadata={"topic": "payments"})
        ],
    )
    failed = verify_provider(wrong, app=_message_endpoint, messages_url="/_pact/messages")
    assert [m.path for m in failed.failed[0].mismatches] == ["$.metadata.topic"]
