"""A small first-order mutation run over pactdsl modules, module-level tables included.

Each mutant changes one thing in one module: a comparison operator, `and`/`or`,
`not` dropped, a number off by one, a string in a literal (tables such as alias
maps and status classes), `True`/`False` swapped. For each, the chosen tests run
against a copy of the repository; a mutant is killed when they fail (or run past
the timeout: a mutant that loops is caught too).

Run: python tools/mutate.py pactdsl/matching/_rules.py [more modules]
       [--tests tests/test_matching_rules.py ...] [--sample N] [--seed S] [-j N]
       [--timeout SECONDS] [--no-plugins]

With ``-j N`` the mutants run N at a time, each worker in its own copy of the
repository; every mutant still runs. Put the tests that kill most mutants first:
pytest stops at the first failure.
"""

from __future__ import annotations

import argparse
import ast
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


def _mutations(tree: ast.Module) -> Iterator[tuple[int, str, ast.AST, object, object]]:
    """(line, what, node, attribute or index, replacement) for every mutation point."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                swap = _SWAPS.get(type(op))
                if swap is not None:
                    yield node.lineno, f"{type(op).__name__}->{swap.__name__}", node, i, swap()
        elif isinstance(node, ast.BoolOp):
            other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            yield node.lineno, "and<->or", node, "op", other
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node.lineno, "drop not", node, "op", ast.UAdd()
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                yield node.lineno, f"{value}->{not value}", node, "value", not value
            elif isinstance(value, int):
                yield node.lineno, f"{value}->{value + 1}", node, "value", value + 1
            elif isinstance(value, str) and value and not _is_docstring(tree, node):
                yield node.lineno, f"{value[:20]!r}->'X'", node, "value", value + "X"


def _is_docstring(tree: ast.Module, node: ast.Constant) -> bool:
    for parent in ast.walk(tree):
        body = getattr(parent, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and first.value is node:
            return True
    return False


def _apply(source: str, index: int) -> tuple[str, str]:
    tree = ast.parse(source)
    line, what, node, where, replacement = list(_mutations(tree))[index]
    if isinstance(where, int):
        node.ops[where] = replacement  # type: ignore[attr-defined]
    else:
        setattr(node, str(where), replacement)
    return ast.unparse(tree), f"#{index} line {line}: {what}"


_PYTEST = ["-x", "-q", "-p", "no:randomly"]


def _serve(timeout: float, pytest_args: list[str]) -> None:
    """Run pytest once per line read, each time in a fresh fork of this process.

    pytest and the test libraries are imported once, here; the code under test
    never is (each fork imports it, mutated, from the copy). Answers one line per
    run: the exit code, or "timeout".
    """
    import pytest  # imported before forking: the saving

    for module in ("hypothesis", "hypothesis.strategies", "attrs", "regex"):
        __import__(module)
    for _ in sys.stdin:
        child = os.fork()
        if child == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for stream in (0, 1, 2):
                os.dup2(null, stream)
            os._exit(int(pytest.main([*_PYTEST, *pytest_args])))
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                print(os.waitstatus_to_exitcode(status), flush=True)
                break
            if time.monotonic() > deadline:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                print("timeout", flush=True)
                break
            time.sleep(0.02)


def _pytest_args(args: argparse.Namespace) -> list[str]:
    return [*args.pytest_arg, *args.tests]


def _environment(copy: Path, args: argparse.Namespace) -> dict[str, str]:
    # CI=true: the tests' CI profile (hypothesis derandomized, no health check on
    # a slow machine; missing shared data fails), so a mutant is never killed by luck.
    # No bytecode cache: two mutants of one size written within a second would
    # otherwise share the first one's cached bytecode.
    return {
        "PYTHONPATH": str(copy),
        "PATH": "/usr/bin:/bin",
        "CI": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
        **({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"} if args.no_plugins else {}),
    }


def _run_tests(copy: Path, server: subprocess.Popen[str] | None, args: argparse.Namespace) -> str:
    """The exit code of the tests in `copy` as text, or "timeout"."""
    if server is not None:
        assert server.stdin is not None
        assert server.stdout is not None
        server.stdin.write("run\n")
        server.stdin.flush()
        return server.stdout.readline().strip()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", *_PYTEST, *_pytest_args(args)],
            cwd=copy,
            env=_environment(copy, args),
            capture_output=True,
            check=False,
            timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return str(result.returncode)


_Worker = tuple[Path, "subprocess.Popen[str] | None"]


def _run_one(
    workers: queue.Queue[_Worker], module: str, index: int, args: argparse.Namespace
) -> tuple[bool, str]:
    """Run the tests against one mutant in a free copy: (killed, label)."""
    copy, server = workers.get()
    try:
        # From the copy, made when the run began: edits to the tree meanwhile do not leak in.
        original = (copy / module).read_text()
        mutated, label = _apply(original, index)
        (copy / module).write_text(mutated)
        try:
            outcome = _run_tests(copy, server, args)
        finally:
            (copy / module).write_text(original)
        if outcome == "timeout":
            return True, f"{label} (timed out)"
        return outcome != "0", label
    finally:
        workers.put((copy, server))


def main() -> int:
    """Run the mutants and print the survivors and the score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="+")
    parser.add_argument("--tests", nargs="+", default=["tests"])
    parser.add_argument(
        "--pytest-arg",
        action="append",
        default=[],
        help="one more pytest argument, as --pytest-arg=--deselect=ID (repeatable)",
    )
    parser.add_argument("--sample", type=int, default=0, help="run N random mutants (0: all)")
    parser.add_argument(
        "--only", nargs="+", default=[], help="run these mutants only, as MODULE#INDEX (rerun)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per mutant")
    parser.add_argument(
        "--no-plugins",
        action="store_true",
        help="load no pytest plugins from entry points (faster, when the tests need none)",
    )
    parser.add_argument(
        "--fork",
        action="store_true",
        help="import pytest once per worker and fork it for each mutant (faster start)",
    )
    args = parser.parse_args()
    plan = []
    for module in args.modules:
        count = len(list(_mutations(ast.parse((REPO / module).read_text()))))
        plan += [(module, i) for i in range(count)]
    if args.only:
        wanted = {(name, int(index)) for name, _, index in (m.partition("#") for m in args.only)}
        plan = [step for step in plan if step in wanted]
    if args.sample:
        plan = random.Random(args.seed).sample(plan, min(args.sample, len(plan)))
    started = time.monotonic()
    survivors = []
    servers: list[subprocess.Popen[str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        workers: queue.Queue[_Worker] = queue.Queue()
        shared = REPO.parent / "shared"
        if shared.is_dir():  # the tests read their shared data from ../shared
            (Path(scratch) / "shared").symlink_to(shared)
        for n in range(max(1, args.jobs)):
            copy = Path(scratch) / f"repo{n}"
            ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*cache")
            shutil.copytree(REPO, copy, ignore=ignore)
            server = None
            if args.fork:
                server = subprocess.Popen(
                    [sys.executable, __file__, "--serve", str(args.timeout), *_pytest_args(args)],
                    cwd=copy,
                    env=_environment(copy, args),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                servers.append(server)
            workers.put((copy, server))
        try:
            # The tests must pass on the unchanged code, or every mutant would count as killed.
            copy, server = workers.get()
            baseline = _run_tests(copy, server, args)
            workers.put((copy, server))
            if baseline != "0":
                print(f"the chosen tests fail on the unchanged code ({baseline}); fix that first")
                return 1
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                futures = [
                    (module, pool.submit(_run_one, workers, module, i, args)) for module, i in plan
                ]
                for module, future in futures:
                    killed, label = future.result()
                    print(f"{'killed' if killed else 'SURVIVED'}: {module} {label}", flush=True)
                    if not killed:
                        survivors.append(f"{module} {label}")
        finally:
            for server in servers:
                assert server.stdin is not None
                server.stdin.close()
                server.wait()
    for survivor in survivors:
        print("survived:", survivor)
    total = len(plan)
    killed_count = total - len(survivors)
    print(
        f"killed {killed_count} of {total} mutants ({100 * killed_count / max(total, 1):.0f}%) "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        _serve(float(sys.argv[2]), sys.argv[3:])
        raise SystemExit(0)
    raise SystemExit(main())
