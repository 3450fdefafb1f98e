"""Which broker to talk to, with what credentials, and the errors of the broker room.

    PactdslError
    └── BrokerError(RuntimeError)            anything the broker room cannot do
        ├── BrokerHTTPError                  the Pact Broker answered with an error status
        ├── BrokerUnavailable(ConnectionError)  no answer, even after retries
        ├── BrokerLookupError(LookupError)   no such pacticipant, version, pact or environment
        └── PactConflictError(ValueError)    a version re-published with different content

Credentials are read from the environment once and kept in `BrokerAuth`, whose
repr shows only which kind of auth is set. Every message the room produces goes
through `BrokerAuth.redact`, so a token or password never reaches a log, a
report or an exception.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import attrs

from pactdsl._errors import PactdslError

if TYPE_CHECKING:
    from pactdsl.broker._local import LocalBroker
    from pactdsl.broker._pact_broker import PactBrokerClient

__all__ = [
    "DEFAULT_LOCAL_BROKER_PATH",
    "BrokerAuth",
    "BrokerError",
    "BrokerHTTPError",
    "BrokerLookupError",
    "BrokerUnavailable",
    "PactConflictError",
    "get_broker",
    "split_credentials",
]

DEFAULT_LOCAL_BROKER_PATH = ".pactdsl/broker.db"
T = TypeVar("T", int, float)
REDACTED = "***"
# An Authorization value a server or proxy echoes back: "Basic dXNlcjpwdw==", "Bearer abc".
_AUTHORIZATION_VALUE = re.compile(r"\b(Basic|Bearer)(\s+)[A-Za-z0-9._~+/=-]{4,}", re.IGNORECASE)


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each of `secrets` and any Basic/Bearer credential replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return str(_AUTHORIZATION_VALUE.sub(rf"\1\2{REDACTED}", text))


class BrokerError(PactdslError, RuntimeError):
    """A broker (local or Pact Broker) could not do what was asked."""


class BrokerHTTPError(BrokerError):
    """The Pact Broker answered with an error status (after any retries).

    Attributes:
        status: The HTTP status code.
        method: The request method.
        url: The request URL, without credentials.
    """

    def __init__(self, message: str, *, status: int, method: str, url: str) -> None:
        self.status = status
        self.method = method
        self.url = url
        super().__init__(message)


class BrokerUnavailable(BrokerError, ConnectionError):
    """The Pact Broker could not be reached, even after retries."""


class BrokerLookupError(BrokerError, LookupError):
    """A pacticipant, version, pact or environment the call names does not exist."""


class PactConflictError(BrokerError, ValueError):
    """A consumer version was published again with a different pact."""


@attrs.frozen(repr=False)
class BrokerAuth:
    """Credentials for a Pact Broker: basic auth or a bearer token (or none).

    The repr and every message made with `redact` hide the secrets.
    """

    username: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BrokerAuth:
        """Read ``PACT_BROKER_USERNAME``/``PACT_BROKER_PASSWORD`` or ``PACT_BROKER_TOKEN``.

        A token wins over basic auth when both are set, as in the Pact Broker CLI.
        """
        env = os.environ if env is None else env
        token = env.get("PACT_BROKER_TOKEN") or None
        if token:
            return cls(token=token)
        username = env.get("PACT_BROKER_USERNAME") or None
        password = env.get("PACT_BROKER_PASSWORD") or None
        return cls(username=username, password=password)

    @property
    def kind(self) -> str:
        """``"bearer"``, ``"basic"`` or ``"none"``."""
        if self.token:
            return "bearer"
        if self.username is not None or self.password is not None:
            return "basic"
        return "none"

    def secrets(self) -> tuple[str, ...]:
        """The secret strings to hide in any text (longest first).

        With basic auth, also ``base64(user:password)`` as a header carries it
        (standard and URL-safe alphabets, with and without padding).
        """
        values = {v for v in (self.token, self.password) if v}
        if self.kind == "basic":
            pair = f"{self.username or ''}:{self.password or ''}".encode()
            for encoded in (base64.b64encode(pair), base64.urlsafe_b64encode(pair)):
                values |= {encoded.decode(), encoded.decode().rstrip("=")}
        return tuple(sorted(values, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """`text` with every secret, in every form, and any echoed credential replaced."""
        return redact_secrets(text, self.secrets())

    def __repr__(self) -> str:
        if self.kind == "bearer":
            return f"BrokerAuth(token={REDACTED!r})"
        if self.kind == "basic":
            return f"BrokerAuth(username={self.username!r}, password={REDACTED!r})"
        return "BrokerAuth()"


def split_credentials(base_url: str) -> tuple[str, str | None, str | None]:
    """Remove ``user:password@`` from a URL; return the clean URL, user and password.

    A broker URL with credentials inside would otherwise end up in every message
    that names a URL.
    """
    parts = urlsplit(base_url)
    if parts.username is None and parts.password is None:
        return base_url.rstrip("/"), None, None
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal needs its brackets back
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean.rstrip("/"), user, password


def get_broker(
    path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
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
    env = os.environ if env is None else env
    base_url = env.get("PACT_BROKER_BASE_URL", "").strip()
    if base_url:
        from pactdsl.broker._pact_broker import PactBrokerClient

        return PactBrokerClient(
            base_url,
            auth=BrokerAuth.from_env(env),
            retries=_number(env, "PACTDSL_BROKER_RETRIES", 4, int),
            backoff=_number(env, "PACTDSL_BROKER_BACKOFF", 0.5, float),
        )
    from pactdsl.broker._local import LocalBroker

    chosen = path if path is not None else env.get("PACTDSL_BROKER_DB") or DEFAULT_LOCAL_BROKER_PATH
    return LocalBroker(Path(chosen))


def _number(env: Mapping[str, str], name: str, default: T, kind: Callable[[str], T]) -> T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        msg = f"{name}={raw!r} must be a {kind.__name__}; unset it for the default {default}"
        raise ValueError(msg) from None
