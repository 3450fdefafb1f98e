"""The Pact Broker client's undeploy, describe-version and can-i-deploy options over real sockets.

The scripted broker (`tests/_broker_server.py`) answers as a Pact Broker would,
and each test reads back the requests the client sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pactdsl.broker import (
    BrokerLookupError,
    PactBrokerClient,
    can_i_deploy,
    describe_version,
    record_release,
    record_undeployment,
)
from tests._broker_server import Answer, ScriptedBroker

ENV_UUID = "16926ef3-590f-4e3f-838e-719717aa88c9"
DEPLOYED = f"/environments/{ENV_UUID}/deployed-versions/currently-deployed"
RELEASED = f"/environments/{ENV_UUID}/released-versions/currently-supported"


@pytest.fixture
def scripted() -> Iterator[ScriptedBroker]:
    """A scripted broker with an index and one environment, test, stopped after the test."""
    server = ScriptedBroker()
    server.on(
        "GET",
        "/",
        Answer(
            200,
            {
                "_links": {
                    "pb:environments": {"href": server.url + "/environments"},
                    "pb:pacticipant-version": {
                        "href": server.url + "/pacticipants/{pacticipant}/versions/{version}",
                        "templated": True,
                    },
                    "pb:latest-version": {
                        "href": server.url + "/pacticipants/{pacticipant}/latest-version",
                        "templated": True,
                    },
                }
            },
        ),
    )
    server.on(
        "GET",
        "/environments",
        Answer(
            200,
            {
                "_embedded": {"environments": [{"name": "test", "uuid": ENV_UUID}]},
                "_links": {
                    "pb:environments": [
                        {"name": "test", "href": server.url + f"/environments/{ENV_UUID}"}
                    ]
                },
            },
        ),
    )
    server.on(
        "GET",
        f"/environments/{ENV_UUID}",
        Answer(
            200,
            {
                "name": "test",
                "_links": {
                    "pb:currently-deployed-deployed-versions": {"href": server.url + DEPLOYED},
                    "pb:currently-supported-released-versions": {"href": server.url + RELEASED},
                },
            },
        ),
    )
    yield server
    server.close()


def _deployed(server: ScriptedBroker, uuid: str, version: str, instance: str | None) -> Any:
    entity: dict[str, Any] = {
        "currentlyDeployed": True,
        "_embedded": {"version": {"number": version}, "pacticipant": {"name": "Foo"}},
        "_links": {"self": {"href": server.url + f"/deployed-versions/{uuid}"}},
    }
    if instance:
        entity["applicationInstance"] = instance
    return entity


def test_record_undeployment_patches_the_currently_deployed_version(
    scripted: ScriptedBroker,
) -> None:
    """The environment's deployed version of that instance gets PATCH {currentlyDeployed: false}."""
    scripted.on(
        "GET",
        DEPLOYED,
        Answer(
            200,
            {
                "_embedded": {
                    "deployedVersions": [
                        _deployed(scripted, "aaa", "1", "customer-1"),
                        _deployed(scripted, "bbb", "2", "customer-2"),
                    ]
                }
            },
        ),
    )
    scripted.on(
        "PATCH",
        "/deployed-versions/bbb",
        Answer(200, {"currentlyDeployed": False, "_embedded": {"version": {"number": "2"}}}),
    )
    with PactBrokerClient(scripted.url, retries=0) as client:
        [ended] = record_undeployment("Foo", "test", client, application_instance="customer-2")
        assert (ended.version, ended.currently_deployed) == ("2", False)
        with pytest.raises(BrokerLookupError) as missing:
            record_undeployment("Foo", "test", client)
    assert "give one of the application instances ['customer-1', 'customer-2']" in str(
        missing.value
    )
    listing = next(s for s in scripted.seen if s.path.startswith(DEPLOYED))
    assert listing.path == DEPLOYED + "?pacticipant=Foo"
    [patch] = [s for s in scripted.seen if s.method == "PATCH"]
    assert patch.path == "/deployed-versions/bbb"
    assert patch.body == {"currentlyDeployed": False}
    assert patch.headers["content-type"] == "application/merge-patch+json"


def test_record_undeployment_of_an_unknown_environment_names_the_known_ones(
    scripted: ScriptedBroker,
) -> None:
    """An environment the broker does not list is refused with the list."""
    with (
        PactBrokerClient(scripted.url, retries=0) as client,
        pytest.raises(BrokerLookupError, match=r"environment='prod' does not exist.*\['test'\]"),
    ):
        record_undeployment("Foo", "prod", client)


def test_record_release_to_an_environment_not_offered_is_refused(scripted: ScriptedBroker) -> None:
    """A version resource that offers no release to the environment names the offered ones."""
    scripted.on(
        "GET",
        "/pacticipants/Foo/versions/1.0",
        Answer(200, {"_links": {"pb:record-release": [{"name": "test", "href": "/r/test"}]}}),
    )
    scripted.on("POST", "/r/test", Answer(201, {"currentlySupported": True}))
    with PactBrokerClient(scripted.url, retries=0) as client:
        assert record_release("Foo", "1.0", "test", client).currently_supported
        with pytest.raises(BrokerLookupError, match=r"releasing Foo 1.0 \(offered: \['test'\]\)"):
            record_release("Foo", "1.0", "prod", client)
    assert [s.path for s in scripted.seen if s.method == "POST"] == ["/r/test"]


def test_describe_version_reads_the_version_matrix_and_environments(
    scripted: ScriptedBroker,
) -> None:
    """The latest version's branch, tags, pacts, results, deployments and releases are gathered."""
    scripted.on(
        "GET",
        "/pacticipants/Foo/latest-version",
        Answer(
            200,
            {
                "number": "1.2.3",
                "_embedded": {
                    "branchVersions": [{"name": "main"}],
                    "tags": [{"name": "prod"}],
                },
                "_links": {
                    "pb:pact-versions": [
                        {
                            "name": "Pact between Foo (1.2.3) and Bar Service",
                            "href": scripted.url
                            + "/pacts/provider/Bar%20Service/consumer/Foo/version/1.2.3",
                        }
                    ]
                },
            },
        ),
    )
    scripted.on(
        "GET",
        "/matrix",
        Answer(
            200,
            {
                "matrix": [
                    {
                        "consumer": {"name": "Foo", "version": {"number": "1.2.3"}},
                        "provider": {"name": "Bar Service", "version": {"number": "4.5.6"}},
                        "verificationResult": {"success": True, "_links": {"self": {"href": "v"}}},
                    },
                    {
                        "consumer": {"name": "Foo", "version": {"number": "1.2.3"}},
                        "provider": {"name": "Baz", "version": None},
                        "verificationResult": None,
                    },
                ]
            },
        ),
    )
    scripted.on(
        "GET",
        DEPLOYED,
        Answer(200, {"_embedded": {"deployedVersions": [_deployed(scripted, "a", "1.2.3", None)]}}),
    )
    scripted.on(
        "GET",
        RELEASED,
        Answer(
            200,
            {
                "_embedded": {
                    "releasedVersions": [
                        {"_embedded": {"version": {"number": "1.0.0"}}},  # another version
                    ]
                }
            },
        ),
    )
    with PactBrokerClient(scripted.url, retries=0) as client:
        described = describe_version("Foo", broker=client)
    assert (described.version, described.branch, described.tags) == ("1.2.3", "main", ("prod",))
    assert [p.provider for p in described.pacts] == ["Bar Service"]
    assert [
        (v.provider, v.provider_version, v.success, v.url) for v in described.verifications
    ] == [("Bar Service", "4.5.6", True, "v")]
    assert [d.environment for d in described.deployments] == ["test"]
    assert described.releases == ()
    matrix = next(s for s in scripted.seen if s.path.startswith("/matrix"))
    assert "latestby" not in matrix.path
    assert "q%5B%5D%5Bversion%5D=1.2.3" in matrix.path


def _matrix(verification: Any) -> dict[str, Any]:
    return {
        "summary": {"deployable": verification is not None and verification["success"]},
        "matrix": [
            {
                "consumer": {"name": "Foo", "version": {"number": "1.0"}},
                "provider": {"name": "Bar", "version": {"number": "2.0"}},
                "verificationResult": verification,
            }
        ],
    }


def test_can_i_deploy_retries_while_unknown_and_sends_ignore(scripted: ScriptedBroker) -> None:
    """The matrix is asked again while a result is missing; ignored names go as ignore[]."""
    scripted.on(
        "GET",
        "/matrix",
        Answer(200, _matrix(None)),
        Answer(200, _matrix(None)),
        Answer(200, _matrix({"success": True})),
    )
    waits: list[float] = []
    with PactBrokerClient(scripted.url, retries=0) as client:
        decision = can_i_deploy(
            pacticipant="Foo",
            version="1.0",
            to_environment="test",
            retry_while_unknown=4,
            retry_interval=0.5,
            ignore=["Qux"],
            sleep=waits.append,
            broker=client,
        )
    assert decision.ok, decision.reasons
    assert waits == [0.5, 0.5]
    asked = [s.path for s in scripted.seen if s.path.startswith("/matrix")]
    assert len(asked) == 3
    assert "ignore%5B%5D%5Bpacticipant%5D=Qux" in asked[0]
    assert "environment=test" in asked[0]


def test_ignored_rows_do_not_block_on_the_client_side(scripted: ScriptedBroker) -> None:
    """A failing row with an ignored pacticipant is shown as ignored and not counted unknown."""
    scripted.on("GET", "/matrix", Answer(200, _matrix(None)))
    with PactBrokerClient(scripted.url, retries=0) as client:
        decision = can_i_deploy(pacticipant="Foo", version="1.0", ignore=["Bar"], broker=client)
    assert decision.unknown == 0
    assert decision.rows[0].reason.endswith("(ignored: Bar)")
