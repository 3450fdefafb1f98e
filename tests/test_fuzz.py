"""Contract fuzzing: fuzz_response_factory, mock_provider(fuzz=True) and fuzz_contract."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import Phase, given, seed, settings
from hypothesis import strategies as st

from pactdsl import Contract, define_contract, fuzz_contract, interaction
from pactdsl._http_json import actual_response_json, expected_response_json
from pactdsl._mock import mock_provider
from pactdsl.match import each_like, integer, like, regex
from pactdsl.matching import match_response
from pactdsl.strategies import fuzz_response_factory


def _catalog(name: str) -> Contract:
    return define_contract(
        name,
        consumer="fuzz-web",
        provider="fuzz-catalog",
        interactions=[
            interaction("list items")
            .request(method="GET", path="/items")
            .responds(
                status=200,
                headers={"X-Page": regex(r"\d{1,3}", "1")},
                body={"items": each_like({"id": integer(1), "name": like("Lamp")}, min=0)},
            ),
            interaction("get item")
            .request(method="GET", path="/items/1")
            .responds(status=200, body={"id": integer(1)}),
        ],
    )


_NO_EXPLAIN = [phase for phase in Phase if phase is not Phase.explain]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """One client for a test's requests, closed after it so no kept-alive socket outlives it."""
    # One client rather than one per request: a new client loads the TLS store (slow).
    with httpx.Client() as shared:
        yield shared


def _items(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    response = client.get(f"{url}/items")
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_seeded_factory_is_reproducible_and_fresh(clean_registry: None) -> None:
    """Outside hypothesis, the same seed gives the same responses, and calls differ."""
    catalog = _catalog("fuzz_seeded")
    listing = catalog.pact.interaction("list items")
    first = fuzz_response_factory(catalog, seed=7)
    second = fuzz_response_factory(catalog, seed=7)
    drawn = [first(listing) for _ in range(6)]
    assert drawn == [second(listing) for _ in range(6)]
    assert len({body for _, _, body in drawn}) > 1
    expected = expected_response_json(listing)
    for status, headers, body in drawn:
        pairs = [(name, value) for name, values in headers.items() for value in values]
        actual = actual_response_json(status, pairs, body)
        assert [str(m) for m in match_response(expected, actual, "4.0")] == []


def test_mock_provider_fuzz_serves_responses_within_the_contract(
    clean_registry: None, client: httpx.Client
) -> None:
    """mock_provider(fuzz=True) outside hypothesis answers with responses the contract allows."""
    catalog = _catalog("fuzz_mock")
    with mock_provider(catalog, fuzz=True, interactions="list items") as mock:
        for _ in range(5):
            response = client.get(f"{mock.url}/items")
            assert response.status_code == 200
            assert response.headers["X-Page"].isdigit()
            for item in response.json()["items"]:
                assert isinstance(item["id"], int)
                assert isinstance(item["name"], str)


def test_fuzz_inside_a_given_test_draws_through_its_data(
    clean_registry: None, client: httpx.Client
) -> None:
    """In a user's own hypothesis test the fuzzed mock shrinks with the test."""
    catalog = _catalog("fuzz_given")
    lengths: list[int] = []

    @settings(max_examples=100, database=None, phases=_NO_EXPLAIN)
    @given(st.just(None))
    def consumer_test(_: None) -> None:
        with mock_provider(catalog, fuzz=True, interactions="list items") as mock:
            items = _items(client, mock.url)
            lengths.append(len(items))
            assert len(items) < 2

    with pytest.raises(AssertionError) as caught:
        consumer_test()
    assert lengths[-1] == 2  # the final run replays the shrunk example
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "Draw 1 (response to 'list items'): DrawnResponse(" in notes


def test_fuzz_contract_over_a_real_socket_shrinks_and_shows_the_response(
    clean_registry: None, client: httpx.Client
) -> None:
    """With port=0 responses are drawn on the server thread and still shrink and show."""
    catalog = _catalog("fuzz_socket")

    @fuzz_contract(catalog, max_examples=100, interactions="list items", port=0)
    def consumer_test(pact_mock: Any) -> None:
        assert pact_mock.url.startswith("http://127.0.0.1:")
        for item in _items(client, pact_mock.url):
            assert item["id"] < 10

    with pytest.raises(AssertionError) as caught:
        consumer_test()
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "body={'items': [{'id': 10, 'name': ''}]}" in notes
    assert "headers={'X-Page': ['0']" in notes


def test_fuzz_contract_is_reproducible_by_seed(clean_registry: None, client: httpx.Client) -> None:
    """Two runs of a fuzzed test under the same @seed serve the same responses."""
    catalog = _catalog("fuzz_seed")
    runs: list[list[Any]] = []

    def make() -> Any:
        @seed(1234)
        @fuzz_contract(catalog, max_examples=15, interactions="list items")
        def consumer_test(pact_mock: Any) -> None:
            runs[-1].append(_items(client, pact_mock.url))

        return consumer_test

    for _ in range(2):
        runs.append([])
        make()()
    assert runs[0] == runs[1]
    assert len(runs[0]) == 15


def test_fuzz_contract_hides_the_mock_parameter_from_pytest(clean_registry: None) -> None:
    """The decorated test's signature keeps its fixtures and drops pact_mock."""
    catalog = _catalog("fuzz_signature")

    @fuzz_contract(catalog, interactions="get item")
    def consumer_test(tmp_path: Any, pact_mock: Any) -> None:
        del tmp_path, pact_mock

    assert list(inspect.signature(consumer_test).parameters) == ["tmp_path"]


def test_fuzz_contract_rejects_bad_arguments(clean_registry: None) -> None:
    """A bad max_examples or an async test is refused with a message naming it."""
    catalog = _catalog("fuzz_bad")
    with pytest.raises(ValueError, match="max_examples=0 must be a whole number >= 1"):
        fuzz_contract(catalog, max_examples=0)

    async def async_test(pact_mock: Any) -> None:
        del pact_mock

    with pytest.raises(TypeError, match="is async"):
        # The signature forbids an async test; this checks the refusal at run time.
        fuzz_contract(catalog)(async_test)  # type: ignore[arg-type]
