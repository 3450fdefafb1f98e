"""The installed pactdsl version, read once from the package metadata."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

__all__ = ["version"]


@functools.cache
def version() -> str:
    """The version of the installed distribution ("0+unknown" when not installed)."""
    try:
        return _dist_version("pactdsl")
    except PackageNotFoundError:
        return "0+unknown"
