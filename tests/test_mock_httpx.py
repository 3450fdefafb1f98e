"""The in-process mock's patch of httpx: what it leaves as it was, and respx beside it."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import httpx
import pytest
import respx

from pactdsl import Contract, define_contract, interaction
from pactdsl._mock import mock_provider

HTTPX_METHODS = ("_send_single_request", "_transport_for_url")


def _contract() -> Contract:
    return define_contract(
        f"httpx-door-{uuid.uuid4().hex[:8]}",
        consumer="web",
        provider="users",
        interactions=[
            interaction("get user")
            .request(method="GET", path="/users/1")
            .responds(status=200, headers={"Set-Cookie": "seen=1"}, body={"id": 1}),
        ],
    )


def _httpx_methods() -> dict[str, Any]:
    return {
        f"{cls.__name__}.{name}": vars(cls)[name]
        for cls in (httpx.Client, httpx.AsyncClient)
        for name in HTTPX_METHODS
    }


@pytest.fixture
def untouched_httpx() -> Any:
    """Asserts after the test that httpx's client methods are the ones it started with."""
    before = _httpx_methods()
    yield
    assert _httpx_methods() == before


@pytest.mark.usefixtures("untouched_httpx")
def test_mock_responses_carry_what_httpx_adds_around_a_transport() -> None:
    """A mock's response has its request, its elapsed time, and sets the client's cookies."""
    with mock_provider(_contract()) as mock, httpx.Client() as client:
        response = client.get(f"{mock.url}/users/1")
        assert response.request.url == f"{mock.url}/users/1"
        assert response.elapsed.total_seconds() >= 0
        assert client.cookies["seen"] == "1"


@pytest.mark.usefixtures("untouched_httpx")
def test_httpx_is_patched_only_while_a_mock_runs() -> None:
    """Starting a mock patches httpx's clients; stopping the last one restores them."""
    before = _httpx_methods()
    with mock_provider(_contract()) as first:
        assert _httpx_methods() != before
        with mock_provider(_contract()) as second:
            assert httpx.get(f"{second.url}/users/1").status_code == 200
        assert httpx.get(f"{first.url}/users/1").status_code == 200
    assert _httpx_methods() == before


@pytest.mark.usefixtures("untouched_httpx")
def test_mocks_started_and_stopped_from_many_threads_leave_httpx_unpatched() -> None:
    """Eight threads each starting, using and stopping mocks at once all get answers."""
    contract = _contract()
    failures: list[str] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(10):
            with mock_provider(contract) as mock:
                status = httpx.get(f"{mock.url}/users/1").status_code
                if status != 200:
                    failures.append(f"{mock.url}: {status}")

    pool = [threading.Thread(target=worker) for _ in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert failures == []


@pytest.mark.usefixtures("untouched_httpx")
def test_respx_started_first_and_stopped_first_leaves_the_mock_answering() -> None:
    """A respx mock (using="httpx") started before the mock and stopped first undoes nothing."""
    router = respx.mock(using="httpx")
    router.get("http://elsewhere.test/ping").respond(204)
    router.start()
    try:
        mock = mock_provider(_contract()).start()
        assert httpx.get("http://elsewhere.test/ping").status_code == 204
    finally:
        router.stop()
    try:
        assert httpx.get(f"{mock.url}/users/1").json() == {"id": 1}
    finally:
        mock.stop()
    assert len(mock.calls) == 1


@pytest.mark.usefixtures("untouched_httpx")
def test_respx_started_after_the_mock_and_stopped_last_keeps_its_routes() -> None:
    """A respx mock (using="httpx") started inside a running mock outlives it, routes intact."""
    mock = mock_provider(_contract()).start()
    try:
        router = respx.mock(using="httpx")
        router.get("http://elsewhere.test/ping").respond(204)
        router.start()
        assert httpx.get(f"{mock.url}/users/1").status_code == 200
    finally:
        mock.stop()
    try:
        assert httpx.get("http://elsewhere.test/ping").status_code == 204
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get(f"{mock.url}/users/1")
    finally:
        router.stop()


@pytest.mark.usefixtures("untouched_httpx")
def test_a_respx_catch_all_route_does_not_take_the_mocks_host() -> None:
    """A respx route matching every URL answers other hosts; the mock's host stays the mock's."""
    with (
        respx.mock(using="httpx") as router,
        mock_provider(_contract(), interactions="get user") as mock,
    ):
        router.route().respond(418)
        assert httpx.get("http://elsewhere.test/").status_code == 418
        assert httpx.get(f"{mock.url}/users/1").status_code == 200


@pytest.mark.usefixtures("untouched_httpx")
def test_respx_default_httpcore_mock_and_the_mock_serve_sync_and_async() -> None:
    """A respx mock of httpcore (its default) and the mock answer their hosts, sync and async."""

    async def both(mock_url: str) -> tuple[int, int]:
        async with httpx.AsyncClient() as client:
            ping = await client.get("http://elsewhere.test/ping")
            user = await client.get(f"{mock_url}/users/1")
        return ping.status_code, user.status_code

    with respx.mock() as router, mock_provider(_contract()) as mock:
        router.get("http://elsewhere.test/ping").respond(204)
        assert httpx.get("http://elsewhere.test/ping").status_code == 204
        assert httpx.get(f"{mock.url}/users/1").status_code == 200
        assert asyncio.run(both(mock.url)) == (204, 200)
    assert len(mock.calls) == 2
