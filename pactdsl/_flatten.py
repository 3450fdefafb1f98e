"""Flattening: a value with matchers and generators inside, split the way a pact file stores it.

The plain example, the matching rules by path and the generators by path.
"""

from __future__ import annotations

from typing import Any

import attrs

from pactdsl._generators import Generator
from pactdsl._matchers import Matcher, RuleGroup, example_of
from pactdsl._rulepath import rule_path_child

__all__ = ["Flattened", "flatten"]


@attrs.frozen
class Flattened:
    """A value split the way a pact file stores it."""

    example: Any
    rules: dict[str, RuleGroup]
    generators: dict[str, Generator]


def flatten(value: Any, root: str = "$") -> Flattened:
    """Split `value` (JSON with matchers and generators inside) into its parts.

    Rule paths are relative to `root`; a matcher at the top puts its rule at
    `root` itself.
    """
    rules: dict[str, RuleGroup] = {}
    generators: dict[str, Generator] = {}
    _walk(value, root, rules, generators)
    return Flattened(example_of(value), rules, generators)


def _walk(
    value: Any,
    path: str,
    rules: dict[str, RuleGroup],
    generators: dict[str, Generator],
) -> None:
    if isinstance(value, Generator):
        generators[path] = value
        implied = value.implied_matcher()
        if implied is not None:
            rules[path] = implied.rule_group()
        return
    if isinstance(value, Matcher):
        rules[path] = value.rule_group()
        for key, template in value.nested():
            if key is None and isinstance(template, Generator):
                # like(random_int()): the matcher's rule stays, the generator joins it.
                generators.setdefault(path, template)
            elif key is None:
                _walk_children(template, path, rules, generators)
            elif key == "[*]":
                _walk(template, f"{path}[*]", rules, generators)
            elif key == ".*" and isinstance(template, dict):
                for item in template.values():
                    _walk(item, f"{path}.*", rules, generators)
        return
    _walk_children(value, path, rules, generators)


def _walk_children(
    value: Any,
    path: str,
    rules: dict[str, RuleGroup],
    generators: dict[str, Generator],
) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, rule_path_child(path, key), rules, generators)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, rule_path_child(path, index), rules, generators)
