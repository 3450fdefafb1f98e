"""The local broker: a SQLite file holding what a Pact Broker would hold.

Pacticipants, versions (branch, tags), pacts stored once per content hash and
linked to every consumer version that published them, verification results
(which provider version verified which content, with what outcome, when),
environments, deployments and releases.

Several processes may use one file at once: the database runs in WAL mode,
every write is one ``BEGIN IMMEDIATE`` transaction (so a write never has to
upgrade a read lock and deadlock), and a busy timeout makes writers queue
instead of failing. Each operation opens its own connection, so a
`LocalBroker` may be shared between threads too.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pactdsl.broker._config import (
    DEFAULT_LOCAL_BROKER_PATH,
    BrokerError,
    BrokerLookupError,
    PactConflictError,
)
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
    apply_ignore,
    describe_not_verified,
    nothing_deployed_message,
    verification_reason,
)

__all__ = ["LocalBroker"]

# 2 added releases; a reader of version 1 would not count them in can-i-deploy.
# 3 added each verification's interaction outcomes (which were not verified).
_SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pacticipants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
    number TEXT NOT NULL,
    branch TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (pacticipant_id, number)
);
CREATE TABLE IF NOT EXISTS tags (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (version_id, name)
);
CREATE TABLE IF NOT EXISTS pact_contents (
    id INTEGER PRIMARY KEY,
    sha TEXT NOT NULL UNIQUE,
    consumer_id INTEGER NOT NULL REFERENCES pacticipants(id),
    provider_id INTEGER NOT NULL REFERENCES pacticipants(id),
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pact_publications (
    id INTEGER PRIMARY KEY,
    consumer_version_id INTEGER NOT NULL REFERENCES versions(id),
    provider_id INTEGER NOT NULL REFERENCES pacticipants(id),
    pact_content_id INTEGER NOT NULL REFERENCES pact_contents(id),
    created_at TEXT NOT NULL,
    UNIQUE (consumer_version_id, provider_id)
);
CREATE TABLE IF NOT EXISTS verification_results (
    id INTEGER PRIMARY KEY,
    pact_content_id INTEGER NOT NULL REFERENCES pact_contents(id),
    provider_version_id INTEGER NOT NULL REFERENCES versions(id),
    success INTEGER NOT NULL,
    build_url TEXT,
    verified_at TEXT NOT NULL,
    interactions TEXT
);
CREATE INDEX IF NOT EXISTS verification_by_content
    ON verification_results (pact_content_id, provider_version_id);
CREATE TABLE IF NOT EXISTS environments (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    production INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    environment_id INTEGER NOT NULL REFERENCES environments(id),
    application_instance TEXT NOT NULL DEFAULT '',
    currently_deployed INTEGER NOT NULL DEFAULT 1,
    deployed_at TEXT NOT NULL,
    undeployed_at TEXT
);
CREATE INDEX IF NOT EXISTS deployments_current
    ON deployments (environment_id, currently_deployed);
CREATE TABLE IF NOT EXISTS releases (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    environment_id INTEGER NOT NULL REFERENCES environments(id),
    currently_supported INTEGER NOT NULL DEFAULT 1,
    released_at TEXT NOT NULL,
    support_ended_at TEXT
);
CREATE INDEX IF NOT EXISTS releases_current
    ON releases (environment_id, currently_supported);
"""

# What counts as "in" an environment for can-i-deploy and the deployedOrReleased
# selector: versions currently deployed there and versions released and supported.
_DEPLOYED_VERSIONS = (
    "(SELECT version_id, environment_id FROM deployments WHERE currently_deployed = 1)"
)
_RELEASED_VERSIONS = (
    "(SELECT version_id, environment_id FROM releases WHERE currently_supported = 1)"
)
_LIVE_VERSIONS = (
    "(SELECT version_id, environment_id FROM deployments WHERE currently_deployed = 1 "
    "UNION SELECT version_id, environment_id FROM releases WHERE currently_supported = 1)"
)

_SELECTOR_KEYS = frozenset(
    {
        "consumer",
        "latest",
        "branch",
        "mainBranch",
        "tag",
        "deployed",
        "released",
        "deployedOrReleased",
        "environment",
        "fallbackBranch",
        "fallbackTag",
    }
)
_MAIN_BRANCHES = ("main", "master")


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat()


class LocalBroker:
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
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._ready = False

    def __repr__(self) -> str:
        return f"LocalBroker(path={str(self.path)!r})"

    def __enter__(self) -> LocalBroker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: every operation closes its own connection."""

    # -- connections and transactions -------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL stays consistent after a crash; it only skips an
        # fsync per commit, which is what makes many small writes slow.
        conn.execute("PRAGMA synchronous = NORMAL")
        if not self._ready:
            self._prepare(conn)
            self._ready = True
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # Switching to WAL needs a moment alone with the file; processes that
        # start together may collide here, so try again briefly.
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise BrokerError(
                        f"local broker path={str(self.path)!r} cannot be opened: {exc}"
                    ) from None
                time.sleep(0.01)
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            if found > _SCHEMA_VERSION:
                msg = (
                    f"local broker path={str(self.path)!r} has schema version {found}, newer "
                    f"than this pactdsl reads ({_SCHEMA_VERSION}); upgrade pactdsl"
                )
                raise BrokerError(msg)
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            columns = {r[1] for r in conn.execute("PRAGMA table_info(verification_results)")}
            if "interactions" not in columns:  # a version 2 database
                conn.execute("ALTER TABLE verification_results ADD COLUMN interactions TEXT")
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _database_error(self, exc: BaseException) -> BrokerError:
        """A raw SQLite or OS error as a `BrokerError` naming the database path."""
        return BrokerError(
            f"local broker path={str(self.path)!r} cannot be used: {exc}; give the path of "
            "a SQLite database file (or of one to create) that no other program holds locked"
        )

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._connect()
        except (sqlite3.Error, OSError) as exc:
            raise self._database_error(exc) from None
        try:
            # IMMEDIATE takes the write lock up front: two writers that both
            # read first and then write would otherwise deadlock in WAL mode.
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._database_error(exc) from None
        finally:
            conn.close()

    # -- lookups ---------------------------------------------------------------------

    @staticmethod
    def _pacticipant(conn: sqlite3.Connection, name: str, *, create: bool) -> int | None:
        row = conn.execute("SELECT id FROM pacticipants WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return int(row["id"])
        if not create:
            return None
        cursor = conn.execute(
            "INSERT INTO pacticipants (name, created_at) VALUES (?, ?)", (name, _now())
        )
        return int(cursor.lastrowid or 0)

    @staticmethod
    def _version(
        conn: sqlite3.Connection,
        pacticipant_id: int,
        number: str,
        *,
        create: bool,
        branch: str | None = None,
        tags: Sequence[str] = (),
    ) -> int | None:
        row = conn.execute(
            "SELECT id, branch FROM versions WHERE pacticipant_id = ? AND number = ?",
            (pacticipant_id, number),
        ).fetchone()
        if row is None:
            if not create:
                return None
            cursor = conn.execute(
                "INSERT INTO versions (pacticipant_id, number, branch, created_at) "
                "VALUES (?, ?, ?, ?)",
                (pacticipant_id, number, branch, _now()),
            )
            version_id = int(cursor.lastrowid or 0)
        else:
            version_id = int(row["id"])
            if branch is not None and row["branch"] != branch:
                conn.execute("UPDATE versions SET branch = ? WHERE id = ?", (branch, version_id))
        for tag in tags:
            conn.execute(
                "INSERT OR IGNORE INTO tags (version_id, name, created_at) VALUES (?, ?, ?)",
                (version_id, tag, _now()),
            )
        return version_id

    @staticmethod
    def _environment(conn: sqlite3.Connection, name: str) -> int:
        row = conn.execute("SELECT id FROM environments WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return int(row["id"])
        known = [r["name"] for r in conn.execute("SELECT name FROM environments ORDER BY name")]
        msg = (
            f"environment={name!r} does not exist in the local broker (known: {known or 'none'}); "
            f"create it first with create_environment({name!r})"
        )
        raise BrokerLookupError(msg)

    @staticmethod
    def _known_pacticipant(conn: sqlite3.Connection, name: str) -> int:
        found = LocalBroker._pacticipant(conn, name, create=False)
        if found is not None:
            return found
        known = [r["name"] for r in conn.execute("SELECT name FROM pacticipants")]
        msg = (
            f"pacticipant={name!r} is unknown to the local broker "
            f"(known: {sorted(known) or 'none'}); publish a pact or a verification "
            "result for it first"
        )
        raise BrokerLookupError(msg)

    @staticmethod
    def _known_version(
        conn: sqlite3.Connection, pacticipant: str, pacticipant_id: int, number: str
    ) -> int:
        found = LocalBroker._version(conn, pacticipant_id, number, create=False)
        if found is not None:
            return found
        recent = [
            r["number"]
            for r in conn.execute(
                "SELECT number FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 5",
                (pacticipant_id,),
            )
        ]
        msg = (
            f"version={number!r} of {pacticipant} is unknown to the local broker "
            f"(latest: {recent}); only versions that published pacts or verification "
            "results are known"
        )
        raise BrokerLookupError(msg)

    @staticmethod
    def _latest_verification(
        conn: sqlite3.Connection, content_id: int, provider_version_id: int
    ) -> tuple[bool | None, str]:
        """The latest result's success (None: none), and which interactions it did not verify."""
        row = conn.execute(
            "SELECT success, interactions FROM verification_results WHERE pact_content_id = ? "
            "AND provider_version_id = ? ORDER BY id DESC LIMIT 1",
            (content_id, provider_version_id),
        ).fetchone()
        if row is None:
            return None, ""
        return bool(row["success"]), _not_verified_text(row["interactions"])

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
        with self._transaction(write=True) as conn:
            consumer_id = self._pacticipant(conn, document.consumer, create=True)
            provider_id = self._pacticipant(conn, document.provider, create=True)
            assert consumer_id is not None
            assert provider_id is not None
            version_id = self._version(
                conn, consumer_id, consumer_version, create=True, branch=branch, tags=tags
            )
            row = conn.execute(
                "SELECT id FROM pact_contents WHERE sha = ?", (document.sha,)
            ).fetchone()
            if row is None:
                cursor = conn.execute(
                    "INSERT INTO pact_contents (sha, consumer_id, provider_id, content, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (document.sha, consumer_id, provider_id, document.text, _now()),
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
                    (version_id, provider_id, content_id, _now()),
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
        with self._transaction(write=True) as conn:
            row = conn.execute("SELECT id FROM pact_contents WHERE sha = ?", (sha,)).fetchone()
            if row is None:
                msg = (
                    f"no pact between {consumer} and {provider} with this content "
                    f"(sha {sha[:12]}) was published to the local broker at "
                    f"path={str(self.path)!r}; publish it first (pactdsl.broker.publish), "
                    "or verify the pacts the broker selects (pacts_for_verification)"
                )
                raise BrokerLookupError(msg)
            provider_id = self._pacticipant(conn, provider, create=True)
            assert provider_id is not None
            version_id = self._version(
                conn, provider_id, provider_version, create=True, branch=branch, tags=tags
            )
            stored = json.dumps([o.to_json() for o in interactions]) if interactions else None
            conn.execute(
                "INSERT INTO verification_results (pact_content_id, provider_version_id, "
                "success, build_url, verified_at, interactions) VALUES (?, ?, ?, ?, ?, ?)",
                (int(row["id"]), version_id, int(bool(success)), build_url, _now(), stored),
            )
        return VerificationRecord(
            consumer,
            provider,
            provider_version,
            bool(success),
            sha,
            interactions=tuple(interactions),
        )

    # -- environments and deployments ------------------------------------------------

    def create_environment(
        self, name: str, *, display_name: str | None = None, production: bool = False
    ) -> Environment:
        """Create the environment `name` (a no-op when it exists already)."""
        if not name or not name.strip():
            msg = f"name={name!r} must be a non-empty environment name"
            raise ValueError(msg)
        with self._transaction(write=True) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO environments (uuid, name, display_name, production, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), name, display_name or name, int(production), _now()),
            )
            row = conn.execute(
                "SELECT uuid, name, display_name, production FROM environments WHERE name = ?",
                (name,),
            ).fetchone()
        return _environment_of(row)

    def environments(self) -> list[Environment]:
        """Every environment, by name."""
        with self._transaction(write=False) as conn:
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
        with self._transaction(write=True) as conn:
            environment_id = self._environment(conn, environment)
            pacticipant_id = self._known_pacticipant(conn, pacticipant)
            version_id = self._known_version(conn, pacticipant, pacticipant_id, version)
            conn.execute(
                "UPDATE deployments SET currently_deployed = 0, undeployed_at = ? "
                "WHERE environment_id = ? AND application_instance = ? AND currently_deployed = 1 "
                "AND version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?)",
                (_now(), environment_id, instance, pacticipant_id),
            )
            conn.execute(
                "INSERT INTO deployments (version_id, environment_id, application_instance, "
                "currently_deployed, deployed_at) VALUES (?, ?, ?, 1, ?)",
                (version_id, environment_id, instance, _now()),
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
        with self._transaction(write=True) as conn:
            environment_id = self._environment(conn, environment)
            pacticipant_id = self._known_pacticipant(conn, pacticipant)
            version_id = self._known_version(conn, pacticipant, pacticipant_id, version)
            existing = conn.execute(
                "SELECT 1 FROM releases WHERE version_id = ? AND environment_id = ? "
                "AND currently_supported = 1",
                (version_id, environment_id),
            ).fetchone()
            if existing is None:
                conn.execute(
                    "INSERT INTO releases (version_id, environment_id, currently_supported, "
                    "released_at) VALUES (?, ?, 1, ?)",
                    (version_id, environment_id, _now()),
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
        with self._transaction(write=True) as conn:
            environment_id = self._environment(conn, environment)
            pacticipant_id = self._known_pacticipant(conn, pacticipant)
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
                [(_now(), r["id"]) for r in chosen],
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
        with self._transaction(write=False) as conn:
            pacticipant_id = self._known_pacticipant(conn, pacticipant)
            if version is None:
                row = conn.execute(
                    "SELECT number FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 1",
                    (pacticipant_id,),
                ).fetchone()
                if row is None:
                    msg = f"pacticipant={pacticipant!r} has no versions in the local broker yet"
                    raise BrokerLookupError(msg)
                version = str(row["number"])
            version_id = self._known_version(conn, pacticipant, pacticipant_id, version)
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
        return VersionDescription(
            pacticipant, version, branch, tags, pacts, verifications, deployments, releases
        )

    def deployed_versions(self, pacticipant: str, environment: str) -> list[Deployment]:
        """The versions of `pacticipant` currently deployed to `environment`."""
        with self._transaction(write=False) as conn:
            environment_id = self._environment(conn, environment)
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

        This is the seed's can-i-deploy: False when no such pact was published.
        """
        with self._transaction(write=False) as conn:
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
        return row is not None

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

        Raises:
            BrokerLookupError: when `to_environment` does not exist.
        """
        with self._transaction(write=False) as conn:
            if to_environment is not None:
                environment_id: int | None = self._environment(conn, to_environment)
            else:
                environment_id = None
            pacticipant_id = self._pacticipant(conn, pacticipant, create=False)
            if pacticipant_id is None:
                reason = (
                    f"{pacticipant} is unknown to the broker: publish its pacts or "
                    "verification results first"
                )
                return CanIDeployDecision(pacticipant, version, to_environment, False, [reason])
            version_id = self._version(conn, pacticipant_id, version, create=False)
            if version_id is None:
                reason = (
                    f"version {version} of {pacticipant} is unknown to the broker: publish "
                    "its pacts or verification results first"
                )
                return CanIDeployDecision(pacticipant, version, to_environment, False, [reason])
            rows = [
                *self._consumer_rows(conn, pacticipant, version, version_id, environment_id),
                *self._provider_rows(
                    conn, pacticipant, pacticipant_id, version, version_id, environment_id
                ),
            ]
        return _decide(
            pacticipant, version, to_environment, apply_ignore(rows, pacticipant, ignore)
        )

    def _consumer_rows(
        self,
        conn: sqlite3.Connection,
        consumer: str,
        version: str,
        version_id: int,
        environment_id: int | None,
    ) -> list[MatrixRow]:
        rows: list[MatrixRow] = []
        pacts = conn.execute(
            "SELECT p.id AS provider_id, p.name AS provider, c.id AS content_id, c.sha "
            "FROM pact_publications pub JOIN pacticipants p ON p.id = pub.provider_id "
            "JOIN pact_contents c ON c.id = pub.pact_content_id "
            "WHERE pub.consumer_version_id = ? ORDER BY p.name",
            (version_id,),
        ).fetchall()
        for pact in pacts:
            provider, sha = pact["provider"], pact["sha"]
            if environment_id is None:
                verified = conn.execute(
                    "SELECT v.number, r.success, r.interactions FROM verification_results r "
                    "JOIN versions v "
                    "ON v.id = r.provider_version_id WHERE r.pact_content_id = ? "
                    "ORDER BY r.success DESC, r.id DESC LIMIT 1",
                    (pact["content_id"],),
                ).fetchone()
                if verified is None:
                    rows.append(
                        MatrixRow(
                            consumer,
                            version,
                            provider,
                            None,
                            None,
                            False,
                            f"the pact of {consumer} {version} with {provider} has never been "
                            f"verified; run {provider}'s verification and publish its results",
                            sha,
                        )
                    )
                else:
                    verified_ok = bool(verified["success"])
                    number = verified["number"]
                    reason = (
                        f"the pact of {consumer} {version} with {provider} is verified by "
                        f"{provider} {number}"
                        if verified_ok
                        else f"the pact of {consumer} {version} with {provider} failed "
                        f"verification by {provider} {number}"
                        + _not_verified_text(verified["interactions"])
                    )
                    rows.append(
                        MatrixRow(
                            consumer,
                            version,
                            provider,
                            number,
                            verified_ok,
                            verified_ok,
                            reason,
                            sha,
                        )
                    )
                continue
            deployed = conn.execute(
                f"SELECT DISTINCT v.id, v.number FROM {_LIVE_VERSIONS} d "
                "JOIN versions v ON v.id = d.version_id "
                "WHERE d.environment_id = ? AND v.pacticipant_id = ? ORDER BY v.id",
                (environment_id, pact["provider_id"]),
            ).fetchall()
            if not deployed:
                rows.append(
                    MatrixRow(
                        consumer,
                        version,
                        provider,
                        None,
                        None,
                        True,
                        f"no version of {provider} is currently deployed or released there; "
                        "nothing to check against",
                        sha,
                    )
                )
            for provider_version in deployed:
                success, detail = self._latest_verification(
                    conn, pact["content_id"], provider_version["id"]
                )
                rows.append(
                    _row(
                        consumer,
                        version,
                        provider,
                        provider_version["number"],
                        success,
                        sha,
                        detail,
                    )
                )
        return rows

    def _provider_rows(
        self,
        conn: sqlite3.Connection,
        provider: str,
        provider_id: int,
        version: str,
        version_id: int,
        environment_id: int | None,
    ) -> list[MatrixRow]:
        if environment_id is not None:
            # Each consumer version deployed there whose pact names this provider.
            candidates = conn.execute(
                "SELECT DISTINCT cp.name AS consumer, cv.number, c.id AS content_id, c.sha "
                f"FROM {_LIVE_VERSIONS} d JOIN versions cv ON cv.id = d.version_id "
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
            success, detail = self._latest_verification(conn, candidate["content_id"], version_id)
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

    # -- pacts for verification ------------------------------------------------------

    def pacts_for_verification(
        self,
        provider: str,
        *,
        consumer_version_selectors: Sequence[Mapping[str, Any]] | None = None,
        include_pending_status: bool = False,
        include_wip_pacts_since: str | None = None,
        provider_version_branch: str | None = None,
    ) -> list[PactForVerification]:
        """The pacts `provider` should verify, chosen by consumer version selectors.

        Selectors use the Pact Broker's keys: ``latest``, ``consumer``,
        ``branch``, ``mainBranch`` (branch ``main`` or ``master``), ``tag``,
        ``deployed``/``deployedOrReleased`` and ``environment``. No selectors
        means the latest pact of each consumer. A pact is pending (with
        `include_pending_status`) until some version of the provider has
        verified it successfully. The local broker keeps no WIP pacts, so
        `include_wip_pacts_since` adds nothing.

        Raises:
            ValueError: naming a selector key the local broker does not know.
        """
        del include_wip_pacts_since, provider_version_branch
        from pactdsl._pactfile import load_pact

        selectors = list(consumer_version_selectors or [{"latest": True}])
        for selector in selectors:
            unknown = set(selector) - _SELECTOR_KEYS
            if unknown:
                msg = (
                    f"consumer version selector {dict(selector)!r} has keys {sorted(unknown)} the "
                    f"local broker does not know; use {sorted(_SELECTOR_KEYS)}"
                )
                raise ValueError(msg)
        found: dict[str, PactForVerification] = {}
        with self._transaction(write=False) as conn:
            provider_id = self._pacticipant(conn, provider, create=False)
            if provider_id is None:
                return []
            publications = conn.execute(
                "SELECT pub.id, cp.name AS consumer, cv.id AS version_id, cv.number, cv.branch, "
                "c.id AS content_id, c.sha, c.content FROM pact_publications pub "
                "JOIN versions cv ON cv.id = pub.consumer_version_id "
                "JOIN pacticipants cp ON cp.id = cv.pacticipant_id "
                "JOIN pact_contents c ON c.id = pub.pact_content_id "
                "WHERE pub.provider_id = ? ORDER BY pub.id",
                (provider_id,),
            ).fetchall()
            for selector in selectors:
                for pub, why in self._select(conn, publications, selector):
                    if pub["sha"] in found:
                        continue
                    pending = (
                        include_pending_status
                        and conn.execute(
                            "SELECT 1 FROM verification_results r JOIN versions v "
                            "ON v.id = r.provider_version_id WHERE r.pact_content_id = ? "
                            "AND r.success = 1 AND v.pacticipant_id = ? LIMIT 1",
                            (pub["content_id"], provider_id),
                        ).fetchone()
                        is None
                    )
                    found[pub["sha"]] = PactForVerification(
                        load_pact(pub["content"]),
                        consumer_version=pub["number"],
                        pending=bool(pending),
                        notices=(why,),
                        pact_sha=pub["sha"],
                    )
        return list(found.values())

    def _select(
        self,
        conn: sqlite3.Connection,
        publications: list[sqlite3.Row],
        selector: Mapping[str, Any],
    ) -> list[tuple[sqlite3.Row, str]]:
        chosen = list(publications)
        words = []
        if "consumer" in selector:
            chosen = [p for p in chosen if p["consumer"] == selector["consumer"]]
            words.append(f"consumer {selector['consumer']}")
        if selector.get("mainBranch"):
            chosen = [p for p in chosen if p["branch"] in _MAIN_BRANCHES]
            words.append("the main branch")
        if "branch" in selector:
            chosen = [p for p in chosen if p["branch"] == selector["branch"]]
            words.append(f"branch {selector['branch']}")
        if "tag" in selector:
            tagged = {
                r["version_id"]
                for r in conn.execute(
                    "SELECT version_id FROM tags WHERE name = ?", (selector["tag"],)
                )
            }
            chosen = [p for p in chosen if p["version_id"] in tagged]
            words.append(f"tag {selector['tag']}")
        released_only = bool(selector.get("released")) and not selector.get("deployed")
        deployed_only = bool(selector.get("deployed")) and not selector.get("released")
        deployed = (
            selector.get("deployed")
            or selector.get("released")
            or selector.get("deployedOrReleased")
            or "environment" in selector
        )
        if deployed:
            if deployed_only:
                source = _DEPLOYED_VERSIONS
                how = "currently deployed to"
            elif released_only:
                source = _RELEASED_VERSIONS
                how = "released to"
            else:
                source = _LIVE_VERSIONS
                how = "currently deployed or released to"
            query = (
                f"SELECT d.version_id FROM {source} d JOIN environments e "
                "ON e.id = d.environment_id"
            )
            args: tuple[Any, ...] = ()
            if "environment" in selector:
                query += " WHERE e.name = ?"
                args = (selector["environment"],)
            live = {r["version_id"] for r in conn.execute(query, args)}
            chosen = [p for p in chosen if p["version_id"] in live]
            where = selector.get("environment", "any environment")
            words.append(f"{how} {where}")
        # A branch or main-branch selector means the head of that branch, as
        # on the Pact Broker; deployed selectors keep every deployed version.
        latest = selector.get("latest") or (
            not deployed and ("branch" in selector or selector.get("mainBranch"))
        )
        if latest or not selector:
            newest: dict[str, sqlite3.Row] = {}
            for pub in chosen:
                newest[pub["consumer"]] = pub
            chosen = list(newest.values())
            words.insert(0, "latest")
        criteria = ", ".join(words) or "all"
        return [
            (
                pub,
                f"The pact of {pub['consumer']} {pub['number']} is selected by: {criteria}",
            )
            for pub in chosen
        ]


def _not_verified_text(stored: str | None) -> str:
    """``; not verified successfully: 'x' (not verified: why)`` from a stored result, or ''."""
    if not stored:
        return ""
    try:
        items = json.loads(stored)
        outcomes = [InteractionOutcome.from_json(item) for item in items]
    except (ValueError, TypeError, AttributeError):
        return ""
    bad = [o for o in outcomes if o.status != "passed" and not o.pending]
    if not bad:
        return ""
    return f"; interactions not verified successfully: {describe_not_verified(bad)}"


def _check_version(name: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"{name}={value!r} must be a non-empty version string (e.g. '1.0.0' or a git sha)"
        raise ValueError(msg)


def _environment_of(row: sqlite3.Row) -> Environment:
    return Environment(row["name"], row["display_name"], bool(row["production"]), row["uuid"])


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


def _decide(
    pacticipant: str, version: str, environment: str | None, rows: list[MatrixRow]
) -> CanIDeployDecision:
    failing = [r for r in rows if not r.ok]
    where = f" in {environment}" if environment else ""
    reasons = [r.reason for r in failing]
    if failing:
        reasons.append(
            f"{len(failing)} of {len(rows)} integrations of {pacticipant} {version}{where} "
            "are not verified successfully"
        )
    elif rows:
        reasons.extend(r.reason for r in rows)
        reasons.append("All required verification results are published and successful")
    else:
        reasons.append(
            f"{pacticipant} {version} has no integrations{where} to check; there are no "
            "missing dependencies"
        )
    return CanIDeployDecision(pacticipant, version, environment, not failing, reasons, tuple(rows))
