"""What a failure report needs besides the mismatches: the request sent, body excerpts, groups.

A developer reading a failed verification should not have to rerun it to learn
what was sent and what came back around the failing place. The verifier keeps a
`SentRequest` (method, path, query, the headers the pact declares, secrets
masked) and a few `BodyExcerpt`s (the expected and actual values of the object
or array holding each failing body path) on a `FailedInteraction`. The report
groups the same mismatch repeated over list items (`group_mismatches`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from pactdsl._rulepath import RulePathError, parse_rule_path
from pactdsl.matching import Mismatch

__all__ = [
    "BodyExcerpt",
    "MismatchGroup",
    "SentRequest",
    "body_excerpts",
    "group_mismatches",
    "sent_request",
]

# Header values a report must not print (tokens added by `headers=` or a request filter).
_SECRET_HEADER = re.compile(r"authorization|cookie|token|secret|api[-_]?key|password", re.I)
_MASK = "<redacted>"
_MAX_EXCERPTS = 3
_INDEX = re.compile(r"\[(\d+)\]")


@attrs.frozen
class SentRequest:
    """The request the verifier sent, as a report shows it.

    Attributes:
        method: The HTTP method.
        path: The path.
        query: The query parameters, as (name, value) pairs in order.
        headers: The headers the pact declares (plus Content-Type when a body
            was sent), with the values actually sent; secrets are masked.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()

    def line(self) -> str:
        """``GET /items?page=2``: the request line, query included."""
        if not self.query:
            return f"{self.method} {self.path}"
        from urllib.parse import urlencode

        return f"{self.method} {self.path}?{urlencode(self.query)}"


def sent_request(
    method: str,
    path: str,
    query: Mapping[str, Sequence[str]],
    headers: Mapping[str, str],
    declared: Iterable[str],
) -> SentRequest:
    """The `SentRequest` for a request, keeping the headers named in `declared`."""
    wanted = {name.lower() for name in declared} | {"content-type"}
    shown = tuple(
        (name, _MASK if _SECRET_HEADER.search(name) else value)
        for name, value in headers.items()
        if name.lower() in wanted
    )
    pairs = tuple((name, value) for name, values in query.items() for value in values)
    return SentRequest(method, path, pairs, shown)


@attrs.frozen
class BodyExcerpt:
    """The expected and actual values of the body part holding failing paths.

    Attributes:
        path: The part's path, e.g. ``$.body.items[0]``.
        expected: The contract's example there (with generators applied), cut
            to a few list items, keys and levels (saying how many were left out).
        actual: What the provider answered there, cut the same way.
        present: False when the provider's body has nothing at `path`.
    """

    path: str
    expected: Any
    actual: Any
    present: bool = True


_ABSENT = object()
_LIST_ITEMS = 3  # an excerpt shows this many items of a list, and says how many more
_OBJECT_KEYS = 8
_DEPTH = 3


def _compact(value: Any, depth: int = _DEPTH) -> Any:
    """`value` cut to a few items, keys and levels, saying what was left out."""
    if isinstance(value, list):
        if depth == 0:
            return f"… ({len(value)} items)"
        kept = [_compact(item, depth - 1) for item in value[:_LIST_ITEMS]]
        if len(value) > _LIST_ITEMS:
            kept.append(f"… ({len(value) - _LIST_ITEMS} more)")
        return kept
    if isinstance(value, dict):
        if depth == 0:
            return f"… ({len(value)} keys)"
        out = {k: _compact(v, depth - 1) for k, v in list(value.items())[:_OBJECT_KEYS]}
        if len(value) > _OBJECT_KEYS:
            out["…"] = f"{len(value) - _OBJECT_KEYS} more keys"
        return out
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


def _at(value: Any, segments: Sequence[str | int]) -> Any:
    for segment in segments:
        if isinstance(segment, int):
            if not (isinstance(value, list) and 0 <= segment < len(value)):
                return _ABSENT
            value = value[segment]
        else:
            if not (isinstance(value, dict) and segment in value):
                return _ABSENT
            value = value[segment]
    return value


def _json_content(body: Any) -> Any:
    """The parsed JSON content of a V4 body object, or `_ABSENT` for other bodies."""
    if not isinstance(body, Mapping) or body.get("encoded"):
        return _ABSENT
    content = body.get("content", _ABSENT)
    return _ABSENT if isinstance(content, str) else content


def body_excerpts(
    mismatches: Iterable[Mismatch], expected_body: Any, actual_body: Any
) -> tuple[BodyExcerpt, ...]:
    """The parents of the failing body paths, expected beside actual, first few only.

    Args:
        mismatches: The interaction's mismatches (only ``body`` ones are used).
        expected_body: The expected V4 body object (``{"content": ...}``).
        actual_body: The actual V4 body object.
    """
    expected = _json_content(expected_body)
    actual = _json_content(actual_body)
    if expected is _ABSENT or actual is _ABSENT:
        return ()
    out: list[BodyExcerpt] = []
    seen: set[str] = set()
    for mismatch in mismatches:
        if mismatch.kind != "body" or not mismatch.path.startswith("$.body"):
            continue
        try:
            segments = parse_rule_path("$" + mismatch.path.removeprefix("$.body"))
        except RulePathError:
            continue
        parent = segments[:-1] if segments else segments
        path = "$.body" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in parent)
        if _INDEX.sub("[*]", path) in seen:
            continue  # one excerpt per place, not per list item
        seen.add(_INDEX.sub("[*]", path))
        here = _at(expected, parent)
        there = _at(actual, parent)
        out.append(
            BodyExcerpt(
                path,
                None if here is _ABSENT else _compact(here),
                None if there is _ABSENT else _compact(there),
                present=there is not _ABSENT,
            )
        )
        if len(out) == _MAX_EXCERPTS:
            break
    return tuple(out)


@attrs.frozen
class MismatchGroup:
    """Mismatches that differ only in list indices: one line in a report.

    Attributes:
        path: The shared path with each varying index as a range, e.g.
            ``$.body.items[0..9].price`` (the mismatch's own path when alone).
        mismatches: The mismatches, in order; the first stands for the others.
    """

    path: str
    mismatches: tuple[Mismatch, ...]

    @property
    def first(self) -> Mismatch:
        """The first mismatch of the group."""
        return self.mismatches[0]


def _indices(values: Sequence[int]) -> str:
    ordered = sorted(set(values))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}..{ordered[-1]}"
    return ",".join(map(str, ordered))


def _shape(mismatch: Mismatch) -> tuple[str, str, str, str]:
    pattern = _INDEX.sub("[*]", mismatch.path)
    message = mismatch.message.replace(mismatch.path, pattern)
    if mismatch.actual is not None:
        message = message.replace(repr(mismatch.actual), "…")
    expected = json.dumps(mismatch.expected, sort_keys=True, default=repr)
    return mismatch.kind, pattern, message, expected


def group_mismatches(mismatches: Iterable[Mismatch]) -> list[MismatchGroup]:
    """Group mismatches that are the same but for list indices, in first-seen order."""
    groups: dict[tuple[str, str, str, str], list[Mismatch]] = {}
    for mismatch in mismatches:
        groups.setdefault(_shape(mismatch), []).append(mismatch)
    out = []
    for members in groups.values():
        path = members[0].path
        if len(members) > 1:
            columns = list(zip(*(_INDEX.findall(m.path) for m in members), strict=True))
            parts = _INDEX.split(path)
            # split keeps the captured indices at odd positions: each becomes its range.
            for position, column in enumerate(columns):
                parts[2 * position + 1] = "[" + _indices([int(i) for i in column]) + "]"
            path = "".join(parts)
        out.append(MismatchGroup(path, tuple(members)))
    return out
