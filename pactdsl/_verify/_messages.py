"""Provider verification of messages: call the producer, match what it produced.

A message has no HTTP request to replay. Instead the provider's own code that
builds the message (a *producer*) is called, and its output is matched against
the contract with `pactdsl.matching.match_message`. Results are the same
`PassedInteraction` / `FailedInteraction` / `ErroredInteraction` entries as HTTP
verification, so one report covers both.

Producers are looked up by the message's description first, then by each of
its provider states' names:

```python
verify_provider(
    "order_events",
    message_producers={"an order created event": lambda: build_order_created(7)},
)
```

* An asynchronous message's producer is called as ``producer()``,
  ``producer(params)`` or ``producer(**params)`` with the provider states'
  params (and whatever the state setup returned).
* A synchronous message's producer is called as ``producer()``,
  ``producer(contents)`` or ``producer(contents, metadata)`` with the request
  message, and answers the response.

Each producer is bound by its signature (`pactdsl._callbacks`) before the run
starts; one that cannot be bound unambiguously is refused, naming it.

A producer returns the contents (dict, list, str, bytes, ...) or a tuple
``(contents, metadata)``. When a synchronous message expects several
responses, it returns a list of them.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import attrs

from pactdsl._callbacks import (
    ASYNC_PRODUCER,
    SYNC_PRODUCER,
    BoundCallback,
    CallbackSignatureError,
    bind_callback,
)
from pactdsl._errors import user_traceback
from pactdsl._generators import GeneratorContext, apply_generators
from pactdsl._generators import ProviderState as ProviderStateGenerator
from pactdsl._http import ProviderTransport, TransportFailure
from pactdsl._json_value import check_json_value
from pactdsl._messages import Message, MessageContents, SynchronousMessage, content_type_of
from pactdsl._model import Body, Pact, PactSpec, is_json_content_type
from pactdsl._pactfile._write import message_contents_to_json
from pactdsl._verify._config import listing
from pactdsl._verify._results import (
    ErroredInteraction,
    ErrorPhase,
    FailedInteraction,
    InteractionResult,
    PassedInteraction,
)
from pactdsl._verify._states import StateFailure, StateHooks, set_up_states, tear_down_states
from pactdsl.matching import MatchingError, Mismatch, match_message

__all__ = [
    "MessageProducer",
    "MessageProducers",
    "NoHttpProvider",
    "check_message_producers",
    "check_producer_signatures",
    "no_http_provider",
    "verify_message",
    "verify_message_interactions",
]

MessageProducer = Callable[..., Any]
MessageProducers = Mapping[str, MessageProducer]


def check_message_producers(producers: Any) -> MessageProducers:
    """Check the `message_producers` argument of `verify_provider`.

    Raises:
        TypeError: naming the entry that is not a callable keyed by a string.
    """
    if not isinstance(producers, Mapping):
        msg = (
            f"message_producers={producers!r} must be a mapping of message description (or "
            "provider state name) to a function that produces the message"
        )
        raise TypeError(msg)
    for key, producer in producers.items():
        if not isinstance(key, str) or not callable(producer):
            msg = (
                f"message_producers[{key!r}]={producer!r}: keys must be descriptions or "
                "state names (str) and values functions"
            )
            raise TypeError(msg)
    return producers


def _find_producer(
    item: Message | SynchronousMessage, producers: MessageProducers
) -> MessageProducer | None:
    if item.description in producers:
        return producers[item.description]
    for state in item.provider_states:
        if state.name in producers:
            return producers[state.name]
    return None


def _no_producer_message(
    item: Message | SynchronousMessage,
    producers: MessageProducers,
    known: Sequence[Message | SynchronousMessage],
) -> str:
    """Why `item` has no producer: the keys given, a likely typo, the names that exist."""
    messages = list(known) or [item]
    descriptions = [m.description for m in messages]
    states = [s.name for m in messages for s in m.provider_states]
    own = [item.description, *(s.name for s in item.provider_states)]
    text = f"no message producer for {item.description!r}"
    if item.provider_states:
        text += f" (provider states {listing(own[1:])})"
    if producers:
        text += f"; message_producers has the keys {listing(producers)}"
    else:
        text += "; message_producers={} is empty"
    unknown = [key for key in producers if key not in {*descriptions, *states}]
    for key in unknown:
        close = difflib.get_close_matches(key, own, n=1)
        if close:
            text += f"; did you mean {close[0]!r} instead of the key {key!r}?"
    text += (
        f"; the messages are {listing(descriptions)} with provider states "
        f"{listing(states)}; key each producer by a message description or a provider "
        f"state name, e.g. message_producers={{{item.description!r}: function}}"
    )
    return text


def _bind_producer(item: Message | SynchronousMessage, producer: MessageProducer) -> BoundCallback:
    kind = ASYNC_PRODUCER if isinstance(item, Message) else SYNC_PRODUCER
    return bind_callback(producer, kind, f"message producer for {item.description!r}")


def check_producer_signatures(
    pacts: Iterable[Pact], producers: MessageProducers, selected: Callable[[Any], bool]
) -> None:
    """Bind the producer of every selected message, before anything runs.

    Raises:
        CallbackSignatureError: naming the first producer whose signature
            cannot be bound to the message it serves.
    """
    for pact in pacts:
        for item in pact.interactions:
            if isinstance(item, Message | SynchronousMessage) and selected(item):
                producer = _find_producer(item, producers)
                if producer is not None:
                    _bind_producer(item, producer)


class _ProducerProblem(Exception):
    """The producer raised or returned something that is not a message."""


def _split(produced: Any, where: str) -> tuple[Any, dict[str, Any]]:
    if isinstance(produced, tuple):
        if len(produced) != 2 or not isinstance(produced[1], Mapping | None):
            msg = (
                f"{where} returned a tuple of {len(produced)} items; return the contents, or "
                "(contents, metadata) with metadata a dict"
            )
            raise _ProducerProblem(msg)
        return produced[0], plain_metadata(dict(produced[1] or {}))
    return produced, {}


def _text(value: str | bytes | bytearray) -> str:
    if isinstance(value, str):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(bytes(value)).decode("ascii")


def plain_metadata(value: Any) -> Any:
    """Metadata as a Kafka client gives it, as JSON: bytes keys and values become text.

    Bytes are decoded as UTF-8 (base64 when they are not UTF-8); a list of
    ``(key, value)`` pairs, as Kafka clients carry headers, becomes a map.
    """
    if isinstance(value, bytes | bytearray):
        return _text(value)
    if isinstance(value, Mapping):
        return {
            _text(k) if isinstance(k, bytes | bytearray) else k: plain_metadata(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        pairs = all(
            isinstance(item, tuple | list)
            and len(item) == 2
            and isinstance(item[0], str | bytes | bytearray)
            for item in value
        )
        if value and pairs:
            return {_text(k): plain_metadata(v) for k, v in value}
        return [plain_metadata(item) for item in value]
    return value


def _actual_json(
    content: Any, metadata: dict[str, Any], expected: MessageContents, where: str
) -> dict[str, Any]:
    declared = next(
        (
            value
            for key, value in metadata.items()
            if key.lower() in ("contenttype", "content-type", "content_type")
            and isinstance(value, str)
        ),
        None,
    )
    content_type = declared or content_type_of(expected)
    out: dict[str, Any] = {"metadata": metadata}
    if content is None:
        return out
    if isinstance(content, bytes | bytearray):
        out["contents"] = {
            "content": base64.b64encode(bytes(content)).decode("ascii"),
            "contentType": content_type or "application/octet-stream",
            "encoded": "base64",
        }
        return out
    try:
        check_json_value(content, "contents")
        check_json_value(metadata, "metadata")
    except TypeError as exc:
        msg = (
            f"{where} returned {exc}; return JSON values (dict, list, str, numbers), text or bytes"
        )
        raise _ProducerProblem(msg) from None
    out["contents"] = {"content": content, "contentType": content_type, "encoded": False}
    return out


def _expected_json(contents: MessageContents, values: Mapping[str, Any]) -> dict[str, Any]:
    state_gens = {
        path: gen
        for path, gen in contents.generators.get("body", {}).items()
        if isinstance(gen, ProviderStateGenerator)
    }
    if state_gens and values and contents.contents is not None:
        # Values the provider state created (an id) are what the message must hold.
        context = GeneratorContext(provider_state=values)
        try:
            content = apply_generators(contents.contents.content, state_gens, context)
        except KeyError:
            content = contents.contents.content
        contents = attrs.evolve(contents, contents=Body(content, contents.contents.content_type))
    return message_contents_to_json(contents, PactSpec.V4)


def _produce(
    item: Message | SynchronousMessage,
    producer: MessageProducer,
    values: dict[str, Any],
    rng: random.Random,
) -> list[tuple[MessageContents, dict[str, Any]]]:
    """Call the producer; pair each expected message with the actual JSON it produced."""
    where = f"message producer for {item.description!r}"
    try:
        bound = _bind_producer(item, producer)
    except CallbackSignatureError as exc:
        raise _ProducerProblem(str(exc)) from None
    try:
        if isinstance(item, Message):
            produced = bound({"params": values})
        else:
            request_content, request_metadata = item.request.example(GeneratorContext(rng=rng))
            produced = bound({"contents": request_content, "metadata": request_metadata})
    except _ProducerProblem:
        raise
    except Exception as exc:  # user code: report, never crash
        msg = f"{where} raised {type(exc).__name__}: {exc}"
        raise _ProducerProblem(msg) from exc
    if isinstance(item, Message):
        expected_parts = [item.message_contents]
        answers = [produced]
    else:
        expected_parts = list(item.responses)
        if len(expected_parts) == 1:
            answers = [produced]
        elif isinstance(produced, list) and len(produced) == len(expected_parts):
            answers = produced
        else:
            msg = (
                f"{where} must return a list of {len(expected_parts)} responses (the contract "
                f"expects {len(expected_parts)}), got {type(produced).__name__}"
                + (f" of {len(produced)}" if isinstance(produced, list) else "")
            )
            raise _ProducerProblem(msg)
    pairs = []
    for expected, answer in zip(expected_parts, answers, strict=True):
        content, metadata = _split(answer, where)
        pairs.append((expected, _actual_json(content, metadata, expected, where)))
    return pairs


METADATA_HEADER = "Pact-Message-Metadata"
"""The header of a message-proxy answer carrying the metadata, base64-encoded JSON."""


def _url_producer(
    url: str, item: Message | SynchronousMessage, transport: ProviderTransport
) -> MessageProducer:
    """A producer asking the provider's message endpoint (the message proxy convention).

    It POSTs ``{"description", "providerStates": [{"name", "params"}]}`` to
    `url`; the answer's body is the contents (parsed by its Content-Type) and
    its `METADATA_HEADER` the metadata.
    """
    where = f"messages_url={url!r} for {item.description!r}"

    def produce() -> tuple[Any, dict[str, Any]]:
        payload = {
            "description": item.description,
            "providerStates": [
                {"name": s.name, "params": dict(s.params)} for s in item.provider_states
            ],
        }
        try:
            answer = transport.post_json(url, payload)
        except TransportFailure as exc:
            raise _ProducerProblem(f"{where}: {exc}") from None
        snippet = answer.body[:200].decode("utf-8", "replace")
        if not 200 <= answer.status < 300:
            msg = (
                f"{where} answered status {answer.status}: {snippet!r}; the endpoint must "
                "answer 2xx with the message contents"
            )
            raise _ProducerProblem(msg)
        headers = {name.lower(): value for name, value in answer.headers}
        metadata: dict[str, Any] = {}
        encoded = headers.get(METADATA_HEADER.lower())
        if encoded:
            try:
                decoded = json.loads(base64.b64decode(encoded, validate=True))
            except (ValueError, binascii.Error) as exc:
                msg = (
                    f"{where}: the {METADATA_HEADER} header is not base64-encoded JSON ({exc}); "
                    "send base64(json.dumps(metadata))"
                )
                raise _ProducerProblem(msg) from None
            if not isinstance(decoded, dict):
                msg = f"{where}: the {METADATA_HEADER} header holds {decoded!r}, not a JSON object"
                raise _ProducerProblem(msg)
            metadata = decoded
        content_type = headers.get("content-type")
        if content_type and not any(k.lower() == "contenttype" for k in metadata):
            metadata["contentType"] = content_type
        if not answer.body:
            return None, metadata
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if is_json_content_type(media):
            try:
                return json.loads(answer.body), metadata
            except ValueError as exc:
                msg = f"{where}: Content-Type {content_type!r} but the body is not JSON ({exc})"
                raise _ProducerProblem(msg) from None
        if media.startswith("text/"):
            return answer.body.decode("utf-8", "replace"), metadata
        return answer.body, metadata

    return produce


def verify_message(
    item: Message | SynchronousMessage,
    *,
    consumer: str,
    index: int,
    producers: MessageProducers,
    hooks: StateHooks,
    transport: ProviderTransport | None,
    rng: random.Random | None = None,
    known: Iterable[Message | SynchronousMessage] = (),
    messages_url: str | None = None,
) -> InteractionResult:
    """Verify one message: set up its states, call its producer, match the output.

    Args:
        item: The message to verify.
        consumer: The consumer whose pact holds it.
        index: Its position in the run.
        producers: Description (or state name) to producer function.
        hooks: How to set up its provider states.
        transport: The provider transport, needed only for a state-change URL.
        rng: Random source for the synchronous request's generators.
        known: The messages of its pact, named in the error when no producer
            is found (to point at a misspelt key).
        messages_url: The provider's message endpoint, asked for an
            asynchronous message that no producer in `producers` makes.

    Returns:
        A `PassedInteraction`, a `FailedInteraction` with the mismatches, or an
        `ErroredInteraction` saying what went wrong (no producer, a producer
        that raised, a state that could not be set up).
    """
    started = time.perf_counter()
    common: dict[str, Any] = {
        "description": item.description,
        "states": item.provider_states,
        "consumer": consumer,
        "pending": item.pending,
        "index": index,
        "comments": item.comments,
    }

    def error(phase: ErrorPhase, message: str, notes: Sequence[str] = ()) -> ErroredInteraction:
        return ErroredInteraction(
            **common,
            message=message,
            phase=phase,
            notes=tuple(notes),
            duration=time.perf_counter() - started,
        )

    producer = _find_producer(item, producers)
    if producer is None and messages_url is not None and transport is not None:
        if isinstance(item, SynchronousMessage):
            return error(
                "producer",
                f"messages_url={messages_url!r} serves asynchronous messages only; give the "
                f"synchronous message {item.description!r} a producer in message_producers=",
            )
        producer = _url_producer(messages_url, item, transport)
    if producer is None:
        return error("producer", _no_producer_message(item, producers, tuple(known)))
    if transport is None and hooks.change_url:
        return error(
            "state setup",
            f"state_change_url={hooks.change_url!r} needs base_url= or app= to reach the "
            "provider; use state_setup= for message-only verification",
        )
    states = item.provider_states
    # The transport is only used for a state-change URL, which was checked above.
    state_transport = cast(ProviderTransport, transport)
    try:
        values = set_up_states(states, hooks, state_transport)
    except StateFailure as exc:
        return error("state setup", str(exc), exc.notes)
    params: dict[str, Any] = {}
    for state in states:
        params.update(state.params)
    params.update(values)
    outcome: InteractionResult
    try:
        pairs = _produce(item, producer, params, rng or random.Random())
        mismatches: list[Mismatch] = []
        for number, (expected, actual) in enumerate(pairs):
            found = match_message(_expected_json(expected, values), actual, "4.0")
            if len(pairs) > 1:
                found = [attrs.evolve(m, path=f"$.response[{number}]" + m.path[1:]) for m in found]
            mismatches.extend(found)
    except _ProducerProblem as exc:
        outcome = error("producer", str(exc))
        if exc.__cause__ is not None:  # the producer raised: show where, in its own code
            outcome = attrs.evolve(outcome, traceback=user_traceback(exc.__cause__))
    except (MatchingError, ValueError) as exc:
        outcome = error("matching", f"the pact's rules cannot be applied: {exc}")
    else:
        if mismatches:
            outcome = FailedInteraction(**common, mismatches=tuple(mismatches))
        else:
            outcome = PassedInteraction(**common)
    problems = tear_down_states(states, hooks, state_transport)
    duration = time.perf_counter() - started
    if problems and isinstance(outcome, PassedInteraction):
        return error("state teardown", "; ".join(problems))
    return attrs.evolve(outcome, notes=(*outcome.notes, *problems), duration=duration)


def verify_message_interactions(
    pact: Pact,
    message_producers: MessageProducers,
    *,
    hooks: StateHooks | None = None,
    transport: ProviderTransport | None = None,
    start_index: int = 0,
    selected: Callable[[Any], bool] | None = None,
) -> list[InteractionResult]:
    """Verify every message of `pact` (HTTP interactions are left to the HTTP verifier).

    Args:
        pact: The pact whose messages to verify.
        message_producers: Description (or state name) to producer function.
        hooks: How to set up provider states (callbacks or a state-change URL).
        transport: The provider transport, needed only for a state-change URL.
        start_index: The `index` of the first entry (to continue a run's order).
        selected: A filter on interactions (the run's description/state filter).

    Returns:
        One result entry per message, in pact order.
    """
    check_message_producers(message_producers)
    check_producer_signatures([pact], message_producers, selected or (lambda _: True))
    hooks = hooks or StateHooks()
    entries: list[InteractionResult] = []
    messages = [i for i in pact.interactions if isinstance(i, Message | SynchronousMessage)]
    for item in messages:
        if selected is not None and not selected(item):
            continue
        entries.append(
            verify_message(
                item,
                consumer=pact.consumer,
                index=start_index + len(entries),
                producers=message_producers,
                hooks=hooks,
                transport=transport,
                known=messages,
            )
        )
    return entries


class NoHttpProvider(RuntimeError):
    """Raised by the stand-in provider of a message-only verification."""


def no_http_provider(environ: Mapping[str, Any], start_response: Callable[..., Any]) -> Any:
    """The WSGI app `verify_provider` uses when only `message_producers` were given.

    It answers nothing: any HTTP interaction (or state-change URL) then errors
    with a message saying what to pass.

    Raises:
        NoHttpProvider: always.
    """
    msg = (
        "no HTTP provider was given (only message_producers=); pass base_url= or app= "
        "to verify HTTP interactions"
    )
    raise NoHttpProvider(msg)
