"""Shared test configuration: hypothesis profiles and a clean contract registry."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

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
