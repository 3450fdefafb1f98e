"""Hostile names and interrupted writers against the pact store."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pactdsl import Pact, PactFileError, generate_pact, load_pact
from pactdsl._pactfile._store import _temp_prefix
from tests.hostile._hostile import ROOT


def test_two_non_ascii_consumers_keep_two_files(tmp_path: Path) -> None:
    """Names that differ only outside ASCII used to merge under the first one's name."""
    first = generate_pact(Pact("מזמין", "api"), output=tmp_path)
    second = generate_pact(Pact("注文者", "api"), output=tmp_path)
    assert first != second
    assert {load_pact(first).consumer, load_pact(second).consumer} == {"מזמין", "注文者"}


def test_a_name_too_long_for_the_file_system_is_shortened(tmp_path: Path) -> None:
    """A 1,000-character consumer name writes a file (no ENAMETOOLONG), distinct per name."""
    one = generate_pact(Pact("a" * 1000, "api"), output=tmp_path)
    two = generate_pact(Pact("a" * 999 + "b", "api"), output=tmp_path)
    assert one != two
    assert load_pact(one).consumer == "a" * 1000


def test_a_writer_killed_mid_write_leaves_nothing_after_the_next_write(tmp_path: Path) -> None:
    """SIGKILL a process writing big pacts in a loop; the next write removes its temp files."""
    writer = (
        "import sys\n"
        "from pactdsl import Pact, generate_pact, interaction, define_contract\n"
        "body = {'items': ['x' * 100] * 20000}\n"
        "contract = define_contract('killed', consumer='victim', provider='api', interactions=[\n"
        "    interaction('big').request(method='GET', path='/').responds(status=200, body=body)])\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    generate_pact(contract, output=sys.argv[1], mode='overwrite')\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", writer, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    target = tmp_path / "victim-api.json"
    # Plant one more, as if the kill had landed inside the write, so the check can fail.
    (tmp_path / f"{_temp_prefix(target)}0000.tmp").write_text("{half")
    generate_pact(Pact("victim", "api"), output=tmp_path, mode="overwrite")
    assert not list(tmp_path.glob(".pact-*.tmp"))
    assert json.loads(target.read_text())["consumer"]["name"] == "victim"


def test_writing_into_a_file_instead_of_a_folder_is_a_pact_file_error(tmp_path: Path) -> None:
    """Every write error is a PactFileError naming the path, not a raw OSError."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(PactFileError, match="not-a-folder"):
        generate_pact(Pact("c", "p"), output=blocker)
