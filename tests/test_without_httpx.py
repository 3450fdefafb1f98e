"""pactdsl's default install has no httpx: everything but the in-process mock works without it.

Each test runs a fresh interpreter (a real subprocess) whose ``sitecustomize``,
found first on ``PYTHONPATH``, puts a `sys.meta_path` finder in front that
refuses httpx, httpcore, anyio and respx as if they were not installed. The
scripts talk to real servers on 127.0.0.1 (a provider, a scripted Pact Broker,
the mock on a real port) and to ASGI/WSGI apps in-process.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
BLOCKED = ("httpx", "httpcore", "anyio", "respx")
TIMEOUT = 180

SITECUSTOMIZE = f"""
import sys


class _NotInstalled:
    # A package that is absent: importing it (or finding its spec) fails.
    blocked = frozenset({BLOCKED!r})

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
"""

# Ends each script: the blocked packages never loaded, and the script got this far.
EPILOGUE = f"""
import sys as _sys

_loaded = sorted(m for m in _sys.modules if m.partition(".")[0] in {BLOCKED!r})
assert not _loaded, _loaded
print("ok")
"""

CONTRACT = """
from pactdsl import define_contract, interaction
from pactdsl.match import integer, like

items = define_contract(
    "items_without_httpx",
    consumer="shop",
    provider="items",
    interactions=[
        interaction("get item 1")
        .given("item 1 exists")
        .request(method="GET", path="/items/1")
        .responds(status=200, body={"id": integer(1), "name": like("lamp")}),
    ],
)
"""


def _names(requirements: list[str]) -> set[str]:
    return {Requirement(text).name.lower() for text in requirements}


def test_httpx_is_an_extra_and_the_default_install_brings_no_anyio() -> None:
    """The httpx and dev extras alone hold httpx; nothing the default install pulls brings anyio."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert "httpx" not in _names(project["dependencies"])
    assert _names(extras["httpx"]) == {"httpx"}
    assert "httpx" in _names(extras["dev"])
    # The closure of the default dependencies, as installed beside the tests.
    pending = [Requirement(text) for text in project["dependencies"]]
    closure: set[str] = set()
    while pending:
        wanted = pending.pop()
        if wanted.name.lower() in closure:
            continue
        closure.add(wanted.name.lower())
        for text in importlib.metadata.distribution(wanted.name).requires or []:
            need = Requirement(text)
            if need.marker is None or need.marker.evaluate({"extra": ""}):
                pending.append(need)
    assert closure >= {"attrs", "filelock", "regex"}, closure
    assert not closure & {*BLOCKED, "sniffio", "h11"}, closure


@pytest.fixture(scope="module")
def no_httpx_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of an interpreter without httpx, httpcore, anyio and respx."""
    folder = tmp_path_factory.mktemp("no-httpx")
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PACT_BROKER_", "PYTHON", "PYTEST"))
    }
    # ROOT: the scripts import tests._broker_server, the real scripted broker.
    env["PYTHONPATH"] = os.pathsep.join([str(folder), str(ROOT)])
    # Installed plugins stay out of pytest runs: anyio's own would fail to import.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def _run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
        cwd=cwd,
        env=env,
    )


def _run_script(code: str, env: dict[str, str], cwd: Path) -> str:
    """Run the contract, `code` and the epilogue in a fresh interpreter; return its output."""
    script = cwd / "script.py"
    script.write_text(CONTRACT + textwrap.dedent(code) + EPILOGUE, encoding="utf-8")
    done = _run([sys.executable, str(script)], env, cwd)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.endswith("ok\n"), done.stdout[-3000:]
    return done.stdout


def test_the_interpreter_cannot_import_httpx_or_its_dependencies(
    no_httpx_env: dict[str, str], tmp_path: Path
) -> None:
    """In these interpreters httpx, httpcore, anyio and respx are missing (the guard is real)."""
    code = f"""
    import importlib

    for name in {BLOCKED!r}:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            assert exc.name == name, exc
        else:
            raise AssertionError(f"{{name}} was importable")
    from pactdsl._mock import httpx_installed

    assert not httpx_installed()
    """
    _run_script(code, no_httpx_env, tmp_path)
    found = _run([sys.executable, "-c", "import httpx"], {**os.environ}, tmp_path)
    assert found.returncode == 0, "httpx must be installed beside the tests for this to mean much"


def test_demo_runs_without_httpx(no_httpx_env: dict[str, str], tmp_path: Path) -> None:
    """`pactdsl demo` runs the whole workflow and exits 0 with no httpx installed."""
    script = Path(sys.executable).with_name("pactdsl")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "pactdsl"]
    done = _run([*command, "demo", "--dir", str(tmp_path / "demo")], no_httpx_env, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Demo complete." in done.stdout
    assert (tmp_path / "demo" / "pacts" / "checkout-app-payment-service.json").is_file()


def test_verifies_a_provider_over_http_without_httpx(
    no_httpx_env: dict[str, str], tmp_path: Path
) -> None:
    """verify_provider passes a right provider and fails a wrong one on 127.0.0.1, no httpx."""
    code = """
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from pactdsl import verify_provider


    def serve(body):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                data = json.dumps(body).encode()
                self.send_response(200 if self.path == "/items/1" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


    right, right_url = serve({"id": 7, "name": "chair"})
    wrong, wrong_url = serve({"id": "seven", "name": "chair"})
    try:
        passed = verify_provider(items, base_url=right_url)
        assert passed.success, passed
        failed = verify_provider(items, base_url=wrong_url)
        assert not failed.success, failed
    finally:
        right.shutdown()
        wrong.shutdown()
    """
    _run_script(code, no_httpx_env, tmp_path)


def test_verifies_asgi_and_wsgi_apps_in_process_without_httpx(
    no_httpx_env: dict[str, str], tmp_path: Path
) -> None:
    """verify_provider(app=...) drives a plain ASGI app and a WSGI app with no httpx."""
    code = """
    import json

    from pactdsl import verify_provider


    def body_for(path):
        return {"id": 1, "name": "lamp"} if path == "/items/1" else {"id": "?"}


    async def asgi_app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        data = json.dumps(body_for(scope["path"])).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})


    def wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body_for(environ["PATH_INFO"])).encode()]


    def broken_wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"id": "one"}']


    for app in (asgi_app, wsgi_app):
        result = verify_provider(items, app=app)
        assert result.success, (app, result)
    assert not verify_provider(items, app=broken_wsgi_app).success
    """
    _run_script(code, no_httpx_env, tmp_path)


def test_pact_broker_client_without_httpx(no_httpx_env: dict[str, str], tmp_path: Path) -> None:
    """Publish, pacts for verification and the verifier's results reach a real broker, no httpx."""
    code = """
    import json

    from pactdsl import PactSpec, generate_pact, verify_provider
    from pactdsl._pactfile import pact_to_json
    from pactdsl.broker import PactBrokerClient, pacts_for_verification, publish
    from tests._broker_server import Answer, ScriptedBroker

    broker = ScriptedBroker()
    results = "/pacts/provider/items/consumer/shop/pact-version/abc/verification-results"
    broker.on(
        "GET",
        "/",
        Answer(
            200,
            {
                "_links": {
                    "pb:publish-contracts": {"href": "/contracts/publish"},
                    "pb:provider-pacts-for-verification": {
                        "href": broker.url + "/pacts/provider/{provider}/for-verification",
                        "templated": True,
                    },
                }
            },
        ),
    )
    broker.on("POST", "/contracts/publish", Answer(200, {"notices": []}))
    broker.on(
        "POST",
        "/pacts/provider/items/for-verification",
        Answer(200, {"_embedded": {"pacts": [{"_links": {"self": {"href": "/pacts/abc"}}}]}}),
    )
    document = pact_to_json(items.pact, PactSpec.V3, {})
    document["_links"] = {
        "pb:publish-verification-results": {"href": broker.url + results},
        "pb:consumer-version": {"name": "1.0.0"},
    }
    broker.on("GET", "/pacts/abc", Answer(200, document))
    broker.on("POST", results, Answer(201, {"_links": {"self": {"href": "http://r/1"}}}))
    try:
        with PactBrokerClient(broker.url) as client:
            publish(generate_pact(items, output="pacts"), "1.0.0", broker=client)
            sent = [seen for seen in broker.seen if seen.path == "/contracts/publish"]
            assert sent and sent[0].body["pacticipantName"] == "shop", broker.seen
            [selected] = pacts_for_verification(
                "items", consumer_version_selectors=[{"mainBranch": True}], broker=client
            )
        assert selected.pact == items.pact


        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"id": 1, "name": "lamp"}).encode()]


        import os

        os.environ["PACT_BROKER_BASE_URL"] = broker.url
        result = verify_provider(
            selected.pact, app=app, provider_version="2.0.0", publish_results=True
        )
        assert result.success, result
        posted = broker.seen[-1]
        assert (posted.method, posted.path) == ("POST", results), broker.seen
        assert posted.body["success"] is True
    finally:
        broker.close()
    """
    _run_script(code, no_httpx_env, tmp_path)


def test_mock_on_a_real_port_serves_urllib_without_httpx(
    no_httpx_env: dict[str, str], tmp_path: Path
) -> None:
    """mock_provider(port=0) answers a urllib client and still reports a wrong request."""
    code = """
    import json
    import urllib.error
    import urllib.request

    from pactdsl import MockMismatchError, mock_provider

    with mock_provider(items, port=0) as mock:
        with urllib.request.urlopen(f"{mock.url}/items/1", timeout=10) as answer:
            assert json.load(answer) == {"id": 1, "name": "lamp"}

    try:
        with mock_provider(items, port=0) as mock:
            try:
                urllib.request.urlopen(f"{mock.url}/items/2", timeout=10)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404, exc.code
    except MockMismatchError as exc:
        assert "GET /items/2" in str(exc), exc
    else:
        raise AssertionError("a request no interaction matches went unreported")
    """
    _run_script(code, no_httpx_env, tmp_path)


IN_PROCESS_REFUSED = (
    "the in-process mock provider (port=None, the default) serves httpx clients, and httpx "
    "is not installed: pip install 'pactdsl[httpx]', or pass port=0 for a real HTTP server "
    "on a free port, which any client reaches"
)


def test_in_process_mock_is_refused_without_httpx(
    no_httpx_env: dict[str, str], tmp_path: Path
) -> None:
    """mock_provider() in-process and mock_request raise MissingExtra naming pactdsl[httpx]."""
    code = """
    from pactdsl import MissingExtra, mock_provider, mock_request

    refused = []
    try:
        mock_provider(items)
    except MissingExtra as exc:
        assert isinstance(exc, ImportError) and exc.name == "httpx", exc
        refused.append(str(exc))
    with mock_provider(items, port=0) as mock:
        try:
            mock_request(mock, "GET", "/items/1")
        except MissingExtra as exc:
            refused.append(str(exc))
        import urllib.request

        urllib.request.urlopen(f"{mock.url}/items/1", timeout=10).close()
    for line in refused:
        print(line)
    """
    lines = _run_script(code, no_httpx_env, tmp_path).splitlines()
    assert lines == [
        IN_PROCESS_REFUSED,
        "mock_request() sends with httpx and returns an httpx.Response, and httpx is not "
        "installed: pip install 'pactdsl[httpx]', or send with another client to the url "
        "of a mock on a real port (port=0)",
        "ok",
    ]


CONSUMER_TESTS = """
import json
import urllib.request

import pytest

from contracts import items


@pytest.mark.pact(items)
def test_default_port_serves_urllib(pact_mock):
    assert pact_mock.port == 0
    with urllib.request.urlopen(f"{pact_mock.url}/items/1", timeout=10) as answer:
        assert json.load(answer)["id"] == 1


@pytest.mark.pact(items, port=None)
def test_in_process_asked_for(pact_mock):
    raise AssertionError("the fixture must refuse port=None without httpx")
"""


def test_pytest_plugin_without_httpx(no_httpx_env: dict[str, str], tmp_path: Path) -> None:
    """pact_mock takes a free port by default without httpx, and refuses an explicit port=None."""
    (tmp_path / "contracts.py").write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "test_consumer.py").write_text(CONSUMER_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {**no_httpx_env, "PYTHONPATH": no_httpx_env["PYTHONPATH"] + os.pathsep + str(tmp_path)}

    def session(test: str) -> subprocess.CompletedProcess[str]:
        pytest_command = [sys.executable, "-m", "pytest", "-p", "pactdsl.pytest_plugin"]
        options = ["-p", "no:cacheprovider", "-rA", "--pact-dir", "pacts"]
        return _run([*pytest_command, *options, f"test_consumer.py::{test}"], env, tmp_path)

    passed = session("test_default_port_serves_urllib")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert (tmp_path / "pacts" / "shop-items.json").is_file()
    refused = session("test_in_process_asked_for")
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "test_consumer.py::test_in_process_asked_for: @pytest.mark.pact: " in output
    assert IN_PROCESS_REFUSED in " ".join(output.split())
    assert "the fixture must refuse" not in output
