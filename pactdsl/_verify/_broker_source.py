"""Verifying from a broker: fetch the pacts it selects, publish what came of verifying them.

`verify_provider(broker=..., provider=...)` asks the broker (`pactdsl.broker`:
the local SQLite broker, or a Pact Broker when ``PACT_BROKER_BASE_URL`` is set)
for the provider's pacts for verification, verifies each, and publishes one
result per pact. The broker package is imported only when a broker is used.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from pactdsl._model import Pact
    from pactdsl.broker import Broker, PactForVerification, VerificationRecord

__all__ = [
    "BrokerChoice",
    "PactToVerify",
    "check_selectors",
    "fetch_pacts",
    "no_pacts_message",
    "opened_broker",
    "publish_result",
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


def check_selectors(selectors: Any) -> list[dict[str, Any]] | None:
    """Check `consumer_version_selectors` as `ConsumerVersionSelector`s; their JSON forms.

    Raises:
        TypeError: naming the argument when it is not a list of selectors.
        InvalidSelector: naming the selector and the field that cannot work.
    """
    if selectors is None:
        return None
    from pactdsl.broker._selectors import parse_selectors

    return [selector.to_json() for selector in parse_selectors(selectors) or ()]


def fetch_pacts(
    broker: Broker,
    provider: str,
    *,
    selectors: list[dict[str, Any]] | None,
    include_pending: bool,
    include_wip_pacts_since: str | None,
    provider_branch: str | None,
    provider_tags: Sequence[str],
) -> list[PactForVerification]:
    """Ask `broker` which pacts `provider` should verify."""
    options: dict[str, Any] = {
        "consumer_version_selectors": selectors,
        "include_pending_status": include_pending,
        "include_wip_pacts_since": include_wip_pacts_since,
        "provider_version_branch": provider_branch,
    }
    # Older brokers compute pending and WIP pacts from the provider's tags; only
    # the Pact Broker client takes them (the local broker has no use for them).
    takes_tags = (
        "provider_version_tags" in inspect.signature(broker.pacts_for_verification).parameters
    )
    if provider_tags and takes_tags:
        options["provider_version_tags"] = tuple(provider_tags)
    return list(broker.pacts_for_verification(provider, **options))


def no_pacts_message(
    provider: str, selectors: list[dict[str, Any]] | None, broker: Broker, hint: str
) -> str:
    """Why an empty selection from the broker is an error, and what to do."""
    asked = json.dumps(selectors) if selectors else "none (the latest pact of each consumer)"
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
