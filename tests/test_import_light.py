"""`import pactdsl` stays light: hypothesis comes with pactdsl.strategies, httpx in-process."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


def test_import_pactdsl_does_not_import_hypothesis() -> None:
    """A fresh interpreter that imports pactdsl (and its match DSL) has no hypothesis loaded."""
    code = (
        "import sys, pactdsl, pactdsl.match, pactdsl.generate\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'hypothesis')\n"
        "assert not loaded, f'import pactdsl loaded {loaded[:5]}'\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_import_pactdsl_loads_none_of_its_modules() -> None:
    """`import pactdsl` runs only the package itself; every public name loads on first use."""
    code = (
        "import sys, pactdsl\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('pactdsl.'))\n"
        "assert not loaded, f'import pactdsl loaded {loaded}'\n"
        "pactdsl.Pact\n"
        "assert 'pactdsl._model' in sys.modules, 'the guard above would pass vacuously'\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_fuzz_contract_is_reachable_without_hypothesis() -> None:
    """The fuzzing decorator's module imports hypothesis only when a test is decorated."""
    code = (
        "import sys, pactdsl._fuzz\n"
        "assert 'hypothesis' not in sys.modules, 'pactdsl._fuzz imported hypothesis'\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_strategies_module_brings_hypothesis() -> None:
    """pactdsl.strategies is where hypothesis comes in (the guard above is meaningful)."""
    result = _run("import sys, pactdsl.strategies; assert 'hypothesis' in sys.modules")
    assert result.returncode == 0, result.stderr


def test_only_the_in_process_mock_loads_httpx() -> None:
    """The verifier, broker clients, mock and pytest plugins import no httpx or anyio."""
    code = (
        "import sys, pactdsl, pactdsl.pytest_plugin, pactdsl._mock, pactdsl._mock._server\n"
        "import pactdsl._http, pactdsl._verify, pactdsl._pytest_provider, pactdsl._cli\n"
        "pactdsl.mock_provider, pactdsl.MockProvider, pactdsl.verify_provider\n"
        "import pactdsl.broker\n"
        "pactdsl.broker.PactBrokerClient, pactdsl.broker.LocalBroker\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'httpx', 'anyio'})\n"
        "assert not loaded, f'loaded {loaded[:5]}'\n"
        "import pactdsl._mock._httpx\n"
        "assert 'httpx' in sys.modules, 'the guard above would pass vacuously'\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_consumer_path_loads_only_what_it_uses() -> None:
    """A JSON contract served by the mock loads no regex package, XML, multipart or file lock."""
    code = (
        "import sys, json, urllib.request\n"
        "from pactdsl import define_contract, interaction, mock_provider\n"
        "from pactdsl.match import integer, like\n"
        "body = {'id': integer(1), 'n': like('a')}\n"
        "c = define_contract('c', consumer='a', provider='b', interactions=[\n"
        "    interaction('x').request(path='/x').responds(body=body)])\n"
        "with mock_provider(c, port=0) as mock:\n"
        "    assert json.load(urllib.request.urlopen(mock.url + '/x'))['id'] == 1\n"
        "rare = {'regex', 'difflib', 'filelock', 'pactdsl._matcher_hints', 'pactdsl.xml',\n"
        "        'pactdsl.multipart', 'pactdsl.matching._xml', 'pactdsl.matching._multipart'}\n"
        "loaded = sorted(rare & set(sys.modules))\n"
        "assert not loaded, f'loaded {loaded}'\n"
        "from pactdsl.match import regex\n"
        "regex(r'\\d+', '1')\n"
        "assert 'regex' in sys.modules, 'the guard above would pass vacuously'\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
