"""Regexes from pact files for the engine: `pactdsl._regex` with `MatchingError`.

A pact file may come from anyone, so a pattern such as `(a+)+$` must not hang the
matcher, nor ``(?:(?:a{1000}){1000}){1000}`` exhaust memory when it compiles:
`pactdsl._regex` bounds a pattern's size before compiling it and matches within one
time budget per match call (`regex_budget`, entered by the engine's entry points).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from pactdsl._regex import (
    PatternLimitError,
    cached_pattern,
    compile_cached,
    fullmatch_within_limit,
    regex_budget,
    regex_seconds,
)
from pactdsl.matching._mismatch import MatchingError

__all__ = ["bounded_match_call", "compile_pattern", "compiled_fullmatch", "regex_fullmatch"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def bounded_match_call(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run an engine entry point within one regex budget, deep nesting as `MatchingError`."""

    @functools.wraps(function)
    def bounded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with regex_budget():
            try:
                return function(*args, **kwargs)
            except MatchingError:
                raise
            except RecursionError:
                raise MatchingError(
                    f"{function.__name__}: a body or rule nests too deeply to compare; "
                    "flatten it (see Limits.max_nesting_depth)."
                ) from None
            except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
                # A part of the wrong shape (headers that are not an object, say):
                # one error naming the call, not a crash deep inside the engine.
                raise MatchingError(
                    f"{function.__name__}: the expected or actual message is malformed "
                    f"({type(exc).__name__}: {str(exc)[:200]}); pass Pact JSON as a pact "
                    "file holds it."
                ) from None

    return bounded


def compile_pattern(pattern: str, rule_path: str) -> Any:
    """Compile a pattern (cached), naming the rule path if it does not compile.

    Args:
        pattern: The regular expression from the pact.
        rule_path: Where the rule sits, for the error message.

    Returns:
        The compiled pattern object of the `regex` package.

    Raises:
        MatchingError: If the pattern is not a valid regular expression, or is
            over the `Limits` in force.
    """
    if not isinstance(pattern, str):
        raise MatchingError(
            f"regex={pattern!r} at {rule_path} must be a string; give the pattern as a JSON string."
        )
    import regex  # loads with the first pattern (pactdsl._regex): most sessions have none

    try:
        return compile_cached(pattern)
    except PatternLimitError as error:
        raise MatchingError(f"regex={pattern[:80]!r} at {rule_path}: {error}.") from None
    except regex.error as error:
        raise MatchingError(
            f"regex={pattern!r} at {rule_path} does not compile: {error}; "
            "fix the pattern in the pact."
        ) from None


def regex_fullmatch(pattern: str, text: str, rule_path: str) -> bool:
    """Tell whether the whole of `text` matches `pattern`, within the time budget.

    A rule's pattern was compiled (and its size checked) when the rule was parsed,
    so it is taken from the bounded cache as it stands; it is compiled again only
    if the cache has been emptied since.

    Args:
        pattern: The regular expression from the pact.
        text: The value to test.
        rule_path: Where the rule sits, for the error message.

    Returns:
        True if the whole text matches.

    Raises:
        MatchingError: If the pattern does not compile, or the call's regex
            budget (`Limits.regex_seconds`) runs out (catastrophic backtracking).
    """
    compiled = cached_pattern(pattern) or compile_pattern(pattern, rule_path)
    try:
        return fullmatch_within_limit(compiled, text)
    except TimeoutError:
        raise _ran_out(pattern, text, rule_path) from None


def compiled_fullmatch(compiled: Any, text: str, rule_path: str) -> bool:
    """`regex_fullmatch` for a pattern already compiled by `compile_pattern`."""
    try:
        return fullmatch_within_limit(compiled, text)
    except TimeoutError:
        raise _ran_out(compiled.pattern, text, rule_path) from None


def _ran_out(pattern: str, text: str, rule_path: str) -> MatchingError:
    return MatchingError(
        f"regex={pattern[:80]!r} at {rule_path} ran out of the "
        f"Limits(regex_seconds={regex_seconds()}) budget of this match on a value of "
        f"{len(text)} characters (catastrophic backtracking); rewrite the pattern "
        "without nested repetition such as (a+)+."
    )
