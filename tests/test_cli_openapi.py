"""`pactdsl check-openapi`: a pact against an OpenAPI document, through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pactdsl._cli import build_cli
from tests._cli_fixtures import CliProject, project_in_cwd

SPEC = """\
openapi: 3.0.3
info: {title: Pets, version: "1.0.0"}
servers: [{url: "https://pets.example/api"}]
paths:
  /pets:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      responses:
        "200":
          description: some pets
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
"""

DRIFTED_CODES = [
    "request.query.incompatible",
    "response.body.incompatible",
    "response.body.incompatible",
]


def pact(query: str, pet: dict[str, Any], path: str = "/api/pets") -> dict[str, Any]:
    """A V2 pact with one interaction listing pets."""
    return {
        "consumer": {"name": "shop"},
        "provider": {"name": "pets"},
        "interactions": [
            {
                "description": "list pets",
                "request": {"method": "GET", "path": path, "query": query},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": [pet],
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """tmp_path holding spec.yaml, a compatible good.json and a drifted.json."""
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    good = pact("limit=5", {"id": 1, "name": "Rex"})
    drifted = pact("limit=500&sort=name", {"id": "1", "name": "Rex", "colour": "black"})
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "drifted.json").write_text(json.dumps(drifted), encoding="utf-8")
    return tmp_path


def run(*args: str | Path) -> Result:
    """Invoke ``pactdsl check-openapi ARGS`` in-process."""
    return CliRunner().invoke(
        build_cli(), ["check-openapi", *map(str, args)], catch_exceptions=False
    )


def error_line(result: Result) -> str:
    """The one line a command that could not run prints on stderr (and nothing on stdout)."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_compatible_pact_exits_0_with_the_report(files: Path) -> None:
    """A pact that fits the document exits 0 and prints the compatible verdict."""
    result = run(files / "good.json", files / "spec.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "pact compatible with the OpenAPI 3.0.3 document: 0 error(s), 0 warning(s) "
        "in 1 interaction(s)"
    )


def test_drifted_pact_exits_1_and_shows_each_issue(files: Path) -> None:
    """A drifted pact exits 1; the report names each code, pact path and spec pointer."""
    result = run(files / "drifted.json", files / "spec.yaml")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(
        "pact NOT compatible with the OpenAPI 3.0.3 document: 3 error(s)"
    )
    assert "error request.query.incompatible in 'list pets'" in result.stdout
    assert "warning request.query.unknown in 'list pets'" in result.stdout
    assert "error response.body.incompatible: 2" in result.stdout
    assert "pact: $.interactions[0].response.body[0].colour" in result.stdout
    assert "spec: #/paths/~1pets/get/parameters/0/schema/maximum" in result.stdout


def test_json_output_carries_the_same_issues(files: Path) -> None:
    """--json prints parseable JSON with the issues of the text report, and the same exit code."""
    as_json = run(files / "drifted.json", files / "spec.yaml", "--json")
    assert as_json.exit_code == 1, as_json.output
    parsed = json.loads(as_json.stdout)
    assert parsed["ok"] is False
    assert parsed["specVersion"] == "3.0.3"
    assert parsed["checked"] == 1
    assert [issue["code"] for issue in parsed["errors"]] == DRIFTED_CODES
    assert [issue["code"] for issue in parsed["warnings"]] == ["request.query.unknown"]
    text = run(files / "drifted.json", files / "spec.yaml").stdout
    for issue in parsed["errors"] + parsed["warnings"]:
        assert f"pact: {issue['pactPath']}" in text
        assert issue["message"] in text
    good = run(files / "good.json", files / "spec.yaml", "--json")
    assert good.exit_code == 0
    assert json.loads(good.stdout) == {
        "ok": True,
        "specVersion": "3.0.3",
        "checked": 1,
        "skipped": [],
        "errors": [],
        "warnings": [],
    }


def test_warnings_alone_exit_0(files: Path) -> None:
    """A pact whose only finding is a warning (an undocumented query parameter) exits 0."""
    (files / "warned.json").write_text(
        json.dumps(pact("limit=5&sort=name", {"id": 1, "name": "Rex"})), encoding="utf-8"
    )
    result = run(files / "warned.json", files / "spec.yaml", "--json")
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert parsed["ok"] is True
    assert [issue["code"] for issue in parsed["warnings"]] == ["request.query.unknown"]


def test_base_path_replaces_the_servers_path(files: Path) -> None:
    """--base-path is the prefix stripped from the pact's paths instead of the servers URL's."""
    (files / "unprefixed.json").write_text(
        json.dumps(pact("limit=5", {"id": 1, "name": "Rex"}, path="/v2/pets")), encoding="utf-8"
    )
    without = run(files / "unprefixed.json", files / "spec.yaml")
    assert without.exit_code == 1
    assert "request.path-or-method.unknown" in without.stdout
    with_base = run(files / "unprefixed.json", files / "spec.yaml", "--base-path", "/v2")
    assert with_base.exit_code == 0, with_base.output
    wrong = run(files / "good.json", files / "spec.yaml", "--base-path", "/v2")
    assert wrong.exit_code == 1
    assert "after the base path ('/v2'), which it does not start with" in wrong.stdout


def test_missing_spec_exits_2_naming_the_file(files: Path) -> None:
    """A SPEC that does not exist exits 2 with one line naming it."""
    line = error_line(run(files / "good.json", files / "absent.yaml"))
    assert "absent.yaml" in line
    assert "no such file" in line


def test_broken_yaml_exits_2_on_one_line_naming_the_file(files: Path) -> None:
    """A SPEC that is neither JSON nor YAML exits 2 with one line naming it."""
    (files / "broken.yaml").write_text("openapi: 3.0.3\npaths: {\n  /x: [\n", encoding="utf-8")
    line = error_line(run(files / "good.json", files / "broken.yaml"))
    assert "broken.yaml" in line
    assert "is neither valid JSON nor YAML" in line


def test_document_that_is_not_openapi_exits_2(files: Path) -> None:
    """A YAML file without an openapi or swagger version exits 2 naming the file."""
    (files / "other.yaml").write_text("title: not an API\n", encoding="utf-8")
    line = error_line(run(files / "good.json", files / "other.yaml"))
    assert "other.yaml#/openapi: openapi=None is not a version pactdsl reads" in line


@pytest.mark.parametrize(
    ("pact_name", "message"),
    [
        ("absent.json", "pact='{folder}/absent.json': no such file"),
        (".", "is a folder; give one pact file or MODULE:CONTRACT"),
        ("broken.json", "broken.json"),
    ],
)
def test_bad_pact_exits_2_naming_it(files: Path, pact_name: str, message: str) -> None:
    """A PACT that is missing, a folder or not a pact exits 2 with one line naming it."""
    (files / "broken.json").write_text("{not json", encoding="utf-8")
    line = error_line(run(files / pact_name, files / "spec.yaml"))
    assert message.format(folder=files) in line


def test_pact_without_http_interactions_exits_2(files: Path) -> None:
    """A pact with nothing to check is no pass: exit 2 saying so."""
    empty = {"consumer": {"name": "shop"}, "provider": {"name": "pets"}, "interactions": []}
    (files / "empty.json").write_text(json.dumps(empty), encoding="utf-8")
    line = error_line(run(files / "empty.json", files / "spec.yaml"))
    assert "has no HTTP interaction to check" in line


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_registry: None
) -> Iterator[CliProject]:
    """A contract module in tmp_path, the current folder, with sys.path restored afterwards."""
    yield from project_in_cwd(tmp_path, monkeypatch)


def test_contract_as_pact_source(project: CliProject) -> None:
    """PACT may be MODULE:CONTRACT; an operation the document lacks is an error (exit 1)."""
    (project.folder / "things.yaml").write_text(
        """\
swagger: "2.0"
info: {title: Things, version: "1"}
paths:
  /things/{id}:
    get:
      produces: [application/json]
      parameters: [{name: id, in: path, required: true, type: integer}]
      responses:
        "200":
          description: a thing
          schema:
            type: object
            properties: {id: {type: integer}, name: {type: string}}
""",
        encoding="utf-8",
    )
    result = run(f"{project.module}:{project.contract}", "things.yaml", "--json")
    assert result.exit_code == 1, result.output
    parsed = json.loads(result.stdout)
    assert parsed["specVersion"] == "2.0"
    assert parsed["checked"] == 2
    assert [(i["interaction"], i["code"]) for i in parsed["errors"]] == [
        ("create thing", "request.path-or-method.unknown")
    ]


def test_missing_extra_exits_2_naming_it(files: Path) -> None:
    """Without jsonschema, the command exits 2 with one line naming pactdsl[openapi]."""
    code = (
        "import sys; sys.modules['jsonschema'] = None; from pactdsl._cli import main; "
        "main(sys.argv[1:])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "check-openapi", "good.json", "spec.yaml"],
        cwd=files,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "pactdsl[openapi]" in done.stderr
    assert "Traceback" not in done.stderr


def test_as_a_process(files: Path) -> None:
    """`python -m pactdsl check-openapi` exits 1 for the drifted pact and 0 for the good one."""
    for name, code in (("drifted.json", 1), ("good.json", 0)):
        done = subprocess.run(
            [sys.executable, "-m", "pactdsl", "check-openapi", name, "spec.yaml"],
            cwd=files,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == code, done.stdout + done.stderr
        assert done.stderr == ""
