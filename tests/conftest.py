"""Shared test configuration: hypothesis profiles, a clean registry, a route-table provider."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from tests.test_verify import RunningProvider

# CI runs a fixed number of examples with a fixed seed, so a red build is
# reproducible; locally hypothesis explores freely.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(scope="session", autouse=True)
def no_socket_left_open() -> Iterator[None]:
    """Fail the session (each xdist worker's) if its tests leave a network socket open."""
    yield
    # Session fixtures are torn down last, after every other fixture has closed its own.
    from tests._socket_leaks import sockets_left_open

    left_open = sockets_left_open()
    if left_open:
        listing = "\n".join(left_open)
        pytest.fail(
            f"{len(left_open)} network socket(s) left open when the tests ended; "
            f"close each in the test or code that opened it:\n{listing}",
            pytrace=False,
        )


@pytest.fixture
def clean_registry() -> Iterator[None]:
    """Run a test with an empty contract registry and restore it afterwards."""
    from pactdsl import _dsl

    saved = dict(_dsl._REGISTRY)
    _dsl._REGISTRY.clear()
    try:
        yield
    finally:
        _dsl._REGISTRY.clear()
        _dsl._REGISTRY.update(saved)


@pytest.fixture
def provider() -> Iterator[RunningProvider]:
    """A real provider on 127.0.0.1 (port 0) answering each path from its `routes` table."""
    from tests.test_interop_pact_js import RoutesBehaviour
    from tests.test_verify import RunningProvider

    running = RunningProvider(RoutesBehaviour({}))
    try:
        yield running
    finally:
        running.stop()
