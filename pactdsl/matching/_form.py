"""Query strings and `application/x-www-form-urlencoded` bodies.

Both are maps from a name to an ordered list of values: order between names does
not matter, order of repeated values does.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from pactdsl.matching._mismatch import Mismatch, MismatchKind, count_of, describe_value
from pactdsl.matching._rules import RuleList, count_outside, failing_rule, leaf_expectation

__all__ = ["match_parameters", "parse_parameters"]


def parse_parameters(value: Any) -> dict[str, list[str]]:
    """Turn a query (string, or map of strings or lists) into a map of lists.

    Args:
        value: `"a=1&b=2&a=3"`, `{"a": ["1", "3"], "b": "2"}`, or None.

    Returns:
        The parameters, each with its values in order.
    """
    if value is None:
        return {}
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        parsed: dict[str, list[str]] = {}
        for name, item in urllib.parse.parse_qsl(value, keep_blank_values=True):
            parsed.setdefault(name, []).append(item)
        return parsed
    if isinstance(value, Mapping):
        return {
            str(name): [_text(item) for item in items]
            if isinstance(items, list)
            else [_text(items)]
            for name, items in value.items()
        }
    return {}


def _text(item: Any) -> str:
    return "" if item is None else str(item)


def match_parameters(
    expected: Mapping[str, list[str]],
    actual: Mapping[str, list[str]],
    rule_for: Callable[[str], RuleList | None],
    *,
    kind: MismatchKind,
    prefix: str,
    what: str,
    allow_unexpected: bool,
) -> list[Mismatch]:
    """Compare two parameter maps.

    Args:
        expected: Expected parameters.
        actual: Actual parameters.
        rule_for: Returns the rule list for a parameter name, or None.
        kind: Mismatch kind (`query` or `body`).
        prefix: Path prefix, such as `$.query`.
        what: The word for one parameter in messages (`query parameter`).
        allow_unexpected: Whether names the expected side lacks are allowed.

    Returns:
        The mismatches.
    """
    mismatches: list[Mismatch] = []
    for name, expected_values in expected.items():
        path = f"{prefix}.{name}"
        actual_values = actual.get(name)
        if actual_values is None:
            mismatches.append(
                Mismatch(
                    kind,
                    path,
                    expected_values,
                    None,
                    f"missing {what} {name!r} (expected values {expected_values!r})",
                )
            )
            continue
        rule_list = rule_for(name)
        if rule_list is not None and not rule_list.is_equality:
            mismatches.extend(
                _apply_rules(rule_list, name, path, expected_values, actual_values, kind, what)
            )
        elif expected_values != actual_values:
            mismatches.append(
                Mismatch(
                    kind,
                    path,
                    expected_values,
                    actual_values,
                    f"expected {what} {name!r} with values {expected_values!r}, "
                    f"got {actual_values!r}",
                )
            )
    if not allow_unexpected:
        for name, actual_values in actual.items():
            if name not in expected:
                mismatches.append(
                    Mismatch(
                        kind,
                        f"{prefix}.{name}",
                        None,
                        actual_values,
                        f"unexpected {what} {name!r} with values {actual_values!r}",
                    )
                )
    return mismatches


def _apply_rules(
    rule_list: RuleList,
    name: str,
    path: str,
    expected_values: list[str],
    actual_values: list[str],
    kind: MismatchKind,
    what: str,
) -> list[Mismatch]:
    mismatches: list[Mismatch] = []
    for rule in rule_list.rules:
        if rule.name != "type":
            continue
        count = len(actual_values)
        outside = count_outside(rule, count, "value")
        if outside is None:
            continue
        # The value lists, not the bound: a report shows expected beside actual.
        mismatches.append(
            Mismatch(
                kind,
                path,
                expected_values,
                actual_values,
                f"expected {outside[0]} for {what} {name!r}, got {count_of(count, 'value')}",
            )
        )
    template = expected_values[0] if expected_values else ""
    for index, actual_value in enumerate(actual_values):
        expected_value = expected_values[index] if index < len(expected_values) else template
        failed = failing_rule(rule_list, expected_value, actual_value)
        if failed is not None:
            mismatches.append(
                Mismatch(
                    kind,
                    path,
                    expected_value,
                    actual_value,
                    f"expected {what} {name!r} to be "
                    f"{leaf_expectation(failed, expected_value)}, got "
                    f"{describe_value(actual_value)}",
                )
            )
    return mismatches
