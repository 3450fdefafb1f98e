"""The bounded regex helper shared by the matcher factories and the matching engine."""

from __future__ import annotations

import pytest
import regex

import pactdsl._regex
from pactdsl._errors import InvalidMatcher
from pactdsl._matchers import compile_regex, regex_fullmatch
from pactdsl._regex import compile_cached, fullmatch_within_limit
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


def test_timeout_becomes_each_sides_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A runaway match times out as TimeoutError, InvalidMatcher or MatchingError by side."""
    monkeypatch.setattr(pactdsl._regex, "REGEX_TIMEOUT_SECONDS", 0.05)
    compiled = compile_cached(RUNAWAY)
    with pytest.raises(TimeoutError):
        fullmatch_within_limit(compiled, RUNAWAY_TEXT)
    with pytest.raises(InvalidMatcher, match=r"took longer than .*simplify the pattern"):
        regex_fullmatch(compiled, RUNAWAY_TEXT)
    with pytest.raises(MatchingError, match=r"at \$\.v took longer than .*catastrophic"):
        compiled_fullmatch(compiled, RUNAWAY_TEXT, "$.v")
