"""The port-mock soak script runs end to end (briefly) with exact bookkeeping."""

from __future__ import annotations

import subprocess
import sys

from tests.hostile._hostile import ROOT


def test_the_soak_script_counts_every_request_and_keeps_only_the_cap() -> None:
    """Two seconds of soak: the script's own check (count equals sent, no errors) passes."""
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "soak_mock.py"), "--seconds", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "requests/s:" in completed.stdout
    assert "kept: " in completed.stdout
