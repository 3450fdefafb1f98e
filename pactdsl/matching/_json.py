"""JSON bodies: compare by structure, with matching rules from a `RuleCursor`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pactdsl._rule import Rule
from pactdsl.matching._mismatch import (
    Mismatch,
    MismatchKind,
    count_of,
    describe_value,
    json_text,
)
from pactdsl.matching._paths import Segment, render_path
from pactdsl.matching._rules import (
    EMPTY_RULES,
    LEAF_CHECKS,
    RuleCursor,
    RuleList,
    check_leaf,
    count_outside,
    json_equal,
    leaf_expectation,
    same_type,
    variant_rules,
)

__all__ = ["JsonComparer", "each_value_template", "type_name"]

# Per key of an expected object: the key, its example, the child cursor and, when
# one value rule is all that applies there, that rule, its check and its path.
_LeafPlan = tuple[Rule, Callable[[Rule, Any, Any, bool, str], bool], str]
_PlanStep = tuple[str, Any, RuleCursor, _LeafPlan | None]


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


def each_value_template(rule: Rule, expected: Any) -> Any:
    """The example an `eachValue` rule compares a value with when its key has none.

    Args:
        rule: The `eachValue` rule.
        expected: The example at the rule's place.

    Returns:
        The example's first value (or element), else the rule's own `value`.
    """
    if isinstance(expected, dict) and expected:
        return next(iter(expected.values()))
    if isinstance(expected, list) and expected:
        return expected[0]
    return rule.value


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
            rule = rule_list.leaf
            if rule is not None:
                if not isinstance(expected, dict | list):
                    where = rule_list.rule_path
                    if not LEAF_CHECKS[rule.name](rule, expected, actual, False, where):
                        self._leaf_failure(rule, expected, actual, segments)
                    return
                if rule.name == "type":
                    # Hot path too: each element of an array under a type rule.
                    self._apply_type(rule, expected, actual, segments, cursor)
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
                    f"expected an array of {count_of(len(expected), 'element')} at "
                    f"{self.path(segments)}, got {count_of(len(actual), 'element')}",
                )
            for index, (item, other) in enumerate(zip(expected, actual, strict=False)):
                self.compare(item, other, (*segments, index), cursor.child(index))
        elif not json_equal(expected, actual):
            self._add(
                segments,
                expected,
                actual,
                f"expected {json_text(expected)} at {self.path(segments)}, "
                f"got {describe_value(actual)}",
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
        # under a type rule; its keys, child cursors and leaf rules are
        # worked out once.
        plan: list[_PlanStep] = []
        for key, value in expected.items():
            child_cursor = cursor.child(key)
            rule_list = child_cursor.best
            leaf: _LeafPlan | None = None
            # A lone equality rule takes this path too: its check and its
            # message are those of the plain comparison.
            if (
                rule_list is not None
                and rule_list.leaf is not None
                and not isinstance(value, dict | list)
            ):
                rule = rule_list.leaf
                leaf = (rule, LEAF_CHECKS[rule.name], rule_list.rule_path)
            plan.append((key, value, child_cursor, leaf))
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
        for key, value, child_cursor, leaf in plan:
            if key in actual:
                if leaf is not None:
                    # Hot path: one value rule on a scalar (most rules in big
                    # bodies), without the general machinery.
                    other = actual[key]
                    rule, check, where = leaf
                    if not check(rule, value, other, False, where):
                        self._leaf_failure(rule, value, other, (*segments, key))
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
        """Apply the rules of a rule list (AND or OR) at one place.

        Args:
            rule_list: The rules at this place.
            expected: The expected value.
            actual: The actual value.
            segments: The place.
            cursor: The rule cursor there (for the children).
        """
        if rule_list.combine == "OR":
            first_failure: list[Mismatch] | None = None
            for rule in rule_list.rules:
                before = len(self.mismatches)
                self.apply_rule(rule, rule_list, expected, actual, segments, cursor)
                if len(self.mismatches) == before:
                    return
                failure = self.mismatches[before:]
                del self.mismatches[before:]
                if first_failure is None:
                    first_failure = failure
            self.mismatches.extend(first_failure or [])
            return
        for rule in rule_list.rules:
            self.apply_rule(rule, rule_list, expected, actual, segments, cursor)

    def apply_rule(
        self,
        rule: Rule,
        rule_list: RuleList,
        expected: Any,
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        """Apply one rule at one place, going into children where it is structural.

        Args:
            rule: The rule.
            rule_list: The list it belongs to: its path, and whether it is
                inherited from a parent's rule (cascaded) rather than written
                for this place.
            expected: The expected value.
            actual: The actual value.
            segments: The place.
            cursor: The rule cursor there.
        """
        name = rule.name
        cascaded = rule_list.cascaded
        where = rule_list.rule_path
        container = isinstance(expected, list | dict)
        if name == "type" and container:
            self._apply_type(rule, expected, actual, segments, cursor)
        elif name == "equality" and container:
            self._compare_plain(expected, actual, segments, cursor)
        elif name == "values" and container:
            self._apply_values(expected, actual, segments, cursor, cascaded=cascaded)
        elif name == "eachKey":
            self._apply_each_key(rule, where, expected, actual, segments, cursor, cascaded=cascaded)
        elif name == "eachValue":
            self._apply_each_value(rule, where, expected, actual, segments, cursor)
        elif name == "arrayContains":
            self._apply_array_contains(rule, where, expected, actual, segments)
        elif name == "notEmpty" and container:
            if not same_type(expected, actual):
                self._type_mismatch(expected, actual, segments)
            elif not actual and (expected or not cascaded) and expected != []:
                # pact-reference skips the rules of an empty example array; an
                # empty example object below a notEmpty rule is not asked to
                # have content either, so that the example satisfies its rules.
                self._leaf_failure(rule, expected, actual, segments)
            else:
                self._compare_structure(expected, actual, segments, cursor)
        elif not check_leaf(rule, expected, actual, text=False, where=where):
            self._leaf_failure(rule, expected, actual, segments)

    def _leaf_failure(
        self, rule: Rule, expected: Any, actual: Any, segments: tuple[Segment, ...]
    ) -> None:
        self._add(
            segments,
            expected,
            actual,
            f"expected {leaf_expectation(rule, expected)} at {self.path(segments)}, "
            f"got {describe_value(actual)}",
        )

    def _check_length(
        self,
        rule: Rule,
        expected: list[Any],
        actual: list[Any],
        segments: tuple[Segment, ...],
    ) -> None:
        # Expected/actual are the lists themselves: a report that shows them
        # beside the message must not read a bound of 1 as the value 1.
        length = len(actual)
        outside = count_outside(rule, length, "element")
        if outside is not None:
            self._add(
                segments,
                expected,
                actual,
                f"expected a list of {outside[0]} at {self.path(segments)}, "
                f"got {count_of(length, 'element')}",
            )

    def _apply_type(
        self,
        rule: Rule,
        expected: list[Any] | dict[str, Any],
        actual: Any,
        segments: tuple[Segment, ...],
        cursor: RuleCursor,
    ) -> None:
        if not same_type(expected, actual):
            self._type_mismatch(expected, actual, segments)
            return
        if isinstance(expected, list):  # and so is actual, of the same type
            self._check_length(rule, expected, actual, segments)
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
        rule: Rule,
        where: str,
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
            for key_rule in rule.rules:
                if not check_leaf(key_rule, key, key, text=True, where=where):
                    self._add(
                        (*segments, key),
                        None,
                        key,
                        f"expected each key at {self.path(segments)} to be "
                        f"{leaf_expectation(key_rule, key)}, got key {key!r}",
                    )
        # As in pact-reference, only the keys both sides have are compared; a
        # key the example lacks is checked by the key rules alone.
        for key, value in own.items():
            if key in actual:
                self.compare(value, actual[key], (*segments, key), cursor.child(key))

    def _each_value_cursor(
        self, rule: Rule, rules: RuleList, weight: int, child: RuleCursor
    ) -> RuleCursor:
        # The nested rules act as a rule on every value (pact-reference puts
        # them at `<path>.*`): they weigh what the eachValue rule weighs times
        # a wildcard, and win a tie with a rule written for the same place.
        key = (id(rule), id(child))
        cached = self._each_value_cursors.get(key)
        if cached is None:
            cached = child.with_rules(rules, weight)
            self._each_value_cursors[key] = cached
        return cached

    def _apply_each_value(
        self,
        rule: Rule,
        where: str,
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
        template = each_value_template(rule, expected)
        rules = RuleList(rule.rules, "AND", where) if rule.rules else None
        for key, item in items:
            example = template
            if isinstance(key, str):
                if isinstance(expected, dict) and key in expected:
                    example = expected[key]
            elif isinstance(expected, list) and key < len(expected):
                example = expected[key]
            child = cursor.child(key)
            if rules is not None:
                child = self._each_value_cursor(rule, rules, cursor.best_weight, child)
            self.compare(example, item, (*segments, key), child)

    def _apply_array_contains(
        self, rule: Rule, where: str, expected: Any, actual: Any, segments: tuple[Segment, ...]
    ) -> None:
        if not isinstance(actual, list):
            self._type_mismatch([], actual, segments)
            return
        expected_items = expected if isinstance(expected, list) else []
        if not expected_items:
            return  # pact-reference: an empty example asks for nothing
        # Without variants every example element is one, matched as written.
        variants = variant_rules(rule, where) or tuple(
            (index, EMPTY_RULES) for index in range(len(expected_items))
        )
        for index, rule_set in variants:
            if index >= len(expected_items):
                self._add(
                    segments,
                    expected_items,
                    actual,
                    f"arrayContains at {self.path(segments)} names variant index "
                    f"{index}, but the example has only "
                    f"{count_of(len(expected_items), 'element')}",
                )
                continue
            wanted = expected_items[index]
            # The variant's own rules apply, with paths from the element (`$.href`).
            variant_cursor = rule_set.cursor("body")
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
                    f"expected an element matching variant {index} "
                    f"({describe_value(wanted)}) at {self.path(segments)}, found none",
                )
