"""Java date/time patterns (`DateTimeFormatter` / `SimpleDateFormat`), hand-written.

Pact files carry formats such as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`. This module
tokenizes a pattern (quoted literals `'...'`, `''` for a quote), turns each letter
run into a regex fragment with a named group, and then checks the extracted fields
so that a month of 13 or a 30th of February fails, as Java's parser would.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["check_java_format", "format_java", "java_format_matches", "pattern_letters"]

_SUPPORTED_LETTERS = "yuMLdDHhkKmsSnaEeXxZzGV"

_MONTHS_SHORT = [calendar.month_abbr[number] for number in range(1, 13)]
_MONTHS_LONG = [calendar.month_name[number] for number in range(1, 13)]
_DAYS_SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_DAYS_LONG = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]


@attrs.frozen
class _Letters:
    """A run of one pattern letter, such as `yyyy` (letter "y", count 4)."""

    letter: str
    count: int


@attrs.frozen
class _Literal:
    """Literal text in a pattern (quoted, or a non-letter character)."""

    text: str


_Token = _Letters | _Literal


def _tokenize(fmt: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    length = len(fmt)
    while position < length:
        char = fmt[position]
        if char == "'":
            if position + 1 < length and fmt[position + 1] == "'":
                tokens.append(_Literal("'"))
                position += 2
                continue
            end = position + 1
            text: list[str] = []
            while True:
                if end >= length:
                    raise ValueError(
                        f"format={fmt!r} opens a quote at character {position} and "
                        "never closes it; close literal text with ' (write '' for a "
                        "quote character)."
                    )
                if fmt[end] == "'":
                    if end + 1 < length and fmt[end + 1] == "'":
                        text.append("'")
                        end += 2
                        continue
                    break
                text.append(fmt[end])
                end += 1
            tokens.append(_Literal("".join(text)))
            position = end + 1
        elif char.isascii() and char.isalpha():
            end = position
            while end < length and fmt[end] == char:
                end += 1
            if char not in _SUPPORTED_LETTERS:
                raise ValueError(
                    f"format={fmt!r} uses the pattern letter {char!r}, which pactdsl "
                    f"does not support; use only the letters {_SUPPORTED_LETTERS} "
                    "or quote literal text as 'text'."
                )
            tokens.append(_Letters(char, end - position))
            position = end
        else:
            tokens.append(_Literal(char))
            position += 1
    return tokens


def _names(names: list[str]) -> str:
    return "|".join(sorted(names, key=len, reverse=True))


def _number(count: int, maximum: int = 2) -> str:
    # Java: one letter parses 1..max digits, more letters parse exactly that many.
    return rf"\d{{1,{maximum}}}" if count == 1 else rf"\d{{{count}}}"


def _fragment(token: _Letters) -> str:
    letter, count = token.letter, token.count
    if letter in "yu":
        if count == 2:
            return r"\d{2}"
        return rf"[+-]?\d{{{count},9}}" if count >= 4 else r"[+-]?\d{1,9}"
    if letter in "ML":
        if count == 3:
            return _names(_MONTHS_SHORT)
        if count == 4:
            return _names(_MONTHS_LONG)
        if count == 5:
            return "[JFMASOND]"
        return _number(count)
    if letter == "D":
        return r"\d{1,3}" if count == 1 else rf"\d{{{count},3}}"
    if letter in "dHhkKms":
        return _number(count)
    if letter == "S":
        return rf"\d{{{count}}}"
    if letter == "n":
        return rf"\d{{{count},9}}"
    if letter == "a":
        return "AM|PM|am|pm"
    if letter in "Ee":
        if letter == "e" and count <= 2:
            return _number(count, 1)
        if count == 4:
            return _names(_DAYS_LONG)
        if count == 5:
            return "[MTWFS]"
        return _names(_DAYS_SHORT)
    if letter == "G":
        return {4: "Anno Domini|Before Christ", 5: "A|B"}.get(count, "AD|BC")
    if letter == "X":
        return "Z|" + _offset(count)
    if letter == "x":
        return _offset(count)
    if letter == "Z":
        if count == 4:
            return r"GMT|GMT[+-]\d{1,2}(?::\d{2}){0,2}"
        if count == 5:
            return r"Z|[+-]\d{2}:\d{2}(?::\d{2})?"
        return r"[+-]\d{4}"
    if letter == "V":
        return r"Z|[+-]\d{2}:\d{2}|[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*"
    # "z": a zone name or abbreviation such as UTC, PST or Europe/London.
    return r"[A-Za-z][A-Za-z0-9_+\-:]*(?:/[A-Za-z0-9_+\-]+)*"


def _offset(count: int) -> str:
    return {
        1: r"[+-]\d{2}(?:\d{2})?",
        2: r"[+-]\d{4}",
        3: r"[+-]\d{2}:\d{2}",
        4: r"[+-]\d{4}(?:\d{2})?",
    }.get(count, r"[+-]\d{2}:\d{2}(?::\d{2})?")


@attrs.frozen
class _Compiled:
    pattern: re.Pattern[str]
    fields: tuple[tuple[str, _Letters], ...]


@functools.lru_cache(maxsize=512)
def _compile(fmt: str) -> _Compiled:
    parts: list[str] = []
    fields: list[tuple[str, _Letters]] = []
    for token in _tokenize(fmt):
        if isinstance(token, _Literal):
            parts.append(re.escape(token.text))
        else:
            group = f"g{len(fields)}"
            fields.append((group, token))
            parts.append(f"(?P<{group}>{_fragment(token)})")
    try:
        return _Compiled(re.compile("".join(parts)), tuple(fields))
    except re.error as exc:  # a letter repeated more than Java allows, say DDDD
        msg = (
            f"format={fmt!r} cannot be matched ({exc}); check how often each pattern letter repeats"
        )
        raise ValueError(msg) from None


def check_java_format(fmt: str) -> None:
    """Check that pactdsl can match and render a Java date/time pattern.

    Args:
        fmt: A Java pattern such as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.

    Raises:
        ValueError: If the pattern uses a letter pactdsl does not support (the
            message names it) or has an unclosed quote.
    """
    if not isinstance(fmt, str):
        raise ValueError(f"format={fmt!r} must be a string such as 'yyyy-MM-dd'.")
    _compile(fmt)


def pattern_letters(fmt: str) -> frozenset[str]:
    """The pattern letters of a Java date/time pattern, quoted text left out.

    Args:
        fmt: A Java pattern such as `yyyy-MM-dd'T'HH:mm:ss`.

    Returns:
        The letters, e.g. ``{"y", "M", "d"}``; empty for a pattern of literal text only.

    Raises:
        ValueError: As `check_java_format` does.
    """
    return frozenset(token.letter for token in _tokenize(fmt) if isinstance(token, _Letters))


def _offset_valid(text: str) -> bool:
    digits = re.sub(r"[^0-9]", "", text)
    if not digits:
        return True
    hours = int(digits[:2]) if len(digits) >= 2 else int(digits)
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    seconds = int(digits[4:6]) if len(digits) >= 6 else 0
    return hours <= 18 and minutes <= 59 and seconds <= 59


_NUMERIC_LETTERS = frozenset("yuMLdDHhkKms")
_LIMITS = {
    "M": (1, 12),
    "d": (1, 31),
    "D": (1, 366),
    "H": (0, 23),
    "h": (1, 12),
    "k": (1, 24),
    "K": (0, 11),
    "m": (0, 59),
    "s": (0, 59),
}


def _fields_valid(fields: tuple[tuple[str, _Letters], ...], texts: tuple[str, ...]) -> bool:
    numbers: dict[str, int] = {}
    day_name: str | None = None
    two_digit_year = False
    index = 0
    for _, token in fields:
        text = texts[index]
        index += 1
        letter = token.letter
        if letter in _NUMERIC_LETTERS:
            if letter in {"M", "L"}:
                letter = "M"
                if token.count >= 3:
                    names = _MONTHS_SHORT if token.count == 3 else _MONTHS_LONG
                    number = names.index(text) + 1 if text in names else 1
                else:
                    number = int(text)
            else:
                number = int(text)
                if letter in {"y", "u"}:
                    two_digit_year = token.count == 2
                    letter = "y"
            if letter in numbers:
                continue  # a repeated field: Java checks the first
            limits = _LIMITS.get(letter)
            if limits is not None and (number < limits[0] or number > limits[1]):
                return False
            numbers[letter] = number
        elif letter in "XxZ":
            if not _offset_valid(text):
                return False
        elif letter == "E" and token.count != 5 and day_name is None:
            day_name = text
    day = numbers.get("d")
    day_of_year = numbers.get("D")
    if (day is None or day <= 28) and day_name is None and day_of_year != 366:
        return True  # valid in every month and year: skip the calendar
    # A year that is not given behaves as a leap year, so 29 February passes.
    year = numbers.get("y", 2000) + (2000 if two_digit_year else 0)
    if not 1 <= year <= 9999:
        return True  # outside Python's calendar: the ranges above suffice.
    month = numbers.get("M")
    if month is not None and day is not None:
        if day > calendar.monthrange(year, month)[1]:
            return False
        if day_name is not None:
            weekday = calendar.weekday(year, month, day)
            if day_name not in (_DAYS_SHORT[weekday], _DAYS_LONG[weekday]):
                return False
    return not (day_of_year == 366 and not calendar.isleap(year))


def java_format_matches(fmt: str, value: str) -> bool:
    """Tell whether `value` is a valid date/time in the Java pattern `fmt`.

    The whole value must match the pattern, and the fields must make a real date
    and time (month 1 to 12, day within the month, hour within its range, ...).

    Args:
        fmt: A Java pattern such as `yyyy-MM-dd`.
        value: The text to check.

    Returns:
        True if `value` is valid in that format.

    Raises:
        ValueError: If the pattern itself is not supported (see
            `check_java_format`).
    """
    compiled = _compile(fmt)
    if not isinstance(value, str):
        return False
    found = compiled.pattern.fullmatch(value)
    if found is None:
        return False
    return _fields_valid(compiled.fields, found.groups())


def _render_offset(offset: datetime.timedelta | None, token: _Letters) -> str:
    total = int(offset.total_seconds()) if offset is not None else 0
    letter, count = token.letter, token.count
    if total == 0 and letter == "X":
        return "Z"
    if letter == "Z" and count == 5 and total == 0:
        return "Z"
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    if letter == "Z":
        if count == 4:
            if total == 0:
                return "GMT"
            text = f"GMT{sign}{hours:02d}:{minutes:02d}"
            return text + (f":{seconds:02d}" if seconds else "")
        if count == 5:
            return f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")
        return f"{sign}{hours:02d}{minutes:02d}"
    if count == 1:
        return f"{sign}{hours:02d}" + (f"{minutes:02d}" if minutes else "")
    if count == 2:
        return f"{sign}{hours:02d}{minutes:02d}"
    if count == 3:
        return f"{sign}{hours:02d}:{minutes:02d}"
    if count == 4:
        return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _render_number(number: int, count: int) -> str:
    return str(number).zfill(count)


def _render_letters(token: _Letters, value: datetime.datetime) -> str:
    letter, count = token.letter, token.count
    renderers: dict[str, Callable[[], str]] = {
        "d": lambda: _render_number(value.day, count),
        "D": lambda: _render_number(value.timetuple().tm_yday, count),
        "H": lambda: _render_number(value.hour, count),
        "k": lambda: _render_number(value.hour or 24, count),
        "K": lambda: _render_number(value.hour % 12, count),
        "h": lambda: _render_number(value.hour % 12 or 12, count),
        "m": lambda: _render_number(value.minute, count),
        "s": lambda: _render_number(value.second, count),
        "S": lambda: f"{value.microsecond:06d}000"[:count].ljust(count, "0"),
        "n": lambda: _render_number(value.microsecond * 1000, count),
        "a": lambda: "AM" if value.hour < 12 else "PM",
    }
    if letter in renderers:
        return renderers[letter]()
    if letter in "yu":
        if count == 2:
            return f"{value.year % 100:02d}"
        return _render_number(value.year, count)
    if letter in "ML":
        if count == 3:
            return _MONTHS_SHORT[value.month - 1]
        if count == 4:
            return _MONTHS_LONG[value.month - 1]
        if count == 5:
            return _MONTHS_LONG[value.month - 1][0]
        return _render_number(value.month, count)
    if letter in "Ee":
        if letter == "e" and count <= 2:
            return _render_number(value.isoweekday() % 7 + 1, count)
        name = _DAYS_LONG[value.weekday()]
        return {4: name, 5: name[0]}.get(count, name[:3])
    if letter == "G":
        return {4: "Anno Domini", 5: "A"}.get(count, "AD")
    if letter in "XxZ":
        return _render_offset(value.utcoffset(), token)
    zone_name: Any = value.tzname()
    if zone_name is None or not re.fullmatch(_fragment(token), zone_name):
        return "UTC" if value.utcoffset() in (None, datetime.timedelta(0)) else "GMT"
    return str(zone_name)


def format_java(fmt: str, value: datetime.datetime) -> str:
    """Render a datetime with a Java pattern (used by the date/time generators).

    A naive datetime is rendered as UTC where the pattern asks for a zone.

    Args:
        fmt: A Java pattern such as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.
        value: The datetime to render.

    Returns:
        The rendered text, which `java_format_matches(fmt, text)` accepts.

    Raises:
        ValueError: If the pattern is not supported (see `check_java_format`).
    """
    _compile(fmt)  # validates the pattern once, with a clear message
    parts: list[str] = []
    for token in _tokenize(fmt):
        if isinstance(token, _Literal):
            parts.append(token.text)
        else:
            parts.append(_render_letters(token, value))
    return "".join(parts)
