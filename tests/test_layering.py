"""Layering: which pactdsl modules may import httpx and hypothesis, and what the engine uses.

A static scan of every ``pactdsl/**/*.py`` with `ast`: imports anywhere in a
module count (top level, inside functions, under ``TYPE_CHECKING``, relative
ones, and ``importlib.import_module`` / ``__import__`` with a literal name), so
a lazy import cannot slip past. httpx is an optional library of the in-process
mock's door only: pactdsl sends its own requests with the standard library.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "pactdsl"

HTTPX_MODULES = {"pactdsl/_mock/_httpx.py"}
HYPOTHESIS_MODULES = {
    "pactdsl/_strategies.py",
    "pactdsl/_rule_strategies.py",
    "pactdsl/_fuzz.py",
    "pactdsl/_fuzz_responder.py",
}

# What the matching engine may use from the rest of pactdsl: pure helpers only.
ENGINE_PACKAGE = "pactdsl.matching"
ENGINE_HELPERS = {
    "pactdsl._javatime",
    "pactdsl._limits",
    "pactdsl._regex",
    "pactdsl._rule",
    "pactdsl._rulepath",
}
# Top-level modules that would mean I/O, threads or a foreign library in the engine.
ENGINE_FORBIDDEN = {
    "_thread",
    "asyncio",
    "concurrent",
    "filelock",
    "glob",
    "http",
    "httpcore",
    "httpx",
    "hypothesis",
    "io",
    "multiprocessing",
    "os",
    "pathlib",
    "respx",
    "selectors",
    "shutil",
    "socket",
    "sqlite3",
    "subprocess",
    "tempfile",
    "threading",
}


def _module_name(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module name that `source` (the module named `module`) imports, in any form.

    ``from a import b`` yields both ``a`` and ``a.b`` (``b`` may be a submodule);
    relative imports are resolved against `module`.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def package_imports() -> Iterator[tuple[str, set[str]]]:
    """(path relative to the repo, imported module names) for every pactdsl module."""
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR.parent).as_posix()
        yield (
            relative,
            imported_modules(
                path.read_text(encoding="utf-8"),
                _module_name(relative),
                is_package=path.name == "__init__.py",
            ),
        )


def _importers(top_level: str) -> set[str]:
    return {
        path
        for path, names in package_imports()
        if any(name.split(".")[0] == top_level for name in names)
    }


def test_scanner_finds_lazy_relative_and_dynamic_imports() -> None:
    """The scan sees imports inside functions, relative ones and import_module calls."""
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import respx\n"
        "def late():\n"
        "    import httpx._client\n"
        "    from .._javatime import check_java_format\n"
        "    from . import _rules\n"
        "    return importlib.import_module('hypothesis.strategies'), __import__('socket')\n"
    )
    found = imported_modules(source, "pactdsl.matching._json")
    assert {"respx", "httpx._client", "hypothesis.strategies", "socket"} <= found
    assert "pactdsl._javatime.check_java_format" in found
    assert "pactdsl.matching._rules" in found
    assert imported_modules("from . import _json", "pactdsl.matching", is_package=True) >= {
        "pactdsl.matching._json"
    }


def test_scan_covers_the_whole_package() -> None:
    """The scan reads every room, so an empty or partial walk cannot pass the checks below."""
    paths = {path for path, _ in package_imports()}
    for expected in (
        "pactdsl/__init__.py",
        "pactdsl/_http.py",
        "pactdsl/_mock/_httpx.py",
        "pactdsl/_verify/_verifier.py",
        "pactdsl/broker/_pact_broker.py",
        "pactdsl/matching/__init__.py",
        "pactdsl/strategies.py",
    ):
        assert expected in paths


def test_only_the_mock_door_imports_httpx() -> None:
    """Only pactdsl/_mock/_httpx.py imports httpx, in any form; none imports httpcore."""
    assert _importers("httpx") == HTTPX_MODULES
    assert _importers("httpcore") == set()


def test_no_module_imports_respx() -> None:
    """No pactdsl module imports respx: it is a dependency of the tests only."""
    assert _importers("respx") == set()


def test_only_strategies_and_the_fuzzing_door_import_hypothesis() -> None:
    """Only the strategies (implementation and rule walker) and the fuzzing modules import it.

    The public door, pactdsl.strategies, reaches hypothesis through them.
    """
    assert _importers("hypothesis") == HYPOTHESIS_MODULES


def _engine_imports() -> dict[str, set[str]]:
    return {
        path: names for path, names in package_imports() if path.startswith("pactdsl/matching/")
    }


def test_matching_engine_uses_nothing_of_pactdsl_but_itself_and_pure_helpers() -> None:
    """pactdsl/matching/ imports from pactdsl only pactdsl.matching and the pure helpers."""
    engine = _engine_imports()
    assert engine, "no module found under pactdsl/matching/"
    outside = {
        path: sorted(
            name
            for name in names
            if name.split(".")[0] == "pactdsl"
            and not (name == ENGINE_PACKAGE or name.startswith(ENGINE_PACKAGE + "."))
            and ".".join(name.split(".")[:2]) not in ENGINE_HELPERS
        )
        for path, names in engine.items()
    }
    assert {path: names for path, names in outside.items() if names} == {}
    # Today the engine reaches every helper: Java date/time formats, the bounded
    # regex match, the rule model and the rule-path grammar it shares with the
    # rest of pactdsl, directly or through another helper (the limits in force).
    helpers = dict(package_imports())
    reached = [*engine.values(), *(helpers[h.replace(".", "/") + ".py"] for h in ENGINE_HELPERS)]
    for helper in ENGINE_HELPERS:
        assert any(helper in names for names in reached), helper


@pytest.mark.parametrize("helper", sorted(ENGINE_HELPERS))
def test_engine_helpers_stay_pure_too(helper: str) -> None:
    """The helpers the engine may use import only each other of pactdsl, and no I/O module."""
    relative = helper.replace(".", "/") + ".py"
    names = dict(package_imports())[relative]
    ours = {".".join(n.split(".")[:2]) for n in names if n.split(".")[0] == "pactdsl"}
    assert ours <= ENGINE_HELPERS - {helper}
    assert not {n for n in names if n.split(".")[0] in ENGINE_FORBIDDEN}


def test_matching_engine_does_no_io_and_starts_no_threads() -> None:
    """No engine module imports an I/O, thread or HTTP module, nor calls open()."""
    forbidden = {
        path: sorted(n for n in names if n.split(".")[0] in ENGINE_FORBIDDEN)
        for path, names in _engine_imports().items()
    }
    assert {path: names for path, names in forbidden.items() if names} == {}
    opens = [
        path
        for path in sorted((PACKAGE_DIR / "matching").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open"
    ]
    assert opens == []


def _passes_in_a_fresh_interpreter(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_broker_and_demo_load_their_http_client_only_when_asked_and_never_httpx() -> None:
    """The broker and demo modules load no HTTP client; a PactBrokerClient loads ours, no httpx."""
    code = (
        "import sys, pactdsl, pactdsl.broker, pactdsl._demo\n"
        "assert 'pactdsl._http_client' not in sys.modules, 'imports loaded the client'\n"
        "pactdsl.broker.PactBrokerClient('http://127.0.0.1:1').close()\n"
        "assert 'pactdsl._http_client' in sys.modules, 'the guard above would pass vacuously'\n"
        "httpx = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore'))\n"
        "assert not httpx, f'the broker client loaded {httpx[:3]}'\n"
    )
    _passes_in_a_fresh_interpreter(code)


def test_mock_core_loads_no_httpx() -> None:
    """Importing the mock's core (and the mock package) loads no httpx; its in-process door does."""
    code = (
        "import sys, pactdsl._mock._core, pactdsl._mock\n"
        "early = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore'))\n"
        "assert not early, f'the mock core loaded {early[:3]}'\n"
        "import pactdsl._mock._httpx\n"
        "assert 'httpx' in sys.modules, 'the guard above would pass vacuously'\n"
    )
    _passes_in_a_fresh_interpreter(code)


def _module_graph() -> dict[str, set[str]]:
    """Each pactdsl module and the pactdsl modules it imports (in any form, anywhere)."""
    modules = {_module_name(path) for path, _ in package_imports()}
    return {
        _module_name(path): {name for name in names if name in modules} - {_module_name(path)}
        for path, names in package_imports()
    }


def import_circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.add(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


# Circles left for later steps of issue 15 (none now); any other circle fails the test.
KNOWN_CIRCLES: set[frozenset[str]] = set()


def test_the_circle_finder_sees_function_level_imports() -> None:
    """A circle closed only by an import inside a function is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_circles(graph) == {frozenset({"a", "b", "c"})}
    source = "def late():\n    from pactdsl import _rule\n"
    assert "pactdsl._rule" in imported_modules(source, "pactdsl._matchers")


def test_no_import_circles_in_the_package() -> None:
    """No pactdsl modules import each other in a circle, counting imports inside functions."""
    new = {circle for circle in import_circles(_module_graph()) if circle not in KNOWN_CIRCLES}
    assert new == set(), sorted(sorted(circle) for circle in new)


MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 120


def test_no_module_or_function_is_too_large_to_live_in() -> None:
    """No pactdsl module is over 700 lines and no function over 120 (issue 15's rooms)."""
    too_large = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(PACKAGE_DIR.parent).as_posix()
        lines = source.count("\n")
        if lines > MAX_MODULE_LINES:
            too_large.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_large.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert too_large == []
