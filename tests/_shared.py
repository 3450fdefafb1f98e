"""Locate the shared test data (`../shared` beside the repository) and its conformance cases."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest

__all__ = [
    "assert_conformance_verdict",
    "conformance_case_params",
    "conformance_dir",
    "known_wrong_cases",
    "load_conformance_case",
    "shared_dir",
    "skip_or_fail",
]

_REPO = Path(__file__).resolve().parents[1]
_SHARED = _REPO.parent / "shared"
_CONFORMANCE = _SHARED / "conformance" / "pact-specification"
_CONFORMANCE_NOTES = _REPO / "docs" / "conformance.md"
_LISTED_CASE = re.compile(r"\s*[-*]\s+`([^`]+\.json)`\s*:?\s*(.*)")


def skip_or_fail(message: str) -> NoReturn:
    """Stop a test whose data or tool is missing: fail under `CI=true`, else skip.

    Args:
        message: What is missing, where it was looked for, and how to get it.
    """
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def shared_dir() -> Path:
    """Return the shared data folder, or skip (fail under CI) when it is missing.

    Returns:
        The path of `shared/` next to the repository root.
    """
    if not _SHARED.is_dir():
        skip_or_fail(
            f"shared test data not found at {_SHARED}; it must sit beside the "
            "repository (../shared) with conformance/pact-specification inside."
        )
    return _SHARED


def conformance_dir() -> Path:
    """Return `shared/conformance/pact-specification`, skipping/failing like `shared_dir`.

    Returns:
        The folder holding v1, v1.1, v2, v3 and v4.
    """
    path = shared_dir() / "conformance" / "pact-specification"
    if not path.is_dir():
        skip_or_fail(f"pact-specification test cases not found at {path}.")
    return path


def known_wrong_cases(kinds: Collection[str] | None = None) -> dict[str, str]:
    """Read the cases listed as wrong in docs/conformance.md, with their reasons.

    Args:
        kinds: Keep only cases of these kinds (`request`, `response`, `message`,
            the second part of a case id); None keeps every listed case.

    Returns:
        Case ids such as `v3/response/body/x.json`, each with its reason.
    """
    if not _CONFORMANCE_NOTES.is_file():
        return {}
    found: dict[str, str] = {}
    for line in _CONFORMANCE_NOTES.read_text("utf-8").splitlines():
        listed = _LISTED_CASE.match(line)
        if not listed:
            continue
        case_id = listed.group(1)
        parts = case_id.split("/")
        if kinds is None or (len(parts) > 1 and parts[1] in kinds):
            found[case_id] = listed.group(2)
    return found


def conformance_case_params(versions: Iterable[str], kinds: Collection[str]) -> list[Any]:
    """Collect the case ids of some spec versions and kinds, listed wrong ones as strict xfail.

    Args:
        versions: Folders such as `v1.1` or `v4`.
        kinds: Case kinds such as `request` or `message`.

    Returns:
        One `pytest.param` per case id (`v3/request/body/x.json`); when the
        shared data is missing, a single `None` case, so that the test itself
        skips, or fails under CI, through `load_conformance_case`.
    """
    if not _CONFORMANCE.is_dir():
        return [pytest.param(None, id="shared-data-missing")]
    known_wrong = known_wrong_cases(kinds)
    params: list[Any] = []
    for folder in versions:
        for kind in kinds:
            for path in sorted((_CONFORMANCE / folder / kind).glob("*/*.json")):
                case_id = f"{folder}/{kind}/{path.parent.name}/{path.name}"
                marks = []
                if case_id in known_wrong:
                    marks.append(pytest.mark.xfail(reason=known_wrong[case_id], strict=True))
                params.append(pytest.param(case_id, id=case_id, marks=marks))
    return params


def load_conformance_case(case_id: str | None) -> dict[str, Any]:
    """Read one case collected by `conformance_case_params`.

    Args:
        case_id: The case id, or None when the data was missing at collection.

    Returns:
        The case: `match`, `comment`, `expected` and `actual`.
    """
    root = conformance_dir()
    if case_id is None:  # pragma: no cover - only when the data vanished after collection
        pytest.fail(f"conformance data missing (CI={os.environ.get('CI')!r})")
    case: dict[str, Any] = json.loads((root / case_id).read_text("utf-8-sig"))
    return case


def assert_conformance_verdict(case: Mapping[str, Any], mismatches: Sequence[object]) -> None:
    """Assert that a case's `match` is whether the engine found no mismatch.

    Args:
        case: The case, as `load_conformance_case` read it.
        mismatches: What the engine found.
    """
    assert (len(mismatches) == 0) == case["match"], (
        f"{case['comment']}: expected match={case['match']}, got mismatches "
        f"{[str(m) for m in mismatches]}"
    )
