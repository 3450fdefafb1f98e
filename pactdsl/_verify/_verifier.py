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

import importlib
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Literal, cast

import attrs

from pactdsl._dsl import Contract, contracts, resolve_pact
from pactdsl._errors import PactdslError
from pactdsl._generators import Generator, GeneratorContext, apply_generators
from pactdsl._generators import ProviderState as ProviderStateGenerator
from pactdsl._http import (
    ProviderTransport,
    TransportFailure,
    actual_response_json,
    body_bytes,
    check_base_url,
    expected_response_json,
    open_transport,
)
from pactdsl._model import (
    Body,
    Interaction,
    Pact,
    ProviderState,
    is_json_content_type,
)
from pactdsl._pactfile import load_pact
from pactdsl._verify._states import StateFailure, StateHooks, set_up_states, tear_down_states
from pactdsl.matching import MatchingError, Mismatch, match_response

__all__ = [
    "ContractVerificationResult",
    "ErroredInteraction",
    "FailedInteraction",
    "PassedInteraction",
    "ProviderRequest",
    "VerificationConfigError",
    "verify_provider",
]

PactSource = Contract | Pact | str | PathLike[str]
ErrorPhase = Literal[
    "state setup", "request", "request filter", "response", "matching", "state teardown"
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
    """

    description: str
    states: tuple[ProviderState, ...] = ()
    consumer: str = ""
    pending: bool = False
    index: int = 0
    duration: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def state_names(self) -> tuple[str, ...]:
        """The names of its provider states."""
        return tuple(state.name for state in self.states)


@attrs.frozen(kw_only=True)
class PassedInteraction(InteractionResult):
    """The provider answered as the contract says."""


@attrs.frozen(kw_only=True)
class FailedInteraction(InteractionResult):
    """The provider answered, but not as the contract says; `mismatches` say how."""

    mismatches: tuple[Mismatch, ...]


@attrs.frozen(kw_only=True)
class ErroredInteraction(InteractionResult):
    """The interaction could not be verified; `phase` says where, `message` why."""

    message: str
    phase: ErrorPhase = "request"


@attrs.frozen
class ContractVerificationResult:
    """The outcome of verifying a provider against one pact (or a folder of them).

    Attributes:
        passed: Interactions the provider honoured.
        failed: Interactions it answered wrongly, each with its mismatches.
        errors: Interactions that could not be verified, each with a message.
        provider: The provider's name.
        consumer: The consumer's name (names joined by ", " for several pacts).
    """

    passed: tuple[PassedInteraction, ...] = ()
    failed: tuple[FailedInteraction, ...] = ()
    errors: tuple[ErroredInteraction, ...] = ()
    provider: str = ""
    consumer: str = ""

    @property
    def success(self) -> bool:
        """True when no interaction failed or errored, pending ones aside."""
        return not any(not e.pending for e in (*self.failed, *self.errors))

    @property
    def total(self) -> int:
        """The number of interactions verified."""
        return len(self.passed) + len(self.failed) + len(self.errors)

    @property
    def entries(self) -> list[InteractionResult]:
        """Every interaction's result, in the order they were verified."""
        return sorted((*self.passed, *self.failed, *self.errors), key=lambda e: e.index)

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


def _pacts_from(source: Any) -> list[Pact]:
    if isinstance(source, Contract | Pact):
        return [resolve_pact(source)]
    if isinstance(source, list | tuple):
        if not source:
            msg = "source=[] names no pacts; give a contract, a Pact, a pact file or a folder"
            raise VerificationConfigError(msg)
        return [pact for item in source for pact in _pacts_from(item)]
    if isinstance(source, str) and source in contracts():
        return [resolve_pact(source)]
    if isinstance(source, str | PathLike):
        path = Path(source)
        if path.is_dir():
            files = sorted(path.glob("*.json"))
            if not files:
                msg = f"source={str(source)!r} is a folder without pact files (*.json)"
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
    for key, gen in gens.get("query", {}).items():
        name = _key_name(key)
        if name in query:
            example = query[name][0] if query[name] else ""
            query[name] = [str(_generate(gen, example, context, notes)) for _ in query[name]]
    headers = {name: ", ".join(values) for name, values in spec.headers.items()}
    for key, gen in gens.get("header", {}).items():
        name = _key_name(key)
        if name in headers:
            headers[name] = str(_generate(gen, headers[name], context, notes))
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


def _expected_response(interaction: Interaction, context: GeneratorContext) -> dict[str, Any]:
    response = interaction.response
    state_gens = {
        path: gen
        for path, gen in response.generators.get("body", {}).items()
        if isinstance(gen, ProviderStateGenerator)
    }
    if state_gens and context.provider_state and response.body is not None:
        # Values the provider state created (an id) are what the answer must hold.
        try:
            content = apply_generators(response.body.content, state_gens, context)
        except KeyError:
            content = response.body.content
        body = Body(content, response.body.content_type)
        interaction = attrs.evolve(interaction, response=attrs.evolve(response, body=body))
    return expected_response_json(interaction)


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

    def verify_pact(
        self, pact: Pact, selected: Callable[[Any], bool]
    ) -> ContractVerificationResult:
        passed: list[PassedInteraction] = []
        failed: list[FailedInteraction] = []
        errors: list[ErroredInteraction] = []
        for interaction in pact.interactions:
            if not selected(interaction):
                continue
            if isinstance(interaction, Interaction):
                entry = self.verify_interaction(interaction, pact.consumer)
            elif self.message_producers is None:
                continue  # messages are verified only when message_producers= is given
            else:
                from pactdsl._verify._messages import verify_message  # builds on this module

                entry = verify_message(
                    interaction,
                    consumer=pact.consumer,
                    index=self.index,
                    producers=self.message_producers,
                    hooks=self.hooks,
                    transport=self.transport,
                    rng=self.rng,
                )
            self.index += 1
            if isinstance(entry, PassedInteraction):
                passed.append(entry)
            elif isinstance(entry, FailedInteraction):
                failed.append(entry)
            else:
                assert isinstance(entry, ErroredInteraction)
                errors.append(entry)
        return ContractVerificationResult(
            tuple(passed), tuple(failed), tuple(errors), pact.provider, pact.consumer
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
        }
        states = interaction.provider_states
        try:
            values = set_up_states(states, self.hooks, self.transport)
        except StateFailure as exc:
            notes.extend(tear_down_states(states, self.hooks, self.transport))
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
            return error("request", str(exc))
        actual = actual_response_json(answer.status, answer.headers, answer.body)
        unparseable = _unparseable_json(actual, answer.body)
        if unparseable is not None and interaction.response.body is not None:
            return error("response", unparseable)
        try:
            expected = _expected_response(interaction, context)
            mismatches = match_response(expected, actual, spec_version="4.0")
        except (MatchingError, ValueError) as exc:
            return error("matching", f"the pact's rules cannot be applied: {exc}")
        if mismatches:
            return FailedInteraction(**common, mismatches=tuple(mismatches))
        return PassedInteraction(**common)


def _selector(
    filter_description: str | None, filter_state: str | None
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

    def selected(interaction: Interaction) -> bool:
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
            msg = f"{name}={func!r} must be callable: f(state) or f(state, params)"
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


def _broker_publisher() -> Callable[[Pact, ContractVerificationResult, str], Any]:
    missing = (
        "publish_results=True needs the Pact Broker client (pactdsl.broker with "
        "publish_verification_result), which is not available in this installation; "
        "verify with publish_results=False"
    )
    try:
        broker = importlib.import_module("pactdsl.broker")
    except ModuleNotFoundError as exc:
        if exc.name != "pactdsl.broker":
            raise
        raise VerificationConfigError(missing) from None
    publish = getattr(broker, "publish_verification_result", None)
    if not callable(publish):
        raise VerificationConfigError(missing)
    return cast("Callable[[Pact, ContractVerificationResult, str], Any]", publish)


def verify_provider(
    source: PactSource | Sequence[PactSource],
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
    follow_redirects: bool = False,
    verify_tls: bool = True,
    message_producers: Mapping[str, Callable[..., Any]] | None = None,
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

    Args:
        source: A registered contract's name, a `Contract`, a `Pact`, a pact
            file, a folder of pact files, or a list of these. Several pacts give
            one combined result (`ContractVerificationResult.by_consumer`
            splits it).
        base_url: Where the running provider listens, e.g. ``http://localhost:3000``.
        app: An ASGI or WSGI application, verified in-process with no server
            (instead of `base_url`).
        state_setup: ``f(state)`` or ``f(state, params)``, called before each
            interaction for each of its provider states. A mapping it returns
            feeds the pact's ``provider_state`` generators (e.g. ``{"id": 42}``
            for ``/users/${id}``). An exception makes that interaction an error.
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
        publish_results: Publish the result to the Pact Broker
            (`pactdsl.broker`); needs `provider_version`.
        follow_redirects: Follow 3xx answers (off: a redirect is matched as is).
        verify_tls: Check the provider's TLS certificate (on by default).
        message_producers: Message description (or provider state name) to the
            function producing that message; the pact's messages are then
            verified too (see `pactdsl._verify._messages`). Without it they are
            skipped. With it alone (no `base_url`/`app`), only messages are verified.

    Returns:
        The passed, failed and errored interactions, in pact order.

    Raises:
        VerificationConfigError: when the arguments cannot work together
            (both or neither of `base_url` and `app`, a bad URL, a bad regex,
            publishing without a version or without the broker client).
        TypeError: when `source`, `app` or a callback has the wrong type.
        PactFileError: when a pact file is malformed.
    """
    if message_producers is not None:
        from pactdsl._verify._messages import check_message_producers, no_http_provider

        check_message_producers(message_producers)
        if base_url is None and app is None:
            app = no_http_provider  # message-only: any HTTP interaction errors, saying why
    checked_base = _check_arguments(
        base_url, app, state_setup, state_change_url, timeout, publish_results, provider_version
    )
    for name, func in (("state_teardown", state_teardown), ("request_filter", request_filter)):
        if func is not None and not callable(func):
            msg = f"{name}={func!r} must be callable"
            raise TypeError(msg)
    selected = _selector(filter_description, filter_state)
    publish = _broker_publisher() if publish_results else None
    pacts = _pacts_from(source)
    hooks = StateHooks(state_setup, state_teardown, state_change_url)
    transport = open_transport(
        base_url=checked_base,
        app=app,
        timeout=float(timeout),
        follow_redirects=follow_redirects,
        verify_tls=verify_tls,
    )
    try:
        run = _Run(
            transport,
            hooks,
            request_filter,
            dict(headers or {}),
            message_producers=message_producers,
        )
        results = [run.verify_pact(pact, selected) for pact in pacts]
    finally:
        transport.close()
    if publish is not None:
        assert provider_version is not None
        for pact, result in zip(pacts, results, strict=True):
            publish(pact, result, provider_version)
    return _combine(results)
