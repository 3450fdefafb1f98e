r"""The Pact rule-path grammar: ``$``, ``.name``, ``['odd name']``, ``[2]``, ``[*]``, ``.*``.

One parser serves every reader of rule paths: the pact-file reader, generators,
strategies and the matching engine (which maps the tokens to its own weighted
kinds in `pactdsl.matching._paths`). `rule_path_child` is the writing side.

The grammar, after the leading ``$``:

- ``.name``: a name runs up to the next ``.`` or ``[``; ``.*`` alone is the
  wildcard for any name or index.
- ``[2]``: an array index (decimal digits); ``[*]``: any index.
- ``['name']`` or ``["name"]``: any name; inside the quotes ``\'``, ``\"``
  and ``\\`` stand for the quote or backslash, any other backslash is kept.
  Blanks around a bracket's content are ignored.
"""

from __future__ import annotations

import enum
import functools
import re
from typing import Final, TypeAlias

__all__ = [
    "RulePathError",
    "RulePathToken",
    "Wildcard",
    "name_step",
    "parse_rule_path",
    "rule_path_child",
    "rule_path_tokens",
]


class RulePathError(ValueError):
    """A rule path does not follow the Pact grammar."""


class Wildcard(enum.Enum):
    """The two wildcard tokens, which readers weigh differently."""

    ANY = ".*"
    """``.*``: any name or index."""
    ANY_INDEX = "[*]"
    """``[*]``: any array index."""


RulePathToken: TypeAlias = str | int | Wildcard
"""A name, an index, or a wildcard."""

# Writers escape a quote or a backslash in a bracketed name with a backslash.
_UNESCAPE: Final = re.compile(r"\\([\\'\"])")


@functools.lru_cache(maxsize=4096)
def rule_path_tokens(path: str) -> tuple[RulePathToken, ...]:
    """Parse a rule path into names, indices and wildcards (cached).

    Args:
        path: A path such as ``$.items[*].id``, ``$.*`` or ``$['odd key']``.

    Returns:
        The tokens after ``$``: names (str), indices (int) and `Wildcard` members.

    Raises:
        RulePathError: Naming the path, the character where it breaks the
            grammar, and how to write it instead.
    """
    if not path.startswith("$"):
        msg = f"rule path={path!r} must start with '$'; write $, $.name or $['odd name']."
        raise RulePathError(msg)
    tokens: list[RulePathToken] = []
    position, length = 1, len(path)
    while position < length:
        char = path[position]
        if char == ".":
            end = position + 1
            while end < length and path[end] not in ".[":
                end += 1
            name = path[position + 1 : end]
            if not name:
                msg = (
                    f"rule path={path!r} has an empty name at character {position + 1}; "
                    "write names as $.a.b or $['a b']."
                )
                raise RulePathError(msg)
            tokens.append(Wildcard.ANY if name == "*" else name)
            position = end
        elif char == "[":
            end = _bracket_end(path, position)
            tokens.append(_bracket_token(path, path[position + 1 : end].strip()))
            position = end + 1
        else:
            msg = (
                f"rule path={path!r} has {char!r} at character {position} where a "
                "'.' or '[' must come; write names as $.a.b or $['a b']."
            )
            raise RulePathError(msg)
    return tuple(tokens)


def _bracket_end(path: str, start: int) -> int:
    """Return where the ``[`` at `start` closes, skipping ``]`` inside quotes."""
    quote = ""
    escaped = False
    for position in range(start + 1, len(path)):
        char = path[position]
        if escaped:
            escaped = False
        elif quote:
            if char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "]":
            return position
    what = "a quoted name that never closes" if quote else "an unclosed '['"
    msg = (
        f"rule path={path!r} has {what} at character {start}; "
        "close it as in $.a[0], $.a[*] or $['a b']."
    )
    raise RulePathError(msg)


def _bracket_token(path: str, inner: str) -> RulePathToken:
    if inner == "*":
        return Wildcard.ANY_INDEX
    # isdecimal, not isdigit: int() refuses digits such as '²'.
    if inner.isdecimal():
        return int(inner)
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return _UNESCAPE.sub(r"\1", inner[1:-1])
    msg = (
        f"rule path={path!r} has [{inner}], which is neither an index, [*] nor a "
        "quoted name; write $.a[0], $.a[*] or $['a b']."
    )
    raise RulePathError(msg)


@functools.lru_cache(maxsize=4096)
def _plain(path: str) -> tuple[str | int, ...]:
    return tuple("*" if isinstance(t, Wildcard) else t for t in rule_path_tokens(path))


def parse_rule_path(path: str) -> list[str | int]:
    """Split a rule path into names, indices and ``"*"`` (either wildcard).

    Args:
        path: A path such as ``$.items[*].id``.

    Returns:
        A new list of the tokens after ``$``, with both wildcards as ``"*"``.

    Raises:
        RulePathError: Naming the path and the character of the problem.
    """
    return list(_plain(path))


def rule_path_child(path: str, key: str | int) -> str:
    """Return the rule path of `key` (a field name, an index or ``"*"``) under `path`.

    Names that are not plain identifiers use the bracket form, ``$['odd key']``.
    """
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key == "*":
        return f"{path}.*"
    return path + name_step(key)


def name_step(name: str) -> str:
    """Return the step that names exactly `name`: ``.name``, or ``['odd name']``.

    A name the dotted form would misread (``*``, blanks, quotes, a leading
    digit or dash) takes the bracket form, so the step reads back as `name`.
    """
    if name.isidentifier() or (name.replace("-", "_").isidentifier() and name[0] != "-"):
        return f".{name}"
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"
