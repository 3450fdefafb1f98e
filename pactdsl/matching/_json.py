"""JSON bodies: compare by structure, with matching rules from a `RuleCursor`."""

from __future__ import annotations

from typing import Any

from pactdsl.matching._mismatch import Mismatch, MismatchKind, describe_value
from pactdsl.matching._paths import Segment, render_path
from pactdsl.matching._rules import (
    LEAF_CHECKS,
    Matcher,
    RuleCursor,
    RuleList,
    check_leaf,
    json_equal,
    leaf_expectation,
    same_type,
)

__all__ = ["JsonComparer", "type_name"]

_PlanStep = tuple[str, Any, RuleCursor, Matcher | None]


def _count(number: int) -> str:
    return f"{number} element" if number == 1 else f"{number} elements"


def type_name(value: Any) -> str:
    """Name the JSON type of a value.

    Args:
        value: A JSON value.

    Returns:
        `object`, `array`, `string`, `number`, `boolean` or `null`.
    """
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _type_cursor(rule_path: str) -> RuleCursor:
    """A cursor whose only rule is a plain `type` rule that cascades to children."""
    type_rule = RuleList((Matcher("type", rule_path),), "AND", rule_path, cascaded=True)
    return RuleCursor((), ((type_rule, 1, False),))


class JsonComparer:
    """Walks an expected and an actual JSON value together and collects mismatches.

    Args:
        prefix: The path shown for the root, such as `$.body`.
        allow_unexpected_keys: Whether actual objects may carry keys the expected
            ones lack (responses and messages: yes; requests: no).
        kind: The mismatch kind to report.
    """

    def __init__(
        self,
        prefix: str,
        *,
        allow_unexpected_keys: bool,
        kind: MismatchKind = "body",
    ) -> None:
        self.prefix = prefix
        self.allow_unexpected_keys = allow_unexpected_keys
        self.kind: MismatchKind = kind
        self.mismatches: list[Mismatch] = []
        self._plans: dict[tuple[int, int], list[_PlanStep]] = {}

    def _add(self, segments: tuple[Segment, ...], expected: Any, actual: Any, text: str) -> None:
        self.mismatches.append(
            Mismatch(self.kind, render_path(self.prefix, segments), expected, actual, text)
        )

    def path(self, segments: tuple[Segment, ...]) -> str:
        """Render a concrete path under the prefix.

        Args:
            segments: Keys and indices.

        Returns:
            The rendered path.
        """
        return render_path(self.prefix, segments)

    def compare(
        self, expected: Any, actual: Any, segments: tuple[Segment, ...], cursor: RuleCursor
    ) -> None:
        """Compare one expected value with one actual value at a place.

        Args:
            expected: The expected value.
            actual: The actual value.
            segments: The place, as keys and indices from the root.
            cursor: The rule cursor at that place.
        """
        rule_list = cursor.best
        if rule_list is not None and not rule_list.is_equality:
            matcher = rule_list.leaf
            if matcher is not None and not isinstance(expected, dict | list):
                if not LEAF_CHECKS[matcher.name](matcher, expected, actual, False):
                    self._leaf_failure(matcher, expected, actual, segments)
                return
            self.apply_rule_list(rule_list, expected, actual, segments, cursor)
            return
        self._compare_plain(expected, actual, segments, cursor)

    def _compare_plain(
        self, expected: Any, actual: Any, segments: tuple[Segment, ...], cursor: RuleCursor
    ) -> None:
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                self._type_mismatch(expected, actual, segments)
                return
            self.compare_objects(expected, actual, segments, cursor)
        elif isinstance(expected, list):
            if not isinstance(actual, list):
                self._type_mismatch(expected, actual, segments)
                return
            if len(expected) != len(actual):
                self._add(
                    segments,
                    expected,
                    actual,
                    f"expected an array of {_count(len(expected))} at "
                    f"{self.path(segments)}, got {_count(len(actual))}",
                )
            for index, (item, other) in enumerate(zip(expected, actual, strict=False)):
                self.compare(item, other, (*segments, index), cursor.child(index))
        elif not json_equal(expected, actual):
            self._add(
                segments,
                expected,
                actual,
                f"expected {expected!r} at {self.path(segments)}, got {describe_value(actual)}",
            )

    def _type_mismatch(self, expected: Any, actual: Any, segments: tuple[Segment, ...]) -> None:
        self._add(
            segments,
            expected,
            actual,
            f"expected an {type_name(expected)} at {self.path(segments)}, got "
            f"{describe_value(actual)}"
            if type_name(expected)[0] in "aeiou"
            else f"expected a {type_name(expected)} at {self.path(segments)}, got "
            f"{describe_value(actual)}",
        )

    def _plan(self, expected: dict[str, Any], cursor: RuleCursor) -> list[_PlanStep]:
        # The same template object is compared with every element of an array
        # under a type rule; its keys, child cursors and leaf matchers are
        # worked out once.
        plan: list[_PlanStep] = []
        for key, value in expected.items():
            child_cursor = cursor.child(key)
            rule_list = child_cursor.best
            matcher = None
            if (
                rule_list is not None
                and not rule_list.is_equality
                and not isinstance(value, dict | list)
            ):
                matcher = rule_list.leaf
            plan.append((key, value, child_cursor, matcher))
        self._plans[(id(expected), id(cursor))] = plan
        return plan

    def compare_objects(
        self,
        expected: dict[str, Any],
        actual: dict[str, Any],
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        """Compare two objects key by key.

        Args:
            expected: The expected object.
            actual: The actual object.
            segments: The place of the objects.
            cursor: The rule cursor there.
        """
        plan = self._plans.get((id(expected), id(cursor)))
        if plan is None:
            plan = self._plan(expected, cursor)
        for key, value, child_cursor, matcher in plan:
            if key in actual:
                if matcher is not None:
                    # Hot path: one value matcher on a scalar (most rules in big
                    # bodies), without the general machinery.
                    other = actual[key]
                    if not LEAF_CHECKS[matcher.name](matcher, value, other, False):
                        self._leaf_failure(matcher, value, other, (*segments, key))
                    continue
                self.compare(value, actual[key], (*segments, key), child_cursor)
            else:
                self._add(
                    (*segments, key),
                    value,
                    None,
                    f"missing key {key!r} at {self.path(segments)} "
                    f"(expected {describe_value(value)})",
                )
        if not self.allow_unexpected_keys:
            for key, value in actual.items():
                if key not in expected:
                    self._add(
                        (*segments, key),
                        None,
                        value,
                        f"unexpected key {key!r} at {self.path(segments)}",
                    )

    def apply_rule_list(
        self,
        rule_list: RuleList,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        """Apply the matchers of a rule list (AND or OR) at one place.

        Args:
            rule_list: The rules at this place.
            expected: The expected value.
            actual: The actual value.
            segments: The place.
            cursor: The rule cursor there (for the children).
        """
        if rule_list.combine == "OR" and len(rule_list.matchers) > 1:
            first_failure: list[Mismatch] | None = None
            for matcher in rule_list.matchers:
                before = len(self.mismatches)
                self.apply_matcher(matcher, expected, actual, segments, cursor)
                if len(self.mismatches) == before:
                    return
                failure = self.mismatches[before:]
                del self.mismatches[before:]
                if first_failure is None:
                    first_failure = failure
            self.mismatches.extend(first_failure or [])
            return
        for matcher in rule_list.matchers:
            self.apply_matcher(matcher, expected, actual, segments, cursor)

    def apply_matcher(
        self,
        matcher: Matcher,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        """Apply one matcher at one place, going into children where it is structural.

        Args:
            matcher: The matcher.
            expected: The expected value.
            actual: The actual value.
            segments: The place.
            cursor: The rule cursor there.
        """
        name = matcher.name
        if name == "type" and isinstance(expected, list | dict):
            self._apply_type(matcher, expected, actual, segments, cursor)
        elif name == "equality" and isinstance(expected, list | dict):
            self._compare_plain(expected, actual, segments, cursor)
        elif name == "values" and isinstance(expected, list | dict):
            self._apply_values(expected, actual, segments, cursor)
        elif name == "eachKey":
            self._apply_each_key(matcher, expected, actual, segments, cursor)
        elif name == "eachValue":
            self._apply_each_value(matcher, expected, actual, segments, cursor)
        elif name == "arrayContains":
            self._apply_array_contains(matcher, expected, actual, segments)
        elif name == "notEmpty" and isinstance(expected, list | dict):
            if not same_type(expected, actual):
                self._type_mismatch(expected, actual, segments)
            elif not actual:
                self._leaf_failure(matcher, expected, actual, segments)
            else:
                self._apply_type(matcher, expected, actual, segments, cursor)
        elif not check_leaf(matcher, expected, actual, text=False):
            self._leaf_failure(matcher, expected, actual, segments)

    def _leaf_failure(
        self, matcher: Matcher, expected: Any, actual: Any, segments: tuple[Segment, ...]
    ) -> None:
        self._add(
            segments,
            expected,
            actual,
            f"expected {leaf_expectation(matcher, expected)} at {self.path(segments)}, "
            f"got {describe_value(actual)}",
        )

    def _check_length(
        self, matcher: Matcher, actual: list[Any], segments: tuple[Segment, ...]
    ) -> None:
        if matcher.min is not None and len(actual) < matcher.min:
            self._add(
                segments,
                matcher.min,
                len(actual),
                f"expected at least {matcher.min} elements at {self.path(segments)}, "
                f"got {len(actual)}",
            )
        if matcher.max is not None and len(actual) > matcher.max:
            self._add(
                segments,
                matcher.max,
                len(actual),
                f"expected at most {matcher.max} elements at {self.path(segments)}, "
                f"got {len(actual)}",
            )

    def _apply_type(
        self,
        matcher: Matcher,
        expected: list[Any] | dict[str, Any],
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        if not same_type(expected, actual):
            self._type_mismatch(expected, actual, segments)
            return
        if isinstance(expected, dict):
            self.compare_objects(expected, actual, segments, cursor)
            return
        self._check_length(matcher, actual, segments)
        if not expected:
            return
        template = expected[0]
        expected_length = len(expected)
        compare = self.compare
        child = cursor.child
        for index, item in enumerate(actual):
            compare(
                expected[index] if index < expected_length else template,
                item,
                (*segments, index),
                child(index),
            )

    def _apply_values(
        self,
        expected: list[Any] | dict[str, Any],
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        if not same_type(expected, actual):
            self._type_mismatch(expected, actual, segments)
            return
        if isinstance(expected, list):
            # values on an array: each actual element must equal some expected one.
            for index, item in enumerate(actual):
                if not any(json_equal(option, item) for option in expected):
                    self._add(
                        (*segments, index),
                        expected,
                        item,
                        f"expected one of the values {expected!r} at "
                        f"{self.path((*segments, index))}, got {describe_value(item)}",
                    )
            return
        if not expected:
            return
        template = next(iter(expected.values()))
        for key, item in actual.items():
            self.compare(expected.get(key, template), item, (*segments, key), cursor.child(key))

    def _apply_each_key(
        self,
        matcher: Matcher,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        if not isinstance(actual, dict):
            self._type_mismatch(expected if isinstance(expected, dict) else {}, actual, segments)
            return
        for key in actual:
            for rule in matcher.rules:
                if not check_leaf(rule, key, key, text=True):
                    self._add(
                        (*segments, key),
                        None,
                        key,
                        f"expected each key at {self.path(segments)} to be "
                        f"{leaf_expectation(rule, key)}, got key {key!r}",
                    )
        if isinstance(expected, dict) and expected:
            template = next(iter(expected.values()))
            for key, item in actual.items():
                child = cursor.child(key)
                if key not in expected and child.best is None and not child.has_rules_below:
                    # eachKey is about keys: the value of a key the example lacks
                    # is matched by type against the first example value, not by
                    # equality (compatibility suite, "EachKey matcher (positive)").
                    child = _type_cursor(matcher.rule_path)
                self.compare(expected.get(key, template), item, (*segments, key), child)

    def _apply_each_value(
        self,
        matcher: Matcher,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        items: list[tuple[Segment, Any]]
        if isinstance(actual, dict):
            items = list(actual.items())
        elif isinstance(actual, list):
            items = list(enumerate(actual))
        else:
            self._type_mismatch(expected if expected is not None else {}, actual, segments)
            return
        template: Any = None
        if isinstance(expected, dict) and expected:
            template = next(iter(expected.values()))
        elif isinstance(expected, list) and expected:
            template = expected[0]
        elif matcher.value is not None:
            template = matcher.value
        for key, item in items:
            for rule in matcher.rules:
                self.apply_matcher(rule, template, item, (*segments, key), cursor.child(key))

    def _apply_array_contains(
        self, matcher: Matcher, expected: Any, actual: Any, segments: tuple[Segment, ...]
    ) -> None:
        if not isinstance(actual, list):
            self._type_mismatch([], actual, segments)
            return
        expected_items = expected if isinstance(expected, list) else []
        for position, variant in enumerate(matcher.variants):
            if variant.index >= len(expected_items):
                continue
            wanted = expected_items[variant.index]
            variant_cursor = variant.rules.cursor("body")
            found = False
            for item in actual:
                probe = JsonComparer(self.prefix, allow_unexpected_keys=True, kind=self.kind)
                probe.compare(wanted, item, (), variant_cursor)
                if not probe.mismatches:
                    found = True
                    break
            if not found:
                self._add(
                    segments,
                    wanted,
                    actual,
                    f"expected an element matching variant {position} "
                    f"({describe_value(wanted)}) at {self.path(segments)}, found none",
                )
