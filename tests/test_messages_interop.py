"""Interop: message pacts written by pact-python 4.x load in pactdsl and verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pact import Pact as PactPython
from pact import Verifier as PactPythonVerifier
from pact import match as pp_match
from pact.types import Message as PactPythonMessage

from pactdsl import define_contract, generate_pact, load_pact
from pactdsl._message_consumer import verify_message_consumer
from pactdsl._messages import message
from pactdsl._model import Message, SynchronousMessage
from pactdsl._verify._verifier import verify_provider
from pactdsl.match import integer, like


def _write_with_pact_python(folder: Path, spec: str, consumer: str) -> Path:
    """Declare an order-created event with pact-python and write its pact file."""
    pact = PactPython(consumer, "order-service").with_specification(spec)
    (
        pact.upon_receiving("an order created event", "Async")
        .given("an order exists", id=5)
        .with_body(
            {
                "orderId": pp_match.int(123),
                "status": pp_match.regex("created", regex="created|paid"),
                "items": pp_match.each_like({"sku": pp_match.str("A1")}),
            },
            "application/json",
        )
        .with_metadata({"topic": "orders", "kind": pp_match.str("event")})
    )
    if spec == "V4":
        (
            pact.upon_receiving("an order query", "Sync")
            .with_body(json.dumps({"id": 1}), "application/json", part="Request")
            .with_body({"id": pp_match.int(1)}, "application/json", part="Response")
        )
    handled: list[Any] = []
    pact.verify(lambda body, metadata: handled.append((body, metadata)), "Async")
    assert len(handled) == 1  # pact-python's own consumer check ran
    pact.write_file(folder, overwrite=True)
    return folder / f"{consumer}-order-service.json"


def _producer() -> tuple[dict[str, Any], dict[str, Any]]:
    body = {"orderId": 900, "status": "paid", "items": [{"sku": "Z9"}, {"sku": "Q1"}]}
    return body, {"topic": "orders", "kind": "notification"}


@pytest.mark.parametrize("spec", ["V3", "V4"])
def test_pact_python_message_pact_loads_and_verifies(tmp_path: Path, spec: str) -> None:
    """A pact-python message pact loads, feeds a consumer handler, and verifies producers."""
    path = _write_with_pact_python(tmp_path, spec, f"billing-interop-{spec.lower()}")
    raw = json.loads(path.read_text("utf-8"))
    assert ("messages" in raw) == (spec == "V3")
    pact = load_pact(path)
    event = pact.interactions[0]
    assert isinstance(event, Message)
    assert event.contents is not None
    assert event.contents.content["orderId"] == 123
    assert event.metadata["topic"] == "orders"
    assert set(event.matching_rules["metadata"]) == {"kind"}
    assert event.provider_states[0].params == {"id": 5}
    if spec == "V4":
        query = pact.interactions[1]
        assert isinstance(query, SynchronousMessage)
        assert query.request.contents is not None
        assert query.request.contents.content == {"id": 1}

    received: list[Any] = []
    consumer = verify_message_consumer(pact, lambda contents, md: received.append(contents))
    assert consumer.success
    assert received[0] == {"items": [{"sku": "A1"}], "orderId": 123, "status": "created"}

    producers: dict[str, Any] = {
        "an order created event": _producer,
        "an order query": lambda request: {"id": request["id"] + 41},
    }
    passing = verify_provider(path, message_producers=producers)
    assert passing.success, passing
    assert passing.total == (2 if spec == "V4" else 1)

    def wrong_event() -> tuple[dict[str, Any], dict[str, Any]]:
        return {"orderId": 900.5, "status": "void", "items": []}, {"topic": "orders"}

    failing = verify_provider(
        path, message_producers={**producers, "an order created event": wrong_event}
    )
    assert not failing.success
    (failed,) = failing.failed
    # pact-python's each_like writes no `min`, so the empty `items` array is allowed.
    assert sorted(m.path for m in failed.mismatches) == [
        "$.body.orderId",
        "$.body.status",
        "$.metadata.kind",
    ]


# pact-python's in-process message server leaves its sockets open (its bug, not ours).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("spec", ["3.0.0", "4.0"])
def test_pact_python_verifies_a_pactdsl_message_pact(tmp_path: Path, spec: str) -> None:
    """pact-python's verifier accepts a pactdsl message pact: a good message passes, a bad fails."""
    made = define_contract(
        f"msg-interop-back-{spec}",
        consumer=f"billing-back-{spec}",
        provider="order-service",
        interactions=[
            message("an order created event")
            .given("an order exists", id=1)
            .with_content({"orderId": integer(1)}, metadata={"topic": like("orders")})
        ],
    )
    path = generate_pact(made, tmp_path, spec=spec)

    def verify_with_pact_python(body: dict[str, Any]) -> None:
        produced: PactPythonMessage = {
            "contents": json.dumps(body).encode(),
            "metadata": {"topic": "orders"},
            "content_type": "application/json",
        }
        verifier = PactPythonVerifier("order-service")
        verifier.message_handler({"an order created event": produced}).add_source(path)
        verifier.verify()

    verify_with_pact_python({"orderId": 5})
    with pytest.raises(RuntimeError, match="Failed to execute verifier"):
        verify_with_pact_python({"orderId": "five"})
