"""The consumer: a catalog web page that shows the first item's name.

`first_item_name` has a bug the example-based mock never shows: the contract
says the list may be empty (``each_like(..., min=0)``), and it indexes
``items[0]`` anyway. `first_item_name_fixed` is the corrected version.
"""

import httpx


def first_item_name(base_url: str) -> str:
    """The name of the first item in the catalog."""
    response = httpx.get(f"{base_url}/items")
    response.raise_for_status()
    items = response.json()["items"]
    return items[0]["name"]  # the bug: the provider may answer with no items


def first_item_name_fixed(base_url: str) -> str | None:
    """The name of the first item in the catalog, or None when it is empty."""
    response = httpx.get(f"{base_url}/items")
    response.raise_for_status()
    items = response.json()["items"]
    return items[0]["name"] if items else None
