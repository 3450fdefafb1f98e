"""The session-end check in conftest.py fails a run whose tests leave a network socket open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]

_LEAKING_TESTS = """
import gc
import socket

KEPT = []


def test_keeps_a_bound_socket_in_a_module_global():
    KEPT.append(socket.socket())
    KEPT[-1].bind(("127.0.0.1", 0))


def test_drops_a_socket_inside_a_reference_cycle():
    gc.disable()  # only the session-end check collects the cycle
    cycle = {"socket": socket.socket()}
    cycle["self"] = cycle
"""

_CLEAN_TESTS = """
import socket


def test_closes_its_socket():
    with socket.socket() as opened:
        opened.bind(("127.0.0.1", 0))
"""


def _run_with_the_check(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sockets.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(_ROOT)},
    )


def test_a_socket_left_open_fails_the_session_naming_it(tmp_path: Path) -> None:
    """A socket kept in a global and one dropped in a cycle both fail the run, each named."""
    done = _run_with_the_check(tmp_path, _LEAKING_TESTS)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 network socket(s) left open when the tests ended" in done.stdout
    assert "unclosed <socket.socket" in done.stdout  # the one collected in the cycle
    assert "laddr=('127.0.0.1'" in done.stdout  # the bound one still in the global


def test_closed_sockets_pass_the_session_end_check(tmp_path: Path) -> None:
    """A session whose tests close their sockets passes the check."""
    done = _run_with_the_check(tmp_path, _CLEAN_TESTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
