"""The docs site: `mkdocs build --strict` fails on a broken link or a page left out of the nav.

CI builds the real site (`.ci/run`); here a copy of the docs is built twice: as
it is (with a one-module API reference, to stay fast), then broken.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 300


def _build(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` on the site in `folder`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(folder / "site")],
        cwd=folder,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_every_page_is_in_the_nav() -> None:
    """The nav of mkdocs.yml lists every Markdown page of docs/, and nothing else."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    listed = {page for entry in config["nav"] for page in entry.values()}
    assert listed == {path.name for path in (ROOT / "docs").glob("*.md")}


def test_strict_build_fails_on_a_broken_link_and_a_page_outside_the_nav(tmp_path: Path) -> None:
    """The copy builds; with a dead link, a dead anchor and an orphan page it fails, naming each."""
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    (tmp_path / "docs" / "reference.md").write_text("# API reference\n\n::: pactdsl.generate\n")
    built = _build(tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "mock" / "index.html").is_file()

    with (tmp_path / "docs" / "index.md").open("a") as page:
        page.write("\nSee [the gone page](no-such-page.md) and [HTTPS](mock.md#no-such-anchor).\n")
    (tmp_path / "docs" / "orphan.md").write_text("# Not in the nav\n")
    broken = _build(tmp_path)
    assert broken.returncode == 1
    warnings = [line for line in broken.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [
        "WARNING -  The following pages exist in the docs directory, but are not included in "
        'the "nav" configuration:',
        "WARNING -  Doc file 'index.md' contains a link 'no-such-page.md', but the target is "
        "not found among documentation files.",
        "WARNING -  Doc file 'index.md' contains a link 'mock.md#no-such-anchor', but the doc "
        "'mock.md' does not contain an anchor '#no-such-anchor'.",
    ]
    assert "  - orphan.md" in broken.stderr
