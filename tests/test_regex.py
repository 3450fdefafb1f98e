"""The bounded regex helper shared by the matcher factories and the matching engine."""

from __future__ import annotations

import time

import pytest
import regex

from pactdsl._errors import InvalidMatcher
from pactdsl._limits import Limits, limits_in_force
from pactdsl._matchers import compile_regex, regex_fullmatch
from pactdsl._regex import (
    PatternLimitError,
    compile_cached,
    expanded_size,
    fullmatch_within_limit,
    regex_budget,
)
from pactdsl.matching import MatchingError
from pactdsl.matching._regex import compile_pattern, compiled_fullmatch

# Backtracks for a very long time on "a" * 40 + "!" without a time limit.
RUNAWAY = "(a|aa)+$"
RUNAWAY_TEXT = "a" * 40 + "!"


def test_both_sides_share_one_compile_cache() -> None:
    """The factories and the engine get the very same compiled object for a pattern."""
    pattern = r"shared-cache-\d+"
    assert compile_regex(pattern, "test") is compile_pattern(pattern, "$.v")
    assert compile_cached(pattern) is compile_pattern(pattern, "$.v")


def test_helper_raises_only_foreign_errors() -> None:
    """The helper raises regex.error and TimeoutError; each side wraps its own type."""
    with pytest.raises(regex.error):
        compile_cached("(")
    with pytest.raises(InvalidMatcher, match=r"pattern='\(' is not a valid regular expression"):
        compile_regex("(", "regex('(')")
    with pytest.raises(MatchingError, match=r"regex='\(' at \$\.v does not compile"):
        compile_pattern("(", "$.v")


def test_whole_string_match() -> None:
    """A match must cover the whole text, on both sides."""
    compiled = compile_cached(r"\d+")
    assert fullmatch_within_limit(compiled, "123")
    assert not fullmatch_within_limit(compiled, "123x")
    assert regex_fullmatch(compiled, "42")
    assert not compiled_fullmatch(compiled, "x42", "$.v")


def test_timeout_becomes_each_sides_error() -> None:
    """A runaway match times out as TimeoutError, InvalidMatcher or MatchingError by side."""
    compiled = compile_cached(RUNAWAY)
    with limits_in_force(Limits(regex_seconds=0.05)):
        with pytest.raises(TimeoutError):
            fullmatch_within_limit(compiled, RUNAWAY_TEXT)
        with pytest.raises(InvalidMatcher, match=r"took longer than .*simplify the pattern"):
            regex_fullmatch(compiled, RUNAWAY_TEXT)
        with pytest.raises(MatchingError, match=r"at \$\.v ran out of .*catastrophic"):
            compiled_fullmatch(compiled, RUNAWAY_TEXT, "$.v")


@pytest.mark.parametrize(
    ("pattern", "size"),
    [
        ("abc", 3),
        (r"\d{4}-\d{2}", 7),
        ("(?:ab|c{10}){3}", 36),
        ("a{1000}", 1000),
        ("[a{]{5}", 5),
        (r"\p{L}{3}", 3),
        ("(?#x{999})a", 1),
    ],
)
def test_expanded_size_counts_counted_repeats(pattern: str, size: int) -> None:
    """The estimate multiplies counted repeats through nesting and ignores open ones."""
    assert expanded_size(pattern) == size


def test_a_repeat_bomb_is_refused_before_compiling_on_every_side() -> None:
    """A 27-byte nested counted repeat is refused with the limit's name, not compiled."""
    bomb = "(?:(?:a{1000}){1000}){1000}"
    with pytest.raises(PatternLimitError, match=r"max_regex_size=50000"):
        compile_cached(bomb)
    with pytest.raises(InvalidMatcher, match=r"max_regex_size"):
        compile_regex(bomb, "regex()")
    with pytest.raises(MatchingError, match=r"at \$\.v: .*max_regex_size"):
        compile_pattern(bomb, "$.v")
    with (
        limits_in_force(Limits(max_pattern_length=5)),
        pytest.raises(PatternLimitError, match=r"max_pattern_length=5"),
    ):
        compile_cached("abcdef")


def test_one_budget_covers_every_value_of_a_call() -> None:
    """Inside one `regex_budget`, once the budget is spent even a trivial match is refused."""
    compiled = compile_cached(RUNAWAY)
    with limits_in_force(Limits(regex_seconds=0.5)), regex_budget():
        assert fullmatch_within_limit(compiled, "aa")
        with pytest.raises(TimeoutError):
            fullmatch_within_limit(compiled, RUNAWAY_TEXT)
        with pytest.raises(TimeoutError):
            fullmatch_within_limit(compile_cached("a"), "a")
    with limits_in_force(Limits(regex_seconds=5)), regex_budget():
        assert fullmatch_within_limit(compile_cached("a"), "a")  # a new call, a new budget


def test_only_regex_matching_spends_the_budget() -> None:
    """Time a match call spends outside regexes (a large body, a loaded machine) costs nothing."""
    compiled = compile_cached(r"[A-Z]{3}-\d{4}")
    with limits_in_force(Limits(regex_seconds=0.2)), regex_budget():
        for _ in range(3):
            time.sleep(0.15)  # other work of the same match call, 0.45 s in all
            assert fullmatch_within_limit(compiled, "ABC-1234")
