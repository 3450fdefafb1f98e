"""The local broker's provider contracts, and the stored OpenAPI checks of pacts against them.

A provider version has at most one contract (its OpenAPI document). Publishing
the same bytes again for that version records its latest self-verification:
as with verification results, the latest counts. Different bytes for the
same version are a `PactConflictError`, as a different pact for the same
consumer version is: publish a changed document under a new version.

A check of a pact against a contract is stored by (pact content, contract),
with its verdict and issues, and is made when it is first needed: when a
contract is published (against the latest pact of each consumer), and when
can-i-deploy meets a pair never checked. can-i-deploy notes the missing pairs
while it reads, the broker runs them outside any transaction (a check can take
a while; writers must not wait for it), stores them and reads again. A check
stored by another pactdsl version is made again, as the rules may have changed.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable, Sequence

import attrs

from pactdsl.broker._errors import PactConflictError
from pactdsl.broker._local_store import (
    SqliteFile,
    find_pacticipant,
    find_version,
    latest_pacts,
    now,
)
from pactdsl.broker._provider_contract import (
    ProviderContractDocument,
    ProviderContractPublication,
    check_against_contract,
    check_summary,
)

__all__ = [
    "ContractVerdict",
    "SelfVerification",
    "contract_verdict",
    "publish_contract",
    "run_checks",
    "store_contract",
]

CheckPair = tuple[int, int]
"""(pact content id, provider contract id)."""


@functools.cache
def _checker_version() -> str:
    from pactdsl._version import version

    return version()


@attrs.frozen
class SelfVerification:
    """What the provider's own tests said of its document.

    Attributes:
        success: Whether the provider honours the document.
        verifier: The tool that checked it (e.g. ``schemathesis``).
        verifier_version: That tool's version.
        results: Its output, as text.
    """

    success: bool
    verifier: str | None = None
    verifier_version: str | None = None
    results: str | None = None

    def by(self) -> str:
        """`` (by tool version)``, or '' when the tool is not named."""
        tool = " ".join(p for p in (self.verifier, self.verifier_version) if p)
        return f" (by {tool})" if tool else ""


def publish_contract(
    store: SqliteFile,
    provider: str,
    provider_version: str,
    document: ProviderContractDocument,
    verification: SelfVerification,
    branch: str | None,
    tags: Sequence[str],
) -> ProviderContractPublication:
    """Store a checked document as `provider_version`'s contract; check the latest pacts on it.

    The contract is stored in one transaction; the checks of each consumer's
    latest pact (a self-verified contract only) follow, and the notices say
    how each pact fares.
    """
    with store.transaction(write=True) as conn:
        contract_id, version_id, notices = store_contract(
            conn,
            provider,
            provider_version,
            document,
            branch=branch,
            tags=tags,
            verification=verification,
        )
        provider_id = find_pacticipant(conn, provider, create=False)
        latest = latest_pacts(conn, provider_id) if provider_id is not None else []
    if verification.success:
        run_checks(store, [(int(r["content_id"]), contract_id) for r in latest])
    with store.transaction(write=False) as conn:
        for pact in latest:
            verdict = contract_verdict(conn, pact["content_id"], version_id, set())
            if verdict is not None:
                notices.append(f"the pact of {pact['consumer']} {pact['number']} {verdict.text}")
    return ProviderContractPublication(
        provider,
        provider_version,
        document.sha,
        document.filename,
        verification.success,
        tuple(notices),
    )


def store_contract(
    conn: sqlite3.Connection,
    provider: str,
    provider_version: str,
    document: ProviderContractDocument,
    *,
    branch: str | None,
    tags: Sequence[str],
    verification: SelfVerification,
) -> tuple[int, int, list[str]]:
    """Record `document` as `provider_version`'s contract: (contract id, version id, notices).

    Raises:
        PactConflictError: when that version published a different document.
    """
    provider_id = find_pacticipant(conn, provider, create=True)
    assert provider_id is not None
    version_id = find_version(
        conn, provider_id, provider_version, create=True, branch=branch, tags=tags
    )
    assert version_id is not None
    outcome = "success" if verification.success else "failure"
    fields = (
        int(verification.success),
        verification.verifier,
        verification.verifier_version,
        verification.results,
        now(),
    )
    row = conn.execute(
        "SELECT id, sha FROM provider_contracts WHERE provider_version_id = ?", (version_id,)
    ).fetchone()
    label = f"{provider} {provider_version}'s provider contract {document.name}"
    if row is None:
        cursor = conn.execute(
            "INSERT INTO provider_contracts (provider_version_id, sha, content, format, "
            "content_type, filename, self_verified, verifier, verifier_version, "
            "verification_results, self_verified_at, published_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                version_id,
                document.sha,
                document.content,
                document.format,
                document.content_type,
                document.filename,
                *fields,
                now(),
            ),
        )
        notice = (
            f"Published {label} (sha {document.sha[:12]}), self-verification: "
            f"{outcome}{verification.by()}"
        )
        return int(cursor.lastrowid or 0), version_id, [notice]
    if row["sha"] != document.sha:
        msg = (
            f"provider_version={provider_version!r} of {provider} already published a "
            f"different provider contract (sha {row['sha'][:12]}, now {document.sha[:12]}); "
            "publish a changed document under a new version (e.g. the commit sha)"
        )
        raise PactConflictError(msg)
    conn.execute(
        "UPDATE provider_contracts SET self_verified = ?, verifier = ?, verifier_version = ?, "
        "verification_results = ?, self_verified_at = ? WHERE id = ?",
        (*fields, row["id"]),
    )
    notice = (
        f"{label} was already published with this content; its latest self-verification "
        f"is now {outcome}{verification.by()}"
    )
    return int(row["id"]), version_id, [notice]


@attrs.frozen
class ContractVerdict:
    """What a provider version's contract says of one pact.

    Attributes:
        success: True when the pact fits a self-verified document, False when
            it does not or the document failed its self-verification, None
            when the check has not been made yet.
        text: What follows ``the pact of C 1 with P 2`` in a reason.
    """

    success: bool | None
    text: str


def contract_verdict(
    conn: sqlite3.Connection, content_id: int, provider_version_id: int, missing: set[CheckPair]
) -> ContractVerdict | None:
    """The verdict of `provider_version_id`'s contract on a pact; None when it has no contract.

    A check not stored yet (or stored by another pactdsl version) is added to
    `missing`, and the verdict is unknown until `run_checks` has made it.
    """
    contract = conn.execute(
        "SELECT c.id, c.filename, c.format, c.self_verified, c.verifier, c.verifier_version, "
        "v.number, p.name FROM provider_contracts c JOIN versions v "
        "ON v.id = c.provider_version_id JOIN pacticipants p ON p.id = v.pacticipant_id "
        "WHERE c.provider_version_id = ?",
        (provider_version_id,),
    ).fetchone()
    if contract is None:
        return None
    owner = f"{contract['name']} {contract['number']}"
    document = f"{owner}'s OpenAPI document ({contract['filename'] or 'a dict'})"
    by = SelfVerification(True, contract["verifier"], contract["verifier_version"]).by()
    if not contract["self_verified"]:
        return ContractVerdict(
            False,
            f"cannot count on {document}: {owner} failed its own verification of it{by}, so "
            "the document does not say what the provider does; publish it again once the "
            "provider's tests pass",
        )
    check = conn.execute(
        "SELECT success, result, checked_with FROM openapi_checks "
        "WHERE pact_content_id = ? AND provider_contract_id = ?",
        (content_id, contract["id"]),
    ).fetchone()
    if check is None or check["checked_with"] != _checker_version():
        missing.add((content_id, int(contract["id"])))
        return ContractVerdict(None, f"has not been checked against {document} yet")
    summary = check_summary(json.loads(check["result"]))
    if check["success"]:
        return ContractVerdict(
            True, f"fits {document}, which {owner} verified itself{by}: {summary}"
        )
    return ContractVerdict(False, f"does not fit {document}: {summary}")


def run_checks(store: SqliteFile, pairs: Iterable[CheckPair]) -> None:
    """Check each (pact content, contract) pair with `check_openapi` and store the verdicts.

    Raises:
        MissingExtra: without the ``openapi`` extra.
    """
    wanted = sorted(set(pairs))
    if not wanted:
        return
    inputs = []
    with store.transaction(write=False) as conn:
        for content_id, contract_id in wanted:
            pact = conn.execute(
                "SELECT content FROM pact_contents WHERE id = ?", (content_id,)
            ).fetchone()
            contract = conn.execute(
                "SELECT content, filename, format FROM provider_contracts WHERE id = ?",
                (contract_id,),
            ).fetchone()
            inputs.append((content_id, contract_id, pact, contract))
    stored = []
    for content_id, contract_id, pact, contract in inputs:
        success, result = check_against_contract(
            pact["content"], bytes(contract["content"]), contract["filename"], contract["format"]
        )
        stored.append(
            (
                content_id,
                contract_id,
                int(success),
                json.dumps(result, ensure_ascii=False),
                _checker_version(),
                now(),
            )
        )
    with store.transaction(write=True) as conn:
        conn.executemany(
            "INSERT INTO openapi_checks (pact_content_id, provider_contract_id, success, "
            "result, checked_with, checked_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (pact_content_id, provider_contract_id) DO UPDATE SET "
            "success = excluded.success, result = excluded.result, "
            "checked_with = excluded.checked_with, checked_at = excluded.checked_at",
            stored,
        )
