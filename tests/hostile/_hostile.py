"""Run one hostile case in a real subprocess under a memory cap, and read what it reports.

The child gets an address-space cap (`resource.setrlimit(RLIMIT_AS)`), so a
bomb that escaped the limits would die there instead of taking the machine, and
it reports its peak RSS, which each test holds under `MEMORY_CAP_MB`. The case
code prints one JSON line last: what was raised (or returned) and its message.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

__all__ = ["MEMORY_CAP_MB", "ROOT", "run_capped"]

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP_MB = 300
"""The peak RSS every case must stay under."""
ADDRESS_SPACE_MB = 2048
"""The hard cap given to the child (virtual memory: thread stacks and libraries count)."""

_PRELUDE = """
import json, resource, sys, threading, time
threading.stack_size(512 * 1024)
_started = time.monotonic()

def report(**fields):
    fields["seconds"] = round(time.monotonic() - _started, 2)
    fields["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(fields), flush=True)

def outcome(call):
    try:
        value = call()
    except BaseException as exc:
        report(error=type(exc).__name__, module=type(exc).__module__, message=str(exc))
    else:
        report(error=None, value=repr(value)[:2000])
"""


def _cap_memory() -> None:
    cap = ADDRESS_SPACE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_capped(code: str, *, timeout: float = 90.0, env: dict[str, str] | None = None) -> Any:
    """Run `code` (after a prelude giving `report` and `outcome`) and return its JSON report."""
    script = _PRELUDE + textwrap.dedent(code)
    completed = subprocess.run(
        [sys.executable, "-"],
        input=script,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        preexec_fn=_cap_memory,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report (exit {completed.returncode}): {completed.stderr[-2000:]}"
    result = json.loads(lines[-1])
    assert result["maxrss_mb"] < MEMORY_CAP_MB, result
    return result
