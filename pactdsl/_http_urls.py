"""Absolute http(s) URLs, checked and split, and the redirect loop between them.

`split_url` is the one URL parser of the HTTP code: the client connects to what
it gives, and the verifier compares origins with it. `send_following_redirects`
follows redirects over any ``send_once(method, url, headers, body) -> RawResponse``
callable, so a provider on a port and an in-process app share one loop.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Literal
from urllib.parse import quote, unquote, urljoin, urlsplit

import attrs

from pactdsl._http_answers import RawResponse, TransportFailure
from pactdsl._http_errors import InvalidURL, TooManyRedirects

__all__ = [
    "MAX_REDIRECTS",
    "Redirects",
    "SendOnce",
    "SplitUrl",
    "client_defaults",
    "request_head",
    "send_following_redirects",
    "split_url",
]

Redirects = bool | Literal["any-origin"]
SendOnce = Callable[[str, str, Sequence[tuple[str, str]], bytes | None], RawResponse]
"""Sends one request (method, absolute URL, header pairs, body) and reads the whole answer."""

MAX_REDIRECTS = 20
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Characters kept as they are in a request target: RFC 3986 pchar, '/' and '%'
# (so what is already percent-encoded is not encoded twice), '?' in the query.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_HOST_FORBIDDEN = frozenset(" \t\r\n\x00/\\#?@%<>^|[]")
# Methods whose request says its (possibly empty) body's length, as clients do.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@attrs.frozen
class SplitUrl:
    """An absolute http(s) URL, checked: where to connect and what to ask for.

    Attributes:
        scheme: "http" or "https".
        host: The host, IDNA-encoded, without IPv6 brackets.
        port: The port (the scheme's default when the URL names none).
        target: The percent-encoded path and query, as the request line sends it.
        authorization: A Basic ``Authorization`` value from ``user:password@``, or None.
    """

    scheme: str
    host: str
    port: int
    target: str
    authorization: str | None = None

    @property
    def origin(self) -> tuple[str, str, int]:
        """(scheme, host, port): two URLs with equal origins reach the same server."""
        return (self.scheme, self.host, self.port)

    @property
    def authority(self) -> str:
        """``host[:port]`` as the Host header sends it (the port only when not the default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The URL again, normalised (no credentials, no fragment)."""
        return f"{self.scheme}://{self.authority}{self.target}"


def client_defaults(user_agent: str) -> tuple[tuple[str, str], ...]:
    """The headers a client adds to every request; only the codings we inflate are offered."""
    return (
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate"),
        ("Connection", "keep-alive"),
        ("User-Agent", user_agent),
    )


def request_head(
    method: str,
    where: SplitUrl,
    headers: Sequence[tuple[str, str]],
    body: bytes | None,
    defaults: Sequence[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The header pairs a client sends: Host, `defaults` and length unless `headers` name them.

    Shared by the client on the network and the in-process drivers, so an app in
    process sees the headers it would see behind a server.
    """
    given = {name.lower() for name, _ in headers}
    head = [] if "host" in given else [("Host", where.authority)]
    head += [(name, value) for name, value in defaults if name.lower() not in given]
    head += headers
    if where.authorization is not None and "authorization" not in given:
        head.append(("Authorization", where.authorization))
    if not given & {"content-length", "transfer-encoding"} and (
        body or method.upper() in _BODY_METHODS
    ):
        head.append(("Content-Length", str(len(body or b""))))
    return head


def split_url(url: str) -> SplitUrl:
    """Check `url` and split it into what a request needs.

    Raises:
        InvalidURL: when it is not an absolute http(s) URL with a usable host and port.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        msg = f"{url!r} is not a URL ({exc})"
        raise InvalidURL(msg) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        msg = f"{url!r} is not an absolute http:// or https:// URL"
        raise InvalidURL(msg)
    if not host or _HOST_FORBIDDEN.intersection(host) or any(ord(c) < 32 for c in host):
        msg = f"{url!r} has no usable host ({host!r})"
        raise InvalidURL(msg)
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            msg = f"{url!r} has a host that is not a valid name ({exc})"
            raise InvalidURL(msg) from None
    target = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_QUERY_SAFE)
    authorization = None
    if parts.username is not None or parts.password is not None:
        pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return SplitUrl(scheme, host, port or _DEFAULT_PORTS[scheme], target, authorization)


def _lenient_origin(url: str) -> tuple[str, str, int] | None:
    """The origin of `url`, or None when it has none (another scheme, a garbled port)."""
    try:
        return split_url(url).origin
    except InvalidURL:
        return None


def send_following_redirects(
    send_once: SendOnce,
    method: str,
    url: str,
    headers: Sequence[tuple[str, str]],
    body: bytes | None,
    *,
    follow: Redirects,
    origin: str | None = None,
    max_redirects: int = MAX_REDIRECTS,
) -> RawResponse:
    """Send a request with `send_once` and follow its redirects as browsers (and httpx) do.

    303, and 302 (or 301) after a POST, turn the request into a body-less GET;
    307 and 308 repeat it as it was. Authorization is dropped when leaving
    the origin, Host and Cookie on every hop.

    Args:
        send_once: Sends one request and reads the whole answer (`HttpClient.send_once`
            with its bounds bound, or an in-process app's driver).
        method: The HTTP method.
        url: An absolute URL.
        headers: Header pairs.
        body: The body bytes, or None.
        follow: False returns the first answer; True follows redirects within
            `origin` only; "any-origin" follows them anywhere.
        origin: The URL whose origin ``follow=True`` keeps to (default: `url`).
        max_redirects: The most hops followed.

    Raises:
        TransportFailure: reason "unsafe" for a redirect away from `origin`
            when `follow` is True.
        TooManyRedirects: after `max_redirects` hops.
        InvalidURL: for a Location that is not an http(s) URL.
    """
    answer = send_once(method, url, headers, body)
    if not follow:
        return answer
    home = origin or url
    for _ in range(max_redirects):
        location = answer.header("Location")
        if answer.status not in _REDIRECT_STATUSES or location is None:
            return answer
        try:
            target = urljoin(url, location.strip())
        except ValueError as exc:  # e.g. "http://[::1/x": urllib's own traceback otherwise
            msg = f"{url} redirected ({answer.status}) to Location {location!r}: {exc}"
            raise InvalidURL(msg) from None
        if follow is True and _lenient_origin(target) != _lenient_origin(home):
            msg = (
                f"{url} redirected ({answer.status}) to {target}, another origin than "
                f"{home}; pactdsl does not follow it (pass follow_redirects='any-origin' "
                "to allow it)"
            )
            raise TransportFailure("unsafe", msg)
        same_origin = _lenient_origin(target) == _lenient_origin(url)
        method, headers, body = _redirected(answer.status, method, headers, body, same_origin)
        url = target
        answer = send_once(method, url, headers, body)
    if answer.status in _REDIRECT_STATUSES and answer.header("Location") is not None:
        msg = f"{url} still redirects after {max_redirects} redirects"
        raise TooManyRedirects(msg)
    return answer


def _redirected(
    status: int,
    method: str,
    headers: Sequence[tuple[str, str]],
    body: bytes | None,
    same_origin: bool,
) -> tuple[str, list[tuple[str, str]], bytes | None]:
    """The method, headers and body of the request a redirect with `status` asks for."""
    upper = method.upper()
    to_get = (status in (302, 303) and upper != "HEAD") or (status == 301 and upper == "POST")
    dropped = {"host", "cookie"}
    if not same_origin:
        dropped.add("authorization")
    if to_get:
        dropped |= {"content-length", "transfer-encoding"}
    kept = [(name, value) for name, value in headers if name.lower() not in dropped]
    return ("GET", kept, None) if to_get else (method, kept, body)
