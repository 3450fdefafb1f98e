"""Real providers for the compatibility suite: stdlib HTTP servers on 127.0.0.1.

`ProviderServer` answers each (method, path) with a canned response taken from the
suite's tables and records what it received, so steps can check what the verifier
sent. `seeded_broker` sets up the project's scripted Pact Broker (`tests/_broker_server.py`)
with the calls the suite's `pact-broker_c*.json` fixtures list.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

from tests._broker_server import Answer, ScriptedBroker


@attrs.frozen
class Received:
    """A request a test server received."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@attrs.frozen
class Canned:
    """A canned answer: status, header lines and body bytes."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


Route = Any  # a Canned, or a callable (Received) -> Canned


class _Server:
    """A threading HTTP server answering from `routes`, recording `received`."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.default: Route | None = None
        self.received: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                seen = Received(self.command, path, query, tuple(self.headers.items()), raw)
                server.received.append(seen)
                route = server.routes.get((self.command, path), server.default)
                if route is None:
                    answer = Canned(404, (("Content-Type", "text/plain"),), b"no such route")
                else:
                    answer = route(seen) if callable(route) else route
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()


class ProviderServer(_Server):
    """A provider serving canned responses by (method, path)."""

    def serve(self, method: str, path: str, answer: Route) -> None:
        """Answer `method path` with `answer` (a `Canned` or a function of the request)."""
        self.routes[(method.upper(), path)] = answer


def seeded_broker(
    seeds: Mapping[str, Mapping[str, Any]], pacts: Mapping[str, Any]
) -> ScriptedBroker:
    """A Pact Broker for the suite's broker scenarios, seeded from `pact-broker_c*.json`.

    Each seed pact (between the suite's broker client and the broker) lists the calls
    a verifier makes: the index, the pacts for verification, and publishing results.
    The broker answers them with the seed's responses (hrefs pointing back at itself),
    serves each consumer's pact (`pacts`, by consumer name) at the href the seed lists,
    and records what is published (`published_results`).
    """
    broker = ScriptedBroker()
    embedded: list[Any] = []
    for consumer, seed in seeds.items():
        for item in seed["interactions"]:
            request, response = item["request"], item["response"]
            text = json.dumps(response.get("body", {}).get("content", {}))
            body = json.loads(text.replace("http://localhost:9876", broker.url))
            if request["method"] == "POST" and request["path"].endswith("for-verification"):
                embedded += body["_embedded"]["pacts"]
            elif request["path"].endswith("verification-results"):
                broker.on("POST", request["path"], Answer(201, {}))
            else:
                broker.on(request["method"], request["path"], Answer(response["status"], body))
        pact_path = f"/pacts/provider/p/consumer/{consumer}"
        results = {"href": f"{broker.url}{pact_path}/verification-results"}
        served = {**pacts[consumer], "_links": {"pb:publish-verification-results": results}}
        broker.on("GET", pact_path, Answer(200, served))
    broker.on(
        "POST",
        "/pacts/provider/p/for-verification",
        Answer(200, {"_embedded": {"pacts": embedded}}),
    )
    return broker


def published_results(broker: ScriptedBroker) -> dict[str, list[Any]]:
    """The verification results published to a seeded broker, by consumer."""
    found: dict[str, list[Any]] = {}
    for seen in broker.seen:
        if seen.method == "POST" and seen.path.endswith("/verification-results"):
            consumer = seen.path.split("/consumer/", 1)[1].split("/", 1)[0]
            found.setdefault(consumer, []).append(seen.body)
    return found
