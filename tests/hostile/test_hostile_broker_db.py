"""A local broker database that another program holds locked: a BrokerError in bounded time.

Another process (real sqlite3) takes an exclusive lock on the file and keeps
it; the broker must give up after its busy timeout with its own error naming
the database path, never a raw ``sqlite3.OperationalError`` and never a hang.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pactdsl.broker import BrokerError, LocalBroker, describe_version, publish
from tests._broker_pacts import write_pact_file

BUSY_TIMEOUT = 0.5
BOUND = 15.0
"""Seconds within which the error must come (the busy timeout plus a loaded machine's slack)."""

_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("CREATE TABLE IF NOT EXISTS holder (x)")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@contextmanager
def _held_exclusively(path: Path) -> Iterator[None]:
    """Another process holds an exclusive lock on `path` until the block ends."""
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None
        assert holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "locked"
            yield
        finally:
            holder.stdin.close()  # the holder rolls back and exits
            holder.wait(timeout=30)


def _refused_in_time(path: Path, call: Callable[[], object]) -> BrokerError:
    started = time.monotonic()
    with pytest.raises(BrokerError) as caught:
        call()
    elapsed = time.monotonic() - started
    assert elapsed < BOUND, f"gave up only after {elapsed:.1f}s"
    error = caught.value
    assert not isinstance(error, sqlite3.Error)
    assert error.__cause__ is None  # raised `from None`: no raw SQLite traceback under it
    assert f"path={str(path)!r}" in str(error)
    assert "locked" in str(error)
    return error


def test_a_database_locked_before_first_use_is_a_broker_error(tmp_path: Path) -> None:
    """A new broker on a file another process holds exclusively fails naming the path."""
    path = tmp_path / "held.db"
    pact = write_pact_file(tmp_path, "web", "api", "/a")
    with _held_exclusively(path):
        broker = LocalBroker(path, busy_timeout=BUSY_TIMEOUT)
        _refused_in_time(path, lambda: publish(pact, "1.0", broker=broker))
    publish(pact, "1.0", broker=LocalBroker(path))  # usable once the lock is gone


@pytest.mark.parametrize("operation", ["publish", "describe"])
def test_a_broker_database_locked_while_in_use_is_a_broker_error(
    tmp_path: Path, operation: str
) -> None:
    """Writes and reads on a WAL broker file held exclusively fail naming the path, in time."""
    path = tmp_path / "broker.db"
    pact = write_pact_file(tmp_path, "web", "api", "/a")
    broker = LocalBroker(path, busy_timeout=BUSY_TIMEOUT)
    publish(pact, "1.0", broker=broker)
    calls: dict[str, Callable[[], object]] = {
        "publish": lambda: publish(pact, "2.0", broker=broker),
        "describe": lambda: describe_version("web", "1.0", broker),
    }
    with _held_exclusively(path):
        _refused_in_time(path, calls[operation])
    assert describe_version("web", "1.0", broker).version == "1.0"
