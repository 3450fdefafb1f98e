"""Provider side: the Flask orders service verified with the `pactdsl verify` command.

Both contracts, HTTP and messages, are verified the two ways messages can be
reached from the command line: producer functions named in a module, and the
provider's message endpoint (the message proxy), over a real socket.
"""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from orders_contract import order_events, orders_api
from orders_service import app
from werkzeug.serving import make_server

from pactdsl import generate_pact

HERE = Path(__file__).parent


def pactdsl(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "pactdsl", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


@pytest.fixture
def pacts(tmp_path):
    generate_pact(orders_api, tmp_path, spec="4.0")
    generate_pact(order_events, tmp_path, spec="4.0")
    return tmp_path


@pytest.fixture
def running_service():
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_http_and_producer_functions_in_process(pacts):
    done = pactdsl(
        "verify",
        str(pacts),
        "--app",
        "orders_service:app",
        "--state-setup",
        "orders_service:set_up_state",
        "--message-producers",
        "orders_service:MESSAGE_PRODUCERS",
        cwd=HERE,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed: 3/3 interactions" in done.stdout


def test_http_and_the_message_endpoint_over_a_socket(pacts, running_service):
    done = pactdsl(
        "verify",
        str(pacts),
        "--base-url",
        running_service,
        "--state-change-url",
        "/_pact/state",
        "--messages-url",
        "/_pact/messages",
        cwd=HERE,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed: 3/3 interactions" in done.stdout


def test_without_a_way_to_the_messages_the_run_fails(pacts):
    done = pactdsl(
        "verify",
        str(pacts),
        "--app",
        "orders_service:app",
        "--state-change-url",
        "/_pact/state",
        cwd=HERE,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Passed: 2/3 interactions (1 not verified)" in done.stdout
