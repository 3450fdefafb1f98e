"""What every broker does: the protocol `LocalBroker` and `PactBrokerClient` implement."""

from __future__ import annotations

import typing
from collections.abc import Sequence

from pactdsl.broker._decision import (
    CanIDeployDecision,
    Deployment,
    Environment,
    InteractionOutcome,
    PactDocument,
    PactForVerification,
    PactPublication,
    Release,
    VerificationRecord,
    VersionDescription,
)
from pactdsl.broker._selectors import SelectorLike

__all__ = ["Broker"]


@typing.runtime_checkable
class Broker(typing.Protocol):
    """What both brokers do; `LocalBroker` and `PactBrokerClient` implement it."""

    def publish_pact(
        self,
        document: PactDocument,
        consumer_version: str,
        *,
        branch: str | None = None,
        tags: Sequence[str] = (),
        build_url: str | None = None,
    ) -> PactPublication:
        """Publish one pact for a consumer version."""
        ...

    def pacts_for_verification(
        self,
        provider: str,
        *,
        consumer_version_selectors: Sequence[SelectorLike] | None = None,
        include_pending_status: bool = False,
        include_wip_pacts_since: str | None = None,
        provider_version_branch: str | None = None,
    ) -> list[PactForVerification]:
        """The pacts a provider should verify."""
        ...

    def publish_verification_result(
        self,
        pact: PactDocument | PactForVerification,
        success: bool,
        provider_version: str,
        *,
        branch: str | None = None,
        tags: Sequence[str] = (),
        build_url: str | None = None,
        interactions: Sequence[InteractionOutcome] = (),
    ) -> VerificationRecord:
        """Record a provider version's verification of a pact (and of each interaction)."""
        ...

    def create_environment(
        self, name: str, *, display_name: str | None = None, production: bool = False
    ) -> Environment:
        """Create a deployment environment."""
        ...

    def environments(self) -> list[Environment]:
        """Every environment."""
        ...

    def record_deployment(
        self,
        pacticipant: str,
        version: str,
        environment: str,
        *,
        application_instance: str | None = None,
    ) -> Deployment:
        """Record a version as deployed to an environment."""
        ...

    def record_release(self, pacticipant: str, version: str, environment: str) -> Release:
        """Record a version as released to (and supported in) an environment."""
        ...

    def record_undeployment(
        self, pacticipant: str, environment: str, *, application_instance: str | None = None
    ) -> list[Deployment]:
        """Record that what a pacticipant had deployed to an environment is gone."""
        ...

    def describe_version(self, pacticipant: str, version: str | None = None) -> VersionDescription:
        """What the broker holds about a pacticipant version (None: the latest)."""
        ...

    def can_i_deploy(
        self,
        pacticipant: str,
        version: str,
        to_environment: str | None = None,
        *,
        ignore: Sequence[str] = (),
    ) -> CanIDeployDecision:
        """Decide whether a pacticipant version can be deployed."""
        ...

    def has_successful_verification(
        self, consumer: str, provider: str, consumer_version: str
    ) -> bool:
        """Whether a consumer version's pact has a successful verification."""
        ...

    def close(self) -> None:
        """Release what the broker holds."""
        ...
