"""The mock provider against pact-python's (Rust) mock server, on the same contract.

(a) A suite of N "tests", each exercising one interaction, ending with the pact
    file written; each library used the way its documentation says:
    - pact-python: a new `Pact` per test holding that interaction, `serve()`,
      one request, `write_file` after each test;
    - pactdsl: the contract declared once, `mock_provider(contract,
      interactions=desc)` per test, one request, the file written once at the
      end; in-process (respx) and on a real port.
(b) One mock holding all N interactions answering N requests.

Both libraries send their requests through one shared `httpx.Client`, as a test
module would. Each figure is the best of 3 runs (pact-python's (b): 1 run), as
other load on the machine only ever adds time. Also times pactdsl at N=100, 200
and 400 to show the cost is linear in N.

Run: python benchmarks/bench_mock.py [N]   (default N=200; needs pact-python)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from pactdsl import Contract, define_contract, generate_pact, interaction
from pactdsl._mock import mock_provider


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


def _timed(run: Callable[[], None], repeat: int = 3) -> float:
    """The best of `repeat` runs: the least disturbed by other load on the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


# --- pactdsl -----------------------------------------------------------------


def pactdsl_suite(count: int, port: int | None, out: Path, client: httpx.Client) -> None:
    """(a) for pactdsl: declare once, one mock per test, write the file once."""
    contract = _declare(count, f"suite-{'mem' if port is None else 'port'}")
    for n in range(count):
        with mock_provider(contract, port, interactions=_description(n)) as mock:
            _check(client.get(f"{mock.url}/items/{n}"), n)
    generate_pact(contract, output=out, spec="4.0")


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
        pact.write_file(out)


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


def _row(label: str, seconds: float, count: int, baseline: float | None) -> str:
    ratio = f"{baseline / seconds:8.1f}x" if baseline else "        -"
    per = seconds / count * 1000
    return f"  {label:<34} {seconds:8.3f} s {per:8.3f} ms/test {ratio}"


def main(count: int = 200) -> None:
    """Run (a), (b) and the scaling table; print times and ratios."""
    out = Path(tempfile.mkdtemp(prefix="bench-mock-"))
    with httpx.Client(trust_env=False) as client:
        # Warm-up: imports, respx patching, first server thread.
        pactdsl_suite(3, None, out / "warm", client)
        pactdsl_suite(3, 0, out / "warm", client)

        print(f"(a) a suite of {count} tests, one interaction each, pact file written")
        pp_a = _timed(lambda: pact_python_suite(count, out / "pp", client))
        mem_a = _timed(lambda: pactdsl_suite(count, None, out / "mem", client))
        port_a = _timed(lambda: pactdsl_suite(count, 0, out / "port", client))
        print(_row("pact-python 4.2 (Rust mock server)", pp_a, count, None))
        print(_row("pactdsl in-process (respx)", mem_a, count, pp_a))
        print(_row("pactdsl real port", port_a, count, pp_a))

        print(f"(b) one mock with {count} interactions answering {count} requests")
        # One run only: it takes pact-python tens of seconds.
        pp_b = _timed(lambda: pact_python_one_mock(count, client), repeat=1)
        mem_b = _timed(lambda: pactdsl_one_mock(count, None, client))
        port_b = _timed(lambda: pactdsl_one_mock(count, 0, client))
        print(_row("pact-python 4.2 (Rust mock server)", pp_b, count, None))
        print(_row("pactdsl in-process (respx)", mem_b, count, pp_b))
        print(_row("pactdsl real port", port_b, count, pp_b))

        print("pactdsl scaling (seconds; per-test cost should stay flat)")
        print(
            f"  {'N':>5} {'(a) in-proc':>12} {'(a) port':>10} {'(b) in-proc':>12} {'(b) port':>10}"
        )
        for size in (100, 200, 400):
            times = [
                _timed(lambda s=size: pactdsl_suite(s, None, out / f"s{s}m", client)),
                _timed(lambda s=size: pactdsl_suite(s, 0, out / f"s{s}p", client)),
                _timed(lambda s=size: pactdsl_one_mock(s, None, client)),
                _timed(lambda s=size: pactdsl_one_mock(s, 0, client)),
            ]
            print(f"  {size:>5} " + " ".join(f"{t:>11.3f}" for t in times))

    print("targets: (a) >=10x in-process, >=3x real port; (b) >=100x")
    print(
        f"reached: (a) {pp_a / mem_a:.1f}x in-process, {pp_a / port_a:.1f}x real port; "
        f"(b) {pp_b / mem_b:.1f}x in-process, {pp_b / port_b:.1f}x real port"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
