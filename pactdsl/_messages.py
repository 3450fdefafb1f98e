"""Message pacts: the model, the DSL and the consumer-side check.

Queues and event streams (Kafka, SQS, RabbitMQ) carry messages, not HTTP. A
pact describes them as asynchronous messages (one-way: the provider publishes,
the consumer handles) or, in V4, synchronous messages (a request message with
one or more response messages):

```python
from pactdsl import contract, message, sync_message
from pactdsl.match import integer, regex

@contract(consumer="billing", provider="orders")
def order_events():
    yield (
        message("an order created event")
        .given("an order exists", id=7)
        .with_content({"orderId": integer(7), "status": regex("created|paid", "created")},
                      metadata={"topic": "orders"})
    )
```

`verify_message_consumer` then feeds each message's example to the consumer's
handler, and `verify_provider(..., message_producers=...)` checks what the
provider's code produces against the same contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from pactdsl._errors import ContractError, InvalidMatcher
from pactdsl._flatten import flatten
from pactdsl._generators import Generator
from pactdsl._json_value import check_json_value
from pactdsl._matchers import UNSET, RuleGroup, _call_repr, example_of
from pactdsl._model import (
    ASYNCHRONOUS_MESSAGES,
    SYNCHRONOUS_MESSAGES,
    Body,
    Message,
    MessageContents,
    ProviderState,
    SynchronousMessage,
    content_type_of,
    is_json_content_type,
    metadata_content_type,
)
from pactdsl._rulepath import rule_path_child
from pactdsl._steps import BuilderSteps

__all__ = [
    "ASYNCHRONOUS_MESSAGES",
    "SYNCHRONOUS_MESSAGES",
    "Message",
    "MessageBuilder",
    "MessageContents",
    "SyncMessageBuilder",
    "SynchronousMessage",
    "content_type_of",
    "message",
    "sync_message",
]

# --------------------------------------------------------------------------
# The DSL


@attrs.frozen
class _ContentPart:
    """What `.with_content(...)` (or a sync request/response) was called with."""

    content: Any
    metadata: tuple[tuple[str, Any], ...] = ()
    content_type: str | None = None

    def call_repr(self, name: str) -> str:
        kwargs: dict[str, Any] = {}
        if self.metadata:
            kwargs["metadata"] = dict(self.metadata)
        if self.content_type is not None:
            kwargs["content_type"] = self.content_type
        return _call_repr(name, self.content, **kwargs)


def _content_part(
    content: Any, metadata: Mapping[str, Any] | None, content_type: Any
) -> _ContentPart:
    if metadata is not None and not isinstance(metadata, Mapping):
        msg = f"metadata={metadata!r} must be a mapping of name to value"
        raise ContractError(msg)
    if content_type is not None and (not isinstance(content_type, str) or "/" not in content_type):
        msg = f"content_type={content_type!r} must be a media type such as 'application/json'"
        raise ContractError(msg)
    return _ContentPart(content, tuple((metadata or {}).items()), content_type)


@attrs.frozen(repr=False)
class MessageBuilder(BuilderSteps):
    """An asynchronous message being declared; every method returns a new builder."""

    description: str
    states: tuple[ProviderState, ...] = ()
    content_part: _ContentPart | None = None
    interaction_key: str | None = None
    is_pending: bool = False
    comments: tuple[str, ...] = ()

    def __repr__(self) -> str:
        text = f"message({self.description!r})"
        if self.content_part is not None:
            text += "." + self.content_part.call_repr("with_content")
        return self._repr_extras(self._repr_states(text))

    def with_content(
        self,
        content: Any,
        *,
        metadata: Mapping[str, Any] | None = None,
        content_type: str | None = None,
    ) -> MessageBuilder:
        """The message's contents (matchers may stand in any value) and metadata.

        Args:
            content: A JSON value (dict, list, ...) with matchers inside, text, or
                bytes.
            metadata: Metadata values (Kafka/AMQP headers, topic, ...); a matcher
                may stand for a whole value.
            content_type: The media type; by default ``application/json`` for
                JSON, ``text/plain`` for text, ``application/octet-stream`` for bytes.
        """
        return attrs.evolve(self, content_part=_content_part(content, metadata, content_type))

    def build(self, contract_name: str) -> Message:
        """The model `Message`, checked (used by `@contract`).

        Raises:
            ContractError: naming the contract, message and field at fault.
        """
        where = f"contract {contract_name!r}, message {self.description!r}"
        if self.content_part is None:
            msg = f"{where}: no content; call .with_content(...)"
            raise ContractError(msg)
        _check_states(self.states, where)
        built = _build_contents(self.content_part, f"{where}, content")
        return Message(
            self.description,
            built.contents,
            built.metadata,
            built.matching_rules,
            built.generators,
            self.states,
            self.interaction_key,
            self.is_pending,
            _comments(self.comments),
        )


@attrs.frozen(repr=False)
class SyncMessageBuilder(BuilderSteps):
    """A synchronous message (V4) being declared; every method returns a new builder."""

    description: str
    states: tuple[ProviderState, ...] = ()
    request_part: _ContentPart | None = None
    response_parts: tuple[_ContentPart, ...] = ()
    interaction_key: str | None = None
    is_pending: bool = False
    comments: tuple[str, ...] = ()

    def __repr__(self) -> str:
        text = f"sync_message({self.description!r})"
        if self.request_part is not None:
            text += "." + self.request_part.call_repr("with_request")
        for part in self.response_parts:
            text += "." + part.call_repr("with_response")
        return self._repr_extras(self._repr_states(text))

    def with_request(
        self,
        content: Any,
        *,
        metadata: Mapping[str, Any] | None = None,
        content_type: str | None = None,
    ) -> SyncMessageBuilder:
        """The request message the consumer sends (same arguments as `with_content`)."""
        return attrs.evolve(self, request_part=_content_part(content, metadata, content_type))

    def with_response(
        self,
        content: Any,
        *,
        metadata: Mapping[str, Any] | None = None,
        content_type: str | None = None,
    ) -> SyncMessageBuilder:
        """Add a response message the provider answers with (call again for more)."""
        part = _content_part(content, metadata, content_type)
        return attrs.evolve(self, response_parts=(*self.response_parts, part))

    def build(self, contract_name: str) -> SynchronousMessage:
        """The model `SynchronousMessage`, checked (used by `@contract`).

        Raises:
            ContractError: naming the contract, message and field at fault.
        """
        where = f"contract {contract_name!r}, sync message {self.description!r}"
        if self.request_part is None:
            msg = f"{where}: no request; call .with_request(...)"
            raise ContractError(msg)
        if not self.response_parts:
            msg = f"{where}: no response; call .with_response(...) once per response message"
            raise ContractError(msg)
        _check_states(self.states, where)
        request = _build_contents(self.request_part, f"{where}, request")
        responses = tuple(
            _build_contents(part, f"{where}, response[{n}]")
            for n, part in enumerate(self.response_parts)
        )
        return SynchronousMessage(
            self.description,
            request,
            responses,
            self.states,
            self.interaction_key,
            self.is_pending,
            _comments(self.comments),
        )


def _checked_description(description: Any, factory: str) -> str:
    if not isinstance(description, str) or not description.strip():
        msg = f"{factory}(description={description!r}): give a non-empty description"
        raise ContractError(msg)
    return description


def message(description: str) -> MessageBuilder:
    """Start declaring an asynchronous message named `description`.

    Raises:
        ContractError: when the description is empty or not text.
    """
    return MessageBuilder(_checked_description(description, "message"))


def sync_message(description: str) -> SyncMessageBuilder:
    """Start declaring a synchronous (request/response) message named `description` (V4).

    Raises:
        ContractError: when the description is empty or not text.
    """
    return SyncMessageBuilder(_checked_description(description, "sync_message"))


def _comments(texts: tuple[str, ...]) -> dict[str, Any]:
    return {"text": list(texts)} if texts else {}


def _check_states(states: tuple[ProviderState, ...], where: str) -> None:
    for state in states:
        try:
            check_json_value(example_of(dict(state.params)), "params")
        except TypeError as exc:
            msg = f"{where}, given {state.name!r}: {exc}"
            raise ContractError(msg) from None


def _default_content_type(example: Any) -> str:
    if isinstance(example, bytes):
        return "application/octet-stream"
    if isinstance(example, str):
        return "application/xml" if example.lstrip().startswith("<") else "text/plain"
    return "application/json"


def _build_contents(part: _ContentPart, where: str) -> MessageContents:
    rules: dict[str, dict[str, RuleGroup]] = {}
    generators: dict[str, dict[str, Generator]] = {}
    try:
        metadata = _build_metadata(part.metadata, where, rules, generators)
        body = _build_body(part, metadata, where, rules, generators)
    except InvalidMatcher as exc:
        msg = f"{where}: {exc}"
        raise ContractError(msg) from None
    return MessageContents(body, metadata, rules, generators)


def _build_body(
    part: _ContentPart,
    metadata: dict[str, Any],
    where: str,
    rules: dict[str, dict[str, RuleGroup]],
    generators: dict[str, dict[str, Generator]],
) -> Body | None:
    declared = part.content_type or metadata_content_type(metadata)
    if part.content is None or part.content is UNSET:
        return None
    if isinstance(part.content, bytes):
        content_type = declared or "application/octet-stream"
        metadata.setdefault("contentType", content_type)
        return Body(part.content, content_type)
    flat = flatten(part.content)
    try:
        check_json_value(flat.example, "content")
    except TypeError as exc:
        raise ContractError(f"{where}: {exc}") from None
    if flat.rules:
        rules["body"] = flat.rules
    if flat.generators:
        generators["body"] = flat.generators
    content_type = declared or _default_content_type(flat.example)
    if not is_json_content_type(content_type) and not isinstance(flat.example, str):
        msg = (
            f"{where}: content_type={content_type!r} is not JSON, so the content must be "
            f"text or bytes, got {type(flat.example).__name__}"
        )
        raise ContractError(msg)
    if metadata_content_type(metadata) is None:
        # As other Pact writers do: the content type travels in the metadata too.
        metadata["contentType"] = content_type
    return Body(flat.example, content_type)


def _build_metadata(
    raw: tuple[tuple[str, Any], ...],
    where: str,
    rules: dict[str, dict[str, RuleGroup]],
    generators: dict[str, dict[str, Generator]],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in raw:
        if not isinstance(name, str) or not name:
            msg = f"{where}: metadata name {name!r} must be a non-empty string"
            raise ContractError(msg)
        flat = flatten(value)
        nested = sorted(set(flat.generators) - {"$"})
        if nested:
            msg = (
                f"{where}: metadata[{name!r}] has generators inside it at {nested}; put one "
                "generator on the whole metadata value (matchers may go inside)"
            )
            raise ContractError(msg)
        for path, group in flat.rules.items():
            # A matcher on the whole value is keyed by its name, as other Pact writers
            # do; one inside a nested value (Kafka headers) by its rule path.
            key = name if path == "$" else rule_path_child("$", name) + path[1:]
            rules.setdefault("metadata", {})[key] = group
        if "$" in flat.generators:
            generators.setdefault("metadata", {})[name] = flat.generators["$"]
        try:
            check_json_value(flat.example, f"metadata[{name!r}]")
        except TypeError as exc:
            raise ContractError(f"{where}: {exc}") from None
        out[name] = flat.example
    return out


def is_message_builder(item: Any) -> bool:
    """Whether `item` is a message builder (`message(...)` or `sync_message(...)`)."""
    return isinstance(item, MessageBuilder | SyncMessageBuilder)
