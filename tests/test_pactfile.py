"""Pact files: the seed contract, files other tools wrote, and malformed input."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pactdsl import (
    Interaction,
    PactFileError,
    PactSpec,
    PactSpecError,
    contract,
    define_contract,
    generate_pact,
    interaction,
    load_pact,
)
from pactdsl.generate import random_int
from pactdsl.match import (
    array_contains,
    each_key,
    each_like,
    each_value,
    integer,
    like,
    not_empty,
    regex,
    semver,
    status_code,
    type_of,
)
from tests._shared import shared_dir


def test_seed_payment_contract_writes_v3(tmp_path: Path, clean_registry: None) -> None:
    """The seed's payment contract becomes checkout-app-payment-service.json in V3 shape."""

    @contract(consumer="checkout-app", provider="payment-service")
    def payment_service_contract():
        yield (
            interaction("process payment")
            .given("user has valid payment method")
            .request(method="POST", path="/payments", body={"amount": 1000, "currency": "USD"})
            .responds(status=200, body={"id": type_of(str), "status": "success"})
        )

    path = generate_pact(payment_service_contract, output=tmp_path / "pacts")
    assert path == tmp_path / "pacts" / "checkout-app-payment-service.json"
    document = json.loads(path.read_text("utf-8"))
    assert document["metadata"]["pactSpecification"]["version"] == "3.0.0"
    assert document["metadata"]["pactdsl"]["version"]
    (only,) = document["interactions"]
    assert only["providerStates"] == [{"name": "user has valid payment method"}]
    assert only["response"]["matchingRules"]["body"]["$.id"] == {
        "combine": "AND",
        "matchers": [{"match": "type"}],
    }
    assert only["response"]["body"] == {"id": "string", "status": "success"}
    assert only["request"]["body"] == {"amount": 1000, "currency": "USD"}
    assert load_pact(path) == payment_service_contract.pact


def test_generate_pact_accepts_registered_name_and_spec_spellings(
    tmp_path: Path, clean_registry: None
) -> None:
    """generate_pact takes a registered name, and "V2"/"2.0.0", "V4"/"4.0" alike."""
    define_contract(
        "spellings",
        consumer="a",
        provider="b",
        interactions=[interaction("x").request(method="GET", path="/").responds(status=200)],
    )
    for spec, expected in [("V2", "2.0.0"), ("2.0.0", "2.0.0"), ("V3", "3.0.0"), ("V4", "4.0")]:
        path = generate_pact("spellings", output=tmp_path / spec, spec=spec)
        assert json.loads(path.read_text())["metadata"]["pactSpecification"]["version"] == expected
    with pytest.raises(ValueError, match=r"spec='5' is not a Pact specification version"):
        generate_pact("spellings", output=tmp_path, spec="5")


def test_v2_shapes(tmp_path: Path, clean_registry: None) -> None:
    """V2 has flat $.body rules, providerState, a query string and joined header values."""
    made = define_contract(
        "v2-shapes",
        consumer="a",
        provider="b",
        interactions=[
            interaction("search")
            .given("items exist")
            .request(
                method="GET",
                path=regex(r"/items/\d+", "/items/1"),
                query={"q": ["a b", "c"], "n.x": like("1")},
                headers={"Accept": ["text/plain", "application/json"]},
            )
            .responds(status=200, body={"items": each_like({"id": like(1)}, min=2)})
        ],
    )
    item = json.loads(generate_pact(made, output=tmp_path, spec="2.0.0").read_text())[
        "interactions"
    ][0]
    assert item["providerState"] == "items exist"
    assert "providerStates" not in item
    assert item["request"]["query"] == "q=a+b&q=c&n.x=1"
    assert item["request"]["headers"] == {"Accept": "text/plain, application/json"}
    assert item["request"]["matchingRules"] == {
        "$.path": {"match": "regex", "regex": r"/items/\d+"},
        "$.query['n.x']": {"match": "type"},
    }
    assert item["response"]["matchingRules"] == {
        "$.body.items": {"match": "type", "min": 2},
        "$.body.items[*].id": {"match": "type"},
    }
    assert len(item["response"]["body"]["items"]) == 2


def test_v4_shapes(tmp_path: Path, clean_registry: None) -> None:
    """V4 has typed interactions, pending, key, comments, body objects and list headers."""
    made = define_contract(
        "v4-shapes",
        consumer="a",
        provider="b",
        interactions=[
            interaction("x")
            .request(method="POST", path="/", query={"a": "1"}, body=b"\x00\x01")
            .responds(status=200, headers={"X-A": "1"}, body={"n": random_int(1, 9)})
            .pending()
            .comment("why")
            .key("k1")
        ],
    )
    item = json.loads(generate_pact(made, output=tmp_path, spec="4.0").read_text())["interactions"][
        0
    ]
    assert item["type"] == "Synchronous/HTTP"
    assert (item["pending"], item["key"], item["comments"]) == (True, "k1", {"text": ["why"]})
    assert item["request"]["query"] == {"a": ["1"]}
    assert item["request"]["body"] == {
        "content": "AAE=",
        "contentType": "application/octet-stream",
        "encoded": "base64",
    }
    assert item["response"]["headers"]["X-A"] == ["1"]
    assert item["response"]["body"]["content"] == {"n": 1}
    assert item["response"]["generators"] == {
        "body": {"$.n": {"type": "RandomInt", "min": 1, "max": 9}}
    }


def test_v2_refusal_leaves_no_file_or_temp(tmp_path: Path, clean_registry: None) -> None:
    """generate_pact of a contract that does not fit V2 raises and leaves nothing behind."""
    made = define_contract(
        "no-v2",
        consumer="a",
        provider="b",
        interactions=[
            interaction("x")
            .request(method="GET", path="/")
            .responds(status=200, body={"n": integer(1)})
        ],
    )
    output = tmp_path / "out"
    with pytest.raises(PactSpecError, match=r"the 'integer' matcher needs Pact V3"):
        generate_pact(made, output=output, spec="2.0.0")
    assert list(output.rglob("*")) == []


def _shared_pacts() -> list[Path]:
    return sorted((shared_dir() / "pacts").glob("*.json"))


def test_every_shared_pact_loads() -> None:
    """Every pact file in ../shared/pacts (pact-python, pact-js, broker) loads and re-writes."""
    files = _shared_pacts()
    assert len(files) >= 3
    for path in files:
        pact = load_pact(path)
        raw = json.loads(path.read_text("utf-8"))
        assert pact.consumer == raw["consumer"]["name"]
        assert len(pact.interactions) == len(raw["interactions"])
        assert pact.spec is not None
        for spec in (PactSpec.V3, PactSpec.V4):
            from pactdsl._pactfile import pact_to_json

            assert load_pact(pact_to_json(pact, spec, {})) == pact


def test_reads_what_other_tools_write() -> None:
    """Headers as lists, metaData, numeric-string min/max, timestamp, bare regex, providerState."""
    document = {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [
            {
                "description": "d",
                "providerState": "s",
                "request": {"method": "get", "path": "/", "query": "a=1&a=2&b=x%20y"},
                "response": {
                    "status": "200",
                    "headers": {"X-A": ["1", "2"]},
                    "body": {"xs": [1], "at": "2020-01-01", "code": "ab"},
                    "matchingRules": {
                        "$.body.xs": {"min": "1", "match": "type"},
                        "$.body.at": {"timestamp": "yyyy-MM-dd"},
                        "$.body.code": {"regex": "[a-z]+"},
                    },
                },
            }
        ],
        "metaData": {"pactSpecificationVersion": "2.0.0"},
    }
    item = load_pact(document).interactions[0]
    assert isinstance(item, Interaction)
    assert item.provider_states[0].name == "s"
    assert item.request.method == "GET"
    assert dict(item.request.query) == {"a": ("1", "2"), "b": ("x y",)}
    assert item.response.status == 200
    assert item.response.headers["X-A"] == ("1", "2")
    rules = item.response.matching_rules["body"]
    assert rules["$.xs"].matchers[0].to_rule() == {"match": "type", "min": 1}
    assert rules["$.at"].matchers[0].to_rule() == {"match": "datetime", "format": "yyyy-MM-dd"}
    assert rules["$.code"].matchers[0].to_rule() == {"match": "regex", "regex": "[a-z]+"}


def test_reads_v4_encoded_bodies() -> None:
    """V4 bodies with encoded base64 (binary, JSON, text) and "JSON" decode to their content."""

    def pact(body: dict[str, Any]) -> Any:
        return {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {
                    "type": "Synchronous/HTTP",
                    "description": "d",
                    "request": {"method": "GET", "path": "/"},
                    "response": {"status": 200, "body": body},
                }
            ],
            "metadata": {"pactSpecification": {"version": "4.0"}},
        }

    def body_of(body: dict[str, Any]) -> Any:
        item = load_pact(pact(body)).interactions[0]
        assert isinstance(item, Interaction)
        return item.response.body

    assert body_of({"content": "AAE=", "encoded": "base64"}).content == b"\x00\x01"
    as_json = {"content": "eyJhIjoxfQ==", "contentType": "application/json", "encoded": "base64"}
    assert body_of(as_json).content == {"a": 1}
    as_text = {"content": "aGk=", "contentType": "text/plain", "encoded": "base64"}
    assert body_of(as_text).content == "hi"
    assert body_of({"content": '{"a": [1]}', "encoded": "JSON"}).content == {"a": [1]}


_SUCCESS = {"combine": "AND", "matchers": [{"match": "statusCode", "status": "success"}]}


@pytest.mark.parametrize(
    "status_rules",
    [_SUCCESS, {"$": _SUCCESS}, {"": _SUCCESS}, {"match": "statusCode", "status": "success"}],
    ids=["flat", "keyed by $", "keyed by empty path", "bare matcher"],
)
@pytest.mark.parametrize("version", ["3.0.0", "4.0"])
def test_reads_status_and_path_rules_flat_or_keyed(status_rules: Any, version: str) -> None:
    """Every form pact-reference reads for `status` (and `path`) gives the same rule list."""
    document = _base()
    document["metadata"]["pactSpecification"]["version"] = version
    _response(document)["matchingRules"] = {"status": status_rules}
    path_rule = {"matchers": [{"match": "regex", "regex": "/.*"}]}
    request = document["interactions"][0]["request"]
    request["matchingRules"] = {"path": path_rule if "$" not in status_rules else {"$": path_rule}}
    item = load_pact(document).interactions[0]
    assert isinstance(item, Interaction)
    assert item.response.matching_rules["status"][""].to_json() == _SUCCESS
    assert item.request.matching_rules["path"][""].to_json() == {
        "combine": "AND",
        "matchers": [{"match": "regex", "regex": "/.*"}],
    }


def _base() -> dict[str, Any]:
    return {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [
            {
                "description": "d",
                "request": {"method": "GET", "path": "/"},
                "response": {
                    "status": 200,
                    "body": {"id": 1},
                    "matchingRules": {"body": {"$.id": {"matchers": [{"match": "type"}]}}},
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def _broken(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = _base()
    change(document)
    return document


def _response(document: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = document["interactions"][0]["response"]
    return response


def _as_v4(document: dict[str, Any]) -> dict[str, Any]:
    """Make the document V4 in place and return it, for the lambdas that change it further."""
    document["metadata"]["pactSpecification"]["version"] = "4.0"
    document["interactions"][0]["type"] = "Synchronous/HTTP"
    return document


_RULE = "interactions[0].response.matchingRules.body['$.id']"

MALFORMED = [
    pytest.param(
        _broken(lambda d: d["consumer"].pop("name")),
        "consumer.name",
        "must be a string, got null",
        id="missing consumer name",
    ),
    pytest.param(
        _broken(lambda d: d.update(interactions={"0": {}})),
        "interactions",
        "must be a list",
        id="interactions not a list",
    ),
    pytest.param(
        _broken(
            lambda d: _response(d)["matchingRules"]["body"]["$.id"]["matchers"][0].update(
                match="regx"
            )
        ),
        f"{_RULE}.matchers[0]",
        "unknown matcher 'regx'; did you mean 'regex'? known matchers are",
        id="unknown matcher regx",
    ),
    pytest.param(
        _broken(lambda d: _response(d).update(status=700)),
        "interactions[0].response.status",
        "must be an HTTP status 100-599, got 700",
        id="status 700",
    ),
    pytest.param(
        _broken(lambda d: _response(d).update(status="OK")),
        "interactions[0].response.status",
        'got "OK"',
        id="status not a number",
    ),
    pytest.param(
        _broken(
            lambda d: (
                _as_v4(d),
                _response(d).update(body={"content": "%%%", "encoded": "base64"}),
            )
        ),
        "interactions[0].response.body.content",
        "is not valid base64",
        id="bad base64 body",
    ),
    pytest.param(
        _broken(lambda d: _response(d).update(generators={"body": {"$.id": {"type": "Rnd"}}})),
        "interactions[0].response.generators.body['$.id']",
        "unknown generator 'Rnd'",
        id="unknown generator type",
    ),
    pytest.param(
        _broken(
            lambda d: _response(d).update(
                generators={"body": {"$.id": {"type": "RandomInt", "min": 9, "max": 1}}}
            )
        ),
        "interactions[0].response.generators.body['$.id']",
        "cannot have max=1 < min=9",
        id="generator min above max",
    ),
    pytest.param(
        _broken(
            lambda d: _response(d)["matchingRules"]["body"].update(
                {"$.a[x": {"matchers": [{"match": "type"}]}}
            )
        ),
        "interactions[0].response.matchingRules.body['$.a[x']",
        "has an unclosed '['",
        id="bad rule path",
    ),
    pytest.param(
        _broken(
            lambda d: _response(d)["matchingRules"]["body"]["$.id"]["matchers"][0].update(
                match="regex", regex="("
            )
        ),
        f"{_RULE}.matchers[0]",
        "pattern='(' is not a valid regular expression",
        id="bad regex",
    ),
    pytest.param(
        _broken(lambda d: _response(d)["matchingRules"]["body"]["$.id"].update(combine="XOR")),
        f"{_RULE}.combine",
        "must be 'AND' or 'OR'",
        id="bad combine",
    ),
    pytest.param(
        _broken(lambda d: d["interactions"][0].update(providerStates=[{"name": 1}])),
        "interactions[0].providerStates[0].name",
        "must be a string",
        id="state name not a string",
    ),
    pytest.param(
        _broken(lambda d: d["interactions"][0]["request"].update(headers={"A": 1})),
        "interactions[0].request.headers['A']",
        "must be a string, got 1",
        id="header value a number",
    ),
    pytest.param(
        _broken(lambda d: d["metadata"]["pactSpecification"].update(version="9")),
        "metadata.pactSpecification.version",
        "unknown Pact version '9'",
        id="unknown spec version",
    ),
    pytest.param(
        _broken(lambda d: (_as_v4(d), d["interactions"][0].update(pending="yes"))),
        "interactions[0].pending",
        "must be true or false",
        id="pending not a bool",
    ),
    pytest.param(
        _broken(
            lambda d: _response(d)["matchingRules"].update(
                status={
                    "$": {"matchers": [{"match": "statusCode", "status": "success"}]},
                    "$.x": {"matchers": [{"match": "statusCode", "status": "error"}]},
                }
            )
        ),
        "interactions[0].response.matchingRules.status",
        "has rules under 2 paths",
        id="status rules under two paths",
    ),
    pytest.param(
        _broken(
            lambda d: _response(d)["matchingRules"].update(
                cookies={"session": {"matchers": [{"match": "type"}]}}
            )
        ),
        "interactions[0].response.matchingRules.cookies",
        "unknown rule category 'cookies'; the categories are body, header, metadata",
        id="unknown rule category",
    ),
    pytest.param([1, 2], "$", "must be an object", id="top level a list"),
]


@pytest.mark.parametrize(("document", "where", "problem"), MALFORMED)
def test_malformed_pact_names_json_path(document: Any, where: str, problem: str) -> None:
    """Broken pact JSON raises PactFileError whose message starts with the JSON path."""
    sources = [json.dumps(document)]
    if isinstance(document, dict):
        sources.append(copy.deepcopy(document))  # type: ignore[arg-type]
    for source in sources:
        with pytest.raises(PactFileError) as caught:
            load_pact(source)
        assert caught.value.where == where
        assert str(caught.value).startswith(f"{where}: ")
        assert problem in caught.value.problem


def test_malformed_file_names_the_file(tmp_path: Path) -> None:
    """An error in a file starts with the file's path, then the JSON path."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(MALFORMED[2].values[0]), "utf-8")
    with pytest.raises(PactFileError, match=r"^.*bad\.json: interactions\[0\]\.response"):
        load_pact(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(b'{"consumer": "\xff\xfe"}', "not UTF-8 text", id="non-UTF-8 file"),
        pytest.param(b'{"consumer": {"name": "c"}', "not valid JSON", id="invalid JSON file"),
        pytest.param(b"", "not valid JSON", id="empty file"),
    ],
)
def test_unreadable_file(tmp_path: Path, content: bytes, problem: str) -> None:
    """A file that is not UTF-8 JSON raises PactFileError naming the file."""
    path = tmp_path / "pact.json"
    path.write_bytes(content)
    with pytest.raises(PactFileError, match=problem) as caught:
        load_pact(path)
    assert caught.value.where == str(path)


def test_invalid_json_text() -> None:
    """JSON text that does not parse raises PactFileError, not JSONDecodeError."""
    with pytest.raises(PactFileError, match=r"^<text>: not valid JSON"):
        load_pact('{"consumer": ')


def test_load_pact_rejects_other_types() -> None:
    """load_pact of something that is neither path, text nor dict says what it takes."""
    with pytest.raises(TypeError, match=r"source=3 \(int\) is not a pact"):
        load_pact(3)  # type: ignore[arg-type]


def test_reader_and_writer_do_not_import_httpx(tmp_path: Path) -> None:
    """Declaring, writing and reading pacts imports neither httpx nor respx."""
    script = f"""
import sys
from pactdsl import define_contract, generate_pact, interaction, load_pact
from pactdsl.match import like
import pactdsl.generate
c = define_contract("x", consumer="a", provider="b", interactions=[
    interaction("i").request(method="GET", path="/").responds(status=200, body={{"a": like(1)}})])
load_pact(generate_pact(c, output={str(tmp_path)!r}, spec="4.0"))
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "respx", "httpcore"))
assert not bad, bad
"""
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)


def test_metadata_rules_keyed_by_root_path_read_as_names() -> None:
    """A V4 message's metadata rule under `$.topic` is the rule of the key `topic`."""
    document = {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [
            {
                "type": "Asynchronous/Messages",
                "description": "order created",
                "contents": {"content": {"id": 1}, "contentType": "application/json"},
                "metadata": {"topic": "orders"},
                "matchingRules": {
                    "metadata": {"$.topic": {"matchers": [{"match": "regex", "regex": "o.*"}]}}
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    (item,) = load_pact(document).interactions
    assert list(item.matching_rules["metadata"]) == ["topic"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"v": array_contains(integer(1))}, "arrayContains"),
        ({"v": each_key({"a": 1}, like("a"))}, "eachKey"),
        ({"v": each_value({"a": 1}, integer(1))}, "eachValue"),
        ({"v": semver("1.0.0")}, "semver"),
        ({"v": not_empty("x")}, "notEmpty"),
    ],
)
def test_v3_refuses_v4_only_matchers_naming_them(
    body: dict[str, Any], name: str, tmp_path: Path, clean_registry: None
) -> None:
    """spec="3.0.0" with a V4-only matcher raises PactSpecError naming it and its path."""
    contract = define_contract(
        "v4-matcher",
        consumer="c",
        provider="p",
        interactions=[interaction("x").request(path="/x").responds(status=200, body=body)],
    )
    with pytest.raises(PactSpecError) as caught:
        generate_pact(contract, output=tmp_path, spec="3.0.0")
    assert str(caught.value) == (
        f"interactions[0] 'x'.response.matchingRules.body['$.v']: the {name!r} matcher needs "
        "Pact V4 (V3 files cannot hold it); write spec='4.0', or use a V3 matcher there"
    )
    assert list(tmp_path.iterdir()) == []
    status = define_contract(
        "v4-status",
        consumer="c",
        provider="p",
        interactions=[interaction("x").request(path="/x").responds(status_code("success", 200))],
    )
    with pytest.raises(PactSpecError, match=r"matchingRules\.status: the 'statusCode' matcher"):
        generate_pact(status, output=tmp_path, spec="3.0.0")
