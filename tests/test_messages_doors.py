"""Messages through every door: publish, the CLI, the pytest plugin, Kafka-style metadata."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from pactdsl import define_contract, interaction, message
from pactdsl._dsl import Contract
from pactdsl._errors import PactSpecError
from pactdsl.broker import LocalBroker, publish


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
