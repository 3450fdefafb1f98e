"""`pactdsl verify` from a broker, its empty-selection policy and --no-lifespan, via CliRunner."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pactdsl._cli import build_cli
from pactdsl.broker import LocalBroker, can_i_deploy
from tests._cli_fixtures import CliProject, project_in_cwd


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_registry: None
) -> Iterator[CliProject]:
    """A contract module in tmp_path, the current folder, with a local broker of its own."""
    monkeypatch.setenv("PACTDSL_BROKER_DB", str(tmp_path / "broker.db"))
    yield from project_in_cwd(tmp_path, monkeypatch)


def run(*args: str) -> Result:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


def _publish(project: CliProject, version: str, branch: str) -> None:
    target = f"{project.module}:{project.contract}"
    published = run("publish", target, "--consumer-version", version, "--branch", branch)
    assert published.exit_code == 0, published.output


def test_broker_source_verifies_publishes_and_can_i_deploy_agrees(
    project: CliProject, tmp_path: Path
) -> None:
    """--broker --provider with selectors verifies the main-branch pact and publishes it."""
    _publish(project, "1.0.0", "main")
    verified = run(
        "verify",
        "--broker",
        "--provider",
        project.provider,
        "--consumer-version-selectors",
        '{"mainBranch": true}',
        "--consumer-version-selectors",
        '[{"deployedOrReleased": true}]',
        "--app",
        f"{project.module}:good_app",
        "--provider-version",
        "p1",
        "--provider-branch",
        "main",
        "--provider-tag",
        "prod",
        "--build-url",
        "https://ci.example/1",
        "--publish",
    )
    assert verified.exit_code == 0, verified.output
    assert "Passed: 2/2 interactions" in verified.output
    assert "selected by: latest, the main branch" in verified.output
    assert "published the result for provider version p1 (1 pact(s))" in verified.output
    with LocalBroker(tmp_path / "broker.db") as broker:
        decision = can_i_deploy(pacticipant=project.consumer, version="1.0.0", broker=broker)
    assert decision.ok, decision


def test_enable_pending_keeps_a_failing_new_pact_from_failing_the_build(
    project: CliProject,
) -> None:
    """A never-verified pact fails against broken_app: exit 1, but 0 with --enable-pending."""
    _publish(project, "1.0.0", "main")
    common = ["verify", "--broker", "--provider", project.provider]
    app = ["--app", f"{project.module}:broken_app"]
    assert run(*common, *app).exit_code == 1
    pending = run(*common, *app, "--enable-pending", "--report", "json")
    assert pending.exit_code == 0, pending.output
    report = json.loads(pending.output)
    assert report["success"] is True
    assert report["summary"]["pending"] == 2
    assert any("the pact is pending" in notice for notice in report["notices"])


def test_typo_in_a_filter_exits_2_unless_ignored(project: CliProject) -> None:
    """A --filter-description matching nothing exits 2 naming descriptions; the opt-out exits 0."""
    target = f"{project.module}:{project.contract}"
    app = ["--app", f"{project.module}:good_app"]
    typo = run("verify", target, *app, "--filter-description", "get thnig")
    assert typo.exit_code == 2
    assert "filter_description='get thnig' matched none" in typo.output
    assert "'get thing', 'create thing'" in typo.output
    ignored = run(
        "verify", target, *app, "--filter-description", "get thnig", "--ignore-no-pacts-error"
    )
    assert ignored.exit_code == 0, ignored.output
    assert "Passed: 0/0 interactions" in ignored.output


def test_broker_without_pacts_exits_2_unless_ignored(project: CliProject) -> None:
    """An empty local broker selects nothing: exit 2 naming the provider; 0 with the opt-out."""
    args = ["verify", "--broker", "--provider", "nobody", "--app", f"{project.module}:good_app"]
    empty = run(*args)
    assert empty.exit_code == 2
    assert "provider='nobody'" in empty.output
    assert run(*args, "--ignore-no-pacts-error").exit_code == 0


def test_filter_consumer_and_fail_fast(project: CliProject, tmp_path: Path) -> None:
    """--filter-consumer narrows a folder's pacts; --fail-fast stops at the first failure."""
    assert run("generate", project.module, "--out", str(tmp_path / "pacts")).exit_code == 0
    app = ["--app", f"{project.module}:broken_app"]
    narrowed = run(
        "verify", str(tmp_path / "pacts"), *app, "--filter-consumer", "nobody", "--fail-fast"
    )
    assert narrowed.exit_code == 2
    assert "filter_consumer=('nobody',) matched none" in narrowed.output
    stopped = run(
        "verify",
        str(tmp_path / "pacts"),
        *app,
        "--filter-consumer",
        project.consumer,
        "--fail-fast",
    )
    assert stopped.exit_code == 1
    assert "Passed: 0/1 interactions" in stopped.output
    assert "fail_fast=True: stopped after the first failure; 2 interaction(s) not verified" in (
        stopped.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--app", "m:a"], "give SOURCE"),
        (["x.json", "--broker", "--app", "m:a"], "exactly one of them"),
        (
            ["--broker", "--app", "m:a", "--consumer-version-selectors", "{main"],
            "is not JSON",
        ),
        (
            ["--broker", "--app", "m:a", "--consumer-version-selectors", "[1]"],
            "must be a JSON object",
        ),
    ],
)
def test_bad_broker_options_exit_2(project: CliProject, args: list[str], message: str) -> None:
    """Neither or both sources, and selectors that are not JSON objects, are usage errors."""
    result = run("verify", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_selectors_without_broker_exit_2_naming_them(project: CliProject) -> None:
    """--enable-pending with a SOURCE is refused: it only applies to a broker."""
    target = f"{project.module}:{project.contract}"
    result = run("verify", target, "--app", f"{project.module}:good_app", "--enable-pending")
    assert result.exit_code == 2
    assert "include_pending only apply when verifying from a broker" in result.output


# An ASGI app shaped like a Starlette one whose lifespan opens a database that is not
# there: startup answers lifespan.startup.failed and re-raises, as Starlette's router does.
_ASGI_APP_WITH_FAILING_STARTUP = """
import json

SCOPES = []


async def app(scope, receive, send):
    SCOPES.append(scope["type"])
    if scope["type"] == "lifespan":
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.failed", "message": "db:5432 unreachable"})
            raise ConnectionError("db:5432 unreachable")
        return
    while (await receive()).get("more_body"):
        pass
    if scope["method"] == "GET" and scope["path"] == "/things/1":
        status, body = 200, {"id": 1, "name": "lamp"}
    elif scope["method"] == "POST" and scope["path"] == "/things":
        status, body = 201, {"id": 7}
    else:
        status, body = 404, {}
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
"""


def test_no_lifespan_verifies_an_asgi_app_whose_startup_fails(project: CliProject) -> None:
    """A failing lifespan startup exits 2 naming --no-lifespan; with the flag no lifespan runs."""
    module = f"{project.module}_asgi"
    (project.folder / f"{module}.py").write_text(
        textwrap.dedent(_ASGI_APP_WITH_FAILING_STARTUP), encoding="utf-8"
    )
    args = [
        "verify",
        f"{project.module}:{project.contract}",
        "--app",
        f"{module}:app",
        "--state-setup",
        f"{project.module}:set_up",
    ]
    try:
        failed = run(*args)
        assert failed.exit_code == 2, failed.output
        assert "lifespan startup failed: db:5432 unreachable" in failed.output
        assert "give --no-lifespan" in failed.output
        assert "Traceback" not in failed.output
        scopes = sys.modules[module].SCOPES
        assert scopes == ["lifespan"]
        scopes.clear()
        served = run(*args, "--no-lifespan")
        assert served.exit_code == 0, served.output
        assert "Passed: 2/2 interactions" in served.output
        assert scopes == ["http", "http"]
    finally:
        sys.modules.pop(module, None)
