"""The local broker's can-i-deploy: the matrix rows of a pacticipant version, and the decision.

As a consumer, a version's rows are its pacts, each with the provider
versions that count (those deployed or released to the environment, else
whichever verified it); as a provider, the pacts of the consumer versions
that count, each verified or not by this version. The decision is made whole
from the rows: `ok` when none blocks, and one reason per row and a summary.

A provider version that never verified a pact against the running provider
may still have published a provider contract (its OpenAPI document): then
the pact counts as verified when it passes the OpenAPI check against that
document and the provider's own verification of the document succeeded. A
failed verification against the running provider outweighs the document.
Checks not made yet are added to `missing` for the broker to run.
"""

from __future__ import annotations

import sqlite3

from pactdsl.broker._decision import CanIDeployDecision, MatrixRow, verification_reason
from pactdsl.broker._local_contracts import CheckPair, ContractVerdict, contract_verdict
from pactdsl.broker._local_store import (
    LIVE_VERSIONS,
    find_environment,
    find_pacticipant,
    find_version,
    latest_pacts,
    latest_verification,
    not_verified_text,
)

__all__ = ["consumer_rows", "decide", "matrix_rows", "provider_rows", "unknown_decision"]


def matrix_rows(
    conn: sqlite3.Connection,
    pacticipant: str,
    version: str,
    to_environment: str | None,
    missing: set[CheckPair],
) -> list[MatrixRow] | CanIDeployDecision:
    """The rows of `version` of `pacticipant`, or the decision when the broker does not know it.

    Raises:
        BrokerLookupError: when `to_environment` does not exist.
    """
    environment_id = None if to_environment is None else find_environment(conn, to_environment)
    pacticipant_id = find_pacticipant(conn, pacticipant, create=False)
    if pacticipant_id is None:
        return unknown_decision(pacticipant, version, to_environment, known_pacticipant=False)
    version_id = find_version(conn, pacticipant_id, version, create=False)
    if version_id is None:
        return unknown_decision(pacticipant, version, to_environment, known_pacticipant=True)
    return [
        *consumer_rows(conn, pacticipant, version, version_id, environment_id, missing),
        *provider_rows(
            conn, pacticipant, pacticipant_id, version, version_id, environment_id, missing
        ),
    ]


def consumer_rows(
    conn: sqlite3.Connection,
    consumer: str,
    version: str,
    version_id: int,
    environment_id: int | None,
    missing: set[CheckPair],
) -> list[MatrixRow]:
    """The rows of `version` of `consumer` as a consumer: one or more per pact it published."""
    pacts = conn.execute(
        "SELECT p.id AS provider_id, p.name AS provider, c.id AS content_id, c.sha "
        "FROM pact_publications pub JOIN pacticipants p ON p.id = pub.provider_id "
        "JOIN pact_contents c ON c.id = pub.pact_content_id "
        "WHERE pub.consumer_version_id = ? ORDER BY p.name",
        (version_id,),
    ).fetchall()
    rows: list[MatrixRow] = []
    for pact in pacts:
        if environment_id is None:
            rows.append(_best_verification_row(conn, consumer, version, pact, missing))
        else:
            rows.extend(
                _deployed_provider_rows(conn, consumer, version, pact, environment_id, missing)
            )
    return rows


def _best_verification_row(
    conn: sqlite3.Connection,
    consumer: str,
    version: str,
    pact: sqlite3.Row,
    missing: set[CheckPair],
) -> MatrixRow:
    """A pact's row against whichever provider version verified it (a success first).

    Without a successful verification, the provider's latest contract speaks:
    its row, when the pact passes the check against it or nothing verified it.
    """
    provider, sha = pact["provider"], pact["sha"]
    verified = conn.execute(
        "SELECT v.number, r.success, r.interactions FROM verification_results r "
        "JOIN versions v "
        "ON v.id = r.provider_version_id WHERE r.pact_content_id = ? "
        "ORDER BY r.success DESC, r.id DESC LIMIT 1",
        (pact["content_id"],),
    ).fetchone()
    if verified is None or not verified["success"]:
        contract = conn.execute(
            "SELECT v.id, v.number FROM provider_contracts c JOIN versions v "
            "ON v.id = c.provider_version_id WHERE v.pacticipant_id = ? ORDER BY c.id DESC LIMIT 1",
            (pact["provider_id"],),
        ).fetchone()
        if contract is not None:
            row = _verdict_row(
                conn, consumer, version, provider, contract["number"], contract["id"], pact, missing
            )
            if row.ok or verified is None:
                return row
    pair = f"the pact of {consumer} {version} with {provider}"
    if verified is None:
        reason = (
            f"{pair} has never been verified; run {provider}'s verification and publish its results"
        )
        return MatrixRow(consumer, version, provider, None, None, False, reason, sha)
    verified_ok = bool(verified["success"])
    number = verified["number"]
    reason = (
        f"{pair} is verified by {provider} {number}"
        if verified_ok
        else f"{pair} failed verification by {provider} {number}"
        + not_verified_text(verified["interactions"])
    )
    return MatrixRow(consumer, version, provider, number, verified_ok, verified_ok, reason, sha)


def _deployed_provider_rows(
    conn: sqlite3.Connection,
    consumer: str,
    version: str,
    pact: sqlite3.Row,
    environment_id: int,
    missing: set[CheckPair],
) -> list[MatrixRow]:
    """A pact's rows against each provider version deployed or released to the environment."""
    provider, sha = pact["provider"], pact["sha"]
    deployed = conn.execute(
        f"SELECT DISTINCT v.id, v.number FROM {LIVE_VERSIONS} d "
        "JOIN versions v ON v.id = d.version_id "
        "WHERE d.environment_id = ? AND v.pacticipant_id = ? ORDER BY v.id",
        (environment_id, pact["provider_id"]),
    ).fetchall()
    if not deployed:
        reason = (
            f"no version of {provider} is currently deployed or released there; "
            "nothing to check against"
        )
        return [MatrixRow(consumer, version, provider, None, None, True, reason, sha)]
    return [
        _verdict_row(
            conn,
            consumer,
            version,
            provider,
            deployed_version["number"],
            deployed_version["id"],
            pact,
            missing,
        )
        for deployed_version in deployed
    ]


def provider_rows(
    conn: sqlite3.Connection,
    provider: str,
    provider_id: int,
    version: str,
    version_id: int,
    environment_id: int | None,
    missing: set[CheckPair],
) -> list[MatrixRow]:
    """The rows of `version` of `provider` as a provider: the pacts it must honour."""
    if environment_id is not None:
        # Each consumer version deployed there whose pact names this provider.
        candidates = conn.execute(
            "SELECT DISTINCT cp.name AS consumer, cv.number, c.id AS content_id, c.sha "
            f"FROM {LIVE_VERSIONS} d JOIN versions cv ON cv.id = d.version_id "
            "JOIN pacticipants cp ON cp.id = cv.pacticipant_id "
            "JOIN pact_publications pub ON pub.consumer_version_id = cv.id "
            "AND pub.provider_id = ? JOIN pact_contents c ON c.id = pub.pact_content_id "
            "WHERE d.environment_id = ? ORDER BY cp.name, cv.id",
            (provider_id, environment_id),
        ).fetchall()
    else:
        # The latest pact each consumer published with this provider.
        candidates = latest_pacts(conn, provider_id)
    return [
        _verdict_row(
            conn,
            candidate["consumer"],
            candidate["number"],
            provider,
            version,
            version_id,
            candidate,
            missing,
        )
        for candidate in candidates
    ]


def _verdict_row(
    conn: sqlite3.Connection,
    consumer: str,
    consumer_version: str,
    provider: str,
    provider_version: str,
    provider_version_id: int,
    pact: sqlite3.Row,
    missing: set[CheckPair],
) -> MatrixRow:
    """A pact (``content_id``, ``sha``) with a provider version: verified, or by its contract."""
    success, detail = latest_verification(conn, pact["content_id"], provider_version_id)
    contract = contract_verdict(conn, pact["content_id"], provider_version_id, missing)
    return _row(
        consumer,
        consumer_version,
        provider,
        provider_version,
        success,
        pact["sha"],
        detail,
        contract,
    )


def _row(
    consumer: str,
    consumer_version: str,
    provider: str,
    provider_version: str,
    success: bool | None,
    sha: str,
    detail: str = "",
    contract: ContractVerdict | None = None,
) -> MatrixRow:
    pair = f"the pact of {consumer} {consumer_version} with {provider} {provider_version}"
    if success is None and contract is not None:
        # Never verified against the running provider: its contract decides.
        return MatrixRow(
            consumer,
            consumer_version,
            provider,
            provider_version,
            contract.success,
            bool(contract.success),
            f"{pair} {contract.text}",
            sha,
        )
    reason = verification_reason(
        pair,
        success,
        f"has never been verified; verify it with {provider} {provider_version} "
        "and publish the result",
    ) + ("" if success else detail)
    if success is False and contract is not None and contract.success:
        reason += (
            f"; it {contract.text}, but a failed verification against the running provider "
            "outweighs the document"
        )
    return MatrixRow(
        consumer, consumer_version, provider, provider_version, success, bool(success), reason, sha
    )


def unknown_decision(
    pacticipant: str, version: str, environment: str | None, *, known_pacticipant: bool
) -> CanIDeployDecision:
    """The decision for a pacticipant, or a version of it, that the broker never heard of."""
    what = f"version {version} of {pacticipant}" if known_pacticipant else pacticipant
    reason = f"{what} is unknown to the broker: publish its pacts or verification results first"
    return CanIDeployDecision(pacticipant, version, environment, False, (reason,))


def decide(
    pacticipant: str, version: str, environment: str | None, rows: list[MatrixRow]
) -> CanIDeployDecision:
    """The decision from `rows`: the failing rows' reasons and a count, or why it is fine."""
    failing = [r for r in rows if not r.ok]
    where = f" in {environment}" if environment else ""
    if failing:
        summary = (
            f"{len(failing)} of {len(rows)} integrations of {pacticipant} {version}{where} "
            "are not verified successfully"
        )
        reasons = (*(r.reason for r in failing), summary)
    elif rows:
        summary = "All required verification results are published and successful"
        reasons = (*(r.reason for r in rows), summary)
    else:
        reasons = (
            f"{pacticipant} {version} has no integrations{where} to check; there are no "
            "missing dependencies",
        )
    return CanIDeployDecision(pacticipant, version, environment, not failing, reasons, tuple(rows))
