"""A WSGI app verified in-process: one request in, its whole answer out, no socket.

`call_wsgi` is the driver: it builds the PEP 3333 environ a server would,
calls the app with a ``start_response`` that keeps PEP 3333's rules (a second
call only with ``exc_info``; ``exc_info`` after the body started re-raises),
reads the returned iterable up to the byte cap and always calls its
``close()``. An app that reports an exception through ``exc_info`` has failed:
the verifier reports that exception (and its traceback), not the error page.

`WsgiRunner` runs each call on a daemon thread (`AppThread`), so an app that
never returns costs the caller one timeout instead of the whole run.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import unquote_to_bytes

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
from pactdsl._app_thread import AppThread
from pactdsl._http_answers import BodyTooLarge, RawResponse, standard_reason

__all__ = ["WsgiRunner", "call_wsgi", "wsgi_environ"]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# The client address an in-process request comes from.
_REMOTE_ADDR = "127.0.0.1"


def wsgi_environ(request: AppRequest) -> dict[str, Any]:
    """The PEP 3333 environ for `request`.

    PATH_INFO is the percent-decoded path as Latin-1 text (each byte one
    character), as PEP 3333 says; repeated headers are joined with ", ".
    """
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(request.raw_path).decode("latin-1"),
        "QUERY_STRING": request.query.decode("latin-1"),
        "SERVER_NAME": request.host,
        "SERVER_PORT": str(request.port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": _REMOTE_ADDR,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": request.scheme,
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        text = header_bytes(value).decode("latin-1")
        environ[key] = f"{environ[key]}, {text}" if key in environ else text
    return environ


def _status(status: Any) -> tuple[int, str]:
    """The code and reason of a WSGI status line such as ``"200 OK"``."""
    code, _, reason = str(status).partition(" ")
    if not (isinstance(status, str) and len(code) == 3 and code.isdigit()):
        msg = f"its status={status!r} is not a WSGI status line such as '200 OK'"
        raise AppProtocolError(msg)
    return int(code), reason.strip() or standard_reason(int(code))


class _Answer:
    """The app's side of one call: its status, headers and body, checked against PEP 3333."""

    def __init__(self, request: AppRequest, cap: int) -> None:
        self._request = request
        self._cap = cap
        self.status: tuple[int, str] | None = None
        self.headers: list[tuple[str, str]] = []
        self.body: BodyReader | None = None
        self.body_started = False
        self.reported: BaseException | None = None  # the exception the app passed as exc_info

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None:
            self.reported = exc_info[1]
            if self.body_started:  # too late to change the answer: PEP 3333 re-raises
                raise exc_info[1].with_traceback(exc_info[2])
        elif self.status is not None:
            msg = "it called start_response a second time without exc_info"
            raise AppProtocolError(msg)
        self.status = _status(status)
        self.headers = answer_headers(headers, raw=False)
        self.body = BodyReader(self._cap, first_header(self.headers, "content-encoding"))
        return self.write

    def write(self, chunk: bytes) -> None:
        """The legacy ``write`` callable: the chunk goes before the iterable's."""
        if self.body is None:
            msg = "it wrote a body before calling start_response"
            raise AppProtocolError(msg)
        if not isinstance(chunk, bytes | bytearray):
            msg = f"its body gave a {type(chunk).__name__}, not bytes: {chunk!r:.60}"
            raise AppProtocolError(msg)
        if chunk and self._request.method != "HEAD":
            self.body_started = True
            self.body.add(bytes(chunk))

    def response(self) -> RawResponse:
        """The answer, once the iterable is read."""
        if self.reported is not None:
            raise self.reported
        if self.status is None or self.body is None:
            msg = "it returned without calling start_response"
            raise AppProtocolError(msg)
        code, reason = self.status
        self.body.check_length(self.headers, self._request.method, code)
        return RawResponse(code, tuple(self.headers), self.body.body(), reason)


def call_wsgi(app: Any, request: AppRequest, cap: int) -> RawResponse:
    """Call the WSGI `app` with `request` and read its answer (body at most `cap` bytes).

    Raises:
        BodyTooLarge: when the body goes over `cap` (sent, or inflated).
        AppProtocolError: when the app breaks PEP 3333, e.g. never calls
            start_response.
        Exception: whatever the app raised, or passed as ``exc_info``.
    """
    answer = _Answer(request, cap)
    result: Iterable[bytes] = app(wsgi_environ(request), answer.start_response)
    try:
        for chunk in result:
            answer.write(chunk)
    except Exception:
        if answer.body is not None and answer.body.over:
            raise BodyTooLarge from None
        raise
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer.response()


class WsgiRunner:
    """A WSGI app whose calls run on a daemon thread: `send_once`, then `close`.

    Args:
        app: The WSGI application.
        timeout: Seconds for each request.
        cap: The most bytes of an answer's body (Limits.max_body_bytes).
    """

    def __init__(self, app: Any, *, timeout: float, cap: int) -> None:
        self._app = app
        self.timeout = timeout
        self._cap = cap
        self._thread = AppThread()

    def start(self) -> None:
        """Nothing to start: WSGI has no lifespan."""

    def send_once(
        self, method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes | None
    ) -> RawResponse:
        """Send one request to the app and read its answer; redirects are the caller's.

        Raises:
            AppTimeout: when the app does not answer within `timeout`.
            BodyTooLarge: when the body goes over the cap.
            AppProtocolError: when the app breaks PEP 3333.
            Exception: whatever the app raised.
        """
        request = app_request(method, url, headers, body)
        try:
            return self._thread.run(lambda: call_wsgi(self._app, request, self._cap), self.timeout)
        except AppTimeout:
            # The hung call keeps its thread; the next request gets a fresh one.
            self._thread.stop()
            self._thread = AppThread()
            raise

    def close(self) -> str | None:
        """Let the app's thread end; nothing can go wrong in a WSGI app's shutdown."""
        self._thread.stop()
        return None
