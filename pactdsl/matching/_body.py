"""Bodies of any content type: JSON, XML, form, text or bytes, under the body's rules.

`match_body` is the door the package, the message matcher and the strategies share;
it sits in its own module so that each of them imports it without a circle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pactdsl.matching._content import body_kind, sniff_content_type
from pactdsl.matching._form import match_parameters, parse_parameters
from pactdsl.matching._json import JsonComparer
from pactdsl.matching._mismatch import Mismatch, describe_value
from pactdsl.matching._parse import parse_rules
from pactdsl.matching._regex import bounded_match_call
from pactdsl.matching._rules import RuleCursor, RuleSet
from pactdsl.matching._text import match_binary, match_text

__all__ = ["match_body", "match_content"]


@bounded_match_call
def match_body(
    expected_body: Any,
    actual_body: Any,
    rules: Mapping[str, Any] | None,
    *,
    content_type: str | None,
    allow_unexpected_keys: bool,
) -> list[Mismatch]:
    """Compare an expected body with an actual one (also used for message contents).

    Args:
        expected_body: The expected content: a JSON value, text or bytes (not a V4
            body object; unwrap `{"content": ...}` first).
        actual_body: The actual content, in the same form; None for no body.
        rules: The body rules keyed by path rooted at the body, V3/V4 style
            (`{"$.items[*].id": {"matchers": [{"match": "integer"}]}}`), or None.
        content_type: The media type of the expected body, or None to sniff it.
        allow_unexpected_keys: Whether actual JSON objects may have keys the
            expected ones lack (True for responses and messages).

    Returns:
        The mismatches; empty when the bodies match.

    Raises:
        MatchingError: If a rule is broken (unknown matcher, bad or too slow
            regex, unsupported date format) or the expected body is malformed.
    """
    rule_set = parse_rules({"body": dict(rules)}) if rules else RuleSet({})
    return match_content(
        expected_body,
        actual_body,
        rule_set.cursor("body"),
        content_type=content_type,
        actual_content_type=None,
        allow_unexpected_keys=allow_unexpected_keys,
    )


def match_content(
    expected: Any,
    actual: Any,
    cursor: RuleCursor,
    *,
    content_type: str | None,
    actual_content_type: str | None,
    allow_unexpected_keys: bool,
) -> list[Mismatch]:
    declared = content_type or actual_content_type
    if declared is None:
        declared = sniff_content_type(expected)
    kind = body_kind(declared)
    if kind == "json" and isinstance(expected, str | bytes):
        try:
            expected = json.loads(expected)
        except ValueError:
            kind = "text"
    if kind == "json" and isinstance(actual, str | bytes):
        actual = _without_schema_registry_header(actual, declared)
        try:
            actual = json.loads(actual)
        except ValueError:
            message = f"expected a JSON body, got text that is not JSON: {describe_value(actual)}"
            if actual_content_type and body_kind(actual_content_type) != "json":
                # Say what the request declared (pact-reference: "Expected a body of
                # 'application/json' but the actual content type was 'application/xml'").
                message = (
                    f"expected a body of content type {declared!r}, got one of content type "
                    f"{actual_content_type!r}: {describe_value(actual)}"
                )
            return [Mismatch("body_type", "$.body", expected, actual, message)]
    if kind == "json":
        comparer = JsonComparer("$.body", allow_unexpected_keys=allow_unexpected_keys)
        comparer.compare(expected, actual, (), cursor)
        return comparer.mismatches
    if kind == "xml":
        if actual is None:
            return [Mismatch("body", "$.body", expected, None, "expected an XML body, got none")]
        from pactdsl.matching._xml import match_xml  # XML and multipart load when first met

        return match_xml(expected, actual, cursor, allow_unexpected=allow_unexpected_keys)
    if kind == "form":
        return match_parameters(
            parse_parameters(expected),
            parse_parameters(actual),
            lambda name: cursor.child(name).best,
            kind="body",
            prefix="$.body",
            what="form field",
            allow_unexpected=allow_unexpected_keys,
        )
    if kind == "text":
        return match_text(expected, actual, cursor)
    if kind == "multipart":
        from pactdsl.matching._multipart import match_multipart

        return match_multipart(
            expected,
            actual,
            cursor,
            expected_type=declared,
            actual_type=actual_content_type,
            allow_unexpected=allow_unexpected_keys,
            compare=match_content,
        )
    return match_binary(expected, actual, cursor, declared)


# The Confluent schema registry's wire format: a zero magic byte and a 4-byte schema id
# before the JSON payload (content type application/vnd.schemaregistry.v1+json).
_SCHEMA_REGISTRY_HEADER = 5


def _without_schema_registry_header(actual: str | bytes, content_type: str) -> str | bytes:
    media = content_type.split(";", 1)[0].strip().lower()
    if (
        media.startswith("application/vnd.schemaregistry.")
        and isinstance(actual, bytes)
        and len(actual) > _SCHEMA_REGISTRY_HEADER
        and actual[0] == 0
    ):
        return actual[_SCHEMA_REGISTRY_HEADER:]
    return actual
