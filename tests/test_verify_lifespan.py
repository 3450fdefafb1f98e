"""ASGI lifespan around in-process verification: startup first, shutdown last, or off on request."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from pactdsl import define_contract, interaction, verify_provider
from pactdsl._dsl import Contract
from pactdsl._verify import VerificationConfigError

pytestmark = pytest.mark.usefixtures("clean_registry")


class StockApp:
    """An ASGI app shaped like a Starlette/FastAPI one with a ``lifespan`` handler.

    Startup opens its "database" (set on the app, as ``app.state.db`` is, and
    in the lifespan state, as a lifespan that yields a dict does); requests
    read both, so without startup they fail with an AttributeError as such an
    app does. A startup that raises answers ``lifespan.startup.failed`` and
    re-raises, as Starlette's router does.
    """

    def __init__(self, *, fail_startup: str = "", fail_shutdown: str = "") -> None:
        self.events: list[str] = []
        self.db: dict[str, int] | None = None
        self.fail_startup = fail_startup
        self.fail_shutdown = fail_shutdown

    async def _lifespan(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.events.append("startup")
                try:
                    if self.fail_startup:
                        raise ConnectionError(self.fail_startup)
                    self.db = {"apple": 3}
                    scope["state"]["db_name"] = "stock"
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    raise
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.events.append("shutdown")
                if self.fail_shutdown:
                    await send({"type": "lifespan.shutdown.failed", "message": self.fail_shutdown})
                    return
                self.db = None
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        self.events.append(f"{scope['method']} {scope['path']}")
        item = scope["path"].rsplit("/", 1)[-1]
        count = self.db.get(item)  # type: ignore[union-attr]  # None before startup
        body = json.dumps({"count": count, "db": scope["state"]["db_name"]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _stock_contract() -> Contract:
    token = uuid.uuid4().hex[:8]
    return define_contract(
        f"stock_{token}",
        consumer=f"till-{token}",
        provider=f"stock-{token}",
        interactions=[
            interaction(description)
            .request(method="GET", path="/stock/apple")
            .responds(status=200, body={"count": 3, "db": "stock"})
            for description in ("get apples", "get apples again")
        ],
    )


def test_startup_runs_before_the_first_interaction_and_shutdown_after_the_last() -> None:
    """The app's lifespan brackets the whole run, and its state reaches each request's scope."""
    app = StockApp()
    result = verify_provider(_stock_contract(), app=app)
    assert result.success, result
    assert app.events == ["startup", "GET /stock/apple", "GET /stock/apple", "shutdown"]
    assert app.db is None  # shut down


def test_lifespan_false_serves_the_app_without_startup() -> None:
    """With lifespan=False no startup runs, so this app errors as it would with no server."""
    app = StockApp()
    result = verify_provider(_stock_contract(), app=app, lifespan=False)
    assert "startup" not in app.events
    assert len(result.errors) == 2
    assert "AttributeError" in result.errors[0].message


def test_a_failed_startup_stops_the_run_before_any_request() -> None:
    """lifespan.startup.failed raises VerificationConfigError with the app's message."""
    app = StockApp(fail_startup="database unreachable")
    with pytest.raises(VerificationConfigError) as caught:
        verify_provider(_stock_contract(), app=app)
    assert str(caught.value) == (
        "the app's lifespan startup failed: database unreachable; fix the app's startup, "
        "or pass lifespan=False to verify without it"
    )
    assert app.events == ["startup"]


def test_a_failed_shutdown_is_a_notice() -> None:
    """lifespan.shutdown.failed after the run is reported, naming the app's message."""
    app = StockApp(fail_shutdown="flush failed")
    result = verify_provider(_stock_contract(), app=app)
    assert app.events[-1] == "shutdown"
    assert (
        "the app's lifespan shutdown failed: flush failed (after every interaction was verified)"
        in result.notices
    )


def test_an_app_without_lifespan_support_is_served_without_it() -> None:
    """An app that raises on the lifespan scope is verified as servers do: without lifespan."""
    seen: list[str] = []

    async def plain(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise RuntimeError(f"unsupported scope {scope['type']!r}")
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    token = uuid.uuid4().hex[:8]
    contract = define_contract(
        f"plain_{token}",
        consumer=f"c-{token}",
        provider=f"p-{token}",
        interactions=[interaction("ping").request(path="/ping").responds(status=200)],
    )
    result = verify_provider(contract, app=plain)
    assert result.success, result
    assert seen == ["/ping"]
