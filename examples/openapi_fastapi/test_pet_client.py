"""Consumer side: the shop's client against a mock pets API; the run writes the pact."""

import pytest
from pet_client import Pet, PetClient
from pets_contract import pets_contract


@pytest.mark.pact(pets_contract, interactions="list pets")
def test_lists_pets(pact_mock):
    client = PetClient(pact_mock.url)
    try:
        assert client.pets(limit=10) == [Pet(id=1, name="Rex")]
    finally:
        client.close()


@pytest.mark.pact(pets_contract, interactions="get a pet")
def test_gets_a_pet(pact_mock):
    client = PetClient(pact_mock.url)
    try:
        assert client.pet(1) == Pet(id=1, name="Rex")
    finally:
        client.close()
