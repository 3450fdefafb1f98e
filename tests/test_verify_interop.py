"""Interop: pactdsl verifies pact-python's pacts with the verdict of pact-python's Verifier.

The shared pacts in ``../shared/pacts`` were written by pact-python (V3 and V4);
another pact is written by pact-python 4.2 during the test run and verified both
by pactdsl and by pact-python's own (Rust) `Verifier`.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pactdsl._verify import format_verification_report, verify_provider
from tests._shared import shared_dir
from tests.test_verify import PaymentsBehaviour, RunningProvider, asgi_app


def item_body(item_id: int, sku: str | None = None) -> dict[str, Any]:
    """The item the shared pacts describe, as a conforming provider answers it."""
    return {
        "createdAt": "2024-01-02T03:04:05+0000",
        "id": item_id,
        "name": f"item {item_id}",
        "owner": {"age": 30, "email": "alice@example.com", "name": "Alice"},
        "sku": sku or f"SKU-{item_id:06d}",
        "variants": [
            {
                "code": "R0",
                "colour": "red",
                "dims": {"h": 2, "w": 1},
                "stock": 5,
                "updatedAt": "2024-01-01T00:00:00+0000",
            }
        ],
    }


class ItemsBehaviour(PaymentsBehaviour):
    """An items provider: mode "ok" honours the pacts, "bad_sku" breaks the sku regex."""

    def answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Serve GET /items/<id>; anything else is 404."""
        with self.lock:
            self.seen.append({"method": method, "path": target, "headers": headers})
        if method == "GET" and target.startswith("/items/"):
            item_id = int(target.rsplit("/", 1)[1])
            item = item_body(item_id, "SKU-12" if self.mode == "bad_sku" else None)
            return 200, [("Content-Type", "application/json")], json.dumps(item).encode()
        return 404, [], b""


@pytest.fixture
def items() -> Iterator[RunningProvider]:
    """The items provider on 127.0.0.1 (port 0)."""
    running = RunningProvider(ItemsBehaviour())
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("name", ["pact-python-v3-sample.json", "pact-python-v4-sample.json"])
def test_shared_pact_python_pacts_pass_against_an_honouring_provider(
    items: RunningProvider, name: str
) -> None:
    """Both shared pact-python pacts pass, with each state set up with its params."""
    states: list[tuple[str, dict[str, Any]]] = []
    result = verify_provider(
        shared_dir() / "pacts" / name,
        base_url=items.url,
        state_setup=lambda state, params: states.append((state, params)),
    )
    assert result.success, format_verification_report(result)
    assert len(result.passed) == 5
    assert (result.consumer, result.provider) == ("bench-consumer", "bench-provider")
    assert states[0] == ("item 0 exists", {"id": 0})


@pytest.mark.parametrize("name", ["pact-python-v3-sample.json", "pact-python-v4-sample.json"])
def test_shared_pact_python_pacts_fail_against_a_breaking_provider(
    items: RunningProvider, name: str
) -> None:
    """A sku outside the pact's regex fails every interaction at $.body.sku."""
    items.behaviour.mode = "bad_sku"
    result = verify_provider(shared_dir() / "pacts" / name, base_url=items.url)
    assert not result.success
    assert len(result.failed) == 5
    for failed in result.failed:
        assert [(m.path, m.actual) for m in failed.mismatches] == [("$.body.sku", "SKU-12")]


def test_shared_pact_verified_in_process_against_an_asgi_app() -> None:
    """The V4 shared pact also passes against the same provider as an in-process ASGI app."""
    result = verify_provider(
        shared_dir() / "pacts" / "pact-python-v4-sample.json", app=asgi_app(ItemsBehaviour())
    )
    assert result.success, format_verification_report(result)


def _write_pact_python_pact(folder: Path) -> Path:
    from pact import Pact, match

    pact = Pact("interop-consumer", "interop-provider")
    (
        pact.upon_receiving("get item 3")
        .given("item 3 exists", id=3)
        .with_request("GET", "/items/3")
        .will_respond_with(200)
        .with_body(
            {
                "id": match.int(3),
                "name": match.str("item 3"),
                "sku": match.regex("SKU-000003", regex=r"^SKU-\d{6}$"),
            },
            content_type="application/json",
        )
    )
    pact.write_file(folder)
    return folder / "interop-consumer-interop-provider.json"


def pact_python_verdict(pact_file: Path, url: str, provider: str = "interop-provider") -> bool:
    """pact-python's (Rust) `Verifier` verdict on `pact_file` against the provider at `url`."""
    from pact import Verifier

    def handler(state: str, action: str, parameters: dict[str, Any] | None) -> None:
        """Accept every state (the provider serves any item)."""

    verifier = (
        Verifier(provider, host="127.0.0.1")
        .add_transport(url=url)
        .add_source(pact_file)
        .state_handler(handler, teardown=True)
    )
    try:
        verifier.verify()
    except RuntimeError:
        return False
    finally:
        # pact-python's state-callback server leaves its socket to the garbage
        # collector; collect now, inside the test that allows it.
        del verifier
        gc.collect()
    return True


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("mode", "verdict"), [("ok", True), ("bad_sku", False)])
def test_pact_written_by_pact_python_gets_the_same_verdict_from_both_verifiers(
    items: RunningProvider, tmp_path: Path, mode: str, verdict: bool
) -> None:
    """Both verifiers agree on a conforming and on a non-conforming provider."""
    pact_file = _write_pact_python_pact(tmp_path)
    items.behaviour.mode = mode
    ours = verify_provider(pact_file, base_url=items.url, state_setup=lambda state: None)
    theirs = pact_python_verdict(pact_file, items.url)
    assert ours.success is theirs is verdict
    if not verdict:
        (failed,) = ours.failed
        assert [m.path for m in failed.mismatches] == ["$.body.sku"]
