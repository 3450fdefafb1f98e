"""The mock provider under load: many threads on a real port, many tasks in-process."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import uuid
from collections import Counter

import httpx

from pactdsl import Contract, define_contract, interaction
from pactdsl._mock import mock_provider

ITEMS = 10


def items_contract() -> Contract:
    """Ten GET interactions and one POST, each answering with its own number."""
    gets = [
        interaction(f"get item {n}")
        .given(f"item {n} exists")
        .request(method="GET", path=f"/items/{n}")
        .responds(status=200, body={"id": n, "name": f"item {n}"})
        for n in range(ITEMS)
    ]
    post = (
        interaction("add item")
        .request(method="POST", path="/items", body={"name": "new"})
        .responds(status=201, body={"id": 99})
    )
    return define_contract(
        f"items-{uuid.uuid4().hex[:8]}",
        consumer="shop",
        provider="inventory",
        interactions=[*gets, post],
    )


def test_fifty_threads_times_a_hundred_requests_on_a_real_port() -> None:
    """50 threads x 100 keep-alive requests all get the right answer; counts are exact."""
    threads, per_thread = 50, 100
    failures: list[str] = []
    start = threading.Barrier(threads)
    with mock_provider(items_contract(), port=0) as mock:
        port = int(mock.url.rsplit(":", 1)[1])

        def worker(number: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start.wait()
            try:
                for step in range(per_thread):
                    item = (number + step) % ITEMS
                    expected: tuple[int, dict[str, object]]
                    if step % 10 == 9:
                        connection.request(
                            "POST",
                            "/items",
                            body=b'{"name": "new"}',
                            headers={"Content-Type": "application/json"},
                        )
                        expected = (201, {"id": 99})
                    else:
                        connection.request("GET", f"/items/{item}")
                        expected = (200, {"id": item, "name": f"item {item}"})
                    reply = connection.getresponse()
                    got = (reply.status, json.loads(reply.read()))
                    if got != expected:
                        failures.append(f"thread {number} step {step}: {got} != {expected}")
            finally:
                connection.close()

        pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    assert failures == []
    calls = mock.calls
    assert len(calls) == threads * per_thread
    counts = Counter(c.interaction.description for c in calls if c.interaction is not None)
    assert counts["add item"] == threads * per_thread // 10
    assert sum(counts.values()) == threads * per_thread
    expected_gets: Counter[str] = Counter()
    for number in range(threads):
        for step in range(per_thread):
            if step % 10 != 9:
                expected_gets[f"get item {(number + step) % ITEMS}"] += 1
    assert {k: v for k, v in counts.items() if k != "add item"} == dict(expected_gets)


def test_a_thousand_concurrent_async_requests_in_process() -> None:
    """1,000 concurrent AsyncClient requests are each answered right; counts are exact."""
    total = 1000

    async def run() -> tuple[list[tuple[int, int, object]], Counter[str]]:
        mock = mock_provider(items_contract())
        async with mock, httpx.AsyncClient(base_url=mock.url) as client:

            async def one(n: int) -> tuple[int, int, object]:
                response = await client.get(f"/items/{n % ITEMS}")
                return n, response.status_code, response.json()

            results = await asyncio.gather(*(one(n) for n in range(total)))
            assert (await client.post("/items", json={"name": "new"})).status_code == 201
        counts = Counter(c.interaction.description for c in mock.calls if c.interaction)
        return list(results), counts

    results, counts = asyncio.run(run())
    wrong = [
        (n, status, body)
        for n, status, body in results
        if (status, body) != (200, {"id": n % ITEMS, "name": f"item {n % ITEMS}"})
    ]
    assert wrong == []
    assert len(results) == total
    assert counts == Counter(
        {**{f"get item {n}": total // ITEMS for n in range(ITEMS)}, "add item": 1}
    )
