"""A client for a Pact Broker (or PactFlow): its operations, over a `HalSession`.

Publishing pacts and verification results, pacts for verification (with
consumer version selectors sent in the broker's JSON form), environments,
deployments and releases, version descriptions and can-i-deploy. Every
resource is reached through HAL relations from the index, except the matrix
(``/matrix``), which has no relation and is reached by path. What the answers
mean is read in `pactdsl.broker._hal_read`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from pactdsl._errors import PactFileError
from pactdsl.broker._decision import (
    BROKER_LINKS_KEY,
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
    nothing_deployed_message,
    unreadable_pact,
)
from pactdsl.broker._errors import BrokerError, BrokerHTTPError, BrokerLookupError
from pactdsl.broker._hal import HalSession, expand_href
from pactdsl.broker._hal_read import (
    entity_instance,
    entity_version,
    environment_of,
    link_href,
    link_name,
    matrix_decision,
    matrix_row,
    matrix_verifications,
    version_labels,
    version_pacts,
)
from pactdsl.broker._selectors import SelectorLike, parse_selectors, require_provider_branch

__all__ = ["PactBrokerClient"]


class PactBrokerClient(HalSession):
    """A Pact Broker (or PactFlow) at `base_url`.

    Args:
        base_url: The broker's URL; ``user:password@`` inside it becomes basic auth.
        auth: Credentials (default: none, or those inside `base_url`).
        retries: How many times to retry a request that failed with 5xx, 408,
            429 or no connection.
        backoff: The first retry's delay in seconds; each retry doubles it.
        max_delay: The longest delay between two attempts, ``Retry-After`` included.
        timeout: Seconds to wait for each answer.
        proxy: A proxy URL (``http://[user:password@]host:port``) to reach the
            broker through; None for the environment's (HTTP_PROXY, HTTPS_PROXY,
            ALL_PROXY, NO_PROXY).
        transport: No longer accepted (it took an httpx transport): raises
            TypeError saying to pass `proxy`.
        sleep: The function that waits between attempts.

    It is a context manager; `close` releases its connections.
    """

    def __repr__(self) -> str:
        return f"PactBrokerClient(base_url={self.base_url!r}, auth={self.auth!r})"

    def __enter__(self) -> PactBrokerClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- publishing ------------------------------------------------------------------

    def publish_contracts(
        self,
        documents: Sequence[PactDocument],
        pacticipant: str,
        version: str,
        *,
        branch: str | None = None,
        tags: Sequence[str] = (),
        build_url: str | None = None,
        merge: bool = False,
    ) -> dict[str, Any]:
        """Publish pacts through ``pb:publish-contracts``; return the broker's answer.

        Args:
            documents: The pacts (their text is sent as is, base64-encoded).
            pacticipant: The consumer publishing them.
            version: The consumer version.
            branch: The consumer version's branch.
            tags: Tags for the consumer version.
            build_url: A link to the CI build.
            merge: Merge with a pact already published for this version
                (``onConflict: merge``) instead of replacing it.
        """
        body: dict[str, Any] = {"pacticipantName": pacticipant, "pacticipantVersionNumber": version}
        if branch:
            body["branch"] = branch
        if tags:
            body["tags"] = list(tags)
        if build_url:
            body["buildUrl"] = build_url
        contracts = []
        for document in documents:
            entry = {
                "consumerName": document.consumer,
                "providerName": document.provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(document.text.encode("utf-8")).decode("ascii"),
            }
            if merge:
                entry["onConflict"] = "merge"
            contracts.append(entry)
        body["contracts"] = contracts
        return self.request("POST", self._index_href("pb:publish-contracts"), body=body)

    def publish_pact(
        self,
        document: PactDocument,
        consumer_version: str,
        *,
        branch: str | None = None,
        tags: Sequence[str] = (),
        build_url: str | None = None,
    ) -> PactPublication:
        """Publish one pact for `consumer_version` (see `publish_contracts`)."""
        answer = self.publish_contracts(
            [document],
            document.consumer,
            consumer_version,
            branch=branch,
            tags=tags,
            build_url=build_url,
        )
        notices = [
            str(n.get("text", "")) for n in answer.get("notices", []) if isinstance(n, Mapping)
        ]
        notices += [
            str(n.get("message", "")) for n in answer.get("logs", []) if isinstance(n, Mapping)
        ]
        links = answer.get("_links", {}).get("pb:contracts", [])
        url = links[0].get("href") if links and isinstance(links[0], Mapping) else None
        return PactPublication(
            document.consumer,
            document.provider,
            consumer_version,
            document.sha,
            tuple(self.auth.redact(n) for n in notices if n),
            url,
        )

    # -- verification ----------------------------------------------------------------

    def pacts_for_verification(
        self,
        provider: str,
        *,
        consumer_version_selectors: Sequence[SelectorLike] | None = None,
        include_pending_status: bool = False,
        include_wip_pacts_since: str | None = None,
        provider_version_branch: str | None = None,
        provider_version_tags: Sequence[str] = (),
    ) -> list[PactForVerification]:
        """The pacts the broker selects for `provider` to verify, each fetched.

        Args:
            provider: The provider's name.
            consumer_version_selectors: Pact Broker selectors, e.g.
                ``[{"mainBranch": True}, {"deployedOrReleased": True}]`` or
                `ConsumerVersionSelector` objects, sent in the broker's JSON form
                (none: the broker's default, the latest pact of each consumer).
            include_pending_status: Ask the broker which pacts are pending.
            include_wip_pacts_since: A date (``"2024-01-01"``) from which
                work-in-progress pacts are included.
            provider_version_branch: The branch of the provider version that
                will verify (the broker needs it for pending and WIP pacts).
            provider_version_tags: Its tags, for older brokers.

        Raises:
            InvalidSelector: naming the selector field that cannot work.
        """
        selectors = parse_selectors(consumer_version_selectors)
        require_provider_branch(selectors or (), provider_version_branch)
        href = self._index_href("pb:provider-pacts-for-verification", provider=provider)
        body: dict[str, Any] = {"includePendingStatus": include_pending_status}
        if selectors:
            body["consumerVersionSelectors"] = [s.to_json() for s in selectors]
        if include_wip_pacts_since:
            body["includeWipPactsSince"] = include_wip_pacts_since
        if provider_version_branch:
            body["providerVersionBranch"] = provider_version_branch
        if provider_version_tags:
            body["providerVersionTags"] = list(provider_version_tags)
        answer = self.request("POST", href, body=body)
        found = []
        for entry in answer.get("_embedded", {}).get("pacts", []):
            properties = entry.get("verificationProperties", {})
            notices = tuple(
                str(n.get("text", "")) for n in properties.get("notices", []) if n.get("text")
            )
            url = entry.get("_links", {}).get("self", {}).get("href")
            if not isinstance(url, str):
                continue
            data = self.request("GET", url)
            try:
                fetched = self._read_pact(url, data)
            except PactFileError as exc:
                # One unreadable pact (another team's tool, an older pactdsl) is an
                # error of that pact: the others are still verified.
                fetched = PactForVerification(
                    unreadable_pact(_consumer_name(data), provider),
                    url=url,
                    verification_results_url=link_href(data, "pb:publish-verification-results"),
                    consumer_version=link_name(data, "pb:consumer-version"),
                    problem=str(exc),
                )
            found.append(
                attrs.evolve(
                    fetched, pending=bool(properties.get("pending", False)), notices=notices
                )
            )
        return found

    def fetch_pact(self, url: str) -> PactForVerification:
        """Fetch the pact at `url` with its ``pb:publish-verification-results`` link.

        Raises:
            PactFileError: when the broker's answer is not a pact pactdsl can read.
        """
        return self._read_pact(url, self.request("GET", url))

    def _read_pact(self, url: str, data: Mapping[str, Any]) -> PactForVerification:
        from pactdsl._pactfile import pact_from_json

        results = link_href(data, "pb:publish-verification-results")
        consumer_version = link_name(data, "pb:consumer-version")
        pact = pact_from_json({k: v for k, v in data.items() if k != "_links"}, origin=url)
        # Keep the links on the model too: the verifier hands a bare `Pact` to
        # publish_verification_result, which finds its way back through them.
        links_meta = {"url": url, "verificationResultsUrl": results}
        pact = attrs.evolve(pact, metadata={**pact.metadata, BROKER_LINKS_KEY: links_meta})
        return PactForVerification(
            pact,
            consumer_version=consumer_version,
            url=url,
            verification_results_url=results,
            pact_sha=PactDocument.from_source(pact).sha,
        )

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
        """Publish a verification result on the pact's ``pb:publish-verification-results``.

        `interactions` go with it as ``testResults`` (one item per interaction,
        with its ``success``), so the broker shows which were not verified.

        A `PactForVerification` from `pacts_for_verification` carries that link.
        For any other pact the latest pact between its consumer and provider is
        fetched, and must have the same content.

        Raises:
            BrokerLookupError: when the broker's latest pact differs from `pact`.
        """
        if isinstance(pact, PactForVerification) and pact.verification_results_url:
            target = pact
        else:
            document = pact if isinstance(pact, PactDocument) else PactDocument.from_source(pact)
            href = expand_href(
                "/pacts/provider/{provider}/consumer/{consumer}/latest",
                {"provider": document.provider, "consumer": document.consumer},
            )
            target = self.fetch_pact(self._url(href))
            if target.pact_sha != document.sha:
                msg = (
                    f"the latest pact between {document.consumer} and {document.provider} on "
                    f"the broker differs from the one verified (sha {document.sha[:12]}); "
                    "verify the pacts that pacts_for_verification returns and publish with those"
                )
                raise BrokerLookupError(msg)
        if not target.verification_results_url:
            msg = f"the pact at {target.url} has no 'pb:publish-verification-results' link"
            raise BrokerError(msg)
        provider = target.pact.provider
        if branch:
            self.request(
                "PUT",
                self._index_href(
                    "pb:pacticipant-branch-version",
                    pacticipant=provider,
                    branch=branch,
                    version=provider_version,
                ),
                body={},
            )
        for tag in tags:
            self.request(
                "PUT",
                self._index_href(
                    "pb:pacticipant-version-tag",
                    pacticipant=provider,
                    version=provider_version,
                    tag=tag,
                ),
                body={},
            )
        from pactdsl._version import version

        body: dict[str, Any] = {
            "success": bool(success),
            "providerApplicationVersion": provider_version,
            "verifiedBy": {"implementation": "pactdsl", "version": version()},
        }
        if build_url:
            body["buildUrl"] = build_url
        if interactions:
            body["testResults"] = [outcome.to_json() for outcome in interactions]
        answer = self.request("POST", target.verification_results_url, body=body)
        url = answer.get("_links", {}).get("self", {}).get("href")
        return VerificationRecord(
            target.pact.consumer,
            provider,
            provider_version,
            bool(success),
            target.pact_sha,
            url if isinstance(url, str) else None,
            interactions=tuple(interactions),
        )

    # -- environments and deployments ------------------------------------------------

    def environments(self) -> list[Environment]:
        """Every environment the broker knows (``pb:environments``)."""
        answer = self.request("GET", self._index_href("pb:environments"))
        return [
            environment_of(item)
            for item in answer.get("_embedded", {}).get("environments", [])
            if isinstance(item, Mapping)
        ]

    def create_environment(
        self,
        name: str,
        *,
        display_name: str | None = None,
        production: bool = False,
        contacts: Sequence[Mapping[str, Any]] = (),
    ) -> Environment:
        """Create an environment on the broker (``POST`` to ``pb:environments``)."""
        body: dict[str, Any] = {"name": name, "production": production}
        if display_name:
            body["displayName"] = display_name
        if contacts:
            body["contacts"] = [dict(c) for c in contacts]
        return environment_of(self.request("POST", self._index_href("pb:environments"), body=body))

    def record_deployment(
        self,
        pacticipant: str,
        version: str,
        environment: str,
        *,
        application_instance: str | None = None,
    ) -> Deployment:
        """Record a deployment through the version resource's ``pb:record-deployment``.

        Raises:
            BrokerLookupError: when the broker offers no deployment to `environment`.
        """
        target = self._environment_action(
            "pb:record-deployment", "deploying", pacticipant, version, environment
        )
        body: dict[str, Any] = {}
        if application_instance:
            # "target" is the older name of the same field; brokers read either.
            body = {"applicationInstance": application_instance, "target": application_instance}
        answer = self.request("POST", target, body=body)
        instance = answer.get("applicationInstance", answer.get("target", application_instance))
        return Deployment(
            pacticipant,
            version,
            environment,
            instance if isinstance(instance, str) else None,
            bool(answer.get("currentlyDeployed", True)),
        )

    def record_release(self, pacticipant: str, version: str, environment: str) -> Release:
        """Record a release through the version resource's ``pb:record-release``.

        Raises:
            BrokerLookupError: when the version is unknown or the broker offers
                no release to `environment`.
        """
        target = self._environment_action(
            "pb:record-release", "releasing", pacticipant, version, environment
        )
        answer = self.request("POST", target, body={})
        return Release(
            pacticipant, version, environment, bool(answer.get("currentlySupported", True))
        )

    def record_undeployment(
        self, pacticipant: str, environment: str, *, application_instance: str | None = None
    ) -> list[Deployment]:
        """Mark what `pacticipant` has deployed to `environment` as no longer deployed.

        Finds the environment's currently deployed versions of `pacticipant`
        (those recorded without an application instance, or with
        `application_instance`) and sends each ``PATCH {currentlyDeployed: false}``.

        Returns:
            The deployments now ended.

        Raises:
            BrokerLookupError: when the environment is unknown or nothing of
                `pacticipant` is deployed there (to that instance).
        """
        resource = self._environment_resource(environment)
        live = self._currently_in(
            resource, "pb:currently-deployed-deployed-versions", "deployedVersions", pacticipant
        )
        chosen = [entity for entity in live if entity_instance(entity) == application_instance]
        if not chosen:
            raise BrokerLookupError(
                nothing_deployed_message(
                    pacticipant,
                    environment,
                    application_instance,
                    [entity_instance(e) for e in live],
                )
            )
        ended = []
        for entity in chosen:
            href = entity.get("_links", {}).get("self", {}).get("href")
            if not isinstance(href, str):
                msg = f"a deployed version of {pacticipant} has no self link: {entity!r}"
                raise BrokerError(msg)
            answer = self.request(
                "PATCH",
                href,
                body={"currentlyDeployed": False},
                content_type="application/merge-patch+json",
            )
            ended.append(
                Deployment(
                    pacticipant,
                    entity_version(answer) or entity_version(entity) or "?",
                    environment,
                    application_instance,
                    bool(answer.get("currentlyDeployed", False)),
                )
            )
        return ended

    def describe_version(self, pacticipant: str, version: str | None = None) -> VersionDescription:
        """What the broker holds about `version` of `pacticipant` (None: its latest).

        Reads the version resource (``pb:pacticipant-version``, or
        ``pb:latest-version``), the matrix for its verification
        results, and each environment's deployed and released versions.

        Raises:
            BrokerLookupError: when the pacticipant or the version is unknown.
        """
        if version is None:
            href = self._index_href("pb:latest-version", pacticipant=pacticipant)
            try:
                resource = self.request("GET", href)
            except BrokerHTTPError as exc:
                if exc.status != 404:
                    raise
                msg = (
                    f"pacticipant={pacticipant!r} has no versions on the broker at "
                    f"{self.base_url}; publish a pact or a verification result first"
                )
                raise BrokerLookupError(msg) from None
            number = resource.get("number")
            if not isinstance(number, str):
                msg = f"the latest version of {pacticipant} has no number: {resource!r}"
                raise BrokerError(msg)
            version = number
        else:
            resource = self._version_resource(pacticipant, version)
        branch, tags = version_labels(resource)
        verifications = matrix_verifications(self.matrix([(pacticipant, version)], latestby=None))
        deployments, releases = self._placements(pacticipant, version)
        return VersionDescription(
            pacticipant,
            version,
            branch,
            tags,
            version_pacts(resource, pacticipant, version),
            verifications,
            deployments,
            releases,
        )

    def _placements(
        self, pacticipant: str, version: str
    ) -> tuple[tuple[Deployment, ...], tuple[Release, ...]]:
        """Where `version` of `pacticipant` is currently deployed, and released."""
        deployments: list[Deployment] = []
        releases: list[Release] = []
        for environment in self.environments():
            env_resource = self._environment_resource(environment.name)
            for entity in self._currently_in(
                env_resource,
                "pb:currently-deployed-deployed-versions",
                "deployedVersions",
                pacticipant,
            ):
                if entity_version(entity) == version:
                    deployments.append(
                        Deployment(pacticipant, version, environment.name, entity_instance(entity))
                    )
            links = env_resource.get("_links", {})
            if "pb:currently-supported-released-versions" not in links:
                continue  # a broker older than releases
            for entity in self._currently_in(
                env_resource,
                "pb:currently-supported-released-versions",
                "releasedVersions",
                pacticipant,
            ):
                if entity_version(entity) == version:
                    releases.append(Release(pacticipant, version, environment.name))
        return tuple(deployments), tuple(releases)

    # -- the matrix ------------------------------------------------------------------

    def matrix(
        self,
        selectors: Sequence[tuple[str, str | None]],
        *,
        latestby: str | None = "cvpv",
        latest: bool = False,
        environment: str | None = None,
        tag: str | None = None,
        ignore: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Query ``/matrix`` for `selectors` (pacticipant, version or None); return its JSON."""
        params: list[tuple[str, str]] = []
        for pacticipant, version in selectors:
            params.append(("q[][pacticipant]", pacticipant))
            if version is not None:
                params.append(("q[][version]", version))
        params.extend(("ignore[][pacticipant]", name) for name in ignore)
        if latestby:
            params.append(("latestby", latestby))
        if latest:
            params.append(("latest", "true"))
        if environment:
            params.append(("environment", environment))
        if tag:
            params.append(("tag", tag))
        return self.request("GET", "/matrix", params=params)

    def can_i_deploy(
        self,
        pacticipant: str,
        version: str,
        to_environment: str | None = None,
        *,
        ignore: Sequence[str] = (),
    ) -> CanIDeployDecision:
        """Ask the matrix whether `version` of `pacticipant` can be deployed.

        With `to_environment`, against what is deployed or released there;
        without, against the latest version of each integrated pacticipant.
        Integrations with the pacticipants in `ignore` are sent as
        ``ignore[][pacticipant]`` and do not block the deployment.
        """
        answer = self.matrix(
            [(pacticipant, version)],
            latestby="cvp",
            latest=to_environment is None,
            environment=to_environment,
            ignore=ignore,
        )
        return matrix_decision(
            answer, pacticipant, version, to_environment, ignore=ignore, redact=self.auth.redact
        )

    def has_successful_verification(
        self, consumer: str, provider: str, consumer_version: str
    ) -> bool:
        """Whether any version of `provider` verified the pact of `consumer_version`."""
        answer = self.matrix([(consumer, consumer_version), (provider, None)], latestby="cvpv")
        return any(
            row.verification is True
            and row.consumer == consumer
            and row.consumer_version == consumer_version
            and row.provider == provider
            for row in (matrix_row(r) for r in answer.get("matrix", []))
        )


def _consumer_name(data: Mapping[str, Any]) -> Any:
    """``consumer.name`` of a pact's JSON, whatever it holds (None when absent)."""
    consumer = data.get("consumer")
    return consumer.get("name") if isinstance(consumer, Mapping) else None
