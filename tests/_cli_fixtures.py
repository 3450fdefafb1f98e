"""A contract module and provider apps written into tmp_path for the CLI tests."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

__all__ = ["CliProject", "make_project", "project_in_cwd"]

_MODULE = '''
"""A consumer's contracts and a provider to verify against them (written by the CLI tests)."""

import json

from pactdsl import contract, interaction
from pactdsl.match import integer, type_of


@contract(consumer="{consumer}", provider="{consumer}-api")
def {name}():
    yield (
        interaction("get thing")
        .given("thing exists")
        .request(method="GET", path="/things/1")
        .responds(status=200, body={{"id": integer(1), "name": type_of(str)}})
    )
    yield (
        interaction("create thing")
        .request(method="POST", path="/things", body={{"name": "lamp"}})
        .responds(status=201, body={{"id": integer(2)}})
    )


@contract(consumer="{consumer}", provider="{consumer}-other")
def {name}_other():
    yield interaction("ping").request(method="GET", path="/ping").responds(status=204)


STATES = []


def set_up(state):
    STATES.append(state)


def _answer(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(str(status) + " X", [("Content-Type", "application/json"),
                                       ("Content-Length", str(len(data)))])
    return [data]


def good_app(environ, start_response):
    if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/things/1":
        return _answer(start_response, 200, {{"id": 1, "name": "lamp"}})
    if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/things":
        return _answer(start_response, 201, {{"id": 7}})
    return _answer(start_response, 404, {{}})


def broken_app(environ, start_response):
    if environ["PATH_INFO"] == "/things/1":
        return _answer(start_response, 200, {{"id": "one", "name": "lamp"}})
    return _answer(start_response, 500, {{}})
'''


@attrs.frozen
class CliProject:
    """Where the module is and what it declares."""

    folder: Path
    module: str
    contract: str
    consumer: str

    @property
    def file(self) -> Path:
        """The module's file."""
        return self.folder / f"{self.module}.py"

    @property
    def provider(self) -> str:
        """The provider of the main contract."""
        return f"{self.consumer}-api"

    @property
    def pact_name(self) -> str:
        """The main contract's pact file name."""
        return f"{self.consumer}-{self.provider}.json"


def make_project(folder: Path) -> CliProject:
    """Write a uniquely named contract module into `folder`."""
    token = uuid.uuid4().hex[:10]
    module, name, consumer = f"cli_contracts_{token}", f"things_{token}", f"cli-app-{token}"
    folder.mkdir(parents=True, exist_ok=True)
    text = textwrap.dedent(_MODULE).format(consumer=consumer, name=name)
    (folder / f"{module}.py").write_text(text, encoding="utf-8")
    return CliProject(folder, module, name, consumer)


def project_in_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliProject]:
    """A project in tmp_path as the current folder, without a broker URL from the environment.

    For a fixture to ``yield from``: sys.path is restored and the module
    forgotten afterwards.
    """
    made = make_project(tmp_path / "src")
    monkeypatch.chdir(made.folder)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    yield made
    sys.modules.pop(made.module, None)
