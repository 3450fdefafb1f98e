"""The ASGI lifespan protocol around an in-process verification.

A FastAPI or Starlette app opens its database, client or cache in a
``lifespan`` handler; served by uvicorn (or Starlette's TestClient) that runs
before the first request. `Lifespan` does the same for the verifier: it sends
``lifespan.startup`` before the first interaction and ``lifespan.shutdown``
after the last, and hands the state the handler set to each request's scope
(``scope["state"]``), as servers do. An app that does not speak the protocol
(it raises or returns on the lifespan scope, or answers something else) is
served without it, as uvicorn's ``lifespan="auto"`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["Lifespan", "LifespanFailure"]

Message = MutableMapping[str, Any]

_RETURNED = {"type": "pactdsl.returned"}  # the app's lifespan call ended


class LifespanFailure(Exception):
    """The app's lifespan startup failed or did not finish; the message says which."""


class Lifespan:
    """One app's lifespan: `startup`, then `app` for requests, then `shutdown`."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self.state: dict[str, Any] = {}
        self.supported = False
        self._task: asyncio.Task[None] | None = None
        self._to_app: asyncio.Queue[Message] | None = None
        self._from_app: asyncio.Queue[Message] | None = None
        self._raised: BaseException | None = None

    async def app(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        """The wrapped app: each request's scope gets a copy of the lifespan state."""
        if self.supported and scope.get("type") in ("http", "websocket"):
            scope = {**scope, "state": dict(self.state)}
        await self._app(scope, receive, send)

    async def _serve(self) -> None:
        assert self._to_app is not None
        assert self._from_app is not None
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        try:
            await self._app(scope, self._to_app.get, self._from_app.put)
        except Exception as exc:  # the app's own error: reported by startup/shutdown
            self._raised = exc
        finally:
            self._from_app.put_nowait(_RETURNED)

    async def _answer(self, timeout: float) -> Message:
        assert self._from_app is not None
        return await asyncio.wait_for(self._from_app.get(), timeout)

    async def startup(self, timeout: float) -> None:
        """Send ``lifespan.startup`` and wait for the app's answer.

        Raises:
            LifespanFailure: when the app answers ``lifespan.startup.failed``
                or does not answer within `timeout` seconds.
        """
        self._to_app, self._from_app = asyncio.Queue(), asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._serve())
        await self._to_app.put({"type": "lifespan.startup"})
        try:
            answer = await self._answer(timeout)
        except TimeoutError:
            await self._stop()
            msg = (
                f"the app's lifespan startup did not finish within timeout={timeout:g} s; "
                "make it finish, raise the timeout, or pass lifespan=False"
            )
            raise LifespanFailure(msg) from None
        kind = answer.get("type")
        if kind == "lifespan.startup.complete":
            self.supported = True
            return
        if kind == "lifespan.startup.failed":
            await self._stop()
            msg = (
                f"the app's lifespan startup failed: {answer.get('message') or '(no message)'}; "
                "fix the app's startup, or pass lifespan=False to verify without it"
            )
            raise LifespanFailure(msg)
        await self._stop()  # no lifespan support: serve the app without it

    async def shutdown(self, timeout: float) -> str | None:
        """Send ``lifespan.shutdown``; return what went wrong, or None."""
        if not self.supported or self._task is None or self._task.done():
            return None
        assert self._to_app is not None
        await self._to_app.put({"type": "lifespan.shutdown"})
        try:
            answer = await self._answer(timeout)
        except TimeoutError:
            await self._stop()
            return f"the app's lifespan shutdown did not finish within timeout={timeout:g} s"
        if answer.get("type") == "lifespan.shutdown.failed":
            await self._stop()
            return f"the app's lifespan shutdown failed: {answer.get('message') or '(no message)'}"
        if answer is _RETURNED and self._raised is not None:
            error = self._raised
            return f"the app's lifespan shutdown raised {type(error).__name__}: {error}"
        await self._stop()
        return None

    async def _stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
