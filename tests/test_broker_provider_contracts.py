"""Provider contracts on the local broker: an OpenAPI document standing in for verification.

Real SQLite files in tmp_path, real OpenAPI documents, real pact files, the
real `check_openapi`, and the command line as a real process.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pactdsl import MissingExtra, load_pact, publish_provider_contract
from pactdsl.broker import (
    BrokerError,
    LocalBroker,
    PactBrokerClient,
    PactConflictError,
    ProviderContractError,
    can_i_deploy,
    create_environment,
    is_deployable,
    publish,
    publish_verification_result,
    record_deployment,
)
from pactdsl.broker._local_store import SCHEMA_VERSION

TESTS = Path(__file__).resolve().parent
SPECS = TESTS / "openapi" / "specs"

# The provider's document; {id_type} is what the provider says a pet's id is.
PETS_DOCUMENT = """\
openapi: 3.0.3
info: {{title: Pets, version: "1.0.0"}}
paths:
  /pets:
    get:
      responses:
        "200":
          description: some pets
          content:
            application/json:
              schema:
                type: array
                items: {{$ref: "#/components/schemas/Pet"}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {{type: {id_type}}}
        name: {{type: string}}
"""


def _document(folder: Path, id_type: str = "integer", name: str = "pets.yaml") -> Path:
    path = folder / name
    path.write_text(PETS_DOCUMENT.format(id_type=id_type), encoding="utf-8")
    return path


def _pact(folder: Path, pet_id: Any, name: str = "shop-pets.json") -> Path:
    """The shop's pact with pets: GET /pets answers one pet with this id."""
    document = {
        "consumer": {"name": "shop"},
        "provider": {"name": "pets"},
        "interactions": [
            {
                "description": "list pets",
                "request": {"method": "GET", "path": "/pets"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": [{"id": pet_id, "name": "Rex"}],
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _counts(path: Path) -> dict[str, int]:
    """Rows per table of the database at `path`."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.fixture
def broker(tmp_path: Path) -> LocalBroker:
    """A fresh local broker in tmp_path."""
    return LocalBroker(tmp_path / "broker.db")


def test_drifted_pact_cannot_deploy_until_the_pact_or_the_contract_is_fixed(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """Publish pact, publish contract: no (the drift named), then yes once either side is fixed."""
    create_environment("production", broker=broker)
    publish(_pact(tmp_path, "1"), "1.0.0", broker=broker)
    published = publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    assert published.filename == "pets.yaml"
    assert any("the pact of shop 1.0.0 does not fit" in n for n in published.notices)
    record_deployment("pets", "2.0.0", "production", broker)

    drifted = can_i_deploy(
        pacticipant="shop", version="1.0.0", to_environment="production", broker=broker
    )
    assert not drifted.ok
    (row,) = drifted.rows
    assert (row.provider_version, row.verification) == ("2.0.0", False)
    assert "does not fit pets 2.0.0's OpenAPI document (pets.yaml): 1 error(s)" in row.reason
    assert "$.interactions[0].response.body[0].id: '1' is not of type 'integer'" in row.reason
    as_provider = can_i_deploy(pacticipant="pets", version="2.0.0", broker=broker)
    assert not as_provider.ok
    assert "does not fit" in as_provider.reasons[0]

    # The consumer fixes its pact: a new version, checked when can-i-deploy needs it.
    publish(_pact(tmp_path, 1, "fixed.json"), "1.0.1", broker=broker)
    fixed_pact = can_i_deploy(
        pacticipant="shop", version="1.0.1", to_environment="production", broker=broker
    )
    assert fixed_pact.ok, fixed_pact.report()
    assert "fits pets 2.0.0's OpenAPI document (pets.yaml)" in fixed_pact.reasons[0]

    # Or the provider documents what it really sends, under a new version.
    publish_provider_contract(
        "pets",
        "2.1.0",
        _document(tmp_path, "string", "pets-2.1.yaml"),
        self_verified=True,
        broker=broker,
    )
    record_deployment("pets", "2.1.0", "production", broker)
    fixed_contract = can_i_deploy(
        pacticipant="shop", version="1.0.0", to_environment="production", broker=broker
    )
    assert fixed_contract.ok, fixed_contract.report()
    assert [r.provider_version for r in fixed_contract.rows] == ["2.1.0"]


def test_the_check_is_stored_with_its_issues(broker: LocalBroker, tmp_path: Path) -> None:
    """One check per (pact content, contract) is stored, with the verdict and the issues."""
    publish(_pact(tmp_path, "1"), "1.0.0", broker=broker)
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker)
    with sqlite3.connect(broker.path) as conn:
        rows = conn.execute("SELECT success, result FROM openapi_checks").fetchall()
    assert len(rows) == 1
    success, stored = rows[0]
    result = json.loads(stored)
    assert success == 0
    assert [e["code"] for e in result["errors"]] == ["response.body.incompatible"]
    assert result["errors"][0]["pactPath"] == "$.interactions[0].response.body[0].id"


def test_without_an_environment_the_latest_contract_speaks(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """Without to_environment a never-verified pact is judged by the provider's latest contract."""
    publish(_pact(tmp_path, 1), "1.0.0", broker=broker)
    assert not can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker).ok
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    decision = can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker)
    assert decision.ok, decision.report()
    assert is_deployable(load_pact(_pact(tmp_path, 1)), "1.0.0", broker=broker)
    assert can_i_deploy(pacticipant="pets", version="2.0.0", broker=broker).ok


def test_a_failed_self_verification_never_counts(broker: LocalBroker, tmp_path: Path) -> None:
    """A document the provider failed to honour proves nothing; re-publishing it passed does."""
    publish(_pact(tmp_path, 1), "1.0.0", broker=broker)
    document = _document(tmp_path)
    publish_provider_contract(
        "pets", "2.0.0", document, self_verified=False, verifier="schemathesis", broker=broker
    )
    refused = can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker)
    assert not refused.ok
    assert "pets 2.0.0 failed its own verification of it (by schemathesis)" in refused.reasons[0]
    again = publish_provider_contract(
        "pets", "2.0.0", document, self_verified=True, verifier="schemathesis", broker=broker
    )
    assert "latest self-verification is now success" in again.notices[0]
    assert can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker).ok


def test_a_failed_verification_of_the_running_provider_outweighs_the_document(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """The pact fits the document, but that provider version failed to verify it: no."""
    pact = _pact(tmp_path, 1)
    publish(pact, "1.0.0", broker=broker)
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    publish_verification_result(pact, False, "2.0.0", broker)
    create_environment("production", broker=broker)
    record_deployment("pets", "2.0.0", "production", broker)
    decision = can_i_deploy(
        pacticipant="shop", version="1.0.0", to_environment="production", broker=broker
    )
    assert not decision.ok
    assert "outweighs the document" in decision.reasons[0]


def test_a_different_document_for_a_published_version_is_a_conflict(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """A provider version keeps its first document; a changed one needs a new version."""
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    before = _counts(broker.path)
    changed = _document(tmp_path, "string", "changed.yaml")
    with pytest.raises(PactConflictError, match=r"provider_version='2\.0\.0' of pets already"):
        publish_provider_contract("pets", "2.0.0", changed, self_verified=True, broker=broker)
    assert _counts(broker.path) == before


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("openapi: [3.0", "broken.yaml", r"spec='broken\.yaml'.*neither valid JSON nor YAML"),
        ("title: not an API\n", "plain.yaml", r"spec='plain\.yaml'.*openapi=None is not a version"),
        ('{"swagger": "1.2"}', "old.json", r"spec='old\.json'.*swagger='1\.2' is not 2\.0"),
    ],
    ids=["unparseable", "not-openapi", "old-swagger"],
)
def test_a_bad_document_is_refused_and_nothing_is_written(
    broker: LocalBroker, tmp_path: Path, text: str, name: str, expected: str
) -> None:
    """A document check_openapi cannot read is refused by name before anything is stored."""
    publish(_pact(tmp_path, 1), "1.0.0", broker=broker)
    before = _counts(broker.path)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProviderContractError, match=expected):
        publish_provider_contract("pets", "9.9.9", path, self_verified=True, broker=broker)
    assert _counts(broker.path) == before


def test_a_document_in_several_files_is_refused(broker: LocalBroker) -> None:
    """A $ref to another file could not be followed from the stored bytes: bundle first."""
    with pytest.raises(ProviderContractError, match=r"split-3\.0\.yaml.*names another document"):
        publish_provider_contract(
            "trees", "1.0", SPECS / "split-3.0.yaml", self_verified=True, broker=broker
        )
    with pytest.raises(ProviderContractError, match=r"spec='missing\.yaml' cannot be read"):
        publish_provider_contract("trees", "1.0", "missing.yaml", self_verified=True, broker=broker)
    assert _counts(broker.path).get("provider_contracts", 0) == 0


def test_a_document_given_as_a_dict_is_stored_as_json(broker: LocalBroker, tmp_path: Path) -> None:
    """A parsed document is stored as JSON text, and checked like a file."""
    import yaml

    spec = yaml.safe_load(PETS_DOCUMENT.format(id_type="integer"))
    publish(_pact(tmp_path, "1"), "1.0.0", broker=broker)
    done = publish_provider_contract("pets", "2.0.0", spec, self_verified=True, broker=broker)
    assert done.filename is None
    with sqlite3.connect(broker.path) as conn:
        fmt, content_type, content = conn.execute(
            "SELECT format, content_type, content FROM provider_contracts"
        ).fetchone()
    assert (fmt, content_type, json.loads(content)) == ("json", "application/json", spec)
    decision = can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker)
    assert "OpenAPI document (a dict): 1 error(s)" in decision.reasons[0]


def test_a_check_from_another_pactdsl_version_is_made_again(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """A stored check made by another pactdsl version is not trusted: it is made again."""
    publish(_pact(tmp_path, "1"), "1.0.0", broker=broker)
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    with sqlite3.connect(broker.path) as conn:
        conn.execute("UPDATE openapi_checks SET success = 1, checked_with = '0.0.1'")
    assert not can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker).ok
    with sqlite3.connect(broker.path) as conn:
        assert conn.execute("SELECT success, checked_with FROM openapi_checks").fetchall() != [
            (1, "0.0.1")
        ]


def test_a_pact_broker_has_no_place_for_provider_contracts(tmp_path: Path) -> None:
    """Publishing a provider contract to a Pact Broker says it has no endpoint for them."""
    with (
        PactBrokerClient("http://127.0.0.1:9", retries=0) as client,
        pytest.raises(BrokerError, match="open-source Pact Broker has no endpoint"),
    ):
        publish_provider_contract(
            "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=client
        )


def test_a_version_3_database_gains_provider_contracts(tmp_path: Path) -> None:
    """A database written before provider contracts opens, upgrades in place and keeps its data."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((TESTS / "broker_schema_v3.sql").read_text(encoding="utf-8"))
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    broker = LocalBroker(path)
    # shop 1.0.0's pact was failed by pets 1.0.0; both are deployed to production.
    old = can_i_deploy(
        pacticipant="shop", version="1.0.0", to_environment="production", broker=broker
    )
    assert not old.ok
    assert "failed verification" in old.reasons[0]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    # The stored pact answers GET /pets with [{"id": 1, "name": "Rex"}]: it fits the document.
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    record_deployment("pets", "2.0.0", "production", broker)
    new = can_i_deploy(
        pacticipant="shop", version="1.0.0", to_environment="production", broker=broker
    )
    assert new.ok, new.report()


def _without_jsonschema(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `code` (with `args` as sys.argv[1:]) as if jsonschema were not installed."""
    return subprocess.run(
        [sys.executable, "-c", 'import sys\nsys.modules["jsonschema"] = None\n' + code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )


_PUBLISH = """
from pactdsl import MissingExtra
from pactdsl.broker import LocalBroker, publish_provider_contract
try:
    publish_provider_contract(
        "pets", "2.0.0", sys.argv[2], self_verified=True, broker=LocalBroker(sys.argv[1])
    )
except MissingExtra as exc:
    print(exc)
"""


def test_without_the_openapi_extra_publishing_names_it(tmp_path: Path) -> None:
    """Without jsonschema, publishing a contract raises MissingExtra and stores nothing."""
    database = tmp_path / "broker.db"
    done = _without_jsonschema(_PUBLISH, str(database), str(_document(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert "pip install 'pactdsl[openapi]'" in done.stdout
    assert "publish_provider_contract()" in done.stdout
    assert not database.exists() or _counts(database).get("provider_contracts", 0) == 0
    assert issubclass(MissingExtra, ImportError)


_CAN_I_DEPLOY = """
from pactdsl import MissingExtra
from pactdsl.broker import LocalBroker, can_i_deploy
try:
    decision = can_i_deploy(pacticipant="shop", version="1.0.1", broker=LocalBroker(sys.argv[1]))
    print("decided", decision.ok)
except MissingExtra as exc:
    print(exc)
"""


def test_without_the_openapi_extra_an_unchecked_pair_is_never_a_pass(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """can-i-deploy that needs a check it cannot make raises MissingExtra, not a verdict."""
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    publish(_pact(tmp_path, 1), "1.0.1", broker=broker)  # never checked against the contract
    done = _without_jsonschema(_CAN_I_DEPLOY, str(broker.path))
    assert done.returncode == 0, done.stderr
    assert "decided" not in done.stdout
    assert "can-i-deploy against a provider contract needs jsonschema" in done.stdout
    assert "pip install 'pactdsl[openapi]'" in done.stdout


def _pactdsl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    env["PACTDSL_BROKER_DB"] = str(cwd / "broker.db")
    return subprocess.run(
        [sys.executable, "-m", "pactdsl", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_line_flow(tmp_path: Path) -> None:
    """publish, publish-provider-contract, can-i-deploy: exit 1 naming the drift, then 0."""
    _pact(tmp_path, "1")
    _document(tmp_path)
    _document(tmp_path, "string", "pets-2.1.yaml")
    pact = _pactdsl("publish", "shop-pets.json", "--consumer-version", "1.0.0", cwd=tmp_path)
    assert pact.returncode == 0, pact.stderr
    contract = _pactdsl(
        "publish-provider-contract", "pets.yaml", "--provider", "pets",
        "--provider-app-version", "2.0.0", "--branch", "main", "--verification-success",
        "--verifier", "schemathesis", cwd=tmp_path,
    )  # fmt: skip
    assert contract.returncode == 0, contract.stderr
    assert contract.stdout.startswith("published pets 2.0.0's provider contract pets.yaml")
    drifted = _pactdsl("can-i-deploy", "--pacticipant", "shop", "--version", "1.0.0", cwd=tmp_path)
    assert drifted.returncode == 1, drifted.stderr
    assert "does not fit pets 2.0.0's OpenAPI document (pets.yaml)" in drifted.stdout
    assert "'1' is not of type 'integer'" in drifted.stdout
    fixed = _pactdsl(
        "publish-provider-contract", "pets-2.1.yaml", "--provider", "pets",
        "--provider-app-version", "2.1.0", "--verification-success", cwd=tmp_path,
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    assert "the pact of shop 1.0.0 fits pets 2.1.0's OpenAPI document" in fixed.stdout
    deploy = _pactdsl("can-i-deploy", "--pacticipant", "shop", "--version", "1.0.0", cwd=tmp_path)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "fits pets 2.1.0's OpenAPI document (pets-2.1.yaml)" in deploy.stdout


def test_the_command_line_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    """A bad document or a missing self-verification flag: one line of error, exit 2."""
    (tmp_path / "broken.yaml").write_text("openapi: [3.0", encoding="utf-8")
    broken = _pactdsl(
        "publish-provider-contract", "broken.yaml", "--provider", "pets",
        "--provider-app-version", "1", "--verification-success", cwd=tmp_path,
    )  # fmt: skip
    assert broken.returncode == 2
    assert broken.stderr.strip().count("\n") == 0
    assert "spec='broken.yaml'" in broken.stderr
    _document(tmp_path)
    unflagged = _pactdsl(
        "publish-provider-contract", "pets.yaml", "--provider", "pets",
        "--provider-app-version", "1", cwd=tmp_path,
    )  # fmt: skip
    assert unflagged.returncode == 2
    assert "--verification-success or --no-verification-success" in unflagged.stderr
    assert not (tmp_path / "broker.db").exists() or not _counts(tmp_path / "broker.db").get(
        "provider_contracts"
    )


def test_a_document_read_later_by_another_folder_needs_no_neighbours(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """The stored bytes are checked on their own: moving the original file changes nothing."""
    folder = tmp_path / "spec"
    folder.mkdir()
    document = _document(folder)
    publish_provider_contract("pets", "2.0.0", document, self_verified=True, broker=broker)
    document.unlink()
    publish(_pact(tmp_path, 1), "1.0.0", broker=broker)
    assert can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker).ok


def test_the_command_is_listed_and_every_option_explained() -> None:
    """`pactdsl --help` lists publish-provider-contract, whose --help explains each option."""
    from click.testing import CliRunner

    from pactdsl._cli import build_cli

    group = build_cli()
    assert "publish-provider-contract" in CliRunner().invoke(group, ["--help"]).output
    command = group.commands["publish-provider-contract"]
    shown = CliRunner().invoke(group, ["publish-provider-contract", "--help"]).output
    for param in command.params:
        for flag in getattr(param, "opts", []):
            assert flag in shown or not flag.startswith("--")
        assert param.param_type_name != "option" or getattr(param, "help", None)
    assert "--no-verification-success" in shown
    can_i_deploy_help = CliRunner().invoke(group, ["can-i-deploy", "--help"]).output
    assert "(publish-provider-contract) counts as verified" in " ".join(can_i_deploy_help.split())


def test_a_pact_with_messages_is_not_vouched_for_by_a_document(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """Messages cannot be checked against OpenAPI: a pact holding one never passes on a document."""
    document = json.loads(_pact(tmp_path, 1).read_text(encoding="utf-8"))
    http = {**document["interactions"][0], "type": "Synchronous/HTTP"}
    event = {
        "type": "Asynchronous/Messages",
        "description": "a pet was adopted",
        "contents": {"content": {"id": 1}, "contentType": "application/json"},
    }
    document["interactions"] = [http, event]
    document["metadata"] = {"pactSpecification": {"version": "4.0"}}
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(document), encoding="utf-8")
    publish(mixed, "1.0.0", broker=broker)
    publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=True, broker=broker
    )
    decision = can_i_deploy(pacticipant="shop", version="1.0.0", broker=broker)
    assert not decision.ok
    assert "1 interaction(s) are not HTTP ('a pet was adopted')" in decision.reasons[0]


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_provider_name_is_refused(broker: LocalBroker, tmp_path: Path, name: str) -> None:
    """A contract for a provider with no name is refused by name before anything is stored."""
    with pytest.raises(ValueError, match=r"provider=.* must be the provider's non-empty name"):
        publish_provider_contract(
            name, "1.0.0", _document(tmp_path), self_verified=True, broker=broker
        )
    assert not _counts(broker.path).get("provider_contracts")


def test_a_missing_results_file_is_a_usage_error_naming_the_option(tmp_path: Path) -> None:
    """--verification-results naming no file says which option and file, in click's way."""
    _document(tmp_path)
    missing = _pactdsl(
        "publish-provider-contract", "pets.yaml", "--provider", "pets",
        "--provider-app-version", "1", "--verification-success",
        "--verification-results", "nope.txt", cwd=tmp_path,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "Invalid value for '--verification-results': File 'nope.txt' does not exist" in (
        missing.stderr
    )


def test_a_results_file_that_is_not_text_names_the_option(tmp_path: Path) -> None:
    """--verification-results pointing at binary bytes: one line naming the option, exit 2."""
    _document(tmp_path)
    (tmp_path / "results.bin").write_bytes(b"\xff\xfe\x00junk")
    binary = _pactdsl(
        "publish-provider-contract", "pets.yaml", "--provider", "pets",
        "--provider-app-version", "1", "--verification-success",
        "--verification-results", "results.bin", cwd=tmp_path,
    )  # fmt: skip
    assert binary.returncode == 2
    assert binary.stderr.startswith(
        "Error: --verification-results='results.bin' is not UTF-8 text"
    ), binary.stderr
    assert binary.stderr.strip().count("\n") == 0


def test_describe_version_shows_the_provider_contract_a_version_published(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """describe_version names a provider version's document, its sha and self-verification."""
    publish(_pact(tmp_path, 1), "1.0.0", broker=broker)
    published = publish_provider_contract(
        "pets", "2.0.0", _document(tmp_path), self_verified=False, broker=broker
    )
    described = broker.describe_version("pets", "2.0.0")
    assert described.provider_contract is not None
    contract = described.provider_contract
    assert (contract.provider, contract.provider_version) == ("pets", "2.0.0")
    assert (contract.contract_sha, contract.filename) == (published.contract_sha, "pets.yaml")
    assert contract.self_verified is False
    assert (
        f"provider contract: pets.yaml (sha {published.contract_sha[:12]}), "
        "self-verification: failure"
    ) in described.report()
    consumer = broker.describe_version("shop", "1.0.0")
    assert consumer.provider_contract is None
    assert "provider contract" not in consumer.report()
