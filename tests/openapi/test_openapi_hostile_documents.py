"""Hostile and malformed OpenAPI documents: YAML bombs, deep nesting, bad $refs and versions."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pactdsl import Limits
from pactdsl.openapi import OpenAPIDocumentError, check_openapi

_PACT: dict[str, Any] = {
    "consumer": {"name": "shop"},
    "provider": {"name": "pets"},
    "interactions": [
        {
            "description": "list pets",
            "request": {"method": "GET", "path": "/pets"},
            "response": {"status": 200, "body": [{"id": 1}]},
        }
    ],
    "metadata": {"pactSpecification": {"version": "3.0.0"}},
}


def _laughs(levels: int) -> str:
    """A "billion laughs" document: each schema level uses the one below nine times."""
    lines = [
        "openapi: 3.0.3",
        'info: {title: bomb, version: "1"}',
        "components:",
        "  schemas:",
        "    L0: &L0 {type: object, properties: {a: {type: string}}}",
    ]
    for level in range(1, levels + 1):
        below = ", ".join(f"p{i}: *L{level - 1}" for i in range(9))
        lines.append(f"    L{level}: &L{level} {{type: object, properties: {{{below}}}}}")
    lines += [
        "paths:",
        "  /pets:",
        "    get:",
        "      responses:",
        '        "200":',
        "          description: ok",
        "          content:",
        f"            application/json: {{schema: {{type: array, items: *L{levels}}}}}",
    ]
    return "\n".join(lines) + "\n"


def test_a_yaml_bomb_is_refused_quickly_naming_the_file_and_the_limit(tmp_path: Path) -> None:
    """Aliases that expand to billions of values stop at max_document_values, not hang."""
    spec = tmp_path / "bomb.yaml"
    spec.write_text(_laughs(11), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(OpenAPIDocumentError) as caught:
        check_openapi(_PACT, spec, limits=Limits(max_document_values=100_000))
    assert time.monotonic() - started < 10
    assert caught.value.where == str(spec)
    assert "Limits(max_document_values=100000)" in str(caught.value)


def test_max_document_values_counts_aliases_at_each_use(tmp_path: Path) -> None:
    """A small aliased document passes under the default and fails under a tight bound."""
    spec = tmp_path / "laughs.yaml"
    spec.write_text(_laughs(2), encoding="utf-8")
    assert check_openapi(_PACT, spec).checked
    with pytest.raises(OpenAPIDocumentError, match=r"max_document_values=50\)"):
        check_openapi(_PACT, spec, limits=Limits(max_document_values=50))


def test_a_too_deep_json_document_is_our_error_not_recursion(tmp_path: Path) -> None:
    """JSON nested past the interpreter's recursion depth names the file and the limit."""
    spec = tmp_path / "deep.json"
    deep = "[" * 100_000 + "]" * 100_000
    spec.write_text(
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, '
        f'"x-deep": {deep}}}',
        encoding="utf-8",
    )
    with pytest.raises(OpenAPIDocumentError) as caught:
        check_openapi(_PACT, spec)
    assert caught.value.where == str(spec)
    assert "Limits(max_nesting_depth=100)" in str(caught.value)


def test_a_dict_document_is_bounded_too() -> None:
    """A parsed document given as a dict is held to max_nesting_depth as files are."""
    deep: Any = {"type": "string"}
    for _ in range(20):
        deep = {"x-wrap": deep}
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    document["x-deep"] = deep
    with pytest.raises(OpenAPIDocumentError, match=r"<dict>: nests deeper"):
        check_openapi(_PACT, document, limits=Limits(max_nesting_depth=10))


def test_cli_says_one_line_and_exits_2_on_a_bomb(tmp_path: Path) -> None:
    """`pactdsl --limit max_document_values=N check-openapi` refuses a bomb in one line."""
    spec = tmp_path / "bomb.yaml"
    spec.write_text(_laughs(11), encoding="utf-8")
    pact = tmp_path / "pact.json"
    pact.write_text(json.dumps(_PACT), encoding="utf-8")
    limit = ["--limit", "max_document_values=100000"]
    done = subprocess.run(
        [sys.executable, "-m", "pactdsl", *limit, "check-openapi", str(pact), str(spec)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "bomb.yaml: holds more than Limits(max_document_values=100000)" in done.stderr


def _pets_document(schema: str) -> str:
    return (
        'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n  /pets:\n    get:\n'
        "      responses:\n        '200':\n          description: ok\n"
        f"          content: {{application/json: {{schema: {schema}}}}}\n"
    )


@pytest.mark.parametrize("schema", ["{$ref: 5}", "{type: array, items: {$ref: [a]}}"])
def test_a_ref_that_is_no_string_is_a_document_error(tmp_path: Path, schema: str) -> None:
    """`$ref: 5` is refused at its pointer instead of being read as a schema admitting all."""
    spec = tmp_path / "pets.yaml"
    spec.write_text(_pets_document(schema), encoding="utf-8")
    with pytest.raises(OpenAPIDocumentError, match=r"\$ref=.* must be a string") as caught:
        check_openapi(_PACT, spec)
    assert caught.value.where.startswith(f"{spec}#/paths/~1pets/get/responses/200/content")


def test_a_property_named_ref_is_still_a_property(tmp_path: Path) -> None:
    """A property called `$ref` (its value a schema) is not taken for a Reference Object."""
    spec = tmp_path / "pets.yaml"
    items = "{type: object, properties: {$ref: {type: string}}}"
    spec.write_text(_pets_document(f"{{type: array, items: {items}}}"), encoding="utf-8")
    pact = json.loads(json.dumps(_PACT))
    pact["interactions"][0]["response"]["body"] = [{"$ref": 1}]
    result = check_openapi(pact, spec)
    assert [issue.message for issue in result.errors] == ["1 is not of type 'string'"]


def test_an_unquoted_version_number_says_to_quote_it(tmp_path: Path) -> None:
    """`openapi: 3.1` (a YAML float) is explained as a number to quote, not as a bad version."""
    spec = tmp_path / "pets.yaml"
    spec.write_text('openapi: 3.1\ninfo: {title: t, version: "1"}\npaths: {}\n', encoding="utf-8")
    with pytest.raises(OpenAPIDocumentError, match=r"openapi=3\.1 is a number.*openapi: '3\.0\.3'"):
        check_openapi(_PACT, spec)
