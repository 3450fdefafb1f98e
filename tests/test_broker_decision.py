"""can-i-deploy answers with one type: a CanIDeployDecision made whole, from every broker and form.

The local broker runs on real SQLite; the Pact Broker client talks to a
scripted broker on 127.0.0.1.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

from pactdsl import Pact
from pactdsl._pactfile import load_pact
from pactdsl.broker import (
    Broker,
    CanIDeployDecision,
    LocalBroker,
    PactBrokerClient,
    can_i_deploy,
    is_deployable,
    publish,
    publish_verification_result,
)
from tests._broker_pacts import write_pact_file
from tests._broker_server import Answer, ScriptedBroker


@pytest.mark.parametrize(
    "function",
    [can_i_deploy, Broker.can_i_deploy, LocalBroker.can_i_deploy, PactBrokerClient.can_i_deploy],
    ids=lambda f: f.__qualname__,
)
def test_every_can_i_deploy_is_typed_to_return_the_decision(
    function: Callable[..., object],
) -> None:
    """The package function (each overload too) and every broker declare CanIDeployDecision."""
    for declared in (function, *typing.get_overloads(function)):
        # Annotations are strings under `from __future__ import annotations`.
        assert declared.__annotations__["return"] == "CanIDeployDecision"


def _pact(folder: Path) -> Pact:
    return load_pact(write_pact_file(folder, "web", "api", "/a"))


def _check_whole(decision: object) -> CanIDeployDecision:
    assert type(decision) is CanIDeployDecision
    assert isinstance(decision.reasons, tuple)
    assert decision.reasons
    assert all(isinstance(reason, str) for reason in decision.reasons)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        decision.reasons = ()  # type: ignore[misc]
    assert not hasattr(decision.reasons, "append")
    return decision


def test_the_local_broker_answers_every_form_with_a_decision(tmp_path: Path) -> None:
    """Unknown, unverified and verified: both forms and the broker itself return a decision."""
    broker = LocalBroker(tmp_path / "b.db")
    pact = _pact(tmp_path)
    unknown = _check_whole(can_i_deploy(pact, "1.0", broker=broker))
    assert (unknown.ok, unknown.pacticipant, unknown.rows) == (False, "web", ())
    assert "unknown to the broker" in unknown.reasons[0]
    publish(pact, "1.0", broker=broker)
    unverified = _check_whole(can_i_deploy(pact, "1.0", broker=broker))
    assert unverified.ok is False
    assert is_deployable(pact, "1.0", broker=broker) is False
    publish_verification_result(pact, True, "2.0", broker=broker)
    by_contract = _check_whole(can_i_deploy(pact, "1.0", broker=broker))
    by_pacticipant = _check_whole(can_i_deploy(pacticipant="web", version="1.0", broker=broker))
    direct = _check_whole(broker.can_i_deploy("web", "1.0"))
    assert (by_contract.ok, by_pacticipant.ok, direct.ok) == (True, True, True)
    assert is_deployable(pact, "1.0", broker=broker) is True
    assert by_contract.rows == tuple(r for r in direct.rows if r.provider == "api")


def test_retries_make_a_new_decision_instead_of_appending(tmp_path: Path) -> None:
    """The still-unknown note lands in a new decision's reasons; the broker's stays as it was."""
    broker = LocalBroker(tmp_path / "b.db")
    publish(_pact(tmp_path), "1.0", broker=broker)
    first = broker.can_i_deploy("web", "1.0")
    retried = _check_whole(
        can_i_deploy(
            pacticipant="web",
            version="1.0",
            retry_while_unknown=1,
            retry_interval=0,
            sleep=lambda _: None,
            broker=broker,
        )
    )
    assert retried.reasons == (
        *first.reasons,
        "still 1 verification result(s) unknown after 1 retries 0s apart",
    )
    assert broker.can_i_deploy("web", "1.0").reasons == first.reasons


@pytest.fixture
def scripted() -> Iterator[ScriptedBroker]:
    """A scripted Pact Broker whose matrix shows web 1.0's pact verified by api 2.0."""
    server = ScriptedBroker()
    row = {
        "consumer": {"name": "web", "version": {"number": "1.0"}},
        "provider": {"name": "api", "version": {"number": "2.0"}},
        "verificationResult": {"success": True},
    }
    matrix = {"summary": {"deployable": True, "reason": "all verified"}, "matrix": [row]}
    server.on("GET", "/matrix", Answer(200, matrix))
    yield server
    server.close()


def test_the_pact_broker_client_answers_every_form_with_a_decision(
    scripted: ScriptedBroker, tmp_path: Path
) -> None:
    """Over HTTP too, the contract form, the pacticipant form and the client return a decision."""
    pact = _pact(tmp_path)
    with PactBrokerClient(scripted.url, retries=0) as client:
        by_contract = _check_whole(can_i_deploy(pact, "1.0", broker=client))
        by_pacticipant = _check_whole(can_i_deploy(pacticipant="web", version="1.0", broker=client))
        direct = _check_whole(client.can_i_deploy("web", "1.0"))
        assert is_deployable(pact, "1.0", broker=client) is True
    assert (by_contract.ok, by_pacticipant.ok, direct.ok) == (True, True, True)
    assert by_contract.reasons == ("the pact of web 1.0 with api 2.0 is verified successfully",)
    assert direct.reasons == ("all verified",)
