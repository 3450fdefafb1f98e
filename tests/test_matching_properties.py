"""Property tests of the matching engine."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pactdsl.matching import match_body, match_request, match_response

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)

_REGEX = r"[A-Z]{2}-\d{1,4}"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(json_values)
def test_any_json_body_matches_itself(body: Any) -> None:
    """Any JSON body matches itself, in a request and in a response."""
    expected = {"headers": {"Content-Type": "application/json"}, "body": body}
    assert match_request(expected, expected) == []
    assert match_response(expected, expected) == []


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.integers(),
    st.text(max_size=20) | st.integers() | st.booleans() | st.floats(allow_nan=False),
    st.from_regex(_REGEX, fullmatch=True),
)
def test_values_drawn_for_matchers_match(number: int, anything: Any, code: str) -> None:
    """Values drawn for integer, type and regex matchers satisfy their rules."""
    rules = {
        "$.n": {"matchers": [{"match": "integer"}]},
        "$.t": {"matchers": [{"match": "type"}]},
        "$.c": {"matchers": [{"match": "regex", "regex": _REGEX}]},
    }
    expected = {"n": 1, "t": anything, "c": "AB-1"}
    actual = {"n": number, "t": anything, "c": code}
    assert match_body(expected, actual, rules, content_type=None, allow_unexpected_keys=False) == []


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 12))
def test_min_max_type_rule_bounds_length(low: int, extra: int, length: int) -> None:
    """A type rule with min/max accepts lengths within min..max and rejects others."""
    high = low + extra
    rules = {"$": {"matchers": [{"match": "type", "min": low, "max": high}]}}
    mismatches = match_body(
        [1], list(range(length)), rules, content_type=None, allow_unexpected_keys=True
    )
    assert (mismatches == []) == (low <= length <= high)
