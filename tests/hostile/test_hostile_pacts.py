"""Hostile pacts: each bomb costs one clear error, in bounded time and memory."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.hostile._hostile import run_capped

BOMB = "(?:(?:a{1000}){1000}){1000}"
DEEP_BODY = json.loads("[" * 150 + "]" * 150)


def pact_with(response: dict[str, Any]) -> dict[str, Any]:
    """A V3 pact of one interaction answering `response`."""
    return {
        "consumer": {"name": "web"},
        "provider": {"name": "api"},
        "interactions": [
            {
                "description": "hostile",
                "request": {"method": "GET", "path": "/x"},
                "response": response,
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def load_case(pact: dict[str, Any]) -> Any:
    """Load `pact` with `load_pact` in a capped subprocess and report the outcome."""
    return run_capped(
        f"""
        from pactdsl import load_pact
        outcome(lambda: load_pact({json.dumps(pact)!r}))
        """
    )


def test_a_nested_repeat_regex_rule_is_refused_on_load() -> None:
    """The 27-byte memory bomb as a matching rule is a PactFileError naming the limit."""
    rules = {"body": {"$.v": {"matchers": [{"match": "regex", "regex": BOMB}]}}}
    result = load_case(pact_with({"status": 200, "body": {"v": "a"}, "matchingRules": rules}))
    assert result["error"] == "PactFileError", result
    assert "max_regex_size=50000" in result["message"]
    assert "$.v" in result["message"]
    assert result["seconds"] < 10


def test_a_nested_repeat_regex_generator_is_refused_on_load() -> None:
    """The same bomb in a Regex generator is refused before anything is generated."""
    generators = {"body": {"$.v": {"type": "Regex", "regex": BOMB}}}
    result = load_case(pact_with({"status": 200, "body": {"v": "a"}, "generators": generators}))
    assert result["error"] == "PactFileError", result
    assert "max_regex_size" in result["message"]


def test_a_backtracking_mock_server_url_regex_does_not_hang_load() -> None:
    """A MockServerURL generator's regex is searched within the regex budget, not forever."""
    generator = {"type": "MockServerURL", "regex": "(a|aa)+$", "example": "a" * 40 + "!"}
    pact = pact_with(
        {"status": 200, "body": {"v": "x"}, "generators": {"body": {"$.v": generator}}}
    )
    result = load_case(pact)
    assert result["error"] == "PactFileError", result
    assert "regex_seconds" in result["message"]
    assert result["seconds"] < 30  # a 2 s budget, stretched on a loaded machine


def test_a_generator_whose_output_explodes_fails_that_response_only() -> None:
    """Open repeats nested deep would generate ~10^9 characters: the mock answers 500 and fails."""
    pattern = "(?:" * 12 + "a+" + ")+" * 12
    generators = {"body": {"$.v": {"type": "Regex", "regex": pattern}}}
    pact = pact_with({"status": 200, "body": {"v": "a"}, "generators": generators})
    result = run_capped(
        f"""
        import httpx
        from pactdsl import load_pact, mock_provider
        pact = load_pact({json.dumps(pact)!r})
        mock = mock_provider(pact, port=0).start()
        answer = httpx.get(mock.url + "/x", timeout=60)
        mock.stop()
        ok, problems = mock.verify()
        report(error=None, status=answer.status_code, ok=ok, problems=[str(p) for p in problems])
        """
    )
    assert result["status"] == 500, result
    assert result["ok"] is False
    assert "max_generated_length=100000" in result["problems"][0]


def test_one_match_call_spends_one_regex_budget_over_all_values() -> None:
    """100 backtracking values in one response cost one budget, not 100 (was 21.7 s)."""
    rules = {"$.body[*]": {"matchers": [{"match": "regex", "regex": "(a|aa)+$"}]}}
    expected = {"status": 200, "body": ["a"], "matchingRules": rules}
    result = run_capped(
        f"""
        from pactdsl.matching import match_response
        actual = {{"status": 200, "body": ["a" * 40 + "!"] * 100}}
        outcome(lambda: match_response({expected!r}, actual, "2.0.0"))
        """
    )
    assert result["error"] == "MatchingError", result
    assert "regex_seconds=2.0" in result["message"]
    assert result["seconds"] < 30  # 2 s budget; 100 x 1 s before, stretched under load


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep JSON nesting", "[" * 100_000 + "]" * 100_000),
        (
            "a body nested deeper than the limit",
            json.dumps(pact_with({"status": 200, "body": json.loads("[" * 150 + "]" * 150)})),
        ),
        ("not JSON", "{nope"),
    ],
)
def test_malformed_pact_text_is_a_pact_file_error(name: str, text: str) -> None:
    """Deep nesting and broken JSON are PactFileErrors, never RecursionError or JSONDecodeError."""
    result = run_capped(
        f"""
        from pactdsl import load_pact
        outcome(lambda: load_pact({text!r}))
        """
    )
    assert result["error"] == "PactFileError", (name, result)
