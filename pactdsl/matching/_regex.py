"""Regexes from pact files, compiled once and run with a time limit.

A pact file may come from anyone, so a pattern such as `(a+)+$` must not hang the
matcher: every match runs through the `regex` package with `timeout=`.
"""

from __future__ import annotations

import functools
from typing import Any

import regex

from pactdsl.matching._mismatch import MatchingError

__all__ = ["REGEX_TIMEOUT_SECONDS", "compile_pattern", "compiled_fullmatch", "regex_fullmatch"]

REGEX_TIMEOUT_SECONDS = 1.0


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> Any:
    return regex.compile(pattern)


def compile_pattern(pattern: str, rule_path: str) -> Any:
    """Compile a pattern (cached), naming the rule path if it does not compile.

    Args:
        pattern: The regular expression from the pact.
        rule_path: Where the rule sits, for the error message.

    Returns:
        The compiled pattern object of the `regex` package.

    Raises:
        MatchingError: If the pattern is not a valid regular expression.
    """
    if not isinstance(pattern, str):
        raise MatchingError(
            f"regex={pattern!r} at {rule_path} must be a string; give the pattern as a JSON string."
        )
    try:
        return _compile(pattern)
    except regex.error as error:
        raise MatchingError(
            f"regex={pattern!r} at {rule_path} does not compile: {error}; "
            "fix the pattern in the pact."
        ) from None


def regex_fullmatch(pattern: str, text: str, rule_path: str) -> bool:
    """Tell whether the whole of `text` matches `pattern`, within the time limit.

    Args:
        pattern: The regular expression from the pact.
        text: The value to test.
        rule_path: Where the rule sits, for the error message.

    Returns:
        True if the whole text matches.

    Raises:
        MatchingError: If the pattern does not compile, or matching takes longer
            than `REGEX_TIMEOUT_SECONDS` (catastrophic backtracking).
    """
    return compiled_fullmatch(compile_pattern(pattern, rule_path), text, rule_path)


def compiled_fullmatch(compiled: Any, text: str, rule_path: str) -> bool:
    """`regex_fullmatch` for a pattern already compiled by `compile_pattern`."""
    try:
        return compiled.fullmatch(text, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        pattern = compiled.pattern
        raise MatchingError(
            f"regex={pattern!r} at {rule_path} took longer than "
            f"{REGEX_TIMEOUT_SECONDS} s on a value of {len(text)} characters "
            "(catastrophic backtracking); rewrite the pattern without nested "
            "repetition such as (a+)+."
        ) from None
