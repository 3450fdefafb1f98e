"""The Pact rule-path grammar: ``$``, ``.name``, ``['odd name']``, ``[2]``, ``[*]``, ``.*``."""

from __future__ import annotations

import functools

__all__ = ["RulePathError", "parse_rule_path"]


class RulePathError(ValueError):
    """A rule path does not follow the Pact grammar."""


@functools.lru_cache(maxsize=4096)
def _parse(path: str) -> tuple[str | int, ...]:
    if not path.startswith("$"):
        msg = f"path={path!r} must start with '$'"
        raise RulePathError(msg)
    tokens: list[str | int] = []
    i, end = 1, len(path)
    while i < end:
        char = path[i]
        if char == ".":
            j = i + 1
            while j < end and path[j] not in ".[":
                j += 1
            name = path[i + 1 : j]
            if not name:
                msg = f"path={path!r} has an empty name at offset {i}"
                raise RulePathError(msg)
            tokens.append(name)
            i = j
        elif char == "[":
            if path.startswith("['", i) or path.startswith('["', i):
                quote = path[i + 1]
                j = i + 2
                name_chars: list[str] = []
                while j < end and path[j] != quote:
                    if path[j] == "\\" and j + 1 < end:
                        j += 1
                    name_chars.append(path[j])
                    j += 1
                if not path.startswith(quote + "]", j):
                    msg = f"path={path!r} has an unclosed quoted name at offset {i}"
                    raise RulePathError(msg)
                tokens.append("".join(name_chars))
                i = j + 2
            else:
                j = path.find("]", i)
                if j < 0:
                    msg = f"path={path!r} has an unclosed '[' at offset {i}"
                    raise RulePathError(msg)
                inner = path[i + 1 : j].strip()
                if inner == "*":
                    tokens.append("*")
                elif inner.isdigit():
                    tokens.append(int(inner))
                else:
                    msg = f"path={path!r}: '[{inner}]' is neither an index nor '*'"
                    raise RulePathError(msg)
                i = j + 1
        else:
            msg = f"path={path!r}: unexpected {char!r} at offset {i}"
            raise RulePathError(msg)
    return tuple(tokens)


def parse_rule_path(path: str) -> list[str | int]:
    """Split a rule path into names, indices and ``"*"`` (any name or index).

    Raises:
        RulePathError: naming the path and the offset of the problem.
    """
    return list(_parse(path))
