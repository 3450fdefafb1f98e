"""Locate the shared test data (`../shared` beside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["conformance_dir", "shared_dir"]


def shared_dir() -> Path:
    """Return the shared data folder, or skip (fail under CI) when it is missing.

    Returns:
        The path of `shared/` next to the repository root.
    """
    path = Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        message = (
            f"shared test data not found at {path}; it must sit beside the "
            "repository (../shared) with conformance/pact-specification inside."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def conformance_dir() -> Path:
    """Return `shared/conformance/pact-specification`, skipping/failing like `shared_dir`.

    Returns:
        The folder holding v1, v1.1, v2, v3 and v4.
    """
    path = shared_dir() / "conformance" / "pact-specification"
    if not path.is_dir():
        message = f"pact-specification test cases not found at {path}."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
