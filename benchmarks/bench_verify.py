"""Time provider verification of a 200-interaction pact (each with a provider state).

Three runs of the same pact file against the same provider logic:

* pactdsl over HTTP, against a stdlib ThreadingHTTPServer on 127.0.0.1;
* pactdsl in-process, against an equivalent ASGI app (no socket);
* pact-python 4.2's `Verifier` (Rust core) against the same HTTP server, with a
  Python state handler function.

All three answer from the same `answer()` function, and both verifiers talk
over HTTP to the same stdlib server. Each figure is the best of 3 runs after a
warm-up run of each (1 run with --quick).

Targets: pactdsl over HTTP at most half of pact-python's time (pact-python /
pactdsl >= 2x); in-process ASGI at most a tenth (>= 10x).

Run: python benchmarks/bench_verify.py [--quick]   (--quick: 40 interactions, 1 run)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _bench import emit, target, verdict

from pactdsl import define_contract, generate_pact, interaction, verify_provider
from pactdsl.match import datetime, each_like, integer, like, regex

INTERACTIONS = 200
"""Interactions in the pact (changed by --quick before anything runs)."""
RUNS = 3
HTTP_TARGET = 2.0
ASGI_TARGET = 10.0


def item(item_id: int) -> dict[str, Any]:
    return {
        "id": item_id,
        "name": f"item {item_id}",
        "sku": f"SKU-{item_id:06d}",
        "createdAt": "2024-01-02T03:04:05",
        "owner": {"name": "Alice", "email": "alice@example.com", "age": 30},
        "variants": [
            {"code": f"V{n}", "colour": "red", "stock": n, "dims": {"w": 1, "h": 2}}
            for n in range(3)
        ],
    }


def write_pact(folder: Path) -> Path:
    items = []
    for n in range(INTERACTIONS):
        items.append(
            interaction(f"a request for item {n}")
            .given(f"item {n} exists", id=n)
            .request(method="GET", path=f"/items/{n}", headers={"Accept": "application/json"})
            .responds(
                status=200,
                headers={"Content-Type": "application/json"},
                body={
                    "id": integer(n),
                    "name": like(f"item {n}"),
                    "sku": regex(r"^SKU-\d{6}$", f"SKU-{n:06d}"),
                    "createdAt": datetime("yyyy-MM-dd'T'HH:mm:ss", "2024-01-02T03:04:05"),
                    "owner": like({"name": "Alice", "email": "alice@example.com", "age": 30}),
                    "variants": each_like(
                        {
                            "code": regex(r"^V\d+$", "V0"),
                            "colour": like("red"),
                            "stock": integer(0),
                            "dims": like({"w": 1, "h": 2}),
                        }
                    ),
                },
            )
        )
    contract = define_contract(
        "bench-verify", consumer="bench-consumer", provider="bench-provider", interactions=items
    )
    return generate_pact(contract, output=folder, spec="4.0")


def answer(path: str) -> tuple[int, bytes]:
    if path.startswith("/items/"):
        return 200, json.dumps(item(int(path.rsplit("/", 1)[1]))).encode()
    return 404, b"{}"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, payload = answer(self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    status, payload = answer(scope["path"])
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


STATES: list[str] = []


def state_setup(state: str, params: dict[str, Any]) -> None:
    STATES.append(state)


def pact_python_state(state: str, action: str, parameters: dict[str, Any] | None) -> None:
    STATES.append(state)


def run_pactdsl_http(pact_file: Path, url: str) -> None:
    result = verify_provider(pact_file, base_url=url, state_setup=state_setup)
    assert result.success, result
    assert len(result.passed) == INTERACTIONS, result


def run_pactdsl_asgi(pact_file: Path, url: str) -> None:
    result = verify_provider(pact_file, app=asgi_app, state_setup=state_setup)
    assert result.success, result
    assert len(result.passed) == INTERACTIONS, result


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence pact-python's console report (fd 1) and its callback server's log (fd 2)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with Path(os.devnull).open("w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def run_pact_python(pact_file: Path, url: str) -> None:
    from pact import Verifier

    verifier = (
        Verifier("bench-provider", host="127.0.0.1")
        .add_transport(url=url)
        .add_source(pact_file)
        .state_handler(pact_python_state)
    )
    with quiet_stdout():
        verifier.verify()  # raises RuntimeError when an interaction fails
    del verifier
    gc.collect()


def timed(run: Callable[[Path, str], None], pact_file: Path, url: str) -> list[float]:
    times = []
    for _ in range(RUNS):
        STATES.clear()
        started = time.perf_counter()
        run(pact_file, url)
        times.append(time.perf_counter() - started)
        assert len(STATES) == INTERACTIONS, len(STATES)
    return times


def main() -> None:
    """Time the three verifications; print times, ratios and BENCH rows."""
    warnings.simplefilter("ignore", ResourceWarning)  # pact-python's callback server
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            pact_file = write_pact(Path(folder))
            import pact  # noqa: F401 - load the FFI before timing, as a test session would

            run_pact_python(pact_file, url)  # warm-up (FFI, logging)
            run_pactdsl_http(pact_file, url)
            run_pactdsl_asgi(pact_file, url)
            results = {
                "pact-python Verifier (HTTP)": timed(run_pact_python, pact_file, url),
                "pactdsl (HTTP)": timed(run_pactdsl_http, pact_file, url),
                "pactdsl (in-process ASGI)": timed(run_pactdsl_asgi, pact_file, url),
            }
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    print(f"Verifying {INTERACTIONS} interactions with provider states, best of {RUNS}:")
    for name, times in results.items():
        print(
            f"  {name:30s} best {min(times) * 1000:8.1f} ms   "
            f"median {statistics.median(times) * 1000:8.1f} ms   "
            f"({min(times) / INTERACTIONS * 1e6:6.0f} us/interaction)"
        )
    reference = min(results["pact-python Verifier (HTTP)"])
    rows = [
        emit(
            "verify",
            f"{INTERACTIONS} interactions with provider states, HTTP (stdlib server)",
            min(results["pactdsl (HTTP)"]),
            reference,
            goal=target(">=", HTTP_TARGET),
            note="both verifiers against the same ThreadingHTTPServer on 127.0.0.1",
        ),
        emit(
            "verify",
            f"{INTERACTIONS} interactions with provider states, in-process ASGI",
            min(results["pactdsl (in-process ASGI)"]),
            reference,
            goal=target(">=", ASGI_TARGET),
            note="pact-python has no in-process mode: its column is its HTTP time",
        ),
    ]
    for row in rows:
        print(f"  {row['case']}: {verdict(row)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="provider verification against pact-python's")
    parser.add_argument("--quick", action="store_true", help="40 interactions, one run")
    if parser.parse_args().quick:
        INTERACTIONS, RUNS = 40, 1
    main()
