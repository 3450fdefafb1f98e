"""Matching rules of every spec version, parsed into one internal form.

V2 keeps one flat map keyed by `$.body...`, `$.header(s).X`, `$.query.X`, `$.path`;
V3 and V4 group rule lists by category (`body`, `header`, `query`, `path`,
`status`, `metadata`, and `content` for messages). Both become a `RuleSet`: per
category, a tuple of `(tokens, RuleList)`; a `RuleList` holds the rule model's
own `Rule`s (`pactdsl._rule`) with the rule path, for messages. A `RuleCursor`
walks a body one segment at a time and knows, at each place, which rule list
applies, so each place costs a dictionary look-up rather than a parse of every
rule path.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from pactdsl._javatime import java_format_matches
from pactdsl._rule import SEMVER_PATTERN, STATUS_CLASSES, Combine, Rule
from pactdsl.matching._mismatch import count_of, describe_value, json_text, show_pattern
from pactdsl.matching._paths import (
    ROOT,
    Field,
    Index,
    Segment,
    Token,
    parse_rule_path,
    token_score,
)
from pactdsl.matching._regex import regex_fullmatch

__all__ = [
    "EMPTY_CURSOR",
    "LEAF_CHECKS",
    "STRUCTURAL_MATCHERS",
    "RuleCursor",
    "RuleList",
    "RuleSet",
    "check_leaf",
    "count_outside",
    "failing_rule",
    "leaf_expectation",
    "status_expectation",
    "variant_rules",
]


@functools.cache
def _semver() -> re.Pattern[str]:
    """The semver pattern, compiled when a semver rule first checks a value (0.4 ms)."""
    return re.compile(SEMVER_PATTERN)


@attrs.frozen
class RuleList:
    """The rules of one rule path, combined with AND or OR.

    Attributes:
        rules: The rules, as the rule model parsed them.
        combine: How they combine.
        rule_path: Where they sit in the pact, for messages.
        cascaded: Whether this list is inherited from a parent's rules.
    """

    rules: tuple[Rule, ...]
    combine: Combine
    rule_path: str
    cascaded: bool = False
    is_equality: bool = attrs.field(init=False)
    leaf: Rule | None = attrs.field(init=False)
    cascade: RuleList | None = attrs.field(init=False)

    @is_equality.default
    def _is_equality(self) -> bool:
        return all(rule.name == "equality" for rule in self.rules)

    @leaf.default
    def _leaf(self) -> Rule | None:
        # The single value rule of this list, if that is all it is: the hot
        # path of body matching applies it without the general machinery.
        if len(self.rules) == 1 and self.rules[0].name in LEAF_CHECKS:
            return self.rules[0]
        return None

    @cascade.default
    def _cascade(self) -> RuleList | None:
        # As in pact-reference, a rule on a parent also governs the places below
        # that have no rule of their own: `type` as a plain type rule (min/max
        # are about the parent's own length), `values` as equality of scalars,
        # `eachKey` as no constraint on scalars, `notEmpty` as non-emptiness;
        # containers below keep their structure. An equality rule cascades too,
        # so it resets a rule further up. Other matchers stay where they are.
        if self.is_equality or self.cascaded:
            return self
        kept = tuple(
            _PLAIN_TYPE if rule.name == "type" else rule
            for rule in self.rules
            if rule.name in _CASCADING
        )
        if not kept:
            return None
        return RuleList(kept, self.combine, self.rule_path, cascaded=True)


_CASCADING: Final = frozenset({"type", "values", "eachKey", "notEmpty"})
_PLAIN_TYPE: Final = Rule("type")


@attrs.frozen
class RuleSet:
    """Parsed rules of one interaction part, by category."""

    categories: Mapping[str, tuple[tuple[tuple[Token, ...], RuleList], ...]]

    def category(self, name: str) -> tuple[tuple[tuple[Token, ...], RuleList], ...]:
        """Return the rules of one category (empty if none).

        Args:
            name: `body`, `header`, `query`, `path`, `status` or `metadata`.

        Returns:
            The `(tokens, RuleList)` pairs.
        """
        return self.categories.get(name, ())

    def by_name(self, name: str) -> dict[str, RuleList]:
        """Return a category's rules keyed by their single field (headers, query).

        Args:
            name: `header`, `query` or `metadata`.

        Returns:
            Map from the field name to its rule list.
        """
        result: dict[str, RuleList] = {}
        for tokens, rule_list in self.category(name):
            if len(tokens) >= 2 and isinstance(tokens[1], Field):
                result[tokens[1].name] = rule_list
        return result

    def whole(self, name: str) -> RuleList | None:
        """Return the rule list of a category that has no paths (`path`, `status`).

        Args:
            name: `path` or `status`.

        Returns:
            The rule list, or None.
        """
        for tokens, rule_list in self.category(name):
            if len(tokens) == 1:
                return rule_list
        return None

    def cursor(self, name: str) -> RuleCursor:
        """Return a cursor at the root of a category.

        Args:
            name: The category, usually `body`.

        Returns:
            A cursor; `EMPTY_CURSOR` if the category has no rules.
        """
        rules = self.category(name)
        if not rules:
            return EMPTY_CURSOR
        return RuleCursor.at_root(rules)


EMPTY_RULES: Final = RuleSet({})


def variant_rules(rule: Rule, rule_path: str) -> tuple[tuple[int, RuleSet], ...]:
    """The variants of an `arrayContains` rule: each example index with its body rules.

    Args:
        rule: The `arrayContains` rule.
        rule_path: Where it sits, for messages.

    Returns:
        `(index, rules)` per variant; the rules' paths start at the element (`$.href`).

    Raises:
        MatchingError: If a variant's rule path is not of the grammar.
    """
    return tuple(
        (
            variant.index,
            RuleSet(
                {
                    "body": tuple(
                        (
                            parse_rule_path(path) if path else (ROOT,),
                            RuleList(rules, combine, f"{rule_path}[{position}] {path}"),
                        )
                        for path, (rules, combine) in variant.rules.items()
                    )
                }
            ),
        )
        for position, variant in enumerate(rule.variants)
    )


_RuleEntry = tuple[tuple[Token, ...], RuleList]
_Partial = tuple[_RuleEntry, int, int]
_Ended = tuple[RuleList, int, bool]
_ANY_INDEX_KEY: Final = -1


def _names_an_index(token: Token) -> bool:
    # `[2]` and `.2` both name one array element, so arrays must not share a cursor.
    return isinstance(token, Index) or (isinstance(token, Field) and token.name.isdigit())


class RuleCursor:
    """The rules that apply at one place in a body, and a way to step to a child.

    Children are cached, and all array elements share one child when no rule names
    a specific index, so walking a large array costs one dictionary look-up per
    element.
    """

    __slots__ = (
        "_children",
        "_ended",
        "_index_sensitive",
        "_partial",
        "best",
        "best_exact",
        "best_weight",
    )

    def __init__(self, partial: tuple[_Partial, ...], ended: tuple[_Ended, ...]) -> None:
        self._partial = partial
        self._ended = ended
        self._children: dict[Segment, RuleCursor] = {}
        self._index_sensitive = any(_names_an_index(entry[0][pos]) for entry, pos, _ in partial)
        best: RuleList | None = None
        best_key = (-1, False)
        for rule_list, weight, exact in ended:
            if (weight, exact) > best_key:
                best, best_key = rule_list, (weight, exact)
        self.best = best
        self.best_weight = best_key[0]
        # False when the best rule is inherited from an ancestor (a cascade).
        self.best_exact = best_key[1]

    @classmethod
    def at_root(cls, rules: tuple[_RuleEntry, ...]) -> RuleCursor:
        """Build the cursor for `$` from the rules of one category.

        Args:
            rules: `(tokens, RuleList)` pairs.

        Returns:
            The root cursor.
        """
        partial: list[_Partial] = []
        ended: list[_Ended] = []
        for entry in rules:
            # Every parsed rule path starts at ROOT (a bare name is one field below it).
            if len(entry[0]) == 1:
                ended.append((entry[1], 2, True))
            else:
                partial.append((entry, 1, 2))
        return cls(tuple(partial), tuple(ended))

    def merged(self, other: RuleCursor) -> RuleCursor:
        """Combine two cursors so the rules of both apply (the best one wins).

        Args:
            other: Another cursor, for another spelling of the same place.

        Returns:
            A cursor holding the rules of both.
        """
        return RuleCursor(self._partial + other._partial, self._ended + other._ended)

    def with_rules(self, rules: RuleList, weight: int) -> RuleCursor:
        """This cursor with `rules` also written for its place, at `weight`.

        How an `eachValue` rule's nested rules act on every value: as a rule
        at ``<path>.*`` that wins a tie with a rule written for the same place.

        Args:
            rules: The rules to add.
            weight: What they weigh (the eachValue rule's weight).

        Returns:
            A new cursor.
        """
        return RuleCursor((), ((rules, weight, True),)).merged(self)

    def child(self, segment: Segment) -> RuleCursor:
        """Step to a child place.

        Args:
            segment: A key or element name (str) or an array index (int).

        Returns:
            The cursor for the child.
        """
        key: Segment = segment
        if isinstance(segment, int) and not self._index_sensitive:
            key = _ANY_INDEX_KEY
        cached = self._children.get(key)
        if cached is not None:
            return cached
        partial: list[_Partial] = []
        ended: list[_Ended] = []
        for entry, position, weight in self._partial:
            tokens = entry[0]
            score = token_score(tokens[position], segment)
            if not score:
                continue
            if position + 1 == len(tokens):
                ended.append((entry[1], weight * score, True))
            else:
                partial.append((entry, position + 1, weight * score))
        cascaded: _Ended | None = None
        for rule_list, weight, _ in self._ended:
            if rule_list.cascade is not None and (cascaded is None or weight > cascaded[1]):
                cascaded = (rule_list.cascade, weight, False)
        if cascaded is not None:
            ended.append(cascaded)
        if not partial and not ended:
            result = EMPTY_CURSOR
        else:
            result = RuleCursor(tuple(partial), tuple(ended))
        self._children[key] = result
        return result


class _EmptyCursor(RuleCursor):
    """The cursor of a place no rule reaches; its children are itself."""

    __slots__ = ()

    def child(self, segment: Segment) -> RuleCursor:
        """Return itself: nothing below a rule-free place has rules.

        Args:
            segment: Ignored.

        Returns:
            This cursor.
        """
        return self


EMPTY_CURSOR: Final[RuleCursor] = _EmptyCursor((), ())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_INTEGER_TEXT: Final = re.compile(r"[+-]?\d+")
_DECIMAL_TEXT: Final = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NUMBER_TEXT: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def same_type(expected: Any, actual: Any) -> bool:
    """Tell whether two JSON values have the same JSON type (numbers are one type).

    Args:
        expected: The expected value.
        actual: The actual value.

    Returns:
        True if both are numbers, or both strings, booleans, nulls, objects or
        arrays.
    """
    if _is_number(expected):
        return _is_number(actual)
    return type(expected) is type(actual)


def _stringify(value: Any) -> str:
    # Never given None: the regex and include checks refuse a null first.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_integer(actual: Any, text: bool) -> bool:
    if isinstance(actual, int) and not isinstance(actual, bool):
        return True
    return text and isinstance(actual, str) and bool(_INTEGER_TEXT.fullmatch(actual))


def _check_decimal(actual: Any, text: bool) -> bool:
    if isinstance(actual, float):
        return math.isfinite(actual)
    return text and isinstance(actual, str) and bool(_DECIMAL_TEXT.fullmatch(actual))


def _check_number(actual: Any, text: bool) -> bool:
    if _is_number(actual):
        return True
    return text and isinstance(actual, str) and bool(_NUMBER_TEXT.fullmatch(actual))


def _check_date(rule: Rule, actual: Any) -> bool:
    return isinstance(actual, str) and java_format_matches(rule.format or "", actual)


def _check_status(rule: Rule, actual: Any) -> bool:
    code = _as_status(actual)
    if code is None:
        return False
    status = rule.status
    if isinstance(status, str):
        return code in STATUS_CLASSES[status]
    return status is not None and code in status


def _as_status(actual: Any) -> int | None:
    if isinstance(actual, int) and not isinstance(actual, bool):
        return actual
    if isinstance(actual, str) and actual.isascii() and actual.isdigit():
        return int(actual)
    return None


def _not_empty(actual: Any) -> bool:
    if actual is None:
        return False
    if isinstance(actual, str | list | dict | bytes):
        return len(actual) > 0
    return True


# A check takes the rule, the example, the actual value, whether values are all
# text there, and the rule path (for the message of a regex that runs too long).
_LeafCheck = Callable[[Rule, Any, Any, bool, str], bool]

LEAF_CHECKS: Final[dict[str, _LeafCheck]] = {
    "equality": lambda m, e, a, t, w: json_equal(e, a),
    "type": lambda m, e, a, t, w: same_type(e, a) or (t and isinstance(a, str) and e is not None),
    "regex": lambda m, e, a, t, w: (
        a is not None
        and not isinstance(a, dict | list)
        and regex_fullmatch(m.regex or "", _stringify(a), w)
    ),
    "integer": lambda m, e, a, t, w: _check_integer(a, t),
    "decimal": lambda m, e, a, t, w: _check_decimal(a, t),
    "number": lambda m, e, a, t, w: _check_number(a, t),
    "include": lambda m, e, a, t, w: a is not None and _stringify(m.value) in _stringify(a),
    "null": lambda m, e, a, t, w: a is None,
    "boolean": lambda m, e, a, t, w: (
        isinstance(a, bool) or (isinstance(a, str) and a in ("true", "false"))
    ),
    "date": lambda m, e, a, t, w: _check_date(m, a),
    "time": lambda m, e, a, t, w: _check_date(m, a),
    "datetime": lambda m, e, a, t, w: _check_date(m, a),
    "semver": lambda m, e, a, t, w: isinstance(a, str) and _semver().fullmatch(a) is not None,
    # pact-reference checks presence and content only, not the type.
    "notEmpty": lambda m, e, a, t, w: _not_empty(a),
    # `values` on a scalar (or cascaded onto one) is equality in pact-reference;
    # text values (headers, query) are all strings, so there it is the type.
    "values": lambda m, e, a, t, w: same_type(e, a) if t else json_equal(e, a),
    "statusCode": lambda m, e, a, t, w: _check_status(m, a),
    # A content type is checked on whole bodies (`_text.py`); on one JSON value
    # it can only ask for the example's type.
    "contentType": lambda m, e, a, t, w: same_type(e, a),
}

STRUCTURAL_MATCHERS: Final = frozenset({"arrayContains", "eachKey", "eachValue"})
"""The matchers the comparers apply to a place's children, never as a leaf check."""


def check_leaf(rule: Rule, expected: Any, actual: Any, *, text: bool, where: str) -> bool:
    """Apply a value rule to one actual value.

    Args:
        rule: The rule (not a structural one such as `eachValue`).
        expected: The expected example value.
        actual: The actual value.
        text: True where every value is text (headers, query, path, XML), so
            numeric strings count as numbers.
        where: The rule path, for messages.

    Returns:
        True if the actual value satisfies the rule.

    Raises:
        MatchingError: If a regex is broken or runs too long.
    """
    check = LEAF_CHECKS.get(rule.name)
    if check is None:
        # Structural rules on a scalar: compare by type, the nearest meaning.
        return same_type(expected, actual)
    return check(rule, expected, actual, text, where)


def failing_rule(rule_list: RuleList, expected: Any, actual: Any) -> Rule | None:
    """Apply a rule list to a text value (header, query, path, XML, form field).

    Args:
        rule_list: The rules for that value.
        expected: The expected example value.
        actual: The actual value.

    Returns:
        None if the value satisfies the rules, else the (first) failing rule.

    Raises:
        MatchingError: If a regex is broken or runs too long.
    """
    failed: Rule | None = None
    for rule in rule_list.rules:
        if check_leaf(rule, expected, actual, text=True, where=rule_list.rule_path):
            if rule_list.combine == "OR":
                return None
        elif rule_list.combine != "OR":
            return rule
        elif failed is None:
            failed = rule
    return failed


def count_outside(rule: Rule, count: int, noun: str) -> tuple[str, int] | None:
    """Check a count (elements, values) against a rule's `min` and `max`.

    Args:
        rule: The rule (a `type` rule, or any: one without bounds allows any count).
        count: How many there are.
        noun: What is counted, singular (`element`, `value`).

    Returns:
        None within the bounds; else the bound in words (`at least 2 elements`) and
        its number.
    """
    if rule.min is not None and count < rule.min:
        return f"at least {count_of(rule.min, noun)}", rule.min
    if rule.max is not None and count > rule.max:
        return f"at most {count_of(rule.max, noun)}", rule.max
    return None


def leaf_expectation(rule: Rule, expected: Any) -> str:
    r"""Say in words what a rule expects, for mismatch messages.

    Args:
        rule: The rule that failed.
        expected: The expected example value.

    Returns:
        A phrase such as `an integer` or ``a value matching the regex `\d+` ``.
    """
    name = rule.name
    phrases = {
        "integer": "an integer",
        "decimal": "a decimal number",
        "number": "a number",
        "null": "null",
        "boolean": "a boolean",
        "semver": "a semantic version (semver.org)",
        "notEmpty": "a non-empty value",
    }
    if name in phrases:
        return phrases[name]
    if name == "regex":
        return f"a value matching {show_pattern(rule.regex)}"
    if name == "include":
        return f"a value including {json_text(rule.value)}"
    if name in ("date", "time", "datetime"):
        return f"a {name} in format {rule.format!r}"
    if name == "statusCode":
        return status_expectation(rule.status)
    if name in ("equality", "values"):
        return json_text(expected)
    return f"a value of the same type as {describe_value(expected)}"


def status_expectation(status: Any) -> str:
    """Say in words which statuses a `statusCode` rule allows.

    Args:
        status: A status class name (`success`, ...) or a list of codes.

    Returns:
        A phrase such as `a status in the 'success' class (200-299)` or
        `one of the statuses 200, 201`.
    """
    if isinstance(status, tuple | list):
        return "one of the statuses " + ", ".join(str(code) for code in status)
    codes = STATUS_CLASSES[status]
    return f"a status in the {status!r} class ({codes.start}-{codes.stop - 1})"


def json_equal(expected: Any, actual: Any) -> bool:
    """Compare a JSON scalar with a value, keeping booleans apart from numbers.

    Objects and arrays are compared place by place by the comparers, never here.

    Args:
        expected: The expected scalar (string, number, boolean or null).
        actual: The actual value.

    Returns:
        True if equal in JSON terms (1 equals 1.0, True never equals 1).
    """
    if _is_number(expected):
        return _is_number(actual) and expected == actual
    return type(expected) is type(actual) and bool(expected == actual)
