"""examples/openapi_fastapi runs as docs/openapi.md shows it, outputs and all.

The page's FastAPI walk-through is run for real in a copy of the example
folder: each `$ command` of its console blocks, in order, whose printed output
must be what the page shows. Its code blocks are the example's files, and its
JSON block is what FastAPI generates.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_docs_code import python_blocks
from tests.test_examples import _load, _plugin_args

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "openapi_fastapi"
PAGE = ROOT / "docs" / "openapi.md"
HEADING = "## A FastAPI provider, step by step"
DRIFTED_CHECK = "pactdsl check-openapi drifted_contract:drifted_pets_contract openapi.json"
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)
JSON_BLOCK = re.compile(r"^```json\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    _, heading, rest = text.partition(f"\n{HEADING}\n")
    assert heading, f"docs/openapi.md needs the section '{HEADING}'"
    return rest.split("\n## ", 1)[0]


def shown_commands(section: str) -> list[tuple[str, list[str]]]:
    """Each `$ command` of the section's console blocks, with the output lines shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for block in CONSOLE.findall(section):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
    return steps


def _argv(command: str) -> list[str]:
    program, *args = command.split()
    if program == "python":
        return [sys.executable, *args]
    if program == "pactdsl":
        return [sys.executable, "-m", "pactdsl", *args]
    assert program == "pytest", f"the walk-through runs python, pactdsl and pytest, not {command!r}"
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *_plugin_args(), *args]


def test_the_walk_through_prints_what_the_page_shows(tmp_path: Path) -> None:
    """Every command of the page exits as the page says and prints the lines the page shows."""
    folder = tmp_path / EXAMPLE.name
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__", "pacts"))
    steps = shown_commands(_section())
    assert [command for command, _ in steps] == [
        "cd examples/openapi_fastapi",
        "python export_openapi.py openapi.json",
        DRIFTED_CHECK,
        "pytest --pact-dir pacts",
        "pactdsl check-openapi pacts/shop-pets.json openapi.json",
    ]
    for command, shown in steps[1:]:
        done = subprocess.run(
            _argv(command),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=folder,
        )
        printed = done.stdout.splitlines()
        assert done.returncode == (1 if command == DRIFTED_CHECK else 0), (
            f"$ {command}\n{done.stdout}{done.stderr}"
        )
        if command.startswith("pytest"):
            assert [line for line in shown if line not in printed] == [], done.stdout
        else:
            assert printed == shown, f"$ {command} printed:\n{done.stdout}"


def test_the_page_shows_the_example_files_and_the_generated_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page's Python blocks are the app and the drifted contract; its JSON is FastAPI's Pet."""
    section = _section()
    blocks = [code.strip() for _, code in python_blocks(section)]
    for name in ("pets_api.py", "drifted_contract.py"):
        assert (EXAMPLE / name).read_text(encoding="utf-8").strip() in blocks, name
    (pets_api,) = _load(monkeypatch, EXAMPLE.name, "pets_api")
    (shown,) = JSON_BLOCK.findall(section)
    assert json.loads(shown) == pets_api.app.openapi()["components"]["schemas"]["Pet"]


def test_the_readme_lists_the_commands_of_the_page() -> None:
    """examples/openapi_fastapi/README.md gives each command the page runs."""
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    missing = [command for command, _ in shown_commands(_section())[1:] if command not in readme]
    assert missing == []
