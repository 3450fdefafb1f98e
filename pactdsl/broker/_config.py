"""Which broker the environment names, and the credentials to reach a Pact Broker with.

Credentials are read from the environment once and kept in `BrokerAuth`, whose
repr shows only which kind of auth is set. Every message the room produces goes
through `BrokerAuth.redact`, so a token or password never reaches a log, a
report or an exception. `pactdsl.broker.get_broker` reads the rest of the
configuration through `env_number`.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import attrs

__all__ = [
    "DEFAULT_LOCAL_BROKER_PATH",
    "BrokerAuth",
    "env_number",
    "redact_secrets",
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


def env_number(env: Mapping[str, str], name: str, default: T, kind: Callable[[str], T]) -> T:
    """The number `name` holds in `env` (`default` when unset or blank).

    Raises:
        ValueError: naming the variable when its value is not a `kind`.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        msg = f"{name}={raw!r} must be a {kind.__name__}; unset it for the default {default}"
        raise ValueError(msg) from None
