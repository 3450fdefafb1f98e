"""The mock provider's report: one bullet per problem, sub-items one level deeper, hints."""

from __future__ import annotations

import uuid

import httpx
import pytest

from pactdsl import Contract, define_contract, interaction
from pactdsl._mock import MockMismatchError, MockProvider, mock_provider

_HINT = (
    "  Hint: no request reached the mock. In-process (port=None) it answers only httpx "
    "clients; for requests, urllib, aiohttp or another process, start it with port=0 and "
    "send to mock.url"
)


def _orders(count: int = 2) -> Contract:
    return define_contract(
        f"mock-report-{uuid.uuid4().hex[:8]}",
        consumer="shop",
        provider="orders",
        interactions=[
            interaction(f"get order {n}")
            .request(method="GET", path=f"/orders/{n}")
            .responds(status=200, body={"id": n})
            for n in range(count)
        ],
    )


def test_problems_are_bullets_and_near_misses_nest_below_them() -> None:
    """Each problem is a bullet under the heading; a request's near misses nest one level in."""
    mock = mock_provider(_orders())
    with pytest.raises(MockMismatchError) as info, mock:
        assert httpx.post(f"{mock.url}/orders/0").status_code == 404
    assert str(info.value) == "\n".join(
        [
            f"Mock provider for shop -> orders at {mock.url}: 3 problems",
            "  - No interaction matches POST /orders/0 amongst:",
            "    - 'get order 0': expected method 'GET', got 'POST'",
            "    - 'get order 1': expected method 'GET', got 'POST'; "
            "expected path '/orders/1', got '/orders/0'",
            "  - Interaction 'get order 0' was never received: expected GET /orders/0",
            "  - Interaction 'get order 1' was never received: expected GET /orders/1",
        ]
    )
    assert info.value.report == str(info.value)


def test_near_misses_past_the_limit_are_counted_at_the_same_depth() -> None:
    """The "... and N more" line is one of the nested items, not a new level."""
    mock = mock_provider(_orders(7), interactions=[f"get order {n}" for n in range(7)])
    mock.start()
    try:
        assert httpx.get(f"{mock.url}/nope").status_code == 404
        for n in range(7):
            httpx.get(f"{mock.url}/orders/{n}")
    finally:
        mock.stop()
    lines = mock.report().splitlines()
    assert lines[1] == "  - No interaction matches GET /nope amongst:"
    assert [line[:6] for line in lines[2:8]] == ["    - "] * 6
    assert lines[7] == "    - ... and 2 more"
    assert len(lines) == 8


def test_in_process_mock_with_no_request_hints_at_other_clients() -> None:
    """An in-process mock that received nothing says only httpx reaches it and to use port=0."""
    mock = MockProvider(_orders(1))
    with pytest.raises(MockMismatchError) as info, mock:
        pass
    assert str(info.value).splitlines() == [
        f"Mock provider for shop -> orders at {mock.url}: 1 problem",
        "  - Interaction 'get order 0' was never received: expected GET /orders/0",
        _HINT,
    ]


def test_no_hint_once_a_request_arrived() -> None:
    """A request that reached the mock shows httpx works, so no client hint is given."""
    mock = MockProvider(_orders(2))
    with pytest.raises(MockMismatchError) as info, mock:
        assert httpx.get(f"{mock.url}/orders/0").status_code == 200
    assert "Hint:" not in str(info.value)
    assert str(info.value).endswith("was never received: expected GET /orders/1")


def test_no_hint_on_a_real_port() -> None:
    """A mock on a real port takes any client, so an empty run gets no client hint."""
    mock = MockProvider(_orders(1), port=0)
    with pytest.raises(MockMismatchError) as info, mock:
        url = mock.url  # known only while the server runs
    assert url.startswith("http://127.0.0.1:")
    assert str(info.value).splitlines() == [
        f"Mock provider for shop -> orders at {url}: 1 problem",
        "  - Interaction 'get order 0' was never received: expected GET /orders/0",
    ]
