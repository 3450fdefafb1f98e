"""The run: one interaction at a time, through its states, request, answer and matching.

For every selected interaction: set up its provider states, build the request
from the examples (generators applied, provider-state values injected), let
the `request_filter` change it, send it, match the answer with the engine, tear
the states down. Whatever goes wrong for one interaction (a state that cannot
be set up, a refused connection, a timeout, a body that is not JSON) becomes an
error entry for that interaction: a run never crashes half-way and never
counts such an interaction as passed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from pactdsl._callbacks import CallbackSignatureError
from pactdsl._errors import user_traceback
from pactdsl._generators import GeneratorContext
from pactdsl._http import (
    ProviderTransport,
    TransportFailure,
    actual_response_json,
    check_base_url,
    expected_response_json,
)
from pactdsl._lifespan import LifespanFailure
from pactdsl._messages import Message, SynchronousMessage
from pactdsl._model import Interaction, Pact
from pactdsl._verify._broker_source import PactToVerify, Publishing, publish_outcomes
from pactdsl._verify._config import VerificationConfigError, listing
from pactdsl._verify._detail import body_excerpts, sent_request
from pactdsl._verify._messages import check_producer_signatures, verify_message
from pactdsl._verify._request import (
    ProviderRequest,
    build_request,
    unparseable_json,
    unsafe_path,
)
from pactdsl._verify._results import (
    ContractVerificationResult,
    ErroredInteraction,
    ErrorPhase,
    FailedInteraction,
    InteractionResult,
    PassedInteraction,
    UnverifiedInteraction,
    combine,
    with_entry,
)
from pactdsl._verify._selection import Selection, nothing_selected
from pactdsl._verify._states import StateFailure, StateHooks, set_up_states, tear_down_states
from pactdsl._verify._target import Target
from pactdsl.matching import MatchingError, match_response

if TYPE_CHECKING:
    from pactdsl.broker import Broker

__all__ = ["RunOptions", "run_options", "verify_units"]

RequestFilter = Callable[[ProviderRequest], ProviderRequest | None]


@attrs.frozen(kw_only=True)
class RunOptions:
    """How each interaction is run: its states' hooks, the request's changes, when to stop.

    Attributes:
        hooks: How provider states are set up and torn down.
        request_filter: Called with each request just before it is sent.
        headers: Headers added to every request (replacing the pact's).
        fail_fast: Stop after the first failing or errored interaction.
    """

    hooks: StateHooks = attrs.field(factory=StateHooks)
    request_filter: RequestFilter | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    fail_fast: bool = False


def run_options(
    *,
    state_setup: Callable[..., Any] | None = None,
    state_teardown: Callable[..., Any] | None = None,
    state_change_url: str | None = None,
    request_filter: RequestFilter | None = None,
    headers: Mapping[str, str] | None = None,
    fail_fast: bool = False,
) -> RunOptions:
    """The checked run options, the state callbacks bound once.

    Raises:
        VerificationConfigError: for both `state_setup` and `state_change_url`,
            a bad state-change URL, or a callback whose signature cannot be bound.
        TypeError: for a callback that is not callable.
    """
    if state_setup is not None and state_change_url is not None:
        msg = (
            "give state_setup= (a Python callback) or state_change_url= (the HTTP protocol), "
            "not both"
        )
        raise VerificationConfigError(msg)
    if state_setup is not None and not callable(state_setup):
        msg = f"state_setup={state_setup!r} must be callable, e.g. f(state) or f(state, params)"
        raise TypeError(msg)
    if state_change_url is not None and not state_change_url.startswith("/"):
        try:
            check_base_url(state_change_url)
        except ValueError:
            msg = (
                f"state_change_url={state_change_url!r} must be an http(s) URL or a path "
                "starting with '/' on the provider"
            )
            raise VerificationConfigError(msg) from None
    for name, func in (("state_teardown", state_teardown), ("request_filter", request_filter)):
        if func is not None and not callable(func):
            msg = f"{name}={func!r} must be callable"
            raise TypeError(msg)
    try:
        # Bound once, here: a signature that cannot be bound is a config error.
        hooks = StateHooks(state_setup, state_teardown, state_change_url)
    except CallbackSignatureError as exc:
        raise VerificationConfigError(str(exc)) from None
    return RunOptions(
        hooks=hooks,
        request_filter=request_filter,
        headers=dict(headers or {}),
        fail_fast=bool(fail_fast),
    )


@attrs.define
class _Run:
    """One verification run's state: the transport, the options, the next index, a stop."""

    transport: ProviderTransport
    target: Target
    options: RunOptions
    rng: random.Random = attrs.field(factory=random.Random)
    index: int = 0
    stopped: bool = False

    def cannot_verify(self, interaction: Any) -> str | None:
        """Why this run has nothing to check `interaction` with, or None when it can."""
        if isinstance(interaction, Interaction):
            if self.target.http_target:
                return None
            return (
                "no HTTP provider was given (only message producers or a messages URL); "
                "pass base_url= or app= (CLI --base-url/--app) to verify it"
            )
        if isinstance(interaction, Message | SynchronousMessage):
            if self.target.message_producers is not None or self.target.messages_url is not None:
                return None
            return (
                "no message producer for it: pass message_producers= (CLI "
                "--message-producers) or messages_url= (CLI --messages-url), or narrow the "
                "run with filter_type='http' (CLI --interaction-type http)"
            )
        kind = getattr(interaction, "interaction_type", type(interaction).__name__)
        return f"the interaction type {kind!r} cannot be verified by pactdsl"

    def will_verify(self, interaction: Any) -> bool:
        """Whether this run has something to check `interaction` with."""
        return self.cannot_verify(interaction) is None

    def verify_pact(
        self, pact: Pact, selected: Callable[[Any], bool], *, pending: bool = False
    ) -> tuple[ContractVerificationResult, bool]:
        """Verify the selected interactions of `pact`.

        Returns:
            The result, and whether every verified interaction passed apart
            from V4-pending ones: the outcome to publish. For a pending pact
            (`pending`) every entry is marked pending, so it cannot fail the
            run, while the outcome to publish still tells the truth.
        """
        result = ContractVerificationResult(provider=pact.provider, consumer=pact.consumer)
        messages = [i for i in pact.interactions if not isinstance(i, Interaction)]
        for interaction in pact.interactions:
            if self.stopped:
                break
            if not selected(interaction):
                continue
            reason = self.cannot_verify(interaction)
            if reason is not None:
                entry: InteractionResult = UnverifiedInteraction(
                    description=interaction.description,
                    states=interaction.provider_states,
                    consumer=pact.consumer,
                    pending=interaction.pending,
                    index=self.index,
                    reason=reason,
                )
            elif isinstance(interaction, Interaction):
                entry = self.verify_interaction(interaction, pact.consumer)
            else:
                entry = verify_message(
                    interaction,
                    consumer=pact.consumer,
                    index=self.index,
                    producers=self.target.message_producers or {},
                    messages_url=self.target.messages_url,
                    hooks=self.options.hooks,
                    transport=self.transport,
                    rng=self.rng,
                    known=messages,
                )
            self.index += 1
            result = with_entry(result, entry)
            if (
                self.options.fail_fast
                and entry.status != "passed"
                and not (entry.pending or pending)
            ):
                self.stopped = True
        checked = [e for e in result.entries if not isinstance(e, UnverifiedInteraction)]
        result = attrs.evolve(result, notices=self._unset_states_notice(checked))
        outcome = result.success
        if pending:
            result = attrs.evolve(
                result,
                passed=tuple(attrs.evolve(e, pending=True) for e in result.passed),
                failed=tuple(attrs.evolve(e, pending=True) for e in result.failed),
                errors=tuple(attrs.evolve(e, pending=True) for e in result.errors),
                unverified=tuple(attrs.evolve(e, pending=True) for e in result.unverified),
            )
        return result, outcome

    def _unset_states_notice(self, entries: Sequence[InteractionResult]) -> tuple[str, ...]:
        """Say which provider states nothing set up (as pact-reference warns); not a failure."""
        if self.options.hooks.setup is not None or self.options.hooks.change_url:
            return ()
        names = [name for entry in entries for name in entry.state_names]
        if not names:
            return ()
        return (
            f"provider states not set up (no state_setup= or state_change_url= given): "
            f"{listing(names)}; the provider must already be in them, or pass state_setup= "
            "or state_change_url= to set them up",
        )

    def verify_interaction(self, interaction: Interaction, consumer: str) -> InteractionResult:
        started = time.perf_counter()
        notes: list[str] = []
        common: dict[str, Any] = {
            "description": interaction.description,
            "states": interaction.provider_states,
            "consumer": consumer,
            "pending": interaction.pending,
            "index": self.index,
            "comments": interaction.comments,
        }
        states = interaction.provider_states
        try:
            values = set_up_states(states, self.options.hooks, self.transport)
        except StateFailure as exc:
            notes.extend(exc.notes)
            return ErroredInteraction(
                **common,
                message=str(exc),
                phase="state setup",
                notes=tuple(notes),
                duration=time.perf_counter() - started,
            )
        outcome = self._exchange(interaction, values, notes, common)
        problems = tear_down_states(states, self.options.hooks, self.transport)
        duration = time.perf_counter() - started
        if problems and isinstance(outcome, PassedInteraction):
            return ErroredInteraction(
                **common,
                message="; ".join(problems),
                phase="state teardown",
                notes=tuple(notes),
                duration=duration,
            )
        notes.extend(problems)
        return attrs.evolve(outcome, notes=tuple(notes), duration=duration)

    def _exchange(
        self,
        interaction: Interaction,
        values: dict[str, Any],
        notes: list[str],
        common: dict[str, Any],
    ) -> InteractionResult:
        def error(phase: ErrorPhase, message: str) -> ErroredInteraction:
            return ErroredInteraction(**common, message=message, phase=phase)

        context = GeneratorContext(rng=self.rng, provider_state=values)
        try:
            request = build_request(interaction, context, self.options.headers, notes)
        except Exception as exc:
            return error("request", f"cannot build the request: {type(exc).__name__}: {exc}")
        if self.options.request_filter is not None:
            try:
                returned = self.options.request_filter(request)
            except Exception as exc:
                return error("request filter", f"request_filter raised {type(exc).__name__}: {exc}")
            if isinstance(returned, ProviderRequest):
                request = returned
        problem = unsafe_path(request.path)
        if problem is not None:
            return error(
                "request",
                f"refused to send: path={request.path!r} {problem}; a pact's path may only "
                "address the provider under test",
            )
        pairs = [(name, value) for name, vals in request.query.items() for value in vals]
        try:
            url = self.transport.url_for(request.path, pairs)
            answer = self.transport.send(
                request.method, url, list(request.headers.items()), request.body
            )
        except TransportFailure as exc:
            failure = error("request", str(exc))
            if exc.reason == "app":
                failure = attrs.evolve(failure, traceback=_app_traceback(exc))
            return failure
        actual = actual_response_json(answer.status, answer.headers, answer.body)
        unparseable = unparseable_json(actual, answer.body)
        if unparseable is not None and interaction.response.body is not None:
            return error("response", unparseable)
        try:
            # As pact-reference: provider-state values go into the request only;
            # the response is compared with its example and its rules.
            expected = expected_response_json(interaction)
            mismatches = match_response(expected, actual, spec_version="4.0")
        except (MatchingError, ValueError) as exc:
            return error("matching", f"the pact's rules cannot be applied: {exc}")
        if mismatches:
            return FailedInteraction(
                **common,
                mismatches=tuple(mismatches),
                request=sent_request(
                    request.method,
                    request.path,
                    request.query,
                    request.headers,
                    interaction.request.headers.keys(),
                ),
                body_excerpts=body_excerpts(mismatches, expected.get("body"), actual.get("body")),
            )
        return PassedInteraction(**common)


def _app_traceback(failure: TransportFailure) -> str:
    """The traceback of the exception an in-process app raised, from its first own frame.

    The transport wraps the app's exception in a `TransportFailure` whose
    ``error`` is the original; `user_traceback` cuts the machinery's frames.
    """
    return "" if failure.error is None else user_traceback(failure.error)


def verify_units(
    units: Sequence[PactToVerify],
    chosen: Selection,
    chosen_target: Target,
    options: RunOptions,
    *,
    provider: str,
    publish: Publishing | None = None,
    broker: Broker | None = None,
) -> ContractVerificationResult:
    """Verify the selected interactions of `units` against the target; publish when asked.

    Raises:
        VerificationConfigError: when nothing would be verified (unless
            `chosen.allow_empty`), a producer's signature cannot be bound, or an
            ASGI app's lifespan startup fails.
    """
    pacts = [unit.pact for unit in units]
    if not units:
        return ContractVerificationResult(
            provider=provider, notices=("no pacts to verify (allow_empty=True)",)
        )
    if chosen_target.message_producers is not None:
        try:
            check_producer_signatures(pacts, chosen_target.message_producers, chosen.selects)
        except CallbackSignatureError as exc:
            raise VerificationConfigError(str(exc)) from None
    transport = chosen_target.open_transport()
    try:
        try:
            transport.start()
        except LifespanFailure as exc:
            raise VerificationConfigError(str(exc)) from None
        run = _Run(transport, chosen_target, options)
        selected = [i for p in pacts for i in p.interactions if chosen.selects(i)]
        unreadable = any(unit.problem is not None for unit in units)
        if not any(run.will_verify(i) for i in selected) and not (chosen.allow_empty or unreadable):
            raise VerificationConfigError(
                nothing_selected(pacts, run.cannot_verify, chosen.given())
            )
        outcomes: list[tuple[PactToVerify, ContractVerificationResult, bool]] = []
        for unit in units:
            if run.stopped:
                break
            if unit.problem is not None:
                outcomes.append((unit, _unreadable_result(unit, run), False))
                continue
            result, outcome = run.verify_pact(unit.pact, chosen.selects, pending=unit.pending)
            notices = (*unit.notices(), *result.notices)
            outcomes.append((unit, attrs.evolve(result, notices=notices), outcome))
    finally:
        transport.close()
    late = []
    if transport.shutdown_problem:
        late.append(transport.shutdown_problem + " (after every interaction was verified)")
    left = len(selected) - sum(r.total for unit, r, _ in outcomes if unit.problem is None)
    if run.stopped and left:
        late.append(
            f"fail_fast=True: stopped after the first failure; {left} interaction(s) not verified"
        )
    if late:
        unit, last, outcome = outcomes[-1]
        outcomes[-1] = (unit, attrs.evolve(last, notices=(*last.notices, *late)), outcome)
    partial = any(not chosen.selects(i) for unit, _, _ in outcomes for i in unit.pact.interactions)
    narrowed = chosen.given() if partial else {}
    return combine(publish_outcomes(outcomes, publish or Publishing(), broker, narrowed))


def _unreadable_result(unit: PactToVerify, run: _Run) -> ContractVerificationResult:
    """A pact the broker selected that cannot be read: one error, never nothing to verify."""
    pact = unit.pact
    entry = ErroredInteraction(
        description=f"the pact of {unit.label()}",
        consumer=pact.consumer,
        pending=unit.pending,
        index=run.index,
        message=f"the broker's pact of {unit.label()} cannot be read: {unit.problem}",
        phase="pact",
    )
    run.index += 1
    result = ContractVerificationResult(provider=pact.provider, consumer=pact.consumer)
    return attrs.evolve(with_entry(result, entry), notices=unit.notices())
