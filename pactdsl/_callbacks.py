"""Calling user callbacks with exactly the arguments their signatures ask for.

State handlers, message producers and consumer-side message handlers are user
functions of a few accepted shapes. Counting positional parameters guesses
(``def h(state, action="setup", parameters=None)`` would get the params as
`action`), so each callback is bound once, by its signature, when the run
starts: a parameter named after a value gets that value, a leftover required
positional parameter gets the next value that may be passed by position, and
``**kwargs`` gets the spread values where the kind allows it. Anything else
(``*args``, a parameter we would have to guess) is refused with the shapes we
accept, before anything runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from pactdsl._errors import PactdslError

__all__ = [
    "ASYNC_PRODUCER",
    "CONSUMER_MESSAGE_HANDLER",
    "STATE_HANDLER",
    "SYNC_PRODUCER",
    "BoundCallback",
    "CallbackKind",
    "CallbackSignatureError",
    "Slot",
    "bind_callback",
    "callback_name",
]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class CallbackSignatureError(PactdslError, TypeError):
    """A callback's signature cannot be bound to the arguments pactdsl passes."""


@attrs.frozen
class Slot:
    """One value a callback may receive.

    Attributes:
        key: The value's key in the mapping given to `BoundCallback.__call__`.
        names: Parameter names that ask for it by name.
        by_position: Whether a required parameter with another name may
            receive it by position (the state name, the message contents).
    """

    key: str
    names: frozenset[str]
    by_position: bool = True


@attrs.frozen
class CallbackKind:
    """The values one kind of callback may receive, and the shapes we accept.

    Attributes:
        slots: The values, in the order an unnamed positional parameter takes them.
        spread: The key of a mapping spread into ``**kwargs`` (e.g. the state's
            params), or None when ``**kwargs`` receives nothing.
        required: Keys every callback of this kind must receive.
        shapes: The accepted signatures, named in the error.
    """

    slots: tuple[Slot, ...]
    spread: str | None
    required: frozenset[str]
    shapes: tuple[str, ...]


STATE_HANDLER = CallbackKind(
    slots=(
        Slot("state", frozenset({"state", "name", "state_name"})),
        Slot("params", frozenset({"params", "parameters"})),
        Slot("action", frozenset({"action"}), by_position=False),
    ),
    spread="params",
    required=frozenset({"state"}),
    shapes=(
        "f(state)",
        "f(state, params)",
        "f(state, **params)",
        "f(state, action)",
        "f(state, action, params)",
        'f(state, action="setup", parameters=None) (pact-python\'s)',
    ),
)
"""A provider-state setup or teardown: the state's name, its params, the action."""

ASYNC_PRODUCER = CallbackKind(
    slots=(Slot("params", frozenset({"params", "parameters", "values"})),),
    spread="params",
    required=frozenset(),
    shapes=("f()", "f(params)", "f(**params)"),
)
"""A producer of an asynchronous message: the states' params and setup values."""

SYNC_PRODUCER = CallbackKind(
    slots=(
        Slot("contents", frozenset({"contents", "content", "request", "body"})),
        Slot("metadata", frozenset({"metadata"})),
    ),
    spread=None,
    required=frozenset(),
    shapes=("f()", "f(contents)", "f(contents, metadata)"),
)
"""A producer of a synchronous message's response: the request's contents and metadata."""

CONSUMER_MESSAGE_HANDLER = CallbackKind(
    slots=(
        Slot("contents", frozenset({"contents", "content", "message", "body"})),
        Slot("metadata", frozenset({"metadata"})),
    ),
    spread=None,
    required=frozenset({"contents"}),
    shapes=("f(contents)", "f(contents, metadata)"),
)
"""A consumer's message handler: the message's contents and metadata."""


@attrs.frozen
class BoundCallback:
    """A callback with the keys each of its parameters receives, in call order.

    Attributes:
        func: The callback.
        where: How errors name it, e.g. ``state_setup=set_up``.
        positional: The keys passed by position, in order.
        keywords: Parameter name to the key passed by that keyword.
        spread: The key of the mapping spread into ``**kwargs``, if any.
        taken: The parameters filled otherwise, which a spread key must not name.
    """

    func: Callable[..., Any]
    where: str
    positional: tuple[str, ...]
    keywords: tuple[tuple[str, str], ...]
    spread: str | None
    taken: frozenset[str]

    def __call__(self, values: Mapping[str, Any]) -> Any:
        """Call the callback with the values it asks for.

        Raises:
            CallbackSignatureError: when a spread value's key collides with a
                parameter the callback already receives.
        """
        args = [values[key] for key in self.positional]
        kwargs = {name: values[key] for name, key in self.keywords}
        if self.spread is not None:
            spread = dict(values[self.spread] or {})
            clash = sorted(set(spread) & self.taken)
            if clash:
                msg = (
                    f"{self.where} takes **kwargs for the params, but the params "
                    f"{', '.join(map(repr, clash))} collide with its own parameters; take the "
                    "params as one dict instead, e.g. f(state, params)"
                )
                raise CallbackSignatureError(msg)
            kwargs.update(spread)
        return self.func(*args, **kwargs)


def callback_name(func: Callable[..., Any]) -> str:
    """How errors name a callback: its qualified name, else its repr."""
    return getattr(func, "__qualname__", None) or repr(func)


def _refuse(where: str, kind: CallbackKind, why: str) -> CallbackSignatureError:
    shapes = ", ".join(kind.shapes)
    return CallbackSignatureError(
        f"{where}: {why}; the accepted signatures are {shapes} (parameters named after a "
        "value get it by keyword, optional keyword-only parameters keep their defaults)"
    )


def bind_callback(func: Callable[..., Any], kind: CallbackKind, where: str) -> BoundCallback:
    """Bind `func`'s parameters to the values of `kind`, or say why it cannot be done.

    Args:
        func: The user's callback.
        kind: The values it may receive and the shapes accepted.
        where: How errors name it, e.g. ``"state_setup=set_up"``.

    Raises:
        CallbackSignatureError: naming the callback, what is ambiguous and the
            accepted signatures.
    """
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        raise _refuse(where, kind, "its signature cannot be read") from None
    by_name = {name: slot.key for slot in kind.slots for name in slot.names}
    bound: dict[str, str] = {}  # parameter name -> key
    for param in params:
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise _refuse(where, kind, f"*{param.name} leaves what it receives to guess")
        key = by_name.get(param.name)
        if key is None or param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        if key in bound.values():
            other = next(name for name, k in bound.items() if k == key)
            raise _refuse(where, kind, f"both {other!r} and {param.name!r} ask for the {key}")
        bound[param.name] = key
    free = [slot.key for slot in kind.slots if slot.by_position and slot.key not in bound.values()]
    spread: str | None = None
    for param in params:
        if param.name in bound or param.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            if kind.spread is not None and kind.spread not in bound.values():
                spread = kind.spread
            continue
        optional = param.default is not inspect.Parameter.empty
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            if optional:
                continue  # never filled by position: it keeps its default
            raise _refuse(where, kind, f"the keyword-only parameter {param.name!r} gets no value")
        if optional:
            raise _refuse(
                where,
                kind,
                f"the optional parameter {param.name}={param.default!r} could be meant for "
                f"the {free[0] if free else 'nothing'}; name it after the value it wants",
            )
        if not free:
            raise _refuse(where, kind, f"the parameter {param.name!r} gets no value")
        bound[param.name] = free.pop(0)
    missing = sorted(kind.required - set(bound.values()))
    if missing:
        raise _refuse(where, kind, f"it takes no parameter for the {missing[0]}")
    positional: list[str] = []
    keywords: list[tuple[str, str]] = []
    for param in params:
        if param.name not in bound:
            continue
        if param.kind in _POSITIONAL:
            positional.append(bound[param.name])
        else:
            keywords.append((param.name, bound[param.name]))
    return BoundCallback(
        func,
        where,
        tuple(positional),
        tuple(keywords),
        spread,
        frozenset(p.name for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD),
    )
