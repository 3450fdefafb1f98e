"""XML bodies: elements, attributes, text and namespaces.

Element rule paths follow Pact-JVM: an element is named by its ancestors' and its
own local names without indices (`$.animals.alligator`), an attribute by
`['@name']` and text by `['#text']`. Mismatch paths add the index of each element
(`$.body.animals.alligator[1]['@phoneNumber']`) so a person can find it.
Namespaces are compared by URI, never by prefix.

A `type` rule's `min`/`max` counts elements. On the path of a child element
(`$.list.item`) it bounds how many such elements its parent holds: the count the
Pact-FFI XML builders mean when they write `eachLike(min=2)` there. Pact-Rust
instead checks each `item`'s own child count, so a leaf `item` always fails a
`min`; pactdsl does not. On the root element (`$.animals`), whose number is
always one, it bounds the root's child elements, as the Pact specification's
cases do.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from pactdsl._rule import Rule
from pactdsl.matching._mismatch import MatchingError, Mismatch, count_of, describe_value
from pactdsl.matching._rules import (
    RuleCursor,
    RuleList,
    count_outside,
    failing_rule,
    leaf_expectation,
)

__all__ = ["match_xml"]


def _parse(text: Any, side: str) -> ElementTree.Element | str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return f"the {side} body is not XML text: {describe_value(text)}"
    try:
        return ElementTree.fromstring(text.strip().encode("utf-8"))
    except ElementTree.ParseError as error:
        return f"the {side} body is not well-formed XML ({error})"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _shown(tag: str) -> str:
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return f"{local} (namespace {namespace})" if namespace else local


def _text(element: ElementTree.Element) -> str:
    parts = [element.text or ""]
    parts.extend(child.tail or "" for child in element)
    return "".join(parts).strip()


def _type_rule(rule_list: RuleList | None) -> Rule | None:
    if rule_list is None:
        return None
    for rule in rule_list.rules:
        if rule.name == "type":
            return rule
    return None


def _by_tag(children: list[ElementTree.Element]) -> dict[str, list[ElementTree.Element]]:
    groups: dict[str, list[ElementTree.Element]] = {}
    for child in children:
        groups.setdefault(child.tag, []).append(child)
    return groups


def _indexed(parent: RuleCursor, by_name: RuleCursor, position: int, tag: str) -> RuleCursor:
    # Rule paths name a child element either by name alone ($.animals.alligator,
    # Pact-JVM) or by its position and then its name ($.animals[*].alligator):
    # both spellings apply.
    return by_name.merged(parent.child(position).child(_local(tag)))


class _XmlComparer:
    def __init__(self, allow_unexpected: bool) -> None:
        self.allow_unexpected = allow_unexpected
        self.mismatches: list[Mismatch] = []

    def add(self, path: str, expected: Any, actual: Any, message: str) -> None:
        self.mismatches.append(Mismatch("body", path, expected, actual, message))

    def compare_element(
        self,
        expected: ElementTree.Element,
        actual: ElementTree.Element,
        path: str,
        cursor: RuleCursor,
        counted: Rule | None = None,
    ) -> None:
        """Compare one element; `counted` is the type rule its group was counted by."""
        if expected.tag != actual.tag:
            self.add(
                path,
                _shown(expected.tag),
                _shown(actual.tag),
                f"expected element {_shown(expected.tag)!r} at {path}, got {_shown(actual.tag)!r}",
            )
            return
        self._compare_attributes(expected, actual, path, cursor)
        self._compare_text(expected, actual, path, cursor)
        self._compare_children(expected, actual, path, cursor, counted)

    def _compare_attributes(
        self,
        expected: ElementTree.Element,
        actual: ElementTree.Element,
        path: str,
        cursor: RuleCursor,
    ) -> None:
        for name, value in expected.attrib.items():
            attribute_path = f"{path}['@{_local(name)}']"
            actual_value = actual.attrib.get(name)
            if actual_value is None:
                self.add(
                    attribute_path,
                    value,
                    None,
                    f"missing attribute {_local(name)!r} at {path} (expected {value!r})",
                )
                continue
            rule_list = cursor.child("@" + _local(name)).best
            self._compare_value(rule_list, value, actual_value, attribute_path)
        if not self.allow_unexpected:
            for name, value in actual.attrib.items():
                if name not in expected.attrib:
                    self.add(
                        f"{path}['@{_local(name)}']",
                        None,
                        value,
                        f"unexpected attribute {_local(name)!r} at {path}",
                    )

    def _compare_value(
        self, rule_list: RuleList | None, expected: str, actual: str, path: str
    ) -> None:
        if rule_list is not None and not rule_list.is_equality:
            failed = failing_rule(rule_list, expected, actual)
            if failed is not None:
                self.add(
                    path,
                    expected,
                    actual,
                    f"expected {leaf_expectation(failed, expected)} at {path}, got "
                    f"{describe_value(actual)}",
                )
        elif expected != actual:
            self.add(
                path,
                expected,
                actual,
                f"expected {expected!r} at {path}, got {actual!r}",
            )

    def _compare_text(
        self,
        expected: ElementTree.Element,
        actual: ElementTree.Element,
        path: str,
        cursor: RuleCursor,
    ) -> None:
        expected_text, actual_text = _text(expected), _text(actual)
        rule_list = cursor.child("#text").best
        own = cursor.best
        # A value rule (regex, ...) on the element itself is about its text.
        if own is not None and _type_rule(own) is None and not own.is_equality:
            rule_list = own
        if rule_list is None and not expected_text and not actual_text:
            return
        self._compare_value(rule_list, expected_text, actual_text, f"{path}['#text']")

    def _compare_children(
        self,
        expected: ElementTree.Element,
        actual: ElementTree.Element,
        path: str,
        cursor: RuleCursor,
        counted: Rule | None,
    ) -> None:
        parent_type = _type_rule(cursor.best)
        expected_children = list(expected)
        actual_children = list(actual)
        # A rule whose min/max already bounded this element's group (`$.list.item`
        # counted the items) says nothing about how many children each item has.
        if parent_type is not None and parent_type != counted:
            self._check_count(parent_type, len(actual_children), path, "child element")
        groups = _by_tag(expected_children)
        actual_groups = _by_tag(actual_children)
        # A group with its own type rule may hold any number of elements, so the
        # tag sequence cannot be expected to repeat the example's.
        counted_groups = any(_type_rule(cursor.child(_local(tag)).best) for tag in groups)
        if (
            parent_type is None
            and not counted_groups
            and not self.allow_unexpected
            and [child.tag for child in expected_children]
            != [child.tag for child in actual_children]
            and set(groups) == set(actual_groups)
        ):
            self.add(
                path,
                [_shown(child.tag) for child in expected_children],
                [_shown(child.tag) for child in actual_children],
                f"expected child elements {[_local(c.tag) for c in expected_children]} "
                f"at {path}, got {[_local(c.tag) for c in actual_children]}",
            )
            return
        positions = {id(child): index for index, child in enumerate(actual_children)}
        for tag, expected_group in groups.items():
            child_cursor = cursor.child(_local(tag))
            actual_group = actual_groups.get(tag, [])
            group_type = _type_rule(child_cursor.best) or parent_type
            if group_type is not None:
                counted_by = None
                if group_type is not parent_type:
                    counted_by = group_type
                    self._check_count(
                        group_type, len(actual_group), path, f"{_local(tag)!r} element"
                    )
                    if not actual_group and not child_cursor.best_exact:
                        # An inherited type rule types the child; it does not make
                        # the child optional.
                        self._missing(tag, path, 0, expected_group)
                elif parent_type.min is None and not actual_group:
                    self._missing(tag, path, 0, expected_group)
                for index, child in enumerate(actual_group):
                    template = expected_group[min(index, len(expected_group) - 1)]
                    self.compare_element(
                        template,
                        child,
                        f"{path}.{_local(tag)}[{index}]",
                        _indexed(cursor, child_cursor, positions[id(child)], tag),
                        counted_by,
                    )
                continue
            for index, child in enumerate(expected_group):
                if index >= len(actual_group):
                    self._missing(tag, path, index, expected_group)
                    break
                self.compare_element(
                    child,
                    actual_group[index],
                    f"{path}.{_local(tag)}[{index}]",
                    _indexed(cursor, child_cursor, positions[id(actual_group[index])], tag),
                )
            if len(actual_group) > len(expected_group) and not self.allow_unexpected:
                self.add(
                    f"{path}.{_local(tag)}[{len(expected_group)}]",
                    None,
                    _shown(tag),
                    f"unexpected element {_local(tag)!r} at "
                    f"{path}.{_local(tag)}[{len(expected_group)}]",
                )
        for tag in actual_groups:
            if tag not in groups and (not self.allow_unexpected or parent_type is not None):
                self.add(
                    f"{path}.{_local(tag)}[0]",
                    None,
                    _shown(tag),
                    f"unexpected element {_shown(tag)!r} at {path}",
                )

    def _missing(
        self, tag: str, path: str, index: int, expected_group: list[ElementTree.Element]
    ) -> None:
        self.add(
            f"{path}.{_local(tag)}[{index}]",
            _shown(tag),
            None,
            f"expected {count_of(len(expected_group), repr(_local(tag)) + ' element')} "
            f"at {path}, got {index}",
        )

    def _check_count(self, rule: Rule, count: int, path: str, what: str) -> None:
        outside = count_outside(rule, count, what)
        if outside is not None:
            bound, limit = outside
            self.add(path, limit, count, f"expected {bound} at {path}, got {count}")


def match_xml(
    expected: Any, actual: Any, cursor: RuleCursor, *, allow_unexpected: bool
) -> list[Mismatch]:
    """Compare two XML bodies.

    Args:
        expected: The expected XML text (str or bytes).
        actual: The actual XML text.
        cursor: The body rule cursor at `$`.
        allow_unexpected: Whether extra attributes and elements are allowed
            (responses) or not (requests).

    Returns:
        The mismatches.

    Raises:
        MatchingError: If the expected body is not well-formed XML.
    """
    expected_root = _parse(expected, "expected")
    if isinstance(expected_root, str):
        raise MatchingError(f"{expected_root}; fix the XML body in the pact.")
    actual_root = _parse(actual, "actual")
    if isinstance(actual_root, str):
        return [Mismatch("body", "$.body", expected, actual, actual_root)]
    comparer = _XmlComparer(allow_unexpected)
    root_name = _local(expected_root.tag)
    comparer.compare_element(
        expected_root, actual_root, f"$.body.{root_name}", cursor.child(root_name)
    )
    return comparer.mismatches
