"""Every mismatch kind, with its exact message text."""

from __future__ import annotations

import attrs
import pytest

from pactdsl.matching import Mismatch, match_body, match_request, match_response


def _messages(mismatches: list[Mismatch]) -> list[str]:
    return [str(mismatch) for mismatch in mismatches]


def test_method_message() -> None:
    """A different method is reported with both methods quoted."""
    mismatches = match_request({"method": "POST"}, {"method": "GET"})
    assert mismatches == [
        Mismatch("method", "$.method", "POST", "GET", "expected method 'POST', got 'GET'")
    ]


def test_path_message() -> None:
    """A different path is reported with both paths quoted."""
    mismatches = match_request({"path": "/a"}, {"path": "/b"})
    assert _messages(mismatches) == ["expected path '/a', got '/b'"]
    assert mismatches[0].kind == "path"
    assert mismatches[0].path == "$.path"


def test_query_messages() -> None:
    """Different, missing and unexpected query parameters each get a message."""
    mismatches = match_request(
        {"query": {"page": ["1"], "size": ["10"]}},
        {"query": {"page": ["2"], "sort": ["name"]}},
    )
    assert _messages(mismatches) == [
        "expected query parameter 'page' with values ['1'], got ['2']",
        "missing query parameter 'size' (expected values ['10'])",
        "unexpected query parameter 'sort' with values ['name']",
    ]
    assert [m.path for m in mismatches] == ["$.query.page", "$.query.size", "$.query.sort"]
    assert {m.kind for m in mismatches} == {"query"}


def test_header_messages() -> None:
    """A different header value and a missing header each get a message."""
    mismatches = match_response(
        {"headers": {"Content-Type": "application/json", "X-Id": "1"}},
        {"headers": {"content-type": "text/plain"}},
    )
    assert _messages(mismatches) == [
        "expected header 'Content-Type' with value 'application/json', got 'text/plain'",
        "missing header 'X-Id' (expected value '1')",
    ]
    assert mismatches[0].path == "$.header.Content-Type"
    assert {m.kind for m in mismatches} == {"header"}


def test_body_messages() -> None:
    """Body value, type, missing key, unexpected key and length messages read well."""
    mismatches = match_request(
        {"body": {"id": 1, "name": "a", "tags": [1, 2], "child": {}}},
        {"body": {"id": "1", "tags": [1], "child": [], "extra": True}},
    )
    assert _messages(mismatches) == [
        "expected 1 at $.body.id, got '1' (string)",
        "missing key 'name' at $.body (expected 'a' (string))",
        "expected an array of 2 elements at $.body.tags, got 1 element",
        "expected an object at $.body.child, got [] (array)",
        "unexpected key 'extra' at $.body",
    ]
    assert [m.path for m in mismatches] == [
        "$.body.id",
        "$.body.name",
        "$.body.tags",
        "$.body.child",
        "$.body.extra",
    ]


def test_integer_rule_message() -> None:
    """An integer rule failing deep in an array names the element's full path."""
    expected = {
        "body": {"items": [{"id": 1}]},
        "matchingRules": {
            "body": {
                "$.items": {"matchers": [{"match": "type", "min": 1}]},
                "$.items[*].id": {"matchers": [{"match": "integer"}]},
            }
        },
    }
    actual = {"body": {"items": [{"id": 1}, {"id": 2}, {"id": "42"}]}}
    mismatches = match_response(expected, actual)
    assert _messages(mismatches) == ["expected an integer at $.body.items[2].id, got '42' (string)"]
    assert mismatches[0].path == "$.body.items[2].id"
    assert mismatches[0].actual == "42"


def test_body_type_message() -> None:
    """A contentType rule on a binary body reports the detected type."""
    expected = {
        "headers": {"Content-Type": "image/png"},
        "body": {"content": "iVBORw0KGgo=", "contentType": "image/png", "encoded": "base64"},
        "matchingRules": {
            "body": {"$": {"matchers": [{"match": "contentType", "value": "image/png"}]}}
        },
    }
    actual = {
        "headers": {"Content-Type": "image/png"},
        "body": {"content": "/9j/4AAQ", "contentType": "image/png", "encoded": "base64"},
    }
    mismatches = match_response(expected, actual, "4.0")
    assert mismatches == [
        Mismatch(
            "body_type",
            "$.body",
            "image/png",
            "image/jpeg",
            "expected a body of content type 'image/png', got content that looks like 'image/jpeg'",
        )
    ]


def test_status_message() -> None:
    """A different status reads `expected status 200, got 500`."""
    assert _messages(match_response({"status": 200}, {"status": 500})) == [
        "expected status 200, got 500"
    ]


def test_status_code_rule_message() -> None:
    """A statusCode rule failing names the status class and the range it allows."""
    expected = {
        "status": 200,
        "matchingRules": {"status": {"matchers": [{"match": "statusCode", "status": "success"}]}},
    }
    assert _messages(match_response(expected, {"status": 404}, "V4")) == [
        "expected a status in the 'success' class (200-299), got 404"
    ]


def test_min_max_messages() -> None:
    """Array length rules say the bound and the actual length."""
    rules = {"$": {"matchers": [{"match": "type", "min": 2, "max": 3}]}}
    too_short = match_body([1], [1], rules, content_type=None, allow_unexpected_keys=True)
    too_long = match_body([1], [1, 2, 3, 4], rules, content_type=None, allow_unexpected_keys=True)
    assert _messages(too_short) == [
        "expected a list of at least 2 elements at $.body, got 1 element"
    ]
    assert _messages(too_long) == [
        "expected a list of at most 3 elements at $.body, got 4 elements"
    ]


def test_text_body_message() -> None:
    """Different plain-text bodies are quoted in the message."""
    mismatches = match_response(
        {"headers": {"Content-Type": "text/plain"}, "body": "hello"},
        {"headers": {"Content-Type": "text/plain"}, "body": "bye"},
    )
    assert _messages(mismatches) == ["expected body 'hello', got 'bye'"]


def test_xml_messages() -> None:
    """XML mismatches name the element path with indices and attributes."""
    mismatches = match_request(
        {"headers": {"Content-Type": "application/xml"}, "body": '<a><b x="1"/></a>'},
        {"headers": {"Content-Type": "application/xml"}, "body": '<a><b x="2" y="3"/></a>'},
    )
    assert _messages(mismatches) == [
        "expected '1' at $.body.a.b[0]['@x'], got '2'",
        "unexpected attribute 'y' at $.body.a.b[0]",
    ]


def test_mismatch_is_frozen_and_str_is_message() -> None:
    """Mismatch is an immutable attrs class whose str() is its message."""
    mismatch = Mismatch("status", "$.status", 200, 500, "expected status 200, got 500")
    assert str(mismatch) == "expected status 200, got 500"
    assert attrs.has(Mismatch)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mismatch.message = "x"  # type: ignore[misc]
