"""The state one compatibility-suite scenario builds up, and helpers its steps share."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import httpx
from pytest_bdd import parsers

from pactdsl import ContractVerificationResult, FailedInteraction, Mismatch, UnexpectedRequest
from tests.compatibility import _suite
from tests.compatibility._provider import ProviderServer

_QUOTED = r'"(?P<{}>(?:[^"\\]|\\.)*)"'


def step_re(pattern: str) -> Any:
    """A step parser from a regex where `{name}` stands for a quoted argument named `name`."""
    return parsers.re(re.sub(r"\{(\w+)\}", lambda m: _QUOTED.format(m.group(1)), pattern))


@attrs.define
class World:
    """What the steps of one scenario build up."""

    version: str
    tmp: Path
    interactions: dict[str, dict[str, str]] = attrs.Factory(dict)
    servers: list[Any] = attrs.Factory(list)
    # consumer side: the mock provider and the pact file
    mock: Any = None
    served: list[str] = attrs.Factory(list)
    responses: list[httpx.Response] = attrs.Factory(list)
    mock_ok: bool | None = None
    problems: list[Any] = attrs.Factory(list)
    pact_file: Path | None = None
    # matching
    expected: dict[str, str] | None = None
    actuals: list[dict[str, str]] = attrs.Factory(list)
    results: list[tuple[int, list[Mismatch]]] | None = None
    # verification
    provider: ProviderServer | None = None
    result: ContractVerificationResult | None = None
    response_mismatches: list[Mismatch] | None = None
    extra: dict[str, Any] = attrs.Factory(dict)

    def close(self) -> None:
        """Stop what the scenario started."""
        if self.mock is not None and self.mock.is_running:
            self.mock.stop()
        for server in self.servers:
            server.close()


def numbers(text: str) -> list[str]:
    """`"1, 2"` -> `["1", "2"]`."""
    return [n.strip() for n in text.split(",")]


def write_http_pact(world: World, rows: list[dict[str, str]], name: str = "pact") -> Path:
    """A pact file (in the feature's version, V4 for bytes) holding these rows' interactions."""
    version = max(_suite.http_row_version(row, world.version) for row in rows)
    document = _suite.pact_document(
        [_suite.http_interaction_json(row, version) for row in rows], version
    )
    return _suite.write_json(world.tmp / f"{name}.json", document)


def send(base_url: str, row: dict[str, str]) -> httpx.Response:
    """Send a row's request the way a client does, bytes and header lines as given."""
    request = _suite.request_of(row)
    url = base_url.rstrip("/") + request.path + (f"?{request.query}" if request.query else "")
    with httpx.Client(timeout=30) as client:
        return client.request(
            request.method,
            url,
            headers=request.send_headers(),
            content=request.body.raw if request.body is not None else None,
        )


def mock_mismatches(world: World) -> list[Mismatch]:
    """Every mismatch the mock recorded against the interactions it serves."""
    found: list[Mismatch] = []
    for call in world.mock.calls:
        if isinstance(call.problem, UnexpectedRequest):
            for near in call.problem.closest:
                found += near.mismatches
    return found


def provider_server(world: World) -> ProviderServer:
    """The scenario's provider, started on first use."""
    if world.provider is None:
        world.provider = ProviderServer()
        world.servers.append(world.provider)
    return world.provider


def failed_mismatches(result: ContractVerificationResult) -> list[Mismatch]:
    """The mismatches of every failed interaction."""
    return [
        m
        for entry in result.failed
        if isinstance(entry, FailedInteraction)
        for m in entry.mismatches
    ]


def pact_json(world: World) -> dict[str, Any]:
    """The pact file written."""
    assert world.pact_file is not None, "no pact file written"
    document: dict[str, Any] = json.loads(world.pact_file.read_text("utf-8"))
    return document


def pact_items(world: World) -> list[dict[str, Any]]:
    """The interactions (or V3 messages) of the pact file written."""
    document = pact_json(world)
    items: list[dict[str, Any]] = document.get("interactions") or document.get("messages") or []
    return items


def message_contents(part: dict[str, Any]) -> Any:
    """The contents of a message in a pact file (a V4 body object unwrapped)."""
    contents = part["contents"]
    if isinstance(contents, dict) and "content" in contents and "contentType" in contents:
        return contents["content"]
    return contents


def message_content_type(part: dict[str, Any]) -> Any:
    """The content type of a message in a pact file (V4 body object, else metadata)."""
    contents = part["contents"]
    if isinstance(contents, dict) and "contentType" in contents:
        return contents["contentType"]
    metadata = part.get("metaData") or part.get("metadata") or {}
    return metadata.get("contentType")
