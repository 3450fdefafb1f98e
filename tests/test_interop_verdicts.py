"""Verdicts pactdsl shares with pact-reference: header lists and provider-state values.

Each pact is verified by pactdsl and by pact-python's `Verifier` (pact-reference's
Rust core, as in pact-js and pact-jvm) against the same real provider.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pactdsl._verify import format_verification_report, verify_provider
from tests.test_interop_pact_js import RoutesBehaviour
from tests.test_verify import RunningProvider
from tests.test_verify_interop import pact_python_verdict

pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def provider() -> Iterator[RunningProvider]:
    """A route-table provider on 127.0.0.1 (port 0); tests fill its routes."""
    running = RunningProvider(RoutesBehaviour({}))
    try:
        yield running
    finally:
        running.stop()


def _write(folder: Path, response: dict[str, Any], states: list[Any] | None = None) -> Path:
    interaction: dict[str, Any] = {
        "description": "a request for the thing",
        "request": {"method": "GET", "path": "/thing"},
        "response": response,
    }
    if states:
        interaction["providerStates"] = states
    document = {
        "consumer": {"name": "verdict-consumer"},
        "provider": {"name": "verdict-provider"},
        "interactions": [interaction],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    path = folder / "verdict-consumer-verdict-provider.json"
    path.write_text(json.dumps(document), "utf-8")
    return path


def _regex(pattern: str) -> dict[str, Any]:
    return {"combine": "AND", "matchers": [{"match": "regex", "regex": pattern}]}


_VARY = ("Vary", "Accept")
HEADER_CASES = [
    pytest.param(
        [("X-Api-Version", "v2, v3"), _VARY], "$.header.X-Api-Version", id="one line v2, v3"
    ),
    pytest.param([("X-Api-Version", "v2"), ("X-Api-Version", "v3"), _VARY], None, id="two lines"),
    pytest.param([("X-Api-Version", "v3"), ("Vary", "Accept, Origin")], None, id="Vary listed"),
]


@pytest.mark.parametrize(("headers", "failing"), HEADER_CASES)
def test_headers_split_on_commas_only_where_pact_reference_splits(
    provider: RunningProvider, tmp_path: Path, headers: list[tuple[str, str]], failing: str | None
) -> None:
    r"""A comma-joined X-Api-Version is one value and fails `^v\d+$`; Vary is a list."""
    pact = _write(
        tmp_path,
        {
            "status": 200,
            "headers": {"X-Api-Version": "v2", "Vary": "Accept"},
            "matchingRules": {
                "header": {"X-Api-Version": _regex(r"^v\d+$"), "Vary": _regex("^[A-Z][a-z]+$")}
            },
        },
    )
    provider.behaviour.routes["/thing"] = (200, headers, b"")
    ours = verify_provider(pact, base_url=provider.url)
    theirs = pact_python_verdict(pact, provider.url, "verdict-provider")
    assert ours.success is theirs is (failing is None), format_verification_report(ours)
    if failing is not None:
        (failed,) = ours.failed
        assert [(m.path, m.actual) for m in failed.mismatches] == [(failing, "v2, v3")]
