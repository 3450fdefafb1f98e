"""Generators: values the mock provider or the verifier makes afresh each time.

Place a generator where a value goes. The pact file keeps a fixed example and a
Pact ``generators`` entry; a matcher that the generated value satisfies is
added beside it (``random_int`` brings ``integer``, ``uuid`` a regex, ...):

```python
from pactdsl import interaction
from pactdsl.generate import provider_state, uuid

interaction("create order").request(method="POST", path="/orders").responds(
    status=201, body={"id": uuid(), "href": provider_state("/orders/${id}", "/orders/1")}
)
```
"""

from __future__ import annotations

import typing as _typing

if _typing.TYPE_CHECKING:
    from typing import Any

from pactdsl._errors import InvalidMatcher as _InvalidMatcher
from pactdsl._generators import (
    UUID_FORMATS as _UUID_FORMATS,
)
from pactdsl._generators import (
    Date as _Date,
)
from pactdsl._generators import (
    DateTime as _DateTime,
)
from pactdsl._generators import (
    Generator,
    _check_generator,
    _DateLikeGenerator,
)
from pactdsl._generators import (
    MockServerURL as _MockServerURL,
)
from pactdsl._generators import (
    ProviderState as _ProviderState,
)
from pactdsl._generators import (
    RandomBoolean as _RandomBoolean,
)
from pactdsl._generators import (
    RandomDecimal as _RandomDecimal,
)
from pactdsl._generators import (
    RandomHexadecimal as _RandomHexadecimal,
)
from pactdsl._generators import (
    RandomInt as _RandomInt,
)
from pactdsl._generators import (
    RandomString as _RandomString,
)
from pactdsl._generators import (
    Regex as _Regex,
)
from pactdsl._generators import (
    Time as _Time,
)
from pactdsl._generators import (
    Uuid as _Uuid,
)
from pactdsl._matcher_hints import java_format_hint as _java_format_hint

__all__ = [
    "Generator",
    "date",
    "datetime",
    "mock_server_url",
    "provider_state",
    "random_boolean",
    "random_decimal",
    "random_hexadecimal",
    "random_int",
    "random_string",
    "regex",
    "time",
    "uuid",
]

_UUID_ALIASES = {
    "lowercase": "lower-case-hyphenated",
    "uppercase": "upper-case-hyphenated",
    "urn": "URN",
    "hyphenated": "lower-case-hyphenated",
}


def _checked(gen: Generator) -> Generator:
    _check_generator(gen)
    return gen


def random_int(min: int = 0, max: int = 2147483647) -> Generator:
    """An integer drawn from ``[min, max]`` (Pact ``RandomInt``)."""
    return _checked(_RandomInt(min, max))


def random_decimal(digits: int = 10) -> Generator:
    """A decimal number of `digits` digits (Pact ``RandomDecimal``)."""
    return _checked(_RandomDecimal(digits))


def random_hexadecimal(digits: int = 10) -> Generator:
    """A string of `digits` hexadecimal digits (Pact ``RandomHexadecimal``)."""
    return _checked(_RandomHexadecimal(digits))


def random_string(size: int = 10) -> Generator:
    """A string of `size` letters and digits (Pact ``RandomString``)."""
    return _checked(_RandomString(size))


def regex(pattern: str) -> Generator:
    """A string that `pattern` matches (Pact ``Regex``)."""
    return _checked(_Regex(pattern))


def uuid(format: str = "lower-case-hyphenated") -> Generator:
    """A random UUID (Pact ``Uuid``).

    Args:
        format: ``simple``, ``lower-case-hyphenated`` (default),
            ``upper-case-hyphenated`` or ``URN``; the short names ``lowercase``,
            ``uppercase`` and ``urn`` are accepted and written by their Pact names.
    """
    real = _UUID_ALIASES.get(format, format)
    if real not in _UUID_FORMATS:
        msg = f"uuid(format={format!r}): use one of {list(_UUID_FORMATS)}"
        raise _InvalidMatcher(msg)
    return _checked(_Uuid(real))


def _date_like(cls: type[_DateLikeGenerator], format: str | None) -> Generator:
    # The hints refuse formats that Java would accept but that almost surely mean
    # something else (strftime, week-based year, ...). Only here, where a person
    # writes the format: a pact file from another implementation is taken as it is.
    if isinstance(format, str) and format:
        hint = _java_format_hint(format, cls.default_format)
        if hint is not None:
            from pactdsl._javatime import pattern_letters

            try:
                literal_only = not pattern_letters(format)
            except ValueError:
                literal_only = False
            if literal_only:
                # The matchers' advice (the format comes first, then the example)
                # does not fit a generator, which takes no example.
                hint = (
                    f"format={format!r} has no pattern letters, so every generated value "
                    f"would be that same text; write a Java pattern such as "
                    f"{cls.default_format!r}"
                )
            msg = f"{cls.factory_name}({format!r}): {hint}"
            raise _InvalidMatcher(msg)
    return _checked(cls(format))


def date(format: str | None = None) -> Generator:
    """Today's date in a Java format, default ``yyyy-MM-dd`` (Pact ``Date``).

    Raises:
        InvalidMatcher: If `format` is not a Java pattern pactdsl supports, or looks
            like a Python strftime format (``%Y-%m-%d``) or another slip such as
            ``YYYY``; the message gives the Java pattern to write.
    """
    return _date_like(_Date, format)


def time(format: str | None = None) -> Generator:
    """The current time in a Java format, default ``HH:mm:ss`` (Pact ``Time``).

    Raises:
        InvalidMatcher: As for `date`.
    """
    return _date_like(_Time, format)


def datetime(format: str | None = None) -> Generator:
    """The current timestamp in a Java format (Pact ``DateTime``).

    Raises:
        InvalidMatcher: As for `date`.
    """
    return _date_like(_DateTime, format)


def random_boolean() -> Generator:
    """True or false (Pact ``RandomBoolean``)."""
    return _RandomBoolean()


def provider_state(expression: str, example: Any) -> Generator:
    """A value the provider-state setup returns, e.g. ``"/users/${id}"``.

    Args:
        expression: Text with ``${name}`` placeholders filled from the dict that
            the verifier's `state_setup` returns.
        example: The value the consumer's mock provider uses.
    """
    return _checked(_ProviderState(expression, example))


def mock_server_url(regex: str, example: str) -> Generator:
    """A URL pointing at the mock provider (Pact ``MockServerURL``).

    Args:
        regex: Finds the path to keep in `example`, in its first group.
        example: A full URL, e.g. ``"http://localhost:8080/orders/1"``.
    """
    return _checked(_MockServerURL(regex, example))
