"""Reading a Pact Broker's resources into pactdsl's records: matrix rows, decisions, versions.

Pure functions over the JSON the broker answered with; the requests that
fetch it are `PactBrokerClient`'s. Anything missing or of an unexpected
shape reads as unknown (None, or left out), never as a success.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from pactdsl.broker._decision import (
    CanIDeployDecision,
    Environment,
    InteractionOutcome,
    MatrixRow,
    PactPublication,
    VerificationRecord,
    apply_ignore,
    describe_not_verified,
    verification_reason,
)

__all__ = [
    "entity_instance",
    "entity_pacticipant",
    "entity_version",
    "environment_of",
    "interaction_results",
    "link_href",
    "link_name",
    "matrix_decision",
    "matrix_row",
    "matrix_verifications",
    "version_labels",
    "version_pacts",
]

_PACT_HREF = re.compile(r"/pacts/provider/(?P<provider>[^/]+)/consumer/")


def entity_version(entity: Mapping[str, Any]) -> str | None:
    """The version number a deployed or released version resource embeds."""
    version = entity.get("_embedded", {}).get("version", {})
    number = version.get("number") if isinstance(version, Mapping) else None
    return str(number) if number is not None else None


def entity_pacticipant(entity: Mapping[str, Any]) -> str | None:
    """The pacticipant a deployed or released version resource embeds."""
    found = entity.get("_embedded", {}).get("pacticipant", {})
    name = found.get("name") if isinstance(found, Mapping) else None
    return str(name) if name is not None else None


def entity_instance(entity: Mapping[str, Any]) -> str | None:
    """The application instance of a deployed version (None: none)."""
    # "target" is the older name of applicationInstance.
    value = entity.get("applicationInstance") or entity.get("target")
    return str(value) if value else None


def environment_of(item: Mapping[str, Any]) -> Environment:
    """An environment resource as an `Environment`."""
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


def interaction_results(result: Any) -> tuple[InteractionOutcome, ...]:
    """The ``testResults`` pactdsl publishes with a result (others' shapes are left out)."""
    items = result.get("testResults") if isinstance(result, Mapping) else None
    if not isinstance(items, list):
        return ()
    return tuple(
        InteractionOutcome.from_json(item)
        for item in items
        if isinstance(item, Mapping) and "interactionDescription" in item
    )


def matrix_row(row: Mapping[str, Any]) -> MatrixRow:
    """One row of the broker's matrix as a `MatrixRow`, with its reason."""
    consumer = str(row.get("consumer", {}).get("name", "?"))
    provider = str(row.get("provider", {}).get("name", "?"))
    consumer_version = _number(row.get("consumer"))
    provider_version = _number(row.get("provider"))
    result = row.get("verificationResult")
    verification = bool(result.get("success")) if isinstance(result, Mapping) else None
    bad = [o for o in interaction_results(result) if o.status != "passed" and not o.pending]
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


def matrix_decision(
    answer: Mapping[str, Any],
    pacticipant: str,
    version: str,
    environment: str | None,
    *,
    ignore: Sequence[str],
    redact: Callable[[str], str],
) -> CanIDeployDecision:
    """The decision a ``/matrix`` answer gives, made whole with its reasons.

    A row whose result we read as failed (its testResults show an interaction
    not verified) blocks the deployment even when the broker's summary does not.
    """
    summary = answer.get("summary", {})
    rows = tuple(
        apply_ignore([matrix_row(row) for row in answer.get("matrix", [])], pacticipant, ignore)
    )
    notices = answer.get("notices", summary.get("notices", [])) or []
    reasons = (
        *([summary["reason"]] if isinstance(summary.get("reason"), str) else []),
        *(
            str(notice["text"])
            for notice in notices
            if isinstance(notice, Mapping) and notice.get("text")
        ),
        *(row.reason for row in rows if not row.ok),
    )
    ok = summary.get("deployable") is True and all(
        row.ok or row.verification is not False for row in rows
    )
    return CanIDeployDecision(
        pacticipant, version, environment, ok, tuple(redact(r) for r in reasons), rows
    )


def version_labels(resource: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """A version resource's branch (None: none) and tags."""
    embedded = resource.get("_embedded", {})
    branches = [
        str(b["name"])
        for b in embedded.get("branchVersions", [])
        if isinstance(b, Mapping) and b.get("name")
    ]
    branch = branches[0] if branches else resource.get("branch")
    tags = tuple(
        str(t["name"]) for t in embedded.get("tags", []) if isinstance(t, Mapping) and t.get("name")
    )
    return (branch if isinstance(branch, str) else None), tags


def version_pacts(
    resource: Mapping[str, Any], pacticipant: str, version: str
) -> tuple[PactPublication, ...]:
    """The pacts a version resource links to (``pb:pact-versions``), one per provider."""
    pact_links = resource.get("_links", {}).get("pb:pact-versions", [])
    pacts = []
    for link in pact_links if isinstance(pact_links, list) else [pact_links]:
        pact_href = link.get("href") if isinstance(link, Mapping) else None
        found = _PACT_HREF.search(pact_href) if isinstance(pact_href, str) else None
        if found is not None:
            provider = unquote(found["provider"])
            pacts.append(PactPublication(pacticipant, provider, version, None, url=pact_href))
    return tuple(pacts)


def matrix_verifications(answer: Mapping[str, Any]) -> tuple[VerificationRecord, ...]:
    """The verification results a ``/matrix`` answer holds, one per row that has one."""
    verifications = []
    for row in answer.get("matrix", []):
        result = row.get("verificationResult") if isinstance(row, Mapping) else None
        if not isinstance(result, Mapping):
            continue
        parsed = matrix_row(row)
        url = result.get("_links", {}).get("self", {}).get("href")
        verifications.append(
            VerificationRecord(
                parsed.consumer,
                parsed.provider,
                parsed.provider_version or "?",
                parsed.verification is True,
                url=url if isinstance(url, str) else None,
                consumer_version=parsed.consumer_version,
                interactions=interaction_results(result),
            )
        )
    return tuple(verifications)


def _link(data: Mapping[str, Any], relation: str) -> Mapping[str, Any]:
    links = data.get("_links")
    link = links.get(relation) if isinstance(links, Mapping) else None
    return link if isinstance(link, Mapping) else {}


def link_href(data: Mapping[str, Any], relation: str) -> str | None:
    """The ``href`` of the `relation` link in a HAL answer, when it is a string."""
    href = _link(data, relation).get("href")
    return href if isinstance(href, str) else None


def link_name(data: Mapping[str, Any], relation: str) -> str | None:
    """The ``name`` of the `relation` link in a HAL answer, when it is a string."""
    name = _link(data, relation).get("name")
    return name if isinstance(name, str) else None
