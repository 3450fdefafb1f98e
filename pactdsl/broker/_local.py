"""The local broker: a SQLite file holding what a Pact Broker would hold.

Pacticipants, versions (branch, tags), pacts stored once per content hash and
linked to every consumer version that published them, verification results
(which provider version verified which content, with what outcome, when),
environments, deployments and releases, and provider contracts (a provider
version's OpenAPI document) with the OpenAPI checks of pacts against them. The
file itself (schema, connections, locking) is `SqliteFile`'s; can-i-deploy's
matrix, the selection of pacts for verification and the provider contracts
have modules of their own.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pactdsl.broker._config import DEFAULT_LOCAL_BROKER_PATH
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
    apply_ignore,
    nothing_deployed_message,
)
from pactdsl.broker._errors import BrokerLookupError, PactConflictError
from pactdsl.broker._local_contracts import (
    CheckPair,
    SelfVerification,
    publish_contract,
    run_checks,
)
from pactdsl.broker._local_matrix import decide, matrix_rows
from pactdsl.broker._local_select import select_pacts
from pactdsl.broker._local_store import (
    SqliteFile,
    find_environment,
    find_pacticipant,
    find_version,
    now,
    require_pacticipant,
    require_version,
)
from pactdsl.broker._provider_contract import (
    ProviderContractDocument,
    ProviderContractPublication,
)
from pactdsl.broker._selectors import (
    ConsumerVersionSelector,
    SelectorLike,
    parse_selectors,
    require_provider_branch,
)

__all__ = ["LocalBroker"]


class LocalBroker(SqliteFile):
    """A broker in one SQLite file, safe for several processes at once.

    Args:
        path: The database file (made, with its folder, on first use).
        busy_timeout: Seconds a writer waits for another one before failing.

    Use it directly or through the functions of `pactdsl.broker` (which pick
    it when ``PACT_BROKER_BASE_URL`` is not set).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_LOCAL_BROKER_PATH,
        *,
        busy_timeout: float = 30.0,
    ) -> None:
        super().__init__(path, busy_timeout=busy_timeout)

    def __repr__(self) -> str:
        return f"LocalBroker(path={str(self.path)!r})"

    def __enter__(self) -> LocalBroker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: every operation closes its own connection."""

    # -- publishing ------------------------------------------------------------------

    def publish_pact(
        self,
        document: PactDocument,
        consumer_version: str,
        *,
        branch: str | None = None,
        tags: Sequence[str] = (),
        build_url: str | None = None,
    ) -> PactPublication:
        """Record `document` as the pact `consumer_version` of its consumer holds.

        Publishing the same content again (for this or another version) stores
        it once; its verification results then count for every such version.

        Raises:
            PactConflictError: when this consumer version already published a
                different pact with this provider.
        """
        del build_url  # the local broker has no build links to show
        _check_version("consumer_version", consumer_version)
        with self.transaction(write=True) as conn:
            consumer_id = find_pacticipant(conn, document.consumer, create=True)
            provider_id = find_pacticipant(conn, document.provider, create=True)
            assert consumer_id is not None
            assert provider_id is not None
            version_id = find_version(
                conn, consumer_id, consumer_version, create=True, branch=branch, tags=tags
            )
            row = conn.execute(
                "SELECT id FROM pact_contents WHERE sha = ?", (document.sha,)
            ).fetchone()
            if row is None:
                cursor = conn.execute(
                    "INSERT INTO pact_contents (sha, consumer_id, provider_id, content, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (document.sha, consumer_id, provider_id, document.text, now()),
                )
                content_id = int(cursor.lastrowid or 0)
            else:
                content_id = int(row["id"])
            existing = conn.execute(
                "SELECT c.id, c.sha FROM pact_publications p JOIN pact_contents c "
                "ON c.id = p.pact_content_id WHERE p.consumer_version_id = ? AND p.provider_id = ?",
                (version_id, provider_id),
            ).fetchone()
            notices: list[str] = []
            if existing is not None and existing["id"] != content_id:
                msg = (
                    f"consumer_version={consumer_version!r} of {document.consumer} already "
                    f"published a different pact with {document.provider} "
                    f"(sha {existing['sha'][:12]}, now {document.sha[:12]}); publish changed "
                    "contracts under a new version (e.g. the commit sha)"
                )
                raise PactConflictError(msg)
            if existing is None:
                conn.execute(
                    "INSERT INTO pact_publications (consumer_version_id, provider_id, "
                    "pact_content_id, created_at) VALUES (?, ?, ?, ?)",
                    (version_id, provider_id, content_id, now()),
                )
                notices.append(
                    f"Published the pact of {document.consumer} {consumer_version} with "
                    f"{document.provider} (sha {document.sha[:12]})"
                )
            else:
                notices.append(
                    f"The pact of {document.consumer} {consumer_version} with "
                    f"{document.provider} was already published with this content"
                )
            verified_by = [
                r["number"]
                for r in conn.execute(
                    "SELECT DISTINCT v.number FROM verification_results r JOIN versions v "
                    "ON v.id = r.provider_version_id WHERE r.pact_content_id = ? "
                    "AND r.success = 1 ORDER BY v.id",
                    (content_id,),
                )
            ]
            if verified_by:
                notices.append(
                    f"This content is already verified by {document.provider} "
                    f"{', '.join(verified_by)}"
                )
        return PactPublication(
            document.consumer,
            document.provider,
            consumer_version,
            document.sha,
            tuple(notices),
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
        """Record that `provider_version` verified `pact` with outcome `success`.

        `interactions` (what the verification did with each interaction) are
        stored with it; can-i-deploy names those not verified successfully.

        Raises:
            BrokerLookupError: when no consumer version ever published this pact.
        """
        _check_version("provider_version", provider_version)
        if isinstance(pact, PactForVerification):
            sha = pact.pact_sha or PactDocument.from_source(pact.pact).sha
            consumer, provider = pact.pact.consumer, pact.pact.provider
        else:
            sha, consumer, provider = pact.sha, pact.consumer, pact.provider
        with self.transaction(write=True) as conn:
            row = conn.execute("SELECT id FROM pact_contents WHERE sha = ?", (sha,)).fetchone()
            if row is None:
                msg = (
                    f"no pact between {consumer} and {provider} with this content "
                    f"(sha {sha[:12]}) was published to the local broker at "
                    f"path={str(self.path)!r}; publish it first (pactdsl.broker.publish), "
                    "or verify the pacts the broker selects (pacts_for_verification)"
                )
                raise BrokerLookupError(msg)
            provider_id = find_pacticipant(conn, provider, create=True)
            assert provider_id is not None
            version_id = find_version(
                conn, provider_id, provider_version, create=True, branch=branch, tags=tags
            )
            stored = json.dumps([o.to_json() for o in interactions]) if interactions else None
            conn.execute(
                "INSERT INTO verification_results (pact_content_id, provider_version_id, "
                "success, build_url, verified_at, interactions) VALUES (?, ?, ?, ?, ?, ?)",
                (int(row["id"]), version_id, int(bool(success)), build_url, now(), stored),
            )
        return VerificationRecord(
            consumer,
            provider,
            provider_version,
            bool(success),
            sha,
            interactions=tuple(interactions),
        )

    def publish_provider_contract(
        self,
        provider: str,
        provider_version: str,
        spec: str | os.PathLike[str] | Mapping[str, Any],
        *,
        self_verified: bool,
        branch: str | None = None,
        tags: Sequence[str] = (),
        verifier: str | None = None,
        verifier_version: str | None = None,
        verification_results: str | None = None,
        content_type: str | None = None,
    ) -> ProviderContractPublication:
        """Record `spec`, the OpenAPI document of `provider_version`, as its provider contract.

        The document's bytes are stored as given. Each consumer's latest pact
        is checked against it at once (the notices say how they fare); other
        pacts are checked when can-i-deploy needs them. A pact then counts as
        verified by `provider_version` when it passes that check and
        `self_verified` is True. Publishing the same document again records
        its latest self-verification.

        Raises:
            MissingExtra: without the ``openapi`` extra.
            ProviderContractError: when the document cannot be read, is not an
                OpenAPI or Swagger 2 document, or refers to other files.
            PactConflictError: when `provider_version` already published a
                different document.
        """
        if not isinstance(provider, str) or not provider.strip():
            msg = f"provider={provider!r} must be the provider's non-empty name"
            raise ValueError(msg)
        _check_version("provider_version", provider_version)
        if not isinstance(self_verified, bool):
            msg = (
                f"self_verified={self_verified!r} must be True or False: whether the "
                "provider's own tests showed that it honours the document"
            )
            raise TypeError(msg)
        document = ProviderContractDocument.from_source(spec, provider, content_type=content_type)
        verification = SelfVerification(
            self_verified, verifier, verifier_version, verification_results
        )
        return publish_contract(
            self, provider, provider_version, document, verification, branch, tuple(tags)
        )

    # -- environments and deployments ------------------------------------------------

    def create_environment(
        self, name: str, *, display_name: str | None = None, production: bool = False
    ) -> Environment:
        """Create the environment `name` (a no-op when it exists already)."""
        if not name or not name.strip():
            msg = f"name={name!r} must be a non-empty environment name"
            raise ValueError(msg)
        with self.transaction(write=True) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO environments (uuid, name, display_name, production, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), name, display_name or name, int(production), now()),
            )
            row = conn.execute(
                "SELECT uuid, name, display_name, production FROM environments WHERE name = ?",
                (name,),
            ).fetchone()
        return _environment_of(row)

    def environments(self) -> list[Environment]:
        """Every environment, by name."""
        with self.transaction(write=False) as conn:
            rows = conn.execute(
                "SELECT uuid, name, display_name, production FROM environments ORDER BY name"
            ).fetchall()
        return [_environment_of(r) for r in rows]

    def record_deployment(
        self,
        pacticipant: str,
        version: str,
        environment: str,
        *,
        application_instance: str | None = None,
    ) -> Deployment:
        """Record `version` of `pacticipant` as deployed to `environment`.

        The version deployed before to the same environment (and application
        instance) stops being currently deployed, as on the Pact Broker.

        Raises:
            BrokerLookupError: when the environment, pacticipant or version is unknown.
        """
        instance = application_instance or ""
        with self.transaction(write=True) as conn:
            environment_id = find_environment(conn, environment)
            pacticipant_id = require_pacticipant(conn, pacticipant)
            version_id = require_version(conn, pacticipant, pacticipant_id, version)
            conn.execute(
                "UPDATE deployments SET currently_deployed = 0, undeployed_at = ? "
                "WHERE environment_id = ? AND application_instance = ? AND currently_deployed = 1 "
                "AND version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?)",
                (now(), environment_id, instance, pacticipant_id),
            )
            conn.execute(
                "INSERT INTO deployments (version_id, environment_id, application_instance, "
                "currently_deployed, deployed_at) VALUES (?, ?, ?, 1, ?)",
                (version_id, environment_id, instance, now()),
            )
        return Deployment(pacticipant, version, environment, application_instance, True)

    def record_release(self, pacticipant: str, version: str, environment: str) -> Release:
        """Record `version` of `pacticipant` as released to (and supported in) `environment`.

        Unlike a deployment, a release replaces nothing: every released version
        stays supported, and counts in can-i-deploy, until its support ends.
        Recording the same release twice records it once.

        Raises:
            BrokerLookupError: when the environment, pacticipant or version is unknown.
        """
        with self.transaction(write=True) as conn:
            environment_id = find_environment(conn, environment)
            pacticipant_id = require_pacticipant(conn, pacticipant)
            version_id = require_version(conn, pacticipant, pacticipant_id, version)
            existing = conn.execute(
                "SELECT 1 FROM releases WHERE version_id = ? AND environment_id = ? "
                "AND currently_supported = 1",
                (version_id, environment_id),
            ).fetchone()
            if existing is None:
                conn.execute(
                    "INSERT INTO releases (version_id, environment_id, currently_supported, "
                    "released_at) VALUES (?, ?, 1, ?)",
                    (version_id, environment_id, now()),
                )
        return Release(pacticipant, version, environment, True)

    def record_undeployment(
        self, pacticipant: str, environment: str, *, application_instance: str | None = None
    ) -> list[Deployment]:
        """Record that the version of `pacticipant` deployed to `environment` is gone from it.

        As on the Pact Broker, without `application_instance` this undeploys
        the deployment recorded without one; with it, that instance's.

        Returns:
            The deployments now ended (``currently_deployed`` False).

        Raises:
            BrokerLookupError: when the environment or pacticipant is unknown, or
                nothing of it is currently deployed there (to that instance).
        """
        instance = application_instance or ""
        with self.transaction(write=True) as conn:
            environment_id = find_environment(conn, environment)
            pacticipant_id = require_pacticipant(conn, pacticipant)
            live = conn.execute(
                "SELECT d.id, d.application_instance, v.number FROM deployments d "
                "JOIN versions v ON v.id = d.version_id WHERE d.environment_id = ? "
                "AND d.currently_deployed = 1 AND v.pacticipant_id = ? ORDER BY d.id",
                (environment_id, pacticipant_id),
            ).fetchall()
            chosen = [r for r in live if r["application_instance"] == instance]
            if not chosen:
                instances = [r["application_instance"] or None for r in live]
                raise BrokerLookupError(
                    nothing_deployed_message(
                        pacticipant, environment, application_instance, instances
                    )
                )
            conn.executemany(
                "UPDATE deployments SET currently_deployed = 0, undeployed_at = ? WHERE id = ?",
                [(now(), r["id"]) for r in chosen],
            )
        return [
            Deployment(pacticipant, r["number"], environment, application_instance, False)
            for r in chosen
        ]

    def describe_version(self, pacticipant: str, version: str | None = None) -> VersionDescription:
        """What the broker holds about `version` of `pacticipant` (None: its latest version).

        Raises:
            BrokerLookupError: when the pacticipant or the version is unknown.
        """
        with self.transaction(write=False) as conn:
            pacticipant_id = require_pacticipant(conn, pacticipant)
            if version is None:
                row = conn.execute(
                    "SELECT number FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 1",
                    (pacticipant_id,),
                ).fetchone()
                if row is None:
                    msg = f"pacticipant={pacticipant!r} has no versions in the local broker yet"
                    raise BrokerLookupError(msg)
                version = str(row["number"])
            version_id = require_version(conn, pacticipant, pacticipant_id, version)
            branch = conn.execute(
                "SELECT branch FROM versions WHERE id = ?", (version_id,)
            ).fetchone()["branch"]
            tags = tuple(
                r["name"]
                for r in conn.execute(
                    "SELECT name FROM tags WHERE version_id = ? ORDER BY created_at, name",
                    (version_id,),
                )
            )
            pacts = tuple(
                PactPublication(pacticipant, r["provider"], version, r["sha"])
                for r in conn.execute(
                    "SELECT p.name AS provider, c.sha FROM pact_publications pub "
                    "JOIN pacticipants p ON p.id = pub.provider_id "
                    "JOIN pact_contents c ON c.id = pub.pact_content_id "
                    "WHERE pub.consumer_version_id = ? ORDER BY p.name",
                    (version_id,),
                )
            )
            # Results on this version's pacts (as consumer) and by this version (as provider).
            verifications = tuple(
                VerificationRecord(
                    r["consumer"],
                    r["provider"],
                    r["provider_version"],
                    bool(r["success"]),
                    r["sha"],
                    consumer_version=r["consumer_version"],
                )
                for r in conn.execute(
                    "SELECT r.id, cp.name AS consumer, cv.number AS consumer_version, "
                    "pp.name AS provider, pv.number AS provider_version, r.success, c.sha "
                    "FROM verification_results r JOIN pact_contents c ON c.id = r.pact_content_id "
                    "JOIN versions pv ON pv.id = r.provider_version_id "
                    "JOIN pacticipants pp ON pp.id = pv.pacticipant_id "
                    "JOIN pact_publications pub ON pub.pact_content_id = c.id "
                    "AND pub.provider_id = pp.id "
                    "JOIN versions cv ON cv.id = pub.consumer_version_id "
                    "JOIN pacticipants cp ON cp.id = cv.pacticipant_id "
                    "WHERE (pub.consumer_version_id = ? OR r.provider_version_id = ?) "
                    "ORDER BY r.id, cp.name, cv.id",
                    (version_id, version_id),
                )
                # As a provider, a result counts for every consumer version that
                # published that content; as a consumer, only for this version.
                if r["consumer"] != pacticipant or r["consumer_version"] == version
            )
            deployments = tuple(
                Deployment(pacticipant, version, r["name"], r["application_instance"] or None, True)
                for r in conn.execute(
                    "SELECT e.name, d.application_instance FROM deployments d "
                    "JOIN environments e ON e.id = d.environment_id "
                    "WHERE d.version_id = ? AND d.currently_deployed = 1 ORDER BY d.id",
                    (version_id,),
                )
            )
            releases = tuple(
                Release(pacticipant, version, r["name"], True)
                for r in conn.execute(
                    "SELECT e.name FROM releases rel JOIN environments e "
                    "ON e.id = rel.environment_id WHERE rel.version_id = ? "
                    "AND rel.currently_supported = 1 ORDER BY rel.id",
                    (version_id,),
                )
            )
            contract = conn.execute(
                "SELECT sha, filename, self_verified FROM provider_contracts "
                "WHERE provider_version_id = ?",
                (version_id,),
            ).fetchone()
        provider_contract = (
            None
            if contract is None
            else ProviderContractPublication(
                pacticipant,
                version,
                contract["sha"],
                contract["filename"],
                bool(contract["self_verified"]),
            )
        )
        return VersionDescription(
            pacticipant,
            version,
            branch,
            tags,
            pacts,
            verifications,
            deployments,
            releases,
            provider_contract,
        )

    def deployed_versions(self, pacticipant: str, environment: str) -> list[Deployment]:
        """The versions of `pacticipant` currently deployed to `environment`."""
        with self.transaction(write=False) as conn:
            environment_id = find_environment(conn, environment)
            rows = conn.execute(
                "SELECT v.number, d.application_instance FROM deployments d "
                "JOIN versions v ON v.id = d.version_id JOIN pacticipants p "
                "ON p.id = v.pacticipant_id WHERE d.environment_id = ? AND p.name = ? "
                "AND d.currently_deployed = 1 ORDER BY d.id",
                (environment_id, pacticipant),
            ).fetchall()
        return [
            Deployment(pacticipant, r["number"], environment, r["application_instance"] or None)
            for r in rows
        ]

    # -- questions -------------------------------------------------------------------

    def has_successful_verification(
        self, consumer: str, provider: str, consumer_version: str
    ) -> bool:
        """Whether the pact `consumer_version` published with `provider` was ever verified OK.

        The yes/no can-i-deploy (`is_deployable`): False when no such pact was published.
        """
        with self.transaction(write=False) as conn:
            row = conn.execute(
                "SELECT 1 FROM pact_publications pub "
                "JOIN versions cv ON cv.id = pub.consumer_version_id "
                "JOIN pacticipants c ON c.id = cv.pacticipant_id "
                "JOIN pacticipants p ON p.id = pub.provider_id "
                "JOIN verification_results r ON r.pact_content_id = pub.pact_content_id "
                "JOIN versions pv ON pv.id = r.provider_version_id AND pv.pacticipant_id = p.id "
                "WHERE c.name = ? AND p.name = ? AND cv.number = ? AND r.success = 1 LIMIT 1",
                (consumer, provider, consumer_version),
            ).fetchone()
        if row is not None:
            return True
        # Or the pact passes the OpenAPI check against the provider's contract.
        decision = self.can_i_deploy(consumer, consumer_version)
        return any(r.provider == provider and r.verification is True for r in decision.rows)

    def can_i_deploy(
        self,
        pacticipant: str,
        version: str,
        to_environment: str | None = None,
        *,
        ignore: Sequence[str] = (),
    ) -> CanIDeployDecision:
        """Whether `version` of `pacticipant` can be deployed, with the Pact Broker's rules.

        With `to_environment`, every integration with what is currently
        deployed or released there (the Pact Broker's ``deployedOrReleased``)
        must be verified successfully: as a consumer, its pact
        with each deployed provider version; as a provider, each deployed
        consumer version's pact, verified by this version. Without it, each of
        its pacts must have a successful verification and it must have verified
        the latest pact of each of its consumers. Integrations with the
        pacticipants named in `ignore` do not block the deployment.

        A provider version that never verified a pact but published a
        provider contract counts as verifying it when the pact passes the
        OpenAPI check against it and the contract's self-verification
        succeeded; checks never made are made here, and stored.

        Raises:
            BrokerLookupError: when `to_environment` does not exist.
            MissingExtra: when a check must be made without the ``openapi`` extra.
        """
        missing: set[CheckPair] = set()
        with self.transaction(write=False) as conn:
            found = matrix_rows(conn, pacticipant, version, to_environment, missing)
        if missing:
            # Checks against provider contracts never made: make them outside any
            # transaction, store them, and read the matrix again.
            run_checks(self, missing)
            with self.transaction(write=False) as conn:
                found = matrix_rows(conn, pacticipant, version, to_environment, set())
        if isinstance(found, CanIDeployDecision):
            return found
        return decide(
            pacticipant, version, to_environment, apply_ignore(found, pacticipant, ignore)
        )

    # -- pacts for verification ------------------------------------------------------

    def pacts_for_verification(
        self,
        provider: str,
        *,
        consumer_version_selectors: Sequence[SelectorLike] | None = None,
        include_pending_status: bool = False,
        include_wip_pacts_since: str | None = None,
        provider_version_branch: str | None = None,
    ) -> list[PactForVerification]:
        """The pacts `provider` should verify, chosen by consumer version selectors.

        Selectors are the Pact Broker's (`ConsumerVersionSelector`, or its JSON
        dicts): ``latest``, ``consumer``, ``branch`` with ``fallbackBranch``,
        ``mainBranch`` (branch ``main`` or ``master``), ``matchingBranch`` (the
        branch named `provider_version_branch`), ``tag`` with ``fallbackTag``,
        ``deployed``, ``released``, ``deployedOrReleased`` and ``environment``.
        No selectors means the latest pact of each consumer. A pact is pending
        (with `include_pending_status`) until some version of the provider has
        verified it successfully. The local broker keeps no WIP pacts, so
        `include_wip_pacts_since` adds nothing.

        Raises:
            InvalidSelector: naming the selector field that cannot work.
        """
        del include_wip_pacts_since
        selectors = parse_selectors(consumer_version_selectors) or (
            ConsumerVersionSelector(latest=True),
        )
        require_provider_branch(selectors, provider_version_branch)
        with self.transaction(write=False) as conn:
            provider_id = find_pacticipant(conn, provider, create=False)
            if provider_id is None:
                return []
            return select_pacts(
                conn,
                provider_id,
                selectors,
                include_pending_status=include_pending_status,
                provider_version_branch=provider_version_branch,
            )


def _check_version(name: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"{name}={value!r} must be a non-empty version string (e.g. '1.0.0' or a git sha)"
        raise ValueError(msg)


def _environment_of(row: sqlite3.Row) -> Environment:
    return Environment(row["name"], row["display_name"], bool(row["production"]), row["uuid"])
