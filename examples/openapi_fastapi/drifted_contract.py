"""The same contract as the shop first wrote it, drifted from what the pets API does.

It asks for pets of one `species` (a query parameter the API does not take) and
reads a `nickname` (the API's field is `name`). The shop's tests against the
mock would pass all the same: the mock serves what the contract says.
`pactdsl check-openapi` finds both against the app's OpenAPI document.
"""

from pactdsl import contract, interaction
from pactdsl.match import each_like, integer, like


@contract(consumer="shop", provider="pets")
def drifted_pets_contract():
    yield (
        interaction("list pets")
        .given("there are pets")
        .request(method="GET", path="/pets", query={"limit": "10", "species": "cat"})
        .responds(status=200, body=each_like({"id": integer(1), "name": like("Rex")}))
    )
    yield (
        interaction("get a pet")
        .given("pet 1 exists")
        .request(method="GET", path="/pets/1")
        .responds(status=200, body={"id": integer(1), "nickname": like("Rex")})
    )
