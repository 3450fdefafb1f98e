"""The CLI's error path: one error line and a non-zero exit for every bad input.

Never a traceback, never a hang: each case is a real subprocess with a timeout.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile._hostile import ROOT

GOOD = {
    "consumer": {"name": "web"},
    "provider": {"name": "api"},
    "interactions": [
        {
            "description": "get x",
            "request": {"method": "GET", "path": "/x"},
            "response": {"status": 200},
        }
    ],
    "metadata": {"pactSpecification": {"version": "3.0.0"}},
}


def with_response(response: dict[str, object]) -> str:
    """GOOD's text with its one response replaced."""
    pact = json.loads(json.dumps(GOOD))
    pact["interactions"][0]["response"] = response
    return json.dumps(pact)


FILES = {
    "good.json": json.dumps(GOOD),
    "broken.json": "{not json",
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "bomb.json": with_response(
        {
            "status": 200,
            "body": {"v": "a"},
            "matchingRules": {
                "body": {
                    "$.v": {
                        "matchers": [{"match": "regex", "regex": "(?:(?:a{1000}){1000}){1000}"}]
                    }
                }
            },
        }
    ),
    "superscript.json": with_response({"status": "²"}),
    "date.json": with_response(
        {
            "status": 200,
            "body": {"d": "2020"},
            "matchingRules": {"body": {"$.d": {"matchers": [{"match": "date", "format": "DDDD"}]}}},
        }
    ),
    "latin1.json": "",
    "corrupt.db": "this is not a SQLite database" * 100,
}
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there

# (case, arguments, what the error line must mention)
CASES = [
    ("missing pact file", ["verify", "missing.json", "--base-url", NOWHERE], "missing.json"),
    ("pact not JSON", ["verify", "broken.json", "--base-url", NOWHERE], "not valid JSON"),
    ("pact nested too deep", ["verify", "deep.json", "--base-url", NOWHERE], "max_nesting_depth"),
    ("regex memory bomb", ["verify", "bomb.json", "--base-url", NOWHERE], "max_regex_size"),
    ("status ²", ["verify", "superscript.json", "--base-url", NOWHERE], "status"),
    ("date format DDDD", ["verify", "date.json", "--base-url", NOWHERE], "DDDD"),
    ("pact not UTF-8", ["verify", "latin1.json", "--base-url", NOWHERE], "UTF-8"),
    ("a folder as the pact", ["verify", "folder/good.json/", "--base-url", NOWHERE], "good.json"),
    ("a 300-character name", ["verify", "x" * 300 + ".json", "--base-url", NOWHERE], "xxxx"),
    ("base URL not a URL", ["verify", "good.json", "--base-url", "not a url"], "base"),
    ("mock of a bomb", ["mock", "bomb.json", "--port", "0"], "max_regex_size"),
    ("mock of a missing file", ["mock", "missing.json", "--port", "0"], "missing.json"),
    ("unknown limit", ["--limit", "bogus=1", "verify", "good.json"], "bogus"),
    ("negative limit", ["--limit", "max_body_bytes=-1", "verify", "good.json"], "max_body_bytes"),
    (
        "a folder as the broker database",
        ["publish", "good.json", "--consumer-version", "1", "--broker-db", "folder"],
        "folder",
    ),
    (
        "a corrupt broker database",
        ["publish", "good.json", "--consumer-version", "1", "--broker-db", "corrupt.db"],
        "corrupt.db",
    ),
    (
        "describe from a corrupt database",
        ["describe-version", "--pacticipant", "web", "--broker-db", "corrupt.db"],
        "corrupt.db",
    ),
    ("generate from a missing module", ["generate", "no_such_module_here"], "no_such_module"),
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the hostile files the cases name."""
    folder = tmp_path_factory.mktemp("cli")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "latin1.json").write_bytes(b'{"consumer": {"name": "caf\xe9"}}')
    (folder / "folder" / "good.json").mkdir(parents=True)
    return folder


def run_cli(
    arguments: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m pactdsl ARGS` in `cwd`, with no input and a timeout that fails a hang."""
    return subprocess.run(
        [sys.executable, "-m", "pactdsl", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=90,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        check=False,
    )


@pytest.mark.parametrize(("case", "arguments", "mention"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_a_non_zero_exit(
    workdir: Path, case: str, arguments: list[str], mention: str
) -> None:
    """Each bad input ends with one `Error:` line naming it, exit 2, no traceback."""
    completed = run_cli(arguments, workdir)
    assert completed.returncode == 2, (case, completed.returncode, completed.stderr[-1500:])
    assert "Traceback" not in completed.stderr, (case, completed.stderr[-1500:])
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert lines, case
    assert lines[-1].startswith("Error:"), (case, completed.stderr[-1500:])
    assert mention in lines[-1], (case, lines[-1])


class _EchoingBroker(http.server.BaseHTTPRequestHandler):
    """A broker (or proxy) that echoes the request's Authorization header in a 500."""

    def do_GET(self) -> None:
        body = f"upstream failed for Authorization: {self.headers.get('Authorization')}".encode()
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def echoing_broker() -> Iterator[str]:
    """The URL of an `_EchoingBroker` on 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoingBroker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CREDENTIALS = [
    pytest.param(
        {"PACT_BROKER_USERNAME": "alice", "PACT_BROKER_PASSWORD": "s3cret-pw"},
        ["s3cret-pw", base64.b64encode(b"alice:s3cret-pw").decode().rstrip("=")],
        id="basic",
    ),
    pytest.param({"PACT_BROKER_TOKEN": "t0ken-s3cret"}, ["t0ken-s3cret"], id="bearer"),
]


@pytest.mark.parametrize(("credentials", "secrets"), CREDENTIALS)
def test_an_echoed_credential_is_redacted(
    workdir: Path, echoing_broker: str, credentials: dict[str, str], secrets: list[str]
) -> None:
    """A broker echoing Authorization never makes the CLI print the secret in any form."""
    completed = run_cli(
        ["describe-version", "--pacticipant", "web", "--broker-base-url", echoing_broker],
        workdir,
        env={**credentials, "PACT_BROKER_RETRIES": "0"},
    )
    shown = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "Traceback" not in shown
    assert "upstream failed" in shown  # the echoed body is shown, redacted
    for secret in secrets:
        assert secret not in shown
