"""The corpus of OpenAPI cases: each a document, a pact, the verdict and every issue.

Cases are data (``cases/*.yaml``, documents in ``specs/``): each lists the
interactions of a V3 pact, whether the check passes, and each issue as
[severity, code, pact path, document pointer] in report order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pactdsl.openapi import check_openapi

HERE = Path(__file__).parent


def _cases() -> list[Any]:
    found = []
    for file in sorted((HERE / "cases").glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for case in data["cases"]:
            found.append(pytest.param(data["spec"], case, id=f"{file.stem}: {case['name']}"))
    return found


CASES = _cases()


def _pact(interactions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "consumer": {"name": "shop"},
        "provider": {"name": "pets"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def test_the_corpus_covers_three_versions_with_enough_cases() -> None:
    """At least 20 cases, with OpenAPI 3.0, 3.1 and Swagger 2.0 each among them."""
    specs = {param.values[0] for param in CASES}
    assert len(CASES) >= 20
    assert {"pets-3.0.yaml", "pets-3.1.yaml", "pets-2.0.yaml"} <= specs


@pytest.mark.parametrize(("spec", "case"), CASES)
def test_case(spec: str, case: dict[str, Any]) -> None:
    """The check gives the case's verdict and exactly its issues, in order."""
    result = check_openapi(_pact(case["interactions"]), HERE / "specs" / spec)
    found = [[i.severity, i.code, i.pact_path, i.spec_pointer] for i in result.issues]
    assert found == case["issues"], result.report()
    assert result.ok is case["ok"]
    assert all(i.message for i in result.issues)
