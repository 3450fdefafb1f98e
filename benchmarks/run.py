"""Run every `benchmarks/bench_*.py` in one go and write `docs/benchmarks.md`.

Each script runs in its own process, one after the other, so they do not
compete for the CPU. A script reports table rows by printing lines

    BENCH {"case": "...", "pactdsl": <seconds>, "pact-python": <seconds or null>}

and may print anything else besides; its whole output is kept in the page under
the table. The ratio column is pact-python's time over pactdsl's (above 1:
pactdsl is faster).

Run: python benchmarks/run.py [--only NAME ...] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MARKER = "BENCH "


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def run_script(script: Path) -> tuple[list[dict[str, Any]], str, float, int]:
    """Run one benchmark script; return its rows, its other output, wall time and exit code."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=3600,
    )
    elapsed = time.perf_counter() - started
    rows, other = [], []
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            rows.append(json.loads(line.removeprefix(MARKER)))
        else:
            other.append(line)
    if done.returncode != 0:
        other += ["", f"(exit code {done.returncode})", *done.stderr.splitlines()[-20:]]
    return rows, "\n".join(other).strip(), elapsed, done.returncode


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "n/a"
    return f"{theirs / ours:.1f}x"


def render(results: list[tuple[str, list[dict[str, Any]], str, float, int]]) -> str:
    """The Markdown page."""
    lines = [
        "# Benchmarks",
        "",
        "pactdsl side by side with pact-python, written by `python benchmarks/run.py`.",
        "Ratio: pact-python's time divided by pactdsl's (above 1x, pactdsl is faster).",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Python {platform.python_version()} on {platform.system()} {platform.machine()}",
        f"- pactdsl {_version('pactdsl')}, pact-python {_version('pact-python')}",
        "",
        "| script | case | pactdsl | pact-python | ratio |",
        "|---|---|---|---|---|",
    ]
    for name, rows, _, _, _ in results:
        for row in rows:
            ours, theirs = row.get("pactdsl"), row.get("pact-python")
            lines.append(
                f"| {name} | {row['case']} | {_seconds(ours)} | {_seconds(theirs)} "
                f"| {_ratio(ours, theirs)} |"
            )
    if not any(rows for _, rows, _, _, _ in results):
        lines.append("| - | no script printed a BENCH row | | | |")
    lines += ["", "## Each script's output", ""]
    for name, _, output, elapsed, code in results:
        status = "" if code == 0 else f", exit code {code}"
        lines += [
            f"### {name} ({elapsed:.1f} s{status})",
            "",
            "```text",
            output or "(none)",
            "```",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="script names, e.g. bench_import")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem in args.only or s.name in args.only]
    results = []
    for script in scripts:
        print(f"running {script.name} ...", flush=True)
        rows, output, elapsed, code = run_script(script)
        print(output)
        results.append((script.stem, rows, output, elapsed, code))
    page = render(results)
    Path(args.out).write_text(page + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if all(code == 0 for *_, code in results) else 1


if __name__ == "__main__":
    sys.exit(main())
