"""Provider verification: `verify_provider`, a facade over the verifier's parts.

Each part checks its own options into a private frozen object and does one job:

* `_target`: what is verified and how to reach it (URL or ASGI/WSGI app, TLS,
  redirects, lifespan, limits, message producers or endpoint);
* `_states`: provider states, by callbacks or a state-change URL;
* `_selection`: which pacts (source or broker, consumers) and interactions;
* `_broker_source`: fetching from a broker, and publishing the results;
* `_run`: one interaction at a time (`RunOptions`: hooks, request filter,
  headers, fail-fast);
* `_results`: the result classes every part and the reports share.

`verify_one` runs the same parts for one interaction (the pytest plugin's items).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

from pactdsl._limits import Limits, limits_in_force
from pactdsl._verify._broker_source import PactToVerify, broker_query, opened_broker, publishing
from pactdsl._verify._config import VerificationConfigError, arguments_for
from pactdsl._verify._request import ProviderRequest
from pactdsl._verify._results import (
    ContractVerificationResult,
    ErroredInteraction,
    FailedInteraction,
    InteractionResult,
    PassedInteraction,
    UnverifiedInteraction,
)
from pactdsl._verify._run import RunOptions, run_options, verify_units
from pactdsl._verify._selection import ConsumerFilter, PactSource, select_pacts, selection
from pactdsl._verify._target import Target, target

if TYPE_CHECKING:
    from pactdsl.broker import Broker
    from pactdsl.broker._selectors import SelectorLike

__all__ = [
    "ContractVerificationResult",
    "ErroredInteraction",
    "FailedInteraction",
    "InteractionResult",
    "PassedInteraction",
    "ProviderRequest",
    "UnverifiedInteraction",
    "VerificationConfigError",
    "verify_one",
    "verify_provider",
]


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
    consumer_version_selectors: Sequence[SelectorLike] | None = None,
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
        "payment_service_contract", base_url="http://localhost:3000", state_setup=set_up
    )
    assert result.success, format_verification_report(result)
    ```

    A run that selects no interaction (a filter with a typo, a folder or broker
    with no pacts) raises `VerificationConfigError` unless `allow_empty=True`:
    verifying nothing must not pass. docs/verification.md tells each option at length.

    Args:
        source: A registered contract's name, a `Contract`, a `Pact`, a pact file,
            a folder of them, or a list of these; leave it out to verify from `broker`.
        base_url: Where the running provider listens, e.g. ``http://localhost:3000``.
        app: An ASGI or WSGI application, verified in-process (instead of `base_url`).
        state_setup: Called before each interaction for each provider state (the
            empty state ``""`` when it has none) as ``f(state)``, ``f(state, params)``,
            ``f(state, **params)`` or with ``action``; a mapping it returns feeds the
            pact's ``provider_state`` generators; an exception errors the interaction.
        state_teardown: Same signature, called after the interaction, last state first.
        state_change_url: Instead of callbacks, the endpoint that gets ``POST {"state",
            "params", "action"}``; a path starting with ``/`` is on the provider.
        request_filter: ``f(request)`` with the mutable `ProviderRequest` before it
            is sent; it changes it in place or returns a replacement.
        headers: Headers added to every request (replacing the pact's).
        filter_description: Verify only interactions whose description matches this regex.
        filter_state: Verify only interactions with a provider state matching this regex.
        timeout: Seconds to wait for each answer and state change (a WSGI app runs to
            completion).
        provider_version: The provider's version, for publishing results.
        publish_results: Publish one result per pact (needs `provider_version`);
            skipped, with a notice, when filters verified only part of each pact.
        follow_redirects: Follow 3xx answers within the provider's origin, or
            anywhere with ``"any-origin"``; off, a redirect is matched as is.
        verify_tls: Check the provider's certificate (default); the path of a PEM CA
            bundle trusts that CA; False skips the check.
        message_producers: Message description (or state name) to the function that
            produces it (`pactdsl._verify._messages`); messages are then verified too.
        broker: Without `source`, where the pacts come from: True for the configured
            broker, or a broker object; with `source`, where results are published.
        provider: The provider's name; needed with a broker; with `source`, every
            pact must be for it.
        consumer_version_selectors: Which consumer versions' pacts the broker selects:
            `ConsumerVersionSelector`s or their JSON dicts, e.g. ``[{"mainBranch": True}]``
            (default: each consumer's latest).
        include_pending: Ask the broker which pacts are pending: their failures are
            reported and published but do not fail `success`.
        include_wip_pacts_since: Also verify work-in-progress pacts since this date.
        provider_branch: The provider's branch, sent when fetching and published.
        provider_tags: Tags published with the results (and sent to a Pact Broker).
        build_url: A link to the CI build, published with the results.
        filter_consumer: Verify only these consumers' pacts: names or regexes matching
            the whole name, one or a list.
        fail_fast: Stop after the first failing or errored interaction (pending aside).
        allow_empty: Accept a run that verifies nothing instead of raising.
        filter_type: Verify only interactions of these types: ``"http"``, ``"message"``,
            ``"sync-message"`` or the V4 names; one or a list.
        messages_url: The provider's message endpoint: ``POST {"description",
            "providerStates"}`` answers the message; a path is on the provider.
        lifespan: Run an ASGI app's lifespan startup and shutdown around the run.
        limits: Bounds on what pacts and answers may cost (`pactdsl.Limits`); an answer
            over a limit errors its interaction.

    Returns:
        The passed, failed, errored and unverified interactions, in pact order,
        with the broker's `notices` and the `published` results.

    Raises:
        VerificationConfigError: for arguments that cannot work together, a failed
            ASGI lifespan startup, or nothing to verify without `allow_empty`.
        TypeError: when `source`, `app`, `broker` or a callback has the wrong type.
        PactFileError: when a pact file is malformed.
        BrokerError: when the broker cannot be reached or refuses a request.
    """
    return _verify_given(dict(locals()))


# The parts `verify_provider`'s keyword arguments configure (a test holds that each goes to one).
PARTS: tuple[Callable[..., Any], ...] = (target, run_options, publishing, broker_query, selection)


def _verify_given(given: Mapping[str, Any]) -> ContractVerificationResult:
    """`verify_provider` with its arguments by name: each goes to the part it configures."""
    chosen_target = target(**arguments_for(target, given))
    options = run_options(**arguments_for(run_options, given))
    publish = publishing(**arguments_for(publishing, given))
    query = broker_query(**arguments_for(broker_query, given))
    chosen = selection(**arguments_for(selection, given))
    source, broker = given["source"], given["broker"]
    # With a source, a broker is needed only to publish to.
    needed = source is None or publish.provider_version is not None
    with limits_in_force(chosen_target.limits), opened_broker(broker if needed else None) as opened:
        units = select_pacts(source, opened, query, chosen)
        return verify_units(
            units,
            chosen,
            chosen_target,
            options,
            provider=query.provider or "",
            publish=publish,
            broker=opened,
        )


def verify_one(
    unit: PactToVerify, interaction: Any, chosen_target: Target, options: RunOptions
) -> tuple[ContractVerificationResult, bool]:
    """Verify one interaction of `unit`'s pact, as `verify_provider` verifies each.

    The pytest plugin's items call this: one interaction per test, the same
    run (states, request, matching, report) as a whole verification, with the
    same option objects (`target`, `run_options`).

    Returns:
        The result (one entry), and the outcome a publication of the whole
        pact counts for it: True when it passed or is itself V4-pending.

    Raises:
        VerificationConfigError: for an interaction nothing given can check (a
            message without `message_producers` or `messages_url`).
    """
    with limits_in_force(chosen_target.limits):
        result = verify_units(
            [unit], selection(only=interaction), chosen_target, options, provider=unit.pact.provider
        )
    entry = result.entries[0]
    return result, isinstance(entry, PassedInteraction) or bool(interaction.pending)
