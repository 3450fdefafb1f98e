"""Consumer side: the async shop-frontend client against a mock inventory-api.

The mock serves httpx in-process (no socket); asyncio.run keeps the example
free of an async pytest plugin.
"""

import asyncio

import pytest
from inventory_contract import inventory_contract
from shop_frontend import InventoryClient

from pactdsl import mock_provider


@pytest.mark.pact(inventory_contract, interactions="get a stocked item")
def test_shows_a_stocked_item(pact_mock):
    async def scenario():
        client = InventoryClient(pact_mock.url)
        try:
            return await client.item("ABC-1234")
        finally:
            await client.aclose()

    item = asyncio.run(scenario())
    assert item is not None
    assert item.in_stock == 5


@pytest.mark.pact(inventory_contract, given="no item ZZZ-0000")
def test_unknown_item_is_none(pact_mock):
    async def scenario():
        client = InventoryClient(pact_mock.url)
        try:
            return await client.item("ZZZ-0000")
        finally:
            await client.aclose()

    assert asyncio.run(scenario()) is None


def test_lists_skus_with_async_with():
    async def scenario():
        async with mock_provider(inventory_contract, interactions="list items") as mock:
            client = InventoryClient(mock.url)
            try:
                return await client.stocked_skus(limit=10)
            finally:
                await client.aclose()

    assert asyncio.run(scenario()) == ["ABC-1234"]
