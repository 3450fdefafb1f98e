"""shop-frontend: the consumer, an async httpx client of inventory-api."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Item:
    """What the shop shows of an item."""

    sku: str
    name: str
    in_stock: int


class InventoryClient:
    """Async client of inventory-api."""

    def __init__(self, base_url: str) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=5.0)

    async def item(self, sku: str) -> Item | None:
        """The item `sku`, or None when inventory-api does not know it."""
        response = await self._client.get(f"/items/{sku}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        data = response.json()
        return Item(sku=data["sku"], name=data["name"], in_stock=data["in_stock"])

    async def stocked_skus(self, limit: int = 10) -> list[str]:
        """The SKUs of the first `limit` items."""
        response = await self._client.get("/items", params={"limit": str(limit)})
        response.raise_for_status()
        return [entry["sku"] for entry in response.json()["items"]]

    async def aclose(self) -> None:
        await self._client.aclose()
