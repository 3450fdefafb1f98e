"""Run every message case of the pact-specification test suite through `match_message`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pactdsl.matching import match_message
from tests._shared import conformance_dir

_VERSIONS = {"v3": "3.0.0", "v4": "4.0"}
_DOCS = Path(__file__).resolve().parents[1] / "docs" / "conformance.md"


def _known_wrong() -> dict[str, str]:
    """Read the message cases listed as wrong in docs/conformance.md, with their reasons."""
    if not _DOCS.is_file():
        return {}
    found: dict[str, str] = {}
    for line in _DOCS.read_text("utf-8").splitlines():
        listed = re.match(r"\s*[-*]\s+`(v\d/message/[^`]+\.json)`\s*:?\s*(.*)", line)
        if listed:
            found[listed.group(1)] = listed.group(2)
    return found


def _case_ids() -> list[Any]:
    root = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
    root = root / "pact-specification"
    if not root.is_dir():
        # Collected as one case so the test itself skips, or fails under CI.
        return [pytest.param(None, id="shared-data-missing")]
    known_wrong = _known_wrong()
    params: list[Any] = []
    for folder in _VERSIONS:
        for path in sorted((root / folder / "message").glob("*/*.json")):
            case_id = f"{folder}/message/{path.parent.name}/{path.name}"
            marks = []
            if case_id in known_wrong:
                marks.append(pytest.mark.xfail(reason=known_wrong[case_id], strict=True))
            params.append(pytest.param(case_id, id=case_id, marks=marks))
    return params


@pytest.mark.parametrize("case_id", _case_ids())
def test_message_spec_case(case_id: str | None) -> None:
    """The verdict of `match_message` on a message case equals the case's `match`."""
    root = conformance_dir()
    if case_id is None:  # pragma: no cover - only when the data vanished after collection
        pytest.fail(f"conformance data missing (CI={os.environ.get('CI')!r})")
    folder = case_id.split("/", 1)[0]
    case = json.loads((root / case_id).read_text("utf-8-sig"))
    mismatches = match_message(case["expected"], case["actual"], _VERSIONS[folder])
    assert (mismatches == []) == case["match"], (
        f"{case['comment']}: expected match={case['match']}, got mismatches "
        f"{[str(m) for m in mismatches]}"
    )


def test_message_cases_found() -> None:
    """Both spec versions contribute message cases, and none is listed as wrong."""
    root = conformance_dir()
    for folder in _VERSIONS:
        assert len(list((root / folder / "message").glob("*/*.json"))) >= 30, folder
    assert _known_wrong() == {}


def test_message_cases_agree_with_inferred_version() -> None:
    """Without a spec version, `match_message` infers it and reaches the same verdicts."""
    root = conformance_dir()
    for folder in _VERSIONS:
        for path in sorted((root / folder / "message").glob("*/*.json")):
            case = json.loads(path.read_text("utf-8-sig"))
            assert (match_message(case["expected"], case["actual"]) == []) == case["match"], path
