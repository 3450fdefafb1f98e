"""The contract between shop (consumer) and pets (provider), as the shop reads the API."""

from pactdsl import contract, interaction
from pactdsl.match import each_like, integer, like


@contract(consumer="shop", provider="pets")
def pets_contract():
    yield (
        interaction("list pets")
        .given("there are pets")
        .request(method="GET", path="/pets", query={"limit": "10"})
        .responds(status=200, body=each_like({"id": integer(1), "name": like("Rex")}))
    )
    yield (
        interaction("get a pet")
        .given("pet 1 exists")
        .request(method="GET", path="/pets/1")
        .responds(status=200, body={"id": integer(1), "name": like("Rex")})
    )
