"""Matching rules of every spec version parsed into the engine's `RuleSet`.

Each rule dict goes through the one rule model (`pactdsl._rule`); here its rules
are grouped by category and rule path (the engine uses the `Rule`s themselves;
their regexes were compiled into the bounded cache as they were parsed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pactdsl._rule import CATEGORY_ALIASES, Rule, RuleError, parse_rule_group
from pactdsl.matching._mismatch import MatchingError
from pactdsl.matching._paths import ROOT, Field, Token, parse_rule_path
from pactdsl.matching._rules import EMPTY_RULES, RuleList, RuleSet, variant_rules

__all__ = ["parse_rule_list", "parse_rules"]


def _check_variants(rules: tuple[Rule, ...], rule_path: str) -> None:
    # The engine reads an arrayContains rule's variants where it applies; their
    # rule paths are checked now, so a broken one fails every match, not some.
    for rule in rules:
        if rule.name == "arrayContains":
            for _, rule_set in variant_rules(rule, rule_path):
                for _, rule_list in rule_set.category("body"):
                    _check_variants(rule_list.rules, rule_list.rule_path)


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
    _check_variants(rules, rule_path)
    return RuleList(rules, combine, rule_path)


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
