"""Run every `benchmarks/bench_*.py` in one go and write `docs/benchmarks.md`.

Each script runs in its own fresh process, one after the other, so they do not
compete for the CPU. A script reports table rows by printing lines

    BENCH {"area": "mock", "case": "...", "pactdsl": <seconds>,
           "pact-python": <seconds or null>, "target": {"op": ">=", "value": 10}, ...}

(the fields are described in `benchmarks/_bench.py`; only `case` and `pactdsl`
are required) and may print anything else besides; that other output is kept in
the page under the tables. The ratio is pact-python's time over pactdsl's
(above 1: pactdsl is faster) unless the row says what else it divides.

Run: python benchmarks/run.py [--quick] [--only NAME ...] [--out docs/benchmarks.md]

`--quick` passes `--quick` to every script (small N, single runs): a smoke run
for the test suite, whose figures are not representative; it needs `--out`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _bench import MARKER, complete, target_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"

AREAS = {
    "import": "Import time",
    "matching": "Body matching",
    "mock": "Mock provider (consumer side)",
    "verify": "Provider verification",
    "pytest": "pytest sessions (separate venvs, fresh processes)",
    "openapi": "Pact against an OpenAPI document (whole commands)",
}
"""Table order and headings; a row naming another area gets a table of its own."""

METHOD = {
    "import": (
        "Each sample is a fresh `python` process timing only the `import` statement "
        "(interpreter start-up excluded); best of 9 samples."
    ),
    "matching": (
        "`pactdsl.matching.match_response` on a response whose body holds 10,000 and "
        "100,000 elements of six fields under six rules (integer, type, regex, datetime, "
        "decimal, boolean); best of 5 and 3 runs, each after a `gc.collect()`. pact-python "
        "has no entry point that matches a whole body, so it has no column here; the "
        "target is linear scaling."
    ),
    "mock": (
        "Both libraries used as their documentation says and sending through one shared "
        "`httpx.Client`: (a) N tests, each with its own mock and one request, pact file "
        "written (pact-python: a `Pact` per test and `write_file` after each; pactdsl: "
        "`mock_provider(contract, interactions=...)` per test and one `generate_pact`); "
        "(b) one mock declaring N interactions and answering N requests. Declaring the "
        "interactions is inside the timing. pact-python always serves on a real port (its "
        "Rust mock server); pactdsl in-process (httpx patched, no socket) and on a real "
        "port. N=200, best of 3 runs after a warm-up; scaling rows time pactdsl at N=100, "
        "200 and 400."
    ),
    "verify": (
        "A V4 pact of 200 interactions, each with a provider state, verified against the "
        "same provider logic: pactdsl and pact-python's `Verifier` (Rust core, Python state "
        "handler) both over HTTP against the same stdlib `ThreadingHTTPServer` on "
        "127.0.0.1, and pactdsl in-process against an equivalent ASGI app. Best of 3 runs "
        "after a warm-up run of each."
    ),
    "pytest": (
        "Whole `python -m pytest` processes, wall clock, in separate venvs (`python -m venv "
        "--without-pip`) holding exactly the dependency closure of pytest alone, pactdsl "
        "(its default install, without httpx), pactdsl[httpx], pactdsl[fuzz] or pact-python "
        "(linked from the installed distributions, so nothing is downloaded): a trivial "
        "2-test suite, then consumer suites of 1 and 50 tests (an httpx client, so "
        "pactdsl[httpx] beside pact-python plus httpx) with one mock each and the pact file "
        "written. Best of 5 processes each."
    ),
    "openapi": (
        "A V3 pact of 500 interactions (20 drifting) against a generated OpenAPI 3.0 JSON "
        "document of 200 operations: `python -m pactdsl check-openapi PACT SPEC --json` "
        "beside swagger-mock-validator's CLI (`@pactflow/swagger-mock-validator`, Node; "
        "its time is in the pact-python column, n/a when it is not installed). Wall "
        "clock of each whole process, best of 3; both verdicts must agree."
    ),
}


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _load() -> str:
    """The 1, 5 and 15 minute load averages, or a note where the OS has none."""
    try:
        one, five, fifteen = os.getloadavg()
    except (AttributeError, OSError):
        return "not available on this OS"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every OS
        return os.cpu_count()


def _git_revision() -> str:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on (taken when the run starts)."""
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{_cpu_model()}, {os.cpu_count()} cores ({_usable_cores()} usable)",
        "OS": f"{platform.system()} {platform.release()} {platform.machine()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "pactdsl": f"{_version('pactdsl')} (git {_git_revision()})",
        "pact-python": _version("pact-python"),
        "load average at start": _load(),
    }


def run_script(script: Path, quick: bool) -> dict[str, Any]:
    """Run one benchmark script in a fresh process; return its rows, output and timing."""
    load = _load()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(script), *(["--quick"] if quick else [])],
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
            row = complete(json.loads(line.removeprefix(MARKER)))
            row.setdefault("area", script.stem.removeprefix("bench_"))
            rows.append(row)
        else:
            other.append(line)
    if done.returncode != 0:
        other += ["", f"(exit code {done.returncode})", *done.stderr.splitlines()[-20:]]
    return {
        "name": script.stem,
        "rows": rows,
        "output": "\n".join(other).strip(),
        "elapsed": elapsed,
        "code": done.returncode,
        "load": load,
    }


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _ratio(row: dict[str, Any]) -> str:
    ratio = row.get("ratio")
    if ratio is None:
        return "n/a"
    text = f"{ratio:.1f}x"
    if row.get("ratio_of") != "pact-python / pactdsl":
        text += f" ({row['ratio_of']})"
    return text


def _met(row: dict[str, Any]) -> str:
    return {True: "yes", False: "**no**", None: "-"}[row.get("met")]


def _table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| case | pactdsl | pact-python | ratio | target | met |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    notes: list[str] = []
    for row in rows:
        case = row["case"] + (f" ({row['detail']})" if row.get("detail") else "")
        note = row.get("note")
        if note:
            if note not in notes:
                notes.append(note)
            case += f" [{notes.index(note) + 1}]"
        lines.append(
            f"| {case} | {_seconds(row.get('pactdsl'))} "
            f"| {_seconds(row.get('pact-python'))} | {_ratio(row)} "
            f"| {target_text(row.get('target'))} | {_met(row)} |"
        )
    if notes:
        lines.append("")
        lines += [f"{number}. {text}" for number, text in enumerate(notes, 1)]
    return lines


def render(results: list[dict[str, Any]], about: dict[str, str], quick: bool) -> str:
    """The Markdown page."""
    rows = [row for result in results for row in result["rows"]]
    judged = [row for row in rows if row.get("met") is not None]
    missed = [row for row in judged if not row["met"]]
    lines = ["# Benchmarks", ""]
    if quick:
        lines += [
            "> **Quick smoke run** (`run.py --quick`): small N and single runs. These",
            "> figures are not representative and the targets are set for the full sizes.",
            "",
        ]
    lines += [
        "pactdsl side by side with pact-python, written by `python benchmarks/run.py`.",
        "Times are the best of several runs. The ratio is pact-python's time divided by",
        "pactdsl's (above 1x, pactdsl is faster) unless the cell says what else it",
        "divides; the target is the goal set for that ratio in the issue.",
        "",
        f"**{len(judged) - len(missed)} of {len(judged)} targets met.**",
    ]
    if missed:
        lines += ["", "Not met:", ""]
        lines += [
            f"- {row['area']}: {row['case']}: {_ratio(row)}, target "
            f"{target_text(row.get('target'))}"
            for row in missed
        ]
    lines += ["", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in about.items()]
    lines += [
        "",
        "The machine is shared with other engineers' test runs: the load average above",
        "and each script's own (below, with its output) show how busy it was. Load only",
        "adds time, which is why each figure is the best of its runs.",
        "",
        "## Method",
        "",
        "- Each `bench_*.py` runs in a fresh process, one after the other, so the",
        "  scripts never compete with each other for the CPU.",
        "- Every time is the best of N runs (N per area below): on a shared machine the",
        "  least disturbed run is the closest to the true cost.",
        "- Targets on linear scaling (N to 4N, or 10k to 100k elements) allow 25% slack",
        "  over the exactly linear ratio.",
    ]
    if quick:
        lines.append("- `--quick`: every script ran with `--quick` (smaller N, one run each).")
    areas = list(AREAS) + sorted({row["area"] for row in rows} - set(AREAS))
    for area in areas:
        in_area = [row for row in rows if row["area"] == area]
        if not in_area:
            continue
        lines += ["", f"## {AREAS.get(area, area)}", ""]
        if area in METHOD:
            lines += [METHOD[area], ""]
        lines += _table(in_area)
    if not rows:
        lines += ["", "No script printed a BENCH row."]
    lines += ["", "## Each script's output", ""]
    for result in results:
        status = "" if result["code"] == 0 else f", exit code {result['code']}"
        lines += [
            f"### {result['name']} ({result['elapsed']:.1f} s{status})",
            "",
            f"Load average when it started: {result['load']}.",
            "",
            "```text",
            result["output"] or "(none)",
            "```",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="script names, e.g. bench_import")
    parser.add_argument("--out", default=None, help=f"the page to write (default {DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="smoke run: every script with --quick")
    args = parser.parse_args(argv)
    if args.quick and args.out is None:
        parser.error(
            "--quick needs --out FILE: quick figures are not representative and must not "
            "replace docs/benchmarks.md"
        )
    out = Path(args.out) if args.out else DEFAULT_OUT
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem in args.only or s.name in args.only]
        if not scripts:
            parser.error(f"--only {' '.join(args.only)} names no benchmarks/bench_*.py script")
    about = machine()
    results = []
    for script in scripts:
        print(f"running {script.name} ...", flush=True)
        result = run_script(script, args.quick)
        print(result["output"], flush=True)
        results.append(result)
    about["load average at end"] = _load()
    out.write_text(render(results, about, args.quick) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0 if all(result["code"] == 0 for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
