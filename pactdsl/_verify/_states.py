"""Provider states: Python callbacks, or the standard state-change URL protocol.

A state callback gets what its signature asks for (`pactdsl._callbacks`): the
state's name first, its params as ``params``/``parameters`` (or spread into
``**params``), and ``action`` (``"setup"``/``"teardown"``) when it names it; a
signature we cannot bind is refused before the run. A mapping it returns (or, for
the URL protocol, a JSON object in the answer) is kept for `ProviderState`
generators, e.g. the id of a row the setup created.

As pact-reference does, an interaction that declares no provider state still gets
one setup and one teardown call, with the empty state name ``""`` and no params
(a generic per-interaction hook; a callback returns early for it when it has
nothing to do). A setup that fails is not torn down; the states set up before it
are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from pactdsl._callbacks import STATE_HANDLER, BoundCallback, bind_callback, callback_name
from pactdsl._http import ProviderTransport, TransportFailure
from pactdsl._model import ProviderState

__all__ = ["StateFailure", "StateHooks", "set_up_states", "tear_down_states"]

StateCallback = Callable[..., Any]


class StateFailure(Exception):
    """A provider state could not be set up or torn down; the message says which and why.

    Attributes:
        notes: Problems met tearing down the states set up before the failing one.
    """

    def __init__(self, message: str, notes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.notes = tuple(notes)


# What a state hook gets for an interaction that declares no provider state (pact-reference's).
NO_STATE = ProviderState("")


@attrs.frozen
class StateHooks:
    """How to change provider states: callbacks, a state-change URL, or nothing."""

    setup: StateCallback | None = None
    teardown: StateCallback | None = None
    change_url: str | None = None
    bound_setup: BoundCallback | None = attrs.field(init=False)
    bound_teardown: BoundCallback | None = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        # Bound once, when the run starts: a signature we cannot bind fails before any request.
        for role, func in (("setup", self.setup), ("teardown", self.teardown)):
            bound = None
            if func is not None:
                bound = bind_callback(func, STATE_HANDLER, f"state_{role}={callback_name(func)}")
            object.__setattr__(self, f"bound_{role}", bound)

    @property
    def active(self) -> bool:
        """Whether anything is called for states at all."""
        return self.setup is not None or self.teardown is not None or bool(self.change_url)


def _changed(states: Sequence[ProviderState]) -> Sequence[ProviderState]:
    """The states the hooks are called for: the declared ones, or the empty state."""
    return states or (NO_STATE,)


def _describe(state: ProviderState) -> str:
    if not state.name:
        return "'' (the empty state: the interaction declares no provider state)"
    if state.params:
        return f"{state.name!r} (params={dict(state.params)!r})"
    return repr(state.name)


def _call(bound: BoundCallback, state: ProviderState, action: str) -> Any:
    return bound({"state": state.name, "params": dict(state.params), "action": action})


def _change_by_url(
    transport: ProviderTransport, url: str, state: ProviderState, action: str
) -> Mapping[str, Any]:
    payload = {"state": state.name, "params": dict(state.params), "action": action}
    try:
        answer = transport.post_json(url, payload)
    except TransportFailure as exc:
        msg = f"state {action} for {_describe(state)} via state_change_url={url!r}: {exc}"
        raise StateFailure(msg) from None
    if not 200 <= answer.status < 300:
        snippet = answer.body[:200].decode("utf-8", "replace")
        msg = (
            f"state {action} for {_describe(state)} via state_change_url={url!r} answered "
            f"status {answer.status}: {snippet!r}; the state-change endpoint must answer 2xx"
        )
        raise StateFailure(msg)
    if not answer.body.strip():
        return {}
    try:
        value = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        return {}  # a text answer ("OK") carries no values
    return value if isinstance(value, Mapping) else {}


def set_up_states(
    states: Sequence[ProviderState], hooks: StateHooks, transport: ProviderTransport
) -> dict[str, Any]:
    """Set up each state in order; return the values they gave for generators.

    Raises:
        StateFailure: naming the state, its params and what went wrong.
    """
    values: dict[str, Any] = {}
    changed = _changed(states)
    for done, state in enumerate(changed):
        try:
            if hooks.bound_setup is not None:
                try:
                    returned = _call(hooks.bound_setup, state, "setup")
                except Exception as exc:
                    msg = f"state_setup for {_describe(state)} raised {type(exc).__name__}: {exc}"
                    if not state.name:
                        msg += "; return early from state_setup when the state is ''"
                    raise StateFailure(msg) from None
                if isinstance(returned, Mapping):
                    values.update(returned)
            elif hooks.change_url:
                values.update(_change_by_url(transport, hooks.change_url, state, "setup"))
        except StateFailure as exc:
            # The failed state is not torn down (as pact-reference); those set up before it are.
            notes = _tear_down(changed[:done], hooks, transport)
            raise StateFailure(str(exc), notes) from None
    return values


def tear_down_states(
    states: Sequence[ProviderState], hooks: StateHooks, transport: ProviderTransport
) -> list[str]:
    """Tear down each state, last first; return the problems met (all are tried)."""
    return _tear_down(_changed(states), hooks, transport)


def _tear_down(
    states: Sequence[ProviderState], hooks: StateHooks, transport: ProviderTransport
) -> list[str]:
    problems: list[str] = []
    for state in reversed(states):
        try:
            if hooks.bound_teardown is not None:
                _call(hooks.bound_teardown, state, "teardown")
            elif hooks.change_url and hooks.setup is None:
                _change_by_url(transport, hooks.change_url, state, "teardown")
        except StateFailure as exc:
            problems.append(str(exc))
        except Exception as exc:
            problems.append(
                f"state_teardown for {_describe(state)} raised {type(exc).__name__}: {exc}"
            )
    return problems
