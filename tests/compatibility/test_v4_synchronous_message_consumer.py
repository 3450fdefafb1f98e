"""V4/synchronous_message_consumer.feature: sync messages declared, handled, written."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import scenarios, then

from tests.compatibility import _suite
from tests.compatibility._world import (
    World,
    message_content_type,
    message_contents,
    pact_items,
    step_re,
)

if _suite.suite_present():
    scenarios(_suite.feature_path("V4/synchronous_message_consumer.feature"))
else:
    test_compatibility_suite_is_present = _suite.test_compatibility_suite_is_present


@pytest.fixture
def version() -> str:
    """The feature's spec version."""
    return "V4"


_ORDINALS = {"first": 0, "second": 1}


def _sync_json(world: World) -> dict[str, Any]:
    item: dict[str, Any] = pact_items(world)[0]
    assert item["type"] == "Synchronous/Messages", item
    return item


@then(
    step_re(
        r"the first interaction in the pact file will contain the {name} document as the request"
    )
)
def request_document(world: World, name: str) -> None:
    expected = _suite.parse_body(name)
    assert expected is not None
    assert message_contents(_sync_json(world)["request"]) == expected.content()


@then(
    step_re(
        r"the first interaction in the pact file will contain the {name} document as"
        r" (?:a response|the (?P<ordinal>first|second) response message)"
    )
)
def response_document(world: World, name: str, ordinal: str | None) -> None:
    expected = _suite.parse_body(name)
    assert expected is not None
    response = _sync_json(world)["response"][_ORDINALS[ordinal or "first"]]
    assert message_contents(response) == expected.content()


@then(
    step_re(
        r"the first interaction in the pact file (?P<side>request|response) content type will"
        r" be {content_type}"
    )
)
def part_content_type(world: World, side: str, content_type: str) -> None:
    item = _sync_json(world)
    part = item["request"] if side == "request" else item["response"][0]
    assert message_content_type(part) == content_type


@then(
    step_re(r"the first interaction in the pact file will contain (?P<count>\d+) response messages")
)
def response_count(world: World, count: str) -> None:
    assert len(_sync_json(world)["response"]) == int(count)
