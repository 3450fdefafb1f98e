"""Java date/time patterns: matching, rendering and unsupported letters."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactdsl._javatime import check_java_format, format_java, java_format_matches

FORMATS = [
    "yyyy-MM-dd",
    "HH:mm:ss",
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "EEE, dd MMM yyyy HH:mm:ss z",
    "dd/MM/yy hh:mm a",
    "yyyy-DDD'T'kk:mm:ss.nnnnnnnnnZ",
    "uuuu-MMMM-d G xxx",
    "'at' H 'o''clock' K",
]


@pytest.mark.parametrize(
    ("fmt", "value"),
    [
        ("yyyy-MM-dd", "2024-02-29"),
        ("HH:mm:ss", "23:59:59"),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-05-06T07:08:09.123+02:00"),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-05-06T07:08:09.123Z"),
        ("EEE, dd MMM yyyy HH:mm:ss z", "Mon, 06 May 2024 07:08:09 GMT"),
        ("'at' H 'o''clock'", "at 7 o'clock"),
    ],
)
def test_valid_values_match(fmt: str, value: str) -> None:
    """Values written in the pattern are accepted."""
    assert java_format_matches(fmt, value)


@pytest.mark.parametrize(
    ("fmt", "value"),
    [
        ("yyyy-MM-dd", "2024-13-01"),
        ("yyyy-MM-dd", "2023-02-29"),
        ("yyyy-MM-dd", "2024-04-31"),
        ("yyyy-MM-dd", "2024-1-01"),
        ("HH:mm:ss", "24:00:00"),
        ("HH:mm:ss", "12:60:00"),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-05-06T07:08:09.12+02:00"),
        ("EEE, dd MMM yyyy HH:mm:ss z", "Tue, 06 May 2024 07:08:09 GMT"),
        ("hh:mm a", "13:00 PM"),
        ("yyyy-MM-dd", "2024-05-06 "),
    ],
)
def test_invalid_values_are_rejected(fmt: str, value: str) -> None:
    """Values with impossible fields or the wrong shape are rejected."""
    assert not java_format_matches(fmt, value)


def test_unsupported_letter_is_named() -> None:
    """check_java_format names the unsupported letter."""
    with pytest.raises(ValueError, match="pattern letter 'Q'"):
        check_java_format("yyyy-QQ")


def test_unclosed_quote_is_reported() -> None:
    """An unclosed quote raises ValueError saying so."""
    with pytest.raises(ValueError, match="never closes it"):
        check_java_format("yyyy 'T")


def test_format_java_renders_fields() -> None:
    """format_java renders each letter the way Java does."""
    value = datetime.datetime(2024, 3, 5, 14, 7, 9, 120000, tzinfo=datetime.UTC)
    assert format_java("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", value) == "2024-03-05T14:07:09.120Z"
    assert format_java("EEE, d MMM yy h:mm a", value) == "Tue, 5 Mar 24 2:07 PM"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.datetimes(
        min_value=datetime.datetime(1000, 1, 1),
        max_value=datetime.datetime(9999, 12, 31),
        timezones=st.sampled_from(
            [
                datetime.UTC,
                datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                datetime.timezone(datetime.timedelta(hours=-8)),
            ]
        ),
    ),
    st.sampled_from(FORMATS),
)
def test_format_then_match_round_trip(value: datetime.datetime, fmt: str) -> None:
    """Any datetime rendered with format_java is accepted by java_format_matches."""
    assert java_format_matches(fmt, format_java(fmt, value))
