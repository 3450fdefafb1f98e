"""The result type of matching (`Mismatch`) and the error for broken rules."""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs

__all__ = [
    "MatchingError",
    "Mismatch",
    "MismatchKind",
    "count_of",
    "describe_value",
    "show_pattern",
]

MismatchKind = Literal[
    "method", "path", "query", "header", "body", "body_type", "status", "metadata"
]


@attrs.frozen
class Mismatch:
    """One difference between an expected and an actual request, response or message.

    Attributes:
        kind: Which part differs: "method", "path", "query", "header", "body",
            "body_type", "status" or "metadata".
        path: The rule path of the part, such as `$.body.items[2].id`,
            `$.query.page`, `$.header.Content-Type`, `$.method`, `$.path` or
            `$.status`.
        expected: The expected value (or the rule's value) at that path.
        actual: The actual value at that path (None when it is missing).
        message: A sentence that says what differs.
    """

    kind: MismatchKind
    path: str
    expected: Any
    actual: Any
    message: str

    def __str__(self) -> str:
        return self.message


class MatchingError(ValueError):
    """Raised when the expected side carries a broken matching rule.

    For example an unknown matcher name, a regex that does not compile, a regex
    that runs too long, or an unsupported Java date format. The message names the
    rule path and what is wrong.
    """


# JSON's names for JSON's values (a pact is JSON, whatever language checks it).
_TYPE_NAMES: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "decimal",
    bool: "boolean",
    type(None): "null",
    dict: "object",
    list: "array",
    bytes: "bytes",
}


def json_text(value: Any, limit: int = 60) -> str:
    """A value as it reads in the pact (shortened): ``true`` not ``True``, ``null`` not ``None``.

    Args:
        value: Any value met while matching; one JSON cannot write shows as its repr.
        limit: The most characters kept.
    """
    # A lone string keeps its quotes as 'text', as pact-reference's messages write it.
    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def describe_value(value: Any) -> str:
    """Render a value for a message: its JSON text (shortened) and its JSON type.

    Args:
        value: Any value met while matching.

    Returns:
        Text such as `'42' (string)`, `true (boolean)`, or `null` for None.
    """
    if value is None:
        return "null"  # JSON's word; "null (null)" would say it twice
    return f"{json_text(value)} ({_TYPE_NAMES.get(type(value), type(value).__name__)})"


def count_of(number: int, noun: str, plural: str | None = None) -> str:
    """`1 element`, `0 elements`: a number with its noun in the right form.

    Args:
        number: How many.
        noun: The singular noun.
        plural: The plural, when it is not `noun` + "s".
    """
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def show_pattern(pattern: str | None) -> str:
    r"""Show a regex in messages as ``the regex `\d+` ``: as written in the pact.

    Backquotes, unlike slashes, cannot be mistaken for part of a path pattern
    such as ``/orders/\d+``, and unlike a repr they do not double backslashes.
    """
    return f"the regex `{pattern}`"
