"""What broker operations return: the can-i-deploy decision with its reasons, and records.

Both brokers (local SQLite and the Pact Broker client) return these same
classes, so callers never care which one answered. A decision is an object
with `ok` and `reasons`, never a bare bool.

This module also turns whatever a caller publishes (a contract, a pact, a pact
file) into one `PactDocument` with a content hash that does not depend on how
the pact was spelled: the same interactions always hash alike, so a pact
verified once stays verified when a new consumer version publishes it again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from pactdsl._json_value import json_dumps_canonical
from pactdsl._model import Pact, PactSpec
from pactdsl.broker._provider_contract import ProviderContractPublication

__all__ = [
    "BROKER_LINKS_KEY",
    "CanIDeployDecision",
    "Deployment",
    "Environment",
    "InteractionOutcome",
    "MatrixRow",
    "PactDocument",
    "PactForVerification",
    "PactPublication",
    "Release",
    "VerificationRecord",
    "VersionDescription",
    "apply_ignore",
    "as_pact_for_verification",
    "completed_outcomes",
    "describe_not_verified",
    "interaction_outcomes",
    "nothing_deployed_message",
    "pact_content_sha",
    "verification_reason",
]

BROKER_LINKS_KEY = "pactdsl.broker"
"""The key, in a fetched pact's metadata, of its Pact Broker URL and results link."""


@attrs.frozen
class MatrixRow:
    """One integration that a can-i-deploy decision looked at.

    Attributes:
        consumer: The consumer's name.
        consumer_version: The consumer version of the row (None when unknown).
        provider: The provider's name.
        provider_version: The provider version of the row (None when no
            provider version takes part, e.g. none is deployed).
        verification: True when that provider version verified that pact
            successfully, False when its latest verification failed, None when
            it never verified it.
        ok: Whether this row allows the deployment.
        reason: One sentence saying why (or why not).
        pact_sha: The content hash of the pact, when known.
    """

    consumer: str
    consumer_version: str | None
    provider: str
    provider_version: str | None
    verification: bool | None
    ok: bool
    reason: str
    pact_sha: str | None = None


def verification_reason(pair: str, verification: bool | None, unverified: str) -> str:
    """Say why a matrix row allows a deployment or not.

    Args:
        pair: The integration, such as ``the pact of web 1.0 with api 2.0``.
        verification: The row's `MatrixRow.verification`.
        unverified: What follows `pair` when it has no verification.

    Returns:
        One sentence, for `MatrixRow.reason`.
    """
    if verification is None:
        return f"{pair} {unverified}"
    return f"{pair} is verified successfully" if verification else f"{pair} failed verification"


@attrs.frozen
class CanIDeployDecision:
    """Whether a pacticipant version can be deployed, with the reasons and the rows.

    It has no truth value (``bool()`` raises TypeError): test ``decision.ok``, and show
    ``decision.reasons`` (or ``str(decision)``) when it is False.

    Attributes:
        pacticipant: The pacticipant asked about.
        version: Its version.
        environment: The target environment (None: against the latest versions).
        ok: True when every integration is verified successfully.
        reasons: Sentences explaining the answer, the failing rows first; a
            tuple filled when the decision is made (a changed answer is a new
            decision, made with ``attrs.evolve``).
        rows: Each integration checked.
        dry_run: True when asked as a dry run: `ok` is the real answer, but the
            caller (the CLI) does not enforce it.
    """

    pacticipant: str
    version: str
    environment: str | None
    ok: bool
    reasons: tuple[str, ...] = ()
    rows: tuple[MatrixRow, ...] = ()
    dry_run: bool = False

    @property
    def unknown(self) -> int:
        """How many integrations block the deployment only for want of a verification result.

        ``can_i_deploy(..., retry_while_unknown=N)`` asks again while this is not 0.
        """
        return sum(1 for row in self.rows if not row.ok and row.verification is None)

    def report(self) -> str:
        """A short human-readable report: the verdict, then one line per reason."""
        where = f" to {self.environment}" if self.environment else ""
        verdict = "can deploy" if self.ok else "cannot deploy"
        prefix = "[dry-run] " if self.dry_run else ""
        lines = [f"{prefix}{self.pacticipant} {self.version} {verdict}{where}"]
        lines.extend(f"  - {reason}" for reason in self.reasons)
        if self.dry_run:
            lines.append("  (dry run: the answer is shown, not enforced)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def __bool__(self) -> bool:
        # `if decision:` would always be true for an object; refuse it loudly.
        msg = (
            "a CanIDeployDecision has no truth value; test decision.ok and show "
            "decision.reasons when it is False"
        )
        raise TypeError(msg)


@attrs.frozen
class PactPublication:
    """What publishing one pact recorded.

    Attributes:
        consumer: The consumer's name.
        provider: The provider's name.
        consumer_version: The consumer version the pact was published for.
        pact_sha: The pact's content hash (None when the Pact Broker did not say).
        notices: Messages from the broker (e.g. "pact published").
        url: The pact's URL on a Pact Broker (None for the local broker).
    """

    consumer: str
    provider: str
    consumer_version: str
    pact_sha: str | None
    notices: tuple[str, ...] = ()
    url: str | None = None


@attrs.frozen
class InteractionOutcome:
    """What one verification did with one interaction of the pact it verified.

    Attributes:
        description: The interaction's description.
        states: The names of its provider states.
        status: ``passed``, ``failed``, ``error`` or ``not verified``.
        pending: True when its failure does not fail the verification (V4 pending).
        reason: Why it is not verified, or what failed (one sentence; may be empty).
    """

    description: str
    states: tuple[str, ...] = ()
    status: str = "passed"
    pending: bool = False
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        """The outcome as stored and sent (the Pact Broker's ``testResults`` items)."""
        out: dict[str, Any] = {
            "interactionDescription": self.description,
            "providerStates": list(self.states),
            "success": self.status == "passed",
            "status": self.status,
        }
        if self.pending:
            out["pending"] = True
        if self.reason:
            out["reason"] = self.reason
        return out

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> InteractionOutcome:
        """Read back what `to_json` wrote."""
        return cls(
            str(item.get("interactionDescription", "")),
            tuple(str(s) for s in item.get("providerStates", ())),
            str(item.get("status", "passed" if item.get("success") else "failed")),
            bool(item.get("pending", False)),
            str(item.get("reason", "")),
        )


def interaction_outcomes(entries: Any) -> tuple[InteractionOutcome, ...]:
    """The outcomes of a verification result's entries (anything with ``entries``, or a list).

    Each entry needs ``description``, ``state_names``, ``status`` and
    ``pending``, as the verifier's results have; the reason comes from its
    ``reason`` (not verified) or ``message`` (error) when present.
    """
    items = entries.entries if hasattr(entries, "entries") else entries
    out = []
    for entry in items or ():
        reason = getattr(entry, "reason", None) or getattr(entry, "message", None) or ""
        out.append(
            InteractionOutcome(
                entry.description,
                tuple(entry.state_names),
                entry.status,
                bool(entry.pending),
                str(reason),
            )
        )
    return tuple(out)


def completed_outcomes(
    pact: Pact, outcomes: Sequence[InteractionOutcome]
) -> tuple[InteractionOutcome, ...]:
    """`outcomes`, plus a *not verified* outcome for each interaction of `pact` they leave out.

    Empty when `outcomes` is empty: a result published without them cannot
    say more than its ``success``.
    """
    if not outcomes:
        return ()
    seen = {(o.description, o.states) for o in outcomes}
    left_out = []
    for item in pact.interactions:
        key = (item.description, tuple(s.name for s in item.provider_states))
        if key not in seen:
            seen.add(key)
            left_out.append(
                InteractionOutcome(key[0], key[1], "not verified", False, "left out of the run")
            )
    return (*outcomes, *left_out)


def describe_not_verified(outcomes: Sequence[InteractionOutcome], limit: int = 5) -> str:
    """``'a' (not verified: why), 'b' (failed)`` for a reason sentence."""
    shown = []
    for outcome in outcomes[:limit]:
        why = f": {outcome.reason}" if outcome.reason and outcome.status == "not verified" else ""
        shown.append(f"{outcome.description!r} ({outcome.status}{why})")
    more = f" and {len(outcomes) - limit} more" if len(outcomes) > limit else ""
    return ", ".join(shown) + more


@attrs.frozen
class VerificationRecord:
    """A published verification result.

    Attributes:
        consumer: The consumer of the verified pact.
        provider: The provider that verified it.
        provider_version: The provider version that verified it.
        success: Whether verification passed.
        pact_sha: The content hash of the verified pact, when known.
        url: The result's URL on a Pact Broker (None for the local broker).
        consumer_version: The consumer version whose pact was verified, when
            known (``describe_version`` fills it in).
        interactions: What the verification did with each interaction, when
            the publisher said (pactdsl's verifier always does).
    """

    consumer: str
    provider: str
    provider_version: str
    success: bool
    pact_sha: str | None = None
    url: str | None = None
    consumer_version: str | None = None
    interactions: tuple[InteractionOutcome, ...] = ()

    @property
    def not_verified(self) -> tuple[InteractionOutcome, ...]:
        """The interactions this result does not show as verified successfully."""
        return tuple(o for o in self.interactions if o.status != "passed" and not o.pending)


@attrs.frozen
class Environment:
    """A deployment environment (``test``, ``production``...).

    Attributes:
        name: Its name, as used by ``record_deployment`` and ``can_i_deploy``.
        display_name: A display name (defaults to the name).
        production: Whether it is a production environment.
        uuid: Its identifier on the broker.
    """

    name: str
    display_name: str | None = None
    production: bool = False
    uuid: str | None = None


@attrs.frozen
class Deployment:
    """A pacticipant version recorded as deployed to an environment.

    Attributes:
        pacticipant: The pacticipant's name.
        version: The deployed version.
        environment: The environment's name.
        application_instance: Which instance, when several run side by side.
        currently_deployed: False once a later deployment replaced it.
    """

    pacticipant: str
    version: str
    environment: str
    application_instance: str | None = None
    currently_deployed: bool = True


@attrs.frozen
class Release:
    """A pacticipant version recorded as released to an environment.

    Released versions (mobile apps, libraries, on-premises products) stay
    supported side by side until their support ends, unlike deployments,
    where a new version replaces the one before it.

    Attributes:
        pacticipant: The pacticipant's name.
        version: The released version.
        environment: The environment's name.
        currently_supported: False once its support ended.
    """

    pacticipant: str
    version: str
    environment: str
    currently_supported: bool = True


@attrs.frozen
class VersionDescription:
    """What a broker knows about one pacticipant version (``describe_version``).

    Attributes:
        pacticipant: The pacticipant's name.
        version: The version number.
        branch: Its branch, when one was recorded.
        tags: Its tags.
        pacts: The pacts it published as a consumer.
        verifications: Verification results that involve it: of its pacts (as a
            consumer) and by it (as a provider), oldest first.
        deployments: The environments it is currently deployed to.
        releases: The environments it is released to and supported in.
        provider_contract: The OpenAPI document it published as a provider (local
            broker), or None.
    """

    pacticipant: str
    version: str
    branch: str | None = None
    tags: tuple[str, ...] = ()
    pacts: tuple[PactPublication, ...] = ()
    verifications: tuple[VerificationRecord, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    releases: tuple[Release, ...] = ()
    provider_contract: ProviderContractPublication | None = None

    def report(self) -> str:
        """A human-readable summary, one fact per line."""
        lines = [f"{self.pacticipant} {self.version}"]
        lines.append(f"  branch: {self.branch or '(none)'}")
        lines.append(f"  tags: {', '.join(self.tags) or '(none)'}")
        lines.append(f"  pacts published: {len(self.pacts) or 'none'}")
        for pact in self.pacts:
            sha = f" (sha {pact.pact_sha[:12]})" if pact.pact_sha else ""
            lines.append(f"    - with {pact.provider}{sha}")
        lines.append(f"  verification results: {len(self.verifications) or 'none'}")
        for record in self.verifications:
            outcome = "success" if record.success else "failure"
            consumer = f"{record.consumer} {record.consumer_version or ''}".rstrip()
            lines.append(
                f"    - the pact of {consumer} verified by {record.provider} "
                f"{record.provider_version}: {outcome}"
            )
        deployed = [
            d.environment
            + (f" (instance {d.application_instance})" if d.application_instance else "")
            for d in self.deployments
        ]
        lines.append(f"  currently deployed to: {', '.join(deployed) or 'none'}")
        released = [r.environment for r in self.releases]
        lines.append(f"  released to: {', '.join(released) or 'none'}")
        contract = self.provider_contract
        if contract is not None:
            outcome = "success" if contract.self_verified else "failure"
            lines.append(
                f"  provider contract: {contract.filename or 'a document'} "
                f"(sha {contract.contract_sha[:12]}), self-verification: {outcome}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def apply_ignore(
    rows: Sequence[MatrixRow], pacticipant: str, ignore: Sequence[str]
) -> list[MatrixRow]:
    """`rows` with each integration between `pacticipant` and an ignored one counted as fine.

    An ignored row stays in the decision (its reason says it is ignored) but no
    longer blocks the deployment, as ``--ignore`` does on the Pact Broker.
    """
    if not ignore:
        return list(rows)
    ignored = set(ignore)
    kept = []
    for row in rows:
        other = row.provider if row.consumer == pacticipant else row.consumer
        if other in ignored and not row.ok:
            kept.append(attrs.evolve(row, ok=True, reason=f"{row.reason} (ignored: {other})"))
        else:
            kept.append(row)
    return kept


def nothing_deployed_message(
    pacticipant: str,
    environment: str,
    application_instance: str | None,
    instances: Sequence[str | None],
) -> str:
    """Why an undeployment found nothing to undeploy, and what to give instead.

    Args:
        pacticipant: The pacticipant to undeploy.
        environment: The environment it was to be undeployed from.
        application_instance: The instance asked for (None: the one without).
        instances: The application instances it is deployed to there (None
            for a deployment without one).
    """
    if not instances:
        return (
            f"{pacticipant} is not currently deployed to environment={environment!r}; "
            "there is nothing to undeploy"
        )
    options = []
    if None in instances:
        options.append("omit the application instance")
    named = sorted({i for i in instances if i})
    if named:
        options.append(f"give one of the application instances {named}")
    where = (
        f"application_instance={application_instance!r}"
        if application_instance
        else "without an application instance"
    )
    return (
        f"{pacticipant} is not currently deployed to environment={environment!r} {where}; "
        f"{' or '.join(options)}"
    )


@attrs.frozen
class PactForVerification:
    """A pact a provider should verify, as a broker selected it.

    Pass it (or its `pact`) to the verifier; pass it to
    ``publish_verification_result`` so the result lands on this very pact.

    Attributes:
        pact: The pact itself.
        consumer_version: The consumer version it was selected for, when known.
        pending: True when a failure must not fail the provider's build.
        notices: Why the broker selected it, as sentences.
        url: The pact's URL on a Pact Broker.
        verification_results_url: Where a Pact Broker takes its verification results.
        pact_sha: The content hash, when known.
        problem: Why the pact could not be read (then `pact` holds only its
            consumer and provider): the verifier reports it as an error of this
            pact, never as nothing to verify.
    """

    pact: Pact
    consumer_version: str | None = None
    pending: bool = False
    notices: tuple[str, ...] = ()
    url: str | None = attrs.field(default=None, repr=False)
    verification_results_url: str | None = attrs.field(default=None, repr=False)
    pact_sha: str | None = None
    problem: str | None = None


def unreadable_pact(consumer: Any, provider: str) -> Pact:
    """The stand-in for a pact a broker holds that cannot be read: its names, no interactions.

    `consumer` is the consumer's name when the pact's JSON gives one as text.
    """
    known = consumer if isinstance(consumer, str) and consumer else "(unknown consumer)"
    return Pact(consumer=known, provider=provider)


def as_pact_for_verification(pact: Pact) -> PactForVerification | None:
    """A pact fetched from a Pact Broker, with its links back; None for any other pact."""
    links = pact.metadata.get(BROKER_LINKS_KEY)
    if not isinstance(links, Mapping):
        return None
    url, results = links.get("url"), links.get("verificationResultsUrl")
    return PactForVerification(
        pact,
        url=url if isinstance(url, str) else None,
        verification_results_url=results if isinstance(results, str) else None,
    )


def pact_content_sha(pact: Pact) -> str:
    """The content hash of a pact: SHA-256 of its interactions in one canonical form.

    The form is the model written as Pact V4 JSON without metadata, so a V2
    file, a V3 file and the contract they came from all hash alike, and the
    writer's timestamps never make two equal pacts differ.
    """
    from pactdsl._pactfile import pact_to_json

    document = pact_to_json(pact, PactSpec.V4, {})
    document.pop("metadata", None)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@attrs.frozen
class PactDocument:
    """A pact ready to publish: its model, the JSON text to send and its hash.

    Attributes:
        pact: The model.
        text: The JSON to publish: a file's bytes as they are, or the model
            written in the spec it came in (V3 for contracts, V4 when the
            contract needs it: HTTP and messages together, synchronous messages).
        sha: `pact_content_sha` of the model.
        note: What publishing should tell a person about the text, e.g. that
            it was written as V4 because V3 cannot hold the contract.
    """

    pact: Pact
    text: str = attrs.field(repr=False)
    sha: str
    note: str = ""

    @property
    def consumer(self) -> str:
        """The consumer's name."""
        return self.pact.consumer

    @property
    def provider(self) -> str:
        """The provider's name."""
        return self.pact.provider

    @classmethod
    def from_source(cls, source: Any, spec: str | PactSpec | None = None) -> PactDocument:
        """Build from a `Contract`, a `Pact`, a pact file path or a registered contract name.

        A string is a file path when it names an existing file or ends in
        ``.json``; otherwise the name of a registered contract. `spec` is the
        Pact version to write a contract or pact in (default: the pact's own,
        else V3, else V4 when V3 cannot hold it); a file is sent as it is.

        Raises:
            TypeError: when `source` is none of those.
            FileNotFoundError: when a ``.json`` path does not exist.
            PactFileError: when the file is not a valid pact.
        """
        from pactdsl._dsl import resolve_pact
        from pactdsl._pactfile import load_pact

        if isinstance(source, PactForVerification):
            source = source.pact
        if isinstance(source, os.PathLike) or (
            isinstance(source, str) and (source.endswith(".json") or Path(source).is_file())
        ):
            path = Path(source)
            text = path.read_text(encoding="utf-8")
            pact = load_pact(path)
            return cls(pact, text, pact_content_sha(pact))
        pact = resolve_pact(source)
        text, note = _pact_text(pact, None if spec is None else PactSpec.parse(spec))
        return cls(pact, text, pact_content_sha(pact), note)


def _pact_text(pact: Pact, spec: PactSpec | None) -> tuple[str, str]:
    """The pact as JSON in `spec` (None: its own, else V3, else V4 when V3 cannot hold it)."""
    from pactdsl._errors import PactSpecError
    from pactdsl._pactfile import pact_to_json
    from pactdsl._version import version

    meta: Mapping[str, Any] = {"pactdsl": {"version": version()}}
    chosen = spec or pact.spec or PactSpec.V3
    try:
        return json_dumps_canonical(pact_to_json(pact, chosen, meta)), ""
    except PactSpecError as exc:
        if spec is not None or chosen is PactSpec.V4:
            raise
        note = (
            f"published {pact.consumer} -> {pact.provider} as Pact 4.0: Pact {chosen.value} "
            f"cannot hold it ({exc}); pass spec= to choose"
        )
        return json_dumps_canonical(pact_to_json(pact, PactSpec.V4, meta)), note
