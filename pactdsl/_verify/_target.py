"""What a verification talks to: a running provider (URL) or an in-process ASGI/WSGI app.

The target also says how to reach it (timeout, TLS, redirects, ASGI lifespan,
limits on what an answer may cost) and what produces the provider's messages
(in-process producers, or the provider's message endpoint).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from os import PathLike
from typing import Any, Literal

import attrs

from pactdsl._http import ProviderTransport, check_base_url, open_transport, tls_verification
from pactdsl._limits import Limits
from pactdsl._verify._config import VerificationConfigError
from pactdsl._verify._messages import check_message_producers, no_http_provider

__all__ = ["Target", "target"]

Redirects = bool | Literal["any-origin"]
TlsCheck = bool | str | PathLike[str]


@attrs.frozen(kw_only=True)
class Target:
    """The checked target of a verification; `open_transport` gives what sends to it.

    Attributes:
        base_url: The running provider's URL (checked), or None for `app`.
        app: The in-process ASGI/WSGI app (a stand-in that answers nothing when
            only messages are verified).
        http_target: Whether an HTTP provider was given (`base_url` or `app`).
        timeout: Seconds to wait for each answer.
        follow_redirects: False, True (within the provider's origin) or ``"any-origin"``.
        verify_tls: True, False, or the path of a PEM CA bundle to trust.
        lifespan: Whether an ASGI app's lifespan startup and shutdown run.
        limits: Bounds on what pacts and answers may cost (None: those in force).
        message_producers: Message description (or state name) to producer function.
        messages_url: The provider's message endpoint (a path on the provider, or a URL).
    """

    base_url: str | None = None
    app: Any = None
    http_target: bool = True
    timeout: float = 30.0
    follow_redirects: Redirects = False
    verify_tls: TlsCheck = True
    lifespan: bool = True
    limits: Limits | None = None
    message_producers: Mapping[str, Callable[..., Any]] | None = None
    messages_url: str | None = None

    def open_transport(self) -> ProviderTransport:
        """A transport to the provider; call its ``start`` before the first request."""
        return open_transport(
            base_url=self.base_url,
            app=self.app,
            timeout=self.timeout,
            follow_redirects=self.follow_redirects,
            verify_tls=self.verify_tls,
            lifespan=self.lifespan,
        )


def target(
    *,
    base_url: str | None = None,
    app: Any = None,
    timeout: float = 30.0,
    follow_redirects: Redirects = False,
    verify_tls: TlsCheck = True,
    lifespan: bool = True,
    limits: Limits | None = None,
    message_producers: Mapping[str, Callable[..., Any]] | None = None,
    messages_url: str | None = None,
) -> Target:
    """The checked target: exactly one of `base_url` and `app`, unless only messages are verified.

    Raises:
        VerificationConfigError: for both or neither of `base_url` and `app`, a
            bad URL, timeout or redirect choice, an unreadable CA bundle, or a
            `messages_url` path with no provider to send it to.
        TypeError: for message producers or limits of the wrong type.
    """
    if not isinstance(verify_tls, bool):
        try:
            tls_verification(verify_tls)
        except ValueError as exc:
            raise VerificationConfigError(str(exc)) from None
    if follow_redirects not in (True, False, "any-origin"):
        msg = (
            f"follow_redirects={follow_redirects!r} must be False (match a redirect as is), "
            "True (follow it within the provider's origin) or 'any-origin'"
        )
        raise VerificationConfigError(msg)
    if limits is not None and not isinstance(limits, Limits):
        msg = f"limits={limits!r} ({type(limits).__name__}): give a pactdsl.Limits"
        raise TypeError(msg)
    http_target = base_url is not None or app is not None
    if message_producers is not None or messages_url is not None:
        if message_producers is not None:
            check_message_producers(message_producers)
        if messages_url is not None and not http_target and messages_url.startswith("/"):
            msg = (
                f"messages_url={messages_url!r} is a path on the provider, but neither "
                "base_url= nor app= was given; give one, or a full http(s) URL"
            )
            raise VerificationConfigError(msg)
        if not http_target:
            app = no_http_provider  # message-only: HTTP interactions are not verified
    if (base_url is None) == (app is None):
        msg = (
            f"give exactly one of base_url= (a running provider) or app= (an ASGI/WSGI "
            f"application), got base_url={base_url!r} and app={app!r}"
        )
        raise VerificationConfigError(msg)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        msg = f"timeout={timeout!r} must be a positive number of seconds"
        raise VerificationConfigError(msg)
    if base_url is not None:
        try:
            base_url = check_base_url(base_url)
        except ValueError as exc:
            raise VerificationConfigError(str(exc)) from None
    return Target(
        base_url=base_url,
        app=app,
        http_target=http_target,
        timeout=float(timeout),
        follow_redirects=follow_redirects,
        verify_tls=verify_tls,
        lifespan=lifespan,
        limits=limits,
        message_producers=message_producers,
        messages_url=messages_url,
    )
