"""pactdsl.strategies: reprs, errors, shrinking, bodies and whole interactions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from pactdsl import Contract, InvalidMatcher, PactSpec, define_contract, interaction
from pactdsl._http_json import (
    actual_request_json,
    actual_response_json,
    expected_request_json,
    expected_response_json,
)
from pactdsl._matchers import matcher_from_rule
from pactdsl._pactfile import pact_from_json, pact_to_json
from pactdsl.match import (
    date,
    each_like,
    includes,
    integer,
    like,
    regex,
    status_code,
)
from pactdsl.matching import match_request, match_response
from pactdsl.strategies import (
    DrawnRequest,
    DrawnResponse,
    from_body,
    from_matcher,
    requests,
    responses,
)


def _users_contract() -> Contract:
    return define_contract(
        "strategies_users",
        consumer="strategies-web",
        provider="strategies-users",
        interactions=[
            interaction("get user")
            .request(
                method="GET",
                path=regex(r"/users/\d{1,6}", "/users/123"),
                query={"fields": regex(r"[a-z]+(,[a-z]+)*", "name,email")},
                headers={"X-Request-Id": regex(r"[0-9a-f]{8}", "deadbeef")},
            )
            .responds(
                status=status_code("success", 200),
                headers={"X-Rate-Remaining": integer(10), "ETag": includes("v1")},
                body={
                    "id": integer(123),
                    "name": like("Ann"),
                    "joined": date("yyyy-MM-dd"),
                    "roles": each_like("admin", min=0, max=3),
                },
            ),
            interaction("create user")
            .request(method="POST", path="/users", body={"name": like("Ann")})
            .responds(status=201, body={"id": integer(7)}),
        ],
    )


def _on_the_wire(response: DrawnResponse) -> dict[str, Any]:
    pairs = [(name, value) for name, values in response.headers.items() for value in values]
    return actual_response_json(response.status, pairs, response.content())


def _request_on_the_wire(request: DrawnRequest) -> dict[str, Any]:
    from urllib.parse import urlencode

    pairs = [(name, value) for name, values in request.headers.items() for value in values]
    query = urlencode([(k, v) for k, vs in request.query.items() for v in vs])
    return actual_request_json(request.method, request.path, query, pairs, request.content())


def test_repr_names_the_matcher() -> None:
    """A strategy's repr is the call that made it, with the matcher as written."""
    assert repr(from_matcher(regex(r"\d+", "12"))) == "from_matcher(regex('\\\\d+', '12'))"
    assert repr(from_matcher(integer(1) | like("x"))) == "from_matcher((integer(1) | like('x')))"
    assert repr(from_body({"id": integer(1)})) == "from_body({'id': integer(1)})"


def test_repr_of_interaction_strategies_names_contract_and_description(
    clean_registry: None,
) -> None:
    """responses() and requests() name the contract and the interaction."""
    users = _users_contract()
    assert repr(responses(users, "get user")) == "responses(strategies_users, 'get user')"
    assert repr(requests("strategies_users", "get user")) == (
        "requests('strategies_users', 'get user')"
    )


@pytest.mark.parametrize(
    ("matcher", "smallest"),
    [
        (each_like({"id": integer(5), "name": like("Ann")}, min=2), [{"id": 0, "name": ""}] * 2),
        (regex(r"[a-z]{3}-\d{2}", "abc-12"), "aaa-00"),
        (like({"tags": ["red"], "n": 1.5}), {"tags": [], "n": 0.0}),
        (date("yyyy-MM-dd"), "2000-01-01"),
        (includes("needle"), "needle"),
        (status_code("clientError", 404), 404),
    ],
    ids=repr,
)
def test_strategies_shrink_to_small_readable_values(matcher: Any, smallest: Any) -> None:
    """The simplest value of each strategy is small and readable."""
    found = find(from_matcher(matcher), lambda _: True, settings=settings(database=None))
    assert found == smallest


def test_from_body_keeps_plain_values_and_draws_matchers() -> None:
    """Plain values in a body stay equal to the template; matchers inside vary."""

    @settings(max_examples=60, database=None)
    @given(from_body({"kind": "user", "id": integer(1), "tags": each_like("x", min=0, max=2)}))
    def check(body: dict[str, Any]) -> None:
        assert body["kind"] == "user"
        assert isinstance(body["id"], int)
        assert 0 <= len(body["tags"]) <= 2
        assert all(isinstance(tag, str) for tag in body["tags"])

    check()


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        (r"\p{L}+", r"\p{...}"),
        (r"(?<year>\d{4})", "(?P<name>...)"),
    ],
)
def test_java_only_regex_syntax_is_rejected_with_the_python_spelling(
    pattern: str, hint: str
) -> None:
    """A pattern Python's re cannot read raises InvalidMatcher naming it and the fix."""
    with pytest.raises(InvalidMatcher, match="cannot be generated from") as caught:
        from_matcher(matcher_from_rule({"match": "regex", "regex": pattern}))
    assert repr(pattern) in str(caught.value)
    assert hint in str(caught.value)


def test_rule_form_without_example_asks_for_one() -> None:
    """A type rule has no example in rule form: the error says to pass example=."""
    with pytest.raises(InvalidMatcher, match="pass example="):
        from_matcher(matcher_from_rule({"match": "type", "min": 1}))


def test_rule_form_with_an_example_draws_like_the_dsl_form() -> None:
    """A rule-form type rule with a list example draws lists within its bounds."""
    rule_form = matcher_from_rule({"match": "type", "min": 1, "max": 2})

    @settings(max_examples=50, database=None)
    @given(from_matcher(rule_form, example=[{"id": 1}]))
    def check(value: list[dict[str, Any]]) -> None:
        assert 1 <= len(value) <= 2
        assert all(isinstance(item["id"], int) for item in value)

    check()


def test_not_a_matcher_is_refused() -> None:
    """from_matcher names the argument that is not a matcher."""
    with pytest.raises(InvalidMatcher, match=r"matcher='\\\\d\+' \(str\) is not a matcher"):
        from_matcher(r"\d+")  # type: ignore[arg-type]


def test_drawn_responses_satisfy_the_contract(clean_registry: None) -> None:
    """Status, headers and body drawn by responses() match the interaction's response."""
    users = _users_contract()
    expected = expected_response_json(users.pact.interaction("get user"))

    @settings(max_examples=80, database=None)
    @given(responses(users, "get user"))
    def check(response: DrawnResponse) -> None:
        assert [str(m) for m in match_response(expected, _on_the_wire(response), "4.0")] == []

    check()


def test_drawn_requests_satisfy_the_contract(clean_registry: None) -> None:
    """Path, query, headers and body drawn by requests() match the interaction's request."""
    users = _users_contract()

    @settings(max_examples=80, database=None)
    @given(st.sampled_from(["get user", "create user"]), st.data())
    def check(description: str, data: st.DataObject) -> None:
        request = data.draw(requests(users, description))
        expected = expected_request_json(users.pact.interaction(description))
        actual = _request_on_the_wire(request)
        assert [str(m) for m in match_request(expected, actual, "4.0")] == []

    check()


def test_a_pact_read_from_json_draws_responses_that_match(clean_registry: None) -> None:
    """A pact in rule form (read back from its JSON) still yields matching responses."""
    # Only V4 holds the status matcher of "get user".
    written = json.loads(json.dumps(pact_to_json(_users_contract().pact, PactSpec.V4, {})))
    pact = pact_from_json(written)
    expected = expected_response_json(pact.interaction("get user"))

    @settings(max_examples=60, database=None)
    @given(responses(pact, "get user"))
    def check(response: DrawnResponse) -> None:
        assert [str(m) for m in match_response(expected, _on_the_wire(response), "4.0")] == []
        assert response.headers["ETag"][0].count("v1") >= 1

    check()


def test_unknown_interaction_is_named(clean_registry: None) -> None:
    """responses() raises KeyError naming the missing description."""
    users = _users_contract()
    with pytest.raises(KeyError, match="'delete user'"):
        responses(users, "delete user")
