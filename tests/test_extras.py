"""hypothesis is the `fuzz` extra: all else works without it; fuzzing says what to install."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs `code` as if hypothesis were not installed: `import hypothesis` fails and
# importlib.util.find_spec("hypothesis") answers None, as in a plain `pip install pactdsl`.
_WITHOUT_HYPOTHESIS = "import sys\nsys.modules['hypothesis'] = None\n"


def _run_without_hypothesis(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_HYPOTHESIS + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )


def test_hypothesis_is_an_extra_not_a_dependency() -> None:
    """The default install leaves hypothesis out; the fuzz and dev extras bring it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(requirements: list[str]) -> set[str]:
        return {r.split(">")[0].split("=")[0].split("[")[0].strip() for r in requirements}

    assert "hypothesis" not in names(project["dependencies"])
    assert "hypothesis" in names(project["optional-dependencies"]["fuzz"])
    assert "hypothesis" in names(project["optional-dependencies"]["dev"])
    assert "hypothesis" not in names(project["optional-dependencies"]["cli"])


def test_respx_is_a_dependency_of_the_tests_only() -> None:
    """No install of pactdsl brings respx (its pytest plugin would load in every session)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    users = [project["dependencies"], *(extras[name] for name in extras if name != "dev")]
    assert not [r for requirements in users for r in requirements if r.startswith("respx")]
    assert [r for r in extras["dev"] if r.startswith("respx")] == ["respx>=0.22"]


_CONTRACT = """
from pactdsl import define_contract, interaction

items = define_contract(
    "items_without_hypothesis",
    consumer="shop",
    provider="items",
    interactions=[
        interaction("get item").request(method="GET", path="/items/1").responds(
            status=200, body={"id": 1}
        )
    ],
)
"""


def test_fuzzing_without_hypothesis_names_the_extra(tmp_path: Path) -> None:
    """strategies, fuzz_contract and a fuzzing mock raise MissingExtra naming pactdsl[fuzz]."""
    code = (
        _CONTRACT
        + """
import pactdsl
from pactdsl import MissingExtra, fuzz_contract, mock_provider

seen = []
for attempt in (
    lambda: __import__("pactdsl.strategies"),
    lambda: fuzz_contract(items),
    lambda: mock_provider(items, fuzz=True),
):
    try:
        attempt()
    except MissingExtra as exc:
        assert isinstance(exc, ImportError) and exc.name == "hypothesis"
        seen.append(str(exc))
for line in seen:
    print(line)
"""
    )
    result = _run_without_hypothesis(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{feature} needs hypothesis, which pactdsl installs only with its 'fuzz' extra: "
        "pip install 'pactdsl[fuzz]'"
        for feature in ("pactdsl.strategies", "fuzz_contract()", "mock_provider(fuzz=True)")
    ]


def test_the_whole_workflow_runs_without_hypothesis(tmp_path: Path) -> None:
    """Mock, pact file, verification and the pytest plugin all work with no hypothesis at all."""
    (tmp_path / "contracts.py").write_text(_CONTRACT, encoding="utf-8")
    (tmp_path / "test_consumer.py").write_text(
        textwrap.dedent(
            """
            import httpx
            import pytest

            from contracts import items


            @pytest.mark.pact(items)
            def test_gets_item(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/1").json() == {"id": 1}
            """
        ),
        encoding="utf-8",
    )
    code = """
import json
import sys

import pytest

sys.path.insert(0, ".")
# Entry points off: hypothesis' own plugin is what an environment without it lacks.
outcome = pytest.main(
    ["-q", "-p", "pactdsl.pytest_plugin", "-p", "no:cacheprovider", "--pact-dir", "pacts",
     "test_consumer.py"]
)
assert outcome == 0, outcome

from pactdsl import verify_provider


def provider(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"id": 1}']


result = verify_provider("pacts/shop-items.json", app=provider)
assert result.success, result
assert not [m for m in sys.modules if m.split(".")[0] == "hypothesis" and sys.modules[m]]
print("ok")
"""
    result = _run_without_hypothesis(code, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("ok\n")
