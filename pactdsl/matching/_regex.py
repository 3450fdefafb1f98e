"""Regexes from pact files for the engine: `pactdsl._regex` with `MatchingError`.

A pact file may come from anyone, so a pattern such as `(a+)+$` must not hang the
matcher: `pactdsl._regex` compiles each pattern once and matches with a time limit.
"""

from __future__ import annotations

from typing import Any

import regex

from pactdsl._regex import REGEX_TIMEOUT_SECONDS, compile_cached, fullmatch_within_limit
from pactdsl.matching._mismatch import MatchingError

__all__ = ["REGEX_TIMEOUT_SECONDS", "compile_pattern", "compiled_fullmatch", "regex_fullmatch"]


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
        return compile_cached(pattern)
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
        return fullmatch_within_limit(compiled, text)
    except TimeoutError:
        pattern = compiled.pattern
        raise MatchingError(
            f"regex={pattern!r} at {rule_path} took longer than "
            f"{REGEX_TIMEOUT_SECONDS} s on a value of {len(text)} characters "
            "(catastrophic backtracking); rewrite the pattern without nested "
            "repetition such as (a+)+."
        ) from None
