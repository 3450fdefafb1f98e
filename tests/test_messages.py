"""Message pacts: DSL, files (V3 and V4), matching, consumer and provider verification."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pactdsl import PactSpecError, define_contract, generate_pact, interaction, load_pact
from pactdsl._errors import ContractError, PactFileError
from pactdsl._message_consumer import MessageConsumerError, verify_message_consumer
from pactdsl._messages import message, sync_message
from pactdsl._model import Message, SynchronousMessage
from pactdsl._verify._messages import verify_message_interactions
from pactdsl._verify._report import format_verification_report
from pactdsl._verify._verifier import (
    ErroredInteraction,
    FailedInteraction,
    PassedInteraction,
    verify_provider,
)
from pactdsl.generate import random_int, uuid
from pactdsl.match import each_like, integer, like, regex
from pactdsl.matching import match_message

pytestmark = pytest.mark.usefixtures("clean_registry")


def _order_event_contract(name: str) -> Any:
    return define_contract(
        name,
        consumer="billing",
        provider="orders",
        interactions=[
            message("an order created event")
            .given("an order exists", id=7)
            .with_content(
                {
                    "orderId": integer(7),
                    "status": regex(r"created|paid", "created"),
                    "items": each_like({"sku": like("A-1"), "quantity": integer(2)}),
                },
                metadata={"topic": "orders", "kind": like("event")},
            )
        ],
    )


def _order_created(order_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The provider's real producer: what it publishes on the orders topic."""
    body = {"orderId": order_id, "status": "created", "items": [{"sku": "B-9", "quantity": 1}]}
    return body, {"topic": "orders", "kind": "event", "contentType": "application/json"}


class _Billing:
    """A consumer: it books an invoice line for each order item it receives."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []

    def handle(self, contents: dict[str, Any], metadata: dict[str, Any]) -> None:
        if metadata["topic"] != "orders":
            raise ValueError(f"unexpected topic {metadata['topic']!r}")
        for item in contents["items"]:
            self.lines.append((contents["orderId"], item["sku"]))


# --------------------------------------------------------------------------
# DSL


def test_message_builder_splits_rules_generators_and_metadata() -> None:
    """A message's matchers become body rules, metadata matchers metadata rules."""
    item = _order_event_contract("msg-dsl").pact.interactions[0]
    assert isinstance(item, Message)
    assert item.interaction_type == "Asynchronous/Messages"
    assert item.contents is not None
    assert item.contents.content["orderId"] == 7
    assert item.contents.content_type == "application/json"
    assert set(item.matching_rules["body"]) == {
        "$.orderId",
        "$.status",
        "$.items",
        "$.items[*].sku",
        "$.items[*].quantity",
    }
    assert set(item.matching_rules["metadata"]) == {"kind"}
    assert item.metadata == {"topic": "orders", "kind": "event", "contentType": "application/json"}
    assert item.provider_states[0].params == {"id": 7}


def test_message_builder_repr_reads_like_the_call() -> None:
    """The builder's repr shows the DSL calls that made it."""
    built = message("e").given("s").with_content({"a": 1}, metadata={"t": "x"}).pending()
    assert (
        repr(built)
        == "message('e').with_content({'a': 1}, metadata={'t': 'x'}).given('s').pending()"
    )


def test_message_without_content_is_a_contract_error() -> None:
    """A message declared without `.with_content` names the contract and message."""
    with pytest.raises(ContractError, match=r"'msg-empty'.*'nothing'.*with_content"):
        define_contract("msg-empty", consumer="c", provider="p", interactions=[message("nothing")])


def test_nested_metadata_generator_is_a_contract_error() -> None:
    """A generator inside a metadata value is refused with the key named (matchers are fine)."""
    builder = message("m").with_content({"a": 1}, metadata={"headers": {"x": random_int()}})
    with pytest.raises(ContractError, match=r"metadata\['headers'\] has generators inside"):
        define_contract("msg-nested", consumer="c", provider="p", interactions=[builder])


def test_bad_descriptions_and_content_types_are_refused() -> None:
    """Empty descriptions, non-media content types and JSON under a text type fail early."""
    with pytest.raises(ContractError, match="non-empty description"):
        message("  ")
    with pytest.raises(ContractError, match="content_type='json'"):
        message("m").with_content({}, content_type="json")
    builder = message("m").with_content({"a": 1}, content_type="text/plain")
    with pytest.raises(ContractError, match="must be text or bytes"):
        define_contract("msg-text", consumer="c", provider="p", interactions=[builder])


def test_sync_message_needs_a_request_and_a_response() -> None:
    """A synchronous message without a request or responses is a contract error."""
    with pytest.raises(ContractError, match="no request"):
        define_contract("msg-sync-a", consumer="c", provider="p", interactions=[sync_message("q")])
    with pytest.raises(ContractError, match="no response"):
        define_contract(
            "msg-sync-b",
            consumer="c",
            provider="p",
            interactions=[sync_message("q").with_request({"id": 1})],
        )


def test_text_and_binary_contents_get_their_content_types() -> None:
    """Text defaults to text/plain and bytes to application/octet-stream."""
    made = define_contract(
        "msg-kinds",
        consumer="c",
        provider="p",
        interactions=[
            message("text").with_content("hello"),
            message("bin").with_content(b"\x00\x01"),
        ],
    )
    text, binary = made.pact.interactions
    assert isinstance(text, Message)
    assert isinstance(binary, Message)
    assert text.contents is not None
    assert text.contents.content_type == "text/plain"
    assert binary.contents is not None
    assert binary.contents.content_type == "application/octet-stream"


# --------------------------------------------------------------------------
# Files


def _mixed_contract(name: str) -> Any:
    return define_contract(
        name,
        consumer="shop",
        provider="orders",
        interactions=[
            interaction("get order").request(path="/orders/1").responds(body={"id": integer(1)}),
            message("order shipped")
            .given("an order was shipped", id=3)
            .with_content({"id": integer(3), "at": like("2024-01-02")})
            .key("k1")
            .comment("shipping")
            .pending(),
            sync_message("price query")
            .with_request({"sku": "A"}, metadata={"replyTo": "prices"})
            .with_response({"price": integer(10)})
            .with_response({"price": integer(12)}, metadata={"currency": "EUR"}),
            message("binary ping").with_content(b"\x89PNG", content_type="image/png"),
        ],
    )


def test_v4_file_mixes_http_and_messages_and_reads_back_equal(tmp_path: Path) -> None:
    """A V4 file holds HTTP, async and sync message interactions, and reads back equal."""
    made = _mixed_contract("msg-v4-mixed")
    path = generate_pact(made, tmp_path, spec="4.0")
    document = json.loads(path.read_text("utf-8"))
    types = [item["type"] for item in document["interactions"]]
    assert types == [
        "Synchronous/HTTP",
        "Asynchronous/Messages",
        "Synchronous/Messages",
        "Asynchronous/Messages",
    ]
    shipped = document["interactions"][1]
    assert shipped["contents"]["content"] == {"id": 3, "at": "2024-01-02"}
    assert shipped["matchingRules"]["body"]["$.id"]["matchers"] == [{"match": "integer"}]
    assert shipped["pending"] is True
    assert shipped["key"] == "k1"
    sync = document["interactions"][2]
    assert sync["request"]["metadata"]["replyTo"] == "prices"
    assert len(sync["response"]) == 2
    assert sync["response"][1]["metadata"]["currency"] == "EUR"
    assert document["interactions"][3]["contents"]["encoded"] == "base64"
    assert load_pact(path) == made.pact


def test_v3_file_is_a_message_pact_and_reads_back_equal(tmp_path: Path) -> None:
    """A V3 pact of messages is written with top-level `messages` and reads back equal."""
    made = _order_event_contract("msg-v3")
    path = generate_pact(made, tmp_path, spec="3.0.0")
    document = json.loads(path.read_text("utf-8"))
    assert "interactions" not in document
    (written,) = document["messages"]
    assert written["contents"]["orderId"] == 7
    assert written["metadata"]["topic"] == "orders"
    assert written["matchingRules"]["metadata"]["kind"]["matchers"] == [{"match": "type"}]
    assert document["metadata"]["pactSpecification"]["version"] == "3.0.0"
    assert load_pact(path) == made.pact


def test_v3_merge_replaces_same_message(tmp_path: Path) -> None:
    """Writing a V3 message pact twice merges by description and states, not duplicates."""
    made = _order_event_contract("msg-v3-merge")
    generate_pact(made, tmp_path, spec="3.0.0")
    path = generate_pact(made, tmp_path, spec="3.0.0")
    assert len(json.loads(path.read_text("utf-8"))["messages"]) == 1


def test_v2_cannot_hold_messages(tmp_path: Path) -> None:
    """Writing messages as Pact V2 is a PactSpecError that says which spec to use."""
    made = _order_event_contract("msg-v2")
    with pytest.raises(PactSpecError, match=r"'an order created event'.*2\.0\.0.*3\.0\.0"):
        generate_pact(made, tmp_path, spec="2.0.0")
    assert not list(tmp_path.glob("*.json"))


def test_v3_cannot_mix_http_and_messages(tmp_path: Path) -> None:
    """A V3 pact with HTTP and messages is refused, naming one of each."""
    made = define_contract(
        "msg-v3-mix",
        consumer="shop",
        provider="orders",
        interactions=[
            interaction("get order").request(path="/orders/1").responds(),
            message("order shipped").with_content({"id": 1}),
        ],
    )
    with pytest.raises(PactSpecError, match=r"'get order'.*'order shipped'.*4\.0"):
        generate_pact(made, tmp_path, spec="3.0.0")


def test_v3_cannot_hold_sync_messages_or_v4_fields(tmp_path: Path) -> None:
    """Synchronous messages and pending/key/comments need V4."""
    sync = define_contract(
        "msg-v3-sync",
        consumer="c",
        provider="p",
        interactions=[sync_message("q").with_request({}).with_response({})],
    )
    with pytest.raises(PactSpecError, match="synchronous messages need Pact V4"):
        generate_pact(sync, tmp_path, spec="3.0.0")
    pending = define_contract(
        "msg-v3-pending",
        consumer="c",
        provider="p2",
        interactions=[message("e").with_content({}).pending()],
    )
    with pytest.raises(PactSpecError, match="pending need Pact V4"):
        generate_pact(pending, tmp_path, spec="3.0.0")


def test_reader_accepts_metadata_spellings_and_rule_aliases() -> None:
    """`metaData` (V3 spec spelling) and the `content`/`contents` rule categories are read."""
    v3 = load_pact(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "messages": [
                {
                    "description": "e",
                    "providerState": "old style state",
                    "contents": {"id": 1},
                    "metaData": {"contentType": "application/json", "topic": "t"},
                    "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}},
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    (item,) = v3.interactions
    assert isinstance(item, Message)
    assert item.metadata["topic"] == "t"
    assert item.provider_states[0].name == "old style state"
    v4 = load_pact(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {
                    "type": "Asynchronous/Messages",
                    "description": "e",
                    "contents": {"content": {"id": 1}, "contentType": "application/json"},
                    "matchingRules": {"content": {"$.id": {"matchers": [{"match": "integer"}]}}},
                }
            ],
            "metadata": {"pactSpecification": {"version": "4.0"}},
        }
    )
    (item4,) = v4.interactions
    assert isinstance(item4, Message)
    assert set(item4.matching_rules["body"]) == {"$.id"}
    assert item4.matching_rules == item.matching_rules


def test_reader_names_unknown_interaction_type() -> None:
    """An unknown V4 interaction type is a PactFileError naming its JSON path."""
    with pytest.raises(PactFileError, match=r"interactions\[0\]\.type.*'Plugin/Thing'"):
        load_pact(
            {
                "consumer": {"name": "c"},
                "provider": {"name": "p"},
                "interactions": [{"type": "Plugin/Thing", "description": "x"}],
                "metadata": {"pactSpecification": {"version": "4.0"}},
            }
        )


# --------------------------------------------------------------------------
# Matching


def test_match_message_reports_metadata_mismatches() -> None:
    """Metadata differences are kind "metadata" with the key in the path; rules apply."""
    expected = {
        "contents": {"id": 1},
        "metadata": {"topic": "orders", "kind": "event", "contentType": "application/json"},
        "matchingRules": {"metadata": {"kind": {"matchers": [{"match": "type"}]}}},
    }
    ok = {"contents": {"id": 1, "extra": True}, "metadata": {"topic": "orders", "kind": "other"}}
    assert match_message(expected, ok, "3.0.0") == []
    bad = {"contents": {"id": 1}, "metadata": {"kind": 5, "contentType": "text/plain"}}
    mismatches = match_message(expected, bad, "3.0.0")
    assert [(m.kind, m.path) for m in mismatches] == [
        ("metadata", "$.metadata.topic"),
        ("metadata", "$.metadata.kind"),
        ("metadata", "$.metadata.contentType"),
    ]
    assert str(mismatches[0]) == (
        "expected message metadata 'topic' with value 'orders', but it is missing"
    )


def test_match_message_body_mismatch_paths() -> None:
    """A contents mismatch is reported under $.body with the rule's wording."""
    expected = {
        "contents": {"content": {"id": 1}, "contentType": "application/json", "encoded": False},
        "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}},
    }
    actual = {"contents": {"content": {"id": "x"}, "contentType": "application/json"}}
    (mismatch,) = match_message(expected, actual, "V4")
    assert (mismatch.kind, mismatch.path) == ("body", "$.body.id")
    assert "integer" in str(mismatch)


def test_match_message_refuses_versions_without_messages() -> None:
    """Asking for V2 message matching is a ValueError naming the version."""
    with pytest.raises(ValueError, match=r"spec_version='2\.0\.0' has no messages"):
        match_message({}, {}, "2.0.0")


# --------------------------------------------------------------------------
# Consumer side


def test_consumer_handler_receives_each_message() -> None:
    """The handler gets the example contents and metadata, and the result says ok."""
    billing = _Billing()
    result = verify_message_consumer(_order_event_contract("msg-consumer-ok"), billing.handle)
    assert result.success
    assert billing.lines == [(7, "A-1")]
    (entry,) = result.entries
    assert entry.ok
    assert entry.kind == "async"
    assert entry.metadata["topic"] == "orders"
    result.raise_for_failures()


def test_consumer_handler_failure_is_recorded() -> None:
    """A handler that raises marks that message failed, with the exception in the report."""

    def strict_handler(contents: dict[str, Any], metadata: dict[str, Any]) -> None:
        if contents["status"] != "paid":
            raise ValueError(f"cannot invoice an order in status {contents['status']!r}")

    result = verify_message_consumer(_order_event_contract("msg-consumer-bad"), strict_handler)
    assert not result.success
    (failure,) = result.failures
    assert failure.error == "ValueError: cannot invoice an order in status 'created'"
    with pytest.raises(MessageConsumerError, match="FAILED: ValueError"):
        result.raise_for_failures()


def test_consumer_gets_generated_values_and_sync_responses() -> None:
    """Generators are applied to the example; sync messages hand over each response."""
    made = define_contract(
        "msg-consumer-gen",
        consumer="c",
        provider="p",
        interactions=[
            message("with ids").with_content(
                {"id": uuid(), "n": random_int(1000, 2000)}, metadata={"seq": random_int(5, 9)}
            ),
            sync_message("query")
            .with_request({"q": 1})
            .with_response({"a": 1})
            .with_response({"a": 2}),
        ],
    )
    seen: list[Any] = []
    result = verify_message_consumer(made, seen.append, seed=3)
    assert result.success
    generated, first, second = seen
    assert 1000 <= generated["n"] <= 2000
    assert len(generated["id"]) == 36
    assert [first, second] == [{"a": 1}, {"a": 2}]
    assert [e.response_index for e in result.entries] == [None, 0, 1]
    assert 5 <= result.entries[0].metadata["seq"] <= 9


def test_consumer_filter_by_unknown_description_is_a_key_error() -> None:
    """Filtering by a description the contract lacks names the known ones."""
    with pytest.raises(KeyError, match="known: \\['an order created event'\\]"):
        verify_message_consumer(
            _order_event_contract("msg-consumer-key"), lambda contents: None, description="nope"
        )


# --------------------------------------------------------------------------
# Provider side


def test_producer_passing_and_failing() -> None:
    """A correct producer passes; a wrong one fails with body and metadata mismatches."""
    made = _order_event_contract("msg-provider")
    good = verify_provider(
        made, message_producers={"an order created event": lambda: _order_created(42)}
    )
    assert good.success
    assert len(good.passed) == 1
    assert isinstance(good.passed[0], PassedInteraction)

    def broken() -> tuple[dict[str, Any], dict[str, Any]]:
        return {"orderId": "42", "status": "cancelled", "items": []}, {"topic": "audit"}

    bad = verify_provider(made, message_producers={"an order created event": broken})
    assert not bad.success
    (failed,) = bad.failed
    assert isinstance(failed, FailedInteraction)
    paths = sorted(m.path for m in failed.mismatches)
    assert paths == [
        "$.body.items",
        "$.body.orderId",
        "$.body.status",
        "$.metadata.kind",
        "$.metadata.topic",
    ]
    assert {m.kind for m in failed.mismatches} == {"body", "metadata"}


def test_producer_keyed_by_state_gets_params() -> None:
    """A producer keyed by provider state name is called with the state's params."""
    made = _order_event_contract("msg-provider-state")
    calls: list[dict[str, Any]] = []

    def from_state(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        calls.append(params)
        return _order_created(params["id"])

    result = verify_provider(made, message_producers={"an order exists": from_state})
    assert result.success
    assert calls == [{"id": 7}]


def test_missing_and_raising_producers_are_errors() -> None:
    """No producer, or one that raises, gives an error entry that says what to do."""
    made = _order_event_contract("msg-provider-err")
    missing = verify_provider(made, message_producers={})
    (error,) = missing.errors
    assert isinstance(error, ErroredInteraction)
    assert "no message producer for 'an order created event'" in error.message
    assert "message_producers={} is empty" in error.message
    assert error.phase == "producer"

    def boom() -> None:
        raise RuntimeError("broker down")

    raised = verify_provider(made, message_producers={"an order created event": boom})
    assert raised.errors[0].message.endswith("raised RuntimeError: broker down")
    assert raised.errors[0].phase == "producer"


def test_misspelt_producer_key_names_keys_messages_and_the_likely_typo() -> None:
    """A key matching no message lists the keys given, the messages and states, and a guess."""
    made = _order_event_contract("msg-provider-typo")
    result = verify_provider(
        made, message_producers={"an order createdd event": lambda: _order_created(7)}
    )
    (error,) = result.errors
    assert error.phase == "producer"
    assert error.message == (
        "no message producer for 'an order created event' (provider states 'an order exists'); "
        "message_producers has the keys 'an order createdd event'; did you mean "
        "'an order created event' instead of the key 'an order createdd event'?; the messages "
        "are 'an order created event' with provider states 'an order exists'; key each "
        "producer by a message description or a provider state name, e.g. "
        "message_producers={'an order created event': function}"
    )
    report = format_verification_report(result)
    assert "   Error during producer: no message producer for 'an order created event'" in report


def test_unrelated_producer_key_gets_no_guess_but_the_listing() -> None:
    """A key unlike any name gets no did-you-mean; every message of the pact is listed."""
    made = define_contract(
        "msg-provider-unrelated",
        consumer="c",
        provider="p",
        interactions=[
            message("payment settled").with_content({"id": 1}),
            message("refund issued").given("a refund").with_content({"id": 2}),
        ],
    )
    result = verify_provider(
        made, message_producers={"xyz": lambda: {"id": 1}, "payment settled": lambda: {"id": 1}}
    )
    (error,) = result.errors
    assert error.description == "refund issued"
    assert "did you mean" not in error.message
    assert "has the keys 'xyz', 'payment settled'" in error.message
    assert "the messages are 'payment settled', 'refund issued' with provider states " in (
        error.message
    )
    assert "'a refund'" in error.message


def test_message_report_gives_reasons_for_missing_fields_and_metadata() -> None:
    """Missing body keys and metadata mismatches get a Reason line in the text report."""
    made = _order_event_contract("msg-provider-report")

    def partial() -> tuple[dict[str, Any], dict[str, Any]]:
        body = {"orderId": 7, "items": [{"sku": "B-9", "quantity": 1}]}
        return body, {"topic": "audit"}

    result = verify_provider(made, message_producers={"an order created event": partial})
    (failed,) = result.failed
    reasons = {m.path: m.message for m in failed.mismatches}
    report = format_verification_report(result)
    assert (
        '   Expected body.status: "created"\n'
        "   Actual body.status: (missing)\n"
        f"   Reason: {reasons['$.body.status']}\n"
    ) in report
    assert (
        '   Expected metadata.topic: "orders"\n'
        '   Actual metadata.topic: "audit"\n'
        f"   Reason: {reasons['$.metadata.topic']}\n"
    ) in report
    assert (
        '   Expected metadata.kind: "event"\n'
        "   Actual metadata.kind: (missing)\n"
        f"   Reason: {reasons['$.metadata.kind']}\n"
    ) in report


def test_state_setup_runs_for_messages() -> None:
    """state_setup is called with the state's params and its values reach the producer."""
    made = _order_event_contract("msg-provider-setup")
    log: list[str] = []

    def setup(name: str, params: dict[str, Any]) -> dict[str, Any]:
        log.append(f"setup {name} {params['id']}")
        return {"id": 99}

    def produce(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return _order_created(params["id"])

    result = verify_provider(
        made,
        state_setup=setup,
        state_teardown=lambda name: log.append(f"teardown {name}"),
        message_producers={"an order exists": produce},
    )
    assert result.success
    assert log == ["setup an order exists 7", "teardown an order exists"]


def test_sync_message_producer_answers_the_request() -> None:
    """A sync producer gets the request contents and its responses are matched in order."""
    made = define_contract(
        "msg-provider-sync",
        consumer="c",
        provider="p",
        interactions=[
            sync_message("price query")
            .with_request({"sku": "A"}, metadata={"replyTo": "prices"})
            .with_response({"price": integer(10)})
            .with_response({"price": integer(12)})
        ],
    )
    requests: list[Any] = []

    def prices(request: dict[str, Any], metadata: dict[str, Any]) -> list[dict[str, Any]]:
        requests.append((request, metadata["replyTo"]))
        return [{"price": 11}, {"price": 13}]

    assert verify_provider(made, message_producers={"price query": prices}).success
    assert requests == [({"sku": "A"}, "prices")]
    wrong = verify_provider(
        made, message_producers={"price query": lambda r: [{"price": 1}, {"price": "x"}]}
    )
    (failed,) = wrong.failed
    assert [m.path for m in failed.mismatches] == ["$.response[1].body.price"]


def test_mixed_pact_verifies_http_and_messages_in_one_result(tmp_path: Path) -> None:
    """HTTP interactions go to the app, messages to producers, into one ordered result."""
    made = define_contract(
        "msg-provider-mixed",
        consumer="shop",
        provider="orders",
        interactions=[
            interaction("get order").request(path="/orders/1").responds(body={"id": integer(1)}),
            message("order shipped").with_content({"id": integer(3)}),
        ],
    )
    path = generate_pact(made, tmp_path, spec="4.0")

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"id": 5}']

    result = verify_provider(path, app=app, message_producers={"order shipped": lambda: {"id": 4}})
    assert result.success
    assert [e.description for e in result.entries] == ["get order", "order shipped"]
    only_http = verify_provider(path, app=app, filter_type="http")
    assert [e.description for e in only_http.entries] == ["get order"]
    assert only_http.success
    only_messages = verify_provider(path, message_producers={"order shipped": lambda: {"id": 4}})
    not_checked = next(e for e in only_messages.unverified if e.description == "get order")
    assert "no HTTP provider was given" in not_checked.reason
    assert not only_messages.success


def test_verify_message_interactions_function() -> None:
    """The standalone hook verifies only the messages, numbering entries from start_index."""
    made = _mixed_contract("msg-hook")
    entries = verify_message_interactions(
        made.pact,
        {
            "order shipped": lambda: {"id": 1, "at": "2024-05-06"},
            "price query": lambda request: [{"price": 1}, ({"price": 2}, {"currency": "EUR"})],
            "binary ping": lambda: (b"\x89PNG", {"contentType": "image/png"}),
        },
        start_index=10,
    )
    assert [type(e).__name__ for e in entries] == ["PassedInteraction"] * 3
    assert [e.index for e in entries] == [10, 11, 12]
    assert entries[0].pending


# --------------------------------------------------------------------------
# End to end: the order-created event, V3 and V4 files


@pytest.mark.parametrize("spec", ["3.0.0", "4.0"])
def test_order_created_end_to_end(tmp_path: Path, spec: str) -> None:
    """Consumer test, pact file, provider verification from the file: pass and fail."""
    made = _order_event_contract(f"msg-e2e-{spec}")
    billing = _Billing()
    assert verify_message_consumer(made, billing.handle).success
    path = generate_pact(made, tmp_path, spec=spec)
    loaded = load_pact(path)
    assert loaded == made.pact
    assert loaded.spec is not None
    assert loaded.spec.value == spec
    assert verify_message_consumer(loaded, _Billing().handle).success
    passing = verify_provider(
        path, message_producers={"an order created event": lambda: _order_created(8)}
    )
    assert passing.success, passing
    failing = verify_provider(
        path,
        message_producers={
            "an order created event": lambda: (
                {"orderId": 8, "status": "lost"},
                {"topic": "orders"},
            )
        },
    )
    assert not failing.success
    assert sorted(m.path for m in failing.failed[0].mismatches) == [
        "$.body.items",
        "$.body.status",
        "$.metadata.kind",
    ]
    assert isinstance(loaded.interactions[0], Message)
    assert not isinstance(loaded.interactions[0], SynchronousMessage)
