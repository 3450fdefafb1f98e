"""payment-service: the provider, a small WSGI application (standard library only).

`serve(app)` runs it on 127.0.0.1 on a free port in a background thread.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class PaymentService:
    """A WSGI app: POST /payments charges a user's stored payment method."""

    def __init__(self) -> None:
        self.payment_methods: set[str] = set()
        self.payments: dict[str, dict[str, Any]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        if (method, path) != ("POST", "/payments"):
            return _json(start_response, 404, {"error": f"no route for {method} {path}"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            order = json.loads(environ["wsgi.input"].read(length) or b"null")
        except ValueError:
            return _json(start_response, 400, {"error": "body is not JSON"})
        if not isinstance(order, dict) or not isinstance(order.get("amount"), int):
            return _json(start_response, 400, {"error": "amount must be an integer"})
        if not self.payment_methods:
            return _json(start_response, 402, {"status": "declined"})
        payment_id = str(uuid.uuid4())
        self.payments[payment_id] = {**order, "status": "success"}
        return _json(start_response, 200, {"id": payment_id, "status": "success"})

    def set_up_state(self, given: str) -> None:
        """Provider states, as the contract names them."""
        if given == "user has valid payment method":
            self.payment_methods = {"card"}

    def tear_down_state(self, given: str) -> None:
        """Forget what the state set up."""
        self.payment_methods = set()


def _json(start_response: Any, status: int, body: Any) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 402: "Payment Required", 404: "Not Found"}
    start_response(
        f"{status} {reason.get(status, 'Status')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test and demo output clean


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="payment-service", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# The instance the CLI verifies: `pactdsl verify ... --app payment_service:app
# --state-setup payment_service:app.set_up_state`.
app = PaymentService()
