"""Every `pactdsl` command once more as a real process, the way CI pipelines run it."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pactdsl._demo import serve_wsgi
from tests._cli_fixtures import CliProject, make_project

TIMEOUT = 60


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    env.pop("PACTDSL_BROKER_DB", None)
    return env


def pactdsl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m pactdsl ARGS` in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "pactdsl", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> CliProject:
    """A contract module in tmp_path."""
    return make_project(tmp_path / "src")


def test_generate_process(project: CliProject) -> None:
    """`python -m pactdsl generate` writes the pact file and exits 0."""
    done = pactdsl(
        "generate", f"{project.module}:{project.contract}", "--out", "pacts", cwd=project.folder
    )
    assert done.returncode == 0, done.stderr
    document = json.loads((project.folder / "pacts" / project.pact_name).read_text())
    assert len(document["interactions"]) == 2


def test_verify_process_against_a_real_provider(project: CliProject) -> None:
    """`verify FILE --base-url` exits 0 for an honouring provider and 1 for a broken one."""
    assert pactdsl("generate", project.module, cwd=project.folder).returncode == 0
    sys.path.insert(0, str(project.folder))
    try:
        module = __import__(project.module)
    finally:
        sys.path.remove(str(project.folder))
        sys.modules.pop(project.module, None)
    pact_file = f"pacts/{project.pact_name}"
    with serve_wsgi(module.good_app) as good, serve_wsgi(module.broken_app) as broken:
        passed = pactdsl("verify", pact_file, "--base-url", good, cwd=project.folder)
        failed = pactdsl(
            "verify",
            pact_file,
            "--base-url",
            broken,
            "--report",
            "junit",
            "--report-file",
            "junit.xml",
            cwd=project.folder,
        )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed: 2/2 interactions" in passed.stdout
    assert failed.returncode == 1
    assert (project.folder / "junit.xml").read_text().startswith("<?xml")


def _start_mock(
    project: CliProject, *extra: str, source: str | None = None
) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pactdsl",
            "mock",
            source or f"{project.module}:{project.contract}",
            "--port",
            "0",
            *extra,
        ],
        cwd=project.folder,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # blocks until the server listens
    if not first.startswith("Mock provider listening on "):
        process.kill()
        _, err = process.communicate(timeout=TIMEOUT)
        pytest.fail(f"mock did not start: {first!r} {err}")
    return process, first.removeprefix("Mock provider listening on ").strip()


def test_mock_process_serves_any_client_until_ctrl_c(project: CliProject) -> None:
    """`pactdsl mock --port 0` answers urllib, 404s unknown paths, and stops cleanly on SIGINT."""
    process, url = _start_mock(project, "--interaction", "get thing")
    try:
        with urllib.request.urlopen(f"{url}/things/1", timeout=10) as answer:
            assert json.load(answer) == {"id": 1, "name": "string"}
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}/nowhere", timeout=10)
        assert missing.value.code == 404
        missing.value.close()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert "Stopped after 2 request(s)." in out


def test_mock_process_serves_https_with_the_ca_it_prints(project: CliProject) -> None:
    """`pactdsl mock --tls` prints the CA's PEM file; a client trusting it gets answers."""
    process, url = _start_mock(project, "--tls", "--interaction", "get thing")
    try:
        assert url.startswith("https://127.0.0.1:")
        assert process.stdout is not None
        ca_line = process.stdout.readline()
        assert ca_line.startswith("CA certificate (PEM): ")
        context = ssl.create_default_context(cafile=ca_line.split(": ", 1)[1].strip())
        with urllib.request.urlopen(f"{url}/things/1", timeout=10, context=context) as answer:
            assert json.load(answer) == {"id": 1, "name": "string"}
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert "Stopped after 1 request(s)." in out


def test_mock_process_check_fails_on_missing_requests(project: CliProject) -> None:
    """With --check, a mock that never received its interactions exits 1 on SIGTERM."""
    process, _ = _start_mock(project, "--check")
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 1, out + err
    assert "get thing" in out


def test_mock_process_serves_a_folder_for_one_provider(project: CliProject) -> None:
    """`pactdsl mock FOLDER` serves the pacts of every consumer of one provider together."""
    assert (
        pactdsl("generate", f"{project.module}:{project.contract}", cwd=project.folder).returncode
        == 0
    )
    folder = project.folder / "pacts"
    other = json.loads((folder / project.pact_name).read_text())
    other["consumer"] = {"name": "other-app"}
    other["interactions"] = [
        {
            "description": "list things",
            "request": {"method": "GET", "path": "/things"},
            "response": {"status": 200, "body": [{"id": 1}]},
        }
    ]
    (folder / f"other-app-{project.provider}.json").write_text(json.dumps(other))
    process, url = _start_mock(project, source="pacts")
    try:
        with urllib.request.urlopen(f"{url}/things", timeout=10) as answer:
            assert json.load(answer) == [{"id": 1}]
        with urllib.request.urlopen(f"{url}/things/1", timeout=10) as answer:
            assert json.load(answer)["id"] == 1
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}/nowhere", timeout=10)
        listed = json.load(missing.value)
        missing.value.close()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert missing.value.code == 404
    assert sorted(i["description"] for i in listed["interactions"]) == [
        "create thing",
        "get thing",
        "list things",
    ]
    assert "Stopped after 3 request(s)." in out


def test_broker_commands_as_processes(project: CliProject, tmp_path: Path) -> None:
    """Every broker command (publish ... record-undeployment) runs as a separate process."""
    db = str(tmp_path / "broker.db")
    target = f"{project.module}:{project.contract}"
    published = pactdsl(
        "publish", target, "--consumer-version", "1.0.0", "--broker-db", db, cwd=project.folder
    )
    assert published.returncode == 0, published.stderr
    refused = pactdsl(
        "can-i-deploy",
        "--pacticipant",
        project.consumer,
        "--version",
        "1.0.0",
        "--broker-db",
        db,
        cwd=project.folder,
    )
    assert refused.returncode == 1
    assert "cannot deploy" in refused.stdout
    verified = pactdsl(
        "verify",
        target,
        "--app",
        f"{project.module}:good_app",
        "--publish",
        "--provider-version",
        "5.0.0",
        "--broker-db",
        db,
        cwd=project.folder,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    environment = pactdsl("create-environment", "test", "--broker-db", db, cwd=project.folder)
    assert environment.returncode == 0, environment.stderr
    deployed = pactdsl(
        "record-deployment",
        "--pacticipant",
        project.provider,
        "--version",
        "5.0.0",
        "--environment",
        "test",
        "--broker-db",
        db,
        cwd=project.folder,
    )
    assert deployed.returncode == 0, deployed.stderr
    allowed = pactdsl(
        "can-i-deploy",
        "--pacticipant",
        project.consumer,
        "--version",
        "1.0.0",
        "--to-environment",
        "test",
        "--broker-db",
        db,
        cwd=project.folder,
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "can deploy to test" in allowed.stdout
    released = pactdsl(
        "record-release",
        "--pacticipant",
        project.provider,
        "--version",
        "5.0.0",
        "--environment",
        "test",
        "--broker-db",
        db,
        cwd=project.folder,
    )
    assert released.returncode == 0, released.stderr
    described = pactdsl(
        "describe-version",
        "--pacticipant",
        project.provider,
        "--version",
        "5.0.0",
        "--broker-db",
        db,
        cwd=project.folder,
    )
    assert described.returncode == 0, described.stderr
    assert "5.0.0" in described.stdout
    undeployed = pactdsl(
        "record-undeployment",
        "--pacticipant",
        project.provider,
        "--environment",
        "test",
        "--broker-db",
        db,
        cwd=project.folder,
    )
    assert undeployed.returncode == 0, undeployed.stderr


def test_demo_process(tmp_path: Path) -> None:
    """The `pactdsl` console script (or `python -m pactdsl`) runs the demo and exits 0."""
    script = Path(sys.executable).with_name("pactdsl")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "pactdsl"]
    done = subprocess.run(
        [*command, "demo"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[6/6] Publish to the broker and ask can-i-deploy" in done.stdout
    assert (tmp_path / "pactdsl-demo" / "pacts" / "checkout-app-payment-service.json").is_file()
    assert (tmp_path / "pactdsl-demo" / "broker.db").is_file()


def test_mock_check_report_nests_near_misses_under_their_request(project: CliProject) -> None:
    """The stop report bullets each problem; the near misses of a request sit one level deeper."""
    process, url = _start_mock(project, "--check", "--interaction", "get thing")
    try:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}/things/2", timeout=10)
        missing.value.close()
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 1, out + err
    report = out.split("Stopped after 1 request(s).\n", 1)[1].splitlines()
    assert report == [
        "  - No interaction matches GET /things/2 amongst:",
        "    - 'get thing' (given 'thing exists'): expected path '/things/1', got '/things/2'",
        "  - Interaction 'get thing' (given 'thing exists') was never received: "
        "expected GET /things/1",
    ]
