"""pactdsl's HTTP client over TLS and through proxies, against real servers on 127.0.0.1.

A throwaway CA (trustme) signs the servers' certificates; `ForwardProxy`
(`tests/_http_servers.py`) forwards absolute-form requests and tunnels CONNECT,
so the client's proxy handling is tested against a proxy that really relays.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from pactdsl._http_answers import BodyTooLarge
from pactdsl._http_client import HttpClient
from pactdsl._http_errors import ConnectError, ProxyError, ReadTimeout, failure_reason
from pactdsl._http_target import tls_verification
from pactdsl.broker import BrokerAuth, PactBrokerClient
from tests._broker_server import Answer, ScriptedBroker
from tests._http_servers import ForwardProxy, RawServer, answer, read_request

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture
def bundle(ca: trustme.CA, tmp_path: Path) -> str:
    """The CA's certificate as a PEM file, as a user would pass it to verify_tls."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without proxy variables, whatever the machine has set."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


def _keep_answering(connection: socket.socket, head: bytes) -> None:
    """Answer "ok" to this request and every later one on the connection."""
    connection.sendall(answer("200 OK", b"ok"))
    while read_request(connection)[0]:
        connection.sendall(answer("200 OK", b"ok"))


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[RawServer]:
    """An HTTPS server on 127.0.0.1 (certificate for 127.0.0.1 and localhost) answering "ok"."""
    with RawServer(_keep_answering, tls=_server_context(ca, "127.0.0.1", "localhost")) as made:
        yield made


# --------------------------------------------------------------------------
# TLS


def test_a_ca_bundle_is_trusted_and_the_connection_kept_alive(
    tls_server: RawServer, bundle: str
) -> None:
    """verify_tls=<CA path> reaches the server; five requests share one TLS connection."""
    with HttpClient(timeout=5, verify_tls=tls_verification(bundle)) as client:
        bodies = [client.send_once("GET", tls_server.url, [], None).body for _ in range(5)]
    assert bodies == [b"ok"] * 5
    assert tls_server.connections == 1


def test_an_unknown_ca_fails_as_tls_and_no_check_passes(tls_server: RawServer) -> None:
    """The system's CAs do not know the test CA: reason "tls"; verify_tls=False connects."""
    with HttpClient(timeout=5) as client, pytest.raises(ConnectError) as caught:
        client.send_once("GET", tls_server.url, [], None)
    assert failure_reason(caught.value) == "tls"
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    with HttpClient(timeout=5, verify_tls=False) as unchecked:
        assert unchecked.send_once("GET", tls_server.url, [], None).body == b"ok"


def test_a_certificate_for_another_host_fails_the_hostname_check(
    ca: trustme.CA, bundle: str
) -> None:
    """A trusted certificate naming example.org is refused for 127.0.0.1."""
    with (
        RawServer(_keep_answering, tls=_server_context(ca, "example.org")) as server,
        HttpClient(timeout=5, verify_tls=tls_verification(bundle)) as client,
        pytest.raises(ConnectError) as caught,
    ):
        client.send_once("GET", server.url, [], None)
    assert failure_reason(caught.value) == "tls"
    assert "127.0.0.1" in str(caught.value)


def test_the_host_name_is_sent_for_sni(ca: trustme.CA, bundle: str) -> None:
    """Connecting to https://localhost sends "localhost" as the TLS server name."""
    names: list[str | None] = []
    context = _server_context(ca, "localhost")
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    with (
        RawServer(_keep_answering, tls=context) as server,
        HttpClient(timeout=5, verify_tls=tls_verification(bundle)) as client,
    ):
        got = client.send_once("GET", f"https://localhost:{server.port}/", [], None)
    assert (got.body, names) == (b"ok", ["localhost"])


def test_the_deadline_holds_over_tls(ca: trustme.CA, bundle: str) -> None:
    """A body trickling over TLS is cut at the deadline, and a capped one at the cap."""

    def trickle(connection: socket.socket, head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while True:
            connection.sendall(b"x" * 10)
            time.sleep(0.1)

    with (
        RawServer(trickle, tls=_server_context(ca, "127.0.0.1")) as server,
        HttpClient(timeout=5, verify_tls=tls_verification(bundle)) as client,
    ):
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            client.send_once("GET", server.url, [], None, deadline=started + 1.0)
        assert time.monotonic() - started < 3.0
        with pytest.raises(BodyTooLarge):
            client.send_once("GET", server.url, [], None, max_body_bytes=50)


# --------------------------------------------------------------------------
# Proxies


def test_http_proxy_from_the_environment_gets_absolute_form_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With HTTP_PROXY set, a plain request goes to the proxy as GET http://..., and arrives."""
    with (
        RawServer(_keep_answering) as origin,
        ForwardProxy() as proxy,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with HttpClient(timeout=5) as client:
            got = client.send_once("GET", origin.url + "/x?y=1", [], None)
    assert got.body == b"ok"
    assert proxy.request_lines == [f"GET {origin.url}/x?y=1"]
    assert origin.heads[0].startswith(b"GET /x?y=1 HTTP/1.1")


def test_https_proxy_from_the_environment_tunnels_with_connect(
    monkeypatch: pytest.MonkeyPatch, tls_server: RawServer, bundle: str
) -> None:
    """With HTTPS_PROXY set, TLS goes through a CONNECT tunnel, checked end to end."""
    with ForwardProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with HttpClient(timeout=5, verify_tls=tls_verification(bundle)) as client:
            bodies = [client.send_once("GET", tls_server.url, [], None).body for _ in range(3)]
    assert bodies == [b"ok"] * 3
    assert proxy.request_lines == [f"CONNECT 127.0.0.1:{tls_server.port}"]


def test_no_proxy_sends_the_named_hosts_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host listed in NO_PROXY is reached without the proxy."""
    with RawServer(_keep_answering) as origin, ForwardProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        with HttpClient(timeout=5) as client:
            assert client.send_once("GET", origin.url, [], None).body == b"ok"
    assert proxy.request_lines == []


def test_proxy_credentials_travel_in_proxy_authorization(
    tls_server: RawServer, bundle: str
) -> None:
    """user:password in the proxy URL authenticates both absolute-form requests and CONNECT."""
    with (
        RawServer(_keep_answering) as origin,
        ForwardProxy(credentials="Basic dTpwQHNz") as proxy,
        HttpClient(
            timeout=5, verify_tls=tls_verification(bundle), proxy=f"http://u:p%40ss@{proxy.url[7:]}"
        ) as client,
    ):
        assert client.send_once("GET", origin.url, [], None).body == b"ok"
        assert client.send_once("GET", tls_server.url, [], None).body == b"ok"
    assert proxy.authorizations == ["Basic dTpwQHNz", "Basic dTpwQHNz"]
    assert b"proxy-authorization" not in origin.heads[0].lower()


def test_a_refused_connect_names_the_proxy_and_its_status(
    tls_server: RawServer, bundle: str
) -> None:
    """A proxy answering 407 to CONNECT raises ProxyError with reason "http" (no retry)."""
    with (
        ForwardProxy(credentials="Basic secret") as proxy,
        HttpClient(timeout=5, verify_tls=tls_verification(bundle), proxy=proxy.url) as client,
        pytest.raises(ProxyError, match=r"answered 407 Proxy Authentication Required") as caught,
    ):
        client.send_once("GET", tls_server.url, [], None)
    assert failure_reason(caught.value) == "http"
    assert proxy.url in str(caught.value)


def test_an_unreachable_proxy_is_a_connect_failure_naming_it() -> None:
    """A proxy nobody listens on gives ConnectError naming the proxy."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        HttpClient(timeout=5, proxy=f"127.0.0.1:{port}") as client,
        pytest.raises(ConnectError, match=rf"the proxy http://127\.0\.0\.1:{port}") as caught,
    ):
        client.send_once("GET", "http://example.invalid/", [], None)
    assert failure_reason(caught.value) == "connect"


def test_the_broker_client_reaches_a_broker_through_a_proxy() -> None:
    """PactBrokerClient(proxy=...) goes through the proxy; its token still reaches the broker."""
    broker = ScriptedBroker()
    try:
        broker.on("GET", "/", Answer(200, {"_links": {}}))
        with (
            ForwardProxy() as proxy,
            PactBrokerClient(broker.url, proxy=proxy.url, auth=BrokerAuth(token="t0k")) as client,
        ):
            assert client.index() == {"_links": {}}
    finally:
        broker.close()
    assert proxy.request_lines == [f"GET {broker.url}/"]
    assert broker.seen[0].headers["authorization"] == "Bearer t0k"
