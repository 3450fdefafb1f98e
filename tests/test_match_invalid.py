"""Every matcher and generator factory, called with bad arguments, says what is wrong.

One table, in the manner of hypothesis' tests/cover/test_direct_strategies.py:
each row is a factory, its arguments, and a fragment of the expected message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from pactdsl import InvalidMatcher, match
from pactdsl import generate as gen
from pactdsl._generators import generator_from_json


class _NotJson:
    def __repr__(self) -> str:
        return "<not json>"


NOT_JSON = _NotJson()


def _call_id(factory: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    module = "generate" if factory.__module__ == "pactdsl.generate" else "match"
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{module}.{factory.__name__}({', '.join(parts)})"


def case(factory: Callable[..., Any], *args: Any, expected: str, **kwargs: Any) -> Any:
    """One row: `factory(*args, **kwargs)` raises InvalidMatcher containing `expected`."""
    return pytest.param(factory, args, kwargs, expected, id=_call_id(factory, args, kwargs))


INVALID = [
    # like / type_of
    case(match.like, NOT_JSON, expected="example=<not json> (_NotJson) is not JSON-serialisable"),
    case(match.like, math.nan, expected="example=nan is not a JSON number"),
    case(match.like, {1: "a"}, expected="has the key 1 (int); JSON keys are strings"),
    case(match.like, {"a": [math.inf]}, expected="example.a[0]=inf is not a JSON number"),
    case(match.like, "x", min=1, expected="min/max bound a list's length"),
    case(match.like, [1], min=3, max=1, expected="cannot have max=1 < min=3"),
    case(match.like, [1], min=-1, expected="min=-1 must be a whole number >= 0"),
    case(match.like, [1], max=1.5, expected="max=1.5 must be a whole number >= 0"),
    case(match.like, [1], min=True, expected="min=True must be a whole number >= 0"),
    case(match.type_of, set, expected="type_of(set): JSON has no such type"),
    case(match.type_of, str, min=1, expected="min/max bound a list's length"),
    # each_like
    case(match.each_like, 1, min=None, expected="each_like(): min=None"),
    case(match.each_like, 1, min=2, max=1, expected="cannot have max=1 < min=2"),
    case(match.each_like, 1, min=-2, expected="min=-2 must be a whole number >= 0"),
    case(match.each_like, 1, min=0, max=0, expected="max=0 allows only empty lists"),
    case(match.each_like, NOT_JSON, expected="is not JSON-serialisable"),
    # regex
    case(match.regex, "(", "x", expected="pattern='(' is not a valid regular expression"),
    case(match.regex, r"\d+", "x1", expected="example='x1' does not match the whole pattern"),
    case(match.regex, r"\d", "12", expected="example='12' does not match the whole pattern"),
    case(match.regex, r"\d+", 1, expected="example=1 must be a str"),
    case(match.regex, 1, "1", expected="pattern=1 must be a str"),
    # integer / decimal / number / boolean
    case(match.integer, 1.5, expected="example=1.5 must be int"),
    case(match.integer, True, expected="example=True is a bool, not integer"),
    case(match.integer, "1", expected="example='1' must be int"),
    case(match.decimal, 1, expected="example=1 must be float"),
    case(match.decimal, False, expected="example=False is a bool, not decimal"),
    case(match.number, "1", expected="example='1' must be int or float"),
    case(match.number, True, expected="example=True is a bool, not number"),
    case(match.boolean, 1, expected="example=1 must be bool"),
    # date / time / datetime
    case(match.date, "yyyy-MM-dd", "2020-13-01", expected="example='2020-13-01' does not fit"),
    case(match.date, "yyyy-MM-dd", "2021-02-29", expected="example='2021-02-29' does not fit"),
    case(match.date, "yyyy-MM-dd", 20200101, expected="example=20200101 must be a str"),
    case(match.date, "", expected="format='' must be a non-empty Java date pattern"),
    case(match.date, "qqq", expected="uses the pattern letter 'q'"),
    case(match.time, "HH:mm", "25:00", expected="example='25:00' does not fit the format"),
    case(match.time, "HH:mm 'h", expected="never closes it"),
    case(
        match.datetime,
        "yyyy-MM-dd'T'HH:mm:ss",
        "2020-01-01 00:00:00",
        expected="such as '2024-01-02T03:04:05'",
    ),
    # includes / equality / values / content_type
    case(match.includes, "", expected="value must be a non-empty str"),
    case(match.includes, 1, expected="value must be a non-empty str"),
    case(match.includes, "ab", "xyz", expected="example='xyz' must contain 'ab'"),
    case(match.equality, NOT_JSON, expected="is not JSON-serialisable"),
    case(match.values, [1], expected="values([1]): example must be a dict"),
    case(match.values, {"a": NOT_JSON}, expected="example.a=<not json>"),
    case(match.content_type, "json", expected="give a media type such as 'image/png'"),
    case(match.content_type, None, expected="give a media type"),
    # array_contains / each_key / each_value
    case(match.array_contains, expected="give at least one variant"),
    case(match.array_contains, {"a": 1}, NOT_JSON, expected="variant 1: example=<not json>"),
    case(match.each_key, [], expected="each_key([]): example must be a dict"),
    case(match.each_key, {"a": 1}, expected="give at least one matcher for the keys"),
    case(match.each_key, {"a": 1}, "x", expected="rule='x' is not a matcher"),
    case(
        match.each_key,
        {"AB": 1},
        match.regex("[a-z]+", "a"),
        expected="key='AB' of the example does not match regex('[a-z]+', 'a')",
    ),
    case(match.each_value, {"a": 1}, expected="give at least one matcher for the values"),
    case(match.each_value, 1, match.like(1), expected="each_value(1): example must be a dict"),
    # semver / not_empty / status_code
    case(match.semver, "1.0", expected="example='1.0' is not a semantic version"),
    case(match.semver, "01.2.3", expected="is not a semantic version"),
    case(match.semver, 1, expected="example=1 is not a semantic version"),
    case(match.not_empty, "", expected="the example itself is empty"),
    case(match.not_empty, [], expected="the example itself is empty"),
    case(match.not_empty, None, expected="the example itself is empty"),
    case(match.not_empty, {"a": {"b": ""}}, expected="the example is empty at $.a.b"),
    case(match.not_empty, [["x"], []], expected="the example is empty at $[1]"),
    case(match.not_empty, NOT_JSON, expected="is not JSON-serialisable"),
    # the regex presets
    case(match.uuid, "nope", expected="uuid('nope'): example='nope' is not a UUID"),
    case(match.uuid, 7, expected="uuid(7): example=7 is not a UUID"),
    case(match.timestamp, "2024-01-02", expected="is not an ISO-8601 date-time"),
    case(match.status_code, "fine", expected="unknown class; use one of ['clientError'"),
    case(match.status_code, [99], expected="give status codes between 100 and 599"),
    case(match.status_code, [], expected="give status codes between 100 and 599"),
    case(match.status_code, [True], expected="give status codes between 100 and 599"),
    case(match.status_code, "success", 404, expected="example=404 is not in that class"),
    case(match.status_code, [200, 201], 202, expected="example=202 is not in that class"),
    # generators
    case(gen.random_int, 5, 1, expected="random_int(): cannot have max=1 < min=5"),
    case(gen.random_int, "1", expected="min='1' must be an int"),
    case(gen.random_int, 0, 2.5, expected="max=2.5 must be an int"),
    case(gen.random_decimal, 0, expected="digits=0 must be at least 1"),
    case(gen.random_decimal, True, expected="digits=True must be an int"),
    case(gen.random_hexadecimal, -1, expected="digits=-1 must be at least 1"),
    case(gen.random_string, "3", expected="size='3' must be an int"),
    case(gen.random_string, 0, expected="size=0 must be at least 1"),
    case(gen.regex, "(", expected="regex('('): pattern='(' is not a valid regular expression"),
    case(gen.uuid, "weird", expected="uuid(format='weird'): use one of ['simple'"),
    case(gen.date, "qqq", expected="uses the pattern letter 'q'"),
    case(gen.date, "", expected="date(format=''): give a non-empty Java date pattern"),
    case(gen.time, "", expected="time(format=''): give a non-empty Java date pattern"),
    case(gen.datetime, "yyyy-MM-dd'T", expected="never closes it"),
    case(
        gen.date,
        "%Y-%m-%d",
        expected="date('%Y-%m-%d'): format='%Y-%m-%d' is a Python strftime format, but Pact "
        "date matchers take Java DateTimeFormatter patterns; use 'yyyy-MM-dd'",
    ),
    case(gen.time, "%H:%M:%S", expected="is a Python strftime format"),
    case(gen.time, "%I:%M %p", expected="Java DateTimeFormatter patterns; use 'hh:mm a'"),
    case(gen.time, "%H %Q", expected="write the Java pattern, such as 'HH:mm:ss'"),
    case(
        gen.datetime,
        "%Y-%m-%dT%H:%M:%S",
        expected="datetime('%Y-%m-%dT%H:%M:%S'): format='%Y-%m-%dT%H:%M:%S' is a Python "
        "strftime format, but Pact date matchers take Java DateTimeFormatter patterns; "
        "use \"yyyy-MM-dd'T'HH:mm:ss\"",
    ),
    case(gen.date, "YYYY-MM-dd", expected="'YYYY' is the week-based year; for a calendar date"),
    case(gen.date, "yyyy-MM-DD", expected="'DD' is the day of the year; for a calendar date"),
    case(
        gen.date,
        "2024-01-02",
        expected="date('2024-01-02'): format='2024-01-02' has no pattern letters, so every "
        "generated value would be that same text; write a Java pattern such as 'yyyy-MM-dd'",
    ),
    case(gen.provider_state, "no placeholder", 1, expected="has no ${name} placeholder"),
    case(gen.mock_server_url, "(", "x", expected="not a valid regular expression"),
    case(
        gen.mock_server_url,
        r"/orders/\d+",
        "http://x/y",
        expected="the regex must find the example and capture the path",
    ),
    case(
        gen.mock_server_url,
        r"/orders/\d+",
        "http://x/orders/1",
        expected="capture the path to keep in a group",
    ),
]


@pytest.mark.parametrize(("factory", "args", "kwargs", "expected"), INVALID)
def test_invalid_arguments(
    factory: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], expected: str
) -> None:
    """The factory raises InvalidMatcher (a ValueError) naming the bad argument."""
    with pytest.raises(InvalidMatcher, match=re.escape(expected)):
        factory(*args, **kwargs)


def test_every_factory_has_a_row() -> None:
    """Each public factory of pactdsl.match and pactdsl.generate appears in the table."""
    covered = {p.values[0] for p in INVALID}
    takes_no_bad_arguments = {match.null, gen.random_boolean}
    factories = {
        getattr(module, name)
        for module in (match, gen)
        for name in module.__all__
        if callable(getattr(module, name)) and not isinstance(getattr(module, name), type)
    }
    assert factories - takes_no_bad_arguments - covered == set()


@pytest.mark.parametrize("fmt", ["yyyy-MM-DD", "2024-01-02"])
def test_pact_file_generator_formats_are_taken_as_written(fmt: str) -> None:
    """The factories' format hints do not refuse a date generator read from a pact file."""
    loaded = generator_from_json({"type": "Date", "format": fmt})
    assert loaded.to_json() == {"type": "Date", "format": fmt}
    with pytest.raises(InvalidMatcher, match=re.escape(f"date({fmt!r}): format={fmt!r}")):
        gen.date(fmt)


def test_invalid_matcher_is_a_value_error() -> None:
    """Callers that catch ValueError catch InvalidMatcher too."""
    with pytest.raises(ValueError, match="min=-1"):
        match.each_like(1, min=-1)
