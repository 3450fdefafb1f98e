"""Plain-text and binary bodies."""

from __future__ import annotations

from typing import Any

from pactdsl.matching._content import sniff_content_type
from pactdsl.matching._mismatch import Mismatch, describe_value
from pactdsl.matching._rules import RuleCursor, RuleList, failing_rule, leaf_expectation

__all__ = ["match_binary", "match_text", "missing_body"]


def _as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def missing_body(expected: Any, what: str, rule_list: RuleList | None) -> Mismatch:
    """The mismatch for a request, response or message that has no body at all.

    Args:
        expected: The expected body.
        what: The body expected when no rule says more, such as "a JSON body".
        rule_list: The rules at `$`, if any: their first matcher says what is expected.

    Returns:
        A "missing body" mismatch: reports show it as missing, not as a null value.
    """
    if rule_list is not None and not rule_list.is_equality:
        what = (
            f"the body to be {leaf_expectation(rule_list.rules[0], expected)} "
            f"(rule {rule_list.rule_path})"
        )
    return Mismatch("body", "$.body", expected, None, f"missing body: expected {what}, got no body")


def match_text(expected: Any, actual: Any, cursor: RuleCursor) -> list[Mismatch]:
    """Compare two text bodies: equal, or as the rule on `$` says.

    Args:
        expected: The expected text.
        actual: The actual text (None when absent).
        cursor: The body rule cursor at `$`.

    Returns:
        The mismatches (at most one).
    """
    rule_list = cursor.best
    if rule_list is not None and not rule_list.is_equality:
        if actual is None:
            return [missing_body(expected, "a text body", rule_list)]
        actual_text = _as_text(actual)
        failed = failing_rule(rule_list, _as_text(expected), actual_text)
        if failed is None:
            return []
        return [
            Mismatch(
                "body",
                "$.body",
                expected,
                actual_text,
                f"expected {leaf_expectation(failed, expected)} at $.body, got "
                f"{describe_value(actual_text)}",
            )
        ]
    expected_text, actual_text = _as_text(expected), _as_text(actual)
    if expected_text == actual_text:
        return []
    return [
        Mismatch(
            "body",
            "$.body",
            expected_text,
            actual_text,
            f"expected body {expected_text!r}, got {actual_text!r}"
            if len(expected_text) + len(actual_text) < 200
            else "expected body text differs from the actual body text",
        )
    ]


def _essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def match_binary(
    expected: Any, actual: Any, cursor: RuleCursor, content_type: str
) -> list[Mismatch]:
    """Compare two binary bodies: equal bytes, or a `contentType` rule on `$`.

    Args:
        expected: The expected bytes (or text).
        actual: The actual bytes (or text).
        cursor: The body rule cursor at `$`.
        content_type: The declared content type, for messages.

    Returns:
        The mismatches (at most one).
    """
    rule_list = cursor.best
    if rule_list is not None:
        content_types = [m for m in rule_list.rules if m.name == "contentType"]
        if content_types:
            detected = sniff_content_type(actual)
            wanted = str(content_types[0].value)
            if _essence(detected) == _essence(wanted):
                return []
            return [
                Mismatch(
                    "body_type",
                    "$.body",
                    wanted,
                    detected,
                    f"expected a body of content type {wanted!r}, got content that "
                    f"looks like {detected!r}",
                )
            ]
        if not rule_list.is_equality:
            return match_text(expected, actual, cursor)
    expected_bytes = expected if isinstance(expected, bytes) else _as_text(expected).encode()
    actual_bytes = actual if isinstance(actual, bytes) else _as_text(actual).encode()
    if expected_bytes == actual_bytes:
        return []
    return [
        Mismatch(
            "body",
            "$.body",
            expected,
            actual,
            f"expected a {content_type} body of {len(expected_bytes)} bytes, got "
            f"{len(actual_bytes)} different bytes",
        )
    ]
