"""The in-process WSGI driver: a real Flask app, and hostile hand-written WSGI callables.

Every request goes through `open_transport(app=...)`, the path the verifier
takes: the PEP 3333 environ the app sees, start_response's rules, the byte cap
while the body is read, and the iterable's close() in every case.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, redirect, request

from pactdsl import verify_provider
from tests._in_process import CAP, exchange, failure, item_contract

StartResponse = Callable[..., Any]


def echo_environ(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """Answer with the environ's text values and the body read from wsgi.input."""
    shown: dict[str, Any] = {
        key: value for key, value in environ.items() if isinstance(value, str | bool)
    }
    shown["wsgi.version"] = list(environ["wsgi.version"])
    shown["body"] = environ["wsgi.input"].read().decode()
    shown["errors_writable"] = environ["wsgi.errors"].write("logged\n") == len("logged\n")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(shown).encode()]


def test_the_environ_is_what_pep_3333_says() -> None:
    """PATH_INFO is the Latin-1 decoded path, repeated headers are joined, the body is readable."""
    environ = exchange(
        echo_environ,
        "POST",
        "/caf\u00e9/a b",
        query=[("tag", "x"), ("tag", "y z")],
        headers=[("X-Repeat", "one"), ("X-Repeat", "two"), ("Content-Type", "text/plain")],
        body=b"hello",
    ).json()
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["SCRIPT_NAME"] == ""
    assert environ["PATH_INFO"] == "/caf\u00e9/a b".encode().decode("latin-1")
    assert environ["QUERY_STRING"] == "tag=x&tag=y%20z"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["CONTENT_LENGTH"] == "5"
    assert "HTTP_CONTENT_TYPE" not in environ
    assert environ["HTTP_X_REPEAT"] == "one, two"
    assert environ["HTTP_HOST"] == "provider.pactdsl"
    assert environ["HTTP_USER_AGENT"] == "pactdsl-verifier"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("provider.pactdsl", "80")
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert environ["wsgi.url_scheme"] == "http"
    assert environ["wsgi.version"] == [1, 0]
    assert (environ["wsgi.multithread"], environ["wsgi.multiprocess"]) == (True, False)
    assert environ["wsgi.run_once"] is False
    assert environ["body"] == "hello"
    assert environ["errors_writable"] is True


def flask_app() -> Flask:
    """A Flask app with a non-ASCII route, repeated query values and a JSON body."""
    app = Flask("shop")

    @app.get("/items/<name>")
    def item(name: str) -> Any:
        return {"name": name, "tags": request.args.getlist("tag")}

    @app.post("/items")
    def create() -> Any:
        return request.get_json(), 201

    return app


def test_a_flask_app_sees_the_non_ascii_path_and_every_query_value() -> None:
    """Flask decodes PATH_INFO back to the UTF-8 path and reads repeated query values."""
    answer = exchange(flask_app(), "GET", "/items/caf\u00e9", query=[("tag", "a"), ("tag", "b")])
    assert (answer.status, answer.reason) == (200, "OK")
    assert answer.json() == {"name": "caf\u00e9", "tags": ["a", "b"]}


def test_a_flask_app_reads_the_posted_json_body() -> None:
    """The body reaches Flask through wsgi.input, and its 201 answer comes back as sent."""
    answer = exchange(
        flask_app(),
        "POST",
        "/items",
        headers=[("Content-Type", "application/json")],
        body=b'{"name": "pear"}',
    )
    assert (answer.status, answer.reason, answer.json()) == (201, "CREATED", {"name": "pear"})


@pytest.mark.usefixtures("clean_registry")
def test_verify_provider_passes_against_a_flask_app() -> None:
    """A pact with a non-ASCII path and a repeated query parameter verifies against Flask."""
    contract = item_contract({"name": "caf\u00e9", "tags": ["a", "b"]})
    result = verify_provider(contract, app=flask_app())
    assert result.success, result


class Body:
    """A body iterable of `count` chunks of `size` bytes that records its close()."""

    def __init__(self, count: int, size: int, *, raise_at: int | None = None) -> None:
        self.count, self.size, self.raise_at = count, size, raise_at
        self.closed = 0
        self.given = 0

    def __iter__(self) -> Iterator[bytes]:
        for n in range(self.count):
            if n == self.raise_at:
                raise KeyError("stock")
            self.given += 1
            yield b"z" * self.size

    def close(self) -> None:
        self.closed += 1


def serving(body: Body) -> Callable[[dict[str, Any], StartResponse], Body]:
    """A WSGI app answering 200 with `body`."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Body:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    return app


def test_a_body_under_the_cap_is_read_whole_and_closed() -> None:
    """Every chunk is read, then close() is called once."""
    body = Body(8, 1000)
    assert exchange(serving(body), "GET", "/").body == b"z" * 8000
    assert body.closed == 1


def test_a_body_over_the_cap_stops_reading_and_is_still_closed() -> None:
    """A body going past max_body_bytes is a 'limit' failure; reading stops there, close() runs."""
    body = Body(10_000, 1000)
    problem = failure(serving(body))
    assert problem.reason == "limit"
    assert body.given == CAP // 1000 + 1
    assert body.closed == 1


def test_a_body_that_raises_midway_is_an_app_failure_and_is_still_closed() -> None:
    """An iterable raising while it is read gives reason 'app' with its exception; close() runs."""
    body = Body(5, 10, raise_at=2)
    problem = failure(serving(body))
    assert problem.reason == "app"
    assert isinstance(problem.error, KeyError)
    assert body.closed == 1


def test_a_generator_body_can_call_start_response_late_and_is_closed() -> None:
    """A generator app calling start_response on its first step works; its finally block runs."""
    events: list[str] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        try:
            start_response("202 Accepted", [("X-Step", "1")])
            yield b"one"
            yield b""
            yield b"two"
        finally:
            events.append("closed")

    answer = exchange(app, "GET", "/")
    assert (answer.status, answer.reason, answer.body) == (202, "Accepted", b"onetwo")
    assert events == ["closed"]


def test_an_app_that_raises_is_an_app_failure_carrying_the_exception() -> None:
    """The app's own exception is reason 'app', with the exception as the failure's error."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        raise ZeroDivisionError("no stock")

    problem = failure(app)
    assert problem.reason == "app"
    assert isinstance(problem.error, ZeroDivisionError)


def test_exc_info_before_the_body_reports_the_apps_exception() -> None:
    """start_response called again with exc_info is allowed, and the exception is reported."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        try:
            raise LookupError("no such item")
        except LookupError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        return [b"error page"]

    problem = failure(app)
    assert problem.reason == "app"
    assert isinstance(problem.error, LookupError)


def test_exc_info_after_the_body_started_re_raises_at_once() -> None:
    """exc_info once body bytes went out re-raises in start_response (PEP 3333); close() runs."""
    after: list[str] = []
    closed: list[bool] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        try:
            yield b"partial"
            try:
                raise LookupError("gone midway")
            except LookupError:
                start_response("500 Internal Server Error", [], sys.exc_info())
                after.append("start_response returned")
            yield b"more"
        finally:
            closed.append(True)

    problem = failure(app)
    assert isinstance(problem.error, LookupError)
    assert after == []
    assert closed == [True]


def test_start_response_twice_without_exc_info_is_named() -> None:
    """A second start_response without exc_info is an app failure that says so."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        start_response("201 Created", [])
        return [b""]

    assert "second time without exc_info" in str(failure(app))


def test_an_app_that_never_calls_start_response_is_named() -> None:
    """Returning a body without calling start_response is an app failure that says so."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        return []

    problem = failure(app)
    assert problem.reason == "app"
    assert "without calling start_response" in str(problem)


def test_a_text_chunk_or_a_bad_status_line_is_named() -> None:
    """A str chunk in the body, or a status that is not '200 OK'-shaped, is named with its value."""

    def text_body(environ: dict[str, Any], start_response: StartResponse) -> list[Any]:
        start_response("200 OK", [])
        return ["not bytes"]

    def bad_status(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        start_response("OK", [])
        return [b""]

    assert "gave a str, not bytes: 'not bytes'" in str(failure(text_body))
    assert "status='OK' is not a WSGI status line" in str(failure(bad_status))


def test_write_repeated_answer_headers_and_head_keep_their_shape() -> None:
    """write() chunks come first, repeated answer headers all come back, HEAD has no body."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        write = start_response("200 OK", [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        write(b"written,")
        return [b"returned"]

    answer = exchange(app, "GET", "/")
    assert answer.body == b"written,returned"
    assert [v for k, v in answer.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert exchange(app, "HEAD", "/").body == b""


def test_an_app_that_never_returns_costs_one_timeout() -> None:
    """A WSGI app sleeping past the timeout is reason 'timeout', naming it."""
    import time

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        time.sleep(2)
        start_response("200 OK", [])
        return [b""]

    problem = failure(app, timeout=0.2)
    assert problem.reason == "timeout"
    assert "within timeout=0.2s" in str(problem)


def redirecting_flask_app() -> Flask:
    """A Flask app: /old redirects to /new, /away to another origin, /loop to itself."""
    app = Flask("moved")

    @app.route("/old", methods=["GET", "POST"])
    def old() -> Any:
        return redirect("/new", code=303 if request.method == "POST" else 302)

    @app.route("/new", methods=["GET", "POST"])
    def new() -> Any:
        return {"method": request.method, "host": request.host}

    @app.get("/away")
    def away() -> Any:
        return redirect("http://elsewhere.example/new")

    @app.get("/loop")
    def loop() -> Any:
        return redirect("/loop")

    return app


def test_redirects_from_an_app_are_followed_only_when_asked() -> None:
    """False keeps the 302; True follows it inside the app, a 303 turning the POST into a GET."""
    app = redirecting_flask_app()
    assert exchange(app, "GET", "/old").status == 302
    followed = exchange(app, "GET", "/old", follow_redirects=True)
    assert followed.json() == {"method": "GET", "host": "provider.pactdsl"}
    posted = exchange(app, "POST", "/old", body=b"x", follow_redirects=True)
    assert posted.json()["method"] == "GET"


def test_an_app_redirect_to_another_origin_needs_any_origin() -> None:
    """True refuses a redirect to another origin ('unsafe'); 'any-origin' sends it to the app."""
    app = redirecting_flask_app()
    refused = failure(app, "/away", follow_redirects=True)
    assert refused.reason == "unsafe"
    assert "another origin" in str(refused)
    followed = exchange(app, "GET", "/away", follow_redirects="any-origin")
    assert followed.json() == {"method": "GET", "host": "elsewhere.example"}


def test_an_app_redirecting_forever_is_an_http_failure_not_the_apps() -> None:
    """Too many redirects from an app is reason 'http' naming them, not an error the app raised."""
    problem = failure(redirecting_flask_app(), "/loop", follow_redirects=True)
    assert problem.reason == "http"
    assert "redirects" in str(problem)
