"""Bodies of every kind: JSON, XML, text, form, binary, and V4 body objects."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pactdsl.matching import match_body, match_request, match_response
from pactdsl.matching._content import sniff_content_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a....", "image/gif"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b'{"a": 1}', "application/json"),
        ("<?xml version='1.0'?><a/>", "application/xml"),
        ("hello", "text/plain"),
        (b"\x00\x01\x02\x03", "application/octet-stream"),
    ],
)
def test_sniff_content_type(content: Any, media_type: str) -> None:
    """Magic numbers and text sniffing find the media type of a body."""
    assert sniff_content_type(content) == media_type


def test_missing_expected_body_matches_anything() -> None:
    """With no expected body, any actual body matches."""
    assert match_request({"method": "GET"}, {"method": "GET", "body": {"x": 1}}) == []


def test_request_forbids_and_response_allows_unexpected_keys() -> None:
    """Unexpected keys fail a request body but not a response body."""
    expected, actual = {"body": {"a": 1}}, {"body": {"a": 1, "b": 2}}
    assert len(match_request(expected, actual)) == 1
    assert match_response(expected, actual) == []


def test_v4_body_object_json_and_base64() -> None:
    """V4 body objects are unwrapped, decoding base64 content."""
    expected = {"body": {"content": {"a": 1}, "contentType": "application/json", "encoded": False}}
    assert (
        match_response(
            expected,
            {"body": {"content": {"a": 1}, "contentType": "application/json", "encoded": False}},
            "4.0",
        )
        == []
    )
    encoded = base64.b64encode(PNG).decode()
    binary = {"body": {"content": encoded, "contentType": "image/png", "encoded": "base64"}}
    assert match_response(binary, binary, "4.0") == []
    other = {
        "body": {
            "content": base64.b64encode(b"other").decode(),
            "contentType": "image/png",
            "encoded": "base64",
        }
    }
    assert [m.kind for m in match_response(binary, other, "4.0")] == ["body"]


def test_xml_namespaces_compare_by_uri() -> None:
    """XML elements with the same namespace URI match whatever their prefixes."""
    headers = {"Content-Type": "application/xml"}
    expected = {"headers": headers, "body": '<a xmlns="urn:x"><b>1</b></a>'}
    same = {"headers": headers, "body": '<p:a xmlns:p="urn:x"><p:b>1</p:b></p:a>'}
    other = {"headers": headers, "body": '<a xmlns="urn:y"><b>1</b></a>'}
    assert match_response(expected, same) == []
    assert len(match_response(expected, other)) == 1


def test_xml_text_and_attribute_rules() -> None:
    """Rules on `['@attr']` and `['#text']` apply to XML attributes and text."""
    expected = {
        "headers": {"Content-Type": "application/xml"},
        "body": '<a id="1"><b>x</b></a>',
        "matchingRules": {
            "body": {
                "$.a['@id']": {"matchers": [{"match": "integer"}]},
                "$.a.b['#text']": {"matchers": [{"match": "regex", "regex": "[a-z]+"}]},
            }
        },
    }
    good = {"headers": {"Content-Type": "application/xml"}, "body": '<a id="77"><b>yz</b></a>'}
    bad = {"headers": {"Content-Type": "application/xml"}, "body": '<a id="q"><b>1</b></a>'}
    assert match_request(expected, good) == []
    assert [str(m) for m in match_request(expected, bad)] == [
        "expected an integer at $.body.a['@id'], got 'q' (string)",
        "expected a value matching the regex `[a-z]+` at $.body.a.b[0]['#text'], got '1' (string)",
    ]


def test_form_body_is_compared_like_a_query() -> None:
    """Form bodies ignore parameter order but not values."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    expected = {"headers": headers, "body": "a=1&b=2"}
    assert match_request(expected, {"headers": headers, "body": "b=2&a=1"}) == []
    assert [str(m) for m in match_request(expected, {"headers": headers, "body": "a=1&b=3"})] == [
        "expected form field 'b' with values ['2'], got ['3']"
    ]


def test_text_regex_rule_on_root() -> None:
    """A regex rule on `$` matches the whole text body."""
    assert (
        match_body(
            "x",
            "alligator named mary",
            {"$": {"matchers": [{"match": "regex", "regex": "alligator named .{4}"}]}},
            content_type="text/plain",
            allow_unexpected_keys=True,
        )
        == []
    )


def test_query_string_and_map_forms() -> None:
    """A V2 query string and a V3 query map compare the same way."""
    assert match_request({"query": "a=1&a=2&b=3"}, {"query": "b=3&a=1&a=2"}, "2.0.0") == []
    assert len(match_request({"query": "a=1&a=2"}, {"query": "a=2&a=1"}, "2.0.0")) == 1
    assert match_request({"query": {"a": ["1"]}}, {"query": {"a": "1"}}, "3.0.0") == []


def test_content_type_parameters() -> None:
    """Content-Type: the type as written, expected parameters in any case (pact-reference)."""
    expected = {"headers": {"Content-Type": "application/json; charset=UTF-8"}}
    assert (
        match_response(expected, {"headers": {"content-type": "application/json;charset=utf-8"}})
        == []
    )
    assert (
        len(
            match_response(
                expected, {"headers": {"content-type": "Application/JSON;charset=utf-8"}}
            )
        )
        == 1
    )
    assert (
        len(
            match_response(
                expected, {"headers": {"Content-Type": "application/json; charset=latin1"}}
            )
        )
        == 1
    )


def test_spec_version_is_checked() -> None:
    """An unknown spec_version raises ValueError naming the value."""
    with pytest.raises(ValueError, match="spec_version='9'"):
        match_request({}, {}, "9")


def test_schema_registry_framed_json_matches_its_json() -> None:
    """A schema-registry body (zero magic byte, 4-byte schema id, JSON) is matched as its JSON."""
    content_type = "application/vnd.schemaregistry.v1+json"
    framed = b"\x00\x00\x00\x00\x02" + b'{"one": "a", "two": "b"}'
    expected = {"one": "a", "two": "b"}
    assert (
        match_body(expected, framed, None, content_type=content_type, allow_unexpected_keys=True)
        == []
    )
    wrong = b"\x00\x00\x00\x00\x02" + b'{"one": "a", "two": "c"}'
    (mismatch,) = match_body(
        expected, wrong, None, content_type=content_type, allow_unexpected_keys=True
    )
    assert mismatch.path == "$.body.two"
    # Without the registry's content type the same bytes are not JSON.
    assert match_body(
        expected, framed, None, content_type="application/json", allow_unexpected_keys=True
    )


def test_json_body_of_another_declared_type_names_both_types() -> None:
    """A JSON body expected and an XML one sent: the mismatch names both content types."""
    expected = {
        "method": "POST",
        "path": "/",
        "body": {"content": {"a": 1}, "contentType": "application/json", "encoded": False},
    }
    actual = {
        "method": "POST",
        "path": "/",
        "headers": {"Content-Type": ["application/xml"]},
        "body": {"content": "<a/>", "contentType": "application/xml", "encoded": False},
    }
    messages = [m.message for m in match_request(expected, actual, "4.0") if m.kind == "body_type"]
    assert messages
    assert "'application/json'" in messages[0]
    assert "'application/xml'" in messages[0]
