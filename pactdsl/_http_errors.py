"""Why a request got no HTTP answer: the errors of `_http_client.py` and `_http_urls.py`.

Each names one cause; `failure_reason` maps them onto `TransportFailure`
reasons. The hierarchy::

    HttpError
    ├── InvalidURL, LocalProtocolError, DecodingError, TooManyRedirects, ProxyError
    └── TransportError (the connection failed or broke)
        ├── ConnectError, ReadError, WriteError, RemoteProtocolError
        └── ConnectTimeout, ReadTimeout, WriteTimeout (also TimeoutError)
"""

from __future__ import annotations

from pactdsl._http_answers import FailureReason
from pactdsl._http_target import tls_error

__all__ = [
    "ConnectError",
    "ConnectTimeout",
    "DecodingError",
    "HttpError",
    "InvalidURL",
    "LocalProtocolError",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "TooManyRedirects",
    "TransportError",
    "WriteError",
    "WriteTimeout",
    "failure_reason",
]


class HttpError(Exception):
    """A request got no HTTP answer; the subclass says why."""


class InvalidURL(HttpError):
    """The URL cannot be sent to: not absolute http(s), or a bad host or port."""


class LocalProtocolError(HttpError):
    """The request cannot be written: an illegal method, header name or value."""


class DecodingError(HttpError):
    """The body does not decode as its Content-Encoding says."""


class TooManyRedirects(HttpError):
    """Redirects went on for more than the allowed number of hops."""


class ProxyError(HttpError):
    """The proxy refused the CONNECT tunnel, or its URL is not an http:// proxy."""


class TransportError(HttpError):
    """The connection failed, or broke, before the whole answer arrived."""


class ConnectError(TransportError):
    """No connection (refused, unknown host, unreachable, or the TLS handshake failed)."""


class ReadError(TransportError):
    """Reading the answer failed (the connection was reset)."""


class WriteError(TransportError):
    """Writing the request failed (the connection was reset or closed)."""


class RemoteProtocolError(TransportError):
    """The server broke HTTP: a garbled status line or headers, a body cut short."""


class ConnectTimeout(TransportError, TimeoutError):
    """No connection (or TLS handshake) within the time allowed."""


class ReadTimeout(TransportError, TimeoutError):
    """The answer did not arrive within the time allowed."""


class WriteTimeout(TransportError, TimeoutError):
    """The request could not be written within the time allowed."""


def failure_reason(exc: BaseException) -> FailureReason:
    """The `TransportFailure` reason for `exc`; "app" for anything not from this module."""
    if tls_error(exc) is not None:
        return "tls"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectError):
        return "connect"
    if isinstance(exc, TransportError):
        return "network"
    if isinstance(exc, HttpError):
        return "http"
    return "app"
