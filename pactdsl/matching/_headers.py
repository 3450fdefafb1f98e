"""Headers: case-insensitive names, comma-separated values, media types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pactdsl.matching._mismatch import Mismatch, describe_value
from pactdsl.matching._rules import Matcher, RuleList, failing_matcher, leaf_expectation

__all__ = ["header_values", "match_headers", "parse_media_type"]

# Headers whose values are media types: compared by type and by parameters.
_MEDIA_TYPE_HEADERS = frozenset({"content-type", "accept"})


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a media type into its lower-cased essence and its parameters.

    Args:
        value: A value such as `application/json; charset=UTF-8`.

    Returns:
        The essence (`application/json`) and the parameters, names lower-cased,
        quotes removed, and the `charset` value lower-cased.
    """
    essence, _, rest = value.partition(";")
    parameters: dict[str, str] = {}
    for part in rest.split(";"):
        name, equals, parameter_value = part.strip().partition("=")
        if not equals:
            continue
        name = name.strip().lower()
        parameter_value = parameter_value.strip().strip('"')
        if name == "charset":
            parameter_value = parameter_value.lower()
        parameters[name] = parameter_value
    return essence.strip().lower(), parameters


def header_values(value: Any) -> str:
    """Join a header value given as a string or a list (V4) into one string.

    Args:
        value: A string, a list of strings, or something else.

    Returns:
        The value as one string, list items joined with `, `.
    """
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",")]


def _media_types_match(name: str, expected: str, actual: str) -> bool:
    if name == "content-type":
        expected_items, actual_items = [expected], [actual]
    else:
        expected_items, actual_items = _split(expected), _split(actual)
    if len(expected_items) != len(actual_items):
        return False
    for expected_item, actual_item in zip(expected_items, actual_items, strict=True):
        expected_essence, expected_parameters = parse_media_type(expected_item)
        actual_essence, actual_parameters = parse_media_type(actual_item)
        if "/" not in expected_essence:
            # Not a media type after all: header values are case-sensitive.
            if expected_item != actual_item:
                return False
            continue
        if expected_essence != actual_essence:
            return False
        for parameter, parameter_value in expected_parameters.items():
            if actual_parameters.get(parameter) != parameter_value:
                return False
    return True


def _apply_header_rules(
    rule_list: RuleList, name: str, path: str, expected_value: str, actual_value: str
) -> list[Mismatch]:
    if failing_matcher(rule_list, expected_value, actual_value) is None:
        return []
    # A header sent several times (or as a comma-separated list) arrives as one
    # joined value; the rule applies to each value, as for repeated query
    # parameters (compatibility suite, "repeated request headers"). The whole
    # value is tried first so values with commas in them (dates) still match.
    actual_items = _split(actual_value)
    expected_items = _split(expected_value)
    failures: list[tuple[str, str, Matcher]] = []
    for index, item in enumerate(actual_items):
        expected_item = expected_items[min(index, len(expected_items) - 1)]
        failed = failing_matcher(rule_list, expected_item, item)
        if failed is not None:
            failures.append((expected_item, item, failed))
    if not failures:
        return []
    if len(actual_items) == 1:
        failures = [(expected_value, actual_value, failures[0][2])]
    return [
        Mismatch(
            "header",
            path,
            expected_item,
            item,
            f"expected header {name!r} to be {leaf_expectation(failed, expected_item)}, got "
            f"{describe_value(item)}",
        )
        for expected_item, item, failed in failures
    ]


def match_headers(
    expected: Mapping[str, Any] | None,
    actual: Mapping[str, Any] | None,
    rules: Mapping[str, RuleList],
) -> list[Mismatch]:
    """Compare expected headers with actual ones; the actual side may have more.

    Args:
        expected: Expected headers (values as strings or lists of strings).
        actual: Actual headers.
        rules: Header rules keyed by header name.

    Returns:
        The mismatches, one per differing header.
    """
    if not expected:
        return []
    actual_by_name = {name.lower(): header_values(value) for name, value in (actual or {}).items()}
    rules_by_name = {name.lower(): rule_list for name, rule_list in rules.items()}
    mismatches: list[Mismatch] = []
    for name, raw_value in expected.items():
        expected_value = header_values(raw_value)
        lower = name.lower()
        path = f"$.header.{name}"
        actual_value = actual_by_name.get(lower)
        if actual_value is None:
            mismatches.append(
                Mismatch(
                    "header",
                    path,
                    expected_value,
                    None,
                    f"missing header {name!r} (expected value {expected_value!r})",
                )
            )
            continue
        rule_list = rules_by_name.get(lower)
        if rule_list is not None and not rule_list.is_equality:
            mismatches.extend(
                _apply_header_rules(rule_list, name, path, expected_value, actual_value)
            )
            continue
        if lower in _MEDIA_TYPE_HEADERS:
            same = _media_types_match(lower, expected_value, actual_value)
        else:
            same = _split(expected_value) == _split(actual_value)
        if not same:
            mismatches.append(
                Mismatch(
                    "header",
                    path,
                    expected_value,
                    actual_value,
                    f"expected header {name!r} with value {expected_value!r}, got {actual_value!r}",
                )
            )
    return mismatches
