"""Find the network sockets a test session left open, for the session-end check in conftest.py."""

from __future__ import annotations

import gc
import socket
import tracemalloc
import warnings

__all__ = ["sockets_left_open"]

_NETWORK_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def _where_opened(sock: object) -> str:
    trace = tracemalloc.get_object_traceback(sock)
    if trace is None:
        return "    (run with PYTHONTRACEMALLOC=25 to see where it was opened)"
    return "\n".join(f"    {line}" for line in trace.format(limit=12))


def sockets_left_open() -> list[str]:
    """Each network socket still open, or collected unclosed now, with where it was opened."""
    found: list[str] = []
    # A socket nothing refers to any more warns when collected; collect now, inside the
    # session, rather than at interpreter exit where the warning is only printed.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    for warning in caught:
        if issubclass(warning.category, ResourceWarning) and "socket" in str(warning.message):
            found.append(f"{warning.message}\n{_where_opened(warning.source)}")
    # A socket still referred to (a module-level client's kept-alive connection, a server
    # never stopped) is found among the live objects.
    for candidate in gc.get_objects():
        if (
            isinstance(candidate, socket.socket)
            and candidate.fileno() != -1
            and candidate.family in _NETWORK_FAMILIES
        ):
            found.append(f"{candidate!r}\n{_where_opened(candidate)}")
    return found
