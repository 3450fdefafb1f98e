r"""What a Pact regex admits, as far as it can be told exactly.

Whether one regular expression's language lies inside another's (or inside a
JSON Schema `format`) cannot be decided in general, so the OpenAPI check asks
only questions with exact answers, each on the parse tree of Python's own
`re` parser (a Pact regex it cannot parse, such as ``\p{L}`` of the `regex`
module, answers None: "cannot tell"):

- `finite_strings`: every string the regex admits, when they are few (a plain
  alternation of literals such as ``cat|dog``, ``(GET|PUT)``, ``v[12]``);
- `length_range`: the shortest and longest string it admits;
- `alphabet`: every character its strings may hold, when that set is bounded;
- `path_pieces`: the regex of a path split at its top-level ``/``.

Answers are exact for regexes built of literals, character classes, groups,
alternation and repetition; anchors count only at the ends (the engine matches
whole strings). Lookarounds, back-references, flags and ``\b`` answer None.
"""

from __future__ import annotations

import functools
import re
import re._constants as _c  # type: ignore[import-not-found]
from re import _parser
from typing import Any, Final

__all__ = ["alphabet", "finite_strings", "length_range", "path_pieces", "same_language"]

_LIMIT: Final = 64
"""The most strings `finite_strings` lists: more is not "a plain alternation"."""
_EDGE_ANCHORS: Final = frozenset(
    {_c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_END, _c.AT_END_STRING}
)
_REPEATS: Final = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT})
_DIGITS: Final = frozenset("0123456789")

# One item of a parse tree: an opcode and its argument.
_Item = tuple[Any, Any]


@functools.lru_cache(maxsize=512)
def _items(pattern: str) -> tuple[_Item, ...] | None:
    """The top-level items of `pattern` without its end anchors, or None when unparsable."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, ValueError, OverflowError, RecursionError):
        return None
    if parsed.state.flags & ~(re.UNICODE | re.NOFLAG):
        return None  # (?i) and friends change what the literals admit
    items = list(parsed.data)
    while items and items[0][0] is _c.AT and items[0][1] in _EDGE_ANCHORS:
        items.pop(0)
    while items and items[-1][0] is _c.AT and items[-1][1] in _EDGE_ANCHORS:
        items.pop()
    return tuple(items)


def _class_chars(items: list[_Item]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < 256:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is _c.CATEGORY and av is _c.CATEGORY_DIGIT:
            chars.update(_DIGITS)  # as the schema side reads numbers: see _schema.coerce
        else:
            return None  # a negation, a wide range or a category without bounds
    return frozenset(chars)


def _strings(items: tuple[_Item, ...] | list[_Item]) -> frozenset[str] | None:
    found = frozenset({""})
    for op, av in items:
        options = _options(op, av)
        if options is None:
            return None
        found = frozenset(a + b for a in found for b in options)
        if len(found) > _LIMIT:
            return None
    return found


def _options(op: Any, av: Any) -> frozenset[str] | None:
    if op is _c.LITERAL:
        return frozenset({chr(av)})
    if op is _c.IN:
        chars = _class_chars(av)
        return chars if chars is not None and len(chars) <= _LIMIT else None
    if op is _c.BRANCH:
        branches: set[str] = set()
        for branch in av[1]:
            strings = _strings(branch.data)
            if strings is None:
                return None
            branches |= strings
        return frozenset(branches)
    if op is _c.SUBPATTERN:
        return None if av[1] or av[2] else _strings(av[3].data)
    if op in _REPEATS:
        low, high, sub = av
        if high == _c.MAXREPEAT or high > _LIMIT:
            return None
        union: set[str] = set()
        for count in range(low, high + 1):
            strings = _strings([item for _ in range(count) for item in sub.data])
            if strings is None:
                return None
            union |= strings
        return frozenset(union) if len(union) <= _LIMIT else None
    return None


def finite_strings(pattern: str) -> frozenset[str] | None:
    """Every string `pattern` admits as a whole-string match, or None when many or unknown."""
    items = _items(pattern)
    return None if items is None else _strings(items)


def _width(items: tuple[_Item, ...] | list[_Item]) -> tuple[int, int | None] | None:
    low, high = 0, 0  # type: int, int | None
    for op, av in items:
        width = _item_width(op, av)
        if width is None:
            return None
        low += width[0]
        high = None if high is None or width[1] is None else high + width[1]
    return low, high


def _item_width(op: Any, av: Any) -> tuple[int, int | None] | None:
    if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
        return 1, 1
    if op is _c.BRANCH:
        widths = [_width(branch.data) for branch in av[1]]
        if any(w is None for w in widths):
            return None
        lows = [w[0] for w in widths if w is not None]
        highs = [w[1] for w in widths if w is not None]
        return min(lows), None if None in highs else max(h for h in highs if h is not None)
    if op is _c.SUBPATTERN:
        return None if av[1] or av[2] else _width(av[3].data)
    if op in _REPEATS:
        low, high, sub = av
        width = _width(sub.data)
        if width is None:
            return None
        top = None if high == _c.MAXREPEAT or width[1] is None else high * width[1]
        return low * width[0], top
    return None


def length_range(pattern: str) -> tuple[int, int | None] | None:
    """The shortest and longest (None: no bound) string `pattern` admits, or None if unknown."""
    items = _items(pattern)
    return None if items is None else _width(items)


def _chars(items: tuple[_Item, ...] | list[_Item]) -> frozenset[str] | None:
    found: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            found.add(chr(av))
        elif op is _c.IN:
            chars = _class_chars(av)
            if chars is None:
                return None
            found |= chars
        elif op is _c.BRANCH:
            for branch in av[1]:
                chars = _chars(branch.data)
                if chars is None:
                    return None
                found |= chars
        elif op is _c.SUBPATTERN and not (av[1] or av[2]):
            chars = _chars(av[3].data)
            if chars is None:
                return None
            found |= chars
        elif op in _REPEATS:
            chars = _chars(av[2].data)
            if chars is None:
                return None
            found |= chars
        else:
            return None
    return frozenset(found)


def alphabet(pattern: str) -> frozenset[str] | None:
    """Every character the strings `pattern` admits may hold, or None when unbounded."""
    items = _items(pattern)
    return None if items is None else _chars(items)


def _strip_anchors(pattern: str) -> str:
    text = pattern.removeprefix("^").removeprefix("\\A")
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1]
    return text.removesuffix("\\Z").removesuffix("\\z")


def _canonical(items: tuple[_Item, ...] | list[_Item]) -> tuple[Any, ...]:
    r"""A parse tree with equal spellings made equal.

    A literal is a one-character class, ``\d`` is ``[0-9]`` (as `_class_chars`
    reads it), and plain groups vanish into their sequence.
    """
    out: list[Any] = []
    for op, av in items:
        if op is _c.LITERAL or op is _c.IN:
            chars = _class_chars([(op, av)] if op is _c.LITERAL else av)
            out.append(("in", chars if chars is not None else repr(av)))
        elif op is _c.SUBPATTERN and not (av[1] or av[2]):
            out.extend(_canonical(av[3].data))
        elif op is _c.BRANCH:
            out.append(("or", tuple(_canonical(b.data) for b in av[1])))
        elif op in _REPEATS:
            out.append((str(op), av[0], av[1], _canonical(av[2].data)))
        else:
            out.append((str(op), repr(av)))
    return tuple(out)


def same_language(rule_regex: str, schema_pattern: str) -> bool:
    r"""True when every whole-string match of `rule_regex` is found by `schema_pattern`.

    Told only when the two are the same expression apart from their anchors
    and spelling (``\d`` or ``[0-9]``, a group or none): a JSON Schema
    `pattern` searches, so ``\d+`` and ``^[0-9]+$`` both hold every string
    ``\d+`` matches whole.
    """
    if _strip_anchors(rule_regex) == _strip_anchors(schema_pattern):
        return True
    ours, theirs = _items(rule_regex), _items(schema_pattern)
    return ours is not None and theirs is not None and _canonical(ours) == _canonical(theirs)


def path_pieces(pattern: str) -> list[str] | None:
    r"""The regex of each path segment of `pattern`, split at its top-level ``/``.

    None when a ``/`` may come from elsewhere (a piece's alphabet is unbounded
    or holds ``/``, an alternation spans segments) or the pattern cannot be
    read. ``^/pets/\d+$`` gives ``["", "pets", "\\d+"]``.
    """
    text = _strip_anchors(pattern)
    pieces, start, depth, position, in_class = [], 0, 0, 0, False
    while position < len(text):
        char = text[position]
        if char == "\\":
            if not in_class and depth == 0 and text[position + 1 : position + 2] == "/":
                pieces.append(text[start:position])
                start = position + 2
            position += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
        elif char == "/" and depth == 0:
            pieces.append(text[start:position])
            start = position + 1
        position += 1
    pieces.append(text[start:])
    for piece in pieces:
        if _items(piece) is None:
            return None
        chars = alphabet(piece)
        if chars is None or "/" in chars:
            return None
    return pieces
