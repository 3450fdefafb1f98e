"""The pytest plugin and message contracts: pact_messages, no silent marker, ini pact_port."""

from __future__ import annotations

import json
import textwrap

import pytest

import pactdsl
import pactdsl._mock
import pactdsl.match
from tests.test_pytest_plugin import _plugin_args

pytest_plugins = ["pytester"]

# As in test_pytest_plugin: import the lazy exports once, outside pytester's runs.
_IMPORTED_ONCE = (pactdsl.define_contract, pactdsl.message, pactdsl._mock, pactdsl.match)

_EVENTS = textwrap.dedent(
    """
    import pytest

    from pactdsl import define_contract, message
    from pactdsl.match import integer

    events = define_contract(
        "plugin_events",
        consumer="billing",
        provider="orders",
        interactions=[
            message("order created").with_content({"id": integer(1)}, metadata={"topic": "o"}),
            message("order paid").with_content({"id": integer(2)}),
        ],
    )
    SEEN = []
    """
)


def test_pact_messages_feeds_the_handler_and_writes_the_message_pact(
    pytester: pytest.Pytester,
) -> None:
    """pact_messages(handler) runs each selected message through the handler; the pact follows."""
    pytester.makepyfile(
        test_events=_EVENTS
        + textwrap.dedent(
            """
            @pytest.mark.pact(events)
            def test_handles_every_event(pact_messages):
                pact_messages(lambda contents, metadata: SEEN.append(contents["id"]))
                assert SEEN == [1, 2]
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["wrote pacts/billing-orders.json: 2 interaction(s)*"])
    written = json.loads((pytester.path / "pacts" / "billing-orders.json").read_text())
    assert [m["description"] for m in written["messages"]] == ["order created", "order paid"]


def test_a_failing_handler_fails_the_test_and_holds_the_pact_back(
    pytester: pytest.Pytester,
) -> None:
    """A handler raising on a message fails the test with the report; nothing is written."""
    pytester.makepyfile(
        test_events=_EVENTS
        + textwrap.dedent(
            """
            def refuse_paid(contents):
                if contents["id"] == 2:
                    raise ValueError("cannot bill a paid order")

            @pytest.mark.pact(events)
            def test_handles_every_event(pact_messages):
                pact_messages(refuse_paid)
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*order paid*ValueError: cannot bill a paid order*"])
    assert not (pytester.path / "pacts" / "billing-orders.json").exists()


def test_a_marked_test_using_no_fixture_is_named_in_the_summary(
    pytester: pytest.Pytester,
) -> None:
    """@pytest.mark.pact on a test that uses neither fixture is said, not silently passed by."""
    pytester.makepyfile(
        test_events=_EVENTS
        + textwrap.dedent(
            """
            @pytest.mark.pact(events)
            def test_forgets_the_fixture():
                assert True
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "exercised nothing: 1 test(s) marked @pytest.mark.pact use neither pact_mock (HTTP) "
            "nor pact_messages (messages)*test_forgets_the_fixture*"
        ]
    )


def test_overwrite_names_what_it_drops_from_the_file(pytester: pytest.Pytester) -> None:
    """--pact-write-mode overwrite warns naming the messages a file held and no longer does."""
    pacts = pytester.path / "pacts"
    pacts.mkdir()
    (pacts / "billing-orders.json").write_text(
        json.dumps(
            {
                "consumer": {"name": "billing"},
                "provider": {"name": "orders"},
                "messages": [{"description": "written by hand", "contents": {"a": 1}}],
                "metadata": {"pactSpecification": {"version": "3.0.0"}},
            }
        )
    )
    pytester.makepyfile(
        test_events=_EVENTS
        + textwrap.dedent(
            """
            @pytest.mark.pact(events)
            def test_handles_every_event(pact_messages):
                pact_messages(lambda contents: None)
            """
        )
    )
    result = pytester.runpytest(*_plugin_args(), "--pact-write-mode", "overwrite")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "  warning: --pact-write-mode overwrite dropped from pacts/billing-orders.json: "
            "'written by hand'*"
        ]
    )


def test_ini_pact_port_gives_every_marker_a_real_socket(pytester: pytest.Pytester) -> None:
    """pact_port = 0 in the ini options: the mock listens on 127.0.0.1 for urllib clients."""
    pytester.makeini("[pytest]\npact_port = 0\n")
    pytester.makepyfile(
        test_port=textwrap.dedent(
            """
            import json
            import urllib.request

            import pytest

            from pactdsl import define_contract, interaction

            api = define_contract(
                "plugin_port",
                consumer="web",
                provider="api",
                interactions=[interaction("ping").request(method="GET", path="/ping").responds(
                    200, body={"ok": True})],
            )

            @pytest.mark.pact(api)
            def test_ping_over_a_socket(pact_mock):
                assert pact_mock.url.startswith("http://127.0.0.1:")
                with urllib.request.urlopen(pact_mock.url + "/ping") as answer:
                    assert json.load(answer) == {"ok": True}
            """
        )
    )
    pytester.runpytest(*_plugin_args()).assert_outcomes(passed=1)
    pytester.makeini("[pytest]\npact_port = socket\n")
    refused = pytester.runpytest(*_plugin_args())
    refused.stderr.fnmatch_lines(["*pact_port='socket' must be empty (in-process), 0*"])
