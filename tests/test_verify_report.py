"""Verification reports: the seed's text layout (compared in full), JSON and JUnit XML."""

from __future__ import annotations

import io
import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

from pactdsl import define_contract, get_contract, interaction
from pactdsl._verify import (
    ContractVerificationResult,
    format_verification_report,
    verification_report_json,
    verification_report_junit,
    verify_provider,
)
from pactdsl.match import integer

pytestmark = pytest.mark.usefixtures("clean_registry")

Route = tuple[int, Any]


def routes_app(routes: dict[tuple[str, str], Route]) -> Callable[..., Any]:
    """A hand-written ASGI app answering JSON (or nothing) from a route table."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        status, body = routes.get((scope["method"], scope["path"]), (404, None))
        payload = b"" if body is None else json.dumps(body).encode()
        headers = [(b"content-type", b"application/json")] if body is not None else []
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def seed_scenario() -> ContractVerificationResult:
    """The seed's example: 10 interactions, "process refund" and "get payment status" fail."""
    routes: dict[tuple[str, str], Route] = {
        ("POST", "/refunds"): (500, None),
        ("GET", "/payments/1/status"): (200, {"status": "pending"}),
    }
    items = [
        interaction("process refund")
        .request(method="POST", path="/refunds", body={"payment": 1})
        .responds(status=200),
        interaction("get payment status")
        .request(method="GET", path="/payments/1/status")
        .responds(status=200, body={"status": "success"}),
    ]
    for number in range(8):
        routes[("GET", f"/payments/{number}")] = (200, {"id": number, "amount": 10 * number})
        items.insert(
            number % 3,
            interaction(f"get payment {number}")
            .request(method="GET", path=f"/payments/{number}")
            .responds(status=200, body={"id": number, "amount": integer(1)}),
        )
    contract = define_contract(
        "seed-report", consumer="checkout-app", provider="payment-service", interactions=items
    )
    return verify_provider(contract, app=routes_app(routes))


SEED_REPORT = """\
Contract Verification Results
==============================
Provider: payment-service
Consumer: checkout-app

Passed: 8/10 interactions

Failed Interactions:
--------------------
1. "process refund"
   Expected status: 200
   Actual status: 500
   Request: POST /refunds
   Request headers: Content-Type: application/json

2. "get payment status"
   Expected body.status: "success"
   Actual body.status: "pending"
   Request: GET /payments/1/status
   Body at body:
   - {"status": "success"}
   + {"status": "pending"}
"""


def test_text_report_is_exactly_the_seed_layout() -> None:
    """The seed's scenario renders to the seed's report, character for character."""
    assert format_verification_report(seed_scenario()) == SEED_REPORT


def test_text_report_is_written_to_the_stream() -> None:
    """With a stream, the same text is written to it and returned."""
    stream = io.StringIO()
    text = format_verification_report(seed_scenario(), stream)
    assert stream.getvalue() == text == SEED_REPORT


def test_all_passing_report_stops_after_the_count() -> None:
    """A fully passing result has no failure or error sections."""
    contract = define_contract(
        "all-pass",
        consumer="c",
        provider="p",
        interactions=[interaction("ping").request(path="/ping").responds(status=200)],
    )
    result = verify_provider(contract, app=routes_app({("GET", "/ping"): (200, {})}))
    assert format_verification_report(result) == (
        "Contract Verification Results\n"
        "==============================\n"
        "Provider: p\n"
        "Consumer: c\n"
        "\n"
        "Passed: 1/1 interactions\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_errors_type_rules_missing_fields_and_pending_are_reported() -> None:
    """Errors get their own section; rule and missing-key mismatches add a Reason line."""
    contract = define_contract(
        "mixed",
        consumer="c",
        provider="p",
        interactions=[
            interaction("typed")
            .request(path="/typed")
            .responds(status=200, body={"count": integer(1), "name": "x"}),
            interaction("later").pending().request(path="/later").responds(status=201),
            interaction("broken state")
            .given("db is seeded")
            .request(path="/typed")
            .responds(status=200),
        ],
    )

    def setup(state: str) -> None:
        raise RuntimeError("db unreachable")

    app = routes_app({("GET", "/typed"): (200, {"count": "one"}), ("GET", "/later"): (200, {})})
    result = verify_provider(
        contract, app=app, state_setup=lambda s: setup(s) if s == "db is seeded" else None
    )
    assert format_verification_report(result) == (
        "Contract Verification Results\n"
        "==============================\n"
        "Provider: p\n"
        "Consumer: c\n"
        "\n"
        "Passed: 0/3 interactions\n"
        "\n"
        "Failed Interactions:\n"
        "--------------------\n"
        '1. "typed"\n'
        "   Expected body.count: 1\n"
        '   Actual body.count: "one"\n'
        "   Reason: expected an integer at $.body.count, got 'one' (string)\n"
        '   Expected body.name: "x"\n'
        "   Actual body.name: (missing)\n"
        "   Reason: missing key 'name' at $.body (expected 'x' (string))\n"
        "   Request: GET /typed\n"
        "   Body at body:\n"
        '   - {"count": 1, "name": "x"}\n'
        '   + {"count": "one"}\n'
        "\n"
        '2. "later" (pending: does not fail verification)\n'
        "   Expected status: 201\n"
        "   Actual status: 200\n"
        "   Request: GET /later\n"
        "\n"
        "Errors:\n"
        "-------\n"
        '1. "broken state"\n'
        "   Error during state setup: state_setup for 'db is seeded' raised "
        "RuntimeError: db unreachable\n"
    )


def test_json_report_lists_every_interaction_in_order() -> None:
    """The JSON report is serialisable and holds summary, statuses and mismatches."""
    report = verification_report_json(seed_scenario())
    again = json.loads(json.dumps(report))
    assert again["summary"] == {
        "total": 10,
        "passed": 8,
        "failed": 2,
        "errors": 0,
        "notVerified": 0,
        "pending": 0,
    }
    assert again["success"] is False
    statuses = {i["description"]: i["status"] for i in again["interactions"]}
    assert statuses["process refund"] == "failed"
    assert statuses["get payment 0"] == "passed"
    refund = next(i for i in again["interactions"] if i["description"] == "process refund")
    assert refund["mismatches"][0]["path"] == "$.status"
    pact_order = [i.description for i in get_contract("seed-report").interactions]
    assert [i["description"] for i in again["interactions"]] == pact_order


def test_junit_report_is_valid_xml_with_one_testcase_per_interaction() -> None:
    """The JUnit XML parses, counts failures, and has one testcase per interaction."""
    root = ET.fromstring(verification_report_junit(seed_scenario()))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("tests") == "10"
    assert suite.get("failures") == "2"
    cases = suite.findall("testcase")
    assert len(cases) == 10
    failing = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert set(failing) == {"process refund", "get payment status"}
    refund = failing["process refund"]
    assert refund is not None
    assert "Expected status: 200" in (refund.text or "")
    assert root.get("failures") == "2"


def test_junit_reports_errors_and_pending_as_skipped() -> None:
    """A refused connection is a JUnit <error>; a failing pending interaction is <skipped>."""
    contract = define_contract(
        "junit-mixed",
        consumer="c",
        provider="p",
        interactions=[
            interaction("down").given("s\x01tate").request(path="/a").responds(status=200),
            interaction("soon").pending().request(path="/b").responds(status=200),
        ],
    )
    result = verify_provider(contract, base_url=f"http://127.0.0.1:{_free_port()}")
    root = ET.fromstring(verification_report_junit(result))
    cases = root.findall("testsuite/testcase")
    assert cases[0].find("error") is not None
    assert cases[0].get("name") == "down (given s\N{REPLACEMENT CHARACTER}tate)"
    assert cases[1].find("skipped") is not None
    assert root.get("errors") == "1"
    assert root.get("skipped") == "1"


def _price_list_scenario() -> ContractVerificationResult:
    """A provider answering ten prices as strings, with a state, a query and a secret header."""
    from pactdsl.match import decimal, each_like

    contract = define_contract(
        "price-list",
        consumer="till",
        provider="prices",
        interactions=[
            interaction("list prices")
            .given("prices exist", currency="EUR")
            .request(
                method="GET",
                path="/prices",
                query={"page": "2"},
                headers={"Accept": "application/json", "Authorization": "Bearer example"},
            )
            .responds(status=200, body={"items": each_like({"id": 1, "price": decimal(9.99)})})
        ],
    )
    items = [{"id": n, "price": f"{n}.00"} for n in range(10)]
    app = routes_app({("GET", "/prices"): (200, {"items": items})})
    return verify_provider(
        contract,
        app=app,
        state_setup=lambda state: None,
        headers={"Authorization": "Bearer real-secret"},
    )


PRICE_LIST_FAILURE = (
    '1. "list prices"\n'
    "   Expected body.items[0..9].price: 9.99\n"
    '   Actual body.items[0..9].price: "0.00", "1.00", "2.00", … (10 items)\n'
    "   Reason: expected a decimal number at $.body.items[0].price, got '0.00' (string) "
    "(the same in 10 items)\n"
    '   Given: "prices exist" (currency="EUR")\n'
    "   Request: GET /prices?page=2\n"
    "   Request headers: Accept: application/json, Authorization: <redacted>\n"
    "   Body at body.items[0]:\n"
    '   - {"id": 1, "price": 9.99}\n'
    '   + {"id": 0, "price": "0.00"}\n'
)


def test_failure_report_groups_list_items_and_shows_states_request_and_body() -> None:
    """Ten identical item mismatches are one entry; states, request and a body excerpt follow."""
    report = format_verification_report(_price_list_scenario())
    assert report.endswith("--------------------\n" + PRICE_LIST_FAILURE)
    assert "real-secret" not in report


def test_json_and_junit_carry_the_same_failure_facts() -> None:
    """JSON holds the groups, the request and the excerpt; JUnit's failure text is the report's."""
    result = _price_list_scenario()
    (entry,) = verification_report_json(result)["interactions"]
    assert entry["mismatchGroups"] == [
        {
            "path": "$.body.items[0..9].price",
            "count": 10,
            "message": "expected a decimal number at $.body.items[0].price, got '0.00' (string)",
        }
    ]
    assert len(entry["mismatches"]) == 10
    assert entry["request"] == {
        "method": "GET",
        "path": "/prices",
        "query": [["page", "2"]],
        "headers": [["Accept", "application/json"], ["Authorization", "<redacted>"]],
    }
    assert entry["bodyExcerpts"] == [
        {
            "path": "$.body.items[0]",
            "expected": {"id": 1, "price": 9.99},
            "actual": {"id": 0, "price": "0.00"},
            "present": True,
        }
    ]
    failure = ET.fromstring(verification_report_junit(result)).find("testsuite/testcase/failure")
    assert failure is not None
    expected_text = "\n".join(
        line.removeprefix("   ") for line in PRICE_LIST_FAILURE.splitlines()[1:]
    )
    assert failure.text == expected_text


def test_body_excerpts_are_cut_to_a_few_items_and_keys() -> None:
    """A long list or a wide object in an excerpt shows a few entries and how many were left out."""
    contract = define_contract(
        "wide-body",
        consumer="c",
        provider="p",
        interactions=[
            interaction("wide")
            .request(path="/wide")
            .responds(status=200, body={"missing": 1, "other": 2})
        ],
    )
    body = {"other": 2, "list": list(range(100)), **{f"k{n}": n for n in range(20)}}
    result = verify_provider(contract, app=routes_app({("GET", "/wide"): (200, body)}))
    (entry,) = verification_report_json(result)["interactions"]
    (excerpt,) = entry["bodyExcerpts"]
    assert excerpt["actual"] == {
        "other": 2,
        "list": [0, 1, 2, "… (97 more)"],
        **{f"k{n}": n for n in range(6)},
        "…": "14 more keys",
    }


def test_v4_comments_are_shown_for_passing_and_failing_interactions() -> None:
    """An interaction's comments appear in its failure entry, or under Comments: when it passed."""
    contract = define_contract(
        "commented",
        consumer="c",
        provider="p",
        interactions=[
            interaction("ping").comment("the health check").request(path="/ping").responds(200),
            interaction("typed")
            .comment("counts are integers")
            .request(path="/typed")
            .responds(status=200, body={"count": integer(1)}),
        ],
    )
    app = routes_app({("GET", "/ping"): (200, {}), ("GET", "/typed"): (200, {"count": "one"})})
    result = verify_provider(contract, app=app)
    report = format_verification_report(result)
    assert '\nComments:\n---------\n1. "ping"\n   Comment: the health check\n' in report
    assert '   + {"count": "one"}\n   Comment: counts are integers\n' in report
    entries = verification_report_json(result)["interactions"]
    assert [e.get("comments") for e in entries] == [
        {"text": ["the health check"]},
        {"text": ["counts are integers"]},
    ]
