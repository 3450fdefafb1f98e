"""Soak the port mock: one mock on a real port answering keep-alive clients for 60 s.

Reports requests per second, the p50 and p99 latency seen by the clients, the
process's resident memory (RSS) after warm-up and at the end, and the mock's
bookkeeping: how many calls it counted (exact) and how many it kept. With a
retention cap (`Limits(max_recorded_calls=...)`, 1,000 here) RSS should stay
flat; `--no-cap` keeps every call, for comparison.

Run: python benchmarks/soak_mock.py [--seconds 60] [--clients 4] [--no-cap]
"""

from __future__ import annotations

import argparse
import http.client
import json
import resource
import statistics
import threading
import time
from pathlib import Path

from pactdsl import Limits, define_contract, interaction, mock_provider
from pactdsl.match import integer, type_of

CAP = 1_000


def rss_mib() -> float:
    """The resident set size now, in MiB (Linux /proc; peak RSS elsewhere)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def client(port: int, stop: threading.Event, latencies: list[float], errors: list[str]) -> None:
    """Send POST /orders on one keep-alive connection until `stop`, timing each answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"item": "book", "quantity": 2})
    headers = {"Content-Type": "application/json"}
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("POST", "/orders", body, headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 201:
            errors.append(str(response.status))
    connection.close()


def main() -> None:
    """Run the soak and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-cap", action="store_true", help="keep every call (no retention cap)")
    args = parser.parse_args()
    contract = define_contract(
        "soak",
        consumer="soak-consumer",
        provider="soak-provider",
        interactions=[
            interaction("create an order")
            .request(method="POST", path="/orders", body={"item": "book", "quantity": integer(2)})
            .responds(status=201, body={"id": integer(7), "item": type_of("book")})
        ],
    )
    limits = Limits(max_recorded_calls=None if args.no_cap else CAP)
    with mock_provider(contract, port=0, limits=limits) as mock:
        port = int(mock.url.rsplit(":", 1)[1])
        stop = threading.Event()
        per_client: list[list[float]] = [[] for _ in range(args.clients)]
        errors: list[str] = []
        threads = [
            threading.Thread(target=client, args=(port, stop, lat, errors), daemon=True)
            for lat in per_client
        ]
        for thread in threads:
            thread.start()
        time.sleep(min(2.0, args.seconds / 10))  # warm-up: threads, caches, first allocations
        warm = sum(map(len, per_client))
        rss_start = rss_mib()
        started = time.perf_counter()
        time.sleep(args.seconds)
        done = sum(map(len, per_client)) - warm
        elapsed = time.perf_counter() - started
        rss_end = rss_mib()
        stop.set()
        for thread in threads:
            thread.join()
        latencies = sorted(x for lat in per_client for x in lat[len(lat) // 20 :])
        total, kept = mock.call_count, len(mock.calls)
    sent = sum(map(len, per_client))
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"soak of the port mock: {args.seconds:g} s, {args.clients} keep-alive clients")
    print(f"retention cap: {'none' if args.no_cap else f'max_recorded_calls={CAP}'}")
    print(f"requests/s: {done / elapsed:,.0f}")
    print(f"latency p50: {p50:.2f} ms, p99: {p99:.2f} ms")
    print(f"RSS start: {rss_start:.1f} MiB, end: {rss_end:.1f} MiB")
    print(f"calls sent: {sent:,}, counted by the mock: {total:,}, kept: {kept:,}")
    print(f"errors: {len(errors)}")
    if total != sent or errors:
        raise SystemExit("the mock's count differs from the requests sent, or some failed")


if __name__ == "__main__":
    main()
