"""The corpus of OpenAPI cases: each a document, a pact, the verdict and every issue.

Cases are data (``cases/*.yaml``, documents in ``specs/``): each lists the
interactions of a V3 pact, whether the check passes, and each issue as
[severity, code, pact path, document pointer] in report order.
"""

from __future__ import annotations

from collections import Counter
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


def _version(spec: str) -> str:
    document = yaml.safe_load((HERE / "specs" / spec).read_text(encoding="utf-8"))
    return str(document.get("openapi", document.get("swagger")))[:3]


def test_the_corpus_covers_three_versions_with_enough_cases() -> None:
    """At least 60 cases, 15 or more each for OpenAPI 3.0, 3.1 and Swagger 2.0."""
    per_version = Counter(_version(param.values[0]) for param in CASES)
    assert len(CASES) >= 60
    assert min(per_version[v] for v in ("3.0", "3.1", "2.0")) >= 15, per_version


@pytest.mark.parametrize(("spec", "case"), CASES)
def test_case(spec: str, case: dict[str, Any]) -> None:
    """The check gives the case's verdict and exactly its issues, in order."""
    result = check_openapi(_pact(case["interactions"]), HERE / "specs" / spec)
    found = [[i.severity, i.code, i.pact_path, i.spec_pointer] for i in result.issues]
    assert found == case["issues"], result.report()
    assert result.ok is case["ok"]
    assert all(i.message for i in result.issues)
