"""The Pact Broker client against the contract the official client holds with the Pact Broker.

Each test serves a few interactions of ``Pact Broker Client V2-Pact Broker.json``
with pactdsl's own mock provider, on a port (the client is not an httpx one);
leaving the mock block fails the test unless every served interaction was
received and every request matched one.
"""

from __future__ import annotations

import base64
from pathlib import Path

import attrs
import pytest

from pactdsl import Interaction, Pact, load_pact
from pactdsl._mock import mock_provider
from pactdsl.broker import (
    BrokerError,
    BrokerHTTPError,
    BrokerLookupError,
    Environment,
    PactBrokerClient,
    PactDocument,
    can_i_deploy,
    environments,
    record_deployment,
)
from pactdsl.broker._hal import expand_href

from ._shared import shared_dir

VERSION = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
INDEX = "a request for the index resource"


def _broker_pact() -> Pact:
    return load_pact(shared_dir() / "pacts" / "Pact Broker Client V2-Pact Broker.json")


def _interactions(*wanted: tuple[str, str | None]) -> Pact:
    """The broker pact cut down to these (description, provider state) interactions."""
    pact = _broker_pact()
    chosen = []
    for description, state in wanted:
        states = [state] if state else []
        found = [
            i
            for i in pact.interactions
            if i.description == description and [s.name for s in i.provider_states] == states
        ]
        assert len(found) == 1, (description, state, len(found))
        chosen.append(found[0])
    return attrs.evolve(pact, interactions=tuple(chosen))


def test_index_resource_is_fetched_with_hal_accept_header() -> None:
    """The client reads the index with ``Accept: application/hal+json`` and keeps its links."""
    with (
        mock_provider(_interactions((INDEX, None)), port=0) as mock,
        PactBrokerClient(mock.url) as client,
    ):
        index = client.index()
        assert index == client.index()  # fetched once, then kept
    assert set(index["_links"]) == {"pb:pacticipant", "pb:pacticipants", "pb:webhooks"}


def test_publish_contracts_sends_the_pact_file_base64_encoded(tmp_path: Path) -> None:
    """Publishing follows pb:publish-contracts and posts exactly the official client's body."""
    expected = _interactions(("a request to publish contracts", None)).interactions[0]
    assert isinstance(expected, Interaction)
    assert expected.request.body is not None
    content = expected.request.body.content["contracts"][0]["content"]
    pact_file = tmp_path / "Foo-Bar.json"
    pact_file.write_bytes(base64.b64decode(content))
    document = PactDocument.from_source(pact_file)
    served = _interactions(
        (INDEX, "the pb:publish-contracts relations exists in the index resource"),
        ("a request to publish contracts", None),
    )
    with mock_provider(served, port=0) as mock, PactBrokerClient(mock.url, retries=0) as client:
        answer = client.publish_contracts(
            [document],
            "Foo",
            VERSION,
            branch="main",
            tags=["dev"],
            build_url="http://build",
            merge=True,
        )
    assert answer["_embedded"]["version"]["number"] == VERSION
    assert answer["logs"][0]["message"] == "some message"


def test_can_i_deploy_asks_the_matrix_for_the_latest_versions() -> None:
    """can_i_deploy without an environment queries /matrix with latest=true and latestby=cvp."""
    served = _interactions(
        (
            "a request for the compatibility matrix where only the version of Foo is specified",
            "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version "
            "5.6.7",
        )
    )
    with mock_provider(served, port=0) as mock, PactBrokerClient(mock.url, retries=0) as client:
        decision = can_i_deploy(pacticipant="Foo", version="1.2.3", broker=client)
    assert decision.ok is True
    assert decision.reasons[0] == "some text"
    assert [(r.consumer, r.provider, r.verification) for r in decision.rows] == [
        ("Foo", "Bar", True)
    ]


def test_matrix_for_two_pacticipant_versions() -> None:
    """A matrix query for two versions sends both selectors in order with latestby=cvpv."""
    served = _interactions(
        (
            "a request for the compatibility matrix for Foo version 1.2.3 and Bar version 4.5.6",
            "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6",
        )
    )
    with mock_provider(served, port=0) as mock, PactBrokerClient(mock.url, retries=0) as client:
        answer = client.matrix([("Foo", "1.2.3"), ("Bar", "4.5.6")])
    assert answer["summary"]["deployable"] is True


def test_matrix_error_for_unknown_pacticipants_is_reported() -> None:
    """A 400 from the matrix becomes a BrokerHTTPError naming the status and the answer."""
    served = _interactions(
        ("a request for the compatibility matrix for a pacticipant that does not exist", None)
    )
    with (
        mock_provider(served, port=0) as mock,
        PactBrokerClient(mock.url, retries=0) as client,
        pytest.raises(BrokerHTTPError) as caught,
    ):
        client.matrix([("Wiffle", "1.2.3"), ("Meep", "9.9.9")])
    assert caught.value.status == 400
    assert "/matrix" in str(caught.value)
    assert "400" in str(caught.value)


def test_environments_are_listed_through_the_index() -> None:
    """environments() follows pb:environments and reads the embedded environments."""
    served = _interactions(
        (INDEX, "the pb:environments relation exists in the index resource"),
        ("a request to list the environments", "an environment exists"),
    )
    with mock_provider(served, port=0) as mock, PactBrokerClient(mock.url, retries=0) as client:
        found = environments(broker=client)
    assert found == [Environment("test", "Test", False, "78e85fb2-9df1-48da-817e-c9bea6294e01")]


def test_create_environment_posts_the_official_body() -> None:
    """create_environment posts name, displayName, production and contacts to pb:environments."""
    served = _interactions(
        (INDEX, "the pb:environments relation exists in the index resource"),
        ("a request to create an environment", None),
    )
    contacts = [{"name": "Foo team", "details": {"emailAddress": "foo@bar.com"}}]
    with mock_provider(served, port=0) as mock, PactBrokerClient(mock.url, retries=0) as client:
        created = client.create_environment(
            "test", display_name="Test", production=False, contacts=contacts
        )
    assert created.name == "test"
    assert created.uuid == "ffe683ef-dcd7-4e4f-877d-f6eb3db8e86e"


def test_record_deployment_follows_the_version_resource() -> None:
    """record_deployment expands pb:pacticipant-version and posts to its pb:record-deployment."""
    state = (
        f"version {VERSION} of pacticipant Foo exists with a test environment available for "
        "deployment"
    )
    served = _interactions(
        (
            INDEX,
            "the pb:pacticipant-version and pb:environments relations exist in the index resource",
        ),
        ("a request for a pacticipant version", state),
        ("a request to record a deployment", state),
    )
    with mock_provider(served, port=0) as mock, PactBrokerClient(mock.url, retries=0) as client:
        deployment = record_deployment(
            "Foo", VERSION, "test", broker=client, application_instance="blue"
        )
    assert (deployment.pacticipant, deployment.environment) == ("Foo", "test")
    assert deployment.application_instance == "blue"


def test_record_deployment_to_an_environment_not_offered_names_the_offered_ones() -> None:
    """With no deployment to the environment on offer, the error lists the offered ones."""
    served = _interactions(
        (
            INDEX,
            "the pb:pacticipant-version and pb:environments relations exist in the index resource",
        ),
        (
            "a request for a pacticipant version",
            f"version {VERSION} of pacticipant Foo exists with 2 environments that aren't test "
            "available for deployment",
        ),
    )
    with (
        mock_provider(served, port=0) as mock,
        PactBrokerClient(mock.url, retries=0) as client,
        pytest.raises(BrokerLookupError, match="environment='test' is not offered") as caught,
    ):
        client.record_deployment("Foo", VERSION, "test")
    assert "['prod', 'dev']" in str(caught.value)


@pytest.mark.parametrize(
    ("href", "variables", "expected"),
    [
        (
            "/pacticipants/{pacticipant}",
            {"pacticipant": "Pricing Service"},
            "/pacticipants/Pricing%20Service",
        ),
        (
            "/pacticipants/{pacticipant}/versions/{version}",
            {"pacticipant": "a/b", "version": "1.0+x"},
            "/pacticipants/a%2Fb/versions/1.0%2Bx",
        ),
        ("/environments", {}, "/environments"),
    ],
)
def test_expand_href_encodes_values_completely(
    href: str, variables: dict[str, str], expected: str
) -> None:
    """Templated hrefs expand with every reserved character of a value percent-encoded."""
    assert expand_href(href, variables) == expected


def test_expand_href_names_a_missing_variable() -> None:
    """Expanding a template without one of its variables names the variable and those given."""
    with pytest.raises(BrokerError, match=r"needs \{version\}"):
        expand_href("/pacticipants/{pacticipant}/versions/{version}", {"pacticipant": "Foo"})
