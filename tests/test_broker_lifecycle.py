"""Releases, undeployments, version descriptions and can-i-deploy's options on the local broker.

Also the Pact Broker client's record-release and undeploy requests against the
contract the official client holds with the Pact Broker.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
import pytest

from pactdsl import load_pact
from pactdsl._mock import mock_provider
from pactdsl.broker import (
    BrokerLookupError,
    LocalBroker,
    PactBrokerClient,
    can_i_deploy,
    create_environment,
    describe_version,
    pacts_for_verification,
    publish,
    publish_verification_result,
    record_deployment,
    record_release,
    record_undeployment,
)
from tests._broker_pacts import write_pact_file
from tests._shared import shared_dir


@pytest.fixture
def broker(tmp_path: Path) -> LocalBroker:
    """A fresh local broker with a production environment."""
    chosen = LocalBroker(tmp_path / "broker.db")
    create_environment("production", production=True, broker=chosen)
    return chosen


def test_released_consumer_versions_count_for_the_provider_side_by_side(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """A provider must honour every released consumer version; a new release replaces none."""
    old = write_pact_file(tmp_path, "mobile", "api", "/v1")
    new = write_pact_file(tmp_path, "mobile", "api", "/v2")
    publish(old, "1.0", broker=broker)
    publish(new, "2.0", broker=broker)
    publish_verification_result(old, True, "7.0", broker)
    assert record_release("mobile", "1.0", "production", broker).currently_supported
    record_release("mobile", "2.0", "production", broker)
    record_release("mobile", "2.0", "production", broker)  # recorded once

    decision = can_i_deploy(
        pacticipant="api", version="7.0", to_environment="production", broker=broker
    )
    assert not decision.ok
    assert [(r.consumer_version, r.verification) for r in decision.rows] == [
        ("1.0", True),
        ("2.0", None),
    ]
    publish_verification_result(new, True, "7.0", broker)
    decision = can_i_deploy(
        pacticipant="api", version="7.0", to_environment="production", broker=broker
    )
    assert decision.ok, decision.reasons


def test_released_provider_counts_for_a_consumer_like_a_deployed_one(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """A consumer is checked against a provider version released to the environment."""
    pact = write_pact_file(tmp_path, "web", "lib")
    publish(pact, "1.0", broker=broker)
    publish_verification_result(pact, False, "3.0", broker)
    record_release("lib", "3.0", "production", broker)
    decision = can_i_deploy(
        pacticipant="web", version="1.0", to_environment="production", broker=broker
    )
    assert not decision.ok
    assert "the pact of web 1.0 with lib 3.0 failed verification" in decision.reasons


def test_record_undeployment_ends_the_deployment_for_can_i_deploy(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """After undeploying the provider, the consumer no longer depends on its verification."""
    pact = write_pact_file(tmp_path, "web", "api")
    publish(pact, "1.0", broker=broker)
    publish_verification_result(pact, False, "5.0", broker)
    record_deployment("api", "5.0", "production", broker)
    blocked = can_i_deploy(
        pacticipant="web", version="1.0", to_environment="production", broker=broker
    )
    assert not blocked.ok

    [ended] = record_undeployment("api", "production", broker)
    assert (ended.version, ended.currently_deployed) == ("5.0", False)
    assert broker.deployed_versions("api", "production") == []
    cleared = can_i_deploy(
        pacticipant="web", version="1.0", to_environment="production", broker=broker
    )
    assert cleared.ok, cleared.reasons
    with pytest.raises(BrokerLookupError, match="nothing to undeploy"):
        record_undeployment("api", "production", broker)


def test_record_undeployment_needs_the_right_application_instance(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """Undeploying without the instance it was deployed to names the instances to give."""
    publish(write_pact_file(tmp_path, "web", "api"), "1.0", broker=broker)
    record_deployment("web", "1.0", "production", broker, application_instance="blue")
    record_deployment("web", "1.0", "production", broker, application_instance="green")
    with pytest.raises(BrokerLookupError) as missing:
        record_undeployment("web", "production", broker)
    assert "give one of the application instances ['blue', 'green']" in str(missing.value)
    [ended] = record_undeployment("web", "production", broker, application_instance="green")
    assert ended.application_instance == "green"
    assert [d.application_instance for d in broker.deployed_versions("web", "production")] == [
        "blue"
    ]
    with pytest.raises(BrokerLookupError, match="environment='staging' does not exist"):
        record_undeployment("web", "staging", broker)


def test_describe_version_shows_branch_tags_pacts_results_and_environments(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """describe_version gathers what the broker holds; without a version, the latest one."""
    create_environment("test", broker=broker)
    pact = write_pact_file(tmp_path, "web", "api")
    publish(pact, "1.0", branch="main", tags=("prod", "v1"), broker=broker)
    publish_verification_result(pact, True, "5.0", broker)
    record_deployment("web", "1.0", "production", broker, application_instance="blue")
    record_release("web", "1.0", "test", broker)

    described = describe_version("web", "1.0", broker)
    assert (described.branch, described.tags) == ("main", ("prod", "v1"))
    assert [(p.provider, p.consumer_version) for p in described.pacts] == [("api", "1.0")]
    assert [(v.provider, v.provider_version, v.success) for v in described.verifications] == [
        ("api", "5.0", True)
    ]
    assert [(d.environment, d.application_instance) for d in described.deployments] == [
        ("production", "blue")
    ]
    assert [r.environment for r in described.releases] == ["test"]
    report = str(described)
    assert "branch: main" in report
    assert "the pact of web 1.0 verified by api 5.0: success" in report
    assert "currently deployed to: production (instance blue)" in report

    publish(pact, "1.1", broker=broker)
    latest = describe_version("web", broker=broker)
    assert (latest.version, latest.deployments, latest.verifications[0].consumer_version) == (
        "1.1",
        (),
        "1.1",  # the same content, so the result counts for this version too
    )
    as_provider = describe_version("api", "5.0", broker)
    assert [(v.consumer, v.consumer_version) for v in as_provider.verifications] == [
        ("web", "1.0"),
        ("web", "1.1"),
    ]
    with pytest.raises(BrokerLookupError, match=r"version='9.9' of web is unknown"):
        describe_version("web", "9.9", broker)
    with pytest.raises(BrokerLookupError, match="pacticipant='nobody' is unknown"):
        describe_version("nobody", broker=broker)


def test_retry_while_unknown_asks_again_until_the_result_arrives(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """While a verification is unknown the question is asked again after each wait."""
    pact = write_pact_file(tmp_path, "web", "api")
    publish(pact, "1.0", broker=broker)
    waits: list[float] = []

    def provider_build_finishes(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:  # the provider's CI publishes during the second wait
            publish_verification_result(pact, True, "5.0", broker)

    decision = can_i_deploy(
        pacticipant="web",
        version="1.0",
        retry_while_unknown=5,
        retry_interval=0.25,
        sleep=provider_build_finishes,
        broker=broker,
    )
    assert decision.ok, decision.reasons
    assert waits == [0.25, 0.25]


def test_retry_while_unknown_gives_up_and_says_so(broker: LocalBroker, tmp_path: Path) -> None:
    """After the retries the decision is still no, and a reason counts the attempts."""
    publish(write_pact_file(tmp_path, "web", "api"), "1.0", broker=broker)
    waits: list[float] = []
    decision = can_i_deploy(
        pacticipant="web",
        version="1.0",
        retry_while_unknown=3,
        retry_interval=0,
        sleep=waits.append,
        broker=broker,
    )
    assert (decision.ok, decision.unknown, len(waits)) == (False, 1, 3)
    assert "still 1 verification result(s) unknown after 3 retries 0s apart" in decision.reasons


def test_a_failed_verification_is_not_retried(broker: LocalBroker, tmp_path: Path) -> None:
    """A known failure will not change by waiting, so no retry happens."""
    pact = write_pact_file(tmp_path, "web", "api")
    publish(pact, "1.0", broker=broker)
    publish_verification_result(pact, False, "5.0", broker)
    waits: list[float] = []
    decision = can_i_deploy(
        pacticipant="web", version="1.0", retry_while_unknown=3, sleep=waits.append, broker=broker
    )
    assert (decision.ok, decision.unknown, waits) == (False, 0, [])


def test_ignore_and_dry_run(broker: LocalBroker, tmp_path: Path) -> None:
    """Ignored pacticipants' integrations do not block; a dry run keeps the real answer."""
    publish(write_pact_file(tmp_path, "web", "api"), "1.0", broker=broker)
    verified = write_pact_file(tmp_path, "web", "auth")
    publish(verified, "1.0", broker=broker)
    publish_verification_result(verified, True, "2.0", broker)

    ignoring = can_i_deploy(pacticipant="web", version="1.0", ignore=["api"], broker=broker)
    assert ignoring.ok, ignoring.reasons
    assert any("(ignored: api)" in reason for reason in ignoring.reasons)
    one_name = can_i_deploy(pacticipant="web", version="1.0", ignore="api", broker=broker)
    assert one_name.ok

    dry = can_i_deploy(pacticipant="web", version="1.0", dry_run=True, broker=broker)
    assert (dry.ok, dry.dry_run) == (False, True)
    assert dry.report().startswith("[dry-run] web 1.0 cannot deploy")
    assert "not enforced" in dry.report()


def test_options_need_the_pacticipant_form_and_sane_numbers(broker: LocalBroker) -> None:
    """The contract form refuses the matrix options; negative retries are refused by name."""
    with pytest.raises(TypeError, match="need the pacticipant form"):
        can_i_deploy("some_contract", "1.0", dry_run=True, broker=broker)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="retry_while_unknown=-1"):
        can_i_deploy(pacticipant="web", version="1.0", retry_while_unknown=-1, broker=broker)


def test_selectors_tell_deployed_from_released(broker: LocalBroker, tmp_path: Path) -> None:
    """deployed, released and deployedOrReleased select the matching consumer versions."""
    create_environment("test", broker=broker)
    publish(write_pact_file(tmp_path, "web", "api", "/a"), "1.0", broker=broker)
    publish(write_pact_file(tmp_path, "mobile", "api", "/b"), "2.0", broker=broker)
    record_deployment("web", "1.0", "production", broker)
    record_release("mobile", "2.0", "test", broker)

    def chosen(selector: dict[str, object]) -> list[str]:
        found = pacts_for_verification("api", consumer_version_selectors=[selector], broker=broker)
        return sorted(f"{p.pact.consumer} {p.consumer_version}" for p in found)

    assert chosen({"deployed": True}) == ["web 1.0"]
    assert chosen({"released": True}) == ["mobile 2.0"]
    assert chosen({"deployedOrReleased": True}) == ["mobile 2.0", "web 1.0"]
    assert chosen({"deployedOrReleased": True, "environment": "test"}) == ["mobile 2.0"]


def test_a_version_1_database_gains_releases(tmp_path: Path) -> None:
    """A database made before releases existed is upgraded in place on first use."""
    path = tmp_path / "old.db"
    first = LocalBroker(path)
    create_environment("production", broker=first)
    publish(write_pact_file(tmp_path, "web", "api"), "1.0", broker=first)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE releases")
        conn.execute("PRAGMA user_version = 1")
    later = LocalBroker(path)
    record_release("web", "1.0", "production", later)
    assert [r.environment for r in describe_version("web", "1.0", later).releases] == ["production"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4


# -- the Pact Broker client against the official client's contract ---------------------

VERSION = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"


def test_record_release_follows_the_version_resource_as_the_official_client_does() -> None:
    """record_release expands pb:pacticipant-version and posts {} to its pb:record-release."""
    pact = load_pact(shared_dir() / "pacts" / "Pact Broker Client V2-Pact Broker.json")
    deployment_state = (
        f"version {VERSION} of pacticipant Foo exists with a test environment available for "
        "deployment"
    )
    wanted = {
        (
            "a request for the index resource",
            "the pb:pacticipant-version and pb:environments relations exist in the index resource",
        ),
        (
            "a request for a pacticipant version",
            f"version {VERSION} of pacticipant Foo exists with a test environment available "
            "for release",
        ),
        ("a request to record a release", deployment_state),
    }
    served = [
        i
        for i in pact.interactions
        if (i.description, i.provider_states[0].name if i.provider_states else None) in wanted
    ]
    assert len(served) == 3
    with (
        mock_provider(attrs.evolve(pact, interactions=tuple(served)), port=0) as mock,
        PactBrokerClient(mock.url, retries=0) as client,
    ):
        release = record_release("Foo", VERSION, "test", client)
    assert (release.pacticipant, release.environment, release.currently_supported) == (
        "Foo",
        "test",
        True,
    )
