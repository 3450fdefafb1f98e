"""The OpenAPI corpus through swagger-mock-validator (SMV): same verdicts, or a reason why not.

Every case of ``cases/*.yaml`` is run through `@pactflow/swagger-mock-validator`
(pinned at `SMV_VERSION`, installed once by npm into a cache folder outside the
repository) in one Node process, by ``smv_side_by_side.mjs`` beside this file.
SMV's verdict (pass, fail, or crash: it could not read the document or the
pact) must be pactdsl's, unless the case says ``smv_disagrees: "<reason>"`` and
docs/openapi.md's table of disagreements has a row naming the case. A mark on
a case where the two agree fails too, so marks cannot go stale.

SMV ignores OpenAPI 3 `servers`, so it is given a copy of such a document whose
paths carry the servers' base paths (`/pets` under `https://host/api` becomes
`/api/pets`), as pactdsl reads them; Swagger 2's `basePath` it reads itself.
It runs in the folder of the case's document, where it reads relative `$ref`s.

Without `node` (or `npm`), the test skips locally and fails under `CI=true`.
Without the npm registry (and nothing in npm's cache), the install fails in
seconds with npm's reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from filelock import FileLock

from pactdsl.openapi import check_openapi
from tests._shared import skip_or_fail
from tests.openapi.test_openapi_cases import CASES, HERE, _pact

SMV_VERSION = "14.5.0"
SMV_PACKAGE = "@pactflow/swagger-mock-validator"
SCRIPT = HERE / "smv_side_by_side.mjs"
DOCS = HERE.parents[1] / "docs" / "openapi.md"
TABLE_HEADING = "## Compared with swagger-mock-validator"


def _cache_dir() -> Path:
    """Where installed test tools live: `$XDG_CACHE_HOME/pactdsl-tests`, else ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pactdsl-tests"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        skip_or_fail(
            f"{name} not found on PATH: the side-by-side test runs {SMV_PACKAGE} "
            f"{SMV_VERSION} on the OpenAPI corpus and needs Node.js with npm."
        )
    return found


def _installed_version(package: Path) -> str | None:
    try:
        manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(manifest.get("version"))


# Without the registry npm fails within seconds, not after a minute of retries
# (its default: 2 retries, 10 to 60 s apart): one retry a second later, 30 s for
# a response, and a package already in npm's cache used as it is, unrevalidated.
NPM_FAIL_FAST = [
    "--fetch-retries=1",
    "--fetch-retry-mintimeout=1000",
    "--fetch-retry-maxtimeout=2000",
    "--fetch-timeout=30000",
    "--prefer-offline",
]


def npm_failure(done: subprocess.CompletedProcess[str], home: Path) -> str:
    """One message for a failed install: npm's reason (its error code and failed request)."""
    said = [line.removeprefix("npm error").strip() for line in done.stderr.splitlines()]
    said = [line for line in said if line.startswith("code ") or "request to " in line]
    if not said:  # not a network failure: npm's own first lines say what it was
        said = (done.stderr or done.stdout).strip().splitlines()[:4]
    return (
        f"npm could not install {SMV_PACKAGE}@{SMV_VERSION} for the side-by-side test "
        f"(exit {done.returncode}): {'; '.join(said[:2])}. It needs the npm registry once "
        f"(or npm's cache holding the package), then reuses {home}."
    )


def smv_package() -> Path:
    """The installed SMV package folder, installed by npm first if the cache lacks it.

    Two xdist workers may get here at once: a file lock makes one install while
    the other waits, and the install goes to a fresh folder renamed into place,
    so a half-finished install is never taken for a finished one.
    """
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    home = cache / f"swagger-mock-validator-{SMV_VERSION}"
    package = home / "node_modules" / SMV_PACKAGE
    with FileLock(f"{home}.lock", timeout=600):
        if _installed_version(package) == SMV_VERSION:
            return package
        staging = Path(tempfile.mkdtemp(prefix=f"{home.name}-", dir=cache))
        # --ignore-scripts: SMV's only script patches an ajv that its bundle already contains.
        command = [_tool("npm"), "install", "--prefix", str(staging), "--no-audit", "--no-fund"]
        command += [*NPM_FAIL_FAST, "--ignore-scripts", f"{SMV_PACKAGE}@{SMV_VERSION}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
        installed = staging / "node_modules" / SMV_PACKAGE
        if done.returncode != 0 or _installed_version(installed) != SMV_VERSION:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.fail(npm_failure(done, home), pytrace=False)
        shutil.rmtree(home, ignore_errors=True)
        staging.rename(home)
    return package


def base_paths(document: dict[str, Any]) -> list[str]:
    """The path part of each OpenAPI 3 server URL, its variables at their defaults."""
    found = []
    for server in document.get("servers") or []:
        url = server["url"]
        for name, variable in (server.get("variables") or {}).items():
            url = url.replace(f"{{{name}}}", str(variable["default"]))
        found.append(urlsplit(url).path.rstrip("/"))
    return found


def without_servers(document: dict[str, Any]) -> dict[str, Any]:
    """The document as SMV needs it: `servers` gone, their base paths in front of each path."""
    folded = {key: value for key, value in document.items() if key != "servers"}
    folded["paths"] = {
        base + path: item
        for base in base_paths(document)
        for path, item in document["paths"].items()
    }
    return folded


def _document_for_smv(spec: str, folder: Path) -> Path:
    source = HERE / "specs" / spec
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    if "openapi" not in document or not any(base_paths(document)):
        return source
    # YAML again, so that what YAML reads as a date (`2020-02-29`) stays one for SMV too.
    copy = folder / spec
    copy.write_text(yaml.safe_dump(without_servers(document), sort_keys=False), encoding="utf-8")
    return copy


def _case_id(param: Any) -> str:
    return str(param.id)


def run_smv(folder: Path) -> dict[str, dict[str, Any]]:
    """Every corpus case through SMV in one Node process, by case id."""
    node, package = _tool("node"), smv_package()
    documents: dict[str, Path] = {}
    jobs = []
    for number, param in enumerate(CASES):
        spec, case = param.values
        if spec not in documents:
            documents[spec] = _document_for_smv(spec, folder)
        pact = folder / f"pact-{number}.json"
        pact.write_text(json.dumps(_pact(case["interactions"])), encoding="utf-8")
        # SMV reads a relative file $ref from its working folder: the document's own.
        folder_of_spec = str((HERE / "specs" / spec).parent)
        jobs.append(
            {
                "id": _case_id(param),
                "spec": str(documents[spec]),
                "pact": str(pact),
                "folder": folder_of_spec,
            }
        )
    jobs_file = folder / "jobs.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    done = subprocess.run(
        [node, str(SCRIPT), str(package), str(jobs_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        cwd=folder,
    )
    assert done.returncode == 0, f"{SCRIPT.name} failed:\n{done.stderr}"
    return {result["id"]: result for result in json.loads(done.stdout)}


def _verdict(ok: bool) -> str:
    return "pass" if ok else "fail"


def test_smv_gives_every_case_pactdsl_verdict_or_the_case_says_why(tmp_path: Path) -> None:
    """Unmarked cases get pactdsl's verdict from SMV; marked ones a different one (or a crash)."""
    smv = run_smv(tmp_path)
    unexplained, stale = [], []
    for param in CASES:
        spec, case = param.values
        ours = _verdict(check_openapi(_pact(case["interactions"]), HERE / "specs" / spec).ok)
        theirs = smv[_case_id(param)]
        seen = (
            f"{_case_id(param)}: pactdsl {ours}, SMV {theirs['outcome']} "
            f"{theirs['crash'] or theirs['errors']}"
        )
        if "smv_disagrees" in case and theirs["outcome"] == ours:
            stale.append(seen)
        elif "smv_disagrees" not in case and theirs["outcome"] != ours:
            unexplained.append(seen)
    assert not unexplained, (
        "SMV disagrees; fix pactdsl, or mark the case smv_disagrees: '<why pactdsl is right>' "
        "and add a row to docs/openapi.md:\n" + "\n".join(unexplained)
    )
    assert not stale, "SMV now agrees; remove smv_disagrees and the docs' row:\n" + "\n".join(stale)


def _python(code: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code]
    return subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=120, cwd=folder, env=env
    )


def test_an_unreachable_registry_fails_the_install_at_once_with_one_clear_message(
    tmp_path: Path,
) -> None:
    """With no registry and nothing cached, installing SMV fails in seconds, saying why."""
    _tool("npm")
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "npm_config_cache": str(tmp_path / "npm-cache"),
        "npm_config_registry": "http://127.0.0.1:9/",
    }
    code = "from tests.openapi.test_smv_side_by_side import smv_package; smv_package()"
    started = time.monotonic()
    done = _python(code, HERE.parents[1], env)
    took = time.monotonic() - started
    expected = f"npm could not install {SMV_PACKAGE}@{SMV_VERSION} for the side-by-side test"
    assert done.returncode != 0
    assert expected in done.stderr, done.stderr
    assert "code ECONNREFUSED" in done.stderr, done.stderr
    assert "request to http://127.0.0.1:9/" in done.stderr, done.stderr
    assert took < 20, f"the failed install took {took:.1f} s"
    assert not list((tmp_path / "cache" / "pactdsl-tests").glob("swagger-mock-validator-*/"))


def test_the_benchmark_finds_smv_where_this_test_installs_it(tmp_path: Path) -> None:
    """bench_openapi.py looks in this test's cache: finished installs, newest first."""
    cache = tmp_path / "pactdsl-tests"
    executables = {}
    for version in ("14.5.0", "14.10.0", "14.5.0-k2j3x_"):  # the last is a half-done install
        bin_folder = cache / f"swagger-mock-validator-{version}" / "node_modules" / ".bin"
        bin_folder.mkdir(parents=True)
        executables[version] = bin_folder / "swagger-mock-validator"
        executables[version].touch()
    code = "import bench_openapi as b; print(*b.cached_installs(), b.find_smv(), sep='\\n')"
    env = {key: value for key, value in os.environ.items() if key != "SMV"}
    env |= {"XDG_CACHE_HOME": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    benchmarks = HERE.parents[1] / "benchmarks"
    done = _python(code, benchmarks, env)
    assert done.returncode == 0, done.stderr
    local = benchmarks / "node_modules" / ".bin" / "swagger-mock-validator"
    first = local if local.is_file() else executables["14.10.0"]
    assert done.stdout.splitlines() == [
        str(executables["14.10.0"]),
        str(executables["14.5.0"]),
        str(first),
    ]


def _disagreement_rows() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    _, heading, section = text.partition(f"\n{TABLE_HEADING}\n")
    assert heading, f"docs/openapi.md needs a '{TABLE_HEADING}' section"
    section = re.split(r"\n## ", section)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def test_every_case_marked_as_disagreeing_has_a_reason_and_a_row_in_the_docs() -> None:
    """Each `smv_disagrees` is a non-empty reason, and the docs' table names its case."""
    rows = _disagreement_rows()
    marked = [(param, param.values[1]) for param in CASES if "smv_disagrees" in param.values[1]]
    assert marked, "the corpus marks no case as one SMV disagrees with"
    unexplained = [
        _case_id(param)
        for param, case in marked
        if not str(case["smv_disagrees"]).strip() or not any(case["name"] in r for r in rows)
    ]
    assert not unexplained, (
        f"cases marked smv_disagrees with no reason, or no row under '{TABLE_HEADING}' "
        f"in docs/openapi.md naming them: {unexplained}"
    )


def test_every_case_the_docs_table_names_is_marked_as_disagreeing() -> None:
    """A row outlives no mark: each case its first cell names (in italics) is marked."""
    marked = {case["name"] for _, case in (p.values for p in CASES) if "smv_disagrees" in case}
    named = [
        name
        for row in _disagreement_rows()
        for name in re.findall(r"\*([^*]+)\*", row.split("|")[1])
    ]
    assert named, f"no case named in italics under '{TABLE_HEADING}'"
    unmarked = [name for name in named if name not in marked]
    assert not unmarked, (
        f"docs/openapi.md names cases that are not marked smv_disagrees: {unmarked}"
    )


def test_servers_are_folded_into_the_paths_for_smv() -> None:
    """Each server's path part, variables at their defaults, prefixes every path."""
    document = yaml.safe_load((HERE / "specs" / "servers-3.1.yaml").read_text(encoding="utf-8"))
    folded = without_servers(document)
    assert "servers" not in folded
    assert sorted(folded["paths"]) == sorted(
        f"{base}{path}" for base in ("/v3/pets-api", "/internal") for path in document["paths"]
    )
