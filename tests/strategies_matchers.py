"""A hypothesis strategy over matchers of every kind, nested and combined.

`matchers()` draws DSL-form matchers made through the public factories, so every
factory check runs; `leaf_matchers()` draws the ones that stand for one scalar.
Used by the conformance property tests in `tests/test_strategies_conformance.py`.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from pactdsl import match
from pactdsl._matchers import Matcher


def _fits_not_empty(value: object) -> bool:
    """True when a not_empty example has no empty value anywhere below it."""
    from pactdsl._matchers import example_of
    from pactdsl.match import _first_empty_below

    return _first_empty_below(example_of(value), "$") is None


__all__ = [
    "DATE_FORMATS",
    "MATCHER_KINDS",
    "REGEX_CASES",
    "leaf_matchers",
    "matchers",
]

# (pattern, example): plain ASCII, classes, alternation, anchors, Unicode, quantifiers.
REGEX_CASES: tuple[tuple[str, str], ...] = (
    (r"\d+", "12"),
    (r"[a-z]{2,5}", "abc"),
    (r"\w+@\w+\.com", "ann@example.com"),
    (r"^(red|green|blue)$", "red"),
    (r"[A-Z][a-z]*( [A-Z][a-z]*)?", "Ann Lee"),
    (r"\d{4}-\d{2}-\d{2}", "2024-01-02"),
    (r"[0-9a-f]{8}-[0-9a-f]{4}", "deadbeef-0123"),
    (r".*", "anything"),
    (r"\S+\s\S+", "a b"),
    (r"(?i)yes|no", "YES"),
    (r"[^/]+/[^/]+", "image/png"),
    (r"é+ü?", "éé"),
)

DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("date", "yyyy-MM-dd"),
    ("date", "dd/MM/yyyy"),
    ("date", "EEE, dd MMM yy"),
    ("date", "yyyy-DDD"),
    ("date", "MMMM d, yyyy"),
    ("time", "HH:mm:ss"),
    ("time", "hh:mm a"),
    ("time", "HH:mm:ss.SSS"),
    ("datetime", "yyyy-MM-dd'T'HH:mm:ss"),
    ("datetime", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
    ("datetime", "yyyy-MM-dd HH:mm:ssZ"),
    ("datetime", "EEEE, d MMMM yyyy HH:mm x"),
)

MATCHER_KINDS = (
    "like",
    "each_like",
    "regex",
    "integer",
    "decimal",
    "number",
    "boolean",
    "null",
    "date",
    "time",
    "datetime",
    "includes",
    "equality",
    "values",
    "content_type",
    "array_contains",
    "each_key",
    "each_value",
    "semver",
    "not_empty",
    "status_code",
)
"""Every factory of `pactdsl.match` that makes a matcher (type_of is like)."""

_KEYS = st.text(alphabet=string.ascii_letters + string.digits + "_- .'é", min_size=1, max_size=6)
_TEXT = st.text(alphabet=string.printable + "éü€😀", max_size=8)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.floats(-1e6, 1e6, allow_nan=False).filter(lambda x: not x.is_integer())
    | _TEXT
)
_JSON: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=5,
)


def _fraction(value: int) -> float:
    return value + 0.25


def _date_matcher(case: tuple[str, str]) -> Matcher:
    kind, fmt = case
    factory = {"date": match.date, "time": match.time, "datetime": match.datetime}[kind]
    return factory(fmt)


def leaf_matchers() -> st.SearchStrategy[Matcher]:
    """Matchers that stand for one scalar value."""
    return st.one_of(
        st.integers(-1000, 1000).map(match.integer),
        st.integers(-1000, 1000).map(_fraction).map(match.decimal),
        (st.integers(-1000, 1000) | st.integers(-100, 100).map(_fraction)).map(match.number),
        st.booleans().map(match.boolean),
        st.just(match.null()),
        st.sampled_from(REGEX_CASES).map(lambda case: match.regex(*case)),
        st.sampled_from(DATE_FORMATS).map(_date_matcher),
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=4).map(match.includes),
        st.sampled_from(["1.0.0", "0.2.10-beta.1", "3.4.5+build.7"]).map(match.semver),
        st.sampled_from([str, int, float, bool]).map(match.type_of),
        _SCALARS.filter(lambda v: v is not None).map(match.like),
        st.sampled_from(["success", "clientError", "error", "redirect"]).map(match.status_code),
        st.lists(st.integers(200, 599), min_size=1, max_size=3).map(match.status_code),
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=3).map(match.not_empty),
        st.just(match.content_type("text/plain", "hello")),
    )


# AND pairs whose first member's values often satisfy the second (the strategy
# draws from the first and filters by the whole).
_AND_PAIRS = (
    (match.integer(3), match.number(1)),
    (match.regex(r"[a-z]*foo[a-z]*", "xfooy"), match.includes("foo")),
    (match.like("abc"), match.not_empty("x")),
    (match.regex(r"\d{1,3}", "12"), match.like("7")),
    (match.decimal(1.5), match.number(2)),
)


def _combined(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Matcher]:
    del children
    ands = st.sampled_from(_AND_PAIRS).map(lambda pair: pair[0] & pair[1])
    ors = st.tuples(leaf_matchers(), leaf_matchers()).map(lambda pair: pair[0] | pair[1])
    return ands | ors


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Matcher]:
    bounds = st.tuples(st.integers(0, 2), st.none() | st.integers(2, 4))
    fields = st.dictionaries(_KEYS, children, min_size=1, max_size=3)
    return st.one_of(
        fields.map(match.like),
        st.tuples(st.lists(children, min_size=1, max_size=2), bounds).map(
            lambda a: match.like(a[0], min=a[1][0], max=a[1][1])
        ),
        st.tuples(children, bounds).map(lambda a: match.each_like(a[0], min=a[1][0], max=a[1][1])),
        _JSON.map(match.equality),
        fields.map(match.values),
        fields.filter(_fits_not_empty).map(match.not_empty),
        st.lists(children, min_size=1, max_size=2).map(lambda vs: match.array_contains(*vs)),
        st.dictionaries(
            st.text(alphabet="abcxyz", min_size=2, max_size=2), _SCALARS, min_size=1, max_size=3
        ).map(lambda d: match.each_key(d, match.regex(r"[a-z]{2}", "en"))),
        st.tuples(leaf_matchers(), _KEYS).map(
            lambda a: match.each_value({a[1]: a[0].example_value()}, a[0])
        ),
    )


def _template(matcher_strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A JSON value with matchers inside (what goes into a body)."""
    return _SCALARS | matcher_strategy


def matchers() -> st.SearchStrategy[Matcher]:
    """Matchers of every kind, nested up to a few levels, and combined with & and |."""
    nested: st.SearchStrategy[Any] = st.deferred(
        lambda: _template(st.one_of(leaf_matchers(), _containers(nested)))
    )
    return st.one_of(leaf_matchers(), _containers(nested), _combined(nested))
