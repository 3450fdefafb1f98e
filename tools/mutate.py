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
import queue
import random
import shutil
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


def _run_one(
    copies: queue.Queue[Path], module: str, index: int, tests: list[str], args: argparse.Namespace
) -> tuple[bool, str]:
    """Run the tests against one mutant in a free copy: (killed, label)."""
    copy = copies.get()
    try:
        # From the copy, made when the run began: edits to the tree meanwhile do not leak in.
        original = (copy / module).read_text()
        mutated, label = _apply(original, index)
        (copy / module).write_text(mutated)
        try:
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *tests],
                cwd=copy,
                env={
                    "PYTHONPATH": str(copy),
                    "PATH": "/usr/bin:/bin",
                    **({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"} if args.no_plugins else {}),
                },
                capture_output=True,
                check=False,
                timeout=args.timeout,
            )
            killed = result.returncode != 0
        except subprocess.TimeoutExpired:
            killed, label = True, f"{label} (timed out)"
        finally:
            (copy / module).write_text(original)
        return killed, label
    finally:
        copies.put(copy)


def main() -> int:
    """Run the mutants and print the survivors and the score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="+")
    parser.add_argument("--tests", nargs="+", default=["tests"])
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
    with tempfile.TemporaryDirectory() as scratch:
        copies: queue.Queue[Path] = queue.Queue()
        for n in range(max(1, args.jobs)):
            copy = Path(scratch) / f"repo{n}"
            ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*cache")
            shutil.copytree(REPO, copy, ignore=ignore)
            copies.put(copy)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [
                (module, pool.submit(_run_one, copies, module, i, args.tests, args))
                for module, i in plan
            ]
            for module, future in futures:
                killed, label = future.result()
                print(f"{'killed' if killed else 'SURVIVED'}: {module} {label}", flush=True)
                if not killed:
                    survivors.append(f"{module} {label}")
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
    raise SystemExit(main())
