"""The fuzzing example (examples/fuzzing): a consumer bug found and shrunk by fuzz_contract."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from pactdsl import fuzz_contract
from pactdsl._mock import mock_provider

EXAMPLE = Path(__file__).parent.parent / "examples" / "fuzzing"


def _load(name: str) -> ModuleType:
    unique = f"pactdsl_fuzzing_example_{name}"
    if unique in sys.modules:
        return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(unique, EXAMPLE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return module


catalog = _load("catalog")
catalog_contract = _load("catalog_contract").catalog_contract


def test_the_buggy_consumer_passes_against_the_example() -> None:
    """The example-based mock serves one item, so indexing items[0] works."""
    with mock_provider(catalog_contract) as mock:
        assert catalog.first_item_name(mock.url) == "Desk lamp"


def test_fuzzing_finds_the_empty_list_and_shows_the_shrunk_response() -> None:
    """Under fuzz_contract the consumer fails on items: [] and the note shows that response."""

    @fuzz_contract(catalog_contract, max_examples=50)
    def consumer_test(pact_mock: object) -> None:
        catalog.first_item_name(pact_mock.url)  # type: ignore[attr-defined]

    with pytest.raises(IndexError) as caught:
        consumer_test()
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "pactdsl fuzzing: the mock provider answered (shrunk):" in notes
    assert "GET /items ('list items') -> status=200" in notes
    assert "body={'items': []}" in notes


def test_the_fixed_consumer_survives_fuzzing() -> None:
    """The corrected consumer handles every response the contract allows."""
    seen: list[object] = []

    @fuzz_contract(catalog_contract, max_examples=30)
    def consumer_test(pact_mock: object) -> None:
        seen.append(catalog.first_item_name_fixed(pact_mock.url))  # type: ignore[attr-defined]

    consumer_test()
    assert None in seen
    assert any(isinstance(name, str) for name in seen)
