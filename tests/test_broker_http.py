"""The Pact Broker client over real sockets: retries, auth, redaction, and verification results.

A small scripted HTTP server on 127.0.0.1 (`tests/_broker_server.py`) plays the
Pact Broker: each test queues the answers it wants and reads back the requests
the client sent.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pactdsl import Pact, define_contract, interaction
from pactdsl._pactfile import pact_to_json
from pactdsl._verify import verify_provider
from pactdsl.broker import (
    BrokerAuth,
    BrokerHTTPError,
    BrokerUnavailable,
    PactBrokerClient,
    PactConflictError,
    can_i_deploy,
    get_broker,
    pacts_for_verification,
    publish,
    publish_verification_result,
)
from pactdsl.broker._config import split_credentials
from tests._broker_server import Answer, ScriptedBroker

TOKEN = "s3cr3t-t0ken-d0-n0t-leak"


@pytest.fixture
def scripted() -> Iterator[ScriptedBroker]:
    """A scripted broker on a free port, stopped after the test."""
    server = ScriptedBroker()
    yield server
    server.close()


def _client(url: str, **options: Any) -> tuple[PactBrokerClient, list[float]]:
    delays: list[float] = []
    options.setdefault("backoff", 0.01)
    client = PactBrokerClient(url, sleep=delays.append, **options)
    return client, delays


def test_retries_5xx_with_exponential_back_off(scripted: ScriptedBroker) -> None:
    """500 and 503 are retried with doubling delays until the broker answers 200."""
    scripted.on("GET", "/", Answer(500), Answer(503), Answer(200, {"_links": {}}))
    client, delays = _client(scripted.url, retries=3)
    with client:
        assert client.index() == {"_links": {}}
    assert delays == [0.01, 0.02]
    assert len(scripted.seen) == 3


def test_429_honours_retry_after_capped_by_max_delay(scripted: ScriptedBroker) -> None:
    """A 429's Retry-After sets the delay, never beyond max_delay."""
    scripted.on(
        "GET",
        "/",
        Answer(429, headers={"Retry-After": "3"}),
        Answer(429, headers={"Retry-After": "120"}),
        Answer(200, {"_links": {}}),
    )
    client, delays = _client(scripted.url, retries=2, max_delay=60)
    with client:
        client.index()
    assert delays == [3.0, 60.0]


def test_refused_connection_is_retried_then_reported_as_unavailable() -> None:
    """No listener: each retry waits twice as long, then BrokerUnavailable names the attempts."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client, delays = _client(f"http://127.0.0.1:{closed_port}", retries=2)
    with client, pytest.raises(BrokerUnavailable, match="after 3 attempts") as refused:
        client.index()
    assert delays == [0.01, 0.02]
    assert "ConnectError" in str(refused.value)
    assert refused.value.__cause__ is None


def test_answer_that_cannot_be_decoded_is_not_retried(scripted: ScriptedBroker) -> None:
    """A body claiming gzip that is not gzip fails at once: sending again would not help."""
    scripted.on("GET", "/", Answer(200, "plain text", headers={"Content-Encoding": "gzip"}))
    client, delays = _client(scripted.url, retries=3)
    with client, pytest.raises(BrokerUnavailable, match="DecodingError"):
        client.index()
    assert delays == []
    assert len(scripted.seen) == 1


def test_transport_is_refused_by_name_pointing_at_proxy() -> None:
    """transport= (an httpx transport once) raises TypeError naming it and saying to pass proxy=."""
    with pytest.raises(TypeError, match=r"transport='proxy\.example'.*pass proxy="):
        PactBrokerClient("http://127.0.0.1:1", transport="proxy.example")


def test_bearer_token_is_sent_only_to_the_brokers_origin(scripted: ScriptedBroker) -> None:
    """The token goes with requests to the broker, not to another host a link points at."""
    other = ScriptedBroker()
    try:
        other.on("GET", "/pact", Answer(200, {"consumer": {"name": "c"}}))
        scripted.on("GET", "/", Answer(200, {}))
        client, _ = _client(scripted.url, auth=BrokerAuth(token=TOKEN))
        with client:
            client.index()
            client.request("GET", other.url + "/pact")
        assert scripted.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert scripted.seen[0].headers["accept"] == "application/hal+json"
        assert "authorization" not in other.seen[0].headers
    finally:
        other.close()


def test_basic_auth_from_the_environment_and_from_the_url(
    scripted: ScriptedBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PACT_BROKER_USERNAME/PASSWORD, or user:password in the URL, become basic auth."""
    scripted.on("GET", "/", Answer(200, {}))
    monkeypatch.setenv("PACT_BROKER_BASE_URL", scripted.url)
    monkeypatch.setenv("PACT_BROKER_USERNAME", "ci")
    monkeypatch.setenv("PACT_BROKER_PASSWORD", "pa:ss")
    monkeypatch.delenv("PACT_BROKER_TOKEN", raising=False)
    with get_broker() as chosen:
        assert isinstance(chosen, PactBrokerClient)
        chosen.index()
        assert "pa:ss" not in repr(chosen)
    host = scripted.url.removeprefix("http://")
    with PactBrokerClient(f"http://ci:pa%3Ass@{host}") as from_url:
        from_url.index()
        assert from_url.base_url == scripted.url
    expected = "Basic Y2k6cGE6c3M="  # base64 of "ci:pa:ss"
    assert [s.headers["authorization"] for s in scripted.seen] == [expected, expected]


def test_split_credentials_keeps_ipv6_hosts_and_ports() -> None:
    """Credentials are cut from a URL without touching host, port or path."""
    assert split_credentials("https://u:p@[::1]:9292/broker/") == (
        "https://[::1]:9292/broker",
        "u",
        "p",
    )
    assert split_credentials("https://broker.example") == ("https://broker.example", None, None)


def test_token_never_appears_in_errors_logs_or_output(
    scripted: ScriptedBroker,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """PACT_BROKER_TOKEN leaks nowhere: not after 500s, a 401 echoing it, or no connection."""
    monkeypatch.setenv("PACT_BROKER_BASE_URL", scripted.url)
    monkeypatch.setenv("PACT_BROKER_TOKEN", TOKEN)
    monkeypatch.setenv("PACTDSL_BROKER_RETRIES", "2")
    monkeypatch.setenv("PACTDSL_BROKER_BACKOFF", "0.001")
    caplog.set_level(logging.DEBUG, logger="pactdsl.broker")
    scripted.on("GET", "/matrix", Answer(500, {"error": "boom"}))
    texts: list[str] = []

    with pytest.raises(BrokerHTTPError) as server_error:
        can_i_deploy(pacticipant="Foo", version="1.0.0", to_environment="production")
    assert server_error.value.status == 500
    assert len(scripted.seen) == 3  # the first try and two retries
    assert scripted.seen[-1].headers["authorization"] == f"Bearer {TOKEN}"  # it was sent
    texts += [str(server_error.value), repr(server_error.value)]

    # A broker (or proxy) that echoes the request's Authorization header back.
    scripted.on("GET", "/", Answer(401, f"bad credentials: Authorization: Bearer {TOKEN}"))
    with get_broker() as chosen:
        texts.append(repr(chosen))
        with pytest.raises(BrokerHTTPError) as unauthorised:
            chosen.index()  # type: ignore[union-attr]
    assert unauthorised.value.status == 401
    assert "Bearer ***" in str(unauthorised.value)
    assert "PACT_BROKER_TOKEN" in str(unauthorised.value)  # says what to check
    texts += [str(unauthorised.value), repr(unauthorised.value)]

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("PACT_BROKER_BASE_URL", f"http://127.0.0.1:{closed_port}")
    with pytest.raises(BrokerUnavailable) as refused:
        can_i_deploy(pacticipant="Foo", version="1.0.0")
    texts += [str(refused.value), repr(refused.value)]

    captured = capfd.readouterr()
    texts += [caplog.text, captured.out, captured.err]
    texts += [repr(BrokerAuth.from_env()), str(refused.value.__cause__)]
    assert caplog.records  # the client did log its requests
    for text in texts:
        assert TOKEN not in text


def test_conflict_on_publish_is_a_pact_conflict(scripted: ScriptedBroker, tmp_path: Path) -> None:
    """A 409 from pb:publish-contracts raises PactConflictError with the broker's answer."""
    scripted.on(
        "GET",
        "/",
        Answer(200, {"_links": {"pb:publish-contracts": {"href": "/contracts/publish"}}}),
    )
    scripted.on("POST", "/contracts/publish", Answer(409, {"errors": {"contracts": ["changed"]}}))
    pact_file = tmp_path / "c-p.json"
    pact_file.write_text(
        json.dumps({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": []})
    )
    client, _ = _client(scripted.url)
    with client, pytest.raises(PactConflictError, match=r"409.*changed"):
        publish(pact_file, "1.0.0", broker=client)
    sent = scripted.seen[1].body
    assert sent["pacticipantName"] == "c"
    assert sent["contracts"][0]["providerName"] == "p"


def _user_contract(name: str) -> Pact:
    return define_contract(
        name,
        consumer="web",
        provider="users",
        interactions=[
            interaction("get user")
            .request(method="GET", path="/users/1")
            .responds(status=200, body={"id": 1})
        ],
    ).pact


def _users_app() -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"id": 1}']

    return app


@pytest.mark.usefixtures("clean_registry")
def test_pacts_for_verification_then_the_verifier_publishes_to_the_pact_link(
    scripted: ScriptedBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Selected pacts are fetched, and the verifier's result goes to their results link."""
    pact = _user_contract("users_contract")
    results_path = "/pacts/provider/users/consumer/web/pact-version/abc/verification-results"
    scripted.on(
        "GET",
        "/",
        Answer(
            200,
            {
                "_links": {
                    "pb:provider-pacts-for-verification": {
                        "href": scripted.url + "/pacts/provider/{provider}/for-verification",
                        "templated": True,
                    },
                    "pb:pacticipant-branch-version": {
                        "href": "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}"
                    },
                }
            },
        ),
    )
    scripted.on(
        "POST",
        "/pacts/provider/users/for-verification",
        Answer(
            200,
            {
                "_embedded": {
                    "pacts": [
                        {
                            "verificationProperties": {
                                "pending": True,
                                "notices": [{"when": "before_verification", "text": "pending!"}],
                            },
                            "_links": {"self": {"href": scripted.url + "/pacts/abc"}},
                        }
                    ]
                }
            },
        ),
    )
    document = pact_to_json(pact, pact.spec or _v3(), {})
    document["_links"] = {
        "pb:publish-verification-results": {"href": scripted.url + results_path},
        "pb:consumer-version": {"name": "1.0.0"},
    }
    scripted.on("GET", "/pacts/abc", Answer(200, document))
    scripted.on("POST", results_path, Answer(201, {"_links": {"self": {"href": "http://r/1"}}}))
    scripted.on("PUT", "/pacticipants/users/branches/main/versions/2.0.0", Answer(200, {}))
    monkeypatch.setenv("PACT_BROKER_BASE_URL", scripted.url)
    monkeypatch.setenv("PACT_BROKER_TOKEN", TOKEN)

    [selected] = pacts_for_verification(
        "users",
        consumer_version_selectors=[{"mainBranch": True}],
        include_pending_status=True,
        include_wip_pacts_since="2024-01-01",
        provider_version_branch="main",
    )
    asked = scripted.seen[1].body
    assert asked == {
        "consumerVersionSelectors": [{"mainBranch": True}],
        "includePendingStatus": True,
        "includeWipPactsSince": "2024-01-01",
        "providerVersionBranch": "main",
    }
    assert (selected.pending, selected.notices, selected.consumer_version) == (
        True,
        ("pending!",),
        "1.0.0",
    )
    assert selected.pact == pact

    result = verify_provider(
        selected.pact, app=_users_app(), provider_version="2.0.0", publish_results=True
    )
    assert result.success
    posted = scripted.seen[-1]
    assert (posted.method, posted.path) == ("POST", results_path)
    assert posted.body["success"] is True
    assert posted.body["providerApplicationVersion"] == "2.0.0"
    assert posted.body["verifiedBy"]["implementation"] == "pactdsl"

    with get_broker() as chosen:
        record = publish_verification_result(selected, False, "2.0.0", chosen, branch="main")
    assert record.url == "http://r/1"
    assert [(s.method, s.path) for s in scripted.seen[-2:]] == [
        ("PUT", "/pacticipants/users/branches/main/versions/2.0.0"),
        ("POST", results_path),
    ]
    assert scripted.seen[-1].body["success"] is False


def _v3() -> Any:
    from pactdsl import PactSpec

    return PactSpec.V3
