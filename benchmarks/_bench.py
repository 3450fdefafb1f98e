"""The BENCH line protocol shared by the `bench_*.py` scripts and `run.py`.

A script reports one table row by printing one line::

    BENCH {"area": "mock", "case": "...", "pactdsl": 0.08, "pact-python": 1.29,
           "ratio": 16.4, "ratio_of": "pact-python / pactdsl",
           "target": {"op": ">=", "value": 10.0}, "met": true, "note": "..."}

Fields (only `case` and `pactdsl` are required; run.py fills the rest):

* `area`: the table the row goes in (import, matching, mock, verify);
* `case`: what was timed, in words;
* `pactdsl`, `pact-python`: seconds (best of N), `null` where there is no figure;
* `ratio`: defaults to pact-python's time over pactdsl's (above 1: pactdsl faster);
  `ratio_of` says what was divided when it is something else (e.g. "100k / 10k");
* `target`: the issue's goal for `ratio`, `{"op": ">=" or "<=", "value": number}`;
* `met`: whether `ratio` reaches `target` (`null` when either is missing);
* `note`, `detail`: free text shown under the table.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

MARKER = "BENCH "
SPEEDUP = "pact-python / pactdsl"


def target(op: str, value: float) -> dict[str, Any]:
    """A target for a row's ratio: `op` is ">=" or "<="."""
    if op not in {">=", "<="}:
        msg = f"target op={op!r} is not a comparison; use '>=' or '<='"
        raise ValueError(msg)
    return {"op": op, "value": float(value)}


def target_text(goal: dict[str, Any] | None) -> str:
    """A target as people read it, e.g. ">= 10x"."""
    if not goal:
        return "-"
    return f"{goal['op']} {goal['value']:g}x"


def is_met(ratio: float | None, goal: dict[str, Any] | None) -> bool | None:
    """Whether `ratio` reaches `goal`; None when there is nothing to compare."""
    if ratio is None or not goal:
        return None
    if goal["op"] == ">=":
        return bool(ratio >= goal["value"])
    return bool(ratio <= goal["value"])


def complete(row: dict[str, Any]) -> dict[str, Any]:
    """`row` with its ratio (pact-python over pactdsl unless given) and `met` filled in."""
    filled = dict(row)
    ours, theirs = filled.get("pactdsl"), filled.get("pact-python")
    if filled.get("ratio") is None and ours and theirs:
        filled["ratio"] = theirs / ours
        filled.setdefault("ratio_of", SPEEDUP)
    filled.setdefault("ratio_of", SPEEDUP)
    filled["met"] = is_met(filled.get("ratio"), filled.get("target"))
    return filled


def emit(
    area: str,
    case: str,
    pactdsl: float,
    pact_python: float | None = None,
    *,
    goal: dict[str, Any] | None = None,
    ratio: float | None = None,
    ratio_of: str = SPEEDUP,
    note: str = "",
    detail: str = "",
) -> dict[str, Any]:
    """Print one BENCH line (the row run.py puts in the table) and return the row."""
    row = complete(
        {
            "area": area,
            "case": case,
            "pactdsl": pactdsl,
            "pact-python": pact_python,
            "ratio": ratio,
            "ratio_of": ratio_of,
            "target": goal,
            "note": note,
            "detail": detail,
        }
    )
    print(MARKER + json.dumps(row), flush=True)
    return row


def verdict(row: dict[str, Any]) -> str:
    """The human-readable end of a row: ratio, target and whether it is met."""
    ratio = row.get("ratio")
    if ratio is None:
        return "ratio n/a"
    met = {True: "met", False: "NOT met", None: "no target"}[row.get("met")]
    return f"{ratio:.1f}x ({row['ratio_of']}; target {target_text(row.get('target'))}: {met})"


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The best of `repeat` timings of `run()`: other load on the machine only adds time."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best
