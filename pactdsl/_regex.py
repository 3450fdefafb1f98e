"""Regexes from users and pact files: bounded before compiling, matched within a budget.

A pattern may come from anyone. The `regex` package expands nested counted repeats
when it compiles, so ``(?:(?:a{1000}){1000}){1000}`` (27 bytes) would need ~270 GB:
`compile_cached` measures a pattern's expanded size first and refuses one over
`Limits.max_regex_size`. A pattern such as ``(a+)+$`` must not hang the caller:
every match runs with ``timeout=``, taken from one budget per call
(`regex_budget`) so a hundred slow values cost one budget, not a hundred. This
module raises only `PatternLimitError`, the `regex` package's and Python's own
errors; the matcher factories and the engine turn them into their own error type.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from pactdsl._limits import current_limits

if TYPE_CHECKING:
    import regex

_R = TypeVar("_R")

__all__ = [
    "PatternLimitError",
    "cached_pattern",
    "compile_cached",
    "expanded_size",
    "fullmatch_within_limit",
    "regex_budget",
    "regex_seconds",
    "search_within_limit",
]

_CACHE_SIZE = 1_000_000
"""Expanded size of all cached patterns together (~270 MB at the very worst, ~1 MB typically)."""


class PatternLimitError(ValueError):
    """A pattern is longer or expands larger than the `Limits` in force allow."""


def regex_seconds() -> float:
    """The time one match call may spend on regexes (`Limits.regex_seconds`)."""
    return current_limits().regex_seconds


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _quantifier(pattern: str, start: int) -> tuple[int, int] | None:
    """Parse ``{m}``, ``{m,}``, ``{,n}``, ``{m,n}`` at `start`: (multiplier, end) or None."""
    end = pattern.find("}", start)
    if end < 0:
        return None
    low, comma, high = pattern[start + 1 : end].partition(",")
    low, high = low.strip(), high.strip()
    if not (_is_count(low) or (comma and _is_count(high))):
        return None
    if (low and not _is_count(low)) or (high and not _is_count(high)):
        return None
    counts = [int(low)] if _is_count(low) else []
    counts += [int(high)] if _is_count(high) else []
    return max([1, *counts]), end + 1


def _skip_class(pattern: str, index: int) -> int:
    """The index just past the character class opening at `index`."""
    index += 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1  # a leading ] is literal
    depth = 1
    while index < len(pattern) and depth:
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if pattern.startswith("[:", index):
            close = pattern.find(":]", index + 2)
            index = close + 2 if close >= 0 else index + 1
            continue
        depth += char == "["
        depth -= char == "]"
        index += 1
    return index


def _group_body(pattern: str, index: int) -> int:
    """The index where the group opening at `index` starts its content (past ``(?P<n>`` etc)."""
    if not pattern.startswith("(?", index):
        return index + 1
    index += 2
    head = pattern[index : index + 2]
    if head[:1] in ("P", "<") and head not in ("<=", "<!"):
        close = pattern.find(">", index)
        return close + 1 if close >= 0 else len(pattern)
    if head in ("<=", "<!"):
        return index + 2
    if head[:1] and head[:1] in "=!>:|":
        return index + 1
    while index < len(pattern) and pattern[index] not in ":)":
        index += 1
    return index + 1


def expanded_size(pattern: str) -> int:
    """Estimate the size of `pattern` once its counted repeats are expanded.

    Each literal, class or escape counts 1; a group counts the sum of its
    alternatives; ``X{m,n}`` counts ``max(m, n)`` times ``X``; ``*``, ``+``, ``?``
    count nothing extra. An over-estimate for odd syntax is fine: it only decides
    whether a pattern is too big to compile.
    """
    stack: list[tuple[int, int]] = []  # (alternatives so far, sequence so far) per open group
    alternatives, sequence, last = 0, 0, 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            letter = pattern[index + 1 : index + 2]
            index += 2
            opening = pattern[index : index + 1]
            if letter and letter in "pPNxuUg" and opening and opening in "{<":
                close = pattern.find("}" if opening == "{" else ">", index)
                index = close + 1 if close >= 0 else index
            last = 1
            sequence += 1
            continue
        if char == "[":
            index = _skip_class(pattern, index)
            last = 1
            sequence += 1
            continue
        if char == "(":
            if pattern.startswith("(?#", index):
                close = pattern.find(")", index)
                index = close + 1 if close >= 0 else len(pattern)
                continue
            index = _group_body(pattern, index)
            if pattern[index - 1 : index] == ")":
                continue  # a flags-only group such as (?i)
            stack.append((alternatives, sequence))
            alternatives, sequence, last = 0, 0, 0
            continue
        if char == ")" and stack:
            group = max(1, alternatives + sequence)
            alternatives, sequence = stack.pop()
            sequence += group
            last = group
            index += 1
            continue
        if char == "|":
            alternatives += sequence
            sequence, last = 0, 0
            index += 1
            continue
        if char == "{":
            parsed = _quantifier(pattern, index)
            if parsed is not None:
                multiplier, index = parsed
                sequence += last * (multiplier - 1)
                last *= multiplier
                continue
        if char not in "*+?":
            last = 1
            sequence += 1
        index += 1
    while stack:  # an unclosed group: the compiler will reject it, count it anyway
        group = alternatives + sequence
        alternatives, sequence = stack.pop()
        sequence += group
    return alternatives + sequence


def check_pattern(pattern: str) -> int:
    """Raise `PatternLimitError` if `pattern` is over the limits; return its expanded size."""
    limits = current_limits()
    if len(pattern) > limits.max_pattern_length:
        msg = (
            f"the pattern has {len(pattern)} characters, over "
            f"Limits(max_pattern_length={limits.max_pattern_length})"
        )
        raise PatternLimitError(msg)
    size = expanded_size(pattern)
    if size > limits.max_regex_size:
        msg = (
            f"the pattern expands to about {size:,} units once its counted repeats are "
            f"expanded, over Limits(max_regex_size={limits.max_regex_size}); use open "
            "repeats such as a+ or smaller counts"
        )
        raise PatternLimitError(msg)
    return size


# Pattern -> (compiled, expanded size). Emptied whole when full: a plain dict swap needs
# no lock although the port mock matches on many threads, and refilling is cheap.
_cache: dict[str, tuple[regex.Pattern[str], int]] = {}
_cache_total = 0


def compile_cached(pattern: str) -> regex.Pattern[str]:
    """Compile `pattern` with the `regex` package once, after checking its size.

    The cache is bounded by the expanded size of what it holds, not only by count.

    Raises:
        PatternLimitError: If the pattern is over `Limits.max_pattern_length` or
            `Limits.max_regex_size`.
        regex.error: If the pattern does not compile.
    """
    global _cache, _cache_total
    size = check_pattern(pattern)
    hit = _cache.get(pattern)
    if hit is not None:
        return hit[0]
    import regex  # the package loads with the first pattern: most sessions have none

    compiled = regex.compile(pattern)
    if _cache_total + size > _CACHE_SIZE:
        _cache, _cache_total = {}, 0
    _cache[pattern] = (compiled, size)
    _cache_total += size
    return compiled


def cached_pattern(pattern: str) -> regex.Pattern[str] | None:
    """The compiled `pattern` if `compile_cached` holds it (it passed the size checks) or None."""
    hit = _cache.get(pattern)
    return None if hit is None else hit[0]


class _Budget:
    """The regex time one match call has left: only time spent matching counts."""

    __slots__ = ("left",)

    def __init__(self, seconds: float) -> None:
        self.left = seconds


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "pactdsl_regex_budget", default=None
)


@contextlib.contextmanager
def regex_budget() -> Iterator[None]:
    """Share one `Limits.regex_seconds` budget among all matches inside the block.

    Nested blocks use the outer budget, so one match call costs one budget whatever
    it calls. The budget is spent by regex matching only: the rest of a long match
    call (a large body on a loaded machine) does not use it up.
    """
    if _BUDGET.get() is not None:
        yield
        return
    token = _BUDGET.set(_Budget(regex_seconds()))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _run_within(match: Callable[[float], _R]) -> _R:
    """`match(timeout)` with the budget in force as its timeout, charging the time it took."""
    budget = _BUDGET.get()
    if budget is None:
        return match(regex_seconds())
    if budget.left <= 0:
        raise TimeoutError
    started = time.monotonic()
    try:
        return match(budget.left)
    finally:
        budget.left -= time.monotonic() - started


def fullmatch_within_limit(compiled: regex.Pattern[str], text: str) -> bool:
    """Tell whether the whole of `text` matches, within the budget in force.

    Raises:
        TimeoutError: If the call's `Limits.regex_seconds` budget runs out.
    """
    return _run_within(lambda timeout: compiled.fullmatch(text, timeout=timeout)) is not None


def search_within_limit(compiled: regex.Pattern[str], text: str) -> regex.Match[str] | None:
    """The first match of `compiled` in `text`, within the budget in force.

    Raises:
        TimeoutError: If the call's `Limits.regex_seconds` budget runs out.
    """
    return _run_within(lambda timeout: compiled.search(text, timeout=timeout))
