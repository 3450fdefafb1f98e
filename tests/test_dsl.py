"""The contract DSL: builders, definition-time checks, the registry, V4 extras."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

import pactdsl._dsl
from pactdsl import (
    Contract,
    ContractError,
    PactSpecError,
    ProviderState,
    contract,
    contracts,
    define_contract,
    generate_pact,
    get_contract,
    interaction,
    message,
    sync_message,
)
from pactdsl._dsl import AnyBuilder, InteractionBuilder
from pactdsl._messages import MessageBuilder, SyncMessageBuilder
from pactdsl._model import AnyInteraction, Interaction
from pactdsl.generate import provider_state
from pactdsl.match import each_like, integer, like, regex, status_code


def _ok(description: str = "get thing") -> InteractionBuilder:
    return interaction(description).request(method="GET", path="/thing").responds(status=200)


def _http(item: AnyInteraction) -> Interaction:
    """The item as an HTTP interaction (these contracts hold no messages)."""
    assert isinstance(item, Interaction)
    return item


def test_builder_is_immutable_and_partials_are_shared(clean_registry: None) -> None:
    """Every builder call returns a new builder, so a partial interaction can be reused."""
    base = interaction("get user").given("user exists", id=1)
    request = base.request(method="GET", path="/users/1")
    ok = request.responds(status=200, body={"id": integer(1)})
    missing = request.responds(status=404)
    assert base.request_part is None
    assert request.response_part is None
    assert ok is not missing
    assert ok != missing
    made = define_contract(
        "shared-partials",
        consumer="c",
        provider="p",
        interactions=[ok, missing.given("404 please")],
    )
    first, second = (_http(item) for item in made.interactions)
    assert first.response.status == 200
    assert second.response.status == 404
    assert [s.name for s in second.provider_states] == ["user exists", "404 please"]
    assert [s.name for s in first.provider_states] == ["user exists"]


def test_given_repeats_with_params() -> None:
    """.given may repeat, each with its own parameters (keywords or a dict)."""
    built = (
        interaction("x")
        .given("user exists", id=1, name="Ann")
        .given("has orders", {"order-count": 2})
        .given("plain")
    )
    assert built.states == (
        ProviderState("user exists", {"id": 1, "name": "Ann"}),
        ProviderState("has orders", {"order-count": 2}),
        ProviderState("plain", {}),
    )


def test_contract_body_may_yield_or_return(clean_registry: None) -> None:
    """@contract accepts a generator function or one that returns a list."""

    @contract(consumer="c", provider="p")
    def yielding():
        yield _ok("a")
        yield _ok("b")

    @contract(consumer="c", provider="p", name="returned-list")
    def returning():
        return [_ok("a"), _ok("b")]

    assert isinstance(yielding, Contract)
    assert isinstance(returning, Contract)
    assert [i.description for i in yielding.interactions] == ["a", "b"]
    assert returning.name == "returned-list"
    assert yielding.pact.interactions == returning.pact.interactions
    assert get_contract("yielding") is yielding
    assert get_contract("returned-list") is returning
    assert set(contracts()) == {"yielding", "returned-list"}


def test_define_contract_registers(clean_registry: None) -> None:
    """define_contract is the function form; get_contract reads it back by name."""
    made = define_contract("fn-form", consumer="c", provider="p", interactions=[_ok()])
    assert get_contract("fn-form") is made
    assert (made.consumer, made.provider, made.pact.consumer) == ("c", "p", "c")
    with pytest.raises(KeyError, match="no contract named 'nope'; registered: \\['fn-form'\\]"):
        get_contract("nope")


def test_define_contract_takes_http_and_message_builders(clean_registry: None) -> None:
    """define_contract is typed for every builder kind and Contract.builders keeps them in order."""
    made = define_contract(
        "mixed-builders",
        consumer="c",
        provider="p",
        interactions=[
            interaction("get thing").request(path="/thing").responds(status=200),
            message("thing created").with_content({"id": 1}),
            sync_message("thing query").with_request({"id": 1}).with_response({"name": "x"}),
        ],
    )
    assert [type(b) for b in made.builders] == [
        InteractionBuilder,
        MessageBuilder,
        SyncMessageBuilder,
    ]
    assert [i.description for i in made.interactions] == [
        "get thing",
        "thing created",
        "thing query",
    ]
    hints = get_type_hints(define_contract)
    assert hints["interactions"] == Iterable[AnyBuilder]
    # pactdsl/__init__.py renames the public classes' module; resolve in the defining one.
    hints = get_type_hints(Contract, globalns=vars(pactdsl._dsl))
    assert hints["builders"] == tuple[AnyBuilder, ...]
    assert set(get_args(AnyBuilder)) == {InteractionBuilder, MessageBuilder, SyncMessageBuilder}


def test_redefining_same_pair_replaces(clean_registry: None) -> None:
    """Redefining a name for the same consumer and provider (a reload) replaces it."""
    define_contract("reloaded", consumer="c", provider="p", interactions=[_ok("old")])
    newer = define_contract("reloaded", consumer="c", provider="p", interactions=[_ok("new")])
    assert get_contract("reloaded") is newer
    assert len(contracts()) == 1


def test_name_clash_names_both_definitions(clean_registry: None) -> None:
    """A name reused for another consumer/provider pair is an error naming both definitions."""
    first_line = inspect.currentframe().f_lineno + 2  # type: ignore[union-attr]

    @contract(consumer="shop", provider="stock", name="clash")
    def first():
        yield _ok()

    with pytest.raises(ContractError) as caught:

        @contract(consumer="shop", provider="billing", name="clash")
        def second():
            yield _ok()

    text = str(caught.value)
    assert "contract name 'clash' is taken" in text
    first_origin = "test_dsl.test_name_clash_names_both_definitions.<locals>.first"
    assert f"{first_origin} (line {first_line})" in text
    assert "shop -> stock" in text
    assert "shop -> billing" in text
    assert "<locals>.second" in text
    assert get_contract("clash") is first


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        pytest.param(
            interaction("x").request(method="GE T", path="/").responds(status=200),
            "contract 'checks', interaction 'x', request.method: method='GE T' is not an HTTP"
            " method",
            id="bad method",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="users").responds(status=200),
            "contract 'checks', interaction 'x', request.path: path='users' must start with '/'",
            id="path without slash",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="http://h/a").responds(status=200),
            "request.path: path='http://h/a' must start with '/'",
            id="URL as path",
        ),
        pytest.param(
            interaction("x").request(path="/items?page=2&tag=a&tag=b").responds(status=200),
            "contract 'checks', interaction 'x', request.path: path='/items?page=2&tag=a&tag=b' "
            "holds a query string, which Pact keeps apart from the path; declare path='/items', "
            "query={'page': '2', 'tag': ['a', 'b']}",
            id="query in path",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/").responds(status=600),
            "contract 'checks', interaction 'x', response.status: status=600 must be an HTTP "
            "status from 100 to 599",
            id="status 600",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/").responds(status=99),
            "response.status: status=99",
            id="status 99",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/").responds(status=True),
            "response.status: status=True",
            id="status bool",
        ),
        pytest.param(
            interaction("x").request(method="POST", path="/", body={"when": object}),
            "contract 'checks', interaction 'x', request.body: body.when=",
            id="body not JSON",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/").responds(body={"n": float("nan")}),
            "response.body: body.n=nan is not a JSON number",
            id="NaN in body",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/", headers={"X Bad": "1"}),
            "request.headers: header name 'X Bad' is not an HTTP token",
            id="header name with space",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/").responds(headers={"X:Y": "1"}),
            "response.headers: header name 'X:Y' is not an HTTP token",
            id="header name with colon",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/", headers={"X": None}),
            "request.headers['X']: value=None must be text",
            id="header value None",
        ),
        pytest.param(
            interaction("x").responds(status=200),
            "contract 'checks', interaction 'x', request: no request",
            id="no request",
        ),
        pytest.param(
            interaction("x").request(method="GET", path="/"),
            "contract 'checks', interaction 'x', response: no response",
            id="no response",
        ),
        pytest.param(
            interaction("x").given("s", when=object()).request(path="/").responds(),
            "contract 'checks', interaction 'x', given 's': params.when=",
            id="state params not JSON",
        ),
        pytest.param(
            "not a builder", "contract 'checks': item 0 is 'not a builder'", id="not a builder"
        ),
    ],
)
def test_definition_time_checks(clean_registry: None, builder: object, expected: str) -> None:
    """A bad definition fails at once, naming contract, interaction and field."""
    with pytest.raises(ContractError) as caught:
        define_contract("checks", consumer="c", provider="p", interactions=[builder])  # type: ignore[list-item]
    assert expected in str(caught.value)
    assert "checks" not in contracts()


def test_duplicate_description_and_states(clean_registry: None) -> None:
    """Two interactions with the same description and states are refused; other states are fine."""
    with pytest.raises(
        ContractError, match=r"interactions 0 and 1 share the description 'get thing'"
    ):
        define_contract("dupes", consumer="c", provider="p", interactions=[_ok(), _ok()])
    made = define_contract(
        "not-dupes",
        consumer="c",
        provider="p",
        interactions=[_ok(), _ok().given("other")],
    )
    assert len(made.interactions) == 2


def test_empty_names_are_refused(clean_registry: None) -> None:
    """Empty descriptions, consumers and providers are errors that say which."""
    with pytest.raises(ContractError, match="interaction\\(description=''\\)"):
        interaction("")
    with pytest.raises(ContractError, match="consumer='' must be a non-empty string"):
        define_contract("empty", consumer="", provider="p", interactions=[])


def test_matchers_anywhere(clean_registry: None) -> None:
    """Matchers stand in path, query values, header values, body and status."""
    made = define_contract(
        "anywhere",
        consumer="c",
        provider="p",
        interactions=[
            interaction("x")
            .request(
                method="get",
                path=regex(r"/items/\d+", "/items/3"),
                query={"page": like("1"), "tag": ["a", regex("[a-z]", "b")]},
                headers={"X-Id": provider_state("${id}", "7")},
            )
            .responds(status=status_code("success", 201), body=each_like({"id": integer(1)}))
        ],
    )
    item = _http(made.interactions[0])
    assert item.request.method == "GET"
    assert item.request.path == "/items/3"
    assert dict(item.request.query) == {"page": ("1",), "tag": ("a", "b")}
    assert item.request.headers["X-Id"] == ("7",)
    # provider_state carries a type rule, as pact-js's fromProviderState.
    assert sorted(item.request.matching_rules) == ["header", "path", "query"]
    assert sorted(item.request.generators) == ["header"]
    assert item.response.status == 201
    assert item.response.matching_rules["status"][""].matchers[0].to_rule() == {
        "match": "statusCode",
        "status": "success",
    }
    assert sorted(item.response.matching_rules["body"]) == ["$", "$[*].id"]
    assert item.response.body is not None
    assert item.response.body.content == [{"id": 1}]


def test_v4_extras(tmp_path: Path, clean_registry: None) -> None:
    """pending, comment and key appear in V4 files and make V3 refuse, writing nothing."""
    made = define_contract(
        "extras",
        consumer="c",
        provider="p",
        interactions=[_ok().pending().comment("flaky upstream").comment("see #12").key("abc")],
    )
    item = json.loads(generate_pact(made, output=tmp_path / "v4", spec="4.0").read_text())[
        "interactions"
    ][0]
    assert item["pending"] is True
    assert item["comments"] == {"text": ["flaky upstream", "see #12"]}
    assert item["key"] == "abc"
    with pytest.raises(PactSpecError, match=r"pending, key, comments need Pact V4"):
        generate_pact(made, output=tmp_path / "v3", spec="3.0.0")
    assert not (tmp_path / "v3").exists() or list((tmp_path / "v3").iterdir()) == []


def test_reprs_read_like_the_calls(clean_registry: None) -> None:
    """A builder's repr is the chain of calls that made it."""
    built = (
        interaction("x")
        .given("s", id=1)
        .request(method="GET", path="/a", query={"q": "1"})
        .responds(status=200, body={"a": like(1)})
        .pending()
        .comment("c")
        .key("k")
    )
    assert repr(built) == (
        "interaction('x').given('s', id=1).request(method='GET', path='/a', query={'q': '1'})"
        ".responds(status=200, body={'a': like(1)}).pending().comment('c').key('k')"
    )
    made = define_contract("repr", consumer="c", provider="p", interactions=[built])
    assert repr(made) == "Contract(name='repr', consumer='c', provider='p')"
