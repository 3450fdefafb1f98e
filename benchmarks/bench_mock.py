"""The mock provider against pact-python's (Rust) mock server, on the same contract.

(a) A suite of N "tests", each exercising one interaction, ending with the pact
    file written; each library used the way its documentation says:
    - pact-python: a new `Pact` per test holding that interaction, `serve()`,
      one request, `write_file` after each test;
    - pactdsl: the contract declared once, `mock_provider(contract,
      interactions=desc)` per test, one request, the file written once at the
      end; in-process (httpx patched, no socket) and on a real port.
(b) One mock holding all N interactions answering N requests (declaring the
    interactions is inside the timing, for both libraries).

Both libraries send their requests through one shared `httpx.Client`, as a test
module would. Each figure is the best of 3 runs (1 with --quick), as other load
on the machine only ever adds time.

Targets (pact-python's time over pactdsl's): (a) >= 10x in-process and >= 3x on
a real port; (b) >= 100x, held by the in-process mode (the issue names no
mode for (b)); the real-port (b) figure is shown beside a "floor" row, the
time of a do-nothing stdlib server answering the same client. Scaling: pactdsl
is also timed at N/2, N and 2N (100, 200, 400); linear cost means 2N takes 4x
the time of N/2, and the target allows 25% slack (<= 5x).

Run: python benchmarks/bench_mock.py [--quick] [N]
     (default N=200; --quick: N=40, one run each; needs pact-python)
"""

from __future__ import annotations

import argparse
import functools
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx
from _bench import best_of, emit, target, verdict

from pactdsl import Contract, define_contract, generate_pact, interaction, mock_provider

SUITE_TARGETS = {"in-process": 10.0, "real port": 3.0}
ONE_MOCK_TARGET = 100.0
SCALING_TARGET = 5.0


def _description(n: int) -> str:
    return f"get item {n}"


def _body(n: int) -> dict[str, object]:
    return {"id": n, "name": f"item {n}", "tags": ["a", "b"], "price": n + 0.5}


def _declare(count: int, tag: str) -> Contract:
    return define_contract(
        f"bench-{tag}-{count}",
        consumer="bench-consumer",
        provider=f"bench-provider-{tag}",
        interactions=[
            interaction(_description(n))
            .given(f"item {n} exists")
            .request(method="GET", path=f"/items/{n}")
            .responds(status=200, body=_body(n))
            for n in range(count)
        ],
    )


def _check(response: httpx.Response, n: int) -> None:
    if response.status_code != 200 or response.json()["id"] != n:
        msg = f"item {n}: got {response.status_code} {response.text[:200]}"
        raise AssertionError(msg)


def _fresh(out: Path) -> Path:
    """A new empty folder under `out`: each timed suite starts with no pact file to merge."""
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=out))


# --- pactdsl -----------------------------------------------------------------


def pactdsl_suite(count: int, port: int | None, out: Path, client: httpx.Client) -> None:
    """(a) for pactdsl: declare once, one mock per test, write the file once."""
    contract = _declare(count, f"suite-{'mem' if port is None else 'port'}")
    for n in range(count):
        with mock_provider(contract, port, interactions=_description(n)) as mock:
            _check(client.get(f"{mock.url}/items/{n}"), n)
    generate_pact(contract, output=_fresh(out), spec="4.0")


def pactdsl_one_mock(count: int, port: int | None, client: httpx.Client) -> None:
    """(b) for pactdsl: one mock with every interaction, one request each."""
    contract = _declare(count, f"one-{'mem' if port is None else 'port'}")
    with mock_provider(contract, port) as mock:
        for n in range(count):
            _check(client.get(f"{mock.url}/items/{n}"), n)


# --- pact-python ---------------------------------------------------------------


def pact_python_suite(count: int, out: Path, client: httpx.Client) -> None:
    """(a) for pact-python: a Pact per test, serve(), one request, write_file after each."""
    from pact import Pact

    folder = _fresh(out)
    for n in range(count):
        pact = Pact("bench-consumer", "bench-provider-pp").with_specification("V4")
        (
            pact.upon_receiving(_description(n))
            .given(f"item {n} exists")
            .with_request("GET", f"/items/{n}")
            .will_respond_with(200)
            .with_body(_body(n), content_type="application/json")
        )
        with pact.serve() as server:
            _check(client.get(f"{server.url}/items/{n}"), n)
        pact.write_file(folder)


def pact_python_one_mock(count: int, client: httpx.Client) -> None:
    """(b) for pact-python: one Pact with every interaction, one request each."""
    from pact import Pact

    pact = Pact("bench-consumer", "bench-provider-pp-one").with_specification("V4")
    for n in range(count):
        (
            pact.upon_receiving(_description(n))
            .given(f"item {n} exists")
            .with_request("GET", f"/items/{n}")
            .will_respond_with(200)
            .with_body(_body(n), content_type="application/json")
        )
    with pact.serve() as server:
        for n in range(count):
            _check(client.get(f"{server.url}/items/{n}"), n)


def socket_floor(count: int, client: httpx.Client, repeat: int) -> float:
    """Best time of `count` requests to a do-nothing stdlib server, with the same client.

    No mock could answer over a socket faster than this with this client: it is
    the floor the real-port figures stand on. Only the requests are timed (the
    server's start and shutdown are not).
    """
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = b'{"id": 1}'

    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"

    def requests() -> None:
        for n in range(count):
            client.get(f"{url}/items/{n}").raise_for_status()

    try:
        return best_of(repeat, requests)
    finally:
        server.shutdown()
        server.server_close()


def _line(label: str, seconds: float, count: int, baseline: float | None) -> str:
    ratio = f"{baseline / seconds:8.1f}x" if baseline else "        -"
    per = seconds / count * 1000
    return f"  {label:<34} {seconds:8.3f} s {per:8.3f} ms/test {ratio}"


def _pact_python_available() -> bool:
    try:
        import pact  # noqa: F401 - only asking whether it is there
    except ImportError:
        return False
    return True


def main(count: int = 200, repeat: int = 3) -> None:
    """Run (a), (b) and the scaling table; print times, ratios and BENCH rows."""
    out = Path(tempfile.mkdtemp(prefix="bench-mock-"))
    has_pact_python = _pact_python_available()

    def timed(run: Callable[[], None]) -> float:
        return best_of(repeat, run)

    with httpx.Client(trust_env=False) as client:
        # Warm-up: imports, patching httpx, first server thread, pact-python's FFI.
        pactdsl_suite(3, None, out / "warm", client)
        pactdsl_suite(3, 0, out / "warm", client)
        if has_pact_python:
            pact_python_suite(2, out / "warm-pp", client)

        print(f"(a) a suite of {count} tests, one interaction each, pact file written")
        pp_a = (
            timed(lambda: pact_python_suite(count, out / "pp", client)) if has_pact_python else None
        )
        ours_a = {
            "in-process": timed(lambda: pactdsl_suite(count, None, out / "mem", client)),
            "real port": timed(lambda: pactdsl_suite(count, 0, out / "port", client)),
        }
        if pp_a is not None:
            print(_line("pact-python (Rust mock server)", pp_a, count, None))
        print(_line("pactdsl in-process", ours_a["in-process"], count, pp_a))
        print(_line("pactdsl real port", ours_a["real port"], count, pp_a))

        print(f"(b) one mock with {count} interactions answering {count} requests")
        pp_b = timed(lambda: pact_python_one_mock(count, client)) if has_pact_python else None
        ours_b = {
            "in-process": timed(lambda: pactdsl_one_mock(count, None, client)),
            "real port": timed(lambda: pactdsl_one_mock(count, 0, client)),
        }
        floor_b = socket_floor(count, client, repeat)
        if pp_b is not None:
            print(_line("pact-python (Rust mock server)", pp_b, count, None))
        print(_line("pactdsl in-process", ours_b["in-process"], count, pp_b))
        print(_line("pactdsl real port", ours_b["real port"], count, pp_b))
        print(_line("floor: do-nothing stdlib server, same client", floor_b, count, pp_b))

        sizes = (count // 2, count, count * 2)
        print("pactdsl scaling (seconds; per-test cost should stay flat)")
        print(
            f"  {'N':>5} {'(a) in-proc':>12} {'(a) port':>10} {'(b) in-proc':>12} {'(b) port':>10}"
        )
        scaling: dict[str, dict[int, float]] = {
            "(a) in-process": {},
            "(a) real port": {},
            "(b) in-process": {},
            "(b) real port": {},
        }
        for size in sizes:
            times = [
                timed(functools.partial(pactdsl_suite, size, None, out / f"s{size}m", client)),
                timed(functools.partial(pactdsl_suite, size, 0, out / f"s{size}p", client)),
                timed(functools.partial(pactdsl_one_mock, size, None, client)),
                timed(functools.partial(pactdsl_one_mock, size, 0, client)),
            ]
            for name, seconds in zip(scaling, times, strict=True):
                scaling[name][size] = seconds
            print(f"  {size:>5} " + " ".join(f"{t:>11.3f}" for t in times))

    pp_note = "" if has_pact_python else "pact-python is not installed"
    rows = []
    for mode, seconds in ours_a.items():
        rows.append(
            emit(
                "mock",
                f"(a) suite of {count} tests, one mock each, {mode}",
                seconds,
                pp_a,
                goal=target(">=", SUITE_TARGETS[mode]),
                note=pp_note,
            )
        )
    floor_note = (
        "the floor row below bounds any real-port figure: with this httpx client a "
        "do-nothing server already costs that much"
    )
    for mode, seconds in ours_b.items():
        rows.append(
            emit(
                "mock",
                f"(b) one mock, {count} interactions, {count} requests, {mode}",
                seconds,
                pp_b,
                # The issue gives (b) one target, with no mode: it is held by the
                # in-process mode, the one the issue is about. Over a socket the
                # floor row shows what any Python server can reach with this client.
                goal=target(">=", ONE_MOCK_TARGET) if mode == "in-process" else None,
                note=pp_note or (floor_note if mode == "real port" else ""),
            )
        )
    emit(
        "mock",
        f"floor: {count} requests to a do-nothing stdlib server, same httpx client",
        floor_b,
        pp_b,
        note="not a mock: the fastest any Python server could answer this client over a socket",
    )
    low, high = sizes[0], sizes[-1]
    for name, by_size in scaling.items():
        rows.append(
            emit(
                "mock",
                f"pactdsl scaling {name}, N={low} to N={high}",
                by_size[high],
                None,
                ratio=by_size[high] / by_size[low],
                ratio_of=f"N={high} / N={low}",
                goal=target("<=", SCALING_TARGET),
                note=f"linear cost is {high / low:g}x; the target allows 25% slack",
                detail=", ".join(f"N={size}: {by_size[size] * 1000:.0f} ms" for size in sizes),
            )
        )
    print("ratios against targets:")
    for row in rows:
        print(f"  {row['case']}: {verdict(row)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="mock provider against pact-python's")
    parser.add_argument("count", nargs="?", type=int, default=None, help="N (default 200)")
    parser.add_argument("--quick", action="store_true", help="N=40, one run per figure")
    args = parser.parse_args()
    main(args.count or (40 if args.quick else 200), repeat=1 if args.quick else 3)
