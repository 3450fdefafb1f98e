"""Mock provider options: CORS for browser clients, and the address a real server listens on."""

from __future__ import annotations

import http.client
import json
import socket
import uuid
from typing import Any

import httpx
import pytest

from pactdsl import Contract, define_contract, interaction
from pactdsl._mock import (
    MockServerError,
    UnexpectedRequest,
    create_mock_provider,
    mock_provider,
)
from pactdsl.match import integer

ORIGIN = "http://app.example.test:3000"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-trace-id",
}


def _contract(*extra: Any) -> Contract:
    return define_contract(
        f"cors-{uuid.uuid4().hex[:8]}",
        consumer="browser-app",
        provider="cors-api",
        interactions=[
            interaction("create item")
            .request(method="POST", path="/items", body={"name": "lamp"})
            .responds(status=201, headers={"Location": "/items/7"}, body={"id": integer(7)}),
            *extra,
        ],
    )


def _send(
    url: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request over a real socket with the standard library (no httpx)."""
    host, _, port = url.removeprefix("http://").rpartition(":")
    connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def _create(url: str, origin: str | None = ORIGIN) -> tuple[int, http.client.HTTPMessage, bytes]:
    headers = {"Content-Type": "application/json", "X-Trace-Id": "t1"}
    if origin:
        headers["Origin"] = origin
    return _send(url, "POST", "/items", headers, json.dumps({"name": "lamp"}).encode())


def test_preflight_is_answered_and_not_recorded_on_a_real_port() -> None:
    """With cors=True a browser's preflight gets 204 with the allowances it asked for."""
    with mock_provider(_contract(), port=0, cors=True) as mock:
        status, headers, body = _send(mock.url, "OPTIONS", "/items", PREFLIGHT)
        assert (status, body) == (204, b"")
        assert headers["Access-Control-Allow-Origin"] == ORIGIN
        assert headers["Access-Control-Allow-Credentials"] == "true"
        assert "POST" in headers["Access-Control-Allow-Methods"]
        assert headers["Access-Control-Allow-Headers"] == "content-type, x-trace-id"
        created = _create(mock.url)
        assert len(mock.calls) == 1
    assert created[0] == 201
    assert created[1]["Access-Control-Allow-Origin"] == ORIGIN
    assert "Location" in created[1]["Access-Control-Expose-Headers"]
    assert mock.verify() == (True, [])


def test_preflight_without_origin_allows_any_origin_and_header() -> None:
    """A preflight without Origin or asked headers is allowed with '*'."""
    with mock_provider(_contract(), port=0, cors=True) as mock:
        status, headers, _ = _send(
            mock.url, "OPTIONS", "/anything", {"Access-Control-Request-Method": "GET"}
        )
        created = _create(mock.url, origin=None)
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Headers"] == "*"
    assert "Access-Control-Allow-Credentials" not in headers
    assert created[1]["Access-Control-Allow-Origin"] == "*"


def _served(contract: Contract, cors: bool, *requests: tuple[str, dict[str, str]]) -> Any:
    """Start a real-port mock, send each (method, headers) to /items, then the create."""
    mock = create_mock_provider(contract, port=0, cors=cors).start()
    try:
        answers = [_send(mock.url, method, "/items", headers) for method, headers in requests]
        _create(mock.url)
    finally:
        mock.stop()
    return mock, answers


def test_without_cors_a_preflight_is_an_unexpected_request() -> None:
    """By default a preflight is a request like any other: 404, and a problem on verify."""
    mock, [(status, headers, _)] = _served(_contract(), False, ("OPTIONS", PREFLIGHT))
    assert status == 404
    assert "Access-Control-Allow-Origin" not in headers
    ok, [problem] = mock.verify()
    assert not ok
    assert isinstance(problem, UnexpectedRequest)
    assert problem.method == "OPTIONS"


def test_plain_options_request_is_still_unexpected_with_cors() -> None:
    """An OPTIONS request that is not a preflight (no Access-Control-Request-Method) is checked."""
    mock, [(status, headers, _)] = _served(_contract(), True, ("OPTIONS", {"Origin": ORIGIN}))
    assert status == 404
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    ok, [problem] = mock.verify()
    assert not ok
    assert isinstance(problem, UnexpectedRequest)
    assert problem.method == "OPTIONS"


def test_an_options_interaction_in_the_contract_is_served_as_written() -> None:
    """A preflight that matches an interaction gets that interaction's response, recorded."""
    options = (
        interaction("preflight items")
        .request(method="OPTIONS", path="/items")
        .responds(status=200, headers={"Allow": "POST"})
    )
    with mock_provider(_contract(options), port=0, cors=True) as mock:
        status, headers, _ = _send(mock.url, "OPTIONS", "/items", PREFLIGHT)
        _create(mock.url)
    assert (status, headers["Allow"]) == (200, "POST")
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert [c.interaction.description for c in mock.calls if c.interaction] == [
        "preflight items",
        "create item",
    ]


def test_the_contracts_own_allow_origin_header_wins() -> None:
    """A response that already has Access-Control-Allow-Origin is sent unchanged."""
    own = (
        interaction("get config")
        .request(method="GET", path="/config")
        .responds(status=200, headers={"Access-Control-Allow-Origin": "https://only.test"})
    )
    with mock_provider(_contract(own), port=0, cors=True, interactions="get config") as mock:
        status, headers, _ = _send(mock.url, "GET", "/config", {"Origin": ORIGIN})
    assert status == 200
    assert headers.get_all("Access-Control-Allow-Origin") == ["https://only.test"]


def test_cors_in_process_for_httpx_clients() -> None:
    """In-process (no port) the preflight is answered and responses allow the origin too."""
    with mock_provider(_contract(), cors=True) as mock:
        preflight = httpx.options(f"{mock.url}/items", headers=PREFLIGHT)
        created = httpx.post(f"{mock.url}/items", json={"name": "lamp"}, headers={"Origin": ORIGIN})
        assert len(mock.calls) == 1
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-headers"] == "content-type, x-trace-id"
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == ORIGIN


def test_decorator_keeps_cors() -> None:
    """A mock used as a decorator makes fresh mocks with the same cors option."""
    seen: list[int] = []

    @mock_provider(_contract(), cors=True)
    def check(pact_mock: Any) -> None:
        seen.append(httpx.options(f"{pact_mock.url}/items", headers=PREFLIGHT).status_code)
        httpx.post(f"{pact_mock.url}/items", json={"name": "lamp"})

    check()
    assert seen == [204]


def _refused(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(5)
        return probe.connect_ex((host, port)) != 0


def test_host_all_interfaces_is_reachable_on_other_addresses_and_url_says_loopback() -> None:
    """host='0.0.0.0' listens on every interface; the URL still names 127.0.0.1."""
    with mock_provider(_contract(), port=0, host="0.0.0.0") as mock:
        port = int(mock.url.rpartition(":")[2])
        assert mock.url == f"http://127.0.0.1:{port}"
        # 127.0.0.2 is loopback too, but only a wildcard listener answers there.
        created = _create(f"http://127.0.0.2:{port}")
    assert created[0] == 201


def test_default_host_listens_on_127_0_0_1_only() -> None:
    """By default the real server is not reachable on another address than 127.0.0.1."""
    mock = create_mock_provider(_contract(), port=0).start()
    try:
        port = int(mock.url.rpartition(":")[2])
        assert _refused("127.0.0.2", port)
        assert not _refused("127.0.0.1", port)
    finally:
        mock.stop()


def test_url_of_wildcard_hosts_before_start() -> None:
    """The URL of a fixed port names a reachable address for wildcard hosts, as given otherwise."""
    pact = _contract()
    assert create_mock_provider(pact, port=8123, host="0.0.0.0").url == "http://127.0.0.1:8123"
    assert create_mock_provider(pact, port=8123, host="::").url == "http://[::1]:8123"
    assert create_mock_provider(pact, port=8123, host="").url == "http://127.0.0.1:8123"
    assert create_mock_provider(pact, port=8123, host="localhost").url == "http://localhost:8123"


def test_unresolvable_host_fails_with_its_name() -> None:
    """A host that cannot be bound raises MockServerError naming it."""
    mock = create_mock_provider(_contract(), port=0, host="no-such-host.invalid")
    with pytest.raises(MockServerError, match=r"host='no-such-host\.invalid'"):
        mock.start()
    assert not mock.is_running
