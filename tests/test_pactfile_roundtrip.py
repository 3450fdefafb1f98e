"""Property: a written pact file reads back as the same pact, for V2, V3 and V4."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from pactdsl import Contract, Pact, PactSpec, PactSpecError, generate_pact, load_pact
from pactdsl._model import Interaction
from tests import strategies

_folders = (f"example-{n}" for n in itertools.count())
_FILE_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _fresh(tmp_path: Path) -> Path:
    """A new empty folder per hypothesis example (tmp_path is shared by all of them)."""
    folder = tmp_path / next(_folders)
    folder.mkdir()
    return folder


def _written(contract: Contract, folder: Path, spec: str) -> str:
    path = generate_pact(contract, output=folder, spec=spec, mode="overwrite")
    return path.read_text(encoding="utf-8")


def http_only(pact: Pact) -> tuple[Interaction, ...]:
    """The interactions of a drawn pact, which are all HTTP (the strategies draw no messages)."""
    assert pact.http_interactions == pact.interactions
    return pact.http_interactions


def _headers_joined(pact: Pact) -> Pact:
    """The pact as V2/V3 can carry it: several values of a header become one "a, b"."""
    import attrs

    def join(headers: object) -> dict[str, tuple[str, ...]]:
        return {k: (", ".join(v),) for k, v in dict(headers).items()}  # type: ignore[call-overload]

    def fix(item: Interaction) -> Interaction:
        request = attrs.evolve(item.request, headers=join(item.request.headers))
        response = attrs.evolve(item.response, headers=join(item.response.headers))
        return attrs.evolve(item, request=request, response=response)

    return attrs.evolve(pact, interactions=tuple(fix(i) for i in http_only(pact)))


def fits_v2(pact: Pact) -> bool:
    """Whether every interaction uses only what Pact V2 can hold (independent of the writer)."""
    for item in http_only(pact):
        if item.pending or item.key is not None or item.comments:
            return False
        if len(item.provider_states) > 1 or any(s.params for s in item.provider_states):
            return False
        for part in (item.request, item.response):
            if any(part.generators.values()):
                return False
            for category, groups in part.matching_rules.items():
                if groups and category not in ("body", "header", "query", "path"):
                    return False
                for group in groups.values():
                    if len(group.matchers) != 1:
                        return False
                    if group.matchers[0].to_rule()["match"] not in ("type", "regex"):
                        return False
    return True


@_FILE_SETTINGS
@given(contract=strategies.contracts())
def test_v4_round_trip(contract: Contract, tmp_path: Path) -> None:
    """Any contract written as V4 reads back equal to its pact, and hashing equal."""
    text = _written(contract, _fresh(tmp_path), "4.0")
    loaded = load_pact(text)
    assert loaded == contract.pact
    assert hash(loaded) == hash(contract.pact)


# The matchers Pact V4 added, named independently of the writer's own table.
V4_MATCHERS = {"arrayContains", "eachKey", "eachValue", "semver", "notEmpty", "statusCode"}


def uses_v4_matchers(pact: Pact) -> bool:
    """Whether an interaction holds a matcher only Pact V4 has."""
    return any(
        matcher.to_rule()["match"] in V4_MATCHERS
        for item in http_only(pact)
        for part in (item.request, item.response)
        for groups in part.matching_rules.values()
        for group in groups.values()
        for matcher in group.matchers
    )


@_FILE_SETTINGS
@given(contract=strategies.contracts(v4_extras=False))
def test_v3_round_trip(contract: Contract, tmp_path: Path) -> None:
    """Without V4 extras or matchers, V3 reads back equal (headers joined); V4 matchers refuse."""
    folder = _fresh(tmp_path)
    if uses_v4_matchers(contract.pact):
        with pytest.raises(PactSpecError, match="matcher needs Pact V4"):
            generate_pact(contract, output=folder, spec="3.0.0")
        assert list(folder.iterdir()) == []
        return
    text = _written(contract, folder, "3.0.0")
    assert load_pact(text) == _headers_joined(contract.pact)


@_FILE_SETTINGS
@given(contract=strategies.contracts())
def test_v3_refuses_v4_extras(contract: Contract, tmp_path: Path) -> None:
    """V3 refuses pending, key and comments with PactSpecError and leaves no file at all."""
    folder = _fresh(tmp_path)
    extras = any(i.pending or i.key is not None or i.comments for i in contract.pact.interactions)
    if not extras and not uses_v4_matchers(contract.pact):
        _written(contract, folder, "3.0.0")
        return
    with pytest.raises(PactSpecError, match=r"needs? Pact V4"):
        generate_pact(contract, output=folder, spec="3.0.0")
    assert list(folder.iterdir()) == []


@_FILE_SETTINGS
@given(
    contract=strategies.contracts(max_interactions=2, v2_shaped=True)
    | strategies.contracts(max_interactions=2)
)
def test_v2_round_trip_or_refusal(contract: Contract, tmp_path: Path) -> None:
    """V2 round-trips a contract that fits it, else raises PactSpecError and writes nothing."""
    folder = _fresh(tmp_path)
    if fits_v2(contract.pact):
        text = _written(contract, folder, "2.0.0")
        assert load_pact(text) == _headers_joined(contract.pact)
        assert load_pact(text).spec is PactSpec.V2
    else:
        with pytest.raises(PactSpecError):
            generate_pact(contract, output=folder, spec="V2")
        assert list(folder.iterdir()) == []
