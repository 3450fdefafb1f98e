"""JSON bodies: compare by structure, with matching rules from a `RuleCursor`."""

from __future__ import annotations

from typing import Any

from pactdsl.matching._mismatch import Mismatch, MismatchKind, describe_value
from pactdsl.matching._paths import Segment, render_path
from pactdsl.matching._rules import (
    EMPTY_RULES,
    LEAF_CHECKS,
    Matcher,
    RuleCursor,
    RuleList,
    Variant,
    check_leaf,
    json_equal,
    leaf_expectation,
    same_type,
)

__all__ = ["JsonComparer", "each_value_template", "type_name"]

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


def each_value_template(matcher: Matcher, expected: Any) -> Any:
    """The example an `eachValue` rule compares a value with when its key has none.

    Args:
        matcher: The `eachValue` matcher.
        expected: The example at the rule's place.

    Returns:
        The example's first value (or element), else the rule's own `value`.
    """
    if isinstance(expected, dict) and expected:
        return next(iter(expected.values()))
    if isinstance(expected, list) and expected:
        return expected[0]
    return matcher.value


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
        # Cursors made for eachValue, kept alive for the comparer's lifetime so
        # the ids that key `_plans` are never reused by another cursor.
        self._each_value_cursors: dict[tuple[int, int], RuleCursor] = {}

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
                self.apply_matcher(
                    matcher, expected, actual, segments, cursor, cascaded=rule_list.cascaded
                )
                if len(self.mismatches) == before:
                    return
                failure = self.mismatches[before:]
                del self.mismatches[before:]
                if first_failure is None:
                    first_failure = failure
            self.mismatches.extend(first_failure or [])
            return
        for matcher in rule_list.matchers:
            self.apply_matcher(
                matcher, expected, actual, segments, cursor, cascaded=rule_list.cascaded
            )

    def apply_matcher(
        self,
        matcher: Matcher,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
        *,
        cascaded: bool = False,
    ) -> None:
        """Apply one matcher at one place, going into children where it is structural.

        Args:
            matcher: The matcher.
            expected: The expected value.
            actual: The actual value.
            segments: The place.
            cursor: The rule cursor there.
            cascaded: Whether the matcher comes from a parent's rule rather than
                from a rule on this place.
        """
        name = matcher.name
        container = isinstance(expected, list | dict)
        if name == "type" and container:
            self._apply_type(matcher, expected, actual, segments, cursor)
        elif name == "equality" and container:
            self._compare_plain(expected, actual, segments, cursor)
        elif name == "values" and container:
            self._apply_values(expected, actual, segments, cursor, cascaded=cascaded)
        elif name == "eachKey":
            self._apply_each_key(matcher, expected, actual, segments, cursor, cascaded=cascaded)
        elif name == "eachValue":
            self._apply_each_value(matcher, expected, actual, segments, cursor)
        elif name == "arrayContains":
            self._apply_array_contains(matcher, expected, actual, segments)
        elif name == "notEmpty" and container:
            if not same_type(expected, actual):
                self._type_mismatch(expected, actual, segments)
            elif not actual and (expected or not cascaded) and expected != []:
                # pact-reference skips the rules of an empty example array; an
                # empty example object below a notEmpty rule is not asked to
                # have content either, so that the example satisfies its rules.
                self._leaf_failure(matcher, expected, actual, segments)
            else:
                self._compare_structure(expected, actual, segments, cursor)
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
        self,
        matcher: Matcher,
        expected: list[Any],
        actual: list[Any],
        segments: tuple[Segment, ...],
    ) -> None:
        # Expected/actual are the lists themselves: a report that shows them
        # beside the message must not read a bound of 1 as the value 1.
        length = len(actual)
        if matcher.min is not None and length < matcher.min:
            bound = f"at least {_count(matcher.min)}"
        elif matcher.max is not None and length > matcher.max:
            bound = f"at most {_count(matcher.max)}"
        else:
            return
        self._add(
            segments,
            expected,
            actual,
            f"expected a list of {bound} at {self.path(segments)}, got {_count(length)}",
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
        if isinstance(actual, list) and isinstance(expected, list):
            self._check_length(matcher, expected, actual, segments)
        self._compare_structure(expected, actual, segments, cursor)

    def _compare_structure(
        self,
        expected: list[Any] | dict[str, Any],
        actual: list[Any] | dict[str, Any],
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        """Compare two containers of the same kind under a rule that is not equality.

        Objects are compared key by key; arrays element by element, any length,
        the elements past the example's end against its first element (as
        pact-reference does under any rule but equality).
        """
        if isinstance(expected, dict):
            assert isinstance(actual, dict)
            self.compare_objects(expected, actual, segments, cursor)
            return
        assert isinstance(actual, list)
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

    def _own_object(
        self,
        expected: list[Any] | dict[str, Any],
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
        *,
        cascaded: bool,
    ) -> dict[str, Any] | None:
        """What `values` and `eachKey` share: the object left to check, or None.

        A value of another type is a mismatch. On an array, and below the rule's
        own place, they keep the structure (pact-reference): scalars are
        compared by equality.
        """
        if not same_type(expected, actual):
            self._type_mismatch(expected, actual, segments)
            return None
        if isinstance(expected, list) or cascaded:
            self._compare_structure(expected, actual, segments, cursor)
            return None
        return expected

    def _apply_values(
        self,
        expected: list[Any] | dict[str, Any],
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
        *,
        cascaded: bool,
    ) -> None:
        own = self._own_object(expected, actual, segments, cursor, cascaded=cascaded)
        if own is None:
            return
        # On its own object: the keys do not matter; each actual value is
        # compared with the example's value of that key, else its first value.
        if not own:
            return
        template = next(iter(own.values()))
        for key, item in actual.items():
            self.compare(own.get(key, template), item, (*segments, key), cursor.child(key))

    def _apply_each_key(
        self,
        matcher: Matcher,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
        *,
        cascaded: bool,
    ) -> None:
        if not isinstance(expected, list | dict):
            return  # pact-reference: eachKey puts no constraint on a scalar
        own = self._own_object(expected, actual, segments, cursor, cascaded=cascaded)
        if own is None:
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
        # As in pact-reference, only the keys both sides have are compared; a
        # key the example lacks is checked by the key rules alone.
        for key, value in own.items():
            if key in actual:
                self.compare(value, actual[key], (*segments, key), cursor.child(key))

    def _each_value_cursor(
        self, matcher: Matcher, rules: RuleList, weight: int, child: RuleCursor
    ) -> RuleCursor:
        # The nested rules act as a rule on every value (pact-reference puts
        # them at `<path>.*`): they weigh what the eachValue rule weighs times
        # a wildcard, and win a tie with a rule written for the same place.
        key = (id(matcher), id(child))
        cached = self._each_value_cursors.get(key)
        if cached is None:
            cached = RuleCursor((), ((rules, weight, True),)).merged(child)
            self._each_value_cursors[key] = cached
        return cached

    def _apply_each_value(
        self,
        matcher: Matcher,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        items: list[tuple[Segment, Any]]
        if isinstance(expected, list | dict) and not same_type(expected, actual):
            self._type_mismatch(expected, actual, segments)
            return
        if isinstance(actual, dict):
            items = list(actual.items())
        elif isinstance(actual, list):
            items = list(enumerate(actual))
        else:
            self._type_mismatch(expected if expected is not None else {}, actual, segments)
            return
        template = each_value_template(matcher, expected)
        rules = RuleList(matcher.rules, "AND", matcher.rule_path) if matcher.rules else None
        for key, item in items:
            example = template
            if isinstance(key, str):
                if isinstance(expected, dict) and key in expected:
                    example = expected[key]
            elif isinstance(expected, list) and key < len(expected):
                example = expected[key]
            child = cursor.child(key)
            if rules is not None:
                child = self._each_value_cursor(matcher, rules, cursor.best_weight, child)
            self.compare(example, item, (*segments, key), child)

    def _apply_array_contains(
        self, matcher: Matcher, expected: Any, actual: Any, segments: tuple[Segment, ...]
    ) -> None:
        if not isinstance(actual, list):
            self._type_mismatch([], actual, segments)
            return
        expected_items = expected if isinstance(expected, list) else []
        if not expected_items:
            return  # pact-reference: an empty example asks for nothing
        # Without variants every example element is one, matched as written.
        variants = matcher.variants or tuple(
            Variant(index, EMPTY_RULES) for index in range(len(expected_items))
        )
        for variant in variants:
            if variant.index >= len(expected_items):
                self._add(
                    segments,
                    expected_items,
                    actual,
                    f"arrayContains at {self.path(segments)} names variant index "
                    f"{variant.index}, but the example has only "
                    f"{_count(len(expected_items))}",
                )
                continue
            wanted = expected_items[variant.index]
            # The variant's own rules apply, with paths from the element (`$.href`).
            variant_cursor = variant.rules.cursor("body")
            found = False
            for item in actual:
                probe = JsonComparer(
                    self.prefix, allow_unexpected_keys=self.allow_unexpected_keys, kind=self.kind
                )
                probe.compare(wanted, item, (), variant_cursor)
                if not probe.mismatches:
                    found = True
                    break
            if not found:
                self._add(
                    segments,
                    wanted,
                    actual,
                    f"expected an element matching variant {variant.index} "
                    f"({describe_value(wanted)}) at {self.path(segments)}, found none",
                )
