"""The broker commands of the `pactdsl` command line, through click's CliRunner.

Releases, undeployments, describe-version, can-i-deploy's retry, dry-run and
ignore options and its contract form's advice on a local broker, and the
--broker-* connection flags against the scripted Pact Broker on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pactdsl._cli import build_cli
from pactdsl.broker import LocalBroker, publish_verification_result
from tests._broker_server import Answer, ScriptedBroker

TOKEN = "flag-t0ken-never-shown"
PASSWORD = "flag-passw0rd-never-shown"


def run(*args: str) -> Result:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


def _pact_file(folder: Path, consumer: str, provider: str) -> Path:
    document = {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [
            {
                "description": "get item",
                "request": {"method": "GET", "path": "/items/1"},
                "response": {"status": 200},
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }
    path = folder / f"{consumer}-{provider}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A local broker database with a production environment and web 1.0's pact with api."""
    for name in ("PACT_BROKER_BASE_URL", "PACT_BROKER_TOKEN", "PACTDSL_BROKER_DB"):
        monkeypatch.delenv(name, raising=False)
    path = str(tmp_path / "broker.db")
    pact = _pact_file(tmp_path, "web", "api")
    assert (
        run(
            "publish",
            str(pact),
            "--consumer-version",
            "1.0",
            "--branch",
            "main",
            "--broker-db",
            path,
        ).exit_code
        == 0
    )
    assert run("create-environment", "production", "--broker-db", path).exit_code == 0
    return path


def _can_i_deploy(db: str, *extra: str) -> Result:
    return run(
        "can-i-deploy",
        "--pacticipant",
        "api",
        "--version",
        "7.0",
        "--to-environment",
        "production",
        "--broker-db",
        db,
        *extra,
    )


def test_a_released_consumer_blocks_a_provider_that_failed_its_pact(
    db: str, tmp_path: Path
) -> None:
    """record-release makes web 1.0 count in production, where api 7.0 failed its pact."""
    publish_verification_result(tmp_path / "web-api.json", False, "7.0", LocalBroker(db))
    before = _can_i_deploy(db)
    assert before.exit_code == 0, before.output  # nothing of web is in production yet

    released = run(
        "record-release",
        "--pacticipant",
        "web",
        "--version",
        "1.0",
        "--environment",
        "production",
        "--broker-db",
        db,
    )
    assert released.exit_code == 0, released.output
    assert released.output == "recorded web 1.0 as released to production\n"
    after = _can_i_deploy(db)
    assert after.exit_code == 1
    assert "the pact of web 1.0 with api 7.0 failed verification" in after.output

    described = run("describe-version", "--pacticipant", "web", "--broker-db", db)
    assert described.exit_code == 0, described.output
    assert "web 1.0\n  branch: main\n" in described.output
    assert "released to: production" in described.output
    as_json = json.loads(
        run(
            "describe-version",
            "--pacticipant",
            "web",
            "--version",
            "1.0",
            "--json",
            "--broker-db",
            db,
        ).output
    )
    assert as_json["releases"] == [
        {
            "pacticipant": "web",
            "version": "1.0",
            "environment": "production",
            "currently_supported": True,
        }
    ]
    assert as_json["pacts"][0]["provider"] == "api"
    assert as_json["verifications"][0]["success"] is False


def test_the_verify_command_takes_the_broker_flags_too() -> None:
    """verify, which reads from and publishes to a broker, documents the same flags."""
    result = run("verify", "--help")
    assert result.exit_code == 0
    assert "--broker-base-url" in result.output
    assert "--broker-token" in result.output


def test_can_i_deploy_by_contract_names_the_publish_command_for_a_missing_pact(
    db: str, tmp_path: Path
) -> None:
    """A version that published no pact with the provider is told the command, with its version."""
    other = _pact_file(tmp_path, "web", "other")
    assert run("publish", str(other), "--consumer-version", "2.0", "--broker-db", db).exit_code == 0
    pact = tmp_path / "web-api.json"
    answer = run("can-i-deploy", "--contract", str(pact), "--version", "2.0", "--broker-db", db)
    assert answer.exit_code == 1
    assert answer.output.splitlines() == [
        f"web 2.0 cannot deploy (pact file {pact}, provider api)",
        "  - web 2.0 published no pact with api; publish it first "
        "(pactdsl publish SOURCE --consumer-version 2.0)",
    ]


def test_can_i_deploy_dry_run_ignore_and_retry(db: str) -> None:
    """--dry-run exits 0 with the real answer; --ignore lifts a block; retries are counted."""
    run(
        "record-deployment",
        "--pacticipant",
        "web",
        "--version",
        "1.0",
        "--environment",
        "production",
        "--broker-db",
        db,
    )
    asked = run("can-i-deploy", "--pacticipant", "web", "--version", "1.0", "--broker-db", db)
    assert asked.exit_code == 1
    assert "has never been verified" in asked.output

    dry = run(
        "can-i-deploy", "--pacticipant", "web", "--version", "1.0", "--dry-run", "--broker-db", db
    )
    assert dry.exit_code == 0
    assert dry.output.startswith("[dry-run] web 1.0 cannot deploy")

    ignoring = run(
        "can-i-deploy",
        "--pacticipant",
        "web",
        "--version",
        "1.0",
        "--ignore",
        "api",
        "--broker-db",
        db,
    )
    assert ignoring.exit_code == 0, ignoring.output
    assert "(ignored: api)" in ignoring.output

    retried = run(
        "can-i-deploy",
        "--pacticipant",
        "web",
        "--version",
        "1.0",
        "--retry-while-unknown",
        "2",
        "--retry-interval",
        "0",
        "--broker-db",
        db,
    )
    assert retried.exit_code == 1
    assert "still 1 verification result(s) unknown after 2 retries 0s apart" in retried.output

    refused = run(
        "can-i-deploy",
        "--contract",
        "web-api.json",
        "--version",
        "1.0",
        "--ignore",
        "api",
        "--broker-db",
        db,
    )
    assert refused.exit_code == 2
    assert "--ignore needs --pacticipant" in refused.output
    negative = run(
        "can-i-deploy",
        "--pacticipant",
        "web",
        "--version",
        "1.0",
        "--retry-while-unknown",
        "-1",
        "--broker-db",
        db,
    )
    assert negative.exit_code == 2


def test_record_undeployment_by_application_instance(db: str) -> None:
    """Deployments to two instances are ended one at a time; a wrong instance exits 2."""
    for instance in ("blue", "green"):
        recorded = run(
            "record-deployment",
            "--pacticipant",
            "web",
            "--version",
            "1.0",
            "--environment",
            "production",
            "--application-instance",
            instance,
            "--broker-db",
            db,
        )
        assert recorded.output.endswith(f"(instance {instance})\n")
    missing = run(
        "record-undeployment",
        "--pacticipant",
        "web",
        "--environment",
        "production",
        "--broker-db",
        db,
    )
    assert missing.exit_code == 2
    assert "give one of the application instances ['blue', 'green']" in missing.output
    ended = run(
        "record-undeployment",
        "--pacticipant",
        "web",
        "--environment",
        "production",
        "--application-instance",
        "blue",
        "--broker-db",
        db,
    )
    assert ended.exit_code == 0, ended.output
    assert ended.output == "recorded web 1.0 as undeployed from production (instance blue)\n"
    described = run("describe-version", "--pacticipant", "web", "--broker-db", db)
    assert "currently deployed to: production (instance green)" in described.output
    unknown_env = run(
        "record-undeployment", "--pacticipant", "web", "--environment", "stage", "--broker-db", db
    )
    assert unknown_env.exit_code == 2
    assert "`pactdsl create-environment stage`" in unknown_env.output


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedBroker]:
    """A scripted broker whose matrix says deployable, with no retries configured."""
    server = ScriptedBroker()
    server.on("GET", "/matrix", Answer(200, {"summary": {"deployable": True}, "matrix": []}))
    monkeypatch.setenv("PACTDSL_BROKER_RETRIES", "0")
    for name in ("PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_broker_flags_override_the_environment(
    scripted: ScriptedBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--broker-base-url and --broker-token win over PACT_BROKER_BASE_URL and PACT_BROKER_TOKEN."""
    monkeypatch.setenv("PACT_BROKER_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("PACT_BROKER_TOKEN", "env-token")
    result = run(
        "can-i-deploy",
        "--pacticipant",
        "Foo",
        "--version",
        "1",
        "--broker-base-url",
        scripted.url,
        "--broker-token",
        TOKEN,
    )
    assert result.exit_code == 0, result.output
    assert scripted.seen[-1].headers["authorization"] == f"Bearer {TOKEN}"

    # Basic auth flags replace the environment's token altogether.
    result = run(
        "can-i-deploy",
        "--pacticipant",
        "Foo",
        "--version",
        "1",
        "--broker-base-url",
        scripted.url,
        "--broker-username",
        "ci",
        "--broker-password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    expected = base64.b64encode(f"ci:{PASSWORD}".encode()).decode()
    assert scripted.seen[-1].headers["authorization"] == f"Basic {expected}"


def test_broker_secrets_never_reach_the_output(
    scripted: ScriptedBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broker echoing the credentials, or none answering, prints no token or password."""
    monkeypatch.delenv("PACT_BROKER_TOKEN", raising=False)
    scripted.on("GET", "/matrix", Answer(401, f"bad credentials: Bearer {TOKEN}"))
    echoed = run(
        "can-i-deploy",
        "--pacticipant",
        "Foo",
        "--version",
        "1",
        "--broker-base-url",
        scripted.url,
        "--broker-token",
        TOKEN,
    )
    assert echoed.exit_code == 2
    assert "401" in echoed.output
    basic = run(
        "describe-version",
        "--pacticipant",
        "Foo",
        "--broker-base-url",
        f"http://ci:{PASSWORD}@127.0.0.1:{_closed_port()}",
    )
    assert basic.exit_code == 2
    assert "failed (ConnectError" in basic.output
    flagged = run(
        "record-release",
        "--pacticipant",
        "Foo",
        "--version",
        "1",
        "--environment",
        "test",
        "--broker-base-url",
        f"http://127.0.0.1:{_closed_port()}",
        "--broker-username",
        "ci",
        "--broker-password",
        PASSWORD,
    )
    assert flagged.exit_code == 2
    for result in (echoed, basic, flagged):
        assert TOKEN not in result.output
        assert PASSWORD not in result.output


@pytest.mark.parametrize(
    "command",
    [
        "record-release",
        "record-undeployment",
        "describe-version",
        "can-i-deploy",
        "publish",
        "create-environment",
        "record-deployment",
    ],
)
def test_broker_commands_document_every_flag(command: str) -> None:
    """Each broker command's --help lists the connection flags with a description."""
    result = run(command, "--help")
    assert result.exit_code == 0
    for flag in (
        "--broker-db",
        "--broker-base-url",
        "--broker-token",
        "--broker-username",
        "--broker-password",
    ):
        assert flag in result.output
    group = build_cli()
    for param in group.commands[command].params:
        assert getattr(param, "help", None) or param.param_type_name == "argument", param.name
