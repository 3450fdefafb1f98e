"""pytest plugin: the ``pact_mock`` fixture, the ``pact`` marker, and pact files at the end.

```python
import pytest

@pytest.mark.pact(payment_service_contract, interactions="process payment")
def test_checkout_pays(pact_mock):
    assert CheckoutClient(pact_mock.url).pay(1000, "USD").status == "success"
```

The marker says which contract (and which of its interactions or provider
states) the test exercises; the fixture is a running mock provider serving
them, verified when the test ends. When the session ends, pactdsl writes one
pact file per contract whose tests all passed, holding every interaction those
tests exercised; a contract with a failing test is not written. Under
pytest-xdist the workers send what they exercised to the controller, which
writes each file once. The terminal summary says, per file, how many of the
contract's interactions were written and which were not exercised (a run of
``-k one_test`` exercises only some).

When a test fails, the mock provider's report (what it received, and why a
request matched no interaction) is shown with the failure, in a
``pactdsl mock provider`` section.

Message contracts: the ``pact_messages`` fixture feeds each message of the
marked contract to the consumer's handler (``pact_messages(handler)``) and
records them, so their pact is written like an HTTP one. A test marked
``@pytest.mark.pact`` that uses neither fixture exercises nothing: the
summary names it.

Options: ``--pact-dir`` (default ``pacts``), ``--pact-spec`` (default
``3.0.0``, or 4.0 when V3 cannot hold a contract), ``--pact-write-mode``
(``merge`` or ``overwrite``), each also an ini key (``pact_dir``,
``pact_spec``, ``pact_write_mode``); ini ``pact_port`` is the marker's
default ``port`` (``0``: a real socket for every mock, as ``requests`` needs).
With neither, the mock is in-process when httpx is installed (``pactdsl[httpx]``)
and on a real port otherwise: without httpx no consumer is an httpx client, and
a real port serves any other.

The provider side, one test item per interaction of a pact, lives in
``pactdsl._pytest_provider`` (registered below through ``pytest_plugins``):
``@pytest.mark.pact_verification(source)``, the ``pact_interaction`` fixture,
and `provider_state` to register provider states by name.

pytest loads every installed plugin into every run, so this module imports
only pytest; pactdsl's own modules load when a test first uses the fixture.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from pactdsl._pytest_provider import (
    PactInteraction,
    from_worker,
    handed_to_controller,
    provider_state,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from pactdsl._message_consumer import MessageConsumerResult
    from pactdsl._mock import MockProvider

__all__ = ["PactInteraction", "pact_messages", "pact_mock", "provider_state"]

pytest_plugins = ["pactdsl._pytest_provider"]

_DEFAULT_DIR = "pacts"
_DEFAULT_SPEC = "3.0.0"
_DEFAULT_MODE = "merge"
_WORKER_OUTPUT_KEY = "pactdsl_ledger"
_MARKER_KEYWORDS = frozenset({"contract", "interactions", "given", "port", "fuzz"})

_MARKER_HELP = (
    "pact(contract, *, interactions=None, given=None, port=None, fuzz=False): the contract "
    "the pact_mock fixture serves (a Contract, a registered name or a pact file), and "
    "optionally which interactions (descriptions) or provider states; port=0 for a real "
    "socket (the default when httpx is not installed)."
)


@dataclass(frozen=True)
class _Written:
    """One pact file written at the end of the session, with its counts."""

    path: Path
    exercised: int  # interactions this session's passing tests exercised
    tests: int  # passing tests that exercised them
    in_file: int  # interactions in the file after writing (a merge may keep more)
    not_exercised: tuple[str, ...]  # descriptions of the contract's others
    contract_total: int
    mode: str
    dropped: tuple[str, ...] = ()  # overwrite: descriptions the file held and lost
    stale: tuple[str, ...] = ()  # merge: descriptions the file keeps that no contract declares
    note: str = ""  # e.g. written as V4 because the spec asked for cannot hold it


class _Ledger:
    """What the session's pact_mock tests exercised, by consumer-provider pair.

    Kept as plain JSON-ready data, so an xdist worker can send it to the controller.
    """

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.written: list[_Written] = []
        self.withheld: list[tuple[str, list[str]]] = []
        self.write_errors: list[str] = []
        self.unused: list[str] = []  # marked tests that used neither fixture

    def _entry(self, use: dict[str, Any]) -> dict[str, Any]:
        entry = self.entries.setdefault(
            use["key"],
            {
                "consumer": use["consumer"],
                "provider": use["provider"],
                "interactions": {},
                "contract": {},
                "passed": [],
                "failed": [],
            },
        )
        entry["contract"].update(use["contract"])
        return entry

    def record_failure(self, use: dict[str, Any], nodeid: str) -> None:
        entry = self._entry(use)
        if nodeid not in entry["failed"]:
            entry["failed"].append(nodeid)

    def record_success(self, use: dict[str, Any], nodeid: str) -> None:
        entry = self._entry(use)
        if nodeid in entry["failed"] or nodeid in entry["passed"]:
            return
        entry["passed"].append(nodeid)
        entry["interactions"].update(use["interactions"])

    def merge(self, other: dict[str, dict[str, Any]]) -> None:
        other = dict(other)
        self.unused += other.pop(_UNUSED_KEY, {}).get("nodeids", [])
        for key, theirs in other.items():
            mine = self.entries.setdefault(
                key, {**theirs, "interactions": {}, "contract": {}, "passed": [], "failed": []}
            )
            mine["interactions"].update(theirs["interactions"])
            mine["contract"].update(theirs["contract"])
            mine["passed"] += [n for n in theirs["passed"] if n not in mine["passed"]]
            mine["failed"] += [n for n in theirs["failed"] if n not in mine["failed"]]


_UNUSED_KEY = "pactdsl:unused"  # the ledger's marked tests that used no fixture, for xdist
_LEDGER = pytest.StashKey[_Ledger]()
_USE = pytest.StashKey[dict[str, Any]]()
_CALL_OUTCOME = pytest.StashKey[str]()
_MOCK = pytest.StashKey["MockProvider"]()
_REPORT_SECTION = "pactdsl mock provider"
_LISTED_LIMIT = 5  # descriptions named in the summary before "... and N more"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--pact-*`` options and their ini keys."""
    group = parser.getgroup("pactdsl", "pactdsl: contract tests with Pact")
    group.addoption(
        "--pact-dir",
        dest="pact_dir",
        metavar="DIR",
        help=f"folder for the pact files written at the end (default: {_DEFAULT_DIR}).",
    )
    group.addoption(
        "--pact-spec",
        dest="pact_spec",
        metavar="VERSION",
        help=f"Pact specification of those files: 2.0.0, 3.0.0, 4.0 (default: {_DEFAULT_SPEC}).",
    )
    group.addoption(
        "--pact-write-mode",
        dest="pact_write_mode",
        choices=("merge", "overwrite"),
        help="merge keeps interactions already in the files; overwrite replaces the "
        f"files (default: {_DEFAULT_MODE}).",
    )
    parser.addini("pact_dir", "folder for pact files (like --pact-dir)", default=_DEFAULT_DIR)
    parser.addini("pact_spec", "Pact specification (like --pact-spec)", default=_DEFAULT_SPEC)
    parser.addini(
        "pact_write_mode", "merge or overwrite (like --pact-write-mode)", default=_DEFAULT_MODE
    )
    parser.addini(
        "pact_port",
        "default port= of @pytest.mark.pact: empty for in-process (httpx; a free port "
        "when httpx is not installed), 0 for a real socket on a free port (requests, "
        "urllib), or a port number",
        default="",
    )


def _setting(config: pytest.Config, name: str) -> str:
    value = config.getoption(name)
    return str(value) if value is not None else str(config.getini(name))


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``pact`` marker and check the options."""
    config.addinivalue_line("markers", _MARKER_HELP)
    config.stash[_LEDGER] = _Ledger()
    mode = _setting(config, "pact_write_mode")
    if mode not in ("merge", "overwrite"):
        msg = f"pact_write_mode={mode!r} must be 'merge' or 'overwrite'"
        raise pytest.UsageError(msg)
    _default_port(config)  # a bad pact_port is a usage error now, not in every test
    spec = _setting(config, "pact_spec")
    if spec != _DEFAULT_SPEC:
        from pactdsl._model import PactSpec

        try:
            PactSpec.parse(spec)
        except ValueError as exc:
            raise pytest.UsageError(f"--pact-spec: {exc}") from None


def _default_port(config: pytest.Config) -> int | None:
    """The ini ``pact_port``: None (not set) when empty, else a port number."""
    raw = str(config.getini("pact_port")).strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 65535:
        msg = f"pact_port={raw!r} must be empty (in-process), 0 (a free port) or a port number"
        raise pytest.UsageError(msg)
    return int(raw)


def _marker_arguments(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("pact")
    if marker is None:
        msg = (
            f"{request.node.nodeid}: the pact_mock fixture needs a contract; mark the test "
            "@pytest.mark.pact(my_contract) (optionally interactions=..., given=...)"
        )
        pytest.fail(msg, pytrace=False)
    unknown = sorted(set(marker.kwargs) - _MARKER_KEYWORDS)
    if unknown:
        msg = (
            f"{request.node.nodeid}: @pytest.mark.pact got unknown keyword(s) {unknown}; "
            f"use {sorted(_MARKER_KEYWORDS)}"
        )
        pytest.fail(msg, pytrace=False)
    arguments = dict(marker.kwargs)
    if marker.args:
        if len(marker.args) > 1 or "contract" in arguments:
            msg = (
                f"{request.node.nodeid}: @pytest.mark.pact takes one contract; give the "
                "others as keywords (interactions=..., given=...)"
            )
            pytest.fail(msg, pytrace=False)
        arguments["contract"] = marker.args[0]
    if "contract" not in arguments:
        msg = f"{request.node.nodeid}: @pytest.mark.pact needs the contract as first argument"
        pytest.fail(msg, pytrace=False)
    return arguments


def _use_of(mock: MockProvider) -> dict[str, Any]:
    """What a test exercises, as JSON-ready data: the pair and its interactions (V4 JSON).

    ``contract`` maps every HTTP interaction of the whole contract (identity to
    description), so the summary can say which ones no test exercised.
    """
    from pactdsl._model import PactSpec
    from pactdsl._pactfile import interaction_to_json

    order = {item.identity: index for index, item in enumerate(mock.pact.interactions)}
    interactions = {}
    for item in mock.interactions:
        identity = json.dumps(item.identity)
        interactions[identity] = {
            "order": order.get(item.identity, len(order)),
            "json": interaction_to_json(item, PactSpec.V4),
        }
    consumer, provider = mock.pact.consumer, mock.pact.provider
    return {
        "key": json.dumps([consumer, provider]),
        "consumer": consumer,
        "provider": provider,
        "interactions": interactions,
        "contract": {
            json.dumps(item.identity): item.description for item in mock.pact.interactions
        },
    }


def _add_use(node: pytest.Item, use: dict[str, Any]) -> None:
    """Record what a test exercised; a test using both fixtures adds both."""
    known = node.stash.get(_USE, None)
    if known is not None and known["key"] == use["key"]:
        use = {**use, "interactions": {**known["interactions"], **use["interactions"]}}
    node.stash[_USE] = use


@pytest.fixture
def pact_mock(request: pytest.FixtureRequest) -> Iterator[MockProvider]:
    """A running mock provider for the contract named by ``@pytest.mark.pact(...)``.

    Use ``pact_mock.url`` as the provider's base URL. In-process (httpx, no
    socket) unless the marker (or ini ``pact_port``) says ``port=0`` or a port
    number; when httpx is not installed, a real server on a free port unless the
    marker says ``port=None``, which is then refused (`MissingExtra`). When the test
    passed, leaving it verifies that every served interaction was received and
    nothing unexpected arrived: the test errors at teardown with the mock's
    report otherwise. When the test failed, its own error is the one reported,
    and the mock's report is shown with it (section ``pactdsl mock provider``).
    """
    from pactdsl._errors import PactdslError
    from pactdsl._mock import create_mock_provider, httpx_installed

    arguments = _marker_arguments(request)
    port = arguments.get("port", _default_port(request.config))
    if port is None and "port" not in arguments and not httpx_installed():
        port = 0  # in-process serves only httpx clients; a consumer without httpx needs a port
    failure = ""
    try:
        mock = create_mock_provider(
            arguments["contract"],
            port=port,
            interactions=arguments.get("interactions"),
            given=arguments.get("given"),
            fuzz=bool(arguments.get("fuzz", False)),
        )
    except (PactdslError, ValueError, KeyError, OSError) as exc:
        problem = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        failure = f"{request.node.nodeid}: @pytest.mark.pact: {problem}"
    else:
        _add_use(request.node, _use_of(mock))
        try:
            mock.start()
        except OSError as exc:  # MockServerError: the marker's port is busy
            failure = f"{request.node.nodeid}: {exc}"
    if failure:  # raised outside the except blocks, so no "During handling..." chain
        pytest.fail(failure, pytrace=False)
    request.node.stash[_MOCK] = mock
    try:
        yield mock
    finally:
        mock.stop()
    if request.node.stash.get(_CALL_OUTCOME, "failed") == "passed":
        report = mock.report()
        if report:
            pytest.fail(report, pytrace=False)


@pytest.fixture
def pact_messages(
    request: pytest.FixtureRequest,
) -> Callable[[Callable[..., Any]], MessageConsumerResult]:
    """Feed the messages of the marked contract to a consumer's handler: ``pact_messages(handler)``.

    Each message the marker selects (``interactions=``, ``given=``) is passed
    to ``handler(contents, metadata)`` as `pactdsl.verify_message_consumer`
    does; a handler that raises fails the test with the report. The messages
    handled are written to the contract's pact file at the end of the session,
    as `pact_mock` does for HTTP interactions.
    """
    from pactdsl._dsl import Contract, resolve_pact
    from pactdsl._message_consumer import verify_message_consumer
    from pactdsl._model import Message, PactSpec, SynchronousMessage
    from pactdsl._pactfile import interaction_to_json, load_pact

    arguments = _marker_arguments(request)
    source = arguments["contract"]
    is_file = isinstance(source, Path) or (isinstance(source, str) and source.endswith(".json"))
    pact = load_pact(source) if is_file else resolve_pact(source)
    wanted = arguments.get("interactions")
    wanted = [wanted] if isinstance(wanted, str) else wanted
    given = arguments.get("given")
    given = [given] if isinstance(given, str) else given
    messages = [
        item
        for item in pact.interactions
        if isinstance(item, Message | SynchronousMessage)
        and (wanted is None or item.description in wanted)
        and (given is None or any(s.name in given for s in item.provider_states))
    ]
    if not messages:
        name = source.name if isinstance(source, Contract) else str(source)
        found = [
            i.description for i in pact.interactions if isinstance(i, Message | SynchronousMessage)
        ]
        pytest.fail(
            f"{request.node.nodeid}: pact_messages: the marker selects no message of "
            f"{name} (interactions={wanted!r}, given={given!r}); its messages: "
            f"{found or 'none'}",
            pytrace=False,
        )

    def handle(handler: Callable[..., Any]) -> MessageConsumerResult:
        selected = type(pact)(pact.consumer, pact.provider, tuple(messages), pact.metadata)
        result = verify_message_consumer(selected, handler)
        if not result.success:
            pytest.fail(result.report(), pytrace=False)
        order = {item.identity: index for index, item in enumerate(pact.interactions)}
        _add_use(
            request.node,
            {
                "key": json.dumps([pact.consumer, pact.provider]),
                "consumer": pact.consumer,
                "provider": pact.provider,
                "interactions": {
                    json.dumps(item.identity): {
                        "order": order[item.identity],
                        "json": interaction_to_json(item, PactSpec.V4),
                    }
                    for item in messages
                },
                "contract": {
                    json.dumps(item.identity): item.description for item in pact.interactions
                },
            },
        )
        return result

    return handle


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Note, per contract, which tests passed and which failed (in any phase).

    A failed test also gets the mock provider's report as a section of its
    failure, so a 404 from the mock comes with the reason.
    """
    report = yield
    if report.when == "call":
        item.stash[_CALL_OUTCOME] = report.outcome
        mock = item.stash.get(_MOCK, None)
        if report.failed and mock is not None:
            mock_report = mock.report()
            if mock_report:
                report.sections.append((_REPORT_SECTION, mock_report))
    use = item.stash.get(_USE, None)
    if use is None:
        passed = report.when == "teardown" and item.stash.get(_CALL_OUTCOME, "") == "passed"
        if passed and item.get_closest_marker("pact") is not None:
            item.config.stash[_LEDGER].unused.append(item.nodeid)
        return report
    ledger = item.config.stash[_LEDGER]
    if report.failed and not hasattr(report, "wasxfail"):
        ledger.record_failure(use, item.nodeid)
    elif report.when == "teardown" and item.stash.get(_CALL_OUTCOME, "") == "passed":
        ledger.record_success(use, item.nodeid)
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller: take in what a worker's tests exercised."""
    theirs = from_worker(node, _WORKER_OUTPUT_KEY)
    if theirs:
        node.config.stash[_LEDGER].merge(theirs)


def _write_pacts(config: pytest.Config, ledger: _Ledger) -> None:
    from pactdsl._dsl import generate_pact
    from pactdsl._errors import PactMergeWarning, PactSpecError
    from pactdsl._pactfile import pact_from_json

    folder = Path(_setting(config, "pact_dir"))
    if not folder.is_absolute():
        folder = config.invocation_params.dir / folder
    spec = _setting(config, "pact_spec")
    mode: Literal["merge", "overwrite"] = (
        "overwrite" if _setting(config, "pact_write_mode") == "overwrite" else "merge"
    )
    for key in sorted(ledger.entries):
        entry = ledger.entries[key]
        name = f"{entry['consumer']}-{entry['provider']}"
        if entry["failed"]:
            ledger.withheld.append((name, sorted(entry["failed"])))
            continue
        if not entry["passed"]:
            continue
        chosen = sorted(entry["interactions"].items(), key=lambda kv: (kv[1]["order"], kv[0]))
        document = {
            "consumer": {"name": entry["consumer"]},
            "provider": {"name": entry["provider"]},
            "interactions": [value["json"] for _, value in chosen],
            "metadata": {"pactSpecification": {"version": "4.0"}},
        }
        try:
            pact = pact_from_json(document, origin=f"pytest session ({name})")
            before = _descriptions(folder / f"{name}.json") if mode == "overwrite" else ()
            note = ""
            with warnings.catch_warnings():
                # A merge keeps what other tests wrote; the summary names what no contract declares.
                warnings.simplefilter("ignore", PactMergeWarning)
                try:
                    path = generate_pact(pact, output=folder, spec=spec, mode=mode)
                except PactSpecError as exc:
                    if spec != _DEFAULT_SPEC:
                        raise
                    # The default V3 cannot hold it (HTTP and messages, sync messages): V4 can.
                    path = generate_pact(pact, output=folder, spec="4.0", mode=mode)
                    note = f"written as Pact 4.0: {exc}"
            after = _descriptions(path)
            in_file = len(after)
        except Exception as exc:  # reported in the summary and as the exit status
            ledger.write_errors.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        contract = entry.get("contract", {})
        not_exercised = tuple(
            description
            for identity, description in contract.items()
            if identity not in entry["interactions"]
        )
        ledger.written.append(
            _Written(
                path=path,
                exercised=len(chosen),
                tests=len(entry["passed"]),
                in_file=in_file,
                not_exercised=not_exercised,
                contract_total=len(contract),
                mode=mode,
                dropped=tuple(d for d in before if d not in after),
                stale=tuple(d for d in after if d not in set(contract.values())),
                note=note,
            )
        )


def _descriptions(path: Path) -> tuple[str, ...]:
    """The descriptions of the interactions and messages a pact file holds (none if absent)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    items = [*document.get("interactions", []), *document.get("messages", [])]
    return tuple(str(i.get("description")) for i in items if isinstance(i, dict))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the pact files (controller or plain run), or hand the ledger over (xdist worker)."""
    config = session.config
    ledger = config.stash.get(_LEDGER, None)
    if ledger is None or not (ledger.entries or ledger.unused):
        return
    sent = {**ledger.entries, _UNUSED_KEY: {"nodeids": ledger.unused}}
    if handed_to_controller(config, _WORKER_OUTPUT_KEY, sent):
        return
    _write_pacts(config, ledger)
    if ledger.write_errors and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say which pact files were written, and which contracts were held back and why."""
    ledger = config.stash.get(_LEDGER, None)
    if ledger is None or not (
        ledger.written or ledger.withheld or ledger.write_errors or ledger.unused
    ):
        return
    terminalreporter.section("pactdsl")
    root = config.invocation_params.dir
    for written in ledger.written:
        for line, is_warning in _written_lines(written, root):
            terminalreporter.write_line(line, yellow=is_warning)
    for name, failed in ledger.withheld:
        terminalreporter.write_line(
            f"not written: {name}, because {len(failed)} test(s) failed: {', '.join(failed)}"
        )
    for problem in ledger.write_errors:
        terminalreporter.write_line(f"could not write {problem}", red=True)
    if ledger.unused:
        terminalreporter.write_line(
            f"exercised nothing: {len(ledger.unused)} test(s) marked @pytest.mark.pact use "
            f"neither pact_mock (HTTP) nor pact_messages (messages), so no pact records "
            f"them: {_listed(tuple(ledger.unused))}",
            yellow=True,
        )


def _listed(descriptions: tuple[str, ...]) -> str:
    shown = ", ".join(repr(d) for d in descriptions[:_LISTED_LIMIT])
    more = len(descriptions) - _LISTED_LIMIT
    return f"{shown} and {more} more" if more > 0 else shown


def _written_lines(written: _Written, root: Path) -> list[tuple[str, bool]]:
    """The summary lines for one written file: (text, whether it is a warning)."""
    path = written.path
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    head = f"wrote {shown}: {written.exercised} interaction(s) from {written.tests} passing test(s)"
    if written.in_file != written.exercised:
        head += f"; the file holds {written.in_file} (merge kept the others already in it)"
    lines = [(head, False)]
    if written.note:
        lines.append((f"  {written.note}", False))
    if written.dropped:
        lines.append(
            (
                f"  warning: --pact-write-mode overwrite dropped from {shown}: "
                f"{_listed(written.dropped)} (no test of this session exercised them; use "
                "merge to keep them)",
                True,
            )
        )
    if written.stale:
        lines.append(
            (
                f"  warning: {shown} keeps {len(written.stale)} interaction(s) that no contract "
                f"of this session declares: {_listed(written.stale)}; if they were renamed or "
                "removed, run the contract's tests with --pact-write-mode overwrite (or delete "
                "them from the file) to drop them",
                True,
            )
        )
    missing = written.not_exercised
    if not missing:
        return lines
    lines.append(
        (
            f"  not exercised in this session: {len(missing)} of the contract's "
            f"{written.contract_total} interaction(s): {_listed(missing)}",
            False,
        )
    )
    if written.mode == "overwrite":
        lines.append(
            (
                f"  warning: --pact-write-mode overwrite: {shown} now holds only the "
                f"{written.exercised} interaction(s) exercised here; run all of the "
                "contract's tests (or use merge) to keep the others",
                True,
            )
        )
    return lines
