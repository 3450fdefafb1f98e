"""The pytest plugin: `pact_mock` fixture, `pact` marker, pact files written at session end.

Each test runs a small pytest session with `pytester` (in-process, or in a
subprocess for xdist) and looks at its outcome, its terminal summary and the
pact files it wrote.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import pactdsl
import pactdsl._mock
import pactdsl.match

pytest_plugins = ["pytester"]

# pytester's in-process runs drop the modules first imported inside them, while
# the `pactdsl` package caches its lazy exports: import them out here once, so
# every run sees one `_dsl` and one `_matchers` (not a stale mix of two).
_IMPORTED_ONCE = (pactdsl.define_contract, pactdsl.interaction, pactdsl._mock, pactdsl.match)


def _plugin_args() -> list[str]:
    """Load the plugin explicitly unless its pytest11 entry point is installed."""
    installed = any(
        ep.value == "pactdsl.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )
    return [] if installed else ["-p", "pactdsl.pytest_plugin"]


def _contract_module(consumer: str, count: int) -> str:
    """Source of a module declaring `contract_under_test` with `count` interactions."""
    return textwrap.dedent(
        f"""
        import httpx
        import pytest

        from pactdsl import define_contract, interaction
        from pactdsl.match import integer

        contract_under_test = define_contract(
            "{consumer}_contract",
            consumer="{consumer}",
            provider="{consumer}-provider",
            interactions=[
                interaction(f"get item {{n}}")
                .given(f"item {{n}} exists")
                .request(method="GET", path=f"/items/{{n}}")
                .responds(status=200, body={{"id": integer(n)}})
                for n in range({count})
            ],
        )
        """
    )


def _pact_file(folder: Path, consumer: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (folder / f"{consumer}-{consumer}-provider.json").read_text()
    )
    return document


def test_passing_tests_write_one_pact_with_what_they_exercised(pytester: pytest.Pytester) -> None:
    """Three tests, each exercising one interaction, write one pact holding all three."""
    pytester.makepyfile(
        test_items=_contract_module("plugin-basic", 3)
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test, interactions="get item 0")
            def test_item_0(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/0").json() == {"id": 0}

            @pytest.mark.pact(contract_under_test, interactions="get item 1")
            def test_item_1(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/1").status_code == 200

            @pytest.mark.pact(contract_under_test, given="item 2 exists")
            def test_item_2(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/2").status_code == 200
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        ["*pactdsl*", "wrote pacts/plugin-basic-plugin-basic-provider.json: 3 interaction(s)*"]
    )
    pact = _pact_file(pytester.path / "pacts", "plugin-basic")
    assert [i["description"] for i in pact["interactions"]] == [
        "get item 0",
        "get item 1",
        "get item 2",
    ]
    assert pact["metadata"]["pactSpecification"]["version"] == "3.0.0"


def test_only_exercised_interactions_are_written(pytester: pytest.Pytester) -> None:
    """A contract's interactions that no passing test exercised stay out of the pact."""
    pytester.makepyfile(
        test_partial=_contract_module("plugin-partial", 3)
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test, interactions=["get item 2", "get item 0"])
            def test_two(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/2").status_code == 200
                assert httpx.get(f"{pact_mock.url}/items/0").status_code == 200
            """
        )
    )
    pytester.runpytest(*_plugin_args()).assert_outcomes(passed=1)
    pact = _pact_file(pytester.path / "pacts", "plugin-partial")
    assert [i["description"] for i in pact["interactions"]] == ["get item 0", "get item 2"]


def test_a_failing_test_holds_its_contract_back(pytester: pytest.Pytester) -> None:
    """One failing test means no pact for its contract, and the summary says which test."""
    pytester.makepyfile(
        test_fail=_contract_module("plugin-fail", 2)
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test, interactions="get item 0")
            def test_passes(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/0").status_code == 200

            @pytest.mark.pact(contract_under_test, interactions="get item 1")
            def test_fails(pact_mock):
                httpx.get(f"{pact_mock.url}/items/1")
                assert False, "the consumer's own bug"
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["not written: plugin-fail-plugin-fail-provider, because 1 test(s) failed: *test_fails"]
    )
    assert not (pytester.path / "pacts").exists()


def test_failing_test_keeps_its_own_error(pytester: pytest.Pytester) -> None:
    """A test that fails before calling the mock reports its own error, not the mock's."""
    pytester.makepyfile(
        test_own_error=_contract_module("plugin-own", 1)
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test)
            def test_fails_early(pact_mock):
                raise ValueError("boom before any request")
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ValueError: boom before any request*"])
    assert "MockMismatchError" not in result.stdout.str()


def test_unmet_interaction_is_an_error_at_teardown(pytester: pytest.Pytester) -> None:
    """A passing test that never sends an expected request errors at teardown; no pact."""
    pytester.makepyfile(
        test_unmet=_contract_module("plugin-unmet", 2)
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test)
            def test_sends_only_one(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/0").status_code == 200
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_sends_only_one*",
            "Mock provider for plugin-unmet -> plugin-unmet-provider at *: 1 problem",
            "  - Interaction 'get item 1' (given 'item 1 exists') was never received: "
            "expected GET /items/1",
        ]
    )
    _assert_no_fixture_source(result)
    assert not (pytester.path / "pacts").exists()


def _assert_no_fixture_source(result: pytest.RunResult) -> None:
    """The plugin's own code (the fixture's body) is not printed before the message."""
    output = result.stdout.str()
    assert "def pact_mock" not in output
    assert "create_mock_provider(" not in output
    assert "pytest_plugin.py" not in output


_ORDER_MODULE = textwrap.dedent(
    """
    import httpx
    import pytest

    from pactdsl import define_contract, interaction
    from pactdsl.match import integer

    orders = define_contract(
        "plugin-report_contract",
        consumer="plugin-report",
        provider="plugin-report-provider",
        interactions=[
            interaction("order three")
            .request(method="POST", path="/orders", body={"qty": integer(3)})
            .responds(status=201, body={"id": integer(7)}),
            interaction("get order")
            .request(method="GET", path="/orders/7")
            .responds(status=200, body={"id": integer(7)}),
        ],
    )
    """
)


def test_failed_test_shows_the_mock_report(pytester: pytest.Pytester) -> None:
    """A test failing on the mock's 404 shows the report saying which field did not match."""
    pytester.makepyfile(
        test_report=_ORDER_MODULE
        + textwrap.dedent(
            """
            @pytest.mark.pact(orders, interactions="order three")
            def test_orders_three(pact_mock):
                httpx.post(f"{pact_mock.url}/orders", json={"qty": "three"}).raise_for_status()
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*HTTPStatusError*404*",
            "*- pactdsl mock provider -*",
            "Mock provider for plugin-report -> plugin-report-provider at *: 2 problems",
            "  - No interaction matches POST /orders amongst:",
            "    - 'order three': expected an integer at $.body.qty, got 'three' (string)",
            "  - Interaction 'order three' was never received: expected POST /orders",
        ]
    )


def test_passing_test_gets_no_report_section(pytester: pytest.Pytester) -> None:
    """A test that fails for its own reason while the mock got what it expects adds nothing."""
    pytester.makepyfile(
        test_quiet=_ORDER_MODULE
        + textwrap.dedent(
            """
            @pytest.mark.pact(orders, interactions="get order")
            def test_own_bug(pact_mock):
                assert httpx.get(f"{pact_mock.url}/orders/7").json() == {"id": 8}
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(failed=1)
    assert "pactdsl mock provider" not in result.stdout.str()


def test_unexpected_request_error_shows_only_the_report(pytester: pytest.Pytester) -> None:
    """A passing test that sent an unmatched request errors at teardown with the report alone."""
    pytester.makepyfile(
        test_unexpected=_ORDER_MODULE
        + textwrap.dedent(
            """
            @pytest.mark.pact(orders, interactions="get order")
            def test_strays(pact_mock):
                assert httpx.get(f"{pact_mock.url}/orders/7").status_code == 200
                assert httpx.get(f"{pact_mock.url}/orders/8").status_code == 404
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_strays*",
            "Mock provider for plugin-report -> plugin-report-provider at *: 1 problem",
            "  - No interaction matches GET /orders/8 amongst:",
            "    - 'get order': expected path '/orders/7', got '/orders/8'",
        ]
    )
    _assert_no_fixture_source(result)


def test_unknown_description_in_marker_is_a_clean_error(pytester: pytest.Pytester) -> None:
    """A marker naming a description the contract lacks errors at setup, listing the known ones."""
    pytester.makepyfile(
        test_unknown=_ORDER_MODULE
        + textwrap.dedent(
            """
            @pytest.mark.pact(orders, interactions="order four")
            def test_typo(pact_mock):
                pass
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_typo*",
            "test_unknown.py::test_typo: @pytest.mark.pact: *no interaction 'order four'*",
        ]
    )
    assert "known descriptions: ['order three', 'get order']" in result.stdout.str()
    _assert_no_fixture_source(result)
    assert "During handling" not in result.stdout.str()


def test_summary_counts_interactions_not_exercised(pytester: pytest.Pytester) -> None:
    """With -k, the summary says how many of the contract's interactions were not exercised."""
    pytester.makepyfile(
        test_some=_contract_module("plugin-some", 3)
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test, interactions="get item 0")
            def test_item_0(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/0").status_code == 200

            @pytest.mark.pact(contract_under_test, interactions="get item 1")
            def test_item_1(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/1").status_code == 200
            """
        )
    )
    first = pytester.runpytest(*_plugin_args())
    first.assert_outcomes(passed=2)
    first.stdout.fnmatch_lines(
        [
            "wrote pacts/plugin-some-plugin-some-provider.json: 2 interaction(s) from 2 passing*",
            "  not exercised in this session: 1 of the contract's 3 interaction(s): 'get item 2'",
        ]
    )
    merged = pytester.runpytest(*_plugin_args(), "-k", "test_item_1")
    merged.assert_outcomes(passed=1, deselected=1)
    merged.stdout.fnmatch_lines(
        [
            "wrote pacts/plugin-some-plugin-some-provider.json: 1 interaction(s) from 1 passing "
            "test(s); the file holds 2 (merge kept the others already in it)",
            "  not exercised in this session: 2 of the contract's 3 interaction(s): "
            "'get item 0', 'get item 2'",
        ]
    )
    assert "warning" not in merged.stdout.str()
    replaced = pytester.runpytest(
        *_plugin_args(), "-k", "test_item_1", "--pact-write-mode", "overwrite"
    )
    replaced.assert_outcomes(passed=1, deselected=1)
    replaced.stdout.fnmatch_lines(
        [
            "wrote pacts/plugin-some-plugin-some-provider.json: 1 interaction(s) from 1 passing "
            "test(s)",
            "  not exercised in this session: 2 of the contract's 3 interaction(s): *",
            "  warning: --pact-write-mode overwrite: pacts/plugin-some-plugin-some-provider.json "
            "now holds only the 1 interaction(s) exercised here*",
        ]
    )
    pact = _pact_file(pytester.path / "pacts", "plugin-some")
    assert [i["description"] for i in pact["interactions"]] == ["get item 1"]


def test_fixture_without_marker_says_what_to_do(pytester: pytest.Pytester) -> None:
    """Using `pact_mock` without `@pytest.mark.pact` fails with a message naming the marker."""
    pytester.makepyfile(
        test_nomarker="""
        def test_no_marker(pact_mock):
            pass
        """
    )
    result = pytester.runpytest(*_plugin_args())
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        ["*needs a contract; mark the test @pytest.mark.pact(my_contract)*"]
    )


def test_unknown_marker_keyword_is_rejected(pytester: pytest.Pytester) -> None:
    """A misspelt marker keyword is an error listing the accepted ones."""
    pytester.makepyfile(
        test_badkw=_contract_module("plugin-badkw", 1)
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test, interaction="get item 0")
            def test_typo(pact_mock):
                pass
            """
        )
    )
    result = pytester.runpytest(*_plugin_args())
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*unknown keyword(s)*interaction*"])


def test_spec_dir_and_overwrite_options(pytester: pytest.Pytester) -> None:
    """--pact-dir, --pact-spec 4.0 and --pact-write-mode overwrite shape the written file."""
    pytester.makepyfile(
        test_opts=_contract_module("plugin-opts", 2)
        + textwrap.dedent(
            """
            import os

            @pytest.mark.pact(contract_under_test, interactions=os.environ["WHICH"])
            def test_one(pact_mock):
                assert httpx.get(pact_mock.url + "/items/" + os.environ["WHICH"][-1]).is_success
            """
        )
    )
    out = pytester.path / "out"
    args = [*_plugin_args(), "--pact-dir", str(out), "--pact-spec", "4.0"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WHICH", "get item 0")
        pytester.runpytest(*args).assert_outcomes(passed=1)
        patch.setenv("WHICH", "get item 1")
        pytester.runpytest(*args).assert_outcomes(passed=1)
        merged = _pact_file(out, "plugin-opts")
        assert [i["description"] for i in merged["interactions"]] == ["get item 0", "get item 1"]
        assert merged["metadata"]["pactSpecification"]["version"] == "4.0"
        assert merged["interactions"][0]["type"] == "Synchronous/HTTP"
        patch.setenv("WHICH", "get item 0")
        pytester.runpytest(*args, "--pact-write-mode", "overwrite").assert_outcomes(passed=1)
    replaced = _pact_file(out, "plugin-opts")
    assert [i["description"] for i in replaced["interactions"]] == ["get item 0"]


def test_ini_keys_configure_the_plugin(pytester: pytest.Pytester) -> None:
    """pact_dir and pact_spec in the ini file work like the options."""
    pytester.makeini("[pytest]\npact_dir = contracts\npact_spec = 2.0.0\n")
    pytester.makepyfile(
        test_ini=_contract_module("plugin-ini", 1)
        .replace('.given(f"item {n} exists")', "")
        .replace("integer(n)", "n")
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test)
            def test_one(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/0").status_code == 200
            """
        )
    )
    pytester.runpytest(*_plugin_args()).assert_outcomes(passed=1)
    pact = _pact_file(pytester.path / "contracts", "plugin-ini")
    assert pact["metadata"]["pactSpecification"]["version"] == "2.0.0"


def test_contract_that_does_not_fit_the_spec_fails_the_run(pytester: pytest.Pytester) -> None:
    """A pact that cannot be written (V3 matcher, --pact-spec 2.0.0) is reported; the run fails."""
    pytester.makepyfile(
        test_v2=_contract_module("plugin-v2", 1).replace('.given(f"item {n} exists")', "")
        + textwrap.dedent(
            """
            @pytest.mark.pact(contract_under_test)
            def test_one(pact_mock):
                assert httpx.get(f"{pact_mock.url}/items/0").status_code == 200
            """
        )
    )
    result = pytester.runpytest(*_plugin_args(), "--pact-spec", "2.0.0")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["could not write plugin-v2-plugin-v2-provider: PactSpecError:*"])


def test_bad_spec_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--pact-spec with an unknown version stops the run at once with the accepted spellings."""
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest(*_plugin_args(), "--pact-spec", "9.9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--pact-spec: spec='9.9' is not a Pact specification version*"])


def test_marker_port_zero_serves_a_real_socket(pytester: pytest.Pytester) -> None:
    """`port=0` in the marker gives a mock on 127.0.0.1 that urllib can call."""
    pytester.makepyfile(
        test_socket=_contract_module("plugin-socket", 1)
        + textwrap.dedent(
            """
            import json, urllib.request

            @pytest.mark.pact(contract_under_test, port=0)
            def test_urllib(pact_mock):
                assert pact_mock.url.startswith("http://127.0.0.1:")
                with urllib.request.urlopen(pact_mock.url + "/items/0") as answer:
                    assert json.load(answer) == {"id": 0}
            """
        )
    )
    pytester.runpytest(*_plugin_args()).assert_outcomes(passed=1)
    assert (pytester.path / "pacts" / "plugin-socket-plugin-socket-provider.json").is_file()


def test_xdist_run_writes_one_pact_with_every_interaction(pytester: pytest.Pytester) -> None:
    """Under `-n 2` one pact holds every interaction; a failure on any worker holds one back."""
    passing = "\n".join(
        textwrap.dedent(
            f"""
            @pytest.mark.pact(contract_under_test, interactions="get item {n}")
            def test_item_{n}(pact_mock):
                assert httpx.get(f"{{pact_mock.url}}/items/{n}").json() == {{"id": {n}}}
            """
        )
        for n in range(8)
    )
    failing = "\n".join(
        textwrap.dedent(
            f"""
            @pytest.mark.pact(contract_under_test, interactions="get item {n}")
            def test_other_{n}(pact_mock):
                expected = {{"id": {n if n != 3 else -1}}}
                assert httpx.get(f"{{pact_mock.url}}/items/{n}").json() == expected
            """
        )
        for n in range(4)
    )
    pytester.makepyfile(
        test_xdist=_contract_module("plugin-xdist", 8) + passing,
        test_xdist_fail=_contract_module("plugin-xdist-fail", 4) + failing,
    )
    result = pytester.runpytest_subprocess(*_plugin_args(), "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=11, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*2 workers*",
            "wrote pacts/plugin-xdist-plugin-xdist-provider.json: 8 interaction(s)*",
            "not written: plugin-xdist-fail-*test_other_3",
        ]
    )
    pact = _pact_file(pytester.path / "pacts", "plugin-xdist")
    assert sorted(i["description"] for i in pact["interactions"]) == [
        f"get item {n}" for n in range(8)
    ]
    assert not (
        pytester.path / "pacts" / "plugin-xdist-fail-plugin-xdist-fail-provider.json"
    ).exists()


def test_plugin_module_imports_only_pytest() -> None:
    """Importing the plugin loads neither the mock, the verifier, httpx, respx nor hypothesis."""
    code = (
        "import sys; import pactdsl.pytest_plugin; "
        "heavy = ['pactdsl._mock', 'pactdsl._verify', 'pactdsl.broker', 'respx', 'hypothesis',"
        " 'pactdsl._cli']; "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_summary_names_interactions_kept_from_the_old_file_that_no_contract_declares(
    pytester: pytest.Pytester,
) -> None:
    """A renamed interaction lingers after a merge: the summary names it and how to drop it."""
    test_file = _contract_module("plugin-rename", 1) + textwrap.dedent(
        """
        @pytest.mark.pact(contract_under_test)
        def test_item(pact_mock):
            assert httpx.get(f"{pact_mock.url}/items/0").status_code == 200
        """
    )
    pytester.makepyfile(test_rename=test_file)
    pytester.runpytest(*_plugin_args()).assert_outcomes(passed=1)
    pytester.makepyfile(test_rename=test_file.replace('f"get item {n}"', 'f"fetch item {n}"'))
    result = pytester.runpytest(*_plugin_args())
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "wrote pacts/plugin-rename-plugin-rename-provider.json: 1 interaction(s) from 1 "
            "passing test(s); the file holds 2 (merge kept the others already in it)",
            "  warning: pacts/plugin-rename-plugin-rename-provider.json keeps 1 interaction(s) "
            "that no contract of this session declares: 'get item 0'; if they were renamed or "
            "removed, run the contract's tests with --pact-write-mode overwrite (or delete them "
            "from the file) to drop them",
        ]
    )
    overwritten = pytester.runpytest(*_plugin_args(), "--pact-write-mode", "overwrite")
    overwritten.assert_outcomes(passed=1)
    descriptions = [
        i["description"]
        for i in _pact_file(pytester.path / "pacts", "plugin-rename")["interactions"]
    ]
    assert descriptions == ["fetch item 0"]
