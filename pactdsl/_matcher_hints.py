"""Hints for mistakes people bring from other Pact libraries: regex flavours and date formats."""

from __future__ import annotations

import re
from typing import Any

from pactdsl._regex import PatternLimitError, compile_cached, fullmatch_within_limit

__all__ = ["java_format_hint", "regex_portability_problem", "regex_swap_hint", "strftime_to_java"]


_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]*)(?:-([imsx]*))?[:)]")
_PYTHON_ONLY_GROUPS = (
    ("(?P<", "a Python-style named group '(?P<name>...)'", "write '(?<name>...)'"),
    ("(?P=", "a Python-style backreference '(?P=name)'", "use a numbered one such as '\\1'"),
    ("(?P>", "a Python-style subpattern call '(?P>name)'", "repeat the subpattern"),
)
_FLAG_ADVICE = {
    "s": "write '[\\s\\S]' where a dot must match a newline",
    "a": "write '[0-9]' or '[A-Za-z0-9_]' instead of '\\d' or '\\w'",
    "u": "drop it (patterns on text are Unicode already)",
    "L": "drop it",
}


def regex_portability_problem(pattern: str) -> tuple[str, str] | None:
    """Name the first construct in `pattern` that the Pact core's regex engine rejects.

    pact-python 4's verifier and mock server (pact_ffi, the Rust core that
    pact-js and the pact CLI share) compile rules with Oniguruma in Ruby
    syntax. It takes look-around, backreferences, possessive quantifiers and
    atomic groups, but not Python's ``(?P...)`` groups nor the inline flags
    ``s``, ``a``, ``u`` and ``L``. Returns (what it is, what to do), or None.
    """
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position = _end_of_class(pattern, position)
            continue
        if pattern.startswith("(?", position):
            for opener, what, advice in _PYTHON_ONLY_GROUPS:
                if pattern.startswith(opener, position):
                    return what, advice
            flags = _INLINE_FLAGS.match(pattern, position)
            if flags is not None:
                for flag in "".join(part or "" for part in flags.groups()):
                    if flag in _FLAG_ADVICE:
                        return f"the inline flag {flag!r}", _FLAG_ADVICE[flag]
        position += 1
    return None


def _end_of_class(pattern: str, start: int) -> int:
    """The index after the ``]`` closing the character class opened at `start`."""
    position = start + 1
    if pattern[position : position + 1] == "^":
        position += 1
    if pattern[position : position + 1] == "]":
        position += 1  # a leading `]` is a literal
    while position < len(pattern) and pattern[position] != "]":
        position += 2 if pattern[position] == "\\" else 1
    return position + 1


def regex_swap_hint(first: Any, second: Any) -> str | None:
    """Say how to fix ``regex(example, pattern)``, pact-python's order, if that fits.

    It fits when `second` compiles as a pattern that matches all of `first`.
    """
    if not isinstance(first, str) or not isinstance(second, str):
        return None
    import regex  # loads with the first pattern (pactdsl._regex): most sessions have none

    try:
        compiled = compile_cached(second)
        fits = fullmatch_within_limit(compiled, first)
    except (regex.error, PatternLimitError, TimeoutError):
        return None
    if not fits:
        return None
    return (
        "the arguments look swapped (pact-python's order is regex(example, pattern)); "
        f"pactdsl's is regex(pattern, example): write regex({second!r}, {first!r})"
    )


_STRFTIME_DIRECTIVE = re.compile(r"%([-:]?[A-Za-z%])")
_STRFTIME_TO_JAVA = {
    "Y": "yyyy",
    "y": "yy",
    "m": "MM",
    "-m": "M",
    "d": "dd",
    "-d": "d",
    "e": "d",
    "j": "DDD",
    "H": "HH",
    "-H": "H",
    "I": "hh",
    "-I": "h",
    "M": "mm",
    "-M": "m",
    "S": "ss",
    "-S": "s",
    "f": "SSSSSS",
    "p": "a",
    "b": "MMM",
    "B": "MMMM",
    "a": "EEE",
    "A": "EEEE",
    "z": "Z",
    ":z": "xxx",
    "Z": "z",
    "F": "yyyy-MM-dd",
    "T": "HH:mm:ss",
}
"""Python strftime directives and the Java DateTimeFormatter pattern for each."""


def strftime_to_java(fmt: str) -> str | None:
    """The Java pattern for a strftime format, or None if a directive has none."""
    parts: list[str] = []
    literal: list[str] = []

    def flush() -> None:
        # Java reads ASCII letters as pattern letters, so text with letters is quoted.
        text = "".join(literal).replace("'", "''")
        parts.append(f"'{text}'" if re.search("[A-Za-z]", text) else text)
        literal.clear()

    position = 0
    for found in _STRFTIME_DIRECTIVE.finditer(fmt):
        literal.extend(fmt[position : found.start()])
        position = found.end()
        directive = found.group(1)
        if directive == "%":
            literal.append("%")
            continue
        if directive not in _STRFTIME_TO_JAVA:
            return None
        flush()
        parts.append(_STRFTIME_TO_JAVA[directive])
    literal.extend(fmt[position:])
    flush()
    return "".join(parts)


def _unquoted_letters(fmt: str) -> list[tuple[int, int]]:
    """(start, end) of each run of one repeated pattern letter outside quotes."""
    runs: list[tuple[int, int]] = []
    position = 0
    quoted = False
    while position < len(fmt):
        char = fmt[position]
        if char == "'":
            quoted = not quoted  # `''` toggles twice: a literal quote either way
            position += 1
            continue
        if not quoted and char.isascii() and char.isalpha():
            end = position
            while end < len(fmt) and fmt[end] == char:
                end += 1
            runs.append((position, end))
            position = end
            continue
        position += 1
    return runs


def java_format_hint(fmt: str, default: str) -> str | None:
    """Explain a date format that is almost surely not what its author meant.

    Catches Python strftime formats (``%Y-%m-%d``), week-based years (``YYYY``)
    and day-of-year (``DD``) beside a month, and an example date given where
    the format goes. `default` is the factory's default Java pattern.
    """
    if _STRFTIME_DIRECTIVE.search(fmt):
        java = strftime_to_java(fmt)
        advice = (
            f"use {java!r}" if java is not None else f"write the Java pattern, such as {default!r}"
        )
        return (
            f"format={fmt!r} is a Python strftime format, but Pact date matchers "
            f"take Java DateTimeFormatter patterns; {advice}"
        )
    runs = _unquoted_letters(fmt)
    if not runs:
        return (
            f"format={fmt!r} has no pattern letters, so it looks like an example; the "
            f"format comes first, as in ({default!r}, {fmt!r})"
        )
    letters = {fmt[start] for start, _ in runs}
    has_month = bool(letters & {"M", "L"})
    fixed = list(fmt)
    problems = []
    for start, end in runs:
        if fmt[start] == "Y":
            fixed[start:end] = "y" * (end - start)
            problems.append(f"{fmt[start:end]!r} is the week-based year")
        elif fmt[start] == "D" and end - start <= 2 and has_month:
            fixed[start:end] = "d" * (end - start)
            problems.append(f"{fmt[start:end]!r} is the day of the year")
    if not problems:
        return None
    return f"format={fmt!r}: {' and '.join(problems)}; for a calendar date use {''.join(fixed)!r}"
