"""The contract between shop-frontend (consumer) and inventory-api (provider)."""

from pactdsl import contract, interaction
from pactdsl.match import each_like, integer, like, regex

SKU = regex(r"[A-Z]{3}-\d{4}", "ABC-1234")


@contract(consumer="shop-frontend", provider="inventory-api")
def inventory_contract():
    yield (
        interaction("get a stocked item")
        .given("item ABC-1234 is in stock", quantity=5)
        .request(method="GET", path="/items/ABC-1234")
        .responds(status=200, body={"sku": SKU, "name": like("Teapot"), "in_stock": integer(5)})
    )
    yield (
        interaction("get an unknown item")
        .given("no item ZZZ-0000")
        .request(method="GET", path="/items/ZZZ-0000")
        .responds(status=404, body={"detail": like("Item not found")})
    )
    yield (
        interaction("list items")
        .given("item ABC-1234 is in stock", quantity=5)
        .request(method="GET", path="/items", query={"limit": "10"})
        .responds(status=200, body={"items": each_like({"sku": SKU, "in_stock": integer(5)})})
    )
