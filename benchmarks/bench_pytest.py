"""Whole pytest sessions in separate virtual environments, each a fresh process.

(1) What installing pactdsl costs a pytest session that never touches Pact: a
    two-test suite run in a venv holding only pytest, in one that also holds
    pactdsl (its default install: attrs, filelock, regex; no httpx, so no
    anyio), in one with ``pactdsl[httpx]`` (httpx brings anyio, whose own pytest
    plugin then loads in every session: what an httpx consumer's environment
    has anyway), in one with ``pactdsl[fuzz]`` (hypothesis, whose plugin does
    the same), and in one with pact-python. Reported: each venv's session time
    minus the bare venv's. Target: pactdsl's overhead within 50 ms.
(2) A consumer suite end to end: 1 test and 50 tests, each test checking one
    interaction against a mock and the pact file written, in a fresh
    ``python -m pytest`` process: pactdsl's pytest plugin (``pact_mock``, in-process)
    beside pact-python (a ``Pact`` per test, ``serve()``, ``write_file``). The
    consumer is an httpx client, so its venvs hold httpx too: ``pactdsl[httpx]``
    (the in-process mock needs it), and pact-python plus httpx.

The environments are made with ``python -m venv --without-pip`` and hold exactly
the dependency closure of what they install, linked from the distributions
installed beside this script's interpreter (so nothing is downloaded): the same
files as ``pip install``, without waiting on pip. pactdsl's own requirements are
read from ``pyproject.toml`` (an editable install's metadata can be older).
Wall clock of each process, best of 5 (``--quick``: 1 run, and 10 tests instead
of 50).

Run: python benchmarks/bench_pytest.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import tomllib
from pathlib import Path

from _bench import emit, target, verdict
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 0.050  # the target for pactdsl's overhead, in seconds
SUITE_SIZES = (1, 50)
QUICK_SUITE_SIZES = (1, 10)  # the smoke run in the test suite keeps to seconds

TRIVIAL = """
def test_adds():
    assert 1 + 1 == 2


def test_joins():
    assert "-".join("ab") == "a-b"
"""

PACTDSL_SUITE = """
import httpx
import pytest

from pactdsl import define_contract, interaction
from pactdsl.match import integer, like

N = {count}
items = define_contract(
    "bench_items",
    consumer="bench-shop",
    provider="bench-items",
    interactions=[
        interaction(f"get item {{n}}")
        .given(f"item {{n}} exists")
        .request(method="GET", path=f"/items/{{n}}")
        .responds(status=200, body={{"id": integer(n), "name": like("lamp")}})
        for n in range(N)
    ],
)


ONE_EACH = [
    pytest.param(n, marks=pytest.mark.pact(items, interactions=f"get item {{n}}"))
    for n in range(N)
]


@pytest.mark.parametrize("n", ONE_EACH)
def test_item(n, pact_mock):
    assert httpx.get(f"{{pact_mock.url}}/items/{{n}}").json()["id"] == n
"""

PACT_PYTHON_SUITE = """
import httpx
import pytest
from pact import Pact, match

N = {count}


@pytest.mark.parametrize("n", range(N))
def test_item(n):
    pact = Pact("bench-shop", "bench-items").with_specification("V4")
    (
        pact.upon_receiving(f"get item {{n}}")
        .given(f"item {{n}} exists")
        .with_request("GET", f"/items/{{n}}")
        .will_respond_with(200)
        .with_body(
            {{"id": match.int(n), "name": match.str("lamp")}}, content_type="application/json"
        )
    )
    with pact.serve() as server:
        assert httpx.get(f"{{server.url}}/items/{{n}}").json()["id"] == n
    pact.write_file("pacts")
"""


def _requires(dist: importlib.metadata.Distribution) -> list[str]:
    """What `dist` requires; pactdsl's from this checkout's pyproject.toml."""
    if dist.metadata["Name"].lower() == "pactdsl":
        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        extras = project.get("optional-dependencies", {})
        return list(project["dependencies"]) + [
            f"{text}; extra == {name!r}" for name, texts in extras.items() for text in texts
        ]
    return list(dist.requires or [])


def _closure(roots: list[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions `roots` need (``name[extra]`` allowed), dependencies included."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [Requirement(root) for root in roots]
    while pending:
        wanted = pending.pop()
        dist = importlib.metadata.distribution(wanted.name)
        key = dist.metadata["Name"].lower().replace("_", "-")
        extras = set(wanted.extras)
        if key in found and not extras:
            continue
        found[key] = dist
        for text in _requires(dist):
            need = Requirement(text)
            if need.marker is None or any(
                need.marker.evaluate({"extra": extra}) for extra in extras | {""}
            ):
                pending.append(need)
    return list(found.values())


def make_venv(folder: Path, roots: list[str]) -> Path:
    """A venv at `folder` holding `roots` and their dependencies; returns its python."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120
    )
    python = folder / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    for dist in _closure(roots):
        base = Path(str(dist.locate_file("")))
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops - {"__pycache__"}:
            link = Path(site) / top
            if not link.exists():
                link.symlink_to(base / top)
    return python


def session_seconds(python: Path, folder: Path, runs: int, *options: str) -> float:
    """Best wall time of `runs` fresh ``python -m pytest -q`` processes in `folder`."""
    best = float("inf")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHON"))}
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
            capture_output=True,
            text=True,
            check=False,
            cwd=folder,
            env=env,
            timeout=600,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            msg = f"pytest failed in {folder} with {python}:\n{done.stdout[-2000:]}{done.stderr}"
            raise RuntimeError(msg)
        best = min(best, elapsed)
    return best


def _project(folder: Path, test: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "test_suite.py").write_text(textwrap.dedent(test), encoding="utf-8")
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # rootdir here
    return folder


def _distribution_names(roots: list[str]) -> list[str]:
    return sorted(dist.metadata["Name"].lower() for dist in _closure(roots))


def _trivial_sessions(root: Path, runs: int) -> dict[str, Path]:
    """Time the trivial session in each venv and emit the overhead rows; return the venvs."""
    default_install = _distribution_names(["pactdsl"])
    if {"httpx", "anyio"} & set(default_install):
        msg = f"pactdsl's default install holds {default_install}: httpx must be an extra"
        raise RuntimeError(msg)
    print(f"pactdsl's default install: {', '.join(default_install)}")
    venvs = {
        "bare": make_venv(root / "bare", ["pytest"]),
        "pactdsl": make_venv(root / "pactdsl", ["pytest", "pactdsl"]),
        "pactdsl[httpx]": make_venv(root / "httpx", ["pytest", "pactdsl[httpx]"]),
        "pactdsl[fuzz]": make_venv(root / "fuzz", ["pytest", "pactdsl[fuzz]"]),
        "pact-python": make_venv(root / "pact-python", ["pytest", "pact-python"]),
    }
    trivial = _project(root / "trivial", TRIVIAL)
    times = {name: session_seconds(python, trivial, runs) for name, python in venvs.items()}
    print(f"trivial 2-test pytest session, best of {runs} fresh processes:")
    for name, seconds in times.items():
        print(f"  {name:14} {seconds * 1000:7.0f} ms")
    overhead = {name: max(0.0, times[name] - times["bare"]) for name in venvs}
    row = emit(
        "pytest",
        "trivial 2-test session: overhead over a pytest-only venv",
        overhead["pactdsl"],
        overhead["pact-python"],
        goal=target("<=", 1.0),
        ratio=overhead["pactdsl"] / BUDGET,
        ratio_of="pactdsl's overhead / 50 ms",
        note=(
            f"Session time minus a venv with only pytest ({times['bare'] * 1000:.0f} ms "
            "here), clamped at 0; the target is the issue's 50 ms budget. pactdsl: its "
            "default install (no httpx, no anyio)."
        ),
    )
    print(f"  pactdsl overhead: {overhead['pactdsl'] * 1000:.0f} ms: {verdict(row)}")
    emit(
        "pytest",
        "trivial 2-test session: overhead with pactdsl[httpx] (httpx and anyio installed)",
        overhead["pactdsl[httpx]"],
        note=(
            "anyio, which httpx brings, registers its own pytest plugin in every session of "
            "its environment: the cost an httpx consumer's environment carries anyway, and "
            "the default install of pactdsl no longer does."
        ),
    )
    emit(
        "pytest",
        "trivial 2-test session: overhead with pactdsl[fuzz] (hypothesis installed)",
        overhead["pactdsl[fuzz]"],
        note=(
            "hypothesis' own pytest plugin loads in every session of an environment that "
            "has hypothesis: the cost a default install of pactdsl no longer carries."
        ),
    )
    return venvs


def main(quick: bool) -> None:
    runs = 1 if quick else 5
    with tempfile.TemporaryDirectory(prefix="bench-pytest-") as tmp:
        root = Path(tmp)
        venvs = _trivial_sessions(root, runs)
        # The suites' consumer is an httpx client: both sides' venvs hold httpx.
        ours_python = venvs["pactdsl[httpx]"]
        theirs_python = make_venv(root / "pact-python-httpx", ["pytest", "pact-python", "httpx"])
        print(
            "consumer suites: an httpx client, so pactdsl[httpx] (the in-process mock needs "
            "httpx) beside pact-python plus httpx"
        )
        for count in QUICK_SUITE_SIZES if quick else SUITE_SIZES:
            ours = _project(root / f"pactdsl-{count}", PACTDSL_SUITE.format(count=count))
            theirs = _project(root / f"pact-python-{count}", PACT_PYTHON_SUITE.format(count=count))
            row = emit(
                "pytest",
                f"consumer suite of {count} test(s), one mock each, pact file written",
                session_seconds(ours_python, ours, runs),
                session_seconds(theirs_python, theirs, runs),
                note=(
                    "Wall clock of a fresh `python -m pytest` process, interpreter start "
                    "included: pactdsl's plugin (`pact_mock`, in-process; venv with "
                    "pactdsl[httpx]) beside pact-python (a `Pact` per test, `serve()`, "
                    "`write_file`; venv with pact-python and httpx). The consumer is httpx."
                ),
            )
            print(
                f"consumer suite of {count}: pactdsl {row['pactdsl']:.2f} s, pact-python "
                f"{row['pact-python']:.2f} s: {verdict(row)}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each session")
    main(parser.parse_args().quick)
