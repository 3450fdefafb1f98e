"""Consumer tests of catalog-web: one against the example, one fuzzed.

The fuzzed test of the buggy consumer is marked as an expected failure, so the
example stays green; run ``pytest examples/fuzzing --runxfail`` to see it fail
with the shrunk response that breaks `first_item_name`::

    IndexError: list index out of range
    ...
    pactdsl fuzzing: the mock provider answered (shrunk):
      1. GET /items ('list items') -> status=200, headers={...}, body={'items': []}
"""

import pytest
from catalog import first_item_name, first_item_name_fixed
from catalog_contract import catalog_contract

from pactdsl import fuzz_contract, mock_provider


def test_first_item_name_with_the_example():
    with mock_provider(catalog_contract) as mock:
        assert first_item_name(mock.url) == "Desk lamp"


@pytest.mark.xfail(raises=IndexError, strict=True, reason="the bug this example is about")
@fuzz_contract(catalog_contract, max_examples=50)
def test_first_item_name_fuzzed(pact_mock):
    first_item_name(pact_mock.url)  # fails: the contract allows "items": []


@fuzz_contract(catalog_contract, max_examples=50)
def test_first_item_name_fixed_fuzzed(pact_mock):
    name = first_item_name_fixed(pact_mock.url)
    assert name is None or isinstance(name, str)
