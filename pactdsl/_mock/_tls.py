"""HTTPS for the mock provider: a throwaway certificate authority, made by trustme.

One authority per process (made on first use; a few milliseconds) signs a
server certificate for ``127.0.0.1``, ``localhost`` and ``::1`` (plus the
mock's own host when it names one). Its certificate is written to a PEM file
in a private temp folder, removed when the process exits, so clients in any
language can trust it (`MockProvider.ca_path`). trustme is an optional
dependency: ``pip install 'pactdsl[tls]'``.
"""

from __future__ import annotations

import atexit
import ipaddress
import shutil
import ssl
import tempfile
import threading
from pathlib import Path
from typing import Any

import attrs

from pactdsl._errors import require_extra

__all__ = ["Authority", "authority"]

_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


@attrs.frozen
class Authority:
    """A throwaway CA and the server context it signed for a set of host names.

    Attributes:
        ca_path: The CA certificate as a PEM file: what clients trust.
        server_context: The server side's context (certificate and key loaded).
    """

    ca_path: Path
    server_context: ssl.SSLContext = attrs.field(repr=False)

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA (and only it), hostnames checked."""
        return ssl.create_default_context(cafile=str(self.ca_path))


_LOCK = threading.Lock()
_CA: Any = None  # the trustme.CA of this process
_FOLDER: Path | None = None
_AUTHORITIES: dict[tuple[str, ...], Authority] = {}


def _names(host: str) -> tuple[str, ...]:
    if host in _WILDCARDS or host in _LOOPBACK_NAMES:
        return _LOOPBACK_NAMES
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return (*_LOOPBACK_NAMES, host)
    return (*_LOOPBACK_NAMES, bare)


def authority(host: str = "127.0.0.1") -> Authority:
    """The process's CA, with a server certificate valid for `host` and the loopback names.

    Raises:
        MissingExtra: when trustme is not installed.
    """
    global _CA, _FOLDER
    require_extra("trustme", "tls", "mock_provider(tls=True)")
    import trustme

    names = _names(host)
    with _LOCK:
        found = _AUTHORITIES.get(names)
        if found is not None:
            return found
        if _CA is None or _FOLDER is None:
            _CA = trustme.CA(organization_name="pactdsl mock provider (throwaway)")
            _FOLDER = Path(tempfile.mkdtemp(prefix="pactdsl-tls-"))
            atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
            _CA.cert_pem.write_to_path(str(_FOLDER / "ca.pem"))
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        _CA.issue_cert(*names).configure_cert(server_context)
        made = Authority(_FOLDER / "ca.pem", server_context)
        _AUTHORITIES[names] = made
        return made
