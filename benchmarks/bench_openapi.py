"""Time `pactdsl check-openapi` against swagger-mock-validator on the same files.

A V3 pact of 500 interactions against an OpenAPI 3.0 JSON document of 200
operations (50 resources, each with list, create, read and update: path and
query parameters, request bodies, response schemas with nested objects and
arrays through `$ref`s). Both are generated deterministically into a temporary
folder. One interaction in 25 drifts from the document (a query value over its
maximum, a request body without a required property, a nested response value
of the wrong type), so both tools must say "not compatible".

Each figure is the wall clock of the whole command in a fresh process, best of
3 (--quick: 1 run, 50 interactions against 20 operations):

* `python -m pactdsl check-openapi PACT SPEC --json` (this script's Python);
* `swagger-mock-validator SPEC PACT`, the Node tool (`@pactflow/swagger-mock-validator`),
  found through the `SMV` environment variable (the executable's path), else on
  PATH, else in `benchmarks/node_modules/.bin`, else where the side-by-side test
  (tests/openapi/test_smv_side_by_side.py) installed it, under
  `$XDG_CACHE_HOME/pactdsl-tests` (~/.cache). Without it, the row has no figure
  for it and the script says how to install it.

Both tools exit 1 when the pact is not compatible, so exit 0 or 1 is accepted
from each; the two verdicts must agree. Target: pactdsl at least 5x faster.

Run: python benchmarks/bench_openapi.py [--quick]
"""

from __future__ import annotations

import argparse
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

from _bench import emit, target, verdict

HERE = Path(__file__).resolve().parent
INTERACTIONS = 500
OPERATIONS = 200
"""Sizes (changed by --quick before anything runs); OPERATIONS is a multiple of 4."""
RUNS = 3
SPEEDUP_TARGET = 5.0
DRIFT_EVERY = 25
"""Interaction n drifts when n % DRIFT_EVERY == DRIFT_EVERY - 1 (n % 4 picks how)."""
SMV_RATIO = "swagger-mock-validator / pactdsl"
INSTALL_HINT = (
    "swagger-mock-validator not found (set SMV to its path, or put it on PATH): "
    "cd benchmarks && npm install @pactflow/swagger-mock-validator (needs node), "
    "or run tests/openapi/test_smv_side_by_side.py once, which installs it in its cache"
)


def item_schema() -> dict[str, Any]:
    """A stored item: scalars with formats and bounds, a nested object, arrays of objects."""
    return {
        "type": "object",
        "required": ["id", "name", "sku"],
        "properties": {
            "id": {"type": "integer", "format": "int64", "minimum": 0},
            "name": {"type": "string", "maxLength": 80},
            "sku": {"type": "string", "pattern": "^SKU-[0-9]{6}$"},
            "price": {"type": "number", "minimum": 0},
            "status": {"type": "string", "enum": ["active", "retired"]},
            "createdAt": {"type": "string", "format": "date-time"},
            "owner": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "email": {"type": "string", "format": "email"},
                    "age": {"type": "integer", "minimum": 0},
                },
            },
            "variants": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {"type": "string", "pattern": "^V[0-9]+$"},
                        "stock": {"type": "integer"},
                        "dims": {
                            "type": "object",
                            "properties": {"w": {"type": "number"}, "h": {"type": "number"}},
                        },
                    },
                },
            },
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }


def input_schema() -> dict[str, Any]:
    """What a client sends to create or replace an item."""
    stored = item_schema()["properties"]
    names = ("name", "sku", "price", "status", "owner", "variants", "tags")
    return {
        "type": "object",
        "required": ["name", "sku"],
        "properties": {name: stored[name] for name in names},
    }


def json_content(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": ref}}}


def resource_paths(number: int) -> dict[str, Any]:
    """The four operations (list, create, read, update) of resource `number`."""
    item, given = f"#/components/schemas/Item{number}", f"#/components/schemas/ItemInput{number}"
    item_id = {"name": "itemId", "in": "path", "required": True, "schema": {"type": "integer"}}
    limit = {"type": "integer", "minimum": 1, "maximum": 100}
    status = {"type": "string", "enum": ["active", "retired"]}
    list_params = [
        {"name": "limit", "in": "query", "schema": limit},
        {"name": "status", "in": "query", "schema": status},
    ]
    missing = {"description": "no such item", "content": json_content("#/components/schemas/Error")}
    return {
        f"/res{number}/items": {
            "get": {
                "operationId": f"list{number}",
                "parameters": list_params,
                "responses": {
                    "200": {
                        "description": "items",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": item}}
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": f"create{number}",
                "requestBody": {"required": True, "content": json_content(given)},
                "responses": {"201": {"description": "created", "content": json_content(item)}},
            },
        },
        f"/res{number}/items/{{itemId}}": {
            "parameters": [item_id],
            "get": {
                "operationId": f"read{number}",
                "responses": {
                    "200": {"description": "the item", "content": json_content(item)},
                    "404": missing,
                },
            },
            "put": {
                "operationId": f"update{number}",
                "requestBody": {"required": True, "content": json_content(given)},
                "responses": {
                    "200": {"description": "replaced", "content": json_content(item)},
                    "404": missing,
                },
            },
        },
    }


def document() -> dict[str, Any]:
    """An OpenAPI 3.0 document of OPERATIONS operations."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["message"],
            "properties": {"message": {"type": "string"}, "code": {"type": "integer"}},
        }
    }
    for number in range(OPERATIONS // 4):
        paths.update(resource_paths(number))
        schemas[f"Item{number}"] = item_schema()
        schemas[f"ItemInput{number}"] = input_schema()
    return {
        "openapi": "3.0.3",
        "info": {"title": "bench-provider", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def item_body(item_id: int) -> dict[str, Any]:
    return {
        "id": item_id,
        "name": f"item {item_id}",
        "sku": f"SKU-{item_id:06d}",
        "price": 9.5,
        "status": "active",
        "createdAt": "2024-01-02T03:04:05Z",
        "owner": {"name": "Alice", "email": "alice@example.com", "age": 30},
        "variants": [{"code": f"V{n}", "stock": n, "dims": {"w": 1.5, "h": 2}} for n in range(3)],
        "tags": ["new", "sale"],
    }


def input_body(item_id: int) -> dict[str, Any]:
    body = item_body(item_id)
    del body["id"], body["createdAt"]
    return body


RULES = {
    "body": {
        "$.id": {"matchers": [{"match": "integer"}]},
        "$.sku": {"matchers": [{"match": "regex", "regex": "^SKU-\\d{6}$"}]},
        "$.variants": {"matchers": [{"match": "type", "min": 1}]},
        "$.owner": {"matchers": [{"match": "type"}]},
    }
}
JSON = {"Content-Type": "application/json"}


def interaction(number: int) -> dict[str, Any]:
    """Interaction `number`: operation number % OPERATIONS, drifting one time in DRIFT_EVERY."""
    operation = number % OPERATIONS
    resource, kind = f"/res{operation // 4}/items", operation % 4
    drifts = number % DRIFT_EVERY == DRIFT_EVERY - 1
    request: dict[str, Any] = {"method": "GET", "headers": {"Accept": "application/json"}}
    response: dict[str, Any] = {"status": 200, "headers": dict(JSON), "body": item_body(number)}
    if kind == 0:
        request |= {"path": resource, "query": {"limit": ["500" if drifts else "10"]}}
        response["body"] = [item_body(number), item_body(number + 1)]
    elif kind == 1:
        body = input_body(number)
        if drifts:
            del body["sku"]  # required by ItemInput
        request |= {"method": "POST", "path": resource, "body": body}
        request["headers"] |= JSON
        response |= {"status": 201, "matchingRules": RULES}
    else:
        request["path"] = f"{resource}/{number}"
        response["matchingRules"] = RULES
        if kind == 3:
            request |= {"method": "PUT", "body": input_body(number)}
            request["headers"] |= JSON
            if drifts:
                response["body"]["owner"]["age"] = "thirty"
        elif drifts:
            response["body"]["variants"][1]["stock"] = "many"
    return {
        "description": f"interaction {number} ({request['method']} {request['path']})",
        "providerStates": [{"name": f"item {number} exists", "params": {"id": number}}],
        "request": request,
        "response": response,
    }


def pact() -> dict[str, Any]:
    """A V3 pact of INTERACTIONS interactions."""
    return {
        "consumer": {"name": "bench-consumer"},
        "provider": {"name": "bench-provider"},
        "interactions": [interaction(number) for number in range(INTERACTIONS)],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def cached_installs() -> list[Path]:
    """swagger-mock-validator as the side-by-side test installs it, newest version first."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pactdsl-tests"
    found = []
    for home in cache.glob("swagger-mock-validator-*"):
        # Only a finished install: a half-done one is in a folder with a suffix after the version.
        version = re.fullmatch(r"swagger-mock-validator-(\d+)\.(\d+)\.(\d+)", home.name)
        executable = home / "node_modules" / ".bin" / "swagger-mock-validator"
        if version and executable.is_file():
            found.append((tuple(map(int, version.groups())), executable))
    return [executable for _, executable in sorted(found, reverse=True)]


def find_smv() -> str | None:
    """swagger-mock-validator: $SMV, PATH, benchmarks/node_modules, the tests' cache."""
    named = os.environ.get("SMV")
    if named:
        if not Path(named).is_file():
            msg = f"SMV={named!r} is not a file; set SMV to swagger-mock-validator's path"
            raise SystemExit(msg)
        return named
    on_path = shutil.which("swagger-mock-validator")
    local = HERE / "node_modules" / ".bin" / "swagger-mock-validator"
    candidates = [Path(on_path)] if on_path else []
    for executable in [*candidates, local, *cached_installs()]:
        if executable.is_file():
            return str(executable)
    return None


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """The best wall clock of RUNS runs of `command`, and the last run's result."""
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
        best = min(best, time.perf_counter() - started)
        if done.returncode not in {0, 1}:
            msg = (
                f"{command[0]} exited with code={done.returncode} (0 or 1 expected):\n"
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
            raise SystemExit(msg)
    return best, done


def pactdsl_errors(done: subprocess.CompletedProcess[str]) -> int:
    return len(json.loads(done.stdout)["errors"])


def smv_errors(done: subprocess.CompletedProcess[str]) -> int:
    """The error count swagger-mock-validator prints ("N error(s)"); 0 when it prints none."""
    found = re.search(r"(\d+) error\(s\)", done.stdout + done.stderr)
    return int(found.group(1)) if found else 0


def main() -> None:
    """Generate the files, time both tools, check their verdicts agree, print a BENCH row."""
    smv = find_smv()
    with tempfile.TemporaryDirectory() as folder:
        spec, pact_file = Path(folder) / "openapi.json", Path(folder) / "pact.json"
        spec.write_text(json.dumps(document(), indent=2), encoding="utf-8")
        pact_file.write_text(json.dumps(pact(), indent=2), encoding="utf-8")
        ours, ours_done = timed(
            [sys.executable, "-m", "pactdsl", "check-openapi", str(pact_file), str(spec), "--json"]
        )
        theirs, theirs_done = timed([smv, str(spec), str(pact_file)]) if smv else (None, None)
    drifting = sum(1 for n in range(INTERACTIONS) if n % DRIFT_EVERY == DRIFT_EVERY - 1)
    print(
        f"{INTERACTIONS} interactions ({drifting} drifting) against {OPERATIONS} operations, "
        f"wall clock of the whole command, best of {RUNS}:"
    )
    print(
        f"  pactdsl check-openapi    {ours * 1000:8.1f} ms   exit {ours_done.returncode}, "
        f"{pactdsl_errors(ours_done)} error(s)"
    )
    if ours_done.returncode != 1 or not pactdsl_errors(ours_done):
        raise SystemExit(f"pactdsl passed a pact with {drifting} drifting interactions")
    if theirs is None or theirs_done is None:
        print(f"  {INSTALL_HINT}")
    else:
        print(
            f"  swagger-mock-validator   {theirs * 1000:8.1f} ms   exit {theirs_done.returncode}, "
            f"{smv_errors(theirs_done)} error(s)"
        )
        if theirs_done.returncode != ours_done.returncode:
            msg = (
                f"the verdicts differ: pactdsl exit={ours_done.returncode}, "
                f"swagger-mock-validator exit={theirs_done.returncode}:\n"
                f"{theirs_done.stdout[-2000:]}"
            )
            raise SystemExit(msg)
    row = emit(
        "openapi",
        f"{INTERACTIONS}-interaction V3 pact against a {OPERATIONS}-operation OpenAPI 3.0 document",
        ours,
        theirs,
        goal=target(">=", SPEEDUP_TARGET),
        ratio=theirs / ours if theirs else None,
        ratio_of=SMV_RATIO,
        note=(
            "whole commands in fresh processes; the pact-python column holds "
            "swagger-mock-validator's time (n/a when it is not installed)"
        ),
    )
    print(f"  {row['case']}: {verdict(row)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="check-openapi against swagger-mock-validator")
    parser.add_argument(
        "--quick", action="store_true", help="50 interactions, 20 operations, 1 run"
    )
    if parser.parse_args().quick:
        INTERACTIONS, OPERATIONS, RUNS = 50, 20, 1
    main()
