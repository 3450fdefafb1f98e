"""shop: the consumer, an httpx client of the pets API."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Pet:
    """What the shop shows of a pet."""

    id: int
    name: str


class PetClient:
    """Client of the pets API."""

    def __init__(self, base_url: str) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=5.0)

    def pets(self, limit: int = 10) -> list[Pet]:
        """The first `limit` pets."""
        response = self._client.get("/pets", params={"limit": str(limit)})
        response.raise_for_status()
        return [Pet(id=item["id"], name=item["name"]) for item in response.json()]

    def pet(self, pet_id: int) -> Pet:
        """The pet `pet_id`."""
        response = self._client.get(f"/pets/{pet_id}")
        response.raise_for_status()
        data = response.json()
        return Pet(id=data["id"], name=data["name"])

    def close(self) -> None:
        self._client.close()
