"""A client for a Pact Broker (or PactFlow) that walks its HAL relations over HTTP.

It starts at the index resource (``GET /``) and follows ``_links`` relations
rather than hard-coding paths, as the official clients do; only the matrix
(``/matrix``) has no relation and is reached by path. Templated hrefs are
expanded with RFC 6570 simple string expansion (``{name}``), hand-written
here because the broker uses nothing more.

Failures with 5xx, 408 or 429, and failed connections, are retried with
exponential back-off (honouring ``Retry-After``). Credentials travel only to
the broker's own origin and are cut out of every log line and message.

Requests go through `pactdsl._http.JsonHttpClient`, so this module never sees
the HTTP library itself (httpx today); it decides what to send, to whom, and
how often.
"""

from __future__ import annotations

import base64
import datetime as _dt
import email.utils
import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import attrs

from pactdsl._http import JsonHttpClient, RawResponse, TransportFailure
from pactdsl.broker._config import (
    BrokerAuth,
    BrokerError,
    BrokerHTTPError,
    BrokerLookupError,
    BrokerUnavailable,
    PactConflictError,
    split_credentials,
)
from pactdsl.broker._decision import (
    BROKER_LINKS_KEY,
    CanIDeployDecision,
    Deployment,
    Environment,
    InteractionOutcome,
    MatrixRow,
    PactDocument,
    PactForVerification,
    PactPublication,
    Release,
    VerificationRecord,
    VersionDescription,
    apply_ignore,
    describe_not_verified,
    nothing_deployed_message,
    verification_reason,
)

__all__ = ["PactBrokerClient", "expand_href"]

logger = logging.getLogger("pactdsl.broker")

HAL_JSON = "application/hal+json"
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_TEMPLATE_VARIABLE = re.compile(r"\{([A-Za-z0-9_.%]+)\}")
_BODY_EXCERPT = 400
_PACT_HREF = re.compile(r"/pacts/provider/(?P<provider>[^/]+)/consumer/")


def expand_href(href: str, variables: Mapping[str, str]) -> str:
    """Expand ``{name}`` placeholders of a templated HAL href (RFC 6570 level 1).

    Each value is percent-encoded completely (``/`` too), as simple string
    expansion requires.

    Raises:
        BrokerError: naming a placeholder that `variables` does not provide.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            msg = (
                f"href {href!r} needs {{{name}}} but only {sorted(variables)} were given; "
                "the broker's relation has a different shape than expected"
            )
            raise BrokerError(msg)
        return quote(str(variables[name]), safe="")

    return _TEMPLATE_VARIABLE.sub(replace, href)


class PactBrokerClient:
    """A Pact Broker (or PactFlow) at `base_url`.

    Args:
        base_url: The broker's URL; ``user:password@`` inside it becomes basic auth.
        auth: Credentials (default: none, or those inside `base_url`).
        retries: How many times to retry a request that failed with 5xx, 408,
            429 or no connection.
        backoff: The first retry's delay in seconds; each retry doubles it.
        max_delay: The longest delay between two attempts, ``Retry-After`` included.
        timeout: Seconds to wait for each answer.
        transport: A transport of the underlying HTTP library to send requests
            through (tests, proxies); today an ``httpx.BaseTransport``.
        sleep: The function that waits between attempts.

    It is a context manager; `close` releases its connections.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: BrokerAuth | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        max_delay: float = 30.0,
        timeout: float = 30.0,
        transport: object | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        clean, user, password = split_credentials(base_url.strip())
        if not clean.startswith(("http://", "https://")):
            msg = f"base_url={clean!r} must be an http:// or https:// URL of a Pact Broker"
            raise ValueError(msg)
        if auth is None or auth.kind == "none":
            auth = (
                BrokerAuth(username=user, password=password) if user or password else BrokerAuth()
            )
        if retries < 0 or backoff < 0 or max_delay < 0:
            msg = f"{retries=}, {backoff=} and {max_delay=} must not be negative"
            raise ValueError(msg)
        self.base_url = clean
        self.auth = auth
        self.retries = retries
        self.backoff = backoff
        self.max_delay = max_delay
        self._sleep = sleep
        self._origin = _origin(clean)
        self._http = JsonHttpClient(timeout=timeout, transport=transport, follow_redirects=False)
        self._index: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"PactBrokerClient(base_url={self.base_url!r}, auth={self.auth!r})"

    def __enter__(self) -> PactBrokerClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the client's connections."""
        self._http.close()

    # -- HTTP ------------------------------------------------------------------------

    def _url(self, href: str) -> str:
        if href.startswith(("http://", "https://")):
            return href
        return self.base_url + "/" + href.lstrip("/")

    def _headers(self, url: str, *, content_type: str | None) -> dict[str, str]:
        headers = {"Accept": HAL_JSON}
        if content_type:
            headers["Content-Type"] = content_type
        # Credentials go to the broker's own origin only, never to a host a
        # link happens to point at.
        if _origin(url) == self._origin:
            if self.auth.kind == "bearer":
                headers["Authorization"] = f"Bearer {self.auth.token}"
            elif self.auth.kind == "basic":
                pair = f"{self.auth.username or ''}:{self.auth.password or ''}"
                headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return headers

    def _delay(self, attempt: int, response: RawResponse | None) -> float:
        delay = self.backoff * (2**attempt)
        if response is not None:
            retry_after = _retry_after_seconds(response.header("Retry-After"))
            if retry_after is not None:
                delay = retry_after
        return float(min(delay, self.max_delay))

    def request(
        self,
        method: str,
        href: str,
        *,
        body: Any = None,
        params: Sequence[tuple[str, str]] | None = None,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        """Send one request to the broker (retrying as configured); return its JSON.

        Args:
            method: The HTTP method.
            href: An absolute URL or a path below `base_url`.
            body: A JSON-able body, or None for none.
            params: Query parameters, in order (repeats allowed).
            content_type: The body's media type (``application/merge-patch+json``
                for a PATCH).

        Raises:
            BrokerHTTPError: for an error status after the retries.
            PactConflictError: for 409 Conflict.
            BrokerUnavailable: when the broker never answered.
        """
        url = self._url(href)
        content = None if body is None else json.dumps(body).encode("utf-8")
        headers = self._headers(url, content_type=content_type if content is not None else None)
        shown = self.auth.redact(url)
        attempt = 0
        while True:
            response: RawResponse | None = None
            try:
                response = self._http.send(
                    method, url, headers=headers, content=content, params=params
                )
            except TransportFailure as exc:
                if not exc.retryable or attempt >= self.retries:
                    problem = self.auth.redact(exc.detail)
                    tries = f"after {attempt + 1} attempts " if attempt else ""
                    msg = (
                        f"{method} {shown} failed {tries}({problem}); "
                        "check that PACT_BROKER_BASE_URL points at a running Pact Broker"
                    )
                    raise BrokerUnavailable(msg) from None
                logger.info("%s %s: no answer (%s), retrying", method, shown, exc.reason)
            else:
                logger.debug("%s %s -> %s", method, shown, response.status)
                if response.status not in _RETRY_STATUSES or attempt >= self.retries:
                    return self._answer(method, shown, response)
                logger.info("%s %s -> %s, retrying", method, shown, response.status)
            self._sleep(self._delay(attempt, response))
            attempt += 1

    def _answer(self, method: str, shown: str, response: RawResponse) -> dict[str, Any]:
        status = response.status
        if 200 <= status < 300:
            if not response.body:
                return {}
            try:
                data = response.json()
            except ValueError:
                msg = (
                    f"{method} {shown} answered {status} with a body that is not JSON: "
                    f"{self._excerpt(response)}"
                )
                raise BrokerHTTPError(msg, status=status, method=method, url=shown) from None
            return data if isinstance(data, dict) else {"value": data}
        hint = {
            401: "check PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD",
            403: "the credentials lack permission for this; check the token's role",
            404: "the broker does not know this resource",
            409: "the broker refuses a conflicting change",
        }.get(status, "see the broker's answer above")
        msg = (
            f"{method} {shown} answered {status} {response.reason}: "
            f"{self._excerpt(response)}; {hint}"
        )
        if status == 409:
            raise PactConflictError(msg)
        raise BrokerHTTPError(msg, status=status, method=method, url=shown)

    def _excerpt(self, response: RawResponse) -> str:
        text = response.text.strip() or "(empty body)"
        if len(text) > _BODY_EXCERPT:
            text = text[:_BODY_EXCERPT] + "..."
        return self.auth.redact(text)

    # -- HAL -------------------------------------------------------------------------

    def index(self) -> dict[str, Any]:
        """The broker's index resource (fetched once, then kept)."""
        if self._index is None:
            self._index = self.request("GET", "/")
        return self._index

    def _relation(self, resource: Mapping[str, Any], relation: str, what: str) -> Any:
        links = resource.get("_links", {})
        if not isinstance(links, Mapping) or relation not in links:
            have = sorted(links) if isinstance(links, Mapping) else []
            msg = (
                f"the broker's {what} has no {relation!r} relation (it has {have}); "
                "the broker may be too old for this operation: upgrade it"
            )
            raise BrokerError(msg)
        return links[relation]

    def _index_href(self, relation: str, **variables: str) -> str:
        link = self._relation(self.index(), relation, "index resource")
        href = link.get("href") if isinstance(link, Mapping) else None
        if not isinstance(href, str):
            msg = f"the index relation {relation!r} has no href: {link!r}"
            raise BrokerError(msg)
        return expand_href(href, variables)

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
        consumer_version_selectors: Sequence[Mapping[str, Any]] | None = None,
        include_pending_status: bool = False,
        include_wip_pacts_since: str | None = None,
        provider_version_branch: str | None = None,
        provider_version_tags: Sequence[str] = (),
    ) -> list[PactForVerification]:
        """The pacts the broker selects for `provider` to verify, each fetched.

        Args:
            provider: The provider's name.
            consumer_version_selectors: Pact Broker selectors, e.g.
                ``[{"mainBranch": True}, {"deployedOrReleased": True}]``
                (none: the broker's default, the latest pact of each consumer).
            include_pending_status: Ask the broker which pacts are pending.
            include_wip_pacts_since: A date (``"2024-01-01"``) from which
                work-in-progress pacts are included.
            provider_version_branch: The branch of the provider version that
                will verify (the broker needs it for pending and WIP pacts).
            provider_version_tags: Its tags, for older brokers.
        """
        href = self._index_href("pb:provider-pacts-for-verification", provider=provider)
        body: dict[str, Any] = {"includePendingStatus": include_pending_status}
        if consumer_version_selectors:
            body["consumerVersionSelectors"] = [dict(s) for s in consumer_version_selectors]
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
            fetched = self.fetch_pact(url)
            found.append(
                PactForVerification(
                    fetched.pact,
                    consumer_version=fetched.consumer_version,
                    pending=bool(properties.get("pending", False)),
                    notices=notices,
                    url=url,
                    verification_results_url=fetched.verification_results_url,
                    pact_sha=fetched.pact_sha,
                )
            )
        return found

    def fetch_pact(self, url: str) -> PactForVerification:
        """Fetch the pact at `url` with its ``pb:publish-verification-results`` link."""
        from pactdsl._pactfile import pact_from_json

        data = self.request("GET", url)
        links = data.get("_links", {})
        results = links.get("pb:publish-verification-results", {}).get("href")
        consumer_version = links.get("pb:consumer-version", {}).get("name")
        pact = pact_from_json({k: v for k, v in data.items() if k != "_links"}, origin=url)
        # Keep the links on the model too: the verifier hands a bare `Pact` to
        # publish_verification_result, which finds its way back through them.
        links_meta = {"url": url, "verificationResultsUrl": results}
        pact = attrs.evolve(pact, metadata={**pact.metadata, BROKER_LINKS_KEY: links_meta})
        return PactForVerification(
            pact,
            consumer_version=consumer_version if isinstance(consumer_version, str) else None,
            url=url,
            verification_results_url=results if isinstance(results, str) else None,
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
            _environment_of(item)
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
        return _environment_of(self.request("POST", self._index_href("pb:environments"), body=body))

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

    def _version_resource(self, pacticipant: str, version: str) -> dict[str, Any]:
        href = self._index_href("pb:pacticipant-version", pacticipant=pacticipant, version=version)
        try:
            return self.request("GET", href)
        except BrokerHTTPError as exc:
            if exc.status != 404:
                raise
            msg = (
                f"version={version!r} of pacticipant={pacticipant!r} is unknown to the broker "
                f"at {self.base_url}; only versions that published pacts or verification "
                "results are known"
            )
            raise BrokerLookupError(msg) from None

    def _environment_action(
        self, relation: str, doing: str, pacticipant: str, version: str, environment: str
    ) -> str:
        """The href of the version resource's `relation` link named `environment`."""
        resource = self._version_resource(pacticipant, version)
        links = self._relation(resource, relation, f"{pacticipant} {version}")
        links = links if isinstance(links, list) else [links]
        target = next(
            (
                link["href"]
                for link in links
                if isinstance(link, Mapping)
                and link.get("name") == environment
                and isinstance(link.get("href"), str)
            ),
            None,
        )
        if target is None:
            names = [link.get("name") for link in links if isinstance(link, Mapping)]
            msg = (
                f"environment={environment!r} is not offered for {doing} {pacticipant} "
                f"{version} (offered: {names}); create it on the broker first"
            )
            raise BrokerLookupError(msg)
        return str(target)

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

    def _environment_resource(self, environment: str) -> Mapping[str, Any]:
        answer = self.request("GET", self._index_href("pb:environments"))
        # The list names each environment in its links (as the official client
        # reads it) and embeds each one; either will do.
        linked = answer.get("_links", {}).get("pb:environments", [])
        linked = linked if isinstance(linked, list) else [linked]
        link = next(
            (
                item
                for item in linked
                if isinstance(item, Mapping)
                and item.get("name") == environment
                and isinstance(item.get("href"), str)
            ),
            None,
        )
        if link is not None:
            return self.request("GET", str(link["href"]))
        items = [
            item
            for item in answer.get("_embedded", {}).get("environments", [])
            if isinstance(item, Mapping)
        ]
        found = next((item for item in items if item.get("name") == environment), None)
        if found is None:
            names = sorted(
                {str(item.get("name")) for item in [*items, *linked] if isinstance(item, Mapping)}
            )
            msg = (
                f"environment={environment!r} does not exist on the broker (known: "
                f"{names or 'none'}); create it first with create_environment({environment!r})"
            )
            raise BrokerLookupError(msg)
        links = found.get("_links", {})
        if "pb:currently-deployed-deployed-versions" in links:
            return found
        self_link = links.get("self", {}).get("href") if isinstance(links, Mapping) else None
        if not isinstance(self_link, str):
            msg = f"the broker's environment {environment!r} has no self link: {found!r}"
            raise BrokerError(msg)
        return self.request("GET", self_link)

    def _currently_in(
        self, environment: Mapping[str, Any], relation: str, key: str, pacticipant: str
    ) -> list[Mapping[str, Any]]:
        link = self._relation(environment, relation, f"environment {environment.get('name')!r}")
        href = link.get("href") if isinstance(link, Mapping) else None
        if not isinstance(href, str):
            msg = f"the environment relation {relation!r} has no href: {link!r}"
            raise BrokerError(msg)
        answer = self.request("GET", href, params=[("pacticipant", pacticipant)])
        return [
            entity
            for entity in answer.get("_embedded", {}).get(key, [])
            if isinstance(entity, Mapping) and _entity_pacticipant(entity) in (pacticipant, None)
        ]

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
        chosen = [entity for entity in live if _instance(entity) == application_instance]
        if not chosen:
            raise BrokerLookupError(
                nothing_deployed_message(
                    pacticipant, environment, application_instance, [_instance(e) for e in live]
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
                    _entity_version(answer) or _entity_version(entity) or "?",
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
        embedded = resource.get("_embedded", {})
        branches = [
            str(b["name"])
            for b in embedded.get("branchVersions", [])
            if isinstance(b, Mapping) and b.get("name")
        ]
        branch = branches[0] if branches else resource.get("branch")
        tags = tuple(
            str(t["name"])
            for t in embedded.get("tags", [])
            if isinstance(t, Mapping) and t.get("name")
        )
        pact_links = resource.get("_links", {}).get("pb:pact-versions", [])
        pacts = []
        for link in pact_links if isinstance(pact_links, list) else [pact_links]:
            pact_href = link.get("href") if isinstance(link, Mapping) else None
            found = _PACT_HREF.search(pact_href) if isinstance(pact_href, str) else None
            if found is not None:
                provider = unquote(found["provider"])
                pacts.append(PactPublication(pacticipant, provider, version, None, url=pact_href))
        answer = self.matrix([(pacticipant, version)], latestby=None)
        verifications = []
        for row in answer.get("matrix", []):
            result = row.get("verificationResult") if isinstance(row, Mapping) else None
            if not isinstance(result, Mapping):
                continue
            parsed = _matrix_row(row)
            url = result.get("_links", {}).get("self", {}).get("href")
            verifications.append(
                VerificationRecord(
                    parsed.consumer,
                    parsed.provider,
                    parsed.provider_version or "?",
                    parsed.verification is True,
                    url=url if isinstance(url, str) else None,
                    consumer_version=parsed.consumer_version,
                    interactions=_test_results(result),
                )
            )
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
                if _entity_version(entity) == version:
                    deployments.append(
                        Deployment(pacticipant, version, environment.name, _instance(entity))
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
                if _entity_version(entity) == version:
                    releases.append(Release(pacticipant, version, environment.name))
        return VersionDescription(
            pacticipant,
            version,
            branch if isinstance(branch, str) else None,
            tags,
            tuple(pacts),
            tuple(verifications),
            tuple(deployments),
            tuple(releases),
        )

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
        summary = answer.get("summary", {})
        rows = tuple(
            apply_ignore(
                [_matrix_row(row) for row in answer.get("matrix", [])], pacticipant, ignore
            )
        )
        reasons = []
        if isinstance(summary.get("reason"), str):
            reasons.append(summary["reason"])
        for notice in answer.get("notices", summary.get("notices", [])) or []:
            if isinstance(notice, Mapping) and notice.get("text"):
                reasons.append(str(notice["text"]))
        reasons.extend(row.reason for row in rows if not row.ok)
        # A row whose result we read as failed (its testResults show an interaction
        # not verified) blocks the deployment even when the broker's summary does not.
        ok = summary.get("deployable") is True and all(
            row.ok or row.verification is not False for row in rows
        )
        return CanIDeployDecision(
            pacticipant,
            version,
            to_environment,
            ok,
            [self.auth.redact(r) for r in reasons],
            rows,
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
            for row in (_matrix_row(r) for r in answer.get("matrix", []))
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return max(0.0, (when - _dt.datetime.now(_dt.UTC)).total_seconds())


def _entity_version(entity: Mapping[str, Any]) -> str | None:
    version = entity.get("_embedded", {}).get("version", {})
    number = version.get("number") if isinstance(version, Mapping) else None
    return str(number) if number is not None else None


def _entity_pacticipant(entity: Mapping[str, Any]) -> str | None:
    found = entity.get("_embedded", {}).get("pacticipant", {})
    name = found.get("name") if isinstance(found, Mapping) else None
    return str(name) if name is not None else None


def _instance(entity: Mapping[str, Any]) -> str | None:
    # "target" is the older name of applicationInstance.
    value = entity.get("applicationInstance") or entity.get("target")
    return str(value) if value else None


def _environment_of(item: Mapping[str, Any]) -> Environment:
    name = str(item.get("name", ""))
    return Environment(
        name,
        item.get("displayName") or name,
        bool(item.get("production", False)),
        item.get("uuid"),
    )


def _number(side: Any) -> str | None:
    if not isinstance(side, Mapping):
        return None
    version = side.get("version")
    if isinstance(version, Mapping) and version.get("number") is not None:
        return str(version["number"])
    return None


def _test_results(result: Any) -> tuple[InteractionOutcome, ...]:
    """The ``testResults`` pactdsl publishes with a result (others' shapes are left out)."""
    items = result.get("testResults") if isinstance(result, Mapping) else None
    if not isinstance(items, list):
        return ()
    return tuple(
        InteractionOutcome.from_json(item)
        for item in items
        if isinstance(item, Mapping) and "interactionDescription" in item
    )


def _matrix_row(row: Mapping[str, Any]) -> MatrixRow:
    consumer = str(row.get("consumer", {}).get("name", "?"))
    provider = str(row.get("provider", {}).get("name", "?"))
    consumer_version = _number(row.get("consumer"))
    provider_version = _number(row.get("provider"))
    result = row.get("verificationResult")
    verification = bool(result.get("success")) if isinstance(result, Mapping) else None
    bad = [o for o in _test_results(result) if o.status != "passed" and not o.pending]
    if bad:
        # A result whose own test results show an interaction not verified
        # successfully is not a successful verification, whatever it says.
        verification = False
    pair = f"the pact of {consumer} {consumer_version} with {provider} {provider_version or ''}"
    reason = verification_reason(pair.rstrip(), verification, "has no verification result")
    if bad:
        reason += f"; interactions not verified successfully: {describe_not_verified(bad)}"
    return MatrixRow(
        consumer,
        consumer_version,
        provider,
        provider_version,
        verification,
        verification is True,
        reason,
    )
