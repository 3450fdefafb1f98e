"""The in-process ASGI driver: real FastAPI and Starlette apps, and hostile hand-written ones.

Every request goes through `open_transport(app=...)`, the path the verifier
takes: the scope the app sees, the answer it gives back, the byte cap while
the body streams, and what an app that raises or breaks the protocol becomes.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query, Request
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from pactdsl import verify_provider
from tests._in_process import CAP, exchange, failure, item_contract

AsgiApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def http_only(app: AsgiApp) -> AsgiApp:
    """`app` for http scopes; the lifespan scope gets no answer (no lifespan support)."""

    async def served(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await app(scope, receive, send)

    return served


@http_only
async def echo_scope(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer with the scope (bytes as Latin-1 text) and the messages received."""
    received = [await receive()]
    shown = {
        key: value
        for key, value in scope.items()
        if key not in ("headers", "raw_path", "query_string", "state")
    }
    shown["raw_path"] = scope["raw_path"].decode("latin-1")
    shown["query_string"] = scope["query_string"].decode("latin-1")
    shown["headers"] = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]]
    shown["received"] = [{**m, "body": m["body"].decode()} for m in received]
    payload = json.dumps(shown).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": payload})


def test_the_scope_is_what_a_server_hands_an_asgi_app() -> None:
    """The http scope has ASGI 3 keys, the decoded path and raw path, headers as lowercase bytes."""
    answer = exchange(
        echo_scope,
        "POST",
        "/caf\u00e9/a b",
        query=[("tag", "x"), ("tag", "y z")],
        headers=[("X-Trace", "abc"), ("Content-Type", "text/plain")],
        body=b"hello",
    )
    scope = answer.json()
    assert scope["type"] == "http"
    assert scope["asgi"] == {"version": "3.0"}
    assert scope["http_version"] == "1.1"
    assert scope["method"] == "POST"
    assert scope["scheme"] == "http"
    assert scope["path"] == "/caf\u00e9/a b"
    assert scope["raw_path"] == "/caf%C3%A9/a%20b"
    assert scope["query_string"] == "tag=x&tag=y%20z"
    assert scope["root_path"] == ""
    assert scope["server"] == ["provider.pactdsl", 80]
    assert scope["client"] == ["127.0.0.1", 123]
    headers = scope["headers"]
    assert all(name == name.lower() for name, _ in headers)
    assert ["host", "provider.pactdsl"] in headers
    assert ["content-length", "5"] in headers
    assert ["x-trace", "abc"] in headers
    assert ["user-agent", "pactdsl-verifier"] in headers
    assert scope["received"] == [{"type": "http.request", "body": "hello", "more_body": False}]


def test_the_requests_own_headers_replace_the_clients_defaults() -> None:
    """A User-Agent or Accept the pact names replaces the client's, and is sent once."""
    answer = exchange(echo_scope, "GET", "/", headers=[("User-Agent", "mine"), ("Accept", "a/b")])
    headers = answer.json()["headers"]
    assert [v for k, v in headers if k == "user-agent"] == ["mine"]
    assert [v for k, v in headers if k == "accept"] == ["a/b"]
    assert not [k for k, _ in headers if k == "content-length"]  # a GET without a body


def fastapi_app() -> FastAPI:
    """A FastAPI app with a lifespan, a path parameter, repeated query values and a JSON body."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {"greeting": "hello"}

    app = FastAPI(lifespan=lifespan)

    @app.get("/items/{name}")
    async def item(
        name: str, request: Request, tag: Annotated[list[str] | None, Query()] = None
    ) -> Any:
        return {"name": name, "tags": tag or [], "greeting": request.state.greeting}

    @app.post("/items")
    async def create(request: Request) -> Any:
        return JSONResponse(await request.json(), status_code=201)

    return app


def test_a_fastapi_app_answers_with_its_lifespan_state_path_and_query() -> None:
    """FastAPI sees the decoded non-ASCII path, each repeated query value, its lifespan state."""
    answer = exchange(fastapi_app(), "GET", "/items/caf\u00e9", query=[("tag", "a"), ("tag", "b")])
    assert answer.status == 200
    assert answer.reason == "OK"
    assert answer.json() == {"name": "caf\u00e9", "tags": ["a", "b"], "greeting": "hello"}
    assert answer.header("content-type") == "application/json"


def test_a_fastapi_app_reads_the_posted_json_body() -> None:
    """The body reaches FastAPI whole, and its 201 answer comes back as sent."""
    answer = exchange(
        fastapi_app(),
        "POST",
        "/items",
        headers=[("Content-Type", "application/json")],
        body=b'{"name": "pear"}',
    )
    assert (answer.status, answer.json()) == (201, {"name": "pear"})


@pytest.mark.usefixtures("clean_registry")
def test_verify_provider_passes_against_a_fastapi_app() -> None:
    """A pact with a non-ASCII path and a repeated query parameter verifies against FastAPI."""
    contract = item_contract({"name": "caf\u00e9", "tags": ["a", "b"], "greeting": "hello"})
    result = verify_provider(contract, app=fastapi_app())
    assert result.success, result
    assert len(result.passed) == 1


def streaming_app(chunks: int, size: int) -> Starlette:
    """A Starlette app streaming `chunks` chunks of `size` bytes at GET /stream."""

    async def stream(request: Any) -> StreamingResponse:
        async def pieces() -> AsyncIterator[bytes]:
            for _ in range(chunks):
                yield b"x" * size

        return StreamingResponse(pieces(), media_type="text/plain")

    return Starlette(routes=[Route("/stream", stream)])


def test_a_starlette_streaming_body_under_the_cap_is_gathered_whole() -> None:
    """Every streamed chunk (more_body=True until the last) ends up in the body."""
    answer = exchange(streaming_app(8, 1000), "GET", "/stream")
    assert answer.status == 200
    assert answer.body == b"x" * 8000


def test_a_starlette_streaming_body_over_the_cap_is_a_limit_failure() -> None:
    """A body streaming past max_body_bytes stops the app and fails with reason 'limit'."""
    problem = failure(streaming_app(10_000, 1000), "/stream")
    assert problem.reason == "limit"
    assert f"max_body_bytes={CAP}" in str(problem)


def test_a_gzip_answer_is_inflated_as_a_client_would() -> None:
    """GZipMiddleware compresses for the Accept-Encoding sent; the body comes back inflated."""

    async def big(request: Any) -> JSONResponse:
        return JSONResponse({"text": "a" * 5000})

    app = Starlette(routes=[Route("/big", big)], middleware=[Middleware(GZipMiddleware)])
    answer = exchange(app, "GET", "/big")
    assert answer.header("content-encoding") == "gzip"
    assert answer.json() == {"text": "a" * 5000}


def test_a_gzip_bomb_is_inflated_only_up_to_the_cap() -> None:
    """A small gzip body that inflates past the cap is a 'limit' failure."""
    bomb = gzip.compress(b"\0" * (CAP * 20))

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = [(b"content-encoding", b"gzip")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": bomb})

    assert len(bomb) < CAP
    assert failure(app).reason == "limit"


def test_an_app_that_swallows_the_cap_error_is_still_over_the_cap() -> None:
    """An app catching the error its send raised at the cap cannot turn it into an answer."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            while True:
                await send({"type": "http.response.body", "body": b"y" * 4096, "more_body": True})
        except Exception:
            await send({"type": "http.response.body", "body": b""})

    assert failure(app).reason == "limit"


class Boom(Exception):
    """The error the hostile apps raise."""


@pytest.mark.parametrize("after_start", [False, True], ids=["before-start", "after-start"])
def test_an_app_that_raises_is_an_app_failure_carrying_the_exception(after_start: bool) -> None:
    """The app's own exception, raised before or after it started answering, is reason 'app'."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if after_start:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"part", "more_body": True})
        raise Boom("no stock table")

    problem = failure(app)
    assert problem.reason == "app"
    assert isinstance(problem.error, Boom)
    assert "the app raised Boom: no stock table" in str(problem)


def test_a_timeout_error_the_app_raises_is_its_own_failure_not_a_timeout() -> None:
    """A TimeoutError the app raises is reason 'app'; only the verifier's bound is 'timeout'."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        raise TimeoutError("the database did not answer")

    problem = failure(app)
    assert problem.reason == "app"
    assert "TimeoutError: the database did not answer" in str(problem)


def test_an_app_awaiting_too_long_is_a_timeout() -> None:
    """An app still awaiting at the timeout is reason 'timeout', naming the timeout."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await asyncio.sleep(60)

    problem = failure(app, timeout=0.2)
    assert problem.reason == "timeout"
    assert "within timeout=0.2s" in str(problem)


@pytest.mark.parametrize("kind", ["asgi", "wsgi"])
def test_limits_response_seconds_bounds_an_in_process_app_as_it_bounds_a_port(kind: str) -> None:
    """Limits(response_seconds=0.3) ends a hanging app's request under a 30 s timeout."""

    @http_only
    async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await asyncio.sleep(60)

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        time.sleep(60)
        return []

    started = time.monotonic()
    app = asgi_app if kind == "asgi" else wsgi_app
    problem = failure(app, timeout=30.0, response_seconds=0.3)
    assert problem.reason == "timeout"
    assert time.monotonic() - started < 10


def test_an_app_that_returns_without_starting_a_response_is_named() -> None:
    """Returning without http.response.start is an app failure that says so."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()

    problem = failure(app)
    assert problem.reason == "app"
    assert "without starting a response" in str(problem)


def test_an_app_that_returns_before_ending_its_body_is_named() -> None:
    """Returning after a body message with more_body=True is an app failure that says so."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"half", "more_body": True})

    problem = failure(app)
    assert problem.reason == "app"
    assert "before ending its body" in str(problem)


def test_a_body_before_the_start_message_is_named() -> None:
    """http.response.body before http.response.start is an app failure that says so."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.body", "body": b"early"})

    assert "before http.response.start" in str(failure(app))


def test_the_app_hears_the_disconnect_only_after_its_answer() -> None:
    """A second receive() waits until the response is complete, then gets http.disconnect."""
    heard: list[str] = []

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()

        async def listen() -> None:
            heard.append((await receive())["type"])

        listener = asyncio.ensure_future(listen())
        await asyncio.sleep(0.05)
        heard.append("answering")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        await listener

    assert exchange(app, "GET", "/").status == 204
    assert heard == ["answering", "http.disconnect"]


def test_repeated_answer_headers_and_a_head_request_keep_their_shape() -> None:
    """Repeated answer headers all come back in order; a HEAD answer has no body."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"x-name", "\u00e9".encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"content"})

    answer = exchange(app, "GET", "/")
    assert [v for k, v in answer.headers if k == "set-cookie"] == ["a=1", "b=2"]
    assert answer.header("x-name") == "\u00e9"
    assert exchange(app, "HEAD", "/").body == b""


def test_the_in_process_drivers_load_no_http_library() -> None:
    """Serving an ASGI and a WSGI app loads neither httpx, httpcore nor anyio (a real process)."""
    code = """
import sys
from pactdsl._asgi import AsgiRunner
from pactdsl._wsgi import WsgiRunner

async def asgi(scope, receive, send):
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"asgi"})

def wsgi(environ, start_response):
    start_response("200 OK", [])
    return [b"wsgi"]

answers = []
runners = [AsgiRunner(asgi, timeout=5, cap=9, lifespan=True), WsgiRunner(wsgi, timeout=5, cap=9)]
for runner in runners:
    runner.start()
    answers.append(runner.send_once("GET", "http://provider.pactdsl/x", [], None).body.decode())
    runner.close()
print(answers, sorted(m for m in ("httpx", "httpcore", "anyio") if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['asgi', 'wsgi'] []"


def test_a_redirect_to_a_raw_non_ascii_location_reaches_the_app_encoded() -> None:
    """A Location with raw UTF-8 is followed percent-encoded; the app sees the decoded path."""

    @http_only
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] == "/old":
            location = "/caf\u00e9?q=\u00fc".encode()
            headers = [(b"location", location)]
            await send({"type": "http.response.start", "status": 302, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        seen = [scope["path"], scope["raw_path"].decode(), scope["query_string"].decode()]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": json.dumps(seen).encode()})

    answer = exchange(app, "GET", "/old", follow_redirects=True)
    assert answer.json() == ["/caf\u00e9", "/caf%C3%A9", "q=%C3%BC"]
