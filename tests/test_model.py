"""The pact model is immutable and hashable: real pacts hash, equal ones alike, none changes."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from pactdsl import define_contract, interaction, message, sync_message
from pactdsl._model import (
    Body,
    FrozenDict,
    Interaction,
    Message,
    MessageContents,
    Pact,
    PactSpec,
    ProviderState,
    Request,
    Response,
    SynchronousMessage,
)
from pactdsl._pactfile import load_pact, pact_from_json, pact_to_json
from pactdsl.generate import random_int
from pactdsl.match import each_like, each_value, integer, like, regex
from tests._shared import shared_dir

MODEL_CLASSES = {
    Body,
    Interaction,
    Message,
    MessageContents,
    Pact,
    ProviderState,
    Request,
    Response,
    SynchronousMessage,
}


def _shared_pact_files() -> list[Path]:
    return sorted((shared_dir() / "pacts").glob("*.json"))


def _message_pact() -> Pact:
    """A V4 pact with every kind of interaction, as read back from its JSON."""
    made = define_contract(
        "model-mixed",
        consumer="model-web",
        provider="model-api",
        interactions=[
            interaction("get order")
            .given("an order exists", id=1, tags=["a", "b"])
            .request(method="GET", path="/orders/1", query={"full": "yes"}, headers={"X": "1"})
            .responds(
                body={"id": integer(1), "lines": each_like({"sku": like("A")})},
                headers={"X-Id": regex(r"\d+", "7")},
            ),
            message("order shipped")
            .given("an order was shipped", id=3)
            .with_content({"id": integer(3), "meta": each_value({"k": [1]}, like(1))})
            .comment("shipping"),
            sync_message("price query")
            .with_request({"sku": "A"}, metadata={"replyTo": "prices"})
            .with_response({"price": random_int(1, 9)}, metadata={"currency": "EUR"}),
        ],
    )
    return pact_from_json(pact_to_json(made.pact, PactSpec.V4, {}))


def _pacts() -> Iterator[tuple[str, Pact]]:
    for path in _shared_pact_files():
        yield path.name, load_pact(path)
    yield "messages (V4)", _message_pact()


def _model_objects(value: Any) -> Iterator[Any]:
    """Every model object inside `value` (the pact itself included)."""
    if type(value) in MODEL_CLASSES:
        yield value
        for field in attrs.fields(type(value)):
            yield from _model_objects(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _model_objects(item)


def test_every_model_class_of_real_pacts_hashes() -> None:
    """hash() works on every model object of the shared pact files and a V4 message pact."""
    seen: set[type] = set()
    assert _shared_pact_files(), "no pact files in ../shared/pacts"
    for name, pact in _pacts():
        for obj in _model_objects(pact):
            assert isinstance(hash(obj), int), (name, type(obj).__name__)
            seen.add(type(obj))
    assert seen == MODEL_CLASSES


@pytest.mark.parametrize("path", _shared_pact_files(), ids=lambda p: p.name)
def test_equal_pacts_hash_equal_and_a_round_trip_keeps_both(path: Path) -> None:
    """A pact read twice, or written as V4 and read back, is equal and hashes equal."""
    first, second = load_pact(path), load_pact(path)
    assert first == second
    assert first is not second
    assert hash(first) == hash(second)
    again = pact_from_json(pact_to_json(first, PactSpec.V4, {}))
    assert again == first
    assert hash(again) == hash(first)
    assert {first, second, again} == {first}
    for mine, theirs in zip(first.interactions, again.interactions, strict=True):
        assert hash(mine) == hash(theirs)


def _assign(target: Any, key: Any, value: Any) -> None:
    target[key] = value


def _mutations(pact: Any) -> Iterator[tuple[str, Any]]:
    """(what, a callable changing it in place) for each mapping and sequence of the model."""
    http = pact.http_interactions[0]
    shipped, query = pact.interactions[1], pact.interactions[2]
    assert [type(item) for item in pact.interactions] == [Interaction, Message, SynchronousMessage]
    yield "request headers", lambda: http.request.headers.__setitem__("X", ("2",))
    yield "request query", lambda: http.request.query.pop("full")
    yield "response headers", http.response.headers.clear
    yield "rules by category", lambda: http.response.matching_rules.__delitem__("body")
    yield "rules of a category", lambda: http.response.matching_rules["body"].update({})
    yield "generators", lambda: query.responses[0].generators.setdefault("body", {})
    yield "state params", lambda: http.provider_states[0].params.__setitem__("id", 2)
    yield "comments", shipped.comments.popitem
    yield "message metadata", lambda: query.request.metadata.__ior__({"a": 1})
    yield "pact metadata", lambda: pact.metadata.__setitem__("x", 1)
    yield "interactions", lambda: _assign(pact.interactions, 0, http)
    yield "responses", lambda: _assign(query.responses, 0, query.request)


def test_nothing_in_the_model_changes_in_place() -> None:
    """Setting an attribute, or changing a mapping or sequence of the model, raises."""
    pact = _message_pact()
    before = pact_to_json(pact, PactSpec.V4, {})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        pact.http_interactions[0].request.path = "/other"  # type: ignore[misc]
    for what, change in _mutations(pact):
        with pytest.raises(TypeError):
            change()
        assert pact_to_json(pact, PactSpec.V4, {}) == before, what


def test_frozen_dict_equals_plain_dicts_and_serialises_as_one() -> None:
    """A FrozenDict equals the dict it came from, dumps as JSON, copies and pickles equal."""
    plain = {"a": (1, 2), "b": "x"}
    frozen = FrozenDict(plain)
    assert frozen == plain
    assert plain == frozen
    assert hash(frozen) == hash(FrozenDict(dict(reversed(plain.items()))))
    assert json.loads(json.dumps(FrozenDict({"a": [1], "b": {"c": None}}))) == {
        "a": [1],
        "b": {"c": None},
    }
    for duplicate in (copy.copy(frozen), copy.deepcopy(frozen), pickle.loads(pickle.dumps(frozen))):
        assert type(duplicate) is FrozenDict
        assert duplicate == frozen
    with pytest.raises(TypeError, match="read-only"):
        frozen["a"] = (3,)


def test_builders_may_pass_plain_dicts_and_lists() -> None:
    """The fields' converters freeze what a builder passes: dicts, lists of header values."""
    request = Request(
        "GET",
        "/",
        headers={"Accept": ["a", "b"]},
        matching_rules={"body": {}},
        generators={},
    )
    assert type(request.headers) is FrozenDict
    assert request.headers == {"Accept": ("a", "b")}
    assert type(request.matching_rules["body"]) is FrozenDict
    assert request == Request(
        "GET", "/", headers={"Accept": ("a", "b")}, matching_rules={"body": {}}
    )
    assert hash(request) == hash(Request("GET", "/", headers={"Accept": ("a", "b")}))
    pact = Pact("c", "p", [Interaction("d", request, Response(200))])
    assert type(pact.interactions) is tuple


def test_a_header_given_as_one_string_is_refused() -> None:
    """A header value that is a bare string (not a tuple of them) raises naming it."""
    with pytest.raises(TypeError, match=r"'Accept'='a' must be a tuple of strings"):
        Request("GET", "/", headers={"Accept": "a"})


def test_json_values_take_part_in_equality_but_not_in_the_hash() -> None:
    """Bodies and params that differ make unequal objects, whose hashes may still agree."""
    one, two = Body({"id": [1]}, "application/json"), Body({"id": [2]}, "application/json")
    assert one != two
    assert hash(one) == hash(two)
    assert ProviderState("s", {"id": 1}) != ProviderState("s", {"id": 2})
    assert hash(ProviderState("s", {"id": [1]})) == hash(ProviderState("s", {"id": [1]}))
