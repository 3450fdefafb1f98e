"""The examples in `examples/` run: consumers against the mock, providers verified.

Each example is run twice: its own pytest files in a separate pytest process
(as a user would run them, pact file written at the end), and its parts
driven directly here, including a provider that breaks the contract.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from pactdsl._cli import build_cli
from pactdsl._mock import mock_provider
from pactdsl._verify import format_verification_report, verify_provider

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _plugin_args() -> list[str]:
    installed = any(
        ep.value == "pactdsl.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )
    return [] if installed else ["-p", "pactdsl.pytest_plugin"]


def _load(monkeypatch: pytest.MonkeyPatch, example: str, *names: str) -> list[ModuleType]:
    monkeypatch.syspath_prepend(str(EXAMPLES / example))
    return [importlib.import_module(name) for name in names]


def test_example_test_suites_pass_and_write_their_pacts(tmp_path: Path) -> None:
    """`pytest examples/checkout examples/async_asgi` passes and leaves both consumers' pacts."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(EXAMPLES / "checkout"),
            str(EXAMPLES / "async_asgi"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            *_plugin_args(),
            "--pact-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=EXAMPLES.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout
    for pact_name, interactions in [
        ("checkout-app-payment-service.json", 1),
        ("shop-frontend-inventory-api.json", 2),
    ]:
        assert f"wrote {tmp_path / pact_name}" in done.stdout
        document = json.loads((tmp_path / pact_name).read_text())
        assert len(document["interactions"]) == interactions


def test_checkout_consumer_against_the_mock(monkeypatch: pytest.MonkeyPatch) -> None:
    """checkout-app pays through the in-process mock of payment-service."""
    contract_module, app_module = _load(
        monkeypatch, "checkout", "checkout_contract", "checkout_app"
    )
    with mock_provider(contract_module.payment_service_contract) as mock:
        client = app_module.CheckoutClient(mock.url)
        payment = client.pay(1000, "USD")
        client.close()
    assert payment == app_module.Payment(id="string", status="success")


def test_payment_service_verified_on_a_real_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """payment-service on 127.0.0.1 passes; without its state setup it fails with 402."""
    contract_module, service_module = _load(
        monkeypatch, "checkout", "checkout_contract", "payment_service"
    )
    contract = contract_module.payment_service_contract
    service = service_module.PaymentService()
    with service_module.serve(service) as base_url:
        good = verify_provider(
            contract,
            base_url=base_url,
            state_setup=service.set_up_state,
            state_teardown=service.tear_down_state,
        )
        broken = verify_provider(contract, base_url=base_url)
    assert good.success, format_verification_report(good)
    assert not broken.success
    report = format_verification_report(broken)
    assert "Expected status: 200" in report
    assert "Actual status: 402" in report


def test_shop_frontend_against_the_mock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The async client reads an item, a missing item and a list from the mock."""
    contract_module, client_module = _load(
        monkeypatch, "async_asgi", "inventory_contract", "shop_frontend"
    )

    async def scenario() -> tuple[object, object, list[str]]:
        async with mock_provider(contract_module.inventory_contract) as mock:
            client = client_module.InventoryClient(mock.url)
            try:
                return (
                    await client.item("ABC-1234"),
                    await client.item("ZZZ-0000"),
                    await client.stocked_skus(),
                )
            finally:
                await client.aclose()

    found, missing, skus = asyncio.run(scenario())
    assert found == client_module.Item(sku="ABC-1234", name="Teapot", in_stock=5)
    assert missing is None
    assert skus == ["ABC-1234"]


def test_inventory_api_verified_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ASGI app passes in-process; without state setup two interactions fail."""
    contract_module, api = _load(monkeypatch, "async_asgi", "inventory_contract", "inventory_api")
    contract = contract_module.inventory_contract
    good = verify_provider(
        contract, app=api.app, state_setup=api.set_up_state, state_teardown=api.tear_down_state
    )
    assert len(good.passed) == 3, format_verification_report(good)
    api.STOCK.clear()
    broken = verify_provider(contract, app=api.app)
    assert sorted(f.description for f in broken.failed) == ["get a stocked item", "list items"]


def test_checkout_readme_cli_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The CLI commands in examples/checkout/README.md generate and verify the pact."""
    monkeypatch.chdir(EXAMPLES / "checkout")
    monkeypatch.setattr(sys, "path", list(sys.path))
    runner = CliRunner()
    generated = runner.invoke(
        build_cli(), ["generate", "checkout_contract", "--out", str(tmp_path)]
    )
    assert generated.exit_code == 0, generated.output
    verified = runner.invoke(
        build_cli(),
        [
            "verify",
            str(tmp_path / "checkout-app-payment-service.json"),
            "--app",
            "payment_service:app",
            "--state-setup",
            "payment_service:app.set_up_state",
        ],
    )
    assert verified.exit_code == 0, verified.output
    assert "Passed: 1/1 interactions" in verified.output
    readme = (EXAMPLES / "checkout" / "README.md").read_text()
    assert "pactdsl generate checkout_contract --out pacts" in readme
    assert "--app payment_service:app" in readme


def test_flask_orders_example_verifies_messages_from_the_cli_both_ways(tmp_path: Path) -> None:
    """examples/flask_orders: requests on the real-port mock, the Flask provider via the CLI."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(EXAMPLES / "flask_orders"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            *_plugin_args(),
            "--pact-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=EXAMPLES.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout
    document = json.loads((tmp_path / "order-web-orders.json").read_text())
    assert [i["description"] for i in document["interactions"]] == [
        "get order 1",
        "create an order",
    ]
    events = json.loads((tmp_path / "billing-orders.json").read_text())
    assert [m["description"] for m in events["messages"]] == ["an order created event"]
