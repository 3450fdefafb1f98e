"""Regexes from users and pact files: compiled once, matched with a time limit.

A pattern may come from anyone, so one such as ``(a+)+$`` must not hang the
caller: every match runs through the `regex` package with ``timeout=``. This
module raises only the `regex` package's and Python's own errors; the matcher
factories and the matching engine each turn them into their own error type.
"""

from __future__ import annotations

import functools

import regex

__all__ = ["REGEX_TIMEOUT_SECONDS", "compile_cached", "fullmatch_within_limit"]

REGEX_TIMEOUT_SECONDS = 1.0
"""How long one whole-string match may take before it counts as runaway backtracking."""


@functools.lru_cache(maxsize=1024)
def compile_cached(pattern: str) -> regex.Pattern[str]:
    """Compile `pattern` with the `regex` package, once per pattern.

    Args:
        pattern: The regular expression.

    Returns:
        The compiled pattern.

    Raises:
        regex.error: If the pattern does not compile.
    """
    return regex.compile(pattern)


def fullmatch_within_limit(compiled: regex.Pattern[str], text: str) -> bool:
    """Tell whether the whole of `text` matches, within `REGEX_TIMEOUT_SECONDS`.

    Args:
        compiled: A pattern from `compile_cached`.
        text: The value to test.

    Returns:
        True if the whole text matches.

    Raises:
        TimeoutError: If matching takes longer than `REGEX_TIMEOUT_SECONDS`.
    """
    return compiled.fullmatch(text, timeout=REGEX_TIMEOUT_SECONDS) is not None
