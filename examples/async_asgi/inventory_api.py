"""inventory-api: the provider, a hand-written ASGI app in FastAPI style.

No framework: a tiny router with `@app.get(...)` decorators and async handlers
that return `(status, body)`. pactdsl verifies it in-process through its ASGI
interface, with no server and no socket.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

Handler = Callable[..., Awaitable[tuple[int, Any]]]


class MiniASGI:
    """Routes `METHOD /path/{param}` to async handlers; JSON in, JSON out."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")

        def register(handler: Handler) -> Handler:
            self.routes.append((method, pattern, handler))
            return handler

        return register

    def get(self, template: str) -> Callable[[Handler], Handler]:
        return self.route("GET", template)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        status, body = 404, {"detail": "Not Found"}
        for method, pattern, handler in self.routes:
            found = pattern.match(scope["path"])
            if found and method == scope["method"]:
                status, body = await handler(query=query, **found.groupdict())
                break
        data = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})


app = MiniASGI()
STOCK: dict[str, dict[str, Any]] = {}


@app.get("/items")
async def list_items(query: dict[str, str]) -> tuple[int, Any]:
    limit = int(query.get("limit", "10"))
    items = [{"sku": sku, "in_stock": item["in_stock"]} for sku, item in STOCK.items()]
    return 200, {"items": items[:limit]}


@app.get("/items/{sku}")
async def get_item(query: dict[str, str], sku: str) -> tuple[int, Any]:
    if sku not in STOCK:
        return 404, {"detail": "Item not found"}
    return 200, {"sku": sku, **STOCK[sku]}


def set_up_state(given: str, params: dict[str, Any]) -> None:
    """Provider states, as the contract names them."""
    if given == "item ABC-1234 is in stock":
        STOCK["ABC-1234"] = {"name": "Teapot", "in_stock": params.get("quantity", 1)}
    elif given.startswith("no item "):
        STOCK.pop(given.removeprefix("no item "), None)


def tear_down_state(given: str, params: dict[str, Any]) -> None:
    STOCK.clear()
