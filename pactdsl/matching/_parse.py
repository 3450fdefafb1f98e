"""Matching rules of every spec version parsed into the engine's `RuleSet`.

Each rule dict goes through the one rule model (`pactdsl._rule`); here its rules
become the engine's matchers (with compiled regexes and the rule path for
messages), grouped by category and rule path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pactdsl._rule import (
    CATEGORY_ALIASES,
    Combine,
    Rule,
    RuleError,
    parse_rule,
    parse_rule_group,
)
from pactdsl.matching._mismatch import MatchingError
from pactdsl.matching._paths import ROOT, Field, Token, parse_rule_path
from pactdsl.matching._regex import compile_pattern
from pactdsl.matching._rules import EMPTY_RULES, Matcher, RuleList, RuleSet, Variant

__all__ = ["parse_matcher", "parse_rule_list", "parse_rules"]


def _engine_matcher(rule: Rule, rule_path: str) -> Matcher:
    if rule.name == "regex":
        pattern = rule.regex or ""
        return Matcher(
            "regex", rule_path, pattern=pattern, compiled=compile_pattern(pattern, rule_path)
        )
    if rule.name == "arrayContains":
        variants = tuple(
            Variant(
                variant.index,
                RuleSet(
                    {
                        "body": tuple(
                            (
                                parse_rule_path(path) if path else (ROOT,),
                                _engine_list(rules, combine, f"{rule_path}[{position}] {path}"),
                            )
                            for path, (rules, combine) in variant.rules.items()
                        )
                    }
                ),
            )
            for position, variant in enumerate(rule.variants)
        )
        return Matcher(rule.name, rule_path, variants=variants)
    return Matcher(
        rule.name,
        rule_path,
        min=rule.min,
        max=rule.max,
        value=rule.value,
        format=rule.format,
        rules=tuple(_engine_matcher(nested, rule_path) for nested in rule.rules),
        status=rule.status,
    )


def _engine_list(rules: tuple[Rule, ...], combine: Combine, rule_path: str) -> RuleList:
    return RuleList(tuple(_engine_matcher(rule, rule_path) for rule in rules), combine, rule_path)


def parse_matcher(definition: Any, rule_path: str) -> Matcher:
    r"""Parse one matcher definition of any spec version (see `pactdsl._rule.parse_rule`).

    Args:
        definition: A dict such as `{"match": "type", "min": 1}`,
            `{"regex": "\\d+"}` (V2, no `match`) or
            `{"pact:matcher:type": "integer"}` (integration JSON).
        rule_path: Where the rule sits, for messages.

    Returns:
        The normalised matcher.

    Raises:
        MatchingError: For an unknown matcher name or a broken attribute.
    """
    try:
        rule = parse_rule(definition, rule_path)
    except RuleError as error:
        raise MatchingError(str(error)) from None
    return _engine_matcher(rule, rule_path)


def parse_rule_list(definition: Any, rule_path: str) -> RuleList:
    """Parse the rules of one path: `{"matchers": [...], "combine": ...}`, a list or one matcher.

    Args:
        definition: The value stored under the path in the pact.
        rule_path: The path, for messages.

    Returns:
        The parsed rule list.

    Raises:
        MatchingError: For a broken rule.
    """
    try:
        rules, combine = parse_rule_group(definition, rule_path)
    except RuleError as error:
        raise MatchingError(str(error)) from None
    return _engine_list(rules, combine, rule_path)


def _parse_category_map(rules: Mapping[str, Any], where: str) -> RuleSet:
    categories: dict[str, list[tuple[tuple[Token, ...], RuleList]]] = {}
    for raw_category, entries in rules.items():
        category = CATEGORY_ALIASES.get(raw_category)
        if category is None:
            continue  # unknown categories (e.g. future ones) do not apply here
        target = categories.setdefault(category, [])
        shown = f"{where}{raw_category}" if where else raw_category
        if isinstance(entries, dict) and ("matchers" in entries or "match" in entries):
            target.append(((ROOT,), parse_rule_list(entries, f"{shown} (whole)")))
            continue
        if not isinstance(entries, dict):
            raise MatchingError(
                f"matchingRules.{raw_category}={entries!r} must be an object keyed by path or name."
            )
        for key, definition in entries.items():
            rule_path = f"{shown} {key}"
            if category in ("header", "query", "metadata"):
                tokens = parse_rule_path(key) if key.startswith("$") else None
                if tokens is None or len(tokens) < 2:
                    tokens = (ROOT, Field(key))
            else:
                tokens = parse_rule_path(key) if key else (ROOT,)
            target.append((tokens, parse_rule_list(definition, rule_path)))
    return RuleSet({name: tuple(items) for name, items in categories.items()})


_V2_PREFIXES: Final = (
    ("$.body", "body"),
    ("$.headers", "header"),
    ("$.header", "header"),
    ("$.query", "query"),
    ("$.path", "path"),
    ("$.status", "status"),
    ("$.metadata", "metadata"),
    ("$.metaData", "metadata"),
)


def _v2_category(key: str) -> tuple[str, str]:
    for prefix, category in _V2_PREFIXES:
        if key == prefix or key.startswith((prefix + ".", prefix + "[")):
            return category, "$" + key[len(prefix) :]
    raise MatchingError(
        f"rule path={key!r} does not start with $.body, $.header, $.query or "
        "$.path; V2 rule paths name the part they apply to."
    )


def _parse_v2(rules: Mapping[str, Any]) -> RuleSet:
    categories: dict[str, list[tuple[tuple[Token, ...], RuleList]]] = {}
    for key, definition in rules.items():
        category, rest = _v2_category(key)
        tokens = parse_rule_path(rest)
        categories.setdefault(category, []).append((tokens, parse_rule_list(definition, key)))
    return RuleSet({name: tuple(items) for name, items in categories.items()})


def parse_rules(rules: Any) -> RuleSet:
    """Parse the `matchingRules` of a request, response or message, any version.

    Args:
        rules: The `matchingRules` value (None or a dict).

    Returns:
        The parsed rules.

    Raises:
        MatchingError: For a broken rule.
    """
    if not rules:
        return EMPTY_RULES
    if not isinstance(rules, dict):
        raise MatchingError(
            f"matchingRules={rules!r} must be an object; see the Pact specification."
        )
    if all(isinstance(key, str) and key.startswith("$") for key in rules):
        return _parse_v2(rules)
    return _parse_category_map(rules, "")
