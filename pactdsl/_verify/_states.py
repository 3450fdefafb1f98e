"""Provider states: Python callbacks, or the standard state-change URL protocol.

A state callback is called as ``setup(name)`` or, when it takes two positional
parameters, ``setup(name, params)``. A mapping it returns (or, for the URL
protocol, a JSON object in the answer) is kept for `ProviderState` generators,
e.g. the id of a row the setup created.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from pactdsl._http import ProviderTransport, TransportFailure
from pactdsl._model import ProviderState

__all__ = ["StateFailure", "StateHooks", "set_up_states", "tear_down_states"]

StateCallback = Callable[..., Any]


class StateFailure(Exception):
    """A provider state could not be set up or torn down; the message says which and why."""


def _takes_params(func: StateCallback) -> bool:
    """Whether `func` accepts a second positional argument (the state's params)."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return False  # builtins without a signature: call with the name only
    positional = 0
    for param in params:
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            return True
        if param.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            positional += 1
    return positional >= 2


@attrs.frozen
class StateHooks:
    """How to change provider states: callbacks, a state-change URL, or nothing."""

    setup: StateCallback | None = None
    teardown: StateCallback | None = None
    change_url: str | None = None
    setup_takes_params: bool = attrs.field(init=False)
    teardown_takes_params: bool = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        # Inspecting a signature costs more than the call; do it once per run.
        object.__setattr__(
            self, "setup_takes_params", self.setup is not None and _takes_params(self.setup)
        )
        object.__setattr__(
            self,
            "teardown_takes_params",
            self.teardown is not None and _takes_params(self.teardown),
        )

    @property
    def active(self) -> bool:
        """Whether anything is called for states at all."""
        return self.setup is not None or self.teardown is not None or bool(self.change_url)


def _describe(state: ProviderState) -> str:
    if state.params:
        return f"{state.name!r} (params={dict(state.params)!r})"
    return repr(state.name)


def _call(func: StateCallback, takes_params: bool, state: ProviderState) -> Any:
    if takes_params:
        return func(state.name, dict(state.params))
    return func(state.name)


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
    for state in states:
        if hooks.setup is not None:
            try:
                returned = _call(hooks.setup, hooks.setup_takes_params, state)
            except Exception as exc:
                msg = f"state_setup for {_describe(state)} raised {type(exc).__name__}: {exc}"
                raise StateFailure(msg) from None
            if isinstance(returned, Mapping):
                values.update(returned)
        elif hooks.change_url:
            values.update(_change_by_url(transport, hooks.change_url, state, "setup"))
    return values


def tear_down_states(
    states: Sequence[ProviderState], hooks: StateHooks, transport: ProviderTransport
) -> list[str]:
    """Tear down each state, last first; return the problems met (all are tried)."""
    problems: list[str] = []
    for state in reversed(states):
        try:
            if hooks.teardown is not None:
                _call(hooks.teardown, hooks.teardown_takes_params, state)
            elif hooks.change_url and hooks.setup is None:
                _change_by_url(transport, hooks.change_url, state, "teardown")
        except StateFailure as exc:
            problems.append(str(exc))
        except Exception as exc:
            problems.append(
                f"state_teardown for {_describe(state)} raised {type(exc).__name__}: {exc}"
            )
    return problems
