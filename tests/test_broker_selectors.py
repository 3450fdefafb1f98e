"""Consumer version selectors: parsed once, each field checked, the same semantics everywhere.

The parsing is pure; the semantics run on the real SQLite local broker, and the
JSON form is read back from a scripted Pact Broker on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pactdsl.broker import (
    ConsumerVersionSelector,
    InvalidSelector,
    LocalBroker,
    PactBrokerClient,
    pacts_for_verification,
    publish,
)
from pactdsl.broker._selectors import parse_selectors
from tests._broker_pacts import write_pact_file
from tests._broker_server import Answer, ScriptedBroker


def _case_id(value: object) -> str:
    return json.dumps(value) if isinstance(value, dict) else ""


# Each field in the broker's JSON form, and the same selector by keywords.
FIELDS: list[tuple[dict[str, Any], ConsumerVersionSelector]] = [
    ({"mainBranch": True}, ConsumerVersionSelector(main_branch=True)),
    ({"branch": "feat"}, ConsumerVersionSelector(branch="feat")),
    (
        {"branch": "feat", "fallbackBranch": "main"},
        ConsumerVersionSelector(branch="feat", fallback_branch="main"),
    ),
    ({"matchingBranch": True}, ConsumerVersionSelector(matching_branch=True)),
    ({"tag": "prod"}, ConsumerVersionSelector(tag="prod")),
    (
        {"tag": "prod", "latest": True, "fallbackTag": "main"},
        ConsumerVersionSelector(tag="prod", latest=True, fallback_tag="main"),
    ),
    ({"latest": True}, ConsumerVersionSelector(latest=True)),
    ({"deployed": True}, ConsumerVersionSelector(deployed=True)),
    ({"released": True}, ConsumerVersionSelector(released=True)),
    ({"deployedOrReleased": True}, ConsumerVersionSelector(deployed_or_released=True)),
    ({"environment": "production"}, ConsumerVersionSelector(environment="production")),
    ({"consumer": "web", "latest": True}, ConsumerVersionSelector(consumer="web", latest=True)),
]


@pytest.mark.parametrize(("given", "expected"), FIELDS, ids=_case_id)
def test_each_field_parses_from_json_and_goes_back_unchanged(
    given: dict[str, Any], expected: ConsumerVersionSelector
) -> None:
    """A JSON selector equals the keyword one, and its JSON form is what the caller gave."""
    parsed = ConsumerVersionSelector.from_json(given)
    assert parsed == expected
    assert parsed.to_json() == given
    assert parse_selectors([given, expected]) == (expected, expected)


# A bad selector, and what its message must name.
BAD_JSON: list[tuple[dict[str, Any], str]] = [
    ({"colour": "red"}, "keys ['colour']"),
    ({"main_branch": True}, "did you mean 'mainBranch'"),
    ({}, "selects nothing"),
    ({"mainBranch": "yes"}, "mainBranch='yes' must be true or false"),
    ({"mainBranch": False}, "mainBranch=False selects nothing"),
    ({"matchingBranch": 1}, "matchingBranch=1 must be true or false"),
    ({"latest": "true"}, "latest='true' must be true or false"),
    ({"deployed": False}, "deployed=False selects nothing"),
    ({"released": None, "deployedOrReleased": "no"}, "deployedOrReleased='no'"),
    ({"branch": ""}, "branch='' must be a non-empty string"),
    ({"tag": 3}, "tag=3 must be a non-empty string"),
    ({"environment": " "}, "environment=' ' must be a non-empty string"),
    ({"consumer": ["web"]}, "consumer=['web'] must be a non-empty string"),
    ({"branch": "a", "fallbackBranch": 1}, "fallbackBranch=1"),
    ({"tag": "a", "latest": True, "fallbackTag": ""}, "fallbackTag=''"),
    ({"branch": "a", "tag": "b"}, "branch and tag cannot be combined"),
    ({"mainBranch": True, "branch": "b"}, "mainBranch and branch cannot be combined"),
    ({"matchingBranch": True, "tag": "b"}, "matchingBranch and tag cannot be combined"),
    ({"deployed": True, "released": True}, "deployed and released cannot be combined"),
    ({"fallbackBranch": "main"}, "fallbackBranch='main' needs branch"),
    ({"tag": "x", "fallbackTag": "main"}, "fallbackTag='main' needs tag and latest=True"),
    ({"deployed": True, "latest": True}, "latest=True cannot be combined with deployed"),
    ({"environment": "test", "latest": False}, "latest=False cannot be combined with deployed"),
    ({"branch": "feat", "latest": False}, "latest=False cannot be combined with a branch"),
]


@pytest.mark.parametrize(("given", "named"), BAD_JSON, ids=_case_id)
def test_each_bad_json_selector_is_refused_naming_the_field(
    given: dict[str, Any], named: str
) -> None:
    """A JSON selector that cannot work raises InvalidSelector (a ValueError) naming the field."""
    with pytest.raises(InvalidSelector) as caught:
        ConsumerVersionSelector.from_json(given)
    assert named in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("keywords", "named"),
    [
        ({"main_branch": "yes"}, "main_branch='yes' must be true or false"),
        ({"deployed_or_released": False}, "deployed_or_released=False selects nothing"),
        ({"fallback_tag": "main", "tag": "x"}, "fallback_tag='main' needs tag and latest=True"),
        ({}, "selects nothing"),
    ],
)
def test_the_keyword_form_names_the_keyword(keywords: dict[str, Any], named: str) -> None:
    """Building the class with bad keywords names the keyword, as the caller spelled it."""
    with pytest.raises(InvalidSelector, match="ConsumerVersionSelector") as caught:
        ConsumerVersionSelector(**keywords)
    assert named in str(caught.value)


def test_selector_lists_name_the_bad_item() -> None:
    """A dict instead of a list, a non-dict item or a bad item is refused naming where."""
    assert parse_selectors(None) is None
    with pytest.raises(TypeError, match="must be a list of selector dicts"):
        parse_selectors({"latest": True})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"consumer_version_selectors\[1\]='main' \(str\)"):
        parse_selectors([{"latest": True}, "main"])  # type: ignore[list-item]
    with pytest.raises(InvalidSelector, match=r"selectors\[2\]: .*tag=''"):
        parse_selectors([{"latest": True}, {"mainBranch": True}, {"tag": ""}])


def test_a_selector_is_frozen_and_hashable() -> None:
    """A parsed selector cannot change, serves as a dict key, and reads like its call."""
    selector = ConsumerVersionSelector.from_json({"mainBranch": True})
    with pytest.raises(AttributeError):
        selector.branch = "feat"  # type: ignore[misc]
    assert {selector: 1}[ConsumerVersionSelector(main_branch=True)] == 1
    assert repr(selector) == "ConsumerVersionSelector(main_branch=True)"


@pytest.fixture
def branches(tmp_path: Path) -> LocalBroker:
    """A broker with web on main (1) and feat (2), mobile on main only (3), each its own pact."""
    broker = LocalBroker(tmp_path / "b.db")
    for consumer, path, version, branch, tags in [
        ("web", "/a", "1", "main", ["prod"]),
        ("web", "/b", "2", "feat", ["dev"]),
        ("mobile", "/c", "3", "main", []),
    ]:
        pact = write_pact_file(tmp_path, consumer, "api", path)
        publish(pact, version, branch=branch, tags=tags, broker=broker)
    return broker


def _chosen(broker: LocalBroker, *selectors: Any, branch: str | None = None) -> list[str]:
    found = pacts_for_verification(
        "api",
        consumer_version_selectors=list(selectors),
        provider_version_branch=branch,
        broker=broker,
    )
    return [f"{p.pact.consumer} {p.consumer_version}" for p in found]


def test_fallback_branch_stands_in_per_consumer(branches: LocalBroker) -> None:
    """A branch a consumer lacks falls back to fallbackBranch for that consumer only."""
    selected = pacts_for_verification(
        "api",
        consumer_version_selectors=[{"branch": "feat", "fallbackBranch": "main"}],
        broker=branches,
    )
    assert [(p.pact.consumer, p.consumer_version) for p in selected] == [
        ("web", "2"),
        ("mobile", "3"),
    ]
    assert selected[1].notices == (
        "The pact of mobile 3 is selected by: latest, branch main (fallback for feat)",
    )
    assert _chosen(branches, {"branch": "feat"}) == ["web 2"]


def test_fallback_tag_stands_in_when_the_tag_selects_nothing(branches: LocalBroker) -> None:
    """A fallback tag applies only to consumers without a version carrying the tag."""
    assert _chosen(branches, {"tag": "dev", "latest": True, "fallbackTag": "prod"}) == ["web 2"]
    assert _chosen(branches, {"tag": "qa", "latest": True, "fallbackTag": "prod"}) == ["web 1"]
    assert _chosen(branches, {"tag": "prod"}) == ["web 1"]


def test_matching_branch_follows_the_provider_branch(branches: LocalBroker) -> None:
    """A matching-branch selector picks the branch named like the provider's, and needs it."""
    assert _chosen(branches, ConsumerVersionSelector(matching_branch=True), branch="feat") == [
        "web 2"
    ]
    assert _chosen(branches, {"matchingBranch": True}, branch="main") == ["web 1", "mobile 3"]
    with pytest.raises(InvalidSelector, match=r"\[1\]: .*give provider_version_branch"):
        _chosen(branches, {"latest": True}, {"matchingBranch": True})


def test_consumer_and_main_branch_combine(branches: LocalBroker) -> None:
    """A consumer narrows mainBranch to one consumer; latest alone takes each one's newest."""
    assert _chosen(branches, {"mainBranch": True, "consumer": "web"}) == ["web 1"]
    assert _chosen(branches, {"latest": True}) == ["web 2", "mobile 3"]


def test_a_bad_selector_is_refused_before_the_broker_is_opened(tmp_path: Path) -> None:
    """The local broker refuses a bad selector, even for an unknown provider, before opening."""
    broker = LocalBroker(tmp_path / "never.db")
    with pytest.raises(InvalidSelector, match=r"\[0\]: .*mainBranch='yes'"):
        pacts_for_verification(
            "api", consumer_version_selectors=[{"mainBranch": "yes"}], broker=broker
        )
    with pytest.raises(InvalidSelector, match="give provider_version_branch"):
        pacts_for_verification(
            "nobody", consumer_version_selectors=[{"matchingBranch": True}], broker=broker
        )
    assert not (tmp_path / "never.db").exists()


@pytest.fixture
def scripted() -> Iterator[ScriptedBroker]:
    """A scripted Pact Broker that selects no pacts for provider api."""
    server = ScriptedBroker()
    server.on(
        "GET",
        "/",
        Answer(
            200,
            {
                "_links": {
                    "pb:provider-pacts-for-verification": {
                        "href": server.url + "/pacts/provider/{provider}/for-verification",
                        "templated": True,
                    }
                }
            },
        ),
    )
    server.on("POST", "/pacts/provider/api/for-verification", Answer(200, {"_embedded": {}}))
    yield server
    server.close()


def test_the_pact_broker_client_sends_the_json_form(scripted: ScriptedBroker) -> None:
    """Selector objects and dicts reach the Pact Broker as its JSON; a bad one is never sent."""
    with PactBrokerClient(scripted.url, retries=0) as client:
        with pytest.raises(InvalidSelector, match="fallbackBranch='main' needs branch"):
            client.pacts_for_verification(
                "api", consumer_version_selectors=[{"fallbackBranch": "main"}]
            )
        with pytest.raises(InvalidSelector, match="give provider_version_branch"):
            client.pacts_for_verification(
                "api", consumer_version_selectors=[ConsumerVersionSelector(matching_branch=True)]
            )
        assert scripted.seen == []
        client.pacts_for_verification(
            "api",
            consumer_version_selectors=[
                ConsumerVersionSelector(branch="feat", fallback_branch="main"),
                {"deployedOrReleased": True},
            ],
        )
    [asked] = [s.body for s in scripted.seen if s.method == "POST"]
    assert asked["consumerVersionSelectors"] == [
        {"branch": "feat", "fallbackBranch": "main"},
        {"deployedOrReleased": True},
    ]
