"""What a verification selects: nothing selected is an error, fail_fast, and the app's traceback."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import pactdsl
from pactdsl import define_contract, generate_pact, interaction, message
from pactdsl._dsl import Contract
from pactdsl._http import JsonHttpClient, TransportFailure, open_transport
from pactdsl._verify import (
    VerificationConfigError,
    format_verification_report,
    verification_report_json,
    verification_report_junit,
    verify_provider,
)


def _orders(token: str | None = None) -> Contract:
    token = token or uuid.uuid4().hex[:8]
    return define_contract(
        f"orders_{token}",
        consumer=f"shop-{token}",
        provider=f"orders-{token}",
        interactions=[
            interaction("get order")
            .given("order 1 exists")
            .request(method="GET", path="/orders/1")
            .responds(status=200, body={"id": 1}),
            interaction("list orders").request(method="GET", path="/orders").responds(status=200),
            interaction("delete order").request(method="DELETE", path="/orders/1").responds(204),
        ],
    )


def only_get_order(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Answers "get order" right and everything else with 500."""
    if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/orders/1":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"id": 1}']
    start_response("500 Internal Server Error", [])
    return [b""]


def _no_op(state: str) -> None:
    """A state setup with nothing to do: the test app is always in every state."""


@pytest.mark.usefixtures("clean_registry")
def test_a_description_filter_matching_nothing_is_an_error_naming_what_exists() -> None:
    """A typo in filter_description raises, listing the descriptions and states there are."""
    with pytest.raises(VerificationConfigError) as caught:
        verify_provider(_orders(), app=only_get_order, filter_description="get ordr")
    message = str(caught.value)
    assert "filter_description='get ordr' matched none of the 3 interactions" in message
    assert "'get order', 'list orders', 'delete order'" in message
    assert "'order 1 exists'" in message
    assert "allow_empty=True" in message


@pytest.mark.usefixtures("clean_registry")
def test_allow_empty_accepts_an_empty_selection() -> None:
    """allow_empty=True turns the empty selection into an empty, successful result."""
    result = verify_provider(
        _orders(), app=only_get_order, filter_state="no such state", allow_empty=True
    )
    assert (result.total, result.success) == (0, True)


@pytest.mark.usefixtures("clean_registry")
def test_a_state_filter_matching_nothing_names_the_filter() -> None:
    """The error names every filter given, here filter_state."""
    with pytest.raises(VerificationConfigError, match="filter_state='order 2 exists' matched none"):
        verify_provider(_orders(), app=only_get_order, filter_state="order 2 exists")


def test_a_folder_without_pacts_is_an_error_unless_allowed(tmp_path: Path) -> None:
    """An empty folder raises with the allow_empty hint; allow_empty=True verifies nothing."""
    with pytest.raises(VerificationConfigError, match=r"without pact files.*allow_empty=True"):
        verify_provider(tmp_path, app=only_get_order)
    assert verify_provider(tmp_path, app=only_get_order, allow_empty=True).total == 0
    with pytest.raises(VerificationConfigError, match="source=\\[\\] names no pacts"):
        verify_provider([], app=only_get_order)


@pytest.mark.usefixtures("clean_registry")
def test_messages_without_producers_select_nothing_and_say_why(tmp_path: Path) -> None:
    """A messages-only pact verified with no message_producers is refused, saying what to pass."""
    token = uuid.uuid4().hex[:8]
    events = define_contract(
        f"events_{token}",
        consumer=f"listener-{token}",
        provider=f"events-{token}",
        interactions=[message("an order created event").with_content({"id": 1})],
    )
    file = generate_pact(events, output=tmp_path, spec="4.0")
    with pytest.raises(VerificationConfigError, match="pass message_producers="):
        verify_provider(file, app=only_get_order)


@pytest.mark.usefixtures("clean_registry")
def test_fail_fast_stops_inside_a_pact() -> None:
    """fail_fast stops at the first failing interaction and says how many were left."""
    result = verify_provider(_orders(), app=only_get_order, state_setup=_no_op, fail_fast=True)
    assert [e.description for e in result.entries] == ["get order", "list orders"]
    assert result.notices == (
        "fail_fast=True: stopped after the first failure; 1 interaction(s) not verified",
    )
    assert "fail_fast=True" in format_verification_report(result)
    assert verify_provider(_orders(), app=only_get_order).total == 3


@pytest.mark.usefixtures("clean_registry")
def test_filter_consumer_applies_to_sources_too(tmp_path: Path) -> None:
    """filter_consumer picks pacts of a folder by consumer name."""
    first, second = _orders(), _orders()
    generate_pact(first, output=tmp_path)
    generate_pact(second, output=tmp_path)
    result = verify_provider(tmp_path, app=only_get_order, filter_consumer=first.pact.consumer)
    assert {e.consumer for e in result.entries} == {first.pact.consumer}


# --------------------------------------------------------------------------
# The app's traceback


def _lookup(order_id: str) -> dict[str, Any]:
    return {"id": int(order_id) // 0}


def raising_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """A WSGI app whose helper raises ZeroDivisionError."""
    body = _lookup(environ["PATH_INFO"].rsplit("/", 1)[-1])
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


async def raising_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app whose helper raises ZeroDivisionError."""
    body = _lookup(scope["path"].rsplit("/", 1)[-1])
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize("app", [raising_wsgi, raising_asgi], ids=["wsgi", "asgi"])
def test_an_app_that_raises_gives_its_own_frames_in_the_error(app: Any) -> None:
    """The errored entry carries the traceback from the app's first frame, shown in every report."""
    result = verify_provider(_orders(), app=app, filter_description="get order")
    [error] = result.errors
    lines = error.traceback.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert f"in {app.__name__}" in lines[1]
    assert any("in _lookup" in line for line in lines)
    assert lines[-1] == "ZeroDivisionError: integer division or modulo by zero"
    # Judged by the frames' files, not by words: a checkout may live in a folder named pactdsl.
    frames = [Path(f) for f in re.findall(r'^  File "([^"]+)"', error.traceback, re.MULTILINE)]
    assert frames, error.traceback
    for package in (pactdsl, httpx):
        assert package.__file__ is not None
        folder = Path(package.__file__).resolve().parent
        assert not [f for f in frames if f.resolve().is_relative_to(folder)], error.traceback
    report = format_verification_report(result)
    assert "   Traceback (most recent call last):\n" in report
    assert "   ZeroDivisionError: integer division or modulo by zero" in report
    assert verification_report_json(result)["interactions"][0]["error"]["traceback"] == (
        error.traceback
    )
    assert "in _lookup" in verification_report_junit(result)


@pytest.mark.parametrize("app", [raising_wsgi, raising_asgi], ids=["wsgi", "asgi"])
def test_transport_failure_carries_the_apps_exception(app: Any) -> None:
    """TransportFailure.error is the very exception the app raised, traceback and all."""
    transport = open_transport(
        base_url=None, app=app, timeout=5.0, follow_redirects=False, verify_tls=True
    )
    try:
        with pytest.raises(TransportFailure) as caught:
            transport.send("GET", transport.url_for("/orders/1"), [], None)
    finally:
        transport.close()
    failure = caught.value
    assert failure.reason == "app"
    assert isinstance(failure.error, ZeroDivisionError)
    assert failure.detail == f"ZeroDivisionError: {failure.error}"
    assert failure.error.__traceback__ is not None
    assert failure.__suppress_context__  # `raise ... from None`: no chained traceback shown


def test_transport_failure_without_an_answer_carries_the_network_error() -> None:
    """A refused connection or a garbled URL keeps the library's exception in .error."""
    with JsonHttpClient(timeout=2.0) as client, pytest.raises(TransportFailure) as caught:
        client.send("GET", "http://127.0.0.1:9/")
    assert caught.value.reason == "connect"
    assert caught.value.error is not None
    assert caught.value.detail.startswith(f"{type(caught.value.error).__name__}: ")
    transport = open_transport(
        base_url="http://127.0.0.1:9",
        app=None,
        timeout=2.0,
        follow_redirects=False,
        verify_tls=True,
    )
    try:
        with pytest.raises(TransportFailure) as away:
            transport.url_for("@elsewhere.example/x")
        with pytest.raises(TransportFailure) as garbled:
            transport.url_for(".elsewhere.example/x")
    finally:
        transport.close()
    assert (away.value.reason, away.value.error) == ("unsafe", None)
    assert garbled.value.reason == "unsafe"
    assert "start it with '/'" in str(garbled.value)
    assert type(garbled.value.error).__name__ == "InvalidURL"


@pytest.mark.usefixtures("clean_registry")
def test_a_provider_that_cannot_be_reached_has_no_traceback() -> None:
    """Only an in-process app's exception carries a traceback; a refused connection does not."""
    result = verify_provider(
        _orders(), base_url="http://127.0.0.1:9", filter_description="get order", timeout=2
    )
    [error] = result.errors
    assert error.traceback == ""
    assert "Traceback" not in format_verification_report(result)


@pytest.mark.usefixtures("clean_registry")
def test_fail_fast_says_nothing_when_the_failure_was_the_last_interaction() -> None:
    """A failure in the last selected interaction leaves nothing unverified, so no notice."""
    result = verify_provider(
        _orders(),
        app=only_get_order,
        state_setup=_no_op,
        filter_description="get order|list orders",
        fail_fast=True,
    )
    assert [e.description for e in result.entries] == ["get order", "list orders"]
    assert result.notices == ()


@pytest.mark.usefixtures("clean_registry")
def test_an_allowed_empty_run_publishes_nothing(tmp_path: Path) -> None:
    """With allow_empty, a pact of which nothing was verified gets no published result."""
    from pactdsl.broker import LocalBroker, publish

    token = uuid.uuid4().hex[:8]
    events = define_contract(
        f"events_{token}",
        consumer=f"listener-{token}",
        provider=f"events-{token}",
        interactions=[message("an order created event").with_content({"id": 1})],
    )
    with LocalBroker(tmp_path / "broker.db") as broker:
        publish(events, "1.0.0", broker=broker)
        result = verify_provider(
            events,
            app=only_get_order,
            allow_empty=True,
            broker=broker,
            provider_version="p1",
            publish_results=True,
        )
    assert result.published == ()
    assert result.notices == (f"results not published for listener-{token}: nothing was verified",)


@pytest.mark.usefixtures("clean_registry")
def test_provider_states_without_a_way_to_set_them_up_get_a_notice() -> None:
    """With states but no state_setup/state_change_url, a notice names them; nothing fails."""
    orders = _orders()
    result = verify_provider(
        orders, app=only_get_order, filter_description="get order", state_teardown=_no_op
    )
    notice = (
        "provider states not set up (no state_setup= or state_change_url= given): "
        "'order 1 exists'; the provider must already be in them, or pass state_setup= "
        "or state_change_url= to set them up"
    )
    assert result.success
    assert result.notices == (notice,)
    assert f"Notices:\n--------\n- {notice}\n" in format_verification_report(result)
    assert verification_report_json(result)["notices"] == [notice]
    with_setup = verify_provider(
        orders, app=only_get_order, filter_description="get order", state_setup=_no_op
    )
    assert with_setup.notices == ()
    stateless = verify_provider(orders, app=only_get_order, filter_description="list orders")
    assert stateless.notices == ()


@pytest.mark.usefixtures("clean_registry")
def test_message_states_without_setup_get_the_notice_too() -> None:
    """A message's provider states that nothing set up are named in the same notice."""
    token = uuid.uuid4().hex[:8]
    events = define_contract(
        f"events_{token}",
        consumer=f"listener-{token}",
        provider=f"events-{token}",
        interactions=[
            message("order created").given("an order", id=1).with_content({"id": 1}),
            message("order paid").given("a paid order").with_content({"id": 2}),
        ],
    )
    result = verify_provider(
        events,
        message_producers={"an order": lambda: {"id": 1}, "a paid order": lambda: {"id": 2}},
    )
    assert result.success
    (notice,) = result.notices
    assert notice.startswith(
        "provider states not set up (no state_setup= or state_change_url= given): "
        "'an order', 'a paid order'; "
    )
