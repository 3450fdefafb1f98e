"""The Pact specification version a caller names: one reader for every engine entry point."""

from __future__ import annotations

from typing import Final

__all__ = ["parse_spec_version"]

_VERSIONS: Final = {
    text: (major, minor)
    for major, minor, spellings in (
        (1, 0, ("1", "1.0", "1.0.0")),
        (1, 1, ("1.1", "1.1.0")),
        (2, 0, ("2", "2.0", "2.0.0")),
        (3, 0, ("3", "3.0", "3.0.0")),
        (4, 0, ("4", "4.0", "4.0.0")),
    )
    for text in spellings
}


def parse_spec_version(spec_version: str) -> tuple[int, int]:
    """Read "3.0.0", "3.0", "3", "V3" or "v3" as (major, minor).

    Raises:
        ValueError: Naming the value and the spellings to use instead.
    """
    text = spec_version.strip().lower().removeprefix("v")
    version = _VERSIONS.get(text)
    if version is None:
        raise ValueError(
            f"spec_version={spec_version!r} is not a Pact specification version; use "
            "one of '1.0.0', '1.1.0', '2.0.0', '3.0.0', '4.0' (or 'V1' to 'V4')."
        )
    return version
