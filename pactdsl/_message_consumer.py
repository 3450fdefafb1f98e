"""Consumer-side message verification: feed each message of a contract to the consumer's handler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

from pactdsl._callbacks import CONSUMER_MESSAGE_HANDLER, bind_callback, callback_name
from pactdsl._dsl import Contract, resolve_pact
from pactdsl._errors import PactdslError, user_traceback
from pactdsl._generators import GeneratorContext
from pactdsl._model import Message, MessageContents, SynchronousMessage

if TYPE_CHECKING:
    from pactdsl._model import Pact

__all__ = [
    "HandledMessage",
    "MessageConsumerError",
    "MessageConsumerResult",
    "verify_message_consumer",
]


class MessageConsumerError(PactdslError, AssertionError):
    """The consumer's handler failed on one or more messages of the contract."""


@attrs.frozen
class HandledMessage:
    """What the handler did with one message.

    Attributes:
        description: The message's description.
        kind: ``"async"`` for an asynchronous message; ``"sync response"`` for a
            response of a synchronous one.
        response_index: Which response of a synchronous message (None for async).
        contents: The contents the handler was given.
        metadata: The metadata it was given.
        error: None when the handler returned; else ``"ExceptionType: message"``.
        traceback: When the handler raised: its traceback, from the handler's
            own first frame (pactdsl's are cut); empty otherwise.
    """

    description: str
    kind: Literal["async", "sync response"]
    response_index: int | None
    contents: Any
    metadata: Mapping[str, Any]
    error: str | None = None
    traceback: str = ""

    @property
    def ok(self) -> bool:
        """True when the handler handled the message without raising."""
        return self.error is None


@attrs.frozen
class MessageConsumerResult:
    """The outcome of `verify_message_consumer`: one entry per message handled."""

    consumer: str
    provider: str
    entries: tuple[HandledMessage, ...] = ()

    @property
    def success(self) -> bool:
        """True when the handler handled every message (and there was one)."""
        return bool(self.entries) and all(entry.ok for entry in self.entries)

    @property
    def failures(self) -> tuple[HandledMessage, ...]:
        """The messages the handler raised on."""
        return tuple(entry for entry in self.entries if not entry.ok)

    def report(self) -> str:
        """A short text report: one line per message."""
        lines = [f"message consumer {self.consumer} <- {self.provider}:"]
        for entry in self.entries:
            which = "" if entry.response_index is None else f" (response {entry.response_index})"
            verdict = "ok" if entry.ok else f"FAILED: {entry.error}"
            lines.append(f"  {entry.description!r}{which}: {verdict}")
            lines += [f"    {line}" for line in entry.traceback.splitlines()]
        if not self.entries:
            lines.append("  no messages in the contract")
        return "\n".join(lines)

    def raise_for_failures(self) -> None:
        """Raise `MessageConsumerError` with the report when a message failed.

        Raises:
            MessageConsumerError: when `success` is False.
        """
        if not self.success:
            raise MessageConsumerError(self.report())


def verify_message_consumer(
    contract: Contract | Pact | str,
    handler: Callable[..., Any],
    *,
    description: str | None = None,
    seed: int | None = None,
) -> MessageConsumerResult:
    """Feed each message of a contract to the consumer's handler, as Pact consumer tests do.

    The handler is called as ``handler(contents, metadata)`` (or
    ``handler(contents)``; parameters are bound by name and position, see
    `pactdsl._callbacks`), where `contents` is the
    example with generators applied: the parsed JSON value for JSON messages,
    ``str`` for text, ``bytes`` for binary. For a synchronous message the
    handler gets each response message (the consumer sends the request and
    must handle what comes back). An exception from the handler marks that
    message failed; it never stops the others.

    Args:
        contract: A `Contract`, a `Pact` (e.g. loaded from a file) or a
            registered contract's name.
        handler: The consumer's message handler.
        description: Only handle the message with this description.
        seed: Seed for the generators' randomness (reproducible runs).

    Returns:
        One `HandledMessage` per message; `result.success` tells whether all
        were handled, `result.raise_for_failures()` turns failure into an error.

    Raises:
        TypeError: when `handler` is not callable, or its signature cannot be
            bound (`CallbackSignatureError`, naming the accepted signatures).
        KeyError: when `description` names no message of the contract.
    """
    import random

    if not callable(handler):
        msg = f"handler={handler!r} must be callable: handler(contents, metadata)"
        raise TypeError(msg)
    pact = resolve_pact(contract)
    bound = bind_callback(handler, CONSUMER_MESSAGE_HANDLER, f"handler={callback_name(handler)}")
    context = GeneratorContext(rng=random.Random(seed))
    items = [i for i in pact.interactions if isinstance(i, Message | SynchronousMessage)]
    if description is not None:
        items = [i for i in items if i.description == description]
        if not items:
            known = [
                i.description
                for i in pact.interactions
                if isinstance(i, Message | SynchronousMessage)
            ]
            msg = f"description={description!r} names no message of the contract; known: {known}"
            raise KeyError(msg)
    entries: list[HandledMessage] = []
    for item in items:
        if isinstance(item, Message):
            targets: list[tuple[int | None, MessageContents]] = [(None, item.message_contents)]
        else:
            targets = list(enumerate(item.responses))
        for index, contents in targets:
            body, metadata = contents.example(context)
            error: str | None = None
            trace = ""
            try:
                bound({"contents": body, "metadata": metadata})
            except Exception as exc:  # the handler's failure is the result
                error = f"{type(exc).__name__}: {exc}"
                trace = user_traceback(exc)
            entries.append(
                HandledMessage(
                    item.description,
                    "async" if index is None else "sync response",
                    index,
                    body,
                    metadata,
                    error,
                    trace,
                )
            )
    return MessageConsumerResult(pact.consumer, pact.provider, tuple(entries))
