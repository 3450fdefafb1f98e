"""The engine's rule-path tokens (`$.a.b`, `$.a[1]`, `$.a[*]`, `$.*`, `$['odd key']`).

The grammar itself is `pactdsl._rulepath`; here a rule path's tokens become the
engine's weighted kinds, parsed once per path. A concrete place in a body is a
tuple of segments (`str` for a key, element name, `@attribute` or `#text`; `int`
for an array index). The weight of a rule for a place is the product of one score
per rule token (an exact name or index scores 2, `*` or `[*]` scores 1, a miss
scores 0), the same weighting as pact-reference, so the most specific rule wins.
"""

from __future__ import annotations

import functools
from typing import Final

import attrs

from pactdsl._rulepath import (
    RulePathError,
    RulePathToken,
    Wildcard,
    name_step,
    rule_path_tokens,
)
from pactdsl.matching._mismatch import MatchingError

__all__ = [
    "ANY_INDEX",
    "ROOT",
    "STAR",
    "Field",
    "Index",
    "Segment",
    "Token",
    "parse_rule_path",
    "render_path",
    "token_score",
]

Segment = str | int


@attrs.frozen
class Field:
    """A rule token for one key or element name (`.name` or `['name']`)."""

    name: str


@attrs.frozen
class Index:
    """A rule token for one array index (`[3]`)."""

    index: int


class _Wildcard:
    """A singleton token kind; identity is the value."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


ROOT: Final = _Wildcard("$")
STAR: Final = _Wildcard("*")
ANY_INDEX: Final = _Wildcard("[*]")

Token = Field | Index | _Wildcard


def parse_rule_path(path: str) -> tuple[Token, ...]:
    """Parse a rule path into tokens.

    Args:
        path: A path such as `$.items[*].id`, `$['odd key']`, `$.a.0` or `name`
            (a bare name, as V3 header and query rules use, is one field under
            the root).

    Returns:
        The tokens, starting with `ROOT`.

    Raises:
        MatchingError: If the path is not of the grammar.
    """
    if not path.startswith("$"):
        return (ROOT, Field(path))
    return _parse(path)


@functools.lru_cache(maxsize=4096)
def _parse(path: str) -> tuple[Token, ...]:
    try:
        tokens = rule_path_tokens(path)
    except RulePathError as error:
        raise MatchingError(str(error)) from None
    return (ROOT, *(_engine_token(token) for token in tokens))


def _engine_token(token: RulePathToken) -> Token:
    if token is Wildcard.ANY:
        return STAR
    if token is Wildcard.ANY_INDEX:
        return ANY_INDEX
    if isinstance(token, int):
        return Index(token)
    return Field(token)


def token_score(token: Token, segment: Segment) -> int:
    """Score one rule token against one concrete path segment.

    Args:
        token: A parsed rule token (not `ROOT`).
        segment: A key or element name (str) or an array index (int).

    Returns:
        2 for an exact name or index, 1 for a wildcard, 0 for a miss.
    """
    if isinstance(token, Field):
        if isinstance(segment, str):
            return 2 if token.name == segment else 0
        return 2 if token.name == str(segment) else 0
    if isinstance(token, Index):
        return 2 if segment == token.index and isinstance(segment, int) else 0
    if token is STAR:
        return 1
    if token is ANY_INDEX:
        return 1 if isinstance(segment, int) else 0
    return 0


def render_path(prefix: str, segments: tuple[Segment, ...]) -> str:
    """Render concrete segments as the rule path that names that place.

    Args:
        prefix: The start, such as `$.body` or `$`.
        segments: Keys (str) and indices (int) under it.

    Returns:
        A path such as `$.body.items[2].id` or `$.body['odd key']`.
    """
    return prefix + "".join(
        f"[{segment}]" if isinstance(segment, int) else name_step(segment) for segment in segments
    )
