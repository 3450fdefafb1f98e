"""Every Python code block in README.md and docs/*.md runs.

Conventions (for whoever writes docs):

- Blocks fenced as ```python (or ```py) run; ```bash, ```console, ```shell,
  ```text, ```json and the like are shown, never run.
- The blocks of one page run in order in one shared namespace, like a doctest
  session: a later block may use what an earlier one defined. Each page starts
  afresh, in its own empty temporary folder as the current directory, with an
  empty contract registry.
- A Python block opts out only with a visible title: ```python title="not run"
  (rendered as the block's caption). Keep opt-outs rare: a block that cannot
  run is one that can go stale.
- docs/matchers.md has a table row naming every factory of `pactdsl.match`
  (before its "## Generators" heading) and of `pactdsl.generate` (after it),
  written as `` `name(...)` ``.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

import pactdsl
from pactdsl import generate, match

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^\n`]*)$")
PYTHON_LANGUAGES = {"python", "py", "python3"}
OPT_OUT = 'title="not run"'


def python_blocks(text: str) -> list[tuple[int, str]]:
    """The runnable Python blocks of a Markdown text, as (first line number, code)."""
    blocks: list[tuple[int, str]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if not opened:
            index += 1
            continue
        fence, info = opened["fence"], opened["info"].strip()
        indent = len(opened["indent"])
        start = index + 1
        index = start
        while index < len(lines) and not lines[index].strip().startswith(fence):
            index += 1
        body = "\n".join(line[indent:] for line in lines[start:index])
        index += 1
        language = info.split()[0].lower() if info else ""
        if language in PYTHON_LANGUAGES and OPT_OUT not in info:
            blocks.append((start + 1, body))
    return blocks


def test_block_finder_skips_shell_and_opt_outs() -> None:
    """The finder returns python blocks only, skipping shell blocks and titled opt-outs."""
    text = (
        "```python\nx = 1\n```\n"
        "```console\n$ pactdsl demo\n```\n"
        '```python title="not run"\nimport missing\n```\n'
        "```bash\nls\n```\n"
        "```py\ny = 2\n```\n"
    )
    assert python_blocks(text) == [(2, "x = 1"), (14, "y = 2")]


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_page_code_runs(
    page: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_registry: None,
    request: pytest.FixtureRequest,
) -> None:
    """The page's Python blocks run in order, sharing one namespace, in an empty folder."""
    if not request.config.pluginmanager.hasplugin("pactdsl"):
        # Until the pytest11 entry point is installed, register the marker the
        # pytest page uses so `pytest.mark.pact` does not warn.
        request.config.addinivalue_line("markers", "pact: pactdsl contract marker")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    monkeypatch.setenv("PACTDSL_BROKER_DB", str(tmp_path / ".pactdsl" / "broker.db"))
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for line, code in python_blocks(page.read_text(encoding="utf-8")):
        compiled = compile(code, f"{page.relative_to(ROOT)}:{line}", "exec")
        try:
            exec(compiled, namespace)
        except Exception as error:
            error.add_note(f"in the Python block at {page.relative_to(ROOT)} line {line}")
            raise


BROKER_PAGES = [page for page in PAGES if "LocalBroker(" in page.read_text(encoding="utf-8")]


@pytest.mark.parametrize(
    "page", BROKER_PAGES, ids=[p.relative_to(ROOT).as_posix() for p in BROKER_PAGES]
)
def test_pages_with_a_local_broker_run_again_in_the_same_folder(
    page: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_registry: None,
    request: pytest.FixtureRequest,
) -> None:
    """A page that opens a local broker runs a second time where it ran (the reader's retry)."""
    from pactdsl import _dsl

    for _ in range(2):
        _dsl._REGISTRY.clear()
        test_page_code_runs(page, tmp_path, monkeypatch, clean_registry, request)


def test_the_pipeline_creates_the_environment_before_recording_deployments() -> None:
    """docs/cli.md's CI pipeline runs create-environment before any record-deployment."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    pipeline = text[text.index("A typical pipeline:") :]
    assert 0 <= pipeline.find("pactdsl create-environment") < pipeline.find("record-deployment")


def test_the_glossary_defines_the_broker_words() -> None:
    """docs/glossary.md defines each word the broker pages use, and the site lists it."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    words = [
        "Pacticipant",
        "Matrix",
        "Consumer version selectors",
        "deployedOrReleased",
        "Pending pact",
        "WIP (work-in-progress) pacts",
        "Application instance",
    ]
    assert [w for w in words if f"**{w}**" not in text] == []
    assert "glossary.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def public_factories(module: ModuleType) -> list[str]:
    """The functions a public module exports in ``__all__`` (classes and constants left out)."""
    return [name for name in module.__all__ if inspect.isfunction(getattr(module, name))]


def table_rows(markdown: str) -> str:
    """The lines of a Markdown text that are table rows."""
    return "\n".join(line for line in markdown.splitlines() if line.startswith("|"))


def test_matchers_page_tabulates_every_factory() -> None:
    """docs/matchers.md has a table row for every factory of pactdsl.match and pactdsl.generate."""
    text = (ROOT / "docs" / "matchers.md").read_text(encoding="utf-8")
    matchers_part, heading, generators_part = text.partition("\n## Generators\n")
    assert heading, "docs/matchers.md needs a '## Generators' section"
    matchers, generators = public_factories(match), public_factories(generate)
    assert {"like", "each_like", "status_code"} <= set(matchers)
    assert {"uuid", "provider_state", "mock_server_url"} <= set(generators)
    missing = [
        f"pactdsl.match.{name}" for name in matchers if f"`{name}(" not in table_rows(matchers_part)
    ] + [
        f"pactdsl.generate.{name}"
        for name in generators
        if f"`{name}(" not in table_rows(generators_part)
    ]
    assert not missing, f"add a table row to docs/matchers.md for: {', '.join(missing)}"


INTERNAL_PAGES = {"architecture.md", "conformance.md", "benchmarks.md"}
JARGON = re.compile(r"\bthe seed\b|\bseed's\b", re.IGNORECASE)


def test_user_facing_text_avoids_internal_jargon() -> None:
    """README, the user guide pages and every command's --help never say "the seed"."""
    from click.testing import CliRunner

    from pactdsl._cli import build_cli

    texts = {
        page.relative_to(ROOT).as_posix(): page.read_text(encoding="utf-8")
        for page in PAGES
        if page.name not in INTERNAL_PAGES
    }
    group = build_cli()
    for name in group.commands:
        result = CliRunner().invoke(group, [name, "--help"])
        texts[f"pactdsl {name} --help"] = result.output
    found = [where for where, text in texts.items() if JARGON.search(text)]
    assert not found, f"internal jargon ('the seed') in: {found}"


INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
DOTTED_PACTDSL = re.compile(r"\bpactdsl(?:\.[A-Za-z_]\w*)+")
CALLED = re.compile(r"(?<![.\w])([A-Za-z_]\w*)\s*\(")
STRINGS = re.compile(r"""[rbf]?"[^"]*"|[rbf]?'[^']*'""")
CAPITALISED = re.compile(r"(?<![.\w])([A-Z][A-Za-z0-9_]*)\b(?!\s*=)")


def _resolves(dotted: str) -> bool:
    """Whether ``pactdsl.a.b`` imports (each part a module or an attribute of the last)."""
    import importlib

    parts = dotted.split(".")
    found: object = importlib.import_module(parts[0])
    for number, part in enumerate(parts[1:], 2):
        try:
            found = importlib.import_module(".".join(parts[:number]))
        except ImportError:
            if not hasattr(found, part):
                return False
            found = getattr(found, part)
    return True


def _pactdsl_name(name: str) -> bool:
    """Whether `name` is a public name of pactdsl, pactdsl.match or pactdsl.generate."""
    return any(hasattr(module, name) for module in (pactdsl, match, generate))


def _inline_spans(text: str) -> list[str]:
    """The inline code spans of a Markdown text, fenced blocks left out."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return INLINE_CODE.findall(prose)


def test_every_name_the_docs_mention_imports() -> None:
    """Each ``pactdsl.x`` the docs name imports, and so does each name in pactdsl's calls."""
    missing = []
    for page in PAGES:
        where = page.relative_to(ROOT).as_posix()
        for span in _inline_spans(page.read_text(encoding="utf-8")):
            missing += [f"{where}: {d}" for d in DOTTED_PACTDSL.findall(span) if not _resolves(d)]
            code = STRINGS.sub('""', span)  # names inside string literals are examples
            called = CALLED.findall(code)
            if not called or not _pactdsl_name(called[0]):
                continue  # not a call of pactdsl's: a pact-python, stdlib or shell name
            names = called + CAPITALISED.findall(code)
            builtin = {"True", "False", "None"}
            missing += [
                f"{where}: {name} in `{span}`"
                for name in names
                if name not in builtin and not _pactdsl_name(name)
            ]
    assert not missing, "the docs name what does not exist: " + "; ".join(missing)
