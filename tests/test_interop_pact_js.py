"""Interop with pact-js: pacts in the shape pact-js 17 writes load, mock and verify.

The pacts under ``tests/pact_js/`` were written by hand in the shape pact-js
(through pact-reference) writes; each is loaded, served by both mocks and
verified against a real provider, with pact-python's `Verifier` (the same Rust
core as pact-js's) giving the same verdict.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import httpx
import pytest

from pactdsl import (
    Interaction,
    PactSpec,
    define_contract,
    generate_pact,
    interaction,
    load_pact,
    mock_provider,
)
from pactdsl._pactfile._write import pact_to_json
from pactdsl._verify import format_verification_report, verify_provider
from pactdsl.match import content_type, integer, like, values
from tests.test_verify import PaymentsBehaviour, RunningProvider
from tests.test_verify_interop import pact_python_verdict

PACTS = Path(__file__).parent / "pact_js"
STATUS_PACT = PACTS / "orders-web-orders-api-status.json"

Route = tuple[int, list[tuple[str, str]], bytes]


class RoutesBehaviour(PaymentsBehaviour):
    """A provider answering each path from a table; POSTs (state changes) get 200."""

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__()
        self.routes = routes

    def answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Serve the route of `target`, 404 for any other path."""
        if method == "POST":
            return 200, [], b""
        return self.routes.get(target, (404, [], b""))


def routes(provider: RunningProvider) -> dict[str, Route]:
    """The route table of the `provider` fixture, which serves a `RoutesBehaviour`."""
    assert isinstance(provider.behaviour, RoutesBehaviour)
    return provider.behaviour.routes


def _json(status: int, value: object) -> Route:
    return status, [("Content-Type", "application/json")], json.dumps(value).encode()


def test_keyed_status_rules_load_as_the_flat_form() -> None:
    """`{"status": {"$": ...}}` and the flat `path` rules read as one rule list each."""
    (item,) = load_pact(STATUS_PACT).interactions
    assert isinstance(item, Interaction)
    assert repr(item.response.matching_rules["status"]) == (
        "{'': RuleGroup(matchers=(status_code('success'),), combine='AND')}"
    )
    assert repr(item.request.matching_rules["path"]) == (
        "{'': RuleGroup(matchers=(regex('^/orders/\\\\d+$'),), combine='AND')}"
    )


def test_keyed_status_rules_are_written_back_as_pact_reference_writes_them() -> None:
    """V4 output keys `status` rules under `$` and writes `path` rules flat."""
    written = pact_to_json(load_pact(STATUS_PACT), PactSpec.V4, {})
    rules = written["interactions"][0]["response"]["matchingRules"]
    original = json.loads(STATUS_PACT.read_text("utf-8"))["interactions"][0]
    assert rules["status"] == original["response"]["matchingRules"]["status"]
    request_rules = written["interactions"][0]["request"]["matchingRules"]
    assert request_rules["path"] == original["request"]["matchingRules"]["path"]


@pytest.mark.parametrize("port", [None, 0], ids=["in-process", "port"])
def test_keyed_status_pact_is_served_by_both_mocks(port: int | None) -> None:
    """Both mocks serve the pact-js pact's example response for a matching request."""
    with mock_provider(STATUS_PACT, port) as mock, httpx.Client() as client:
        reply = client.get(f"{mock.url}/orders/17", headers={"Accept": "application/json"})
    assert reply.status_code == 200
    assert reply.json() == {"id": 17, "state": "open"}


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("status", "verdict"), [(201, True), (404, False)])
def test_keyed_status_rule_gets_the_verdict_of_pact_python(
    provider: RunningProvider, status: int, verdict: bool
) -> None:
    """A 201 passes the success class in both verifiers; a 404 fails both, at the status."""
    routes(provider)["/orders/17"] = _json(status, {"id": 17, "state": "open"})
    ours = verify_provider(STATUS_PACT, base_url=provider.url, state_setup=lambda state: None)
    theirs = pact_python_verdict(STATUS_PACT, provider.url, "orders-api")
    assert ours.success is theirs is verdict, format_verification_report(ours)
    if not verdict:
        (failed,) = ours.failed
        assert [m.path for m in failed.mismatches] == ["$.status"]


VALUES_PACT = PACTS / "stock-web-stock-api-values.json"


def test_values_written_by_the_dsl_apply_under_every_key_as_pact_js_writes(
    clean_registry: None,
) -> None:
    """`values(example_map)` puts the inner rules at `<path>.*`, the rules of the pact-js pact."""
    contract = define_contract(
        "stock",
        consumer="stock-web",
        provider="stock-api",
        interactions=[
            interaction("a request for the stock levels")
            .given("some stock exists")
            .request(method="GET", path="/stock", headers={"Accept": "application/json"})
            .responds(
                status=200,
                body={
                    "warehouse": "north",
                    "levels": values({"sku-1": {"qty": integer(4), "label": like("bolt")}}),
                },
            )
        ],
    )
    (ours,) = contract.pact.interactions
    (theirs,) = load_pact(VALUES_PACT).interactions
    assert isinstance(ours, Interaction)
    assert isinstance(theirs, Interaction)
    assert ours.response.matching_rules["body"] == theirs.response.matching_rules["body"]
    assert ours.response.body == theirs.response.body


@pytest.mark.parametrize("port", [None, 0], ids=["in-process", "port"])
def test_values_pact_is_served_by_both_mocks(port: int | None) -> None:
    """Both mocks serve the values pact's example."""
    with mock_provider(VALUES_PACT, port) as mock, httpx.Client() as client:
        reply = client.get(f"{mock.url}/stock", headers={"Accept": "application/json"})
    assert reply.json()["levels"] == {"sku-1": {"qty": 4, "label": "bolt"}}


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("levels", "failing_path"),
    [
        ({"sku-7": {"qty": 9, "label": "nut"}, "sku-8": {"qty": 0, "label": "washer"}}, None),
        ({"sku-7": {"qty": 9, "label": "nut"}, "sku-8": {"qty": "none", "label": "x"}}, "sku-8"),
        ({"sku-7": {"qty": 9, "label": 5}}, "sku-7"),
    ],
    ids=["other keys pass", "a qty not an integer", "a label not a string"],
)
def test_values_pact_gets_the_verdict_of_pact_python(
    provider: RunningProvider, levels: dict[str, object], failing_path: str | None
) -> None:
    """Rules under `values` hold for every actual key, in pactdsl and pact-python alike."""
    body = {"warehouse": "north", "levels": levels}
    routes(provider)["/stock"] = _json(200, body)
    ours = verify_provider(VALUES_PACT, base_url=provider.url, state_setup=lambda state: None)
    theirs = pact_python_verdict(VALUES_PACT, provider.url, "stock-api")
    assert ours.success is theirs is (failing_path is None), format_verification_report(ours)
    if failing_path is not None:
        (failed,) = ours.failed
        assert [m.path.split(".")[3] for m in failed.mismatches] == [failing_path]


BINARY_PACT = PACTS / "avatar-web-avatar-api-binary.json"


def png(width: int) -> bytes:
    """A real grey PNG image `width` pixels wide and one high."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x80" * width)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_binary_pact_loads_as_bytes() -> None:
    """The base64 V4 body reads as the PNG's bytes, with its contentType rule on `$`."""
    (item,) = load_pact(BINARY_PACT).interactions
    assert isinstance(item, Interaction)
    assert item.response.body is not None
    assert item.response.body.content == png(1)
    assert item.response.body.content_type == "image/png"
    (rule,) = item.response.matching_rules["body"]["$"].matchers
    assert rule.to_rule() == {"match": "contentType", "value": "image/png"}


@pytest.mark.parametrize("port", [None, 0], ids=["in-process", "port"])
def test_binary_pact_is_served_as_bytes_by_both_mocks(port: int | None) -> None:
    """Both mocks answer with the PNG's bytes and its content type, not base64 text."""
    with mock_provider(BINARY_PACT, port) as mock, httpx.Client() as client:
        reply = client.get(f"{mock.url}/users/5/avatar", headers={"Accept": "image/png"})
    assert reply.headers["content-type"] == "image/png"
    assert reply.content == png(1)


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("answer", "verdict"),
    [(png(3), True), (b"iVBORw0KGgo=", False), (b'{"avatar": null}', False)],
    ids=["another png", "base64 text", "json"],
)
def test_binary_pact_gets_the_verdict_of_pact_python(
    provider: RunningProvider, answer: bytes, verdict: bool
) -> None:
    """Another PNG passes the contentType rule in both verifiers; text fails both at the body."""
    routes(provider)["/users/5/avatar"] = (200, [("Content-Type", "image/png")], answer)
    ours = verify_provider(BINARY_PACT, base_url=provider.url)
    theirs = pact_python_verdict(BINARY_PACT, provider.url, "avatar-api")
    assert ours.success is theirs is verdict, format_verification_report(ours)
    if not verdict:
        (failed,) = ours.failed
        assert [m.path for m in failed.mismatches] == ["$.body"]


@pytest.mark.parametrize(
    "example", [png(1), base64.b64encode(png(1)).decode()], ids=["bytes", "b64"]
)
@pytest.mark.parametrize("spec", [PactSpec.V3, PactSpec.V4])
def test_dsl_binary_content_type_is_bytes_in_file_and_mock(
    tmp_path: Path, clean_registry: None, example: bytes | str, spec: PactSpec
) -> None:
    """`content_type("image/png", bytes or base64)`: bytes in the file read back and on the wire."""
    made = define_contract(
        "avatar",
        consumer="avatar-web",
        provider="avatar-api",
        interactions=[
            interaction("a request for the avatar of user 5")
            .request(method="GET", path="/users/5/avatar", headers={"Accept": "image/png"})
            .responds(status=200, body=content_type("image/png", example))
        ],
    )
    path = generate_pact(made, output=tmp_path, spec=spec.value)
    (ours,) = load_pact(path).interactions
    (theirs,) = load_pact(BINARY_PACT).interactions
    assert isinstance(ours, Interaction)
    assert isinstance(theirs, Interaction)
    assert ours.response.body == theirs.response.body
    assert ours.response.matching_rules == theirs.response.matching_rules
    with mock_provider(path, 0) as mock, httpx.Client() as client:
        reply = client.get(f"{mock.url}/users/5/avatar", headers={"Accept": "image/png"})
        assert (reply.headers["content-type"], reply.content) == ("image/png", png(1))


@pytest.mark.parametrize(("status", "exit_code"), [(201, 0), (404, 1)])
def test_keyed_status_pact_through_the_cli(
    provider: RunningProvider, status: int, exit_code: int
) -> None:
    """`pactdsl verify` reads the keyed status rules: 201 passes, 404 fails naming the class."""
    from click.testing import CliRunner

    from pactdsl._cli import build_cli

    routes(provider)["/orders/17"] = _json(status, {"id": 17, "state": "open"})
    result = CliRunner().invoke(
        build_cli(), ["verify", str(STATUS_PACT), "--base-url", provider.url]
    )
    assert result.exit_code == exit_code, result.output
    assert ("a status in the 'success' class (200-299), got 404" in result.output) is (
        exit_code == 1
    )
