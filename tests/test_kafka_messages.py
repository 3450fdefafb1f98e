"""Kafka realism: nested metadata with matchers inside, bytes headers, non-JSON payloads."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from pactdsl import (
    define_contract,
    format_verification_report,
    generate_pact,
    message,
    verify_message_consumer,
    verify_provider,
)
from pactdsl._dsl import Contract
from pactdsl.match import integer, regex


def _events() -> Contract:
    return define_contract(
        f"kafka_{uuid.uuid4().hex[:8]}",
        consumer="billing",
        provider="orders",
        interactions=[
            message("order created").with_content(
                {"orderId": integer(1)},
                metadata={
                    "topic": "orders",
                    "kafka_headers": {
                        "traceId": regex(r"^[0-9a-f]{8}$", "0a1b2c3d"),
                        "schema": "order.v1",
                    },
                },
            ),
            message("order as text").with_content("order 1 created", content_type="text/plain"),
            message("order as bytes").with_content(
                b"\x00\x01\xff", content_type="application/octet-stream"
            ),
        ],
    )


def _good(trace: bytes = b"deadbeef") -> dict[str, Any]:
    """Producers as a Kafka client hands messages over: bytes keys, bytes header values."""
    return {
        "order created": lambda: (
            {"orderId": 7},
            {"topic": "orders", "kafka_headers": [(b"traceId", trace), ("schema", b"order.v1")]},
        ),
        "order as text": lambda: "order 1 created",
        "order as bytes": lambda: b"\x00\x01\xff",
    }


@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize("spec", ["3.0.0", "4.0", None], ids=["V3 file", "V4 file", "contract"])
def test_producers_are_checked_with_nested_header_matchers_and_bytes(
    spec: str | None, tmp_path: Path
) -> None:
    """A nested header matcher, bytes headers, text and bytes payloads verify, V3 and V4."""
    events = _events()
    source: Any = events if spec is None else generate_pact(events, tmp_path, spec=spec)
    passed = verify_provider(source, message_producers=_good())
    assert passed.success, format_verification_report(passed)
    wrong = verify_provider(
        source,
        message_producers={
            **_good(trace=b"NOT-HEX!"),
            "order as text": lambda: "order 2 created",
            "order as bytes": lambda: b"\x00\x02",
        },
    )
    paths = {e.description: [m.path for m in e.mismatches] for e in wrong.failed}
    assert paths == {
        "order created": ["$.metadata.kafka_headers.traceId"],
        "order as text": ["$.body"],
        "order as bytes": ["$.body"],
    }


@pytest.mark.usefixtures("clean_registry")
def test_nested_metadata_rules_are_written_by_rule_path(tmp_path: Path) -> None:
    """The header matcher is keyed $.kafka_headers.traceId in the file, V3 and V4 alike."""
    events = _events()
    for spec in ("3.0.0", "4.0"):
        document = json.loads(generate_pact(events, tmp_path / spec, spec=spec).read_text())
        items = document.get("messages") or document["interactions"]
        rules = items[0]["matchingRules"]["metadata"]
        assert set(rules) == {"$.kafka_headers.traceId"}


@pytest.mark.usefixtures("clean_registry")
def test_the_consumer_gets_nested_headers_text_and_bytes() -> None:
    """The consumer's handler gets the nested header map, text as str and bytes as bytes."""
    seen: list[Any] = []
    verify_message_consumer(
        _events(), lambda contents, metadata: seen.append((contents, metadata))
    ).raise_for_failures()
    assert seen[0][1]["kafka_headers"] == {"traceId": "0a1b2c3d", "schema": "order.v1"}
    assert seen[1][0] == "order 1 created"
    assert seen[2][0] == b"\x00\x01\xff"
