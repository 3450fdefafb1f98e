"""The `pactdsl` command line, through click's CliRunner (in-process).

`tests/test_cli_subprocess.py` runs every command once more as a real process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pactdsl._cli import build_cli
from pactdsl._demo import serve_wsgi
from tests._cli_fixtures import CliProject, project_in_cwd

COMMANDS = [
    "can-i-deploy",
    "check-openapi",
    "create-environment",
    "demo",
    "describe-version",
    "generate",
    "mock",
    "publish",
    "record-deployment",
    "record-release",
    "record-undeployment",
    "verify",
]


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_registry: None
) -> Iterator[CliProject]:
    """A contract module in tmp_path, the current folder, with sys.path restored afterwards."""
    yield from project_in_cwd(tmp_path, monkeypatch)


def run(*args: str) -> Result:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


def verify_and_publish(project: CliProject, app: str, provider_version: str, db: str) -> Result:
    """Verify the project's contract against `app` and publish the result to `db`."""
    return run(
        "verify",
        f"{project.module}:{project.contract}",
        "--app",
        f"{project.module}:{app}",
        "--provider-version",
        provider_version,
        "--publish",
        "--broker-db",
        db,
    )


def publish_then_fail_verification(project: CliProject, db: str) -> str:
    """Publish consumer version 1, then a failed verification by provider version 9.

    Returns:
        The contract's ``MODULE:NAME`` target.
    """
    target = f"{project.module}:{project.contract}"
    assert run("publish", target, "--consumer-version", "1", "--broker-db", db).exit_code == 0
    failed = verify_and_publish(project, "broken_app", "9", db)
    assert failed.exit_code == 1
    return target


def test_help_lists_every_command() -> None:
    """`pactdsl --help` names every command and the exit codes."""
    result = run("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    assert "Exit codes: 0 passed, 1 check failed, 2 could not run." in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_complete_help(command: str) -> None:
    """Every command's --help describes it and every one of its options."""
    result = run(command, "--help")
    assert result.exit_code == 0
    group = build_cli()
    params = group.commands[command].params
    for param in params:
        for flag in getattr(param, "opts", []):
            if flag.startswith("--"):
                assert flag in result.output
        if param.param_type_name == "option":
            assert param.help, f"{command} {param.name} has no help text"
    assert group.commands[command].help


def test_version_option() -> None:
    """`pactdsl --version` prints the installed version."""
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("pactdsl, version ")


def test_generate_writes_every_contract_of_a_module(project: CliProject) -> None:
    """`generate MODULE` writes one pact file per contract the module defines."""
    result = run("generate", project.module, "--out", "pacts")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (project.folder / "pacts").glob("*.json"))
    assert names == [
        f"{project.consumer}-{project.consumer}-api.json",
        f"{project.consumer}-{project.consumer}-other.json",
    ]
    assert "2 interaction(s)" in result.output


def test_generate_one_contract_with_spec(project: CliProject) -> None:
    """`generate MODULE:CONTRACT --spec 4.0` writes only that contract, as V4."""
    result = run(
        "generate", f"{project.module}:{project.contract}", "--out", "out", "--spec", "4.0"
    )
    assert result.exit_code == 0, result.output
    files = list((project.folder / "out").glob("*.json"))
    assert [f.name for f in files] == [project.pact_name]
    document = json.loads(files[0].read_text())
    assert document["metadata"]["pactSpecification"]["version"] == "4.0"


def test_generate_from_a_file_path(project: CliProject, tmp_path: Path) -> None:
    """MODULE may be the path of a .py file."""
    result = run("generate", str(project.file), "--out", str(tmp_path / "p"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / project.pact_name).is_file()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module_xyz", "module='no_such_module_xyz' not found"),
        ("json", "module 'json' defines no contract"),
        ("{module}:nothing_here", "defines no contract 'nothing_here'"),
    ],
)
def test_generate_bad_targets_exit_2(project: CliProject, target: str, message: str) -> None:
    """A missing module or contract exits 2 with one line saying what to do."""
    result = run("generate", target.format(module=project.module))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_generate_bad_spec_exits_2(project: CliProject) -> None:
    """An unknown --spec exits 2 naming the accepted versions."""
    result = run("generate", project.module, "--spec", "7")
    assert result.exit_code == 2
    assert "is not a Pact specification version" in result.output


def test_verify_app_passes(project: CliProject) -> None:
    """`verify MODULE:CONTRACT --app` on an honouring app prints the report and exits 0."""
    result = run(
        "verify",
        f"{project.module}:{project.contract}",
        "--app",
        f"{project.module}:good_app",
        "--state-setup",
        f"{project.module}:set_up",
    )
    assert result.exit_code == 0, result.output
    assert "Passed: 2/2 interactions" in result.output
    # The stateless "ping" gets the empty state, as pact-reference sends it.
    assert sys.modules[project.module].STATES == ["thing exists", ""]


def test_verify_broken_app_exits_1(project: CliProject) -> None:
    """A provider that breaks the contract exits 1, with the failures in the report."""
    result = run(
        "verify", f"{project.module}:{project.contract}", "--app", f"{project.module}:broken_app"
    )
    assert result.exit_code == 1
    assert "Passed: 0/2 interactions" in result.output
    assert "Failed Interactions:" in result.output


def test_verify_filters(project: CliProject) -> None:
    """--filter-description and --filter-state narrow what is verified."""
    target = f"{project.module}:{project.contract}"
    app = f"{project.module}:good_app"
    by_description = run("verify", target, "--app", app, "--filter-description", "create")
    assert "Passed: 1/1 interactions" in by_description.output
    by_state = run("verify", target, "--app", app, "--filter-state", "thing exists")
    assert "Passed: 1/1 interactions" in by_state.output


def test_verify_json_and_junit_reports(project: CliProject) -> None:
    """--report json|junit --report-file writes a machine-readable report."""
    target = f"{project.module}:{project.contract}"
    app = f"{project.module}:broken_app"
    as_json = run("verify", target, "--app", app, "--report", "json", "--report-file", "r.json")
    assert as_json.exit_code == 1
    assert "json report written to r.json" in as_json.output
    report = json.loads((project.folder / "r.json").read_text())
    assert json.dumps(report).count("get thing") >= 1
    as_junit = run("verify", target, "--app", app, "--report", "junit", "--report-file", "r.xml")
    assert as_junit.exit_code == 1
    root = ET.parse(project.folder / "r.xml").getroot()
    assert list(root.iter("testcase"))
    assert len(list(root.iter("failure"))) >= 1


def test_verify_prints_json_without_a_file(project: CliProject) -> None:
    """--report json without --report-file prints JSON to stdout."""
    result = run(
        "verify",
        f"{project.module}:{project.contract}",
        "--app",
        f"{project.module}:good_app",
        "--report",
        "json",
    )
    assert result.exit_code == 0
    assert isinstance(json.loads(result.output), dict)


def test_verify_pact_file_against_a_real_server(project: CliProject) -> None:
    """`verify FILE --base-url` replays a pact file against a provider on 127.0.0.1."""
    assert run("generate", f"{project.module}:{project.contract}").exit_code == 0
    module = sys.modules[project.module]
    with serve_wsgi(module.good_app) as base_url:
        result = run(
            "verify",
            f"pacts/{project.pact_name}",
            "--base-url",
            base_url,
            "--header",
            "Authorization: Bearer t0ken",
        )
    assert result.exit_code == 0, result.output
    assert "Passed: 2/2 interactions" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "give --base-url URL or --app MODULE:ATTR (or, for messages only"),
        (["--app", "m:a", "--base-url", "http://x"], "give one of --base-url URL or --app"),
        (["--base-url", "http://127.0.0.1:1", "--publish"], "--publish needs --provider-version"),
        (
            ["--base-url", "http://127.0.0.1:1", "--header", "nocolon"],
            "must look like 'Name: value'",
        ),
    ],
)
def test_verify_usage_errors_exit_2(project: CliProject, extra: list[str], message: str) -> None:
    """Contradictory or missing options exit 2 with the reason."""
    result = run("verify", f"{project.module}:{project.contract}", *extra)
    assert result.exit_code == 2
    assert message in result.output


def test_verify_source_that_does_not_exist_exits_2(project: CliProject) -> None:
    """A SOURCE that is neither a file nor MODULE:CONTRACT exits 2."""
    result = run("verify", "missing.json", "--base-url", "http://127.0.0.1:1")
    assert result.exit_code == 2
    assert "neither an existing pact file or folder nor MODULE:CONTRACT" in result.output


def test_verify_module_with_several_contracts_asks_for_one(project: CliProject) -> None:
    """`verify MODULE` with two contracts asks to name one."""
    result = run("verify", project.module, "--app", f"{project.module}:good_app")
    assert result.exit_code == 2
    assert "defines several contracts" in result.output


def test_broker_workflow(project: CliProject, tmp_path: Path) -> None:
    """publish, can-i-deploy (no, then yes), create-environment, record-deployment on a local db."""
    db = str(tmp_path / "broker.db")
    target = f"{project.module}:{project.contract}"
    published = run(
        "publish", target, "--consumer-version", "1.0.0", "--branch", "main", "--broker-db", db
    )
    assert published.exit_code == 0, published.output
    assert f"published {project.consumer} 1.0.0 -> {project.provider}" in published.output

    before = run(
        "can-i-deploy", "--pacticipant", project.consumer, "--version", "1.0.0", "--broker-db", db
    )
    assert before.exit_code == 1
    assert "cannot deploy" in before.output
    assert "never been verified" in before.output

    verified = verify_and_publish(project, "good_app", "2.0.0", db)
    assert verified.exit_code == 0, verified.output
    assert "published the result for provider version 2.0.0" in verified.output

    after = run(
        "can-i-deploy", "--pacticipant", project.consumer, "--version", "1.0.0", "--broker-db", db
    )
    assert after.exit_code == 0, after.output
    assert "can deploy" in after.output

    created = run("create-environment", "production", "--production", "--broker-db", db)
    assert created.exit_code == 0, created.output
    recorded = run(
        "record-deployment",
        "--pacticipant",
        project.provider,
        "--version",
        "2.0.0",
        "--environment",
        "production",
        "--broker-db",
        db,
    )
    assert recorded.exit_code == 0, recorded.output
    to_prod = run(
        "can-i-deploy",
        "--pacticipant",
        project.consumer,
        "--version",
        "1.0.0",
        "--to-environment",
        "production",
        "--broker-db",
        db,
    )
    assert to_prod.exit_code == 0, to_prod.output
    assert "to production" in to_prod.output


def test_failed_verification_published_blocks_deploy(project: CliProject, tmp_path: Path) -> None:
    """A published failing verification keeps can-i-deploy at no."""
    db = str(tmp_path / "broker.db")
    publish_then_fail_verification(project, db)
    answer = run(
        "can-i-deploy", "--pacticipant", project.consumer, "--version", "1", "--broker-db", db
    )
    assert answer.exit_code == 1


def test_broker_lookup_errors_exit_2(project: CliProject, tmp_path: Path) -> None:
    """An unknown environment or pacticipant exits 2 with the broker's explanation."""
    db = str(tmp_path / "broker.db")
    unknown_env = run(
        "can-i-deploy",
        "--pacticipant",
        "x",
        "--version",
        "1",
        "--to-environment",
        "nowhere",
        "--broker-db",
        db,
    )
    assert unknown_env.exit_code == 2
    assert unknown_env.output.startswith("Error: environment='nowhere' does not exist")
    assert "create it first with `pactdsl create-environment nowhere`" in unknown_env.output
    assert "create_environment(" not in unknown_env.output
    assert "LookupError" not in unknown_env.output
    assert run("create-environment", "test", "--broker-db", db).exit_code == 0
    unknown_app = run(
        "record-deployment",
        "--pacticipant",
        "ghost",
        "--version",
        "1",
        "--environment",
        "test",
        "--broker-db",
        db,
    )
    assert unknown_app.exit_code == 2
    assert "unknown to the local broker" in unknown_app.output


def test_can_i_deploy_by_contract_says_no_then_yes(project: CliProject, tmp_path: Path) -> None:
    """`can-i-deploy --contract MODULE:NAME` exits 1 before the pact is verified, 0 after."""
    db = str(tmp_path / "broker.db")
    target = f"{project.module}:{project.contract}"
    assert run("publish", target, "--consumer-version", "1.0.0", "--broker-db", db).exit_code == 0

    before = run("can-i-deploy", "--contract", target, "--version", "1.0.0", "--broker-db", db)
    assert before.exit_code == 1, before.output
    assert before.output.splitlines()[0] == (
        f"{project.consumer} 1.0.0 cannot deploy "
        f"(contract {project.contract}, provider {project.provider})"
    )
    assert "has never been verified" in before.output

    verified = verify_and_publish(project, "good_app", "2.0.0", db)
    assert verified.exit_code == 0, verified.output
    after = run("can-i-deploy", "--contract", target, "--version", "1.0.0", "--broker-db", db)
    assert after.exit_code == 0, after.output
    assert f"{project.consumer} 1.0.0 can deploy" in after.output
    assert f"is verified by {project.provider} 2.0.0" in after.output
    # Only this contract counts: the consumer's other pact was never published.
    matrix = run(
        "can-i-deploy", "--pacticipant", project.consumer, "--version", "1.0.0", "--broker-db", db
    )
    assert matrix.exit_code == 0, matrix.output


def test_can_i_deploy_by_registered_name_and_by_pact_file(
    project: CliProject, tmp_path: Path
) -> None:
    """A registered contract's bare name and its pact file give the same answer as MODULE:NAME."""
    db = str(tmp_path / "broker.db")
    target = f"{project.module}:{project.contract}"
    assert run("generate", target, "--out", "pacts").exit_code == 0  # imports and registers it
    assert run("publish", target, "--consumer-version", "5", "--broker-db", db).exit_code == 0
    assert (
        run(
            "verify",
            target,
            "--app",
            f"{project.module}:good_app",
            "--provider-version",
            "7",
            "--publish",
            "--broker-db",
            db,
        ).exit_code
        == 0
    )
    by_name = run(
        "can-i-deploy", "--contract", project.contract, "--version", "5", "--broker-db", db
    )
    assert by_name.exit_code == 0, by_name.output
    assert f"(contract {project.contract}," in by_name.output
    pact_file = f"pacts/{project.pact_name}"
    by_file = run("can-i-deploy", "--contract", pact_file, "--version", "5", "--broker-db", db)
    assert by_file.exit_code == 0, by_file.output
    assert f"(pact file {pact_file}," in by_file.output
    other_version = run(
        "can-i-deploy", "--contract", pact_file, "--version", "6", "--broker-db", db
    )
    assert other_version.exit_code == 1
    assert f"version 6 of {project.consumer} is unknown to the broker" in other_version.output


def test_can_i_deploy_by_contract_reasons_for_no(project: CliProject, tmp_path: Path) -> None:
    """A failed verification, and a version that published only another pact, say no and why."""
    db = str(tmp_path / "broker.db")
    target = publish_then_fail_verification(project, db)
    answer = run("can-i-deploy", "--contract", target, "--version", "1", "--broker-db", db)
    assert answer.exit_code == 1
    assert f"failed verification by {project.provider} 9" in answer.output

    other = f"{project.module}:{project.contract}_other"
    assert run("publish", other, "--consumer-version", "2", "--broker-db", db).exit_code == 0
    missing = run("can-i-deploy", "--contract", target, "--version", "2", "--broker-db", db)
    assert missing.exit_code == 1
    assert f"{project.consumer} 2 published no pact with {project.provider}" in missing.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "give exactly one of --pacticipant NAME or --contract MODULE:NAME"),
        (["--pacticipant", "a", "--contract", "b"], "give exactly one of --pacticipant"),
        (["--contract", "x", "--to-environment", "prod"], "--to-environment needs --pacticipant"),
        (["--contract", "no_such_contract_here"], "neither a registered contract"),
        (["--contract", "missing/pact.json"], "does not exist"),
    ],
)
def test_can_i_deploy_usage_errors_exit_2(
    project: CliProject, tmp_path: Path, extra: list[str], message: str
) -> None:
    """Neither or both forms, an environment with --contract, or an unknown contract exit 2."""
    result = run("can-i-deploy", "--version", "1", "--broker-db", str(tmp_path / "b.db"), *extra)
    assert result.exit_code == 2
    assert message in result.output


def test_publish_a_folder_of_pact_files(project: CliProject, tmp_path: Path) -> None:
    """`publish FOLDER` publishes every pact file in it."""
    assert run("generate", project.module, "--out", "pacts").exit_code == 0
    result = run(
        "publish",
        "pacts",
        "--consumer-version",
        "3.1.0",
        "--tag",
        "prod",
        "--broker-db",
        str(tmp_path / "b.db"),
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("published ") == 2


def test_generate_counts_the_file_and_names_stale_interactions(project: CliProject) -> None:
    """After a merge, generate prints the file's count and names interactions the contract lost."""
    target = f"{project.module}:{project.contract}"
    first = run("generate", target)
    assert first.exit_code == 0, first.output
    assert f"(2 interaction(s) in the file; 2 from contract {project.contract})" in first.output
    pact_file = project.folder / "pacts" / project.pact_name
    document = json.loads(pact_file.read_text())
    retired = {**document["interactions"][1], "description": "delete thing"}
    document["interactions"].append(retired)
    pact_file.write_text(json.dumps(document))

    merged = run("generate", target)
    assert merged.exit_code == 0, merged.output
    assert f"(3 interaction(s) in the file; 2 from contract {project.contract})" in merged.output
    assert (
        f"1 interaction(s) in the file are no longer in contract {project.contract}: "
        "'delete thing'; to drop them, run again with --mode overwrite"
    ) in merged.output

    replaced = run("generate", target, "--mode", "overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert "(2 interaction(s) in the file; 2 from" in replaced.output
    assert "no longer in contract" not in replaced.output
    assert len(json.loads(pact_file.read_text())["interactions"]) == 2


def test_mock_folder_with_several_providers_exits_2(project: CliProject) -> None:
    """`mock FOLDER` whose pacts name two providers exits 2 saying to give one file."""
    assert run("generate", project.module, "--out", "pacts").exit_code == 0
    result = run("mock", "pacts")
    assert result.exit_code == 2
    assert "folder 'pacts' holds pacts for 2 providers" in result.output
    assert f"{project.provider}: {project.pact_name}" in result.output
    assert "give one pact file, e.g. pactdsl mock pacts/" in result.output
    assert "IsADirectoryError" not in result.output
    assert "Traceback" not in result.output


def test_mock_empty_folder_exits_2(project: CliProject) -> None:
    """`mock FOLDER` without pact files exits 2 with one line."""
    (project.folder / "empty").mkdir()
    result = run("mock", "empty")
    assert result.exit_code == 2
    assert result.output == "Error: folder 'empty' holds no pact files (*.json)\n"


def test_error_lines_carry_no_python_class_names(project: CliProject) -> None:
    """A bad --filter-description regex is one 'Error:' line without the exception's class."""
    result = run(
        "verify",
        f"{project.module}:{project.contract}",
        "--app",
        f"{project.module}:good_app",
        "--filter-description",
        "(",
    )
    assert result.exit_code == 2
    assert result.output.startswith("Error: filter_description='(' is not a valid regular")
    assert "ConfigError" not in result.output


def test_verify_filters_are_searched_regular_expressions(project: CliProject) -> None:
    """--filter-description searches its regex in the description; ^...$ anchors it."""
    target = f"{project.module}:{project.contract}"
    app = f"{project.module}:good_app"
    partial = run("verify", target, "--app", app, "--filter-description", "thing")
    assert "Passed: 2/2 interactions" in partial.output
    anchored = run("verify", target, "--app", app, "--filter-description", "^get thing$")
    assert "Passed: 1/1 interactions" in anchored.output
    help_text = " ".join(run("verify", "--help").output.split())
    assert "--filter-description REGEX" in help_text
    assert "contains a match of this regular expression" in help_text


def test_mock_help_says_what_the_404_lists() -> None:
    """`mock --help` says the 404 lists every served interaction, and that folders are served."""
    help_text = " ".join(run("mock", "--help").output.split())
    assert "listing every served interaction and why it did not match" in help_text
    assert "a folder of pact files for one provider" in help_text
    assert "closest mismatches" not in help_text


def test_demo_runs_every_phase(tmp_path: Path) -> None:
    """`pactdsl demo --dir` shows all six phases, answers no then yes, and exits 0."""
    result = run("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    for number in range(1, 7):
        assert f"[{number}/6]" in result.output
    assert "can-i-deploy checkout-app 1.0.0? no" in result.output
    assert "can-i-deploy checkout-app 1.0.0? yes" in result.output
    assert "Passed: 1/1 interactions" in result.output
    assert (tmp_path / "demo" / "pacts" / "checkout-app-payment-service.json").is_file()
    assert str(tmp_path / "demo") in result.output


def test_demo_twice_answers_the_same(tmp_path: Path) -> None:
    """Running the demo again in the same folder shows the same no-then-yes answer."""
    assert run("demo", "--dir", str(tmp_path)).exit_code == 0
    again = run("demo", "--dir", str(tmp_path))
    assert again.exit_code == 0
    assert "can-i-deploy checkout-app 1.0.0? no" in again.output


def test_main_without_click_names_the_extra_and_still_runs_the_demo(tmp_path: Path) -> None:
    """With click missing, commands print the install hint (exit 1) but `demo` runs."""
    block = "import sys; sys.modules['click'] = None; from pactdsl._cli import main; "
    hint = subprocess.run(
        [sys.executable, "-c", block + "main(['verify', 'x'])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert hint.returncode == 1
    assert "pip install 'pactdsl[cli]'" in hint.stderr
    demo = subprocess.run(
        [sys.executable, "-c", block + f"main(['demo', '--dir', {str(tmp_path)!r}])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Demo complete." in demo.stdout


def test_mock_help_names_host_and_cors() -> None:
    """`mock --help` offers --host (default 127.0.0.1) and --cors, and says what they do."""
    help_text = " ".join(run("mock", "--help").output.split())
    assert "--host ADDRESS" in help_text
    assert "[default: 127.0.0.1]" in help_text
    assert "--cors" in help_text
    assert "CORS preflight" in help_text


def test_mock_unbindable_host_exits_2(project: CliProject) -> None:
    """`mock --host` with an address that cannot be bound exits 2 with one line naming it."""
    result = run("mock", f"{project.module}:{project.contract}", "--host", "no-such-host.invalid")
    assert result.exit_code == 2
    assert "host='no-such-host.invalid'" in result.output
    assert "Traceback" not in result.output


def test_mock_process_host_and_cors(project: CliProject) -> None:
    """`pactdsl mock --host 0.0.0.0 --cors` answers preflights and other loopback addresses."""
    import http.client
    import signal

    options = ["--port", "0", "--host", "0.0.0.0", "--cors", "--interaction", "get thing"]
    process = subprocess.Popen(
        [sys.executable, "-m", "pactdsl", "mock", f"{project.module}:{project.contract}", *options],
        cwd=project.folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # blocks until the server listens
    answers = []
    try:
        url = first.removeprefix("Mock provider listening on ").strip()
        assert url.startswith("http://127.0.0.1:"), first
        port = int(url.rpartition(":")[2])
        preflight = {"Origin": "http://ui.test", "Access-Control-Request-Method": "GET"}
        for method, headers in (("OPTIONS", preflight), ("GET", {"Origin": "http://ui.test"})):
            # 127.0.0.2 is loopback too; only a server on 0.0.0.0 answers there.
            connection = http.client.HTTPConnection("127.0.0.2", port, timeout=10)
            connection.request(method, "/things/1", headers=headers)
            answer = connection.getresponse()
            answers.append((answer.status, answer.headers["Access-Control-Allow-Origin"]))
            answer.read()
            connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert answers == [(204, "http://ui.test"), (200, "http://ui.test")]
    assert process.returncode == 0, err
    assert "Stopped after 1 request(s)." in out


_STOCK_SERVICE = '''
"""A provider whose state setup fills the dict its app reads (written by the CLI tests)."""

import json
from pathlib import Path

from pactdsl import define_contract, interaction

with (Path(__file__).parent / "loads.log").open("a") as log:
    log.write("loaded\\n")  # one line per execution of this file

STOCK = {}

stock_contract = define_contract(
    "stock_contract_TOKEN",
    consumer="till-TOKEN",
    provider="stock-TOKEN",
    interactions=[
        interaction("get apples")
        .given("apples in stock")
        .request(method="GET", path="/stock/apple")
        .responds(status=200, body={"count": 3})
    ],
)


def set_up(state):
    STOCK["apple"] = 3


def app(environ, start_response):
    if "apple" not in STOCK:
        start_response("404 Not Found", [])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"count": STOCK["apple"]}).encode()]
'''


@pytest.mark.parametrize(
    ("app", "setup"),
    [("{m}.py:app", "{m}.py:set_up"), ("{m}:app", "{m}.py:set_up"), ("{m}.py:app", "{m}:set_up")],
    ids=["path-path", "dotted-path", "path-dotted"],
)
def test_verify_imports_a_py_target_once(project: CliProject, app: str, setup: str) -> None:
    """A file named twice (as a path or a dotted name) runs once: the setup fills the app's data."""
    token = project.module.rsplit("_", 1)[-1]
    module = f"stock_service_{token}"
    (project.folder / f"{module}.py").write_text(_STOCK_SERVICE.replace("TOKEN", token))
    try:
        result = run(
            "verify",
            f"{module}.py:stock_contract",
            "--app",
            app.format(m=module),
            "--state-setup",
            setup.format(m=module),
        )
        assert result.exit_code == 0, result.output
        assert (project.folder / "loads.log").read_text() == "loaded\n"
    finally:
        for name, loaded in list(sys.modules.items()):
            if getattr(loaded, "__file__", "") == str(project.folder / f"{module}.py"):
                del sys.modules[name]
