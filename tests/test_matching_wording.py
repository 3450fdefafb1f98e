"""Mismatch wording a reader cannot misread: lengths, null, regexes, and a missing body."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pactdsl import define_contract, interaction
from pactdsl._verify import format_verification_report, verify_provider
from pactdsl.match import each_like, like, regex
from pactdsl.matching import match_body, match_request, match_response
from pactdsl.matching._mismatch import describe_value


def _json_body(content: Any, content_type: str = "application/json") -> dict[str, Any]:
    return {"content": content, "contentType": content_type, "encoded": False}


def _length_rule(**bounds: int) -> dict[str, Any]:
    return {"$.orders": {"matchers": [{"match": "type", **bounds}]}}


@pytest.mark.parametrize(
    ("bounds", "actual", "message"),
    [
        ({"min": 1}, [], "expected a list of at least 1 element at $.body.orders, got 0 elements"),
        ({"min": 2}, [1], "expected a list of at least 2 elements at $.body.orders, got 1 element"),
        (
            {"max": 1},
            [1, 2],
            "expected a list of at most 1 element at $.body.orders, got 2 elements",
        ),
        (
            {"max": 2},
            [1, 2, 3],
            "expected a list of at most 2 elements at $.body.orders, got 3 elements",
        ),
    ],
)
def test_length_bounds_read_as_lengths(
    bounds: dict[str, int], actual: list[int], message: str
) -> None:
    """A length rule names a list, its bound and the actual length, singular or plural right."""
    [mismatch] = match_body(
        {"orders": [1]},
        {"orders": actual},
        _length_rule(**bounds),
        content_type="application/json",
        allow_unexpected_keys=True,
    )
    assert mismatch.message == message
    # The lists, not the bound: a report puts expected beside actual as values.
    assert (mismatch.expected, mismatch.actual) == ([1], actual)


@pytest.mark.parametrize(
    ("bounds", "actual", "message"),
    [
        ({"min": 2}, ["1"], "expected at least 2 values for query parameter 'id', got 1 value"),
        (
            {"min": 3},
            ["1", "2"],
            "expected at least 3 values for query parameter 'id', got 2 values",
        ),
        ({"max": 1}, ["1", "2"], "expected at most 1 value for query parameter 'id', got 2 values"),
    ],
)
def test_query_value_counts_read_as_counts(
    bounds: dict[str, int], actual: list[str], message: str
) -> None:
    """A length rule on a query parameter counts values, singular or plural right."""
    expected = {
        "method": "GET",
        "path": "/",
        "query": {"id": ["1"]},
        "matchingRules": {"query": {"id": {"matchers": [{"match": "type", **bounds}]}}},
    }
    got = {"method": "GET", "path": "/", "query": {"id": actual}}
    [mismatch] = match_request(expected, got, "4.0")
    assert mismatch.message == message
    assert (mismatch.expected, mismatch.actual) == (["1"], actual)


def test_xml_element_counts_read_as_counts() -> None:
    """A length rule on XML elements says element or elements as the number asks."""
    expected: dict[str, Any] = {
        "status": 200,
        "body": _json_body("<list><item>a</item></list>", "application/xml"),
        "matchingRules": {"body": {"$.list.item": {"matchers": [{"match": "type", "min": 2}]}}},
    }
    got = {"status": 200, "body": _json_body("<list><item>a</item></list>", "application/xml")}
    messages = [m.message for m in match_response(expected, got, "4.0")]
    assert "expected at least 2 'item' elements at $.body.list, got 1" in messages
    expected["matchingRules"]["body"] = {"$.list.item": {"matchers": [{"match": "type", "max": 1}]}}
    got["body"] = _json_body("<list><item>a</item><item>b</item></list>", "application/xml")
    assert [m.message for m in match_response(expected, got, "4.0")] == [
        "expected at most 1 'item' element at $.body.list, got 2"
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "null"), ("x", "'x' (string)"), (1, "1 (integer)"), ([], "[] (array)")],
)
def test_values_are_described_once(value: Any, shown: str) -> None:
    """Null reads as null, not "None (null)"; other values keep their repr and JSON type."""
    assert describe_value(value) == shown


def test_null_actual_reads_null() -> None:
    """A null where a value was expected is reported as "got null"."""
    [mismatch] = match_body(
        {"a": 1}, {"a": None}, None, content_type="application/json", allow_unexpected_keys=True
    )
    assert mismatch.message == "expected 1 at $.body.a, got null"


def test_path_regex_is_shown_without_slash_delimiters() -> None:
    """A path regex is quoted with backquotes, so its own slashes are not doubled up."""
    expected = {
        "method": "GET",
        "path": "/orders/1",
        "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": r"/orders/\d+"}]}},
    }
    [mismatch] = match_request(expected, {"method": "GET", "path": "/x"}, "4.0")
    assert mismatch.message == r"expected the path to match the regex `/orders/\d+`, got '/x'"


def test_body_header_and_key_regexes_are_shown_the_same_way() -> None:
    """Every regex mismatch shows the pattern as ``the regex `...` ``, as written in the pact."""
    expected = {
        "status": 200,
        "headers": {"X-Id": ["1"]},
        "body": _json_body({"id": "1", "m": {"a": 1}}),
        "matchingRules": {
            "header": {"X-Id": {"matchers": [{"match": "regex", "regex": r"\d+"}]}},
            "body": {
                "$.id": {"matchers": [{"match": "regex", "regex": r"\d+"}]},
                "$.m": {
                    "matchers": [
                        {
                            "match": "eachKey",
                            "rules": [{"match": "regex", "regex": "[a-z]+"}],
                            "value": {"a": 1},
                        }
                    ]
                },
            },
        },
    }
    got = {
        "status": 200,
        "headers": {"X-Id": ["z"]},
        "body": _json_body({"id": "y", "m": {"B": 1}}),
    }
    assert sorted(m.message for m in match_response(expected, got, "4.0")) == [
        r"expected a value matching the regex `\d+` at $.body.id, got 'y' (string)",
        "expected each key at $.body.m to be a value matching the regex `[a-z]+`, got key 'B'",
        r"expected header 'X-Id' to be a value matching the regex `\d+`, got 'z' (string)",
    ]


@pytest.mark.parametrize(
    ("body", "rules", "message"),
    [
        (_json_body({"a": 1}), None, "missing body: expected a JSON body, got no body"),
        (
            _json_body("<a/>", "application/xml"),
            None,
            "missing body: expected an XML body, got no body",
        ),
        (
            _json_body("a=1", "application/x-www-form-urlencoded"),
            None,
            "missing body: expected a form body, got no body",
        ),
        (
            _json_body("AAAA", "application/octet-stream"),
            None,
            "missing body: expected a binary body, got no body",
        ),
        (
            _json_body("hello", "text/plain"),
            {"$": {"matchers": [{"match": "regex", "regex": "h.*"}]}},
            "missing body: expected the body to be a value matching the regex `h.*` (rule body $), "
            "got no body",
        ),
    ],
)
def test_missing_body_is_said_as_missing(
    body: dict[str, Any], rules: dict[str, Any] | None, message: str
) -> None:
    """A response with no body at all gets one "missing body" mismatch whose actual is None."""
    expected: dict[str, Any] = {"status": 200, "body": body}
    if rules:
        expected["matchingRules"] = {"body": rules}
    [mismatch] = match_response(expected, {"status": 200}, "4.0")
    assert (mismatch.kind, mismatch.path, mismatch.actual) == ("body", "$.body", None)
    assert mismatch.message == message


def test_missing_text_body_without_rules_is_not_checked() -> None:
    """An absent plain-text body with no rule on it still passes (spec: plain text missing body)."""
    expected = {"status": 200, "body": _json_body("hello", "text/plain")}
    assert match_response(expected, {"status": 200}, "4.0") == []


def _answering(status: int, body: Any) -> Callable[..., Any]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        payload = b"" if body is None else json.dumps(body).encode()
        headers = [] if body is None else [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def test_report_shows_a_missing_body_and_a_short_list_plainly(clean_registry: None) -> None:
    """The verification report says (missing) for no body and shows lists beside a length reason."""
    contract = define_contract(
        "wording-report",
        consumer="c",
        provider="p",
        interactions=[
            interaction("orders")
            .request(path="/orders")
            .responds(status=200, body={"orders": each_like({"id": 1}, min=1)}),
        ],
    )
    empty = format_verification_report(
        verify_provider(contract, app=_answering(200, {"orders": []}))
    )
    assert (
        '   Expected body.orders: [{"id": 1}]\n'
        "   Actual body.orders: []\n"
        "   Reason: expected a list of at least 1 element at $.body.orders, got 0 elements\n"
    ) in empty
    nothing = format_verification_report(verify_provider(contract, app=_answering(200, None)))
    assert '   Expected body: {"orders": [{"id": 1}]}\n   Actual body: (missing)\n' in nothing
    assert '   Expected header.Content-Type: "application/json"\n' in nothing
    assert "   Actual header.Content-Type: (missing)\n" in nothing
    assert "null" not in nothing


def test_like_on_a_list_reports_the_same_way() -> None:
    """like([...], min=...) yields the same length wording as each_like."""
    rules = {"$": {"matchers": [like([1], min=2).to_rule()]}}
    [mismatch] = match_body([1], [1], rules, content_type=None, allow_unexpected_keys=True)
    assert mismatch.message == "expected a list of at least 2 elements at $.body, got 1 element"
    assert regex(r"\d", "1").to_rule() == {"match": "regex", "regex": r"\d"}


def test_missing_attribute_header_and_query_start_with_missing() -> None:
    """Absent attributes, headers and query parameters are said as missing, with the expected."""
    expected = {
        "method": "POST",
        "path": "/",
        "query": {"size": ["10"]},
        "headers": {"X-Id": ["1"], "Content-Type": ["application/xml"]},
        "body": _json_body('<a id="1"/>', "application/xml"),
    }
    got = {
        "method": "POST",
        "path": "/",
        "headers": {"Content-Type": ["application/xml"]},
        "body": _json_body("<a/>", "application/xml"),
    }
    assert sorted(m.message for m in match_request(expected, got, "4.0")) == [
        "missing attribute 'id' at $.body.a (expected '1')",
        "missing header 'X-Id' (expected value '1')",
        "missing query parameter 'size' (expected values ['10'])",
    ]
