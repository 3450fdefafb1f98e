"""Hints for habits brought from other Pact libraries: swapped arguments, strftime, regexes.

The regex portability check is compared with the real Pact core: pact-python's
`pact_ffi` compiles each pattern with the engine its verifier and mock server use.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from pact_ffi import lib as pact_ffi_lib

from pactdsl import InvalidMatcher, match
from pactdsl._errors import PactCompatibilityWarning
from pactdsl._javatime import format_java
from pactdsl._matcher_hints import regex_portability_problem, strftime_to_java
from pactdsl._matchers import matcher_from_rule

# --------------------------------------------------------------------------
# regex(example, pattern): pact-python's order


@pytest.mark.parametrize(
    ("first", "second", "fixed"),
    [
        ("123", r"\d+", r"regex('\\d+', '123')"),
        ("2024-01-02", r"\d{4}-\d{2}-\d{2}", r"regex('\\d{4}-\\d{2}-\\d{2}', '2024-01-02')"),
        ("a(b", r"a\(b", r"regex('a\\(b', 'a(b')"),  # the "pattern" does not even compile
    ],
)
def test_swapped_regex_arguments_are_named(first: str, second: str, fixed: str) -> None:
    """regex(example, pattern) says the arguments look swapped and spells the right call."""
    with pytest.raises(InvalidMatcher) as caught:
        match.regex(first, second)
    message = str(caught.value)
    assert message.startswith(f"regex({first!r}, {second!r}): the arguments look swapped")
    assert message.endswith(f"write {fixed}")


@pytest.mark.parametrize(
    ("pattern", "example", "expected"),
    [
        (r"\d+", "x", "example='x' does not match the whole pattern"),
        ("(", "x", "pattern='(' is not a valid regular expression"),
        ("abc", "(", "example='(' does not match the whole pattern"),
    ],
)
def test_no_swap_hint_when_swapping_would_not_help(
    pattern: str, example: str, expected: str
) -> None:
    """When the example is no pattern matching the first argument, the plain error stays."""
    with pytest.raises(InvalidMatcher, match=re.escape(expected)) as caught:
        match.regex(pattern, example)
    assert "swapped" not in str(caught.value)


# --------------------------------------------------------------------------
# Date formats


_MOMENT = dt.datetime(2024, 3, 7, 15, 4, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.mark.parametrize(
    ("strftime", "java"),
    [
        ("%Y-%m-%d", "yyyy-MM-dd"),
        ("%Y-%m-%dT%H:%M:%S", "yyyy-MM-dd'T'HH:mm:ss"),
        ("%d/%m/%y", "dd/MM/yy"),
        ("%I:%M %p", "hh:mm a"),
        ("%a, %d %b %Y %H:%M:%S %z", "EEE, dd MMM yyyy HH:mm:ss Z"),
        ("%A %B %-d", "EEEE MMMM d"),
        ("%H o'clock", "HH' o''clock'"),
        ("%Y-%m-%d %H:%M:%S.%f", "yyyy-MM-dd HH:mm:ss.SSSSSS"),
        ("%F %T", "yyyy-MM-dd HH:mm:ss"),
        ("%j", "DDD"),
        ("100%% %Y", "100% yyyy"),
    ],
)
def test_strftime_converts_to_the_java_pattern_that_renders_alike(strftime: str, java: str) -> None:
    """Each strftime format maps to a Java pattern that renders a moment exactly as strftime."""
    assert strftime_to_java(strftime) == java
    assert format_java(java, _MOMENT) == _MOMENT.strftime(strftime)


def test_strftime_with_an_unknown_directive_has_no_java_pattern() -> None:
    """A directive without a Java counterpart gives None rather than a wrong pattern."""
    assert strftime_to_java("%H:%M %Q") is None


@pytest.mark.parametrize(
    ("factory", "fmt", "expected"),
    [
        (
            match.date,
            "%Y-%m-%d",
            "date('%Y-%m-%d'): format='%Y-%m-%d' is a Python strftime format, but Pact "
            "date matchers take Java DateTimeFormatter patterns; use 'yyyy-MM-dd'",
        ),
        (
            match.datetime,
            "%Y-%m-%dT%H:%M:%S",
            "Java DateTimeFormatter patterns; use \"yyyy-MM-dd'T'HH:mm:ss\"",
        ),
        (match.time, "%I:%M %p", "use 'hh:mm a'"),
        (match.time, "%H:%M %Q", "write the Java pattern, such as 'HH:mm:ss'"),
        (
            match.date,
            "YYYY-MM-dd",
            "date('YYYY-MM-dd'): format='YYYY-MM-dd': 'YYYY' is the week-based year; "
            "for a calendar date use 'yyyy-MM-dd'",
        ),
        (
            match.date,
            "yyyy-MM-DD",
            "format='yyyy-MM-DD': 'DD' is the day of the year; "
            "for a calendar date use 'yyyy-MM-dd'",
        ),
        (
            match.date,
            "DD.MM.YYYY",
            "'DD' is the day of the year and 'YYYY' is the week-based year; "
            "for a calendar date use 'dd.MM.yyyy'",
        ),
        (
            match.datetime,
            "YYYY-MM-dd'T'HH:mm",
            "for a calendar date use \"yyyy-MM-dd'T'HH:mm\"",
        ),
        (
            match.date,
            "2024-01-02",
            "format='2024-01-02' has no pattern letters, so it looks like an example; "
            "the format comes first, as in ('yyyy-MM-dd', '2024-01-02')",
        ),
    ],
)
def test_date_formats_from_other_habits_are_refused_with_the_fix(
    factory: Callable[..., Any], fmt: str, expected: str
) -> None:
    """Formats in strftime, YYYY, DD beside a month, or an example as format get the fix."""
    with pytest.raises(InvalidMatcher, match=re.escape(expected)):
        factory(fmt)


@pytest.mark.parametrize(
    ("fmt", "example"),
    [("yyyy-DDD", "2024-002"), ("D", "2"), ("'Day' D 'of' yyyy", "Day 2 of 2024")],
)
def test_day_of_year_without_a_month_is_accepted(fmt: str, example: str) -> None:
    """A day-of-year with no month beside it is meant, so no hint refuses it."""
    assert match.date(fmt, example).example_value() == example


# --------------------------------------------------------------------------
# Unknown matcher names in pact files


@pytest.mark.parametrize(
    ("name", "guess"),
    [("integr", "integer"), ("regx", "regex"), ("eachkey", "eachKey"), ("timestmp", "timestamp")],
)
def test_unknown_matcher_suggests_the_closest_name(name: str, guess: str) -> None:
    """A misspelt matcher name in a rule suggests the known name it is closest to."""
    expected = f"here: unknown matcher {name!r}; did you mean {guess!r}? known matchers are "
    with pytest.raises(InvalidMatcher, match=re.escape(expected)):
        matcher_from_rule({"match": name}, "here")


def test_unknown_matcher_far_from_any_name_gets_no_guess() -> None:
    """A name like no known matcher lists the known ones without a guess."""
    with pytest.raises(InvalidMatcher) as caught:
        matcher_from_rule({"match": "zzzz"}, "here")
    assert str(caught.value).startswith("here: unknown matcher 'zzzz'; known matchers are ")


# --------------------------------------------------------------------------
# Regexes the Pact core cannot compile


def _pact_core_compiles(pattern: str, example: str) -> bool:
    """Whether pact_ffi (the Pact core's regex engine) compiles `pattern` and finds `example`."""
    return bool(pact_ffi_lib.pactffi_check_regex(pattern.encode(), example.encode()))


PORTABILITY = [
    # (pattern, an example it matches, the construct the warning names or None)
    (r"\d+", "12", None),
    (r"(?=a)a", "a", None),
    (r"(?!b)a", "a", None),
    (r"(?<=a)b|b", "b", None),
    (r"(?<!a)b", "b", None),
    (r"(a)\1", "aa", None),
    (r"\d++", "1", None),
    (r"a*+b", "ab", None),
    (r"a{2}+", "aa", None),
    (r"(?>a)", "a", None),
    (r"a\Z", "a", None),
    (r"(?<year>\d{4})", "2024", None),
    (r"(?i)a", "A", None),
    (r"(?x) a b", "ab", None),
    (r"[(?P<]+", "(?P<", None),
    (r"\(?P<a", "P<a", None),
    (r"(?P<year>\d{4})", "2024", "a Python-style named group '(?P<name>...)'"),
    (r"(?P<x>a)(?P=x)", "aa", "a Python-style named group '(?P<name>...)'"),
    (r"(?<x>a)(?P=x)", "aa", "a Python-style backreference '(?P=name)'"),
    (r"(?s)a.b", "a\nb", "the inline flag 's'"),
    (r"(?s:.)", "a", "the inline flag 's'"),
    (r"(?i-s:a)", "a", "the inline flag 's'"),
    (r"(?a)\w+", "ab", "the inline flag 'a'"),
    (r"(?u)\w+", "ab", "the inline flag 'u'"),
    (r"(?L)a", "a", "the inline flag 'L'"),
    (r"(?<x>a)(?P>x)", "aa", "a Python-style subpattern call '(?P>name)'"),
]


@pytest.mark.parametrize(("pattern", "example", "construct"), PORTABILITY)
def test_portability_check_agrees_with_the_pact_core(
    pattern: str, example: str, construct: str | None
) -> None:
    """A pattern is flagged exactly when pact-python's Pact core cannot compile it."""
    problem = regex_portability_problem(pattern)
    assert (problem[0] if problem else None) == construct
    assert _pact_core_compiles(pattern, example) is (construct is None)


@pytest.mark.parametrize(("pattern", "example", "construct"), PORTABILITY)
def test_regex_warns_only_for_patterns_the_pact_core_rejects(
    pattern: str, example: str, construct: str | None
) -> None:
    """regex() emits PactCompatibilityWarning naming the construct, and nothing otherwise."""
    if construct is None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert match.regex(pattern, example).to_rule()["regex"] == pattern
        return
    expected = (
        f"regex({pattern!r}): pactdsl matches {construct}, but the Pact core behind "
        "pact-python 4, pact-js and the pact CLI (Oniguruma regexes) cannot compile it, "
        "so their verifiers will reject this pact; "
    )
    with pytest.warns(PactCompatibilityWarning, match=re.escape(expected)) as caught:
        matcher = match.regex(pattern, example)
    assert matcher.to_rule()["regex"] == pattern
    assert [w.filename for w in caught] == [__file__]  # points at the caller's line


@pytest.mark.parametrize(
    ("pattern", "example", "advice"),
    [
        (r"(?P<y>\d{4})", "2024", "write '(?<name>...)'"),
        (r"(?<x>a)(?P=x)", "aa", "use a numbered one such as '\\1'"),
        (r"(?s)a.b", "a\nb", "write '[\\s\\S]' where a dot must match a newline"),
    ],
)
def test_warning_ends_with_the_portable_spelling(pattern: str, example: str, advice: str) -> None:
    """The warning ends by saying what to write instead."""
    with pytest.warns(PactCompatibilityWarning) as caught:
        match.regex(pattern, example)
    assert str(caught[0].message).endswith(f"; {advice}")


def test_compatibility_warning_is_a_user_warning() -> None:
    """Filters on UserWarning catch PactCompatibilityWarning too."""
    assert issubclass(PactCompatibilityWarning, UserWarning)
