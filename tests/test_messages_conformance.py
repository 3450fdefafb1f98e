"""Run every message case of the pact-specification test suite through `match_message`."""

from __future__ import annotations

import json

import pytest

from pactdsl.matching import match_message
from tests._shared import (
    assert_conformance_verdict,
    conformance_case_params,
    conformance_dir,
    known_wrong_cases,
    load_conformance_case,
)

_VERSIONS = {"v3": "3.0.0", "v4": "4.0"}


@pytest.mark.parametrize("case_id", conformance_case_params(_VERSIONS, ("message",)))
def test_message_spec_case(case_id: str | None) -> None:
    """The verdict of `match_message` on a message case equals the case's `match`."""
    case = load_conformance_case(case_id)
    folder = str(case_id).split("/", 1)[0]
    mismatches = match_message(case["expected"], case["actual"], _VERSIONS[folder])
    assert_conformance_verdict(case, mismatches)


def test_message_cases_found() -> None:
    """Both spec versions contribute message cases, and none is listed as wrong."""
    root = conformance_dir()
    for folder in _VERSIONS:
        assert len(list((root / folder / "message").glob("*/*.json"))) >= 30, folder
    assert known_wrong_cases(("message",)) == {}


def test_message_cases_agree_with_inferred_version() -> None:
    """Without a spec version, `match_message` infers it and reaches the same verdicts."""
    root = conformance_dir()
    for folder in _VERSIONS:
        for path in sorted((root / folder / "message").glob("*/*.json")):
            case = json.loads(path.read_text("utf-8-sig"))
            assert (match_message(case["expected"], case["actual"]) == []) == case["match"], path
