"""Callbacks get exactly what their signatures ask for, or the run refuses them before it starts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from pactdsl import (
    define_contract,
    interaction,
    message,
    sync_message,
    verify_message_consumer,
    verify_provider,
)
from pactdsl._callbacks import CallbackSignatureError
from pactdsl._dsl import Contract
from pactdsl._verify import VerificationConfigError

pytestmark = pytest.mark.usefixtures("clean_registry")


class _Shop:
    """A WSGI provider whose answer depends on the state its setup put it in."""

    def __init__(self) -> None:
        self.stock: dict[str, int] = {}
        self.requests = 0
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        self.requests += 1
        item = environ["PATH_INFO"].rsplit("/", 1)[-1]
        if item not in self.stock:
            start_response("404 Not Found", [])
            return [b""]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"item": item, "count": self.stock[item]}).encode()]


def _stock_contract() -> Contract:
    token = uuid.uuid4().hex[:8]
    return define_contract(
        f"stock_{token}",
        consumer=f"till-{token}",
        provider=f"stock-{token}",
        interactions=[
            interaction("get apples")
            .given("an item is in stock", item="apple", count=3)
            .request(method="GET", path="/stock/apple")
            .responds(status=200, body={"item": "apple", "count": 3})
        ],
    )


def _accepted_setups(shop: _Shop) -> dict[str, Callable[..., Any]]:
    """One state setup per accepted shape, each recording what it got and stocking the shop."""

    def state_and_params(state: str, params: dict[str, Any]) -> None:
        shop.calls.append((state, params))
        shop.stock[params["item"]] = params["count"]

    def spread(state: str, **params: Any) -> None:
        shop.calls.append((state, params))
        shop.stock[params["item"]] = params["count"]

    def pact_python(state: str, action: str = "setup", parameters: Any = None) -> None:
        shop.calls.append((state, action, parameters))
        if action == "setup":
            shop.stock[parameters["item"]] = parameters["count"]

    def state_action(state: str, action: str) -> None:
        shop.calls.append((state, action))
        shop.stock["apple"] = 3

    def keyword_only(name: str, *, params: dict[str, Any], timeout: float = 1.0) -> None:
        shop.calls.append((name, params, timeout))
        shop.stock[params["item"]] = params["count"]

    def renamed(s: str, p: dict[str, Any]) -> None:
        shop.calls.append((s, p))
        shop.stock[p["item"]] = p["count"]

    return {
        "f(state, params)": state_and_params,
        "f(state, **params)": spread,
        "pact-python": pact_python,
        "f(state, action)": state_action,
        "keyword-only": keyword_only,
        "positional names": renamed,
    }


_EXPECTED_CALLS = {
    "f(state, params)": [("an item is in stock", {"item": "apple", "count": 3})],
    "f(state, **params)": [("an item is in stock", {"item": "apple", "count": 3})],
    "pact-python": [("an item is in stock", "setup", {"item": "apple", "count": 3})],
    "f(state, action)": [("an item is in stock", "setup")],
    "keyword-only": [("an item is in stock", {"item": "apple", "count": 3}, 1.0)],
    "positional names": [("an item is in stock", {"item": "apple", "count": 3})],
}


@pytest.mark.parametrize("shape", sorted(_EXPECTED_CALLS))
def test_each_accepted_state_setup_shape_gets_what_it_asks_for(shape: str) -> None:
    """Every accepted signature receives the state, params and action it names, and passes."""
    shop = _Shop()
    setup = _accepted_setups(shop)[shape]
    result = verify_provider(_stock_contract(), app=shop, state_setup=setup)
    assert result.success, result
    assert shop.calls == _EXPECTED_CALLS[shape]


def test_pact_python_handler_serves_setup_and_teardown_with_the_action() -> None:
    """pact-python's ``f(state, action="setup", parameters=None)`` gets each action in turn."""
    shop = _Shop()
    handler = _accepted_setups(shop)["pact-python"]
    result = verify_provider(
        _stock_contract(), app=shop, state_setup=handler, state_teardown=handler
    )
    assert result.success, result
    params = {"item": "apple", "count": 3}
    assert shop.calls == [
        ("an item is in stock", "setup", params),
        ("an item is in stock", "teardown", params),
    ]


def _star_args(*args: Any) -> None:
    """Leaves what it receives to guess."""


def _optional_guess(state: str, extra: Any = None) -> None:
    """Could be asking for the params, or for nothing."""


def _two_states(state: str, name: str) -> None:
    """Asks twice for the state's name."""


def _required_keyword(state: str, *, database: Any) -> None:
    """Needs a keyword we do not have."""


def _too_many(state: str, params: Any, third: Any) -> None:
    """Has a third required positional parameter nothing fills."""


def _nothing(params: dict[str, Any]) -> None:
    """Never learns which state to set up."""


@pytest.mark.parametrize(
    ("setup", "why"),
    [
        (_star_args, "*args leaves what it receives to guess"),
        (_optional_guess, "the optional parameter extra=None could be meant for the params"),
        (_two_states, "both 'state' and 'name' ask for the state"),
        (_required_keyword, "the keyword-only parameter 'database' gets no value"),
        (_too_many, "the parameter 'third' gets no value"),
        (_nothing, "it takes no parameter for the state"),
        (max, "its signature cannot be read"),
    ],
    ids=["star-args", "optional", "twice", "keyword", "too-many", "no-state", "builtin"],
)
def test_an_unbindable_state_setup_is_refused_before_any_request(
    setup: Callable[..., Any], why: str
) -> None:
    """A signature we would have to guess raises at the start, naming it and the accepted shapes."""
    shop = _Shop()
    with pytest.raises(VerificationConfigError) as caught:
        verify_provider(_stock_contract(), app=shop, state_setup=setup)
    text = str(caught.value)
    assert text.startswith(f"state_setup={getattr(setup, '__qualname__', setup)}: {why}; ")
    assert "f(state, params)" in text
    assert "pact-python" in text
    assert shop.requests == 0


def test_an_unbindable_state_teardown_is_refused_too() -> None:
    """The teardown is bound at the start as well, named as state_teardown."""
    shop = _Shop()
    with pytest.raises(VerificationConfigError, match=r"^state_teardown=_star_args: \*args"):
        verify_provider(_stock_contract(), app=shop, state_teardown=_star_args)
    assert shop.requests == 0


def test_spread_params_colliding_with_a_parameter_are_an_error_not_a_pass() -> None:
    """``f(state, **params)`` with a param called "state" errors the interaction, naming it."""
    token = uuid.uuid4().hex[:8]
    contract = define_contract(
        f"clash_{token}",
        consumer=f"c-{token}",
        provider=f"p-{token}",
        interactions=[
            interaction("get apples")
            .given("stocked", state="fresh")
            .request(method="GET", path="/stock/apple")
            .responds(status=404)
        ],
    )
    shop = _Shop()
    result = verify_provider(contract, app=shop, state_setup=lambda state, **params: None)
    assert not result.success
    (entry,) = result.errors
    assert entry.phase == "state setup"
    assert "the params 'state' collide with its own parameters" in entry.message


def _events(token: str) -> Contract:
    return define_contract(
        f"events_{token}",
        consumer=f"billing-{token}",
        provider=f"orders-{token}",
        interactions=[
            message("order created").given("an order", id=7).with_content({"id": 7}),
            sync_message("price query")
            .with_request({"item": "apple"}, metadata={"kind": "query"})
            .with_response({"price": 2}),
        ],
    )


def test_message_producers_get_what_their_signatures_ask_for() -> None:
    """Async producers get the params (one dict or spread), sync ones the request and metadata."""
    got: list[Any] = []

    def created(**params: Any) -> dict[str, Any]:
        got.append(params)
        return {"id": params["id"]}

    def price(request: Any, metadata: Any) -> dict[str, Any]:
        got.append((request, metadata))
        return {"price": 2}

    result = verify_provider(
        _events(uuid.uuid4().hex[:8]),
        message_producers={"order created": created, "price query": price},
    )
    assert result.success, result
    assert got == [
        {"id": 7},
        ({"item": "apple"}, {"kind": "query", "contentType": "application/json"}),
    ]


def test_an_unbindable_producer_is_refused_before_anything_runs() -> None:
    """A producer with a guessed parameter raises at the start, naming the message it serves."""
    calls: list[Any] = []

    def created(params: Any, extra: Any = None) -> dict[str, Any]:
        calls.append(params)
        return {"id": 7}

    with pytest.raises(VerificationConfigError) as caught:
        verify_provider(
            _events(uuid.uuid4().hex[:8]),
            message_producers={"order created": created, "price query": lambda: {"price": 2}},
        )
    assert str(caught.value).startswith(
        "message producer for 'order created': the optional parameter extra=None"
    )
    assert "f(params), f(**params)" in str(caught.value)
    assert calls == []


def test_consumer_message_handler_binds_by_name_and_refuses_guesses() -> None:
    """``handler(contents, metadata=None)`` gets the metadata; ``handler(*args)`` is refused."""
    seen: list[Any] = []

    def handle(contents: Any, metadata: Any = None) -> None:
        seen.append((contents, metadata))

    result = verify_message_consumer(_events(uuid.uuid4().hex[:8]), handle)
    assert result.success
    assert seen[0] == ({"id": 7}, {"contentType": "application/json"})
    with pytest.raises(CallbackSignatureError, match=r"^handler=_star_args: \*args"):
        verify_message_consumer(_events(uuid.uuid4().hex[:8]), _star_args)
