"""A scripted Pact Broker: a real HTTP server on 127.0.0.1 answering queued answers.

Each test queues the answers it wants per (method, path) and reads back the
requests the client sent (`ScriptedBroker.seen`). Used by the broker client's
tests and by verification from a broker.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

__all__ = ["Answer", "ScriptedBroker", "Seen"]


@attrs.define
class Answer:
    """A scripted answer: status, JSON body (or raw text) and headers."""

    status: int = 200
    body: Any = attrs.field(factory=dict)
    headers: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class Seen:
    """A request the scripted broker received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ScriptedBroker:
    """A real HTTP server answering by (method, path) from queued or fixed answers."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.seen: list[Seen] = []
        broker = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                broker.seen.append(
                    Seen(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        json.loads(raw) if raw else None,
                    )
                )
                queue = broker.routes.get((self.command, path))
                if not queue:
                    answer = Answer(404, {"error": f"no route {self.command} {path}"})
                else:
                    answer = queue.pop(0) if len(queue) > 1 else queue[0]
                text = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
                data = text.encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/hal+json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _serve  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def on(self, method: str, path: str, *answers: Answer) -> None:
        """Answer `method path` with these answers in turn (the last one repeats)."""
        self.routes[(method, path)] = list(answers)

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
