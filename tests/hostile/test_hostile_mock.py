"""A hostile consumer against the port mock: bounded threads and memory, nothing unrecorded."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from pactdsl import (
    Contract,
    Limits,
    MockMismatchError,
    MockProvider,
    define_contract,
    interaction,
    mock_provider,
)
from tests.hostile._hostile import run_capped


def orders_contract() -> Contract:
    """One POST /orders interaction with a JSON body."""
    return define_contract(
        "hostile orders",
        consumer="hostile-consumer",
        provider="orders-api",
        interactions=[
            interaction("create an order")
            .request(method="POST", path="/orders", body={"item": "book"})
            .responds(status=201, body={"id": 1})
        ],
    )


def send_raw(port: int, data: bytes, *, read: bool = True) -> bytes:
    """Send raw bytes to the mock on 127.0.0.1 and return what it answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(data)
        if not read:
            return b""
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = connection.recv(65536)
            if not piece:
                break
            answer += piece
        return answer


def port_of(mock: MockProvider) -> int:
    """The port a started mock listens on."""
    return int(mock.url.rsplit(":", 1)[1])


POST = b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize(
    ("case", "raw", "status"),
    [
        ("a bad Content-Length", POST + b"Content-Length: banana\r\n\r\n", b"400"),
        ("a negative Content-Length", POST + b"Content-Length: -5\r\n\r\n", b"400"),
        (
            "a bad chunk size",
            POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
            b"400",
        ),
        ("a body over the cap", POST + b"Content-Length: 99999999999\r\n\r\n", b"400"),
        (
            "charset=punycode",
            b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain; charset=punycode\r\n"
            b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
            b"",
        ),
        (
            "JSON nested 100,000 deep",
            POST + b"Content-Length: 200000\r\n\r\n" + b"[" * 100_000 + b"]" * 100_000,
            b"",
        ),
    ],
)
def test_a_request_the_mock_cannot_process_fails_verification(
    case: str, raw: bytes, status: bytes
) -> None:
    """Each unreadable or handler-breaking request is answered, recorded, and fails the mock."""
    contract = orders_contract()
    answer = b""
    with pytest.raises(MockMismatchError) as raised, mock_provider(contract, port=0) as mock:  # noqa: PT012
        httpx.post(f"{mock.url}/orders", json={"item": "book"})
        answer = send_raw(port_of(mock), raw)
    assert answer.startswith(b"HTTP/1.1 " + status), (case, answer[:200])
    report = str(raised.value)
    assert "could not be handled" in report or "charset=punycode" in report, case


def test_an_endless_chunked_body_stops_at_the_cap_in_bounded_memory() -> None:
    """A chunked body that never ends is refused at max_body_bytes; RSS stays under the cap."""
    result = run_capped(
        """
        import socket, threading
        from pactdsl import Limits, define_contract, interaction, mock_provider
        contract = define_contract("c", consumer="c", provider="p", interactions=[
            interaction("x").request(method="POST", path="/x").responds(status=200)])
        mock = mock_provider(contract, port=0, limits=Limits(max_body_bytes=1_000_000)).start()
        port = int(mock.url.rsplit(":", 1)[1])
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        connection.sendall(
            b"POST /x HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
        )
        chunk = b"10000\\r\\n" + b"a" * 65536 + b"\\r\\n"
        try:
            for _ in range(4000):  # 256 MB, if the mock kept reading
                connection.sendall(chunk)
        except OSError:
            pass
        mock.stop()
        ok, problems = mock.verify()
        report(error=None, ok=ok, problems=[str(p) for p in problems])
        """
    )
    assert result["ok"] is False, result
    assert "max_body_bytes=1000000" in result["problems"][0]


def test_many_slow_connections_use_a_bounded_worker_pool() -> None:
    """40 silent connections occupy at most `mock_workers` threads; a real one waits its turn."""
    result = run_capped(
        """
        import socket, threading, time
        import httpx
        from pactdsl import Limits, define_contract, interaction, mock_provider
        contract = define_contract("c", consumer="c", provider="p", interactions=[
            interaction("x").request(method="GET", path="/x").responds(status=200)])
        limits = Limits(mock_workers=4, idle_seconds=0.5)
        mock = mock_provider(contract, port=0, limits=limits).start()
        port = int(mock.url.rsplit(":", 1)[1])
        before = threading.active_count()
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        time.sleep(0.5)
        peak = threading.active_count() - before
        status = httpx.get(mock.url + "/x", timeout=120).status_code
        for s in idle:
            s.close()
        mock.stop()
        report(error=None, peak=peak, status=status, running=mock.is_running)
        """,
        timeout=180,
    )
    assert result["peak"] <= 4 + 1, result
    assert result["status"] == 200


def test_the_accept_loop_survives_a_failed_thread_start() -> None:
    """When a worker thread cannot start, that connection is dropped and the next is served."""
    result = run_capped(
        """
        import threading
        import httpx
        from pactdsl import define_contract, interaction, mock_provider
        contract = define_contract("c", consumer="c", provider="p", interactions=[
            interaction("x").request(method="GET", path="/x").responds(status=200)])
        mock = mock_provider(contract, port=0).start()
        real_start = threading.Thread.start
        failures = []
        def failing_start(self):
            if self.name == "pactdsl-mock" and not failures:
                failures.append(1)
                raise RuntimeError("can't start new thread")
            return real_start(self)
        threading.Thread.start = failing_start
        dropped = None
        try:
            # A fresh mock has no idle worker, so the first connection starts a thread;
            # each client closes its connection so no worker stays busy with it.
            for _ in range(3):
                with httpx.Client(timeout=10) as client:
                    try:
                        client.get(mock.url + "/x")
                    except httpx.HTTPError as exc:
                        dropped = type(exc).__name__
        finally:
            threading.Thread.start = real_start
        status = httpx.get(mock.url + "/x", timeout=10).status_code
        report(error=None, failed=bool(failures), dropped=dropped, status=status,
               running=mock.is_running)
        mock.stop()
        """
    )
    assert result["failed"] is True, result
    assert result["status"] == 200
    assert result["running"] is True


def test_recorded_calls_are_capped_and_the_count_stays_exact() -> None:
    """With max_recorded_calls=50, 400 requests keep 50 calls and count 400."""
    contract = orders_contract()
    with (
        mock_provider(contract, port=0, limits=Limits(max_recorded_calls=50)) as mock,
        httpx.Client() as client,
    ):
        for _ in range(400):
            client.post(f"{mock.url}/orders", json={"item": "book"})
        assert len(mock.calls) == 50
        assert mock.call_count == 400


def test_problems_beyond_the_cap_still_fail_verification() -> None:
    """Unexpected requests past the retention cap are counted, and verification says so."""
    contract = orders_contract()
    with (  # noqa: PT012 - the block is the test
        pytest.raises(MockMismatchError, match=r"20 more requests with problems"),
        mock_provider(contract, port=0, limits=Limits(max_recorded_calls=5)) as mock,
        httpx.Client() as client,
    ):
        client.post(f"{mock.url}/orders", json={"item": "book"})
        for n in range(25):
            client.get(f"{mock.url}/nothing/{n}")


def test_is_running_is_false_once_stopped() -> None:
    """`is_running` follows the server: True while serving, False after stop."""
    mock = mock_provider(orders_contract(), port=0).start()
    assert mock.is_running
    mock.stop()
    assert not mock.is_running
    time.sleep(0)
