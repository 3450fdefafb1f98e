"""Provider verification: replay each interaction of a pact against the provider.

For every interaction: set up its provider states, build the request from the
examples (generators applied, provider-state values injected), let the
`request_filter` change it, send it, match the answer with the engine, tear the
states down. Whatever goes wrong for one interaction (a state that cannot be set
up, a refused connection, a timeout, a body that is not JSON) becomes an error
entry for that interaction: verification never crashes half-way and never
counts such an interaction as passed.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from pactdsl._callbacks import CallbackSignatureError
from pactdsl._dsl import Contract, contracts, resolve_pact
from pactdsl._errors import PactdslError, user_traceback
from pactdsl._generators import Generator, GeneratorContext, apply_generators
from pactdsl._http import (
    ProviderTransport,
    TransportFailure,
    actual_response_json,
    body_bytes,
    check_base_url,
    expected_response_json,
    open_transport,
)
from pactdsl._lifespan import LifespanFailure
from pactdsl._limits import Limits, limits_in_force
from pactdsl._messages import (
    ASYNCHRONOUS_MESSAGES,
    SYNCHRONOUS_MESSAGES,
    Message,
    SynchronousMessage,
)
from pactdsl._model import (
    HTTP,
    Interaction,
    Pact,
    ProviderState,
    is_json_content_type,
)
from pactdsl._pactfile import load_pact
from pactdsl._verify._broker_source import (
    PactToVerify,
    check_selectors,
    fetch_pacts,
    no_pacts_message,
    opened_broker,
    publish_result,
)
from pactdsl._verify._detail import BodyExcerpt, SentRequest, body_excerpts, sent_request
from pactdsl._verify._states import StateFailure, StateHooks, set_up_states, tear_down_states
from pactdsl.matching import MatchingError, Mismatch, match_response

if TYPE_CHECKING:
    from pactdsl.broker import Broker, VerificationRecord

__all__ = [
    "ContractVerificationResult",
    "ErroredInteraction",
    "FailedInteraction",
    "PassedInteraction",
    "ProviderRequest",
    "UnverifiedInteraction",
    "VerificationConfigError",
    "verify_provider",
]

PactSource = Contract | Pact | str | PathLike[str]
ErrorPhase = Literal[
    "state setup",
    "request",
    "request filter",
    "response",
    "producer",  # a message's producer: missing, raised, or returned no message
    "matching",
    "state teardown",
]


class VerificationConfigError(PactdslError, ValueError):
    """`verify_provider` was called with arguments that cannot work together."""


# --------------------------------------------------------------------------
# Results


@attrs.frozen(kw_only=True)
class InteractionResult:
    """What happened to one interaction; see the three subclasses.

    Attributes:
        description: The interaction's description.
        states: Its provider states (name and params), in order.
        consumer: The consumer whose pact holds it.
        pending: True for a V4 ``pending`` interaction: its failure does not
            fail `ContractVerificationResult.success`.
        index: Its position in the verification run (reports keep this order).
        duration: Seconds spent on it, state setup and teardown included.
        notes: Secondary problems, e.g. a teardown that failed after a
            mismatch, or a provider-state value that fell back to its example.
        comments: The interaction's V4 ``comments`` (``text`` lines, the
            original ``testname``), shown in the reports.
    """

    description: str
    states: tuple[ProviderState, ...] = ()
    consumer: str = ""
    pending: bool = False
    index: int = 0
    duration: float = 0.0
    notes: tuple[str, ...] = ()
    comments: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def state_names(self) -> tuple[str, ...]:
        """The names of its provider states."""
        return tuple(state.name for state in self.states)

    @property
    def status(self) -> str:
        """``passed``, ``failed``, ``error`` or ``not verified``, as reports and brokers say it."""
        return _STATUS[type(self).__name__]


@attrs.frozen(kw_only=True)
class PassedInteraction(InteractionResult):
    """The provider answered as the contract says."""


@attrs.frozen(kw_only=True)
class FailedInteraction(InteractionResult):
    """The provider answered, but not as the contract says; `mismatches` say how.

    Attributes:
        mismatches: Every difference, in the engine's order.
        request: The request sent (None for a message), for the report.
        body_excerpts: Expected beside actual around the failing body paths.
    """

    mismatches: tuple[Mismatch, ...]
    request: SentRequest | None = None
    body_excerpts: tuple[BodyExcerpt, ...] = ()


@attrs.frozen(kw_only=True)
class ErroredInteraction(InteractionResult):
    """The interaction could not be verified; `phase` says where, `message` why.

    Attributes:
        message: What went wrong, and what to do.
        phase: Where it went wrong.
        traceback: When an in-process app (``app=``) raised: the traceback,
            trimmed to the app's own frames; empty otherwise.
    """

    message: str
    phase: ErrorPhase = "request"
    traceback: str = ""


@attrs.frozen(kw_only=True)
class UnverifiedInteraction(InteractionResult):
    """The run selected the interaction but had nothing to check it with; `reason` says what.

    A message with no producer and no message URL, an HTTP interaction with no
    ``base_url``/``app``: never a pass. It fails the run unless the selection
    was narrowed to what can be checked (``filter_type=``).
    """

    reason: str


_STATUS = {
    "PassedInteraction": "passed",
    "FailedInteraction": "failed",
    "ErroredInteraction": "error",
    "UnverifiedInteraction": "not verified",
}


@attrs.frozen
class ContractVerificationResult:
    """The outcome of verifying a provider against one pact (or a folder of them).

    Attributes:
        passed: Interactions the provider honoured.
        failed: Interactions it answered wrongly, each with its mismatches.
        errors: Interactions that could not be verified, each with a message.
        provider: The provider's name.
        consumer: The consumer's name (names joined by ", " for several pacts).
        notices: What the run should tell a person besides the entries: the
            broker's notices (why a pact was selected, that it is pending),
            that ``fail_fast`` stopped the run, that results were not published.
        published: The verification results published to the broker, one per pact.
        unverified: Interactions the run selected but had nothing to check
            with (a message without producer, an HTTP interaction without
            provider), each with the reason; they fail `success`.
    """

    passed: tuple[PassedInteraction, ...] = ()
    failed: tuple[FailedInteraction, ...] = ()
    errors: tuple[ErroredInteraction, ...] = ()
    provider: str = ""
    consumer: str = ""
    notices: tuple[str, ...] = ()
    published: tuple[VerificationRecord, ...] = ()
    unverified: tuple[UnverifiedInteraction, ...] = ()

    @property
    def success(self) -> bool:
        """True when every selected interaction was checked and passed, pending ones aside."""
        return not any(not e.pending for e in (*self.failed, *self.errors, *self.unverified))

    @property
    def total(self) -> int:
        """The number of interactions the run selected, the unverified ones included."""
        return len(self.passed) + len(self.failed) + len(self.errors) + len(self.unverified)

    @property
    def entries(self) -> list[InteractionResult]:
        """Every interaction's result, in the order they were verified."""
        return sorted(
            (*self.passed, *self.failed, *self.errors, *self.unverified), key=lambda e: e.index
        )

    def by_consumer(self) -> dict[str, ContractVerificationResult]:
        """Split a folder's combined result into one result per consumer."""
        out: dict[str, ContractVerificationResult] = {}
        for entry in self.entries:
            part = out.get(entry.consumer) or ContractVerificationResult(
                provider=self.provider, consumer=entry.consumer
            )
            out[entry.consumer] = _with_entry(part, entry)
        return out


def _with_entry(
    result: ContractVerificationResult, entry: InteractionResult
) -> ContractVerificationResult:
    if isinstance(entry, FailedInteraction):
        return attrs.evolve(result, failed=(*result.failed, entry))
    if isinstance(entry, ErroredInteraction):
        return attrs.evolve(result, errors=(*result.errors, entry))
    if isinstance(entry, UnverifiedInteraction):
        return attrs.evolve(result, unverified=(*result.unverified, entry))
    assert isinstance(entry, PassedInteraction)
    return attrs.evolve(result, passed=(*result.passed, entry))


def _combine(results: Sequence[ContractVerificationResult]) -> ContractVerificationResult:
    if len(results) == 1:
        return results[0]

    def names(values: Iterable[str]) -> str:
        return ", ".join(dict.fromkeys(values))

    return ContractVerificationResult(
        passed=tuple(e for r in results for e in r.passed),
        failed=tuple(e for r in results for e in r.failed),
        errors=tuple(e for r in results for e in r.errors),
        provider=names(r.provider for r in results),
        consumer=names(r.consumer for r in results),
        notices=tuple(n for r in results for n in r.notices),
        published=tuple(p for r in results for p in r.published),
        unverified=tuple(e for r in results for e in r.unverified),
    )


# --------------------------------------------------------------------------
# The request a filter may change


@attrs.define
class ProviderRequest:
    """The request about to be sent; a `request_filter` may change any field.

    Attributes:
        method: The HTTP method, e.g. ``"POST"``.
        path: The path, starting with ``/`` (it may not leave the provider).
        query: Query parameters: name to list of values.
        headers: Header name to value (repeated values joined by ``", "``).
        body: The body bytes, or None for no body.
    """

    method: str
    path: str
    query: dict[str, list[str]] = attrs.field(factory=dict)
    headers: dict[str, str] = attrs.field(factory=dict)
    body: bytes | None = None

    def set_header(self, name: str, value: str) -> None:
        """Set a header, replacing any with the same name in any letter case."""
        for key in [k for k in self.headers if k.lower() == name.lower()]:
            del self.headers[key]
        self.headers[name] = value

    def header(self, name: str) -> str | None:
        """The value of a header (case-insensitive), or None."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        """The body parsed as JSON (None when there is no body)."""
        return None if not self.body else json.loads(self.body)

    def set_json(self, value: Any) -> None:
        """Replace the body with `value` as JSON (and say so in Content-Type)."""
        self.body = json.dumps(value).encode("utf-8")
        self.set_header("Content-Type", "application/json")


# --------------------------------------------------------------------------
# Sources


_NO_PACTS_HINT = (
    "or pass allow_empty=True (CLI --ignore-no-pacts-error) to accept verifying nothing"
)


def _pacts_from(source: Any, allow_empty: bool = False) -> list[Pact]:
    if isinstance(source, Contract | Pact):
        return [resolve_pact(source)]
    if isinstance(source, list | tuple):
        if not source and not allow_empty:
            msg = (
                "source=[] names no pacts; give a contract, a Pact, a pact file or a folder, "
                + _NO_PACTS_HINT
            )
            raise VerificationConfigError(msg)
        return [pact for item in source for pact in _pacts_from(item, allow_empty)]
    if isinstance(source, str) and source in contracts():
        return [resolve_pact(source)]
    if isinstance(source, str | PathLike):
        path = Path(source)
        if path.is_dir():
            files = sorted(path.glob("*.json"))
            if not files and not allow_empty:
                msg = (
                    f"source={str(source)!r} is a folder without pact files (*.json); check "
                    f"the path, {_NO_PACTS_HINT}"
                )
                raise VerificationConfigError(msg)
            return [load_pact(file) for file in files]
        if path.is_file():
            return [load_pact(path)]
        msg = (
            f"source={str(source)!r} is neither a registered contract "
            f"(registered: {sorted(contracts()) or 'none'}) nor an existing pact file or folder"
        )
        raise VerificationConfigError(msg)
    msg = (
        f"source={source!r} ({type(source).__name__}) must be a Contract, a Pact, a "
        "registered contract name, a pact file, a folder of pact files, or a list of these"
    )
    raise TypeError(msg)


# --------------------------------------------------------------------------
# Building the request


def _key_name(key: str) -> str:
    # Query and header generators are keyed by name; some writers prefix "$.".
    return key[2:] if key.startswith("$.") else key


def _generate(gen: Generator, example: Any, context: GeneratorContext, notes: list[str]) -> Any:
    try:
        return gen.generate(context)
    except KeyError as exc:
        # As pact-reference does: an unresolved provider-state expression keeps
        # the example value, and the note says so.
        notes.append(f"{exc.args[0]} (used the example value {example!r})")
        return example


def _unsafe_path(path: str) -> str | None:
    if not path.startswith("/"):
        return "does not start with '/'"
    if path.startswith(("//", "/\\")):
        return "starts with '//' (a host of its own)"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path.lstrip("/")):
        return "holds an absolute URL"
    return None


def _build_request(
    interaction: Interaction,
    context: GeneratorContext,
    extra_headers: Mapping[str, str],
    notes: list[str],
) -> ProviderRequest:
    spec = interaction.request
    gens = spec.generators
    path = spec.path
    path_gen = gens.get("path", {}).get("")
    if path_gen is not None:
        path = str(_generate(path_gen, path, context, notes))
    query = {name: list(values) for name, values in spec.query.items()}
    # A generator for a parameter or header the pact leaves out adds it (the
    # compatibility suite's "generator with the request headers/query parameters").
    for key, gen in gens.get("query", {}).items():
        name = _key_name(key)
        values = query.get(name) or [""]
        query[name] = [str(_generate(gen, value, context, notes)) for value in values]
    headers = {name: ", ".join(values) for name, values in spec.headers.items()}
    for key, gen in gens.get("header", {}).items():
        name = _key_name(key)
        headers[name] = str(_generate(gen, headers.get(name, ""), context, notes))
    body: bytes | None = None
    if spec.body is not None:
        content = spec.body.content
        body_gens = gens.get("body", {})
        if body_gens:
            content = _generate_body(content, body_gens, context, notes)
        body = body_bytes(spec.body, spec.headers, content)
        if spec.body.content_type and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = spec.body.content_type
    request = ProviderRequest(spec.method, path, query, headers, body)
    for name, value in extra_headers.items():
        request.set_header(name, value)
    return request


def _generate_body(
    content: Any, generators: Mapping[str, Generator], context: GeneratorContext, notes: list[str]
) -> Any:
    try:
        return apply_generators(content, generators, context)
    except KeyError:
        # One unresolved expression: apply them one by one so the others still work.
        for path, gen in generators.items():
            try:
                content = apply_generators(content, {path: gen}, context)
            except KeyError as exc:
                notes.append(f"{exc.args[0]} (kept the example at {path})")
        return content


def _unparseable_json(actual: Mapping[str, Any], raw: bytes) -> str | None:
    body = actual.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        return None
    if not is_json_content_type(body.get("contentType")):
        return None
    try:
        json.loads(raw)
    except ValueError as exc:
        snippet = raw[:80].decode("utf-8", "replace")
        return (
            f"the provider declared Content-Type {body.get('contentType')!r} but the body is "
            f"not valid JSON ({exc}): {snippet!r}"
        )
    return None


# --------------------------------------------------------------------------
# The run


@attrs.define
class _Run:
    transport: ProviderTransport
    hooks: StateHooks
    request_filter: Callable[[ProviderRequest], ProviderRequest | None] | None
    headers: Mapping[str, str]
    rng: random.Random = attrs.field(factory=random.Random)
    index: int = 0
    message_producers: Mapping[str, Callable[..., Any]] | None = None
    fail_fast: bool = False
    stopped: bool = False
    http_target: bool = True
    messages_url: str | None = None

    def cannot_verify(self, interaction: Any) -> str | None:
        """Why this run has nothing to check `interaction` with, or None when it can."""
        if isinstance(interaction, Interaction):
            if self.http_target:
                return None
            return (
                "no HTTP provider was given (only message producers or a messages URL); "
                "pass base_url= or app= (CLI --base-url/--app) to verify it"
            )
        if isinstance(interaction, Message | SynchronousMessage):
            if self.message_producers is not None or self.messages_url is not None:
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
                from pactdsl._verify._messages import verify_message  # builds on this module

                entry = verify_message(
                    interaction,
                    consumer=pact.consumer,
                    index=self.index,
                    producers=self.message_producers or {},
                    messages_url=self.messages_url,
                    hooks=self.hooks,
                    transport=self.transport,
                    rng=self.rng,
                    known=messages,
                )
            self.index += 1
            result = _with_entry(result, entry)
            if self.fail_fast and entry.status != "passed" and not (entry.pending or pending):
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
        if self.hooks.setup is not None or self.hooks.change_url:
            return ()
        names = [name for entry in entries for name in entry.state_names]
        if not names:
            return ()
        return (
            f"provider states not set up (no state_setup= or state_change_url= given): "
            f"{_listing(names)}; the provider must already be in them, or pass state_setup= "
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
            values = set_up_states(states, self.hooks, self.transport)
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
        problems = tear_down_states(states, self.hooks, self.transport)
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
            request = _build_request(interaction, context, self.headers, notes)
        except Exception as exc:
            return error("request", f"cannot build the request: {type(exc).__name__}: {exc}")
        if self.request_filter is not None:
            try:
                returned = self.request_filter(request)
            except Exception as exc:
                return error("request filter", f"request_filter raised {type(exc).__name__}: {exc}")
            if isinstance(returned, ProviderRequest):
                request = returned
        problem = _unsafe_path(request.path)
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
        unparseable = _unparseable_json(actual, answer.body)
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


# The short names of `filter_type` (and the CLI's --interaction-type), by V4 type.
INTERACTION_TYPES = {
    "http": HTTP,
    "message": ASYNCHRONOUS_MESSAGES,
    "sync-message": SYNCHRONOUS_MESSAGES,
}


def _types(filter_type: str | Sequence[str] | None) -> frozenset[str] | None:
    if filter_type is None:
        return None
    given = [filter_type] if isinstance(filter_type, str) else list(filter_type)
    known = {**INTERACTION_TYPES, **{v4: v4 for v4 in INTERACTION_TYPES.values()}}
    wrong = [t for t in given if t not in known]
    if wrong or not given:
        msg = (
            f"filter_type={filter_type!r} must be one or more of "
            f"{', '.join(repr(k) for k in known)}"
        )
        raise VerificationConfigError(msg)
    return frozenset(known[t] for t in given)


def _selector(
    filter_description: str | None,
    filter_state: str | None,
    filter_type: str | Sequence[str] | None = None,
) -> Callable[[Interaction], bool]:
    def compile_(name: str, pattern: str | None) -> re.Pattern[str] | None:
        if pattern is None:
            return None
        try:
            return re.compile(pattern)
        except re.error as exc:
            msg = f"{name}={pattern!r} is not a valid regular expression ({exc})"
            raise VerificationConfigError(msg) from None

    by_description = compile_("filter_description", filter_description)
    by_state = compile_("filter_state", filter_state)
    by_type = _types(filter_type)

    def selected(interaction: Interaction) -> bool:
        if by_type is not None and interaction.interaction_type not in by_type:
            return False
        if by_description is not None and not by_description.search(interaction.description):
            return False
        return by_state is None or any(
            by_state.search(state.name) for state in interaction.provider_states
        )

    return selected


def _check_arguments(
    base_url: str | None,
    app: Any,
    state_setup: Any,
    state_change_url: str | None,
    timeout: float,
    publish_results: bool,
    provider_version: str | None,
) -> str | None:
    if (base_url is None) == (app is None):
        msg = (
            f"give exactly one of base_url= (a running provider) or app= (an ASGI/WSGI "
            f"application), got base_url={base_url!r} and app={app!r}"
        )
        raise VerificationConfigError(msg)
    if state_setup is not None and state_change_url is not None:
        msg = (
            "give state_setup= (a Python callback) or state_change_url= (the HTTP protocol), "
            "not both"
        )
        raise VerificationConfigError(msg)
    for name, func in (("state_setup", state_setup),):
        if func is not None and not callable(func):
            msg = f"{name}={func!r} must be callable, e.g. f(state) or f(state, params)"
            raise TypeError(msg)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        msg = f"timeout={timeout!r} must be a positive number of seconds"
        raise VerificationConfigError(msg)
    if publish_results and not provider_version:
        msg = (
            f"publish_results=True needs provider_version= (the provider's version, e.g. a git "
            f"sha), got provider_version={provider_version!r}"
        )
        raise VerificationConfigError(msg)
    if state_change_url is not None and not state_change_url.startswith("/"):
        try:
            check_base_url(state_change_url)
        except ValueError:
            msg = (
                f"state_change_url={state_change_url!r} must be an http(s) URL or a path "
                "starting with '/' on the provider"
            )
            raise VerificationConfigError(msg) from None
    if base_url is not None:
        try:
            return check_base_url(base_url)
        except ValueError as exc:
            raise VerificationConfigError(str(exc)) from None
    return None


ConsumerFilter = str | re.Pattern[str] | Sequence[str | re.Pattern[str]]


def _consumer_selector(value: ConsumerFilter) -> Callable[[str], bool]:
    """A predicate on consumer names: each string is a name, or a regex the whole name matches."""
    items: list[Any] = [value] if isinstance(value, str | re.Pattern) else list(value)
    if not items:
        msg = "filter_consumer=[] selects no consumer; give names, or None for every consumer"
        raise VerificationConfigError(msg)
    names: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for item in items:
        if isinstance(item, re.Pattern):
            patterns.append(item)
        elif isinstance(item, str):
            names.add(item)
            with contextlib.suppress(re.error):  # a name with regex characters selects by name
                patterns.append(re.compile(item))
        else:
            msg = (
                f"filter_consumer={value!r} must be a consumer name, a regular expression "
                "or a list of these"
            )
            raise TypeError(msg)

    def selected(consumer: str) -> bool:
        return consumer in names or any(p.fullmatch(consumer) for p in patterns)

    return selected


def _listing(values: Iterable[str], limit: int = 12) -> str:
    unique = list(dict.fromkeys(values))
    if not unique:
        return "none"
    shown = ", ".join(repr(v) for v in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _nothing_selected(
    pacts: Sequence[Pact],
    run: _Run,
    filters: Mapping[str, Any],
) -> str:
    """Why a run that would verify no interaction is refused, naming what exists."""
    interactions = [i for pact in pacts for i in pact.interactions]
    which = ", ".join(f"{p.consumer} -> {p.provider}" for p in pacts)
    given = ", ".join(f"{name}={value!r}" for name, value in filters.items() if value is not None)
    if not interactions:
        what = f"the pacts ({which}) hold no interactions"
    elif given:
        what = (
            f"{given} matched none of the {len(interactions)} interactions of {which}; "
            f"descriptions: {_listing(i.description for i in interactions)}; provider states: "
            f"{_listing(s.name for i in interactions for s in i.provider_states)}"
        )
    else:
        what = f"none of the {len(interactions)} interactions of {which} can be verified here"
    reasons = [reason for i in interactions if (reason := run.cannot_verify(i)) is not None]
    if reasons:
        what += f" ({len(reasons)} cannot be verified: {reasons[0]})"
    return (
        f"verification selected no interaction to verify: {what}; fix the filters, "
        + _NO_PACTS_HINT
    )


def _check_broker_arguments(
    source: Any,
    broker: Any,
    provider: str | None,
    broker_only: Mapping[str, Any],
) -> None:
    from_broker = source is None and broker not in (None, False)
    if source is None and not from_broker:
        msg = (
            "give the pacts to verify: source= (a contract, a Pact, a pact file or folder) or "
            "broker=True with provider= (the configured broker's pacts for verification)"
        )
        raise VerificationConfigError(msg)
    if from_broker and (not isinstance(provider, str) or not provider.strip()):
        msg = (
            f"verifying from a broker needs provider= (the provider's name as the broker "
            f"knows it), got provider={provider!r}"
        )
        raise VerificationConfigError(msg)
    if not from_broker:
        given = [name for name, value in broker_only.items() if value not in (None, False)]
        if given:
            msg = (
                f"{', '.join(given)} only apply when verifying from a broker: pass "
                "broker=True (or a broker) and provider= instead of a source"
            )
            raise VerificationConfigError(msg)


def verify_provider(
    source: PactSource | Sequence[PactSource] | None = None,
    base_url: str | None = None,
    app: Any = None,
    state_setup: Callable[..., Any] | None = None,
    state_teardown: Callable[..., Any] | None = None,
    state_change_url: str | None = None,
    request_filter: Callable[[ProviderRequest], ProviderRequest | None] | None = None,
    headers: Mapping[str, str] | None = None,
    filter_description: str | None = None,
    filter_state: str | None = None,
    timeout: float = 30.0,
    *,
    provider_version: str | None = None,
    publish_results: bool = False,
    follow_redirects: bool | Literal["any-origin"] = False,
    verify_tls: bool | str | PathLike[str] = True,
    message_producers: Mapping[str, Callable[..., Any]] | None = None,
    broker: Broker | bool | None = None,
    provider: str | None = None,
    consumer_version_selectors: Sequence[Mapping[str, Any]] | None = None,
    include_pending: bool = False,
    include_wip_pacts_since: str | None = None,
    provider_branch: str | None = None,
    provider_tags: Sequence[str] = (),
    build_url: str | None = None,
    filter_consumer: ConsumerFilter | None = None,
    fail_fast: bool = False,
    allow_empty: bool = False,
    filter_type: str | Sequence[str] | None = None,
    messages_url: str | None = None,
    lifespan: bool = True,
    limits: Limits | None = None,
) -> ContractVerificationResult:
    """Verify that a provider honours a contract: replay every interaction, match every answer.

    ```python
    result = verify_provider(
        "payment_service_contract",
        base_url="http://localhost:3000",
        state_setup=setup_payment_state,
    )
    assert result.success, format_verification_report(result)
    ```

    Or verify the pacts a broker selects, and publish the results:

    ```python
    result = verify_provider(
        broker=True,
        provider="payment-service",
        consumer_version_selectors=[{"mainBranch": True}, {"deployedOrReleased": True}],
        include_pending=True,
        base_url="http://localhost:3000",
        provider_version=git_sha,
        provider_branch="main",
        publish_results=True,
    )
    ```

    A run that selects no interaction at all (a filter with a typo, a folder
    or broker with no pacts) raises `VerificationConfigError` unless
    `allow_empty=True`: verifying nothing must not pass.

    Args:
        source: A registered contract's name, a `Contract`, a `Pact`, a pact
            file, a folder of pact files, or a list of these. Several pacts give
            one combined result (`ContractVerificationResult.by_consumer`
            splits it). Leave it out to verify from `broker`.
        base_url: Where the running provider listens, e.g. ``http://localhost:3000``.
        app: An ASGI or WSGI application, verified in-process with no server
            (instead of `base_url`).
        state_setup: Called before each interaction for each of its provider
            states, with what its signature asks for: ``f(state)``,
            ``f(state, params)``, ``f(state, **params)``, or with ``action``
            (pact-python's ``f(state, action="setup", parameters=None)``); a
            signature that cannot be bound raises `VerificationConfigError`. A mapping it returns
            feeds the pact's ``provider_state`` generators (e.g. ``{"id": 42}``
            for ``/users/${id}``). An exception makes that interaction an error.
            An interaction with no provider state gets the empty state ``""``
            (as pact-reference; this hook and `state_change_url` alike). With
            neither this nor `state_change_url`, a notice names the provider
            states that nothing set up (the run does not fail).
        state_teardown: Same signature, called after the interaction, last
            state first.
        state_change_url: Instead of callbacks, the state-change endpoint: it
            gets ``POST {"state", "params", "action": "setup"|"teardown"}``; a
            JSON object it answers feeds generators. A path starting with ``/``
            is sent to the provider (or app) itself.
        request_filter: ``f(request)`` called with a mutable `ProviderRequest`
            just before sending (add auth tokens, sign bodies); it may change
            it in place or return a replacement.
        headers: Headers added to every request (replacing the pact's).
        filter_description: Verify only interactions whose description matches
            this regular expression.
        filter_state: Verify only interactions with a provider state matching
            this regular expression.
        timeout: Seconds to wait for each answer (also each state change).
            Enforced over HTTP and for ASGI apps; a WSGI app runs to completion.
        provider_version: The provider's version, for publishing results.
        publish_results: Publish one result per pact to the broker (`broker`,
            else the configured one); needs `provider_version`. Skipped, with a
            notice, when `filter_description` or `filter_state` verified only
            part of each pact.
        follow_redirects: Follow 3xx answers within the provider's origin (off: a
            redirect is matched as is); a redirect elsewhere is an error unless
            this is ``"any-origin"``.
        verify_tls: Check the provider's TLS certificate (on by default); the
            path of a PEM CA bundle trusts the CA that signed it (a provider
            with its own CA), False skips the check. A failed check is an
            error saying it is TLS.
        message_producers: Message description (or provider state name) to the
            function producing that message; the pact's messages are then
            verified too (see `pactdsl._verify._messages`). Without it (or
            `messages_url`) each message is *not verified*, which fails the
            run unless `filter_type` leaves messages out. With it alone (no
            `base_url`/`app`), each HTTP interaction is not verified.
        broker: Without `source`: where the pacts come from, True for the
            configured broker (`pactdsl.broker.get_broker()`: a Pact Broker when
            ``PACT_BROKER_BASE_URL`` is set, else the local SQLite broker) or a
            broker object. With `source`: where results are published.
        provider: The provider's name; needed to verify from a broker. With a
            `source`, every pact must be for this provider.
        consumer_version_selectors: Which consumer versions' pacts the broker
            selects, e.g. ``[{"mainBranch": True}, {"deployedOrReleased": True}]``
            (default: the latest pact of each consumer).
        include_pending: Ask the broker which pacts are pending: a pending pact's
            failures are reported (and published) but do not fail `success`.
        include_wip_pacts_since: Also verify work-in-progress pacts since this
            date (``"2026-01-01"``; a Pact Broker feature).
        provider_branch: The provider version's branch: sent when fetching (for
            pending and WIP pacts) and recorded with published results.
        provider_tags: Tags recorded with published results (and sent to a Pact
            Broker when fetching).
        build_url: A link to the CI build, recorded with published results.
        filter_consumer: Verify only the pacts of these consumers: a name, a
            regular expression matching the whole name, or a list of these.
        fail_fast: Stop after the first failing or errored interaction (pending
            ones aside); a notice says how many were left unverified.
        allow_empty: Accept a run that verifies nothing (an empty result)
            instead of raising.
        filter_type: Verify only interactions of these types: ``"http"``,
            ``"message"`` (asynchronous), ``"sync-message"`` (or the V4 names
            such as ``"Synchronous/HTTP"``); one or a list. The way to verify
            only the HTTP part of a mixed pact and still succeed.
        messages_url: The provider's message endpoint, as other Pact verifiers
            use it: for each message it gets ``POST {"description",
            "providerStates"}`` and answers the message contents, with the
            metadata as base64 JSON in a ``Pact-Message-Metadata`` header. A
            path starting with ``/`` is sent to the provider (or app) itself.
        lifespan: For an ASGI `app`, run its lifespan startup (FastAPI's and
            Starlette's ``lifespan`` handler) before the first interaction and
            its shutdown after the last, as servers do; False serves the app
            without it. An app that does not speak the protocol is served
            without it either way.
        limits: Bounds on what the pacts and the provider may cost
            (`pactdsl.Limits`): each answer's body size and total time, regex
            size and time, nesting. A provider answer over a limit is an error
            for that interaction, naming the limit.

    Returns:
        The passed, failed and errored interactions, in pact order, with the
        broker's `notices` and the `published` results.

    Raises:
        VerificationConfigError: when the arguments cannot work together
            (both or neither of `base_url` and `app`, a bad URL, a bad regex,
            publishing without a version, a broker without a provider, a
            callback whose signature cannot be bound), when the ASGI app's
            lifespan startup fails, or when nothing would be verified and
            `allow_empty` is False.
        TypeError: when `source`, `app`, `broker` or a callback has the wrong type.
        PactFileError: when a pact file is malformed.
        BrokerError: when the broker cannot be reached or refuses a request.
    """
    if not isinstance(verify_tls, bool):
        from pactdsl._http import tls_verification

        try:
            tls_verification(verify_tls)
        except ValueError as exc:
            raise VerificationConfigError(str(exc)) from None
    checked_base, app, http_target = _checked_target(
        base_url,
        app,
        (state_setup, state_teardown, state_change_url, request_filter),
        timeout,
        message_producers,
        messages_url,
        publish_results,
        provider_version,
    )
    hooks = _state_hooks(state_setup, state_teardown, state_change_url)
    _check_broker_arguments(
        source,
        broker,
        provider,
        {
            "consumer_version_selectors": consumer_version_selectors,
            "include_pending": include_pending,
            "include_wip_pacts_since": include_wip_pacts_since,
        },
    )
    if isinstance(provider_tags, str):
        provider_tags = (provider_tags,)
    selectors = check_selectors(consumer_version_selectors)
    selected = _selector(filter_description, filter_state, filter_type)
    # With a source, a broker is needed only to publish to.
    needed = source is None or publish_results
    with limits_in_force(limits), opened_broker(broker if needed else None) as chosen:
        units = select_pacts(
            source,
            chosen,
            provider=provider,
            consumer_version_selectors=selectors,
            include_pending=include_pending,
            include_wip_pacts_since=include_wip_pacts_since,
            provider_branch=provider_branch,
            provider_tags=provider_tags,
            filter_consumer=filter_consumer,
            allow_empty=allow_empty,
        )
        return _verify_units(
            units,
            selected,
            checked_base=checked_base,
            app=app,
            hooks=hooks,
            request_filter=request_filter,
            headers=dict(headers or {}),
            timeout=float(timeout),
            follow_redirects=follow_redirects,
            verify_tls=verify_tls,
            message_producers=message_producers,
            fail_fast=fail_fast,
            allow_empty=allow_empty,
            filters={
                "filter_description": filter_description,
                "filter_state": filter_state,
                "filter_type": filter_type,
            },
            http_target=http_target,
            messages_url=messages_url,
            lifespan=lifespan,
            publish=_Publishing(
                provider_version if publish_results else None,
                chosen,
                provider_branch,
                tuple(provider_tags),
                build_url,
            ),
            provider=provider or "",
        )


def _checked_target(
    base_url: str | None,
    app: Any,
    callbacks: tuple[Any, Any, str | None, Any],
    timeout: float,
    message_producers: Mapping[str, Callable[..., Any]] | None,
    messages_url: str | None = None,
    publish_results: bool = False,
    provider_version: str | None = None,
) -> tuple[str | None, Any, bool]:
    """Check what is verified and how.

    Returns:
        The checked base URL, the app, and whether an HTTP provider was given.
    """
    state_setup, state_teardown, state_change_url, request_filter = callbacks
    http_target = base_url is not None or app is not None
    if message_producers is not None or messages_url is not None:
        from pactdsl._verify._messages import check_message_producers, no_http_provider

        if message_producers is not None:
            check_message_producers(message_producers)
        if messages_url is not None and not http_target and messages_url.startswith("/"):
            msg = (
                f"messages_url={messages_url!r} is a path on the provider, but neither "
                "base_url= nor app= was given; give one, or a full http(s) URL"
            )
            raise VerificationConfigError(msg)
        if not http_target:
            app = no_http_provider  # message-only: HTTP interactions are not verified
    checked_base = _check_arguments(
        base_url, app, state_setup, state_change_url, timeout, publish_results, provider_version
    )
    for name, func in (("state_teardown", state_teardown), ("request_filter", request_filter)):
        if func is not None and not callable(func):
            msg = f"{name}={func!r} must be callable"
            raise TypeError(msg)
    return checked_base, app, http_target


def _state_hooks(
    setup: Callable[..., Any] | None, teardown: Callable[..., Any] | None, change_url: str | None
) -> StateHooks:
    """The run's state hooks, their callbacks bound once (a bad signature is a config error)."""
    try:
        return StateHooks(setup, teardown, change_url)
    except CallbackSignatureError as exc:
        raise VerificationConfigError(str(exc)) from None


def select_pacts(
    source: PactSource | Sequence[PactSource] | None,
    broker: Broker | None,
    *,
    provider: str | None,
    consumer_version_selectors: list[dict[str, Any]] | None,
    include_pending: bool = False,
    include_wip_pacts_since: str | None = None,
    provider_branch: str | None = None,
    provider_tags: Sequence[str] = (),
    filter_consumer: ConsumerFilter | None = None,
    allow_empty: bool = False,
) -> list[PactToVerify]:
    """The pacts a verification covers: from `source`, else those `broker` selects.

    Raises:
        VerificationConfigError: for a pact of another provider, an empty
            selection (unless `allow_empty`), or a consumer filter matching none.
    """
    selectors = consumer_version_selectors
    by_consumer = _consumer_selector(filter_consumer) if filter_consumer is not None else None
    if source is not None:
        units = [PactToVerify(pact) for pact in _pacts_from(source, allow_empty)]
        if provider is not None:
            wrong = [u.pact for u in units if u.pact.provider != provider]
            if wrong:
                msg = (
                    f"provider={provider!r}, but the pact of {wrong[0].consumer} is for "
                    f"provider {wrong[0].provider!r}; verify the right pacts or drop provider="
                )
                raise VerificationConfigError(msg)
    else:
        assert broker is not None
        assert provider is not None
        found = fetch_pacts(
            broker,
            provider,
            selectors=selectors,
            include_pending=include_pending,
            include_wip_pacts_since=include_wip_pacts_since,
            provider_branch=provider_branch,
            provider_tags=provider_tags,
        )
        if not found and not allow_empty:
            hint = _NO_PACTS_HINT
            raise VerificationConfigError(no_pacts_message(provider, selectors, broker, hint))
        units = [PactToVerify(item.pact, item) for item in found]
    if by_consumer is not None:
        kept = [u for u in units if by_consumer(u.pact.consumer)]
        if units and not kept and not allow_empty:
            msg = (
                f"filter_consumer={filter_consumer!r} matched none of the consumers "
                f"{_listing(u.pact.consumer for u in units)}; fix the filter, " + _NO_PACTS_HINT
            )
            raise VerificationConfigError(msg)
        units = kept
    return units


def verify_one(
    unit: PactToVerify,
    interaction: Any,
    *,
    base_url: str | None = None,
    app: Any = None,
    state_setup: Callable[..., Any] | None = None,
    state_teardown: Callable[..., Any] | None = None,
    state_change_url: str | None = None,
    request_filter: Callable[[ProviderRequest], ProviderRequest | None] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    follow_redirects: bool = False,
    verify_tls: bool = True,
    message_producers: Mapping[str, Callable[..., Any]] | None = None,
    messages_url: str | None = None,
) -> tuple[ContractVerificationResult, bool]:
    """Verify one interaction of `unit`'s pact, as `verify_provider` verifies each.

    The pytest plugin's items call this: one interaction per test, the same
    run (states, request, matching, report) as a whole verification.

    Returns:
        The result (one entry), and the outcome a publication of the whole
        pact counts for it: True when it passed or is itself V4-pending.

    Raises:
        VerificationConfigError: for arguments that cannot work together, or an
            interaction nothing given can check (a message without
            `message_producers` or `messages_url`).
    """
    checked_base, app, http_target = _checked_target(
        base_url,
        app,
        (state_setup, state_teardown, state_change_url, request_filter),
        timeout,
        message_producers,
        messages_url,
    )
    result = _verify_units(
        [unit],
        lambda candidate: candidate is interaction,
        checked_base=checked_base,
        app=app,
        hooks=_state_hooks(state_setup, state_teardown, state_change_url),
        request_filter=request_filter,
        headers=dict(headers or {}),
        timeout=float(timeout),
        follow_redirects=follow_redirects,
        verify_tls=verify_tls,
        message_producers=message_producers,
        fail_fast=False,
        allow_empty=False,
        filters={},
        publish=_Publishing(None, None, None, (), None),
        provider=unit.pact.provider,
        http_target=http_target,
        messages_url=messages_url,
    )
    entry = result.entries[0]
    return result, isinstance(entry, PassedInteraction) or bool(interaction.pending)


@attrs.frozen
class _Publishing:
    """Where and how results are published; `provider_version` None means not at all."""

    provider_version: str | None
    broker: Broker | None
    branch: str | None
    tags: tuple[str, ...]
    build_url: str | None


def _verify_units(
    units: list[PactToVerify],
    selected: Callable[[Any], bool],
    *,
    checked_base: str | None,
    app: Any,
    hooks: StateHooks,
    request_filter: Callable[[ProviderRequest], ProviderRequest | None] | None,
    headers: dict[str, str],
    timeout: float,
    follow_redirects: bool | Literal["any-origin"],
    verify_tls: bool | str | PathLike[str],
    message_producers: Mapping[str, Callable[..., Any]] | None,
    fail_fast: bool,
    allow_empty: bool,
    filters: Mapping[str, Any],
    publish: _Publishing,
    provider: str,
    http_target: bool = True,
    messages_url: str | None = None,
    lifespan: bool = True,
) -> ContractVerificationResult:
    pacts = [unit.pact for unit in units]
    if not units:
        return ContractVerificationResult(
            provider=provider, notices=("no pacts to verify (allow_empty=True)",)
        )
    if message_producers is not None:
        from pactdsl._verify._messages import check_producer_signatures  # builds on this module

        try:
            check_producer_signatures(pacts, message_producers, selected)
        except CallbackSignatureError as exc:
            raise VerificationConfigError(str(exc)) from None
    transport = open_transport(
        base_url=checked_base,
        app=app,
        timeout=timeout,
        follow_redirects=follow_redirects,
        verify_tls=verify_tls,
        lifespan=lifespan,
    )
    try:
        try:
            transport.start()
        except LifespanFailure as exc:
            raise VerificationConfigError(str(exc)) from None
        run = _Run(
            transport,
            hooks,
            request_filter,
            headers,
            message_producers=message_producers,
            fail_fast=fail_fast,
            http_target=http_target,
            messages_url=messages_url,
        )
        planned = sum(1 for p in pacts for i in p.interactions if selected(i))
        checkable = sum(
            1 for p in pacts for i in p.interactions if selected(i) and run.will_verify(i)
        )
        if checkable == 0 and not allow_empty:
            raise VerificationConfigError(_nothing_selected(pacts, run, filters))
        outcomes: list[tuple[PactToVerify, ContractVerificationResult, bool]] = []
        for unit in units:
            if run.stopped:
                break
            result, outcome = run.verify_pact(unit.pact, selected, pending=unit.pending)
            notices = (*unit.notices(), *result.notices)
            outcomes.append((unit, attrs.evolve(result, notices=notices), outcome))
    finally:
        transport.close()
    results = [result for _, result, _ in outcomes]
    if transport.shutdown_problem and results:
        problem = transport.shutdown_problem + " (after every interaction was verified)"
        results[-1] = attrs.evolve(results[-1], notices=(*results[-1].notices, problem))
    left = planned - sum(r.total for r in results)
    if run.stopped and left:
        stop = (
            f"fail_fast=True: stopped after the first failure; {left} interaction(s) not verified"
        )
        results[-1] = attrs.evolve(results[-1], notices=(*results[-1].notices, stop))
    if publish.provider_version is not None:
        narrowed = {k: v for k, v in filters.items() if v is not None}
        partial = any(not selected(i) for unit, _, _ in outcomes for i in unit.pact.interactions)
        if partial:
            given = ", ".join(f"{k}={v!r}" for k, v in narrowed.items())
            skip = f"results not published: {given} verified only part of each pact"
            results[-1] = attrs.evolve(results[-1], notices=(*results[-1].notices, skip))
        else:
            for position, (unit, verified, outcome) in enumerate(outcomes):
                if verified.total == len(verified.unverified):
                    # Nothing of this pact was checked (allow_empty): no outcome to record.
                    skip = f"results not published for {unit.label()}: nothing was verified"
                    results[position] = attrs.evolve(
                        results[position], notices=(*results[position].notices, skip)
                    )
                    continue
                record = publish_result(
                    unit,
                    outcome,
                    verified.entries,
                    publish.provider_version,
                    publish.broker,
                    branch=publish.branch,
                    tags=publish.tags,
                    build_url=publish.build_url,
                )
                results[position] = attrs.evolve(results[position], published=(record,))
    return _combine(results)
