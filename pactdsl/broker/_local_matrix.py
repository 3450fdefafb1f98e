"""The local broker's can-i-deploy: the matrix rows of a pacticipant version, and the decision.

As a consumer, a version's rows are its pacts, each with the provider
versions that count (those deployed or released to the environment, else
whichever verified it); as a provider, the pacts of the consumer versions
that count, each verified or not by this version. The decision is made whole
from the rows: `ok` when none blocks, and one reason per row and a summary.
"""

from __future__ import annotations

import sqlite3

from pactdsl.broker._decision import CanIDeployDecision, MatrixRow, verification_reason
from pactdsl.broker._local_store import LIVE_VERSIONS, latest_verification, not_verified_text

__all__ = ["consumer_rows", "decide", "provider_rows", "unknown_decision"]


def consumer_rows(
    conn: sqlite3.Connection,
    consumer: str,
    version: str,
    version_id: int,
    environment_id: int | None,
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
            rows.append(_best_verification_row(conn, consumer, version, pact))
        else:
            rows.extend(_deployed_provider_rows(conn, consumer, version, pact, environment_id))
    return rows


def _best_verification_row(
    conn: sqlite3.Connection, consumer: str, version: str, pact: sqlite3.Row
) -> MatrixRow:
    """A pact's row against whichever provider version verified it (a success first)."""
    provider, sha = pact["provider"], pact["sha"]
    verified = conn.execute(
        "SELECT v.number, r.success, r.interactions FROM verification_results r "
        "JOIN versions v "
        "ON v.id = r.provider_version_id WHERE r.pact_content_id = ? "
        "ORDER BY r.success DESC, r.id DESC LIMIT 1",
        (pact["content_id"],),
    ).fetchone()
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
    rows = []
    for provider_version in deployed:
        success, detail = latest_verification(conn, pact["content_id"], provider_version["id"])
        rows.append(
            _row(consumer, version, provider, provider_version["number"], success, sha, detail)
        )
    return rows


def provider_rows(
    conn: sqlite3.Connection,
    provider: str,
    provider_id: int,
    version: str,
    version_id: int,
    environment_id: int | None,
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
        candidates = conn.execute(
            "SELECT cp.name AS consumer, cv.number, c.id AS content_id, c.sha "
            "FROM pact_publications pub JOIN versions cv ON cv.id = pub.consumer_version_id "
            "JOIN pacticipants cp ON cp.id = cv.pacticipant_id "
            "JOIN pact_contents c ON c.id = pub.pact_content_id "
            "WHERE pub.id IN (SELECT MAX(p2.id) FROM pact_publications p2 "
            "JOIN versions v2 ON v2.id = p2.consumer_version_id WHERE p2.provider_id = ? "
            "GROUP BY v2.pacticipant_id) ORDER BY cp.name",
            (provider_id,),
        ).fetchall()
    rows = []
    for candidate in candidates:
        success, detail = latest_verification(conn, candidate["content_id"], version_id)
        rows.append(
            _row(
                candidate["consumer"],
                candidate["number"],
                provider,
                version,
                success,
                candidate["sha"],
                detail,
            )
        )
    return rows


def _row(
    consumer: str,
    consumer_version: str,
    provider: str,
    provider_version: str,
    success: bool | None,
    sha: str,
    detail: str = "",
) -> MatrixRow:
    pair = f"the pact of {consumer} {consumer_version} with {provider} {provider_version}"
    reason = verification_reason(
        pair,
        success,
        f"has never been verified; verify it with {provider} {provider_version} "
        "and publish the result",
    ) + ("" if success else detail)
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
