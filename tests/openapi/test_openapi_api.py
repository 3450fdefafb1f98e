"""check_openapi's doors: pact and document sources, bad documents, the result's forms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pactdsl import MissingExtra, Pact, define_contract, interaction, load_pact
from pactdsl.openapi import OpenAPICheckResult, OpenAPIDocumentError, OpenAPIIssue, check_openapi

SPECS = Path(__file__).parent / "specs"
SPEC_30 = SPECS / "pets-3.0.yaml"


def _pact(*interactions: dict[str, Any], version: str = "3.0.0") -> dict[str, Any]:
    return {
        "consumer": {"name": "shop"},
        "provider": {"name": "pets"},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": version}},
    }


_DRIFTED = {
    "description": "get pet drifted",
    "request": {"method": "GET", "path": "/api/pets/1"},
    "response": {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {"id": "1", "name": "Rex"},
    },
}
_UNDECLARED_QUERY = {
    "description": "list pets sorted",
    "request": {"method": "GET", "path": "/api/pets", "query": {"sort": ["name"]}},
    "response": {"status": 200},
}


def _minimal(**paths: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


def test_pact_file_path_pact_and_contract_give_the_same_verdict(tmp_path: Path) -> None:
    """A pact file's path, its dict, the loaded Pact and a DSL contract are all accepted."""
    pact_file = tmp_path / "shop-pets.json"
    pact_file.write_text(json.dumps(_pact(_DRIFTED)), encoding="utf-8")
    contract = define_contract(
        "openapi_drifted_pet",
        consumer="shop",
        provider="pets",
        interactions=[
            interaction("get pet drifted")
            .request(method="GET", path="/api/pets/1")
            .responds(status=200, body={"id": "1", "name": "Rex"})
        ],
    )
    loaded = load_pact(pact_file)
    assert isinstance(loaded, Pact)
    verdicts = [
        check_openapi(source, SPEC_30)
        for source in (pact_file, str(pact_file), _pact(_DRIFTED), loaded, contract)
    ]
    for result in verdicts:
        assert not result.ok
        assert [(i.code, i.pact_path) for i in result.issues] == [
            ("response.body.incompatible", "$.interactions[0].response.body.id")
        ]


def test_document_as_dict_and_as_json_file(tmp_path: Path) -> None:
    """A parsed dict and a JSON file are read like the YAML file."""
    document = yaml.safe_load(SPEC_30.read_text(encoding="utf-8"))
    json_file = tmp_path / "pets.json"
    json_file.write_text(json.dumps(document, default=str), encoding="utf-8")
    for spec in (json_file, str(json_file)):
        result = check_openapi(_pact(_DRIFTED), spec)
        assert [i.spec_pointer for i in result.issues] == [
            "#/components/schemas/Pet/properties/id/type"
        ]
    from_dict = check_openapi(_pact(_DRIFTED), json.loads(json_file.read_text(encoding="utf-8")))
    assert from_dict.issues == result.issues


def test_urls_are_refused() -> None:
    """A document given as a URL is refused with a message saying to download it."""
    with pytest.raises(OpenAPIDocumentError, match=r"spec='https://x\.test/o\.yaml' is a URL"):
        check_openapi(_pact(), "https://x.test/o.yaml")


def test_missing_document_file_raises_file_not_found(tmp_path: Path) -> None:
    """A path to no file raises FileNotFoundError naming it."""
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml"):
        check_openapi(_pact(), tmp_path / "nope.yaml")


def test_wrong_version_names_file_and_pointer(tmp_path: Path) -> None:
    """A document that is no OpenAPI 3.0/3.1 or Swagger 2.0 is refused at #/openapi."""
    spec = tmp_path / "v4.yaml"
    spec.write_text("openapi: 4.0.0\npaths: {}\n", encoding="utf-8")
    with pytest.raises(OpenAPIDocumentError) as caught:
        check_openapi(_pact(), spec)
    assert caught.value.where == f"{spec}#/openapi"
    assert "openapi='4.0.0' is not a version pactdsl reads" in str(caught.value)


def test_unparseable_document_names_the_file(tmp_path: Path) -> None:
    """A file that is neither JSON nor YAML is an OpenAPIDocumentError naming it."""
    spec = tmp_path / "broken.yaml"
    spec.write_text("openapi: [3.0\n", encoding="utf-8")
    with pytest.raises(OpenAPIDocumentError, match=r"broken\.yaml: is neither valid JSON nor YAML"):
        check_openapi(_pact(), spec)


def test_dangling_ref_names_file_and_pointer(tmp_path: Path) -> None:
    """A $ref to nothing is reported at the $ref's own place in the file."""
    spec = tmp_path / "dangling.yaml"
    document = _minimal(
        **{
            "/pets/{id}": {
                "get": {
                    "parameters": [{"$ref": "#/components/parameters/Nope"}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    interaction_ = {
        "description": "get",
        "request": {"method": "GET", "path": "/pets/1"},
        "response": {"status": 200},
    }
    with pytest.raises(OpenAPIDocumentError) as caught:
        check_openapi(_pact(interaction_), spec)
    assert caught.value.where == f"{spec}#/paths/~1pets~1{{id}}/get/parameters/0"
    assert "points to nothing" in caught.value.problem


def test_invalid_schema_names_its_pointer() -> None:
    """A schema that is not valid JSON Schema is refused, naming where it is."""
    document = _minimal(
        **{
            "/pets": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "pet"}}},
                        }
                    }
                }
            }
        }
    )
    interaction_ = {
        "description": "list",
        "request": {"method": "GET", "path": "/pets"},
        "response": {"status": 200, "body": []},
    }
    with pytest.raises(OpenAPIDocumentError) as caught:
        check_openapi(_pact(interaction_), document)
    assert caught.value.where == (
        "<dict>#/paths/~1pets/get/responses/200/content/application~1json/schema"
    )
    assert "not a valid schema" in caught.value.problem


def _ref_document(ref: str) -> dict[str, Any]:
    schema = {"$ref": ref}
    response = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    return _minimal(**{"/pets": {"get": {"responses": {"200": response}}}})


_LIST = {
    "description": "list",
    "request": {"method": "GET", "path": "/pets"},
    "response": {"status": 200, "body": []},
}


def test_refs_to_other_files_need_a_document_path() -> None:
    """A dict document cannot follow a $ref to another file, and says to give the path."""
    with pytest.raises(OpenAPIDocumentError, match="give its path instead"):
        check_openapi(_pact(_LIST), _ref_document("pets.yaml#/Pet"))


def test_refs_outside_the_document_folder_are_refused(tmp_path: Path) -> None:
    """A $ref that climbs out of the document's folder is not read."""
    (tmp_path / "secret.yaml").write_text("Pet: {type: array}\n", encoding="utf-8")
    folder = tmp_path / "api"
    folder.mkdir()
    spec = folder / "openapi.yaml"
    spec.write_text(yaml.safe_dump(_ref_document("../secret.yaml#/Pet")), encoding="utf-8")
    with pytest.raises(OpenAPIDocumentError, match="outside the document's folder"):
        check_openapi(_pact(_LIST), spec)
    remote = _ref_document("https://x.test/pet.yaml#/Pet")
    spec.write_text(yaml.safe_dump(remote), encoding="utf-8")
    with pytest.raises(OpenAPIDocumentError, match="only files beside the document are read"):
        check_openapi(_pact(_LIST), spec)


def test_base_path_argument_overrides_the_servers() -> None:
    """base_path= replaces the servers' /api prefix."""
    request = {"method": "GET", "path": "/v9/pets/1"}
    probe = {"description": "get", "request": request, "response": {"status": 404}}
    assert check_openapi(_pact(probe), SPEC_30, base_path="/v9").ok
    assert not check_openapi(_pact(probe), SPEC_30).ok


@pytest.mark.parametrize("prefix", ["v9", "v9/", "/v9/"])
def test_a_base_path_or_server_path_without_slashes_is_a_prefix_all_the_same(prefix: str) -> None:
    """`--base-path v9` and `servers: [{url: v9}]` mean /v9, as pact paths start with a slash."""
    request = {"method": "GET", "path": "/v9/pets/1"}
    probe = {"description": "get", "request": request, "response": {"status": 404}}
    assert check_openapi(_pact(probe), SPEC_30, base_path=prefix).ok
    spec = yaml.safe_load(SPEC_30.read_text(encoding="utf-8"))
    spec["servers"] = [{"url": prefix}]
    assert check_openapi(_pact(probe), spec).ok


def test_messages_are_skipped_and_named() -> None:
    """A V4 pact's messages are left out of the check and listed as skipped."""
    message = {"type": "Asynchronous/Messages", "description": "pet added", "contents": {}}
    http = {"type": "Synchronous/HTTP", **_UNDECLARED_QUERY}
    result = check_openapi(_pact(http, message, version="4.0"), SPEC_30)
    assert result.skipped == ("pet added",)
    assert result.checked == 1
    assert "not checked (not HTTP): 'pet added'" in result.report()


def test_result_forms_report_json_and_truth() -> None:
    """Errors fail and warnings do not; the report and JSON carry both."""
    result = check_openapi(_pact(_DRIFTED, _UNDECLARED_QUERY), SPEC_30)
    assert isinstance(result, OpenAPICheckResult)
    assert not result
    assert not result.ok
    assert [i.code for i in result.errors] == ["response.body.incompatible"]
    assert [i.code for i in result.warnings] == ["request.query.unknown"]
    assert result.to_json() == {
        "ok": False,
        "specVersion": "3.0.3",
        "checked": 2,
        "skipped": [],
        "errors": [
            {
                "code": "response.body.incompatible",
                "severity": "error",
                "interaction": "get pet drifted",
                "pactPath": "$.interactions[0].response.body.id",
                "specPointer": "#/components/schemas/Pet/properties/id/type",
                "message": "'1' is not of type 'integer'",
            }
        ],
        "warnings": [result.warnings[0].to_json()],
    }
    report = result.report()
    assert report.splitlines()[:3] == [
        "pact NOT compatible with the OpenAPI 3.0.3 document: 1 error(s), 1 warning(s) "
        "in 2 interaction(s)",
        "  error response.body.incompatible: 1",
        "  warning request.query.unknown: 1",
    ]
    assert "    spec: #/components/schemas/Pet/properties/id/type" in report
    only_warnings = check_openapi(_pact(_UNDECLARED_QUERY), SPEC_30)
    assert only_warnings.ok
    assert bool(only_warnings)
    assert isinstance(only_warnings.issues[0], OpenAPIIssue)


def test_openapi_3_0_ignores_the_siblings_of_a_ref() -> None:
    """In 3.0 a $ref's siblings are ignored (in 3.1 they count, see the corpus)."""
    document = _ref_document("#/components/schemas/Pets")
    schema = document["paths"]["/pets"]["get"]["responses"]["200"]["content"]
    schema["application/json"]["schema"]["maxItems"] = 0
    document["components"] = {"schemas": {"Pets": {"type": "array"}}}
    listed = {**_LIST, "response": {"status": 200, "body": [1]}}
    assert check_openapi(_pact(listed), document).ok
    document["openapi"] = "3.1.0"
    assert [i.spec_pointer for i in check_openapi(_pact(listed), document).issues] == [
        "#/paths/~1pets/get/responses/200/content/application~1json/schema/maxItems"
    ]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


def test_without_the_extra_check_openapi_names_it() -> None:
    """Without jsonschema, check_openapi raises MissingExtra naming pactdsl[openapi]."""
    code = (
        "import sys\nsys.modules['jsonschema'] = None\n"
        "from pactdsl import MissingExtra\nfrom pactdsl.openapi import check_openapi\n"
        "try:\n    check_openapi({}, {})\nexcept MissingExtra as exc:\n    print(exc)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "check_openapi() needs jsonschema, which pactdsl installs only with its 'openapi' "
        "extra: pip install 'pactdsl[openapi]'"
    )
    assert issubclass(MissingExtra, ImportError)


def test_importing_the_module_loads_no_schema_library() -> None:
    """`import pactdsl.openapi` loads neither jsonschema, referencing nor yaml."""
    code = (
        "import sys, pactdsl.openapi\n"
        "early = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'referencing', 'yaml'))\n"
        "assert not early, early\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_namespace_holds_only_its_api() -> None:
    """pactdsl.openapi binds exactly its sorted __all__ publicly, no helper."""
    import types

    import pactdsl.openapi as module

    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith(("_", "@")) and not isinstance(value, types.ModuleType)
    }
    assert public == set(module.__all__)
    assert list(module.__all__) == sorted(module.__all__)


def test_an_undefined_security_scheme_is_a_document_error() -> None:
    """A security requirement naming no defined scheme is refused at the scheme's pointer."""
    document = _minimal(
        **{
            "/pets": {
                "get": {"security": [{"key": []}], "responses": {"200": {"description": "ok"}}}
            }
        }
    )
    listed = {**_LIST, "response": {"status": 200}}
    with pytest.raises(OpenAPIDocumentError) as caught:
        check_openapi(_pact(listed), document)
    assert caught.value.where == "<dict>#/components/securitySchemes/key"
    assert "security scheme 'key' is required here but not defined" in caught.value.problem


def test_the_docs_table_lists_every_code_with_its_severity() -> None:
    """docs/openapi.md's table of codes matches the severities the check gives."""
    import re

    from pactdsl.openapi._check import SEVERITY

    page = (Path(__file__).parents[2] / "docs" / "openapi.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z.\-]+)` \| .* \| (error|warning) \|$", page, re.MULTILINE)
    assert dict(rows) == SEVERITY
    assert len(rows) == len(SEVERITY)
