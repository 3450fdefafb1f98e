"""The local broker's pacts for verification: consumer version selectors applied to SQLite rows.

Each selector narrows the provider's publications in steps (consumer, branch,
tag, environment), then keeps the newest per consumer when the selector means
the latest version. A fallback branch or tag stands in, per consumer, when
the branch or tag selects nothing for it. A pact selected by several
selectors (or published by several versions with the same content) is
verified once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from pactdsl._errors import PactFileError
from pactdsl.broker._decision import PactForVerification, unreadable_pact
from pactdsl.broker._local_store import DEPLOYED_VERSIONS, LIVE_VERSIONS, RELEASED_VERSIONS
from pactdsl.broker._selectors import MAIN_BRANCHES, ConsumerVersionSelector

__all__ = ["select_pacts"]

# A selected publication, and the fallback branch or tag that selected it (None: none did).
Chosen = list[tuple[sqlite3.Row, str | None]]

_SOURCES = {
    "deployed": DEPLOYED_VERSIONS,
    "released": RELEASED_VERSIONS,
    "deployedOrReleased": LIVE_VERSIONS,
}


def select_pacts(
    conn: sqlite3.Connection,
    provider_id: int,
    selectors: Sequence[ConsumerVersionSelector],
    *,
    include_pending_status: bool,
    provider_version_branch: str | None,
) -> list[PactForVerification]:
    """The pacts the provider with `provider_id` should verify, once per content."""
    from pactdsl._pactfile import load_pact

    publications = conn.execute(
        "SELECT pub.id, cp.name AS consumer, cv.id AS version_id, cv.number, cv.branch, "
        "c.id AS content_id, c.sha, c.content FROM pact_publications pub "
        "JOIN versions cv ON cv.id = pub.consumer_version_id "
        "JOIN pacticipants cp ON cp.id = cv.pacticipant_id "
        "JOIN pact_contents c ON c.id = pub.pact_content_id "
        "WHERE pub.provider_id = ? ORDER BY pub.id",
        (provider_id,),
    ).fetchall()
    found: dict[str, PactForVerification] = {}
    for selector in selectors:
        for pub, why in _select(conn, publications, selector, provider_version_branch):
            if pub["sha"] in found:
                continue
            pending = include_pending_status and not _verified_by(
                conn, pub["content_id"], provider_id
            )
            try:
                pact, problem = load_pact(pub["content"]), None
            except PactFileError as exc:
                # Stored by an older pactdsl, say: an error of this pact, not of the run.
                provider = conn.execute(
                    "SELECT name FROM pacticipants WHERE id = ?", (provider_id,)
                ).fetchone()[0]
                pact, problem = unreadable_pact(pub["consumer"], provider), str(exc)
            found[pub["sha"]] = PactForVerification(
                pact,
                consumer_version=pub["number"],
                pending=pending,
                notices=(why,),
                pact_sha=pub["sha"],
                problem=problem,
            )
    return list(found.values())


def _verified_by(conn: sqlite3.Connection, content_id: int, provider_id: int) -> bool:
    """Whether some version of the provider verified this content successfully."""
    row = conn.execute(
        "SELECT 1 FROM verification_results r JOIN versions v "
        "ON v.id = r.provider_version_id WHERE r.pact_content_id = ? "
        "AND r.success = 1 AND v.pacticipant_id = ? LIMIT 1",
        (content_id, provider_id),
    ).fetchone()
    return row is not None


def _select(
    conn: sqlite3.Connection,
    publications: list[sqlite3.Row],
    selector: ConsumerVersionSelector,
    provider_version_branch: str | None,
) -> list[tuple[sqlite3.Row, str]]:
    """The publications `selector` picks, each with the sentence saying why."""
    chosen: Chosen = [(pub, None) for pub in publications]
    if selector.consumer is not None:
        chosen = [(pub, used) for pub, used in chosen if pub["consumer"] == selector.consumer]
    chosen = _by_branch(chosen, selector, provider_version_branch)
    chosen = _by_tag(conn, chosen, selector)
    chosen = _by_environment(conn, chosen, selector)
    if selector.latest_only:
        chosen = _newest_per_consumer(chosen)
    return [
        (
            pub,
            f"The pact of {pub['consumer']} {pub['number']} is selected by: "
            f"{selector.criteria(fallback=used)}",
        )
        for pub, used in chosen
    ]


def _by_branch(
    chosen: Chosen, selector: ConsumerVersionSelector, provider_version_branch: str | None
) -> Chosen:
    if selector.main_branch:
        branches: tuple[str, ...] = MAIN_BRANCHES
    elif selector.branch is not None:
        branches = (selector.branch,)
    elif selector.matching_branch:
        assert provider_version_branch is not None  # require_provider_branch checked it
        branches = (provider_version_branch,)
    else:
        return chosen
    fallback = selector.fallback_branch
    return _with_fallback(
        chosen,
        lambda pub: pub["branch"] in branches,
        None if fallback is None else (fallback, lambda pub: pub["branch"] == fallback),
    )


def _by_tag(conn: sqlite3.Connection, chosen: Chosen, selector: ConsumerVersionSelector) -> Chosen:
    if selector.tag is None:
        return chosen
    tagged = _tagged_versions(conn, selector.tag)
    fallback = selector.fallback_tag
    if fallback is None:
        return _with_fallback(chosen, lambda pub: pub["version_id"] in tagged, None)
    tagged_fallback = _tagged_versions(conn, fallback)
    return _with_fallback(
        chosen,
        lambda pub: pub["version_id"] in tagged,
        (fallback, lambda pub: pub["version_id"] in tagged_fallback),
    )


def _tagged_versions(conn: sqlite3.Connection, tag: str) -> set[int]:
    rows = conn.execute("SELECT version_id FROM tags WHERE name = ?", (tag,))
    return {int(r["version_id"]) for r in rows}


def _with_fallback(
    chosen: Chosen,
    matches: Callable[[sqlite3.Row], bool],
    fallback: tuple[str, Callable[[sqlite3.Row], bool]] | None,
) -> Chosen:
    """The publications `matches` keeps; for a consumer it keeps none of, the fallback's."""
    kept = [(pub, used) for pub, used in chosen if matches(pub)]
    if fallback is None:
        return kept
    name, fallback_matches = fallback
    served = {pub["consumer"] for pub, _ in kept}
    kept += [
        (pub, name) for pub, _ in chosen if pub["consumer"] not in served and fallback_matches(pub)
    ]
    return sorted(kept, key=lambda item: int(item[0]["id"]))


def _by_environment(
    conn: sqlite3.Connection, chosen: Chosen, selector: ConsumerVersionSelector
) -> Chosen:
    if selector.deployment is None:
        return chosen
    query = (
        f"SELECT d.version_id FROM {_SOURCES[selector.deployment]} d "
        "JOIN environments e ON e.id = d.environment_id"
    )
    args: tuple[str, ...] = ()
    if selector.environment is not None:
        query += " WHERE e.name = ?"
        args = (selector.environment,)
    live = {int(r["version_id"]) for r in conn.execute(query, args)}
    return [(pub, used) for pub, used in chosen if pub["version_id"] in live]


def _newest_per_consumer(chosen: Chosen) -> Chosen:
    newest: dict[str, tuple[sqlite3.Row, str | None]] = {}
    for pub, used in chosen:
        newest[pub["consumer"]] = (pub, used)
    return list(newest.values())
