"""The local broker's SQLite file: its schema, connections and shared lookups.

Several processes may use one file at once: the database runs in WAL mode,
every write is one ``BEGIN IMMEDIATE`` transaction (so a write never has to
upgrade a read lock and deadlock), and a busy timeout makes writers queue
instead of failing. Each operation opens its own connection, so one
`SqliteFile` may be shared between threads too. Every SQLite or OS failure
leaves as a `BrokerError` naming the database path.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pactdsl.broker._decision import InteractionOutcome, describe_not_verified
from pactdsl.broker._errors import BrokerError, BrokerLookupError

__all__ = [
    "DEPLOYED_VERSIONS",
    "LIVE_VERSIONS",
    "RELEASED_VERSIONS",
    "SqliteFile",
    "find_environment",
    "find_pacticipant",
    "find_version",
    "latest_pacts",
    "latest_verification",
    "not_verified_text",
    "now",
    "require_pacticipant",
    "require_version",
]

# 2 added releases; a reader of version 1 would not count them in can-i-deploy.
# 3 added each verification's interaction outcomes (which were not verified).
# 4 added provider contracts and the OpenAPI checks of pacts against them; a reader
# of version 3 would not count those checks in can-i-deploy.
SCHEMA_VERSION = 4

SCHEMA = """
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
CREATE TABLE IF NOT EXISTS provider_contracts (
    id INTEGER PRIMARY KEY,
    provider_version_id INTEGER NOT NULL UNIQUE REFERENCES versions(id),
    sha TEXT NOT NULL,
    content BLOB NOT NULL,
    format TEXT NOT NULL,
    content_type TEXT NOT NULL,
    filename TEXT,
    self_verified INTEGER NOT NULL,
    verifier TEXT,
    verifier_version TEXT,
    verification_results TEXT,
    published_at TEXT NOT NULL,
    self_verified_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS openapi_checks (
    id INTEGER PRIMARY KEY,
    pact_content_id INTEGER NOT NULL REFERENCES pact_contents(id),
    provider_contract_id INTEGER NOT NULL REFERENCES provider_contracts(id),
    success INTEGER NOT NULL,
    result TEXT NOT NULL,
    checked_with TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    UNIQUE (pact_content_id, provider_contract_id)
);
"""

# What counts as "in" an environment for can-i-deploy and the deployedOrReleased
# selector: versions currently deployed there and versions released and supported.
DEPLOYED_VERSIONS = (
    "(SELECT version_id, environment_id FROM deployments WHERE currently_deployed = 1)"
)
RELEASED_VERSIONS = (
    "(SELECT version_id, environment_id FROM releases WHERE currently_supported = 1)"
)
LIVE_VERSIONS = (
    "(SELECT version_id, environment_id FROM deployments WHERE currently_deployed = 1 "
    "UNION SELECT version_id, environment_id FROM releases WHERE currently_supported = 1)"
)


def now() -> str:
    """The current time as stored: ISO 8601 in UTC."""
    return _dt.datetime.now(_dt.UTC).isoformat()


class SqliteFile:
    """One SQLite database file, opened per operation, made and upgraded on first use.

    Args:
        path: The database file (made, with its folder, on first use).
        busy_timeout: Seconds a writer waits for another one before failing.
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL stays consistent after a crash; it only skips an
            # fsync per commit, which is what makes many small writes slow.
            conn.execute("PRAGMA synchronous = NORMAL")
            if not self._ready:
                self._prepare(conn)
                self._ready = True
        except BaseException:
            conn.close()  # a failed open must not leave the file held
            raise
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
            if found > SCHEMA_VERSION:
                msg = (
                    f"local broker path={str(self.path)!r} has schema version {found}, newer "
                    f"than this pactdsl reads ({SCHEMA_VERSION}); upgrade pactdsl"
                )
                raise BrokerError(msg)
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            columns = {r[1] for r in conn.execute("PRAGMA table_info(verification_results)")}
            if "interactions" not in columns:  # a version 2 database
                conn.execute("ALTER TABLE verification_results ADD COLUMN interactions TEXT")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
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
    def transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction on a fresh connection: committed, or rolled back on an error."""
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


def find_pacticipant(conn: sqlite3.Connection, name: str, *, create: bool) -> int | None:
    """The id of pacticipant `name` (made when `create`; else None when unknown)."""
    row = conn.execute("SELECT id FROM pacticipants WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return int(row["id"])
    if not create:
        return None
    cursor = conn.execute(
        "INSERT INTO pacticipants (name, created_at) VALUES (?, ?)", (name, now())
    )
    return int(cursor.lastrowid or 0)


def find_version(
    conn: sqlite3.Connection,
    pacticipant_id: int,
    number: str,
    *,
    create: bool,
    branch: str | None = None,
    tags: Sequence[str] = (),
) -> int | None:
    """The id of a version (made when `create`), recording its branch and tags."""
    row = conn.execute(
        "SELECT id, branch FROM versions WHERE pacticipant_id = ? AND number = ?",
        (pacticipant_id, number),
    ).fetchone()
    if row is None:
        if not create:
            return None
        cursor = conn.execute(
            "INSERT INTO versions (pacticipant_id, number, branch, created_at) VALUES (?, ?, ?, ?)",
            (pacticipant_id, number, branch, now()),
        )
        found = int(cursor.lastrowid or 0)
    else:
        found = int(row["id"])
        if branch is not None and row["branch"] != branch:
            conn.execute("UPDATE versions SET branch = ? WHERE id = ?", (branch, found))
    for tag in tags:
        conn.execute(
            "INSERT OR IGNORE INTO tags (version_id, name, created_at) VALUES (?, ?, ?)",
            (found, tag, now()),
        )
    return found


def find_environment(conn: sqlite3.Connection, name: str) -> int:
    """The id of environment `name`; BrokerLookupError listing the known ones when unknown."""
    row = conn.execute("SELECT id FROM environments WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return int(row["id"])
    known = [r["name"] for r in conn.execute("SELECT name FROM environments ORDER BY name")]
    msg = (
        f"environment={name!r} does not exist in the local broker (known: {known or 'none'}); "
        f"create it first with create_environment({name!r})"
    )
    raise BrokerLookupError(msg)


def require_pacticipant(conn: sqlite3.Connection, name: str) -> int:
    """The id of pacticipant `name`; BrokerLookupError listing the known ones when unknown."""
    found = find_pacticipant(conn, name, create=False)
    if found is not None:
        return found
    known = [r["name"] for r in conn.execute("SELECT name FROM pacticipants")]
    msg = (
        f"pacticipant={name!r} is unknown to the local broker "
        f"(known: {sorted(known) or 'none'}); publish a pact or a verification "
        "result for it first"
    )
    raise BrokerLookupError(msg)


def require_version(
    conn: sqlite3.Connection, pacticipant: str, pacticipant_id: int, number: str
) -> int:
    """The id of version `number`; BrokerLookupError naming the latest ones when unknown."""
    found = find_version(conn, pacticipant_id, number, create=False)
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


def latest_pacts(conn: sqlite3.Connection, provider_id: int) -> list[sqlite3.Row]:
    """Each consumer's latest pact with a provider: consumer, number, content_id, sha."""
    return conn.execute(
        "SELECT cp.name AS consumer, cv.number, c.id AS content_id, c.sha "
        "FROM pact_publications pub JOIN versions cv ON cv.id = pub.consumer_version_id "
        "JOIN pacticipants cp ON cp.id = cv.pacticipant_id "
        "JOIN pact_contents c ON c.id = pub.pact_content_id "
        "WHERE pub.id IN (SELECT MAX(p2.id) FROM pact_publications p2 "
        "JOIN versions v2 ON v2.id = p2.consumer_version_id WHERE p2.provider_id = ? "
        "GROUP BY v2.pacticipant_id) ORDER BY cp.name",
        (provider_id,),
    ).fetchall()


def latest_verification(
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
    return bool(row["success"]), not_verified_text(row["interactions"])


def not_verified_text(stored: str | None) -> str:
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
