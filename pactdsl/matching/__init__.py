"""The matching engine: compare an expected Pact request or response with an actual one.

The engine is pure: it takes Pact JSON fragments as dicts (any spec version, V1 to
V4) and returns a list of `Mismatch`; an empty list means the actual side matches.

Examples:
    >>> from pactdsl.matching import match_response
    >>> expected = {"status": 200, "body": {"id": 1}}
    >>> [str(m) for m in match_response(expected, {"status": 500, "body": {"id": 1}})]
    ['expected status 200, got 500']
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from pactdsl.matching._body import match_body, match_content
from pactdsl.matching._content import (
    body_kind,
    is_body_object,
    open_body_object,
    sniff_content_type,
)
from pactdsl.matching._form import match_parameters, parse_parameters
from pactdsl.matching._headers import header_values, match_headers
from pactdsl.matching._message import match_message
from pactdsl.matching._mismatch import MatchingError, Mismatch, describe_value, show_pattern
from pactdsl.matching._parse import parse_rules
from pactdsl.matching._regex import bounded_match_call
from pactdsl.matching._rules import RuleSet, failing_rule, leaf_expectation
from pactdsl.matching._spec import parse_spec_version
from pactdsl.matching._text import missing_body

__all__ = [
    "MatchingError",
    "Mismatch",
    "match_body",
    "match_message",
    "match_request",
    "match_response",
]

_ABSENT: Final = object()


def _infer_version(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> tuple[int, int]:
    rules = expected.get("matchingRules")
    if isinstance(rules, dict) and rules:
        if all(str(key).startswith("$") for key in rules):
            return (2, 0)
        if "status" in rules and expected.get("status") is not None:
            return (4, 0)
    for side in (expected, actual):
        if is_body_object(side.get("body"), v4=False):
            return (4, 0)
        headers = side.get("headers")
        if isinstance(headers, dict) and any(isinstance(v, list) for v in headers.values()):
            return (4, 0)
    if isinstance(rules, dict) and rules:
        return (3, 0)
    if isinstance(expected.get("query"), dict):
        return (3, 0)
    return (2, 0)


def _header(headers: Any, name: str) -> str | None:
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            return header_values(value)
    return None


def _unwrap_body(part: Mapping[str, Any], version: tuple[int, int]) -> tuple[Any, str | None]:
    """Return the body content (or `_ABSENT`) and the content type the part declares."""
    declared = _header(part.get("headers"), "content-type")
    if "body" not in part:
        return _ABSENT, declared
    body = part["body"]
    if version >= (4, 0) and is_body_object(body, v4=True):
        return open_body_object(body, declared, "the body content")
    return body, declared


def _is_empty(content: Any) -> bool:
    return content is None or content in ("", b"")


def _match_body_part(
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
    rules: RuleSet,
    version: tuple[int, int],
    *,
    allow_unexpected_keys: bool,
) -> list[Mismatch]:
    expected_body, expected_type = _unwrap_body(expected, version)
    if expected_body is _ABSENT:
        return []  # no expected body: any body matches
    actual_body, actual_type = _unwrap_body(actual, version)
    cursor = rules.cursor("body")
    if _is_empty(expected_body):
        if actual_body is _ABSENT or _is_empty(actual_body):
            return []
        return [
            Mismatch(
                "body",
                "$.body",
                expected_body,
                actual_body,
                f"expected an empty body, got {describe_value(actual_body)}",
            )
        ]
    absent = actual_body is _ABSENT
    if absent:
        actual_body = None
    kind = body_kind(expected_type or sniff_content_type(expected_body))
    if (
        actual_body is None
        and cursor.best is None
        and not isinstance(expected_body, dict | list)
        and kind == "text"
    ):
        # A text body that is simply absent is not checked (spec case
        # "plain text missing body"); with a rule on $ it is (see match_text).
        return []
    if absent:
        # Said as "missing", not as a null value: there was no body at all.
        what = {"json": "a JSON", "xml": "an XML", "form": "a form", "text": "a text"}.get(
            kind, "a binary"
        )
        return [missing_body(expected_body, f"{what} body", cursor.best)]
    return match_content(
        expected_body,
        actual_body,
        cursor,
        content_type=expected_type,
        actual_content_type=actual_type,
        allow_unexpected_keys=allow_unexpected_keys,
    )


def _match_headers_part(
    expected: Mapping[str, Any], actual: Mapping[str, Any], rules: RuleSet
) -> list[Mismatch]:
    return match_headers(expected.get("headers"), actual.get("headers"), rules.by_name("header"))


def _version_of(
    spec_version: str | None, expected: Mapping[str, Any], actual: Mapping[str, Any]
) -> tuple[int, int]:
    if spec_version is None:
        return _infer_version(expected, actual)
    return parse_spec_version(spec_version)


@bounded_match_call
def match_request(
    expected: dict[str, Any], actual: dict[str, Any], spec_version: str | None = None
) -> list[Mismatch]:
    """Compare an expected Pact request with an actual one.

    Args:
        expected: The expected request as Pact JSON (`method`, `path`, `query`,
            `headers`, `body`, `matchingRules`); parts left out are not checked.
        actual: The actual request in the same shape (no rules).
        spec_version: The Pact specification version ("1.0.0" to "4.0", or "V1"
            to "V4"); None infers it from the shape of `expected`.

    Returns:
        The mismatches; empty when the request matches.

    Raises:
        MatchingError: If a rule in `expected` is broken.
        ValueError: If `spec_version` is not a known version.
    """
    version = _version_of(spec_version, expected, actual)
    rules = parse_rules(expected.get("matchingRules"))
    mismatches: list[Mismatch] = []
    mismatches.extend(_match_method(expected, actual))
    mismatches.extend(_match_path(expected, actual, rules))
    mismatches.extend(_match_query(expected, actual, rules, version))
    mismatches.extend(_match_headers_part(expected, actual, rules))
    mismatches.extend(
        _match_body_part(expected, actual, rules, version, allow_unexpected_keys=False)
    )
    return mismatches


@bounded_match_call
def match_response(
    expected: dict[str, Any], actual: dict[str, Any], spec_version: str | None = None
) -> list[Mismatch]:
    """Compare an expected Pact response with an actual one.

    Args:
        expected: The expected response as Pact JSON (`status`, `headers`, `body`,
            `matchingRules`); parts left out are not checked.
        actual: The actual response in the same shape (no rules).
        spec_version: The Pact specification version ("1.0.0" to "4.0", or "V1"
            to "V4"); None infers it from the shape of `expected`.

    Returns:
        The mismatches; empty when the response matches. Actual JSON objects may
        carry keys the expected ones lack.

    Raises:
        MatchingError: If a rule in `expected` is broken.
        ValueError: If `spec_version` is not a known version.
    """
    version = _version_of(spec_version, expected, actual)
    rules = parse_rules(expected.get("matchingRules"))
    mismatches: list[Mismatch] = []
    mismatches.extend(_match_status(expected, actual, rules))
    mismatches.extend(_match_headers_part(expected, actual, rules))
    mismatches.extend(
        _match_body_part(expected, actual, rules, version, allow_unexpected_keys=True)
    )
    return mismatches


def _match_method(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[Mismatch]:
    if "method" not in expected:
        return []
    wanted = str(expected["method"])
    got = actual.get("method")
    if got is not None and str(got).upper() == wanted.upper():
        return []
    return [Mismatch("method", "$.method", wanted, got, f"expected method {wanted!r}, got {got!r}")]


def _match_path(
    expected: Mapping[str, Any], actual: Mapping[str, Any], rules: RuleSet
) -> list[Mismatch]:
    if "path" not in expected:
        return []
    wanted = expected["path"]
    got = actual.get("path", "")
    rule_list = rules.whole("path")
    if rule_list is not None and not rule_list.is_equality:
        failed = failing_rule(rule_list, wanted, got)
        if failed is None:
            return []
        wording = (
            f"to match {show_pattern(failed.regex)}"
            if failed.name == "regex"
            else f"to be {leaf_expectation(failed, wanted)}"
        )
        return [
            Mismatch("path", "$.path", wanted, got, f"expected the path {wording}, got {got!r}")
        ]
    if wanted == got:
        return []
    return [Mismatch("path", "$.path", wanted, got, f"expected path {wanted!r}, got {got!r}")]


def _match_query(
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
    rules: RuleSet,
    version: tuple[int, int],
) -> list[Mismatch]:
    if "query" not in expected:
        return []
    wanted = expected.get("query")
    got = actual.get("query")
    if version < (1, 1) and isinstance(wanted, str) and isinstance(got, str | None):
        # V1 compares query strings literally (spec case "different param order").
        got_text = got or ""
        if urllib.parse.unquote_plus(wanted) == urllib.parse.unquote_plus(got_text):
            return []
        return [
            Mismatch(
                "query",
                "$.query",
                wanted,
                got_text,
                f"expected query string {wanted!r}, got {got_text!r}",
            )
        ]
    query_rules = rules.by_name("query")
    return match_parameters(
        parse_parameters(wanted),
        parse_parameters(got),
        query_rules.get,
        kind="query",
        prefix="$.query",
        what="query parameter",
        allow_unexpected=False,
    )


def _match_status(
    expected: Mapping[str, Any], actual: Mapping[str, Any], rules: RuleSet
) -> list[Mismatch]:
    if expected.get("status") is None:
        return []
    wanted = expected["status"]
    got = actual.get("status")
    rule_list = rules.whole("status")
    if rule_list is not None and not rule_list.is_equality:
        failed = failing_rule(rule_list, wanted, got)
        if failed is None:
            return []
        expectation = leaf_expectation(failed, wanted)
        # "a status in the 'success' class (200-299)" names the status already.
        text = (
            f"expected {expectation}, got {got}"
            if failed.name == "statusCode"
            else f"expected status to be {expectation}, got {got}"
        )
        return [Mismatch("status", "$.status", wanted, got, text)]
    if wanted == got:
        return []
    return [Mismatch("status", "$.status", wanted, got, f"expected status {wanted}, got {got}")]
