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


@pytest.mark.usefixtures("clean_registry")
def test_can_i_deploy_takes_a_contract_module_path_as_generate_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`can-i-deploy --contract contracts/x.py` loads the module, not the file as JSON."""
    from click.testing import CliRunner

    from pactdsl._cli import build_cli

    folder = tmp_path / "contracts"
    folder.mkdir()
    token = uuid.uuid4().hex[:8]
    (folder / f"c_{token}.py").write_text(
        "from pactdsl import define_contract, interaction\n"
        f"api = define_contract('api_{token}', consumer='web-{token}', provider='api-{token}',"
        " interactions=[interaction('ping').request(method='GET', path='/').responds(204)])\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    db = str(tmp_path / "b.db")
    target = f"contracts/c_{token}.py"
    runner = CliRunner()
    published = runner.invoke(
        build_cli(), ["publish", target, "--consumer-version", "1", "--broker-db", db]
    )
    assert published.exit_code == 0, published.output
    answer = runner.invoke(
        build_cli(), ["can-i-deploy", "--contract", target, "--version", "1", "--broker-db", db]
    )
    assert answer.exit_code == 1, answer.output
    assert answer.output.startswith(f"web-{token} 1 cannot deploy (contract api_{token}")
    assert "not valid JSON" not in answer.output


def _raise_key_error() -> Any:
    empty: dict[str, Any] = {}
    return empty["orderId"]


@pytest.mark.usefixtures("clean_registry")
def test_handler_and_producer_failures_keep_their_traceback() -> None:
    """A consumer handler or a producer that raises is reported with its own frames."""
    from pactdsl import format_verification_report, verify_message_consumer

    events = define_contract(
        f"events_{uuid.uuid4().hex[:8]}",
        consumer="billing",
        provider="orders",
        interactions=[message("order created").with_content({"id": 1})],
    )

    def handler(contents: Any) -> None:
        _raise_key_error()

    handled = verify_message_consumer(events, handler)
    [entry] = handled.entries
    assert "in _raise_key_error" in entry.traceback
    assert "in handler" in entry.traceback
    assert "pactdsl/_" not in entry.traceback
    assert "KeyError: 'orderId'" in handled.report()
    produced = verify_provider(events, message_producers={"order created": _raise_key_error})
    [error] = produced.errors
    assert error.traceback.startswith("Traceback (most recent call last):")
    assert "in _raise_key_error" in error.traceback
    assert "in _raise_key_error" in format_verification_report(produced)


def test_the_mock_decodes_gzip_request_bodies() -> None:
    """A gzip-encoded JSON body (Content-Encoding: gzip) matches; a zip bomb is refused."""
    import gzip
    import urllib.error
    import urllib.request

    from pactdsl._mock import MockMismatchError, create_mock_provider

    made = define_contract(
        f"gz_{uuid.uuid4().hex[:8]}",
        consumer="web",
        provider="api",
        interactions=[
            interaction("create order")
            .request(method="POST", path="/orders", body={"sku": "A-1"})
            .responds(201)
        ],
    )
    # The bomb is answered 400 and recorded as a request the mock could not handle,
    # so leaving the block fails verification: never a false pass.
    with (  # noqa: PT012 - the block is the scenario
        pytest.raises(MockMismatchError, match="expands beyond"),
        create_mock_provider(made, port=0) as mock,
    ):

        def post(body: bytes) -> int:
            sent = urllib.request.Request(
                mock.url + "/orders",
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
            try:
                with urllib.request.urlopen(sent, timeout=30) as answer:
                    return int(answer.status)
            except urllib.error.HTTPError as refused:
                return refused.code

        assert post(gzip.compress(json.dumps({"sku": "A-1"}).encode())) == 201
        assert post(gzip.compress(b" " * (40 * 1024 * 1024))) == 400


@pytest.mark.usefixtures("clean_registry")
def test_a_tls_failure_says_tls_and_a_ca_bundle_fixes_it(tmp_path: Path) -> None:
    """An untrusted certificate errors saying TLS (and --ca-bundle); verify_tls=PATH fixes it."""
    import http.server
    import ssl
    import subprocess
    import threading

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )

    class Ping(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ping)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api = define_contract(
        f"tls_{uuid.uuid4().hex[:8]}",
        consumer="web",
        provider="api",
        interactions=[interaction("ping").request(method="GET", path="/").responds(204)],
    )
    url = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        refused = verify_provider(api, base_url=url)
        trusted = verify_provider(api, base_url=url, verify_tls=str(cert))
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    [error] = refused.errors
    assert error.message.startswith(f"TLS failed with {url}/:")
    assert "--ca-bundle" in error.message
    assert "is the provider running" not in error.message
    assert trusted.success
    with pytest.raises(
        ValueError, match=r"verify_tls='missing\.pem' must be True, False or the path"
    ):
        verify_provider(api, base_url=url, verify_tls="missing.pem")


@pytest.mark.usefixtures("clean_registry")
def test_the_cli_takes_one_producer_per_description_and_says_a_bad_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--message-producer 'DESCRIPTION=MODULE:FUNCTION' verifies that message; bad forms exit 2."""
    import sys

    from click.testing import CliRunner

    from pactdsl import generate_pact
    from pactdsl._cli import build_cli

    token = uuid.uuid4().hex[:8]
    (tmp_path / f"producers_{token}.py").write_text(
        "def order_created():\n    return {'id': 1}, {'topic': 'orders'}\n", encoding="utf-8"
    )
    events = define_contract(
        f"events_{token}",
        consumer="billing",
        provider="orders",
        interactions=[
            message("order created").with_content({"id": integer(1)}, metadata={"topic": "orders"})
        ],
    )
    pact_file = generate_pact(events, tmp_path / "pacts", spec="4.0")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    runner = CliRunner()
    ran = runner.invoke(
        build_cli(),
        [
            "verify",
            str(pact_file),
            "--message-producer",
            f"order created=producers_{token}:order_created",
        ],
    )
    assert ran.exit_code == 0, ran.output
    assert "Passed: 1/1 interactions" in ran.output
    bad = runner.invoke(build_cli(), ["verify", str(pact_file), "--message-producer", "no-equals"])
    assert bad.exit_code == 2
    assert "must look like DESCRIPTION=MODULE:FUNCTION" in bad.output
    sys.modules.pop(f"producers_{token}", None)
