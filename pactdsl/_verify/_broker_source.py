"""Verifying from a broker: fetch the pacts it selects, publish what came of verifying them.

`verify_provider(broker=..., provider=...)` asks the broker (`pactdsl.broker`:
the local SQLite broker, or a Pact Broker when ``PACT_BROKER_BASE_URL`` is set)
for the provider's pacts for verification, verifies each, and publishes one
result per pact. Its options are two checked objects: `BrokerQuery` (what to
ask the broker for) and `Publishing` (what to record with the results). The
broker package is imported only when a broker is used.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

from pactdsl._verify._config import VerificationConfigError

if TYPE_CHECKING:
    from pactdsl._model import Pact
    from pactdsl._verify._results import ContractVerificationResult
    from pactdsl.broker import Broker, PactForVerification, VerificationRecord
    from pactdsl.broker._selectors import ConsumerVersionSelector, SelectorLike

__all__ = [
    "BrokerChoice",
    "BrokerQuery",
    "PactToVerify",
    "Publishing",
    "broker_query",
    "fetch_pacts",
    "no_pacts_message",
    "opened_broker",
    "publish_outcomes",
    "publish_result",
    "publishing",
]

BrokerChoice = Any  # a `Broker`, True (the configured one), or None/False (none)


@attrs.frozen
class PactToVerify:
    """One pact of a verification run, and the broker's record of it when it came from one.

    Attributes:
        pact: The pact.
        selected: What the broker said about it (pending, notices, links).
    """

    pact: Pact
    selected: PactForVerification | None = None

    @property
    def pending(self) -> bool:
        """True when the broker marked the whole pact pending."""
        return self.selected is not None and self.selected.pending

    @property
    def problem(self) -> str | None:
        """Why the broker's pact could not be read (None: it was)."""
        return self.selected.problem if self.selected is not None else None

    def label(self) -> str:
        """``consumer version`` as people say it, e.g. ``checkout-app 1.0.0``."""
        version = self.selected.consumer_version if self.selected is not None else None
        return f"{self.pact.consumer} {version}" if version else self.pact.consumer

    def notices(self) -> tuple[str, ...]:
        """The broker's notices about this pact, each naming the pact."""
        if self.selected is None:
            return ()
        label = self.label()
        said = [f"{label}: {text}" for text in self.selected.notices]
        if self.pending:
            said.append(
                f"{label}: the pact is pending (no successful verification by "
                f"{self.pact.provider} yet); its failures are reported and published "
                "but do not fail the verification"
            )
        return tuple(said)


@attrs.frozen(kw_only=True)
class BrokerQuery:
    """What to ask a broker for: the provider's pacts for verification, and how to select them.

    With a `source` instead of a broker only `provider` counts (every pact must be for it).
    """

    from_broker: bool = False
    provider: str | None = None
    selectors: tuple[ConsumerVersionSelector, ...] | None = None
    include_pending: bool = False
    include_wip_pacts_since: str | None = None
    provider_branch: str | None = None
    provider_tags: tuple[str, ...] = ()


def broker_query(
    source: Any = None,
    broker: BrokerChoice = None,
    *,
    provider: str | None = None,
    consumer_version_selectors: Sequence[SelectorLike] | None = None,
    include_pending: bool = False,
    include_wip_pacts_since: str | None = None,
    provider_branch: str | None = None,
    provider_tags: Sequence[str] | str = (),
) -> BrokerQuery:
    """The checked query; `source` and `broker` say whether the pacts come from a broker.

    Raises:
        VerificationConfigError: for neither a source nor a broker, a broker
            without a provider, or broker-only options with a source.
        TypeError: when `consumer_version_selectors` is not a list of selectors.
        InvalidSelector: naming the selector and the field that cannot work.
    """
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
    broker_only = {
        "consumer_version_selectors": consumer_version_selectors,
        "include_pending": include_pending,
        "include_wip_pacts_since": include_wip_pacts_since,
    }
    given = [name for name, value in broker_only.items() if value not in (None, False)]
    if given and not from_broker:
        msg = (
            f"{', '.join(given)} only apply when verifying from a broker: pass "
            "broker=True (or a broker) and provider= instead of a source"
        )
        raise VerificationConfigError(msg)
    return BrokerQuery(
        from_broker=from_broker,
        provider=provider,
        selectors=_parsed_selectors(consumer_version_selectors),
        include_pending=bool(include_pending),
        include_wip_pacts_since=include_wip_pacts_since,
        provider_branch=provider_branch,
        provider_tags=(provider_tags,) if isinstance(provider_tags, str) else tuple(provider_tags),
    )


@attrs.frozen(kw_only=True)
class Publishing:
    """What to record with published results; `provider_version` None means publish nothing."""

    provider_version: str | None = None
    branch: str | None = None
    tags: tuple[str, ...] = ()
    build_url: str | None = None


def publishing(
    *,
    publish_results: bool = False,
    provider_version: str | None = None,
    provider_branch: str | None = None,
    provider_tags: Sequence[str] | str = (),
    build_url: str | None = None,
) -> Publishing:
    """The checked publishing options.

    Raises:
        VerificationConfigError: for `publish_results` without a provider version.
    """
    if publish_results and (not isinstance(provider_version, str) or not provider_version.strip()):
        msg = (
            f"publish_results=True needs provider_version= (the provider's version, e.g. a git "
            f"sha), got provider_version={provider_version!r}"
        )
        raise VerificationConfigError(msg)
    return Publishing(
        provider_version=provider_version if publish_results else None,
        branch=provider_branch,
        tags=(provider_tags,) if isinstance(provider_tags, str) else tuple(provider_tags),
        build_url=build_url,
    )


@contextmanager
def opened_broker(choice: BrokerChoice) -> Iterator[Broker | None]:
    """The broker `choice` names: True opens (and afterwards closes) the configured one."""
    if choice is None or choice is False:
        yield None
        return
    if choice is True:
        from pactdsl.broker import get_broker

        chosen = get_broker()
        try:
            yield chosen
        finally:
            chosen.close()
        return
    from pactdsl.broker import Broker

    if not isinstance(choice, Broker):
        msg = (
            f"broker={choice!r} ({type(choice).__name__}) must be True (the configured broker: "
            "PACT_BROKER_BASE_URL, else the local SQLite broker), a broker object such as "
            "LocalBroker or PactBrokerClient, or None"
        )
        raise TypeError(msg)
    yield choice


def _parsed_selectors(selectors: Any) -> tuple[ConsumerVersionSelector, ...] | None:
    if selectors is None:
        return None
    from pactdsl.broker._selectors import parse_selectors

    return parse_selectors(selectors)


def fetch_pacts(broker: Broker, query: BrokerQuery) -> list[PactForVerification]:
    """Ask `broker` which pacts `query.provider` should verify."""
    assert query.provider is not None
    options: dict[str, Any] = {
        "consumer_version_selectors": query.selectors,
        "include_pending_status": query.include_pending,
        "include_wip_pacts_since": query.include_wip_pacts_since,
        "provider_version_branch": query.provider_branch,
    }
    # Older brokers compute pending and WIP pacts from the provider's tags; only
    # the Pact Broker client takes them (the local broker has no use for them).
    takes_tags = (
        "provider_version_tags" in inspect.signature(broker.pacts_for_verification).parameters
    )
    if query.provider_tags and takes_tags:
        options["provider_version_tags"] = query.provider_tags
    return list(broker.pacts_for_verification(query.provider, **options))


def no_pacts_message(
    provider: str,
    selectors: Sequence[ConsumerVersionSelector] | None,
    broker: Broker,
    hint: str,
) -> str:
    """Why an empty selection from the broker is an error, and what to do."""
    asked = (
        json.dumps([selector.to_json() for selector in selectors])
        if selectors
        else "none (the latest pact of each consumer)"
    )
    return (
        f"the broker ({type(broker).__name__}) selected no pacts for provider={provider!r} "
        f"with consumer_version_selectors={asked}; check the provider's name and the "
        f"selectors (and that consumers published pacts), {hint}"
    )


def publish_result(
    unit: PactToVerify,
    success: bool,
    entries: Sequence[Any],
    provider_version: str,
    broker: Broker | None,
    *,
    branch: str | None,
    tags: Sequence[str],
    build_url: str | None,
) -> VerificationRecord:
    """Publish one pact's outcome and its interactions' (to `broker`, or the configured one)."""
    from pactdsl.broker import publish_verification_result
    from pactdsl.broker._decision import interaction_outcomes

    target: Any = unit.selected if unit.selected is not None else unit.pact
    return publish_verification_result(
        target,
        success,
        provider_version,
        broker,
        branch=branch,
        tags=tuple(tags),
        build_url=build_url,
        interactions=interaction_outcomes(entries),
    )


def publish_outcomes(
    outcomes: Sequence[tuple[PactToVerify, ContractVerificationResult, bool]],
    options: Publishing,
    broker: Broker | None,
    narrowed: Mapping[str, Any],
) -> list[ContractVerificationResult]:
    """Publish each pact's outcome; the results, each with its record or why it has none.

    `narrowed` holds the filters that left part of a pact unverified (then
    nothing is published: a partial result would read as the whole pact's).
    """
    results = [result for _, result, _ in outcomes]
    if options.provider_version is None or not results:
        return results
    if narrowed:
        given = ", ".join(f"{k}={v!r}" for k, v in narrowed.items())
        skip = f"results not published: {given} verified only part of each pact"
        results[-1] = attrs.evolve(results[-1], notices=(*results[-1].notices, skip))
        return results
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
            options.provider_version,
            broker,
            branch=options.branch,
            tags=options.tags,
            build_url=options.build_url,
        )
        results[position] = attrs.evolve(results[position], published=(record,))
    return results
