"""Headers: case-insensitive names, comma-separated values, media types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pactdsl._rule import Rule
from pactdsl.matching._mismatch import Mismatch, describe_value
from pactdsl.matching._rules import RuleList, failing_rule, leaf_expectation

__all__ = [
    "MULTI_VALUE_HEADERS",
    "header_items",
    "header_values",
    "match_headers",
    "parse_media_type",
]

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


# pact-reference splits a header line on commas only for these names (its
# MULTI_VALUE_HEADERS, RFC 9110 lists); any other value is one value.
MULTI_VALUE_HEADERS: Final = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "access-control-allow-headers",
        "access-control-allow-methods",
        "access-control-expose-headers",
        "access-control-request-headers",
        "allow",
        "cache-control",
        "if-match",
        "if-none-match",
        "vary",
    }
)


def header_items(name: str, value: Any) -> list[str]:
    """Return the values of a header: one per line, lines of list headers split on commas.

    Args:
        name: The header name (any case).
        value: A string (one line) or a list of strings (one per line).

    Returns:
        The values, stripped of surrounding blanks.
    """
    lines = value if isinstance(value, list) else [value]
    if name.lower() in MULTI_VALUE_HEADERS:
        return [item for line in lines for item in _split(str(line))]
    return [str(line).strip() for line in lines]


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
        _, actual_parameters = parse_media_type(actual_item)
        if "/" not in expected_essence:
            # Not a media type after all: header values are case-sensitive.
            if expected_item != actual_item:
                return False
            continue
        # As pact-reference: the type as written, the parameter values in any case.
        if expected_item.partition(";")[0].strip() != actual_item.partition(";")[0].strip():
            return False
        for parameter, parameter_value in expected_parameters.items():
            if actual_parameters.get(parameter, "").lower() != parameter_value.lower():
                return False
    return True


def _apply_header_rules(
    rule_list: RuleList, name: str, path: str, expected_raw: Any, actual_raw: Any
) -> list[Mismatch]:
    # As pact-reference: one value on each side is checked as a whole; else
    # each actual value (a line, or a comma-separated item of a list header
    # such as Accept or Vary) is checked against the expected value at its
    # index (the last one past the end), so `X-Version: v2, v3` on one line is
    # the single value "v2, v3".
    expected_items = header_items(name, expected_raw) or [""]
    actual_items = header_items(name, actual_raw)
    if len(actual_items) == 1 and len(expected_items) == 1:
        pairs = [(header_values(expected_raw), header_values(actual_raw))]
    else:
        pairs = [
            (expected_items[min(index, len(expected_items) - 1)], item)
            for index, item in enumerate(actual_items)
        ]
    failures: list[tuple[str, str, Rule]] = []
    for expected_item, item in pairs:
        failed = failing_rule(rule_list, expected_item, item)
        if failed is not None:
            failures.append((expected_item, item, failed))
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
    actual_raw_by_name = {name.lower(): value for name, value in (actual or {}).items()}
    rules_by_name = {name.lower(): rule_list for name, rule_list in rules.items()}
    mismatches: list[Mismatch] = []
    for name, raw_value in expected.items():
        expected_value = header_values(raw_value)
        lower = name.lower()
        path = f"$.header.{name}"
        actual_raw = actual_raw_by_name.get(lower)
        if actual_raw is None:
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
            mismatches.extend(_apply_header_rules(rule_list, name, path, raw_value, actual_raw))
            continue
        actual_value = header_values(actual_raw)
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
