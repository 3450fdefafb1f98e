"""The contract between catalog-web (consumer) and catalog-service (provider)."""

from pactdsl import contract, interaction
from pactdsl.match import each_like, integer, like


@contract(consumer="catalog-web", provider="catalog-service", name="fuzzing_example_catalog")
def catalog_contract():
    yield (
        interaction("list items")
        .request(method="GET", path="/items")
        .responds(
            status=200,
            body={"items": each_like({"id": integer(1), "name": like("Desk lamp")}, min=0)},
        )
    )
