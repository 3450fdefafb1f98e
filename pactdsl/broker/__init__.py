"""Share pacts and ask can-i-deploy: a local SQLite broker, or a Pact Broker.

Configuration picks the broker: with ``PACT_BROKER_BASE_URL`` set, a Pact
Broker (or PactFlow) through `PactBrokerClient`, authenticated with
``PACT_BROKER_TOKEN`` or ``PACT_BROKER_USERNAME``/``PACT_BROKER_PASSWORD``;
otherwise a `LocalBroker`, a SQLite file at ``.pactdsl/broker.db`` (or
``PACTDSL_BROKER_DB``). Every function takes ``broker=`` to use another one.

```python
from pactdsl import broker

broker.publish("checkout_contract", consumer_version="1.0.0", branch="main")
broker.can_i_deploy("checkout_contract", "1.0.0")       # False: not verified yet
# ... the provider verifies with publish_results=True ...
broker.can_i_deploy("checkout_contract", "1.0.0")       # True

broker.create_environment("production", production=True)
broker.record_deployment("payment-service", "2.3.0", "production")
decision = broker.can_i_deploy(pacticipant="checkout-app", version="1.0.0",
                               to_environment="production")
if not decision.ok:
    print(decision)          # the verdict and the reasons
```

Released versions (``record_release``) count in an environment like deployed
ones; ``record_undeployment`` ends a deployment; ``describe_version`` shows
what the broker holds about a version. A provider that publishes its OpenAPI
document (``publish_provider_contract``, local broker only) has each pact
checked against it instead of verifying it against the running provider.
"""

from __future__ import annotations

# Helpers are imported under private names (or for type checking only), so the
# module's namespace holds just its API: `dir(pactdsl.broker)` == `__all__`.
import contextlib as _contextlib
import os as _os
import time as _time
import typing as _typing
from pathlib import Path as _Path

import attrs as _attrs

from pactdsl._model import Pact as _Pact
from pactdsl.broker._config import DEFAULT_LOCAL_BROKER_PATH, BrokerAuth
from pactdsl.broker._config import env_number as _env_number
from pactdsl.broker._decision import (
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
    pact_content_sha,
)
from pactdsl.broker._decision import as_pact_for_verification as _as_pact_for_verification
from pactdsl.broker._decision import completed_outcomes as _completed_outcomes
from pactdsl.broker._decision import interaction_outcomes as _interaction_outcomes
from pactdsl.broker._errors import (
    BrokerError,
    BrokerHTTPError,
    BrokerLookupError,
    BrokerUnavailable,
    InvalidSelector,
    PactConflictError,
    ProviderContractError,
)
from pactdsl.broker._local import LocalBroker
from pactdsl.broker._protocol import Broker
from pactdsl.broker._provider_contract import ProviderContractPublication
from pactdsl.broker._selectors import ConsumerVersionSelector
from pactdsl.broker._selectors import parse_selectors as _parse_selectors

if _typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from typing import Any

    from pactdsl.broker._pact_broker import PactBrokerClient
    from pactdsl.broker._selectors import SelectorLike

del annotations  # the __future__ import's binding; the compiler flag stays on

__all__ = [
    "DEFAULT_LOCAL_BROKER_PATH",
    "Broker",
    "BrokerAuth",
    "BrokerError",
    "BrokerHTTPError",
    "BrokerLookupError",
    "BrokerUnavailable",
    "CanIDeployDecision",
    "ConsumerVersionSelector",
    "Deployment",
    "Environment",
    "InteractionOutcome",
    "InvalidSelector",
    "LocalBroker",
    "MatrixRow",
    "PactBrokerClient",
    "PactConflictError",
    "PactDocument",
    "PactForVerification",
    "PactPublication",
    "ProviderContractError",
    "ProviderContractPublication",
    "Release",
    "VerificationRecord",
    "VersionDescription",
    "can_i_deploy",
    "create_environment",
    "describe_version",
    "environments",
    "get_broker",
    "is_deployable",
    "pact_content_sha",
    "pacts_for_verification",
    "publish",
    "publish_provider_contract",
    "publish_verification_result",
    "record_deployment",
    "record_release",
    "record_undeployment",
]


def __getattr__(name: str) -> Any:
    # The Pact Broker client pulls in the HTTP client; load it only when asked for.
    if name == "PactBrokerClient":
        from pactdsl.broker._pact_broker import PactBrokerClient

        return PactBrokerClient
    msg = f"module 'pactdsl.broker' has no attribute {name!r}"
    raise AttributeError(msg)


def get_broker(
    path: str | _os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> LocalBroker | PactBrokerClient:
    """The broker the configuration names.

    ``PACT_BROKER_BASE_URL`` set means a `PactBrokerClient` for it, with
    credentials from ``PACT_BROKER_TOKEN`` or ``PACT_BROKER_USERNAME`` and
    ``PACT_BROKER_PASSWORD``. Otherwise a `LocalBroker` at `path`, else at
    ``PACTDSL_BROKER_DB``, else at ``.pactdsl/broker.db``.

    Args:
        path: The local broker's database file (ignored when a Pact Broker is set).
        env: The environment to read (default: `os.environ`).

    Returns:
        A `PactBrokerClient` or a `LocalBroker`; close it when done (both are
        context managers). ``PACTDSL_BROKER_RETRIES`` (default 4) and
        ``PACTDSL_BROKER_BACKOFF`` (seconds, default 0.5) tune the client's retries.

    Raises:
        ValueError: when a ``PACTDSL_BROKER_*`` number is not a number.
    """
    env = _os.environ if env is None else env
    base_url = env.get("PACT_BROKER_BASE_URL", "").strip()
    if base_url:
        from pactdsl.broker._pact_broker import PactBrokerClient

        return PactBrokerClient(
            base_url,
            auth=BrokerAuth.from_env(env),
            retries=_env_number(env, "PACTDSL_BROKER_RETRIES", 4, int),
            backoff=_env_number(env, "PACTDSL_BROKER_BACKOFF", 0.5, float),
        )
    chosen = path if path is not None else env.get("PACTDSL_BROKER_DB") or DEFAULT_LOCAL_BROKER_PATH
    return LocalBroker(_Path(chosen))


@_contextlib.contextmanager
def _using(broker: Broker | None) -> Iterator[Broker]:
    if broker is not None:
        yield broker
        return
    chosen = get_broker()
    try:
        yield chosen
    finally:
        chosen.close()


def publish(
    contract_or_pact: Any,
    consumer_version: str,
    branch: str | None = None,
    tags: Sequence[str] = (),
    *,
    build_url: str | None = None,
    broker: Broker | None = None,
    spec: str | None = None,
) -> PactPublication:
    """Publish a consumer's pact for `consumer_version`.

    Args:
        contract_or_pact: A `Contract`, a `Pact`, a pact file path, or the name
            of a registered contract. A file is published byte for byte.
        consumer_version: The consumer's version (a release number or commit sha).
        branch: The consumer version's branch.
        tags: Tags for the consumer version (older brokers' way to mark it).
        build_url: A link to the CI build, shown by a Pact Broker.
        broker: The broker to use (default: `get_broker()`).
        spec: The Pact version to write a contract in (``"3.0.0"``, ``"4.0"``).
            Default: V3, or V4 when V3 cannot hold the contract (HTTP and
            messages together, synchronous messages), which a notice says.
            A pact file is published as it is.

    Returns:
        What the broker recorded, with its notices.

    Raises:
        PactConflictError: when `consumer_version` already published a
            different pact with this provider.
    """
    if isinstance(tags, str):
        tags = (tags,)
    document = PactDocument.from_source(contract_or_pact, spec)
    with _using(broker) as chosen:
        published = chosen.publish_pact(
            document, consumer_version, branch=branch, tags=tuple(tags), build_url=build_url
        )
    if document.note:
        published = _attrs.evolve(published, notices=(document.note, *published.notices))
    return published


def publish_verification_result(
    pact: Any,
    result: Any,
    provider_version: str,
    broker: Broker | None = None,
    *,
    branch: str | None = None,
    tags: Sequence[str] = (),
    build_url: str | None = None,
    interactions: Sequence[InteractionOutcome] | None = None,
) -> VerificationRecord:
    """Record the outcome of verifying `pact` with `provider_version` of its provider.

    The verifier calls this when run with ``publish_results=True``. The record
    says which interactions were verified: an interaction of the pact that
    the result does not show as passed (not verified, left out by a filter,
    failed) makes the published outcome a failure, so can-i-deploy never
    trusts a pact that was only partly verified.

    Args:
        pact: The verified pact: a `PactForVerification` (as
            `pacts_for_verification` returns), a `Pact`, a `Contract`, a pact
            file path or a registered contract name.
        result: The verification result (anything with a ``success`` bool,
            such as ``ContractVerificationResult``), or a bool.
        provider_version: The provider's version (a release number or commit sha).
        broker: The broker to use (default: `get_broker()`).
        branch: The provider version's branch.
        tags: Tags for the provider version.
        build_url: A link to the CI build.
        interactions: What the verification did with each interaction
            (default: taken from `result`'s entries when it has them).

    Raises:
        BrokerLookupError: when the broker holds no such pact.
        TypeError: when `result` has no ``success``.
    """
    if isinstance(result, bool):
        success = result
    else:
        outcome = getattr(result, "success", None)
        if not isinstance(outcome, bool):
            msg = (
                f"result={result!r} must be a verification result with a bool `success` "
                "(as verify_provider returns) or a bool"
            )
            raise TypeError(msg)
        success = outcome
    target: PactDocument | PactForVerification
    if isinstance(pact, PactForVerification):
        target = pact
    else:
        fetched = _as_pact_for_verification(pact) if isinstance(pact, _Pact) else None
        target = fetched if fetched is not None else PactDocument.from_source(pact)
    if interactions is None:
        has_entries = hasattr(result, "entries")
        interactions = _interaction_outcomes(result) if has_entries else ()
    outcomes = _completed_outcomes(target.pact, tuple(interactions))
    success = success and not any(o.status != "passed" and not o.pending for o in outcomes)
    with _using(broker) as chosen:
        return chosen.publish_verification_result(
            target,
            success,
            provider_version,
            branch=branch,
            tags=tuple(tags),
            build_url=build_url,
            interactions=outcomes,
        )


def publish_provider_contract(
    provider: str,
    provider_version: str,
    spec: str | _os.PathLike[str] | Mapping[str, Any],
    *,
    self_verified: bool,
    branch: str | None = None,
    tags: Sequence[str] = (),
    verifier: str | None = None,
    verifier_version: str | None = None,
    verification_results: str | None = None,
    content_type: str | None = None,
    broker: Broker | None = None,
) -> ProviderContractPublication:
    """Publish `provider_version`'s OpenAPI document as its provider contract.

    "Bi-directional" contract testing: can-i-deploy then counts a consumer's
    pact as verified by `provider_version` when the pact passes
    `pactdsl.openapi.check_openapi` against this document and the provider's
    own tests passed against it (`self_verified`). Local broker only: the
    open-source Pact Broker has no place for provider contracts.

    Args:
        provider: The provider's name.
        provider_version: The provider version the document describes.
        spec: The document: a JSON or YAML file's path (OpenAPI 3.0, 3.1 or
            Swagger 2.0, in one file), or the parsed dict.
        self_verified: Whether the provider's own tests (schemathesis,
            dredd, ...) showed that it honours the document. A document whose
            self-verification failed never counts.
        branch: The provider version's branch.
        tags: Tags for the provider version.
        verifier: The tool that self-verified it.
        verifier_version: That tool's version.
        verification_results: That tool's output, kept with the contract.
        content_type: The document's media type (default from its format).
        broker: The broker to use (default: `get_broker()`).

    Returns:
        What was recorded, with notices on how each consumer's latest pact fares.

    Raises:
        MissingExtra: without the ``openapi`` extra.
        ProviderContractError: when the document cannot be read, is not an
            OpenAPI document, or refers to other files (bundle it first).
        PactConflictError: when `provider_version` published a different document.
        BrokerError: when the broker is a Pact Broker.
    """
    if isinstance(tags, str):
        tags = (tags,)
    with _using(broker) as chosen:
        if not isinstance(chosen, LocalBroker):
            msg = (
                f"broker={chosen!r} cannot store provider contracts: the open-source Pact "
                "Broker has no endpoint for them (PactFlow's /provider-contracts is a "
                "commercial API pactdsl does not speak); publish to a local broker "
                "(without PACT_BROKER_BASE_URL or --broker-base-url; broker=LocalBroker(path))"
            )
            raise BrokerError(msg)
        return chosen.publish_provider_contract(
            provider,
            provider_version,
            spec,
            self_verified=self_verified,
            branch=branch,
            tags=tuple(tags),
            verifier=verifier,
            verifier_version=verifier_version,
            verification_results=verification_results,
            content_type=content_type,
        )


def pacts_for_verification(
    provider: str,
    *,
    consumer_version_selectors: Sequence[SelectorLike] | None = None,
    include_pending_status: bool = False,
    include_wip_pacts_since: str | None = None,
    provider_version_branch: str | None = None,
    broker: Broker | None = None,
) -> list[PactForVerification]:
    """The pacts `provider` should verify, as the broker selects them.

    Args:
        provider: The provider's name.
        consumer_version_selectors: Pact Broker selectors such as
            ``{"mainBranch": True}``, ``{"deployedOrReleased": True}``,
            ``{"branch": "feat-x"}``, ``{"consumer": "web", "latest": True}``,
            or `ConsumerVersionSelector` objects (default: the latest pact of
            each consumer).
        include_pending_status: Mark pacts the provider has never verified as
            pending, so their failures need not fail the build.
        include_wip_pacts_since: Include work-in-progress pacts since this date
            (a Pact Broker feature).
        provider_version_branch: The branch of the verifying provider version.
        broker: The broker to use (default: `get_broker()`).

    Raises:
        InvalidSelector: naming the selector and the field that cannot work.
    """
    selectors = _parse_selectors(consumer_version_selectors)
    with _using(broker) as chosen:
        return chosen.pacts_for_verification(
            provider,
            consumer_version_selectors=selectors,
            include_pending_status=include_pending_status,
            include_wip_pacts_since=include_wip_pacts_since,
            provider_version_branch=provider_version_branch,
        )


def create_environment(
    name: str,
    *,
    display_name: str | None = None,
    production: bool = False,
    broker: Broker | None = None,
) -> Environment:
    """Create the deployment environment `name` (``test``, ``production``...).

    On the local broker this is a no-op when it exists already.
    """
    with _using(broker) as chosen:
        return chosen.create_environment(name, display_name=display_name, production=production)


def environments(broker: Broker | None = None) -> list[Environment]:
    """Every environment the broker knows."""
    with _using(broker) as chosen:
        return chosen.environments()


def record_deployment(
    pacticipant: str,
    version: str,
    environment: str,
    broker: Broker | None = None,
    *,
    application_instance: str | None = None,
) -> Deployment:
    """Record that `version` of `pacticipant` is now deployed to `environment`.

    The version deployed there before (to the same application instance)
    stops counting as deployed.

    Raises:
        BrokerLookupError: when the environment, pacticipant or version is unknown.
    """
    with _using(broker) as chosen:
        return chosen.record_deployment(
            pacticipant, version, environment, application_instance=application_instance
        )


def record_release(
    pacticipant: str, version: str, environment: str, broker: Broker | None = None
) -> Release:
    """Record that `version` of `pacticipant` is released to `environment`.

    For what runs in several versions at once (mobile apps, libraries,
    on-premises installs): a release replaces nothing, and every released
    version counts in can-i-deploy for that environment, as deployed ones do.

    Raises:
        BrokerLookupError: when the environment, pacticipant or version is unknown.
    """
    with _using(broker) as chosen:
        return chosen.record_release(pacticipant, version, environment)


def record_undeployment(
    pacticipant: str,
    environment: str,
    broker: Broker | None = None,
    *,
    application_instance: str | None = None,
) -> list[Deployment]:
    """Record that the version of `pacticipant` deployed to `environment` is no longer there.

    Without `application_instance`, the deployment recorded without one ends;
    with it, that instance's. can-i-deploy stops counting the version there.

    Returns:
        The ended deployments (``currently_deployed`` False).

    Raises:
        BrokerLookupError: when the environment or pacticipant is unknown, or
            nothing of it is deployed there (the message lists the instances).
    """
    with _using(broker) as chosen:
        return chosen.record_undeployment(
            pacticipant, environment, application_instance=application_instance
        )


def describe_version(
    pacticipant: str, version: str | None = None, broker: Broker | None = None
) -> VersionDescription:
    """What the broker holds about `version` of `pacticipant` (None: its latest version).

    Its branch, tags, the pacts it published, the verification results that
    involve it, and where it is deployed or released. ``print()`` it for a report.

    Raises:
        BrokerLookupError: when the pacticipant or the version is unknown.
    """
    with _using(broker) as chosen:
        return chosen.describe_version(pacticipant, version)


@_typing.overload
def can_i_deploy(
    contract_name: Any, version: str, *, broker: Broker | None = None
) -> CanIDeployDecision: ...


@_typing.overload
def can_i_deploy(
    contract_name: None = None,
    version: str | None = None,
    *,
    pacticipant: str,
    to_environment: str | None = None,
    retry_while_unknown: int = 0,
    retry_interval: float = 10,
    dry_run: bool = False,
    ignore: Sequence[str] = (),
    sleep: Callable[[float], None] | None = None,
    broker: Broker | None = None,
) -> CanIDeployDecision: ...


def can_i_deploy(
    contract_name: Any = None,
    version: str | None = None,
    *,
    pacticipant: str | None = None,
    to_environment: str | None = None,
    retry_while_unknown: int = 0,
    retry_interval: float = 10,
    dry_run: bool = False,
    ignore: Sequence[str] = (),
    sleep: Callable[[float], None] | None = None,
    broker: Broker | None = None,
) -> CanIDeployDecision:
    """Is it safe to deploy? Two forms, one answer: a `CanIDeployDecision`.

    ``can_i_deploy(contract_name, version)`` is the classic form: ``ok`` when
    the pact that consumer `version` published for the contract has a
    successful verification by some version of its provider; the rows are
    that pact's. `is_deployable` gives the same answer as a bool.

    ``can_i_deploy(pacticipant=..., version=..., to_environment=...)`` applies
    the Pact Broker's matrix rules: every integration of that pacticipant
    version with what is currently deployed in `to_environment` must be
    verified successfully (as a consumer: its pact with each deployed provider
    version; as a provider: each deployed consumer version's pact, verified by
    this version). Versions released there (`record_release`) count as
    deployed ones, as the Pact Broker's ``deployedOrReleased`` does.

    Test ``decision.ok``; the decision has no truth value of its own.

    Args:
        contract_name: A registered contract's name, a `Contract` or a `Pact`
            (first form).
        version: The consumer version (first form) or the pacticipant version.
        pacticipant: The pacticipant to deploy (second form).
        to_environment: The environment to deploy to (second form; None checks
            against the latest versions).
        retry_while_unknown: Ask again up to this many times while some
            integration has no verification result yet (a provider build may
            still be verifying); second form.
        retry_interval: Seconds to wait between those attempts.
        dry_run: Mark the decision as a dry run: ``ok`` is the real answer, and
            its report says it is not enforced (the CLI then exits 0).
        ignore: Pacticipants whose integrations do not count (e.g. one not
            yet deployed anywhere).
        sleep: The function that waits between attempts (default `time.sleep`).
        broker: The broker to ask (default: `get_broker()`).

    Raises:
        TypeError: when the arguments mix or miss both forms.
        ValueError: when `retry_while_unknown` or `retry_interval` is negative.
        BrokerLookupError: when `to_environment` does not exist.
    """
    if not isinstance(version, str) or not version:
        msg = f"version={version!r} must be a non-empty version string"
        raise TypeError(msg)
    if pacticipant is None:
        _check_contract_form(contract_name, to_environment, retry_while_unknown, dry_run, ignore)
        from pactdsl._dsl import resolve_pact

        pact = resolve_pact(contract_name)
        with _using(broker) as chosen:
            return _contract_decision(chosen, pact, version)
    if contract_name is not None:
        msg = (
            f"contract_name={contract_name!r} and pacticipant={pacticipant!r} were both "
            "given; use can_i_deploy(contract_name, version) or "
            "can_i_deploy(pacticipant=..., version=..., to_environment=...)"
        )
        raise TypeError(msg)
    if retry_while_unknown < 0 or retry_interval < 0:
        msg = (
            f"retry_while_unknown={retry_while_unknown!r} and "
            f"retry_interval={retry_interval!r} must not be negative"
        )
        raise ValueError(msg)
    ignored = (ignore,) if isinstance(ignore, str) else tuple(ignore)
    wait = _time.sleep if sleep is None else sleep
    with _using(broker) as chosen:
        decision = chosen.can_i_deploy(pacticipant, version, to_environment, ignore=ignored)
        attempts = 0
        while decision.unknown and attempts < retry_while_unknown:
            attempts += 1
            wait(retry_interval)
            decision = chosen.can_i_deploy(pacticipant, version, to_environment, ignore=ignored)
    if attempts and decision.unknown:
        still = (
            f"still {decision.unknown} verification result(s) unknown after "
            f"{attempts} retries {retry_interval:g}s apart"
        )
        decision = _attrs.evolve(decision, reasons=(*decision.reasons, still))
    return _attrs.evolve(decision, dry_run=True) if dry_run else decision


def _check_contract_form(
    contract_name: Any,
    to_environment: str | None,
    retry_while_unknown: int,
    dry_run: bool,
    ignore: Sequence[str],
) -> None:
    if contract_name is None:
        msg = "give can_i_deploy(contract_name, version) or can_i_deploy(pacticipant=..., ...)"
        raise TypeError(msg)
    if to_environment is not None or retry_while_unknown or dry_run or ignore:
        msg = (
            f"to_environment={to_environment!r}, retry_while_unknown={retry_while_unknown!r}, "
            f"dry_run={dry_run!r} and ignore={ignore!r} need the pacticipant form: "
            "can_i_deploy(pacticipant=..., version=..., to_environment=...)"
        )
        raise TypeError(msg)


def _contract_decision(broker: Broker, pact: _Pact, version: str) -> CanIDeployDecision:
    """The classic can-i-deploy of `pact`'s consumer `version`, with its pact's rows as reasons."""
    consumer, provider = pact.consumer, pact.provider
    ok = broker.has_successful_verification(consumer, provider, version)
    matrix = broker.can_i_deploy(consumer, version, None)
    rows = tuple(row for row in matrix.rows if row.provider == provider)
    if ok:
        verified = tuple(row.reason for row in rows if row.verification is True)
        reasons = verified or (
            f"the pact of {consumer} {version} with {provider} has a successful verification",
        )
    elif rows:
        reasons = tuple(row.reason for row in rows)
    elif not matrix.rows and matrix.reasons:
        reasons = matrix.reasons  # the broker does not know that consumer version
    else:
        reasons = (
            f"{consumer} {version} published no pact with {provider}; publish it first "
            "(pactdsl.broker.publish, or pactdsl publish)",
        )
    return CanIDeployDecision(consumer, version, None, ok, reasons, rows)


def is_deployable(contract_name: Any, version: str, *, broker: Broker | None = None) -> bool:
    """The Pact workflow's yes/no ``can-i-deploy``: whether consumer `version`'s pact is verified.

    ``can_i_deploy(contract_name, version).ok``, for callers that want only
    the bool; `can_i_deploy` gives the reasons too.

    Args:
        contract_name: A registered contract's name, a `Contract` or a `Pact`.
        version: The consumer version.
        broker: The broker to ask (default: `get_broker()`).
    """
    return can_i_deploy(contract_name, version, broker=broker).ok
