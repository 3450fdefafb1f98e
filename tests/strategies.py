"""Hypothesis strategies for matchers, generators, interactions and whole contracts.

Other test rooms may reuse them:

```python
from tests.strategies import contracts, matcher_values

@given(contracts())
def test_something(contract): ...
```

`contracts()` builds real `Contract` objects through the public DSL (so every
definition-time check runs) without registering them: it calls the same
builder `define_contract` uses, under a fresh name each time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import string
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from pactdsl import Contract, InteractionBuilder, interaction, match
from pactdsl import generate as gen
from pactdsl._dsl import _make_contract
from pactdsl._javatime import format_java


def _fits_not_empty(value: object) -> bool:
    """True when a not_empty example has no empty value anywhere below it."""
    from pactdsl._matchers import example_of
    from pactdsl.match import _first_empty_below

    return _first_empty_below(example_of(value), "$") is None


__all__ = [
    "REGEX_PATTERNS",
    "contracts",
    "generators",
    "header_names",
    "interactions",
    "json_values",
    "leaf_matchers",
    "matcher_values",
    "methods",
    "paths",
]

# Names that stress rule-path quoting: dots, spaces, quotes, brackets, backslashes.
_KEY_ALPHABET = string.ascii_letters + string.digits + "_- .'[]\\$*é"
_TEXT = st.text(alphabet=string.printable + "éü€😀", max_size=12)

keys = st.one_of(
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6),
    st.text(alphabet=_KEY_ALPHABET, min_size=1, max_size=6),
)
"""JSON object keys, plain and awkward."""

# Java's and Python's regex engines disagree on non-ASCII \w and \d; keep examples ASCII.
_ASCII = st.characters(codec="ascii")

_finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    _finite_floats,
    _TEXT,
)

json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(keys, children, max_size=3),
    ),
    max_leaves=8,
)
"""Plain JSON values (no matchers)."""

REGEX_PATTERNS = (
    r"\d+",
    r"[a-z]{2,4}",
    r"[A-F0-9]{4}-\d{2}",
    r"(GET|POST|PUT)",
    r"\w+@\w+\.com",
    r"/items/[0-9]+",
)
"""Patterns whose whole-string examples hypothesis can draw with `from_regex`."""

_DATE_FORMATS = ("yyyy-MM-dd", "dd/MM/yyyy", "yyyyMMdd")
_TIME_FORMATS = ("HH:mm:ss", "HH:mm", "h:mm a")
_DATETIME_FORMATS = (
    "yyyy-MM-dd'T'HH:mm:ss",
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "EEE, d MMM yyyy HH:mm:ss Z",
)
_moments = st.datetimes(
    min_value=dt.datetime(1970, 1, 1),
    max_value=dt.datetime(2100, 12, 31),
    timezones=st.just(dt.UTC),
)


def _dated(factory: Callable[..., match.Matcher], formats: tuple[str, ...]) -> Any:
    return st.builds(
        lambda fmt, moment: factory(fmt, format_java(fmt, moment)),
        st.sampled_from(formats),
        _moments,
    )


def _regex_matcher() -> Any:
    return st.sampled_from(REGEX_PATTERNS).flatmap(
        lambda p: st.from_regex(p, fullmatch=True, alphabet=_ASCII).map(
            lambda ex: match.regex(p, ex)
        )
    )


def _includes() -> Any:
    return st.builds(
        lambda value, before, after: match.includes(value, before + value + after),
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=4),
        st.text(max_size=3),
        st.text(max_size=3),
    )


_semvers = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}" + (f"-{pre}" if pre else ""),
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(0, 20),
    st.sampled_from(["", "alpha", "rc.1", "beta.2"]),
)

leaf_matchers = st.one_of(
    _regex_matcher(),
    st.builds(match.integer, st.integers(-1000, 1000)),
    st.builds(match.decimal, _finite_floats),
    st.builds(match.number, st.one_of(st.integers(-1000, 1000), _finite_floats)),
    st.builds(match.boolean, st.booleans()),
    st.builds(match.null),
    _dated(match.date, _DATE_FORMATS),
    _dated(match.time, _TIME_FORMATS),
    _dated(match.datetime, _DATETIME_FORMATS),
    _includes(),
    st.builds(match.equality, json_values),
    st.builds(match.type_of, st.sampled_from([str, int, float, bool])),
    st.builds(match.like, json_leaves),
    st.deferred(lambda: st.builds(match.like, generators)),
    st.builds(match.semver, _semvers),
    st.builds(match.not_empty, st.text(min_size=1, max_size=5)),
    st.builds(
        match.content_type,
        # A binary type takes bytes, which a JSON body cannot hold.
        st.sampled_from(["application/json", "text/csv", "text/plain"]),
        json_leaves,
    ),
)
"""Matchers with no nested templates."""

generators: st.SearchStrategy[gen.Generator] = st.one_of(
    st.builds(
        lambda a, b: gen.random_int(min(a, b), max(a, b)),
        st.integers(-100, 100),
        st.integers(-100, 100),
    ),
    st.builds(gen.random_decimal, st.integers(1, 12)),
    st.builds(gen.random_hexadecimal, st.integers(1, 12)),
    st.builds(gen.random_string, st.integers(1, 12)),
    st.builds(gen.regex, st.sampled_from(REGEX_PATTERNS)),
    st.builds(
        gen.uuid,
        st.sampled_from(["simple", "lower-case-hyphenated", "upper-case-hyphenated", "URN", "urn"]),
    ),
    st.builds(gen.date, st.sampled_from([None, *_DATE_FORMATS])),
    st.builds(gen.time, st.sampled_from([None, *_TIME_FORMATS])),
    st.builds(gen.datetime, st.sampled_from([None, *_DATETIME_FORMATS])),
    st.builds(gen.random_boolean),
    st.builds(
        gen.provider_state,
        st.sampled_from(["${id}", "/users/${id}", "${a}-${b}"]),
        st.one_of(st.integers(0, 9), st.text(max_size=5)),
    ),
    st.just(gen.mock_server_url(r".*(/orders/\d+)$", "http://localhost:1234/orders/7")),
)
"""One generator of every Pact kind."""


def _combined(children: Any) -> Any:
    # `&` and `|` over matchers that share a JSON type, so the example fits both.
    return st.one_of(
        st.builds(lambda n: match.integer(n) & match.number(n), st.integers(-9, 9)),
        st.builds(lambda s: match.like(s) | match.null(), st.text(max_size=4)),
        st.builds(
            lambda p_ex: match.regex(*p_ex) & match.not_empty(p_ex[1]),
            st.just((r"\d+", "42")),
        ),
        st.builds(
            lambda a, b, c: (
                (match.integer(a) | match.decimal(b)) | match.null() & match.null()
                if c
                else match.like(a) & match.number(a)
            ),
            st.integers(-5, 5),
            _finite_floats,
            st.booleans(),
        ),
    )


def _nested(children: Any) -> Any:
    dict_of = st.dictionaries(keys, children, min_size=1, max_size=3)
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(keys, children, max_size=3),
        st.builds(match.like, dict_of),
        st.builds(
            lambda t, low, extra: match.each_like(
                t, min=low, max=None if extra is None else max(low, 1) + extra
            ),
            children,
            st.integers(0, 3),
            st.none() | st.integers(0, 3),
        ),
        st.builds(
            lambda items: match.like(items, min=0, max=len(items) + 2),
            st.lists(children, max_size=2),
        ),
        st.builds(match.values, st.dictionaries(keys, children, min_size=1, max_size=2)),
        st.builds(match.not_empty, dict_of.filter(_fits_not_empty)),
        st.lists(children, min_size=1, max_size=3).map(lambda vs: match.array_contains(*vs)),
        st.builds(
            lambda d: match.each_key(d, match.regex(r"[a-z]+", "x")),
            st.dictionaries(
                st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=4),
                json_leaves,
                min_size=1,
                max_size=3,
            ),
        ),
        st.builds(
            lambda d: match.each_value(d, match.type_of(str)),
            st.dictionaries(keys, st.text(max_size=3), min_size=1, max_size=3),
        ),
    )


matcher_values = st.recursive(
    st.one_of(json_leaves, leaf_matchers, generators, _combined(None)),
    _nested,
    max_leaves=10,
)
"""JSON values with matchers and generators of every kind nested at any depth."""


def _nested_v2(children: Any) -> Any:
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(keys, children, max_size=3),
        st.builds(match.like, st.dictionaries(keys, children, min_size=1, max_size=3)),
        st.builds(
            lambda t, low, extra: match.each_like(
                t, min=low, max=None if extra is None else max(low, 1) + extra
            ),
            children,
            st.integers(0, 3),
            st.none() | st.integers(0, 3),
        ),
    )


v2_matcher_values = st.recursive(
    st.one_of(
        json_leaves,
        _regex_matcher(),
        st.builds(match.like, json_leaves),
        st.builds(match.type_of, st.sampled_from([str, int, float, bool])),
    ),
    _nested_v2,
    max_leaves=10,
)
"""JSON values with only the matchers Pact V2 knows (type, min/max, regex)."""

methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])

_segment = st.text(alphabet=string.ascii_letters + string.digits + "-_.~%", min_size=1, max_size=6)
_v2_paths = st.one_of(
    st.lists(_segment, max_size=3).map(lambda parts: "/" + "/".join(parts)),
    st.from_regex(r"/items/[0-9]+", fullmatch=True, alphabet=_ASCII).map(
        lambda ex: match.regex(r"/items/[0-9]+", ex)
    ),
)
paths = _v2_paths | st.just(gen.provider_state("/items/${id}", "/items/1"))
"""Request paths: plain, a regex matcher, or a provider-state generator."""

header_names = st.text(
    alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=10
)
"""Header names that are HTTP tokens (never Content-Type, which bodies set)."""

_text_value = st.text(alphabet=string.ascii_letters + string.digits + " ;=/:.,", max_size=10)
_v2_header_value = st.one_of(
    _text_value,
    st.lists(_text_value, min_size=1, max_size=3),
    st.integers(0, 999),
    st.from_regex(r"\d+", fullmatch=True, alphabet=_ASCII).map(lambda ex: match.regex(r"\d+", ex)),
    st.builds(match.like, _text_value),
)
_header_value = _v2_header_value | st.builds(gen.uuid)


def _headers(values: Any) -> Any:
    return st.dictionaries(
        header_names.filter(lambda n: n.lower() != "content-type"),
        values,
        max_size=3,
    ).filter(lambda d: len({k.lower() for k in d}) == len(d))


_query = st.dictionaries(
    st.text(alphabet=string.ascii_letters + "_.- [']", min_size=1, max_size=6),
    st.one_of(
        _text_value,
        st.lists(_text_value, min_size=1, max_size=3),
        st.builds(match.like, _text_value),
        st.from_regex(r"\d+", fullmatch=True, alphabet=_ASCII).map(
            lambda ex: match.regex(r"\d+", ex)
        ),
    ),
    max_size=3,
)

_NO_BODY = object()
_plain_bodies = st.one_of(
    st.just(_NO_BODY),
    st.binary(max_size=8),
    _TEXT.map(lambda t: ("text/plain", t)),
    _TEXT.map(lambda t: ("application/json", t)),
    st.sampled_from(["<a>1</a>", "<x/>"]).map(lambda t: ("application/xml", t)),
    st.binary(max_size=16).map(lambda b: ("image/png", b)),
    st.binary(max_size=16).map(lambda b: ("application/octet-stream", b)),
)
_bodies = _plain_bodies | matcher_values
_v2_bodies = _plain_bodies | v2_matcher_values

_statuses = st.one_of(
    st.integers(100, 599),
    st.sampled_from(["success", "clientError", "serverError", "redirect"]).map(match.status_code),
    st.lists(st.integers(100, 599), min_size=1, max_size=3, unique=True).map(match.status_code),
)

_states = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=10),
        st.dictionaries(st.text(min_size=1, max_size=5), json_values, max_size=2),
    ),
    max_size=2,
)
_v2_states: st.SearchStrategy[list[tuple[str, dict[str, Any]]]] = st.lists(
    st.tuples(st.text(min_size=1, max_size=10), st.just({})), max_size=1
)


def _with_body(headers: dict[str, Any], body: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"headers": dict(headers)}
    if body is _NO_BODY:
        return kwargs
    if isinstance(body, tuple) and len(body) == 2 and isinstance(body[0], str) and "/" in body[0]:
        kwargs["headers"]["Content-Type"] = body[0]
        kwargs["body"] = body[1]
        return kwargs
    kwargs["body"] = body
    return kwargs


@st.composite
def interactions(
    draw: st.DrawFn, *, v4_extras: bool = True, v2_shaped: bool = False
) -> InteractionBuilder:
    """An interaction builder with states, request and response, all drawn.

    Args:
        draw: Supplied by hypothesis.
        v4_extras: Whether `.pending()`, `.comment()` and `.key()` may be drawn.
        v2_shaped: Draw only what Pact V2 holds: one state without params,
            type/regex matchers, no generators, no status matcher.
    """
    builder = interaction(draw(st.text(min_size=1, max_size=20).filter(str.strip)))
    for name, params in draw(_v2_states if v2_shaped else _states):
        builder = builder.given(name, params)
    headers = _headers(_v2_header_value if v2_shaped else _header_value)
    bodies = _v2_bodies if v2_shaped else _bodies
    request = _with_body(draw(headers), draw(bodies))
    path = draw(_v2_paths if v2_shaped else paths)
    builder = builder.request(
        method=draw(methods), path=path, query=draw(_query) or None, **request
    )
    response = _with_body(draw(headers), draw(bodies))
    status = draw(st.integers(100, 599) if v2_shaped else _statuses)
    builder = builder.responds(status=status, **response)
    if v4_extras and not v2_shaped:
        if draw(st.booleans()):
            builder = builder.pending()
        for text in draw(st.lists(st.text(max_size=10), max_size=2)):
            builder = builder.comment(text)
        if draw(st.booleans()):
            builder = builder.key(draw(st.text(alphabet=string.hexdigits, min_size=1, max_size=16)))
    return builder


_names = itertools.count()


def _identity(builder: InteractionBuilder) -> Any:
    states = tuple((s.name, json.dumps(dict(s.params), sort_keys=True)) for s in builder.states)
    return (builder.description, states)


@st.composite
def contracts(
    draw: st.DrawFn,
    *,
    v4_extras: bool = True,
    v2_shaped: bool = False,
    max_interactions: int = 3,
) -> Contract:
    """A `Contract` with distinct interactions, built but not registered.

    Args:
        draw: Supplied by hypothesis.
        v4_extras: Whether interactions may use the V4-only extras.
        v2_shaped: Whether to draw only what Pact V2 can hold.
        max_interactions: The most interactions to draw.
    """
    builders = draw(
        st.lists(
            interactions(v4_extras=v4_extras, v2_shaped=v2_shaped),
            min_size=1,
            max_size=max_interactions,
            unique_by=_identity,
        )
    )
    consumer = draw(
        st.text(alphabet=string.ascii_letters + "-_ ", min_size=1, max_size=8).filter(str.strip)
    )
    provider = draw(
        st.text(alphabet=string.ascii_letters + "-_ ", min_size=1, max_size=8).filter(str.strip)
    )
    return _make_contract(f"strategies-{next(_names)}", consumer, provider, builders, "strategies")
