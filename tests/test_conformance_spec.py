"""Run every request and response case of the pact-specification test suite."""

from __future__ import annotations

import pytest

from pactdsl.matching import match_request, match_response
from tests._shared import (
    assert_conformance_verdict,
    conformance_case_params,
    conformance_dir,
    known_wrong_cases,
    load_conformance_case,
)

_VERSIONS = {"v1": "1.0.0", "v1.1": "1.1.0", "v2": "2.0.0", "v3": "3.0.0", "v4": "4.0"}


@pytest.mark.parametrize("case_id", conformance_case_params(_VERSIONS, ("request", "response")))
def test_spec_case(case_id: str | None) -> None:
    """The engine's verdict on a pact-specification case equals the case's `match`."""
    case = load_conformance_case(case_id)
    folder, kind, _ = str(case_id).split("/", 2)
    matcher = match_request if kind == "request" else match_response
    mismatches = matcher(case["expected"], case["actual"], _VERSIONS[folder])
    assert_conformance_verdict(case, mismatches)


def test_listed_wrong_cases_exist() -> None:
    """Every case listed as wrong in docs/conformance.md names a real case file."""
    root = conformance_dir()
    known_wrong = known_wrong_cases()
    assert len(known_wrong) <= 5
    for case_id in known_wrong:
        assert (root / case_id).is_file(), case_id
