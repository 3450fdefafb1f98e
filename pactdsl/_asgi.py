"""An ASGI 3 app verified in-process: one request in, its whole answer out, no socket.

`call_asgi` is the driver: it builds the ``http`` scope a server (or httpx's
ASGITransport) would, hands the app the request body in one ``http.request``
message (then ``http.disconnect`` once the answer is complete), and gathers
``http.response.start`` and ``http.response.body`` messages into a
`RawResponse`, stopping the app as soon as its body goes over the byte cap.

`AsgiRunner` runs the app the way the verifier needs: on an event loop of its
own, on a daemon thread, with the app's lifespan startup before the first
request and shutdown after the last. Each request is bounded by a timeout
inside the loop, and by the same timeout plus a grace outside it, for an app
that blocks its loop (a sync sleep in an async endpoint): that app's request
fails, and so does every later one, since the loop never comes back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine, Mapping, MutableMapping, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

from pactdsl._app_request import (
    AppProtocolError,
    AppRequest,
    AppTimeout,
    BodyReader,
    answer_headers,
    app_request,
    first_header,
    header_bytes,
)
from pactdsl._http_answers import BodyTooLarge, RawResponse, TransportFailure, standard_reason
from pactdsl._lifespan import Lifespan

__all__ = ["AsgiRunner", "asgi_scope", "call_asgi"]

_T = TypeVar("_T")
Message = MutableMapping[str, Any]

# How long past its timeout the caller waits for an app that blocks its event
# loop; the timeout inside the loop ends one that merely awaits too long.
_GRACE_SECONDS = 1.0
# The client address an in-process request comes from (as httpx's ASGITransport says).
_CLIENT = ("127.0.0.1", 123)


def asgi_scope(request: AppRequest) -> dict[str, Any]:
    """The ``http`` connection scope for `request` (ASGI 3, HTTP/1.1)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": unquote(request.raw_path.decode("ascii"), errors="replace"),
        "raw_path": request.raw_path,
        "query_string": request.query,
        "root_path": "",
        "headers": [
            (header_bytes(name.lower()), header_bytes(value)) for name, value in request.headers
        ],
        "server": (request.host, request.port),
        "client": _CLIENT,
    }


def _status(status: Any) -> int:
    """The status code of an http.response.start message."""
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    if isinstance(status, str) and status.isdigit():
        return int(status)  # not ASGI, but unambiguous: taken as it always was
    msg = f"its http.response.start has status={status!r}, not an int such as 200"
    raise AppProtocolError(msg)


class _Answer:
    """The app's side of one exchange: what it sent, checked against the protocol."""

    def __init__(self, request: AppRequest, cap: int) -> None:
        self._request = request
        self._cap = cap
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.body: BodyReader | None = None
        self.complete = asyncio.Event()  # set once the body ended, or the app returned
        self.ended = False  # the app sent its last body message (more_body=False)
        self._request_sent = False

    async def receive(self) -> Message:
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": self._request.body, "more_body": False}
        # As a server: the client is there until the answer is complete.
        await self.complete.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if not isinstance(message, Mapping):
            msg = f"it sent {message!r:.60}, not an ASGI message (a dict)"
            raise AppProtocolError(msg)
        kind = message.get("type")
        if kind == "http.response.start":
            if self.status is not None:
                msg = "it sent http.response.start twice"
                raise AppProtocolError(msg)
            self.status = _status(message.get("status"))
            self.headers = answer_headers(message.get("headers", []), raw=True)
            encoding = first_header(self.headers, "content-encoding")
            self.body = BodyReader(self._cap, encoding)
        elif kind == "http.response.body":
            if self.body is None:
                msg = "it sent http.response.body before http.response.start"
                raise AppProtocolError(msg)
            if self.ended:
                msg = "it sent http.response.body after its last one (more_body=False)"
                raise AppProtocolError(msg)
            chunk = message.get("body", b"")
            if not isinstance(chunk, bytes | bytearray):
                msg = f"its http.response.body holds a {type(chunk).__name__} body, not bytes"
                raise AppProtocolError(msg)
            if chunk and self._request.method != "HEAD":
                self.body.add(bytes(chunk))  # over the cap: BodyTooLarge stops the app here
            if not message.get("more_body", False):
                self.ended = True
                self.complete.set()

    def response(self) -> RawResponse:
        """The answer, once the app has returned."""
        if self.body is not None and self.body.over:
            raise BodyTooLarge  # even when the app caught the error its send raised
        if self.status is None or self.body is None:
            msg = "it returned without starting a response (no http.response.start)"
            raise AppProtocolError(msg)
        if not self.ended:
            msg = "it returned before ending its body (its last http.response.body had more_body)"
            raise AppProtocolError(msg)
        self.body.check_length(self.headers, self._request.method, self.status)
        return RawResponse(
            self.status, tuple(self.headers), self.body.body(), standard_reason(self.status)
        )


async def call_asgi(app: Any, request: AppRequest, cap: int) -> RawResponse:
    """Send `request` to the ASGI `app` and gather its answer (body at most `cap` bytes).

    Raises:
        BodyTooLarge: when the body goes over `cap` (sent, or inflated).
        AppProtocolError: when the app breaks the protocol, e.g. returns
            without starting a response.
        Exception: whatever the app raised, as it is.
    """
    answer = _Answer(request, cap)
    try:
        await app(asgi_scope(request), answer.receive, answer.send)
    except Exception:
        if answer.body is not None and answer.body.over:
            raise BodyTooLarge from None
        raise
    finally:
        answer.complete.set()  # a task of the app still listening hears the disconnect
    return answer.response()


async def _within(coro: Coroutine[Any, Any, _T], seconds: float) -> _T:
    """`await coro`, ended with `AppTimeout` after `seconds` (the app's own TimeoutError passes)."""
    scope = asyncio.timeout(seconds)
    try:
        async with scope:
            return await coro
    except TimeoutError:
        if scope.expired():
            msg = f"no answer within {seconds}s"
            raise AppTimeout(msg) from None
        raise


class AsgiRunner:
    """An ASGI app on its own event loop and thread: `start`, `send_once`, then `close`.

    Args:
        app: The ASGI 3 application.
        timeout: Seconds for the lifespan startup and shutdown, and for each request.
        cap: The most bytes of an answer's body (Limits.max_body_bytes).
        lifespan: Whether to run the app's lifespan startup and shutdown.
        request_seconds: A tighter bound for each request (Limits.response_seconds),
            as a provider on a port gets; None: `timeout`.
    """

    def __init__(
        self,
        app: Any,
        *,
        timeout: float,
        cap: int,
        lifespan: bool,
        request_seconds: float | None = None,
    ) -> None:
        self.timeout = timeout
        self._request_seconds = (
            timeout if request_seconds is None else min(timeout, request_seconds)
        )
        self._cap = cap
        self._lifespan = Lifespan(app) if lifespan else None
        self._app = self._lifespan.app if self._lifespan is not None else app
        self._stuck: str | None = None  # the request the app's blocked loop never answered
        # The app's loop runs on a thread of its own (as Starlette's TestClient
        # runs it), so a caller already inside an event loop can verify too.
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="pactdsl-asgi", daemon=True
        )
        self._thread.start()

    def start(self) -> None:
        """Run the app's lifespan startup, when there is one to run.

        Raises:
            LifespanFailure: when the app's startup fails or does not finish in time.
        """
        if self._lifespan is not None:
            self._run(self._lifespan.startup(self.timeout), None, "the lifespan")

    def send_once(
        self, method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes | None
    ) -> RawResponse:
        """Send one request to the app and gather its answer; redirects are the caller's.

        Raises:
            AppTimeout: when the app does not answer within the request's bound.
            TransportFailure: "timeout", when an earlier request left the loop blocked.
            BodyTooLarge: when the body goes over the cap.
            AppProtocolError: when the app breaks the protocol.
            Exception: whatever the app raised.
        """
        request = app_request(method, url, headers, body)
        answer = call_asgi(self._app, request, self._cap)
        return self._run(answer, self._request_seconds, f"{method} {url}")

    def _run(self, coro: Coroutine[Any, Any, _T], seconds: float | None, label: str) -> _T:
        """Run `coro` on the app's loop, within `seconds` (None: `coro` bounds itself)."""
        self._refuse_when_stuck(label)
        bounded = coro if seconds is None else _within(coro, seconds)
        waited = self.timeout if seconds is None else seconds
        future = asyncio.run_coroutine_threadsafe(bounded, self._loop)
        try:
            # The bound inside the loop ends an app awaiting too long; this wait
            # ends one that blocks its loop.
            return future.result(waited + _GRACE_SECONDS)
        except concurrent.futures.TimeoutError:
            if future.done():  # raised inside the loop: the bound's, or the app's own
                raise
            self._stuck = label
            future.cancel()
            msg = f"the app blocked its event loop for over {waited}s answering {label}"
            raise AppTimeout(msg) from None

    def _refuse_when_stuck(self, label: str) -> None:
        if self._stuck is not None:
            msg = (
                f"the in-process app has not returned from {self._stuck} (it ran over "
                f"timeout={self.timeout}s), so {label} cannot be sent; fix the app's hang "
                "or verify it on a port (base_url=...)"
            )
            raise TransportFailure("timeout", msg)

    def close(self) -> str | None:
        """Run the lifespan shutdown and stop the loop; say what went wrong, or None."""
        if self._stuck is not None:
            # The loop is still blocked by the app: leave its daemon thread behind.
            return f"the app never returned from {self._stuck}"
        problem = None
        if self._lifespan is not None:
            try:
                problem = self._run(self._lifespan.shutdown(self.timeout), None, "the lifespan")
            except TimeoutError as exc:
                return str(exc)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        return problem
