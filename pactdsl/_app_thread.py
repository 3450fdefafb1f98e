"""One daemon thread that runs an in-process app's calls, so the caller can stop waiting.

The verifier runs an in-process WSGI app here (an ASGI app has its loop's own
thread): an app that never returns costs the caller one timeout, and the thread
is left behind as a daemon instead of hanging the run.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pactdsl._app_request import AppTimeout

__all__ = ["AppThread"]

_T = TypeVar("_T")

_AppCall = tuple[Callable[[], Any], "concurrent.futures.Future[Any]"]


class AppThread:
    """One daemon thread that runs an in-process app's calls, one at a time."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[_AppCall | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="pactdsl-app", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (item := self._calls.get()) is not None:
            call, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as exc:  # handed to the caller, who reports it
                    future.set_exception(exc)

    def run(self, call: Callable[[], _T], seconds: float) -> _T:
        """`call()`'s result, or `AppTimeout` when it takes over `seconds`."""
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        context = contextvars.copy_context()
        self._calls.put((lambda: context.run(call), future))
        try:
            return future.result(seconds)
        except concurrent.futures.TimeoutError:
            msg = f"the app did not return within {seconds}s"
            raise AppTimeout(msg) from None

    def stop(self) -> None:
        """Let the thread end once it is free (a hung call keeps it, as a daemon)."""
        self._calls.put(None)
