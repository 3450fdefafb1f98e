"""The provider side of the pytest plugin: one test item per interaction of the pacts.

```python
import pytest
from pactdsl.pytest_plugin import provider_state

@provider_state("user 1 exists")
def user_exists(params, database):        # params: the state's params; others are fixtures
    row = database.add_user(id=params.get("id", 1))
    yield {"id": row.id}                  # values for the pact's provider-state generators
    database.delete(row)                  # teardown, after the interaction

@pytest.mark.pact_verification("pacts/", provider="user-service")
def test_user_service(pact_interaction, live_server):
    pact_interaction.verify(base_url=live_server.url)   # or app=my_asgi_or_wsgi_app
```

The marker names a pact source (a contract, a registered contract's name, a pact
file or folder, a list of these, or ``broker=True`` with selectors); the test is
parametrised with one item per interaction, with an id that reads like
``consumer -> provider: description [given state]``, so ``-k``, ``-x``, ``--lf``
and pytest-xdist work on interactions. `PactInteraction.verify` runs the same
verification as `verify_provider` for that one interaction, and fails the item
with the lines `format_verification_report` gives. A pending interaction (V4
``pending``, or a pact the broker marks pending) is a non-strict xfail.

With ``publish_results=True`` (and ``provider_version=``), the outcome of each
pact is published to the broker once, when the session ends (on the xdist
controller, from what every worker verified), and only when every interaction of
the pact was verified in the session: a run narrowed by ``-k`` or stopped by
``-x`` publishes nothing, and the summary says why.

Like the plugin module, this module imports only pytest at load time.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    from pactdsl._limits import Limits
    from pactdsl._pytest_ledger import Ledger
    from pactdsl._verify._broker_source import PactToVerify
    from pactdsl._verify._results import ContractVerificationResult

__all__ = [
    "PactInteraction",
    "from_worker",
    "handed_to_controller",
    "pact_interaction",
    "provider_state",
]

_MARKER = "pact_verification"
_FIXTURE = "pact_interaction"
_STATE_FIXTURE_PREFIX = "pact state: "
_WORKER_OUTPUT_KEY = "pactdsl_verifications"
_SECTION = "pactdsl provider verification"
_MARKER_KEYWORDS = frozenset(
    {
        "source",
        "provider",
        "broker",
        "consumer_version_selectors",
        "include_pending",
        "include_wip_pacts_since",
        "provider_branch",
        "provider_tags",
        "filter_consumer",
        "allow_empty",
        "publish_results",
        "provider_version",
        "build_url",
    }
)
_MARKER_HELP = (
    f"{_MARKER}(source=None, *, provider=None, broker=None, consumer_version_selectors=None, "
    "include_pending=False, publish_results=False, provider_version=None, ...): one test item "
    "per interaction of the pacts in source (or those the broker selects); the test calls "
    f"{_FIXTURE}.verify(base_url=... or app=...)."
)

_REGISTERED_STATES: set[str] = set()  # every name registered in this process, for hints


# --------------------------------------------------------------------------
# Provider states, registered by name


def provider_state(name: str) -> Callable[[Callable[..., Any]], Any]:
    """Register a function as the setup (and, through ``yield``, teardown) of a provider state.

    ```python
    @provider_state("a payment exists")
    def payment_exists(params, database):
        payment = database.insert_payment(amount=params.get("amount", 100))
        yield {"id": payment.id}
        database.delete(payment)
    ```

    The function runs just before each interaction given that state, and its
    code after ``yield`` just after it (last state first). A parameter named
    ``params`` receives the state's params (a dict); every other parameter is a
    pytest fixture, requested by name. What it yields (or returns), when a
    mapping, feeds the pact's provider-state generators (``/payments/${id}``).

    The registration is a pytest fixture named ``pact state: <name>``, so
    pytest's rules decide where it applies: a state defined in a
    ``conftest.py`` serves the tests below it, and a test module can override it.

    Raises:
        TypeError: when `name` is not a non-empty string, or the function is
            not a plain or generator function.
    """
    if not isinstance(name, str) or not name.strip():
        msg = f"provider_state(name={name!r}) needs the state's name as a non-empty string"
        raise TypeError(msg)

    def register(func: Callable[..., Any]) -> Any:
        if not callable(func) or inspect.iscoroutinefunction(func):
            msg = (
                f"@provider_state({name!r}) decorates {func!r}; give a plain function or a "
                "generator function (setup, yield, teardown), not a coroutine"
            )
            raise TypeError(msg)
        _REGISTERED_STATES.add(name)

        def registered_state() -> Callable[..., Any]:
            return func

        registered_state.__name__ = getattr(func, "__name__", "provider_state")
        registered_state.__doc__ = func.__doc__ or f"The provider state {name!r}."
        return pytest.fixture(name=_STATE_FIXTURE_PREFIX + name)(registered_state)

    return register


class _States:
    """Sets up and tears down one item's provider states through the registered functions."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self._open: list[tuple[str, dict[str, Any], Iterator[Any] | None]] = []
        self.raised: BaseException | None = None  # what the last failed setup raised

    def _lookup(self, name: str) -> Callable[..., Any]:
        try:
            found = self._request.getfixturevalue(_STATE_FIXTURE_PREFIX + name)
        except pytest.FixtureLookupError:
            import difflib  # only to name a close guess in this error

            near = difflib.get_close_matches(name, sorted(_REGISTERED_STATES), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            if name in _REGISTERED_STATES:
                hint = " (it is registered in a module pytest takes no fixtures from for this test)"
            msg = (
                f"no provider state {name!r} is registered for this test{hint}; register it "
                f"with @provider_state({name!r}) in the test module or a conftest.py"
            )
            raise LookupError(msg) from None
        function: Callable[..., Any] = found
        return function

    def _fixture(self, state: str, argument: str) -> Any:
        try:
            return self._request.getfixturevalue(argument)
        except pytest.FixtureLookupError:
            msg = (
                f"the provider state function for {state!r} takes {argument}, which is not a "
                "fixture here; its parameters are params and pytest fixtures (or give "
                f"{argument} a default)"
            )
            raise LookupError(msg) from None

    def setup(self, name: str, params: dict[str, Any]) -> Mapping[str, Any]:
        """Run the state's function up to its ``yield``; return the values it gave."""
        try:
            return self._setup(name, params)
        except Exception as exc:
            self.raised = exc  # its traceback goes into the item's failure
            raise

    def _setup(self, name: str, params: dict[str, Any]) -> Mapping[str, Any]:
        if not name and name not in _REGISTERED_STATES:
            # The empty state (sent for an interaction that declares none, as pact-reference
            # does) is a hook only when a test registers @provider_state(""), as in pact-python.
            return {}
        function = self._lookup(name)
        arguments: dict[str, Any] = {}
        for parameter in inspect.signature(function).parameters.values():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if parameter.name == "params":
                arguments["params"] = params
            elif parameter.default is parameter.empty:  # as pytest: a default is no fixture
                arguments[parameter.name] = self._fixture(name, parameter.name)
        running: Iterator[Any] | None = None
        if inspect.isgeneratorfunction(function):
            running = function(**arguments)
            try:
                value = next(running)
            except StopIteration:
                msg = (
                    f"the provider state function for {name!r} ended without yielding; "
                    "yield once between setup and teardown"
                )
                raise RuntimeError(msg) from None
        else:
            value = function(**arguments)
        self._open.append((name, params, running))
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            msg = (
                f"the provider state function for {name!r} gave {value!r} "
                f"({type(value).__name__}); yield or return a dict of values for "
                "provider-state generators, or nothing"
            )
            raise TypeError(msg)
        return value

    def teardown(self, name: str, params: dict[str, Any]) -> None:
        """Run the rest of the state's function; a state never set up has nothing to undo."""
        for position in range(len(self._open) - 1, -1, -1):
            opened, opened_params, running = self._open[position]
            if opened != name or opened_params != params:
                continue
            del self._open[position]
            if running is None:
                return
            try:
                next(running)
            except StopIteration:
                return
            msg = (
                f"the provider state function for {name!r} yielded more than once; yield "
                "once between setup and teardown"
            )
            raise RuntimeError(msg)


# --------------------------------------------------------------------------
# Items


@dataclass(frozen=True, eq=False)
class _Case:
    """One item's interaction: which pact, and which of its interactions."""

    pact_key: str  # the pact's key in the session's ledger; "" when it is not published
    unit: PactToVerify
    interaction: Any
    position: int  # in the pact's interactions

    @property
    def pending_reason(self) -> str | None:
        if self.unit.pending:
            notices = self.unit.notices()
            return notices[-1] if notices else "the broker marks this pact pending"
        if self.interaction.pending:
            return (
                "pending interaction (V4 'pending'): its failure is reported but does not "
                "fail the build"
            )
        return None


@dataclass(frozen=True)
class _Unreadable:
    """The item of a pact the broker selected that cannot be read: it fails."""

    message: str


def _case_id(unit: PactToVerify, interaction: Any) -> str:
    states = " and ".join(state.name for state in interaction.provider_states)
    given = f" [given {states}]" if states else ""
    return f"{unit.label()} -> {unit.pact.provider}: {interaction.description}{given}"


class PactInteraction:
    """The interaction a ``pact_verification`` test item verifies; call `verify` once.

    Attributes:
        pact: The pact holding it.
        interaction: The interaction (HTTP or message).
        consumer: The consumer's name.
        provider: The provider's name.
        description: The interaction's description.
        pending: Whether it is pending (the item is then a non-strict xfail).
    """

    def __init__(self, case: _Case, request: pytest.FixtureRequest) -> None:
        self._case = case
        self._request = request
        self.pact = case.unit.pact
        self.interaction = case.interaction
        self.consumer = self.pact.consumer
        self.provider = self.pact.provider
        self.description: str = case.interaction.description
        self.pending = case.pending_reason is not None
        self._verified = False

    def __repr__(self) -> str:
        return f"<PactInteraction {_case_id(self._case.unit, self.interaction)}>"

    def verify(
        self,
        *,
        base_url: str | None = None,
        app: Any = None,
        state_change_url: str | None = None,
        request_filter: Callable[..., Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        follow_redirects: bool | Literal["any-origin"] = False,
        verify_tls: bool | str | PathLike[str] = True,
        message_producers: Mapping[str, Callable[..., Any]] | None = None,
        messages_url: str | None = None,
        lifespan: bool = True,
        limits: Limits | None = None,
    ) -> ContractVerificationResult:
        """Verify the interaction against the provider; fail the test when it does not hold.

        Provider states are set up by the functions registered with
        `provider_state` (or, with `state_change_url`, by the provider's own
        state-change endpoint). The arguments mean what they mean for
        `verify_provider`: ``verify_tls`` may be the path of a PEM CA bundle, and
        ``follow_redirects="any-origin"`` follows redirects anywhere.

        Returns:
            The result, for a test that wants to look further.

        Raises:
            pytest.fail.Exception: with the verification report, when the
                interaction failed or could not be verified.
        """
        given = dict(locals())  # the options above, by name, for the parts that take them
        from pactdsl._errors import PactdslError
        from pactdsl._pytest_ledger import outcome_facts
        from pactdsl._verify import format_verification_report
        from pactdsl._verify._config import arguments_for
        from pactdsl._verify._results import PassedInteraction
        from pactdsl._verify._run import run_options
        from pactdsl._verify._target import target
        from pactdsl._verify._verifier import verify_one

        states = _States(self._request)
        if state_change_url is None:
            given.update(state_setup=states.setup, state_teardown=states.teardown)
        self._verified = True
        problem = ""
        try:
            chosen_target = target(**arguments_for(target, given))
            options = run_options(**arguments_for(run_options, given))
            result, outcome = verify_one(self._case.unit, self.interaction, chosen_target, options)
        except (PactdslError, TypeError) as exc:
            problem = f"{self._request.node.nodeid}: {_FIXTURE}.verify: {exc}"
        if problem:  # failed outside the except block, so no "During handling..." chain
            pytest.fail(problem, pytrace=False)
        result = _with_state_traceback(result, states.raised)
        # Recorded for publication when the test's outcome is known (its own asserts too).
        self._request.node.stash[_VERIFIED] = _Verified(
            self._case, outcome_facts(outcome, result.entries[0])
        )
        if not isinstance(result.entries[0], PassedInteraction):
            report = format_verification_report(result)
            if self._case.pending_reason is not None:
                # The reason carries the report, which -rx shows; a no-op under --runxfail.
                pytest.xfail(f"{self._case.pending_reason}\n{report}")
            pytest.fail(report, pytrace=False)
        return result


def _with_state_traceback(
    result: ContractVerificationResult, raised: BaseException | None
) -> ContractVerificationResult:
    """`result`, its state-setup error showing the traceback of the state function that raised."""
    import attrs

    from pactdsl._errors import user_traceback

    if raised is None or not result.errors or result.errors[0].phase != "state setup":
        return result
    entry = attrs.evolve(result.errors[0], traceback=user_traceback(raised))
    return attrs.evolve(result, errors=(entry, *result.errors[1:]))


@pytest.fixture
def pact_interaction(request: pytest.FixtureRequest) -> Iterator[PactInteraction]:
    """The interaction this item verifies (``@pytest.mark.pact_verification(...)``).

    The test must call ``pact_interaction.verify(base_url=...)`` (or ``app=``);
    a test that passes without calling it errors, since it verified nothing.
    """
    case = getattr(request, "param", None)
    if isinstance(case, _Unreadable):
        pytest.fail(f"{request.node.nodeid}: {case.message}", pytrace=False)
    if not isinstance(case, _Case):
        msg = (
            f"{request.node.nodeid}: the {_FIXTURE} fixture needs the test marked "
            f"@pytest.mark.{_MARKER}(source) (a contract, pact file or folder, or broker=True)"
        )
        pytest.fail(msg, pytrace=False)
    under_test = PactInteraction(case, request)
    yield under_test
    if not under_test._verified and request.node.stash.get(_CALL_PASSED, False):
        msg = (
            f"{request.node.nodeid} passed without calling {_FIXTURE}.verify(...), so it "
            "verified nothing; call it with base_url= or app="
        )
        pytest.fail(msg, pytrace=False)


@dataclass(frozen=True)
class _Verified:
    """What an item's verify() found, for publication once the test's outcome is known."""

    case: _Case
    facts: dict[str, Any]


_CALL_PASSED = pytest.StashKey[bool]()
_VERIFIED = pytest.StashKey[_Verified]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Note whether the test body passed, and record what it verified for publication.

    A test that fails after its verify() passed (its own asserts) counts as a
    failure of that interaction: the provider did not do what the test checks.
    """
    report = yield
    if report.when == "call":
        item.stash[_CALL_PASSED] = report.passed
        verified = item.stash.get(_VERIFIED, None)
        if verified is not None and verified.case.pact_key:
            facts = verified.facts
            if report.failed and facts["status"] == "passed":
                raised = call.excinfo.exconly().splitlines()[0] if call.excinfo else "failed"
                facts = {
                    **facts,
                    "success": bool(verified.case.interaction.pending),
                    "status": "failed",
                    "reason": f"the test failed after verify() passed: {raised}",
                }
            _ledger(item.config).record(verified.case.pact_key, verified.case.position, facts)
    return report


# --------------------------------------------------------------------------
# Collection


def _collect_error(definition: Any, problem: str) -> pytest.Collector.CollectError:
    return pytest.Collector.CollectError(f"{definition.nodeid}: @pytest.mark.{_MARKER}: {problem}")


def _marker_arguments(definition: Any) -> dict[str, Any]:
    marker = definition.get_closest_marker(_MARKER)
    arguments = dict(marker.kwargs)
    unknown = sorted(set(arguments) - _MARKER_KEYWORDS)
    if unknown:
        problem = f"unknown keyword(s) {unknown}; use {sorted(_MARKER_KEYWORDS)}"
        raise _collect_error(definition, problem)
    if marker.args:
        if len(marker.args) > 1 or "source" in arguments:
            problem = "takes one source (give a list for several); the rest as keywords"
            raise _collect_error(definition, problem)
        arguments["source"] = marker.args[0]
    return arguments


def _broker_spec(broker: Any) -> dict[str, Any]:
    """Which broker the controller publishes to, as data an xdist worker can send."""
    if broker is None or broker is True:
        return {"kind": "configured"}
    from pactdsl.broker import LocalBroker

    if isinstance(broker, LocalBroker):
        return {"kind": "local", "path": str(broker.path)}
    msg = (
        f"publish_results=True with broker={broker!r}: results are published once at the "
        "end of the session, so give broker=True (the configured broker: "
        "PACT_BROKER_BASE_URL, else the local one) or a LocalBroker"
    )
    raise TypeError(msg)


def _select(arguments: dict[str, Any]) -> list[PactToVerify]:
    from pactdsl._verify._broker_source import broker_query, opened_broker
    from pactdsl._verify._config import arguments_for
    from pactdsl._verify._selection import select_pacts, selection

    query = broker_query(**arguments_for(broker_query, arguments))
    chosen = selection(**arguments_for(selection, arguments))
    source = arguments.get("source")
    with opened_broker(arguments.get("broker") if source is None else None) as opened:
        return select_pacts(source, opened, query, chosen)


def _publishing(arguments: dict[str, Any]) -> dict[str, Any] | None:
    from pactdsl._verify._broker_source import publishing
    from pactdsl._verify._config import arguments_for

    options = publishing(**arguments_for(publishing, arguments))
    if options.provider_version is None:
        return None
    return {
        "provider_version": options.provider_version,
        "branch": options.branch,
        "tags": list(options.tags),
        "build_url": options.build_url,
        "broker": _broker_spec(arguments.get("broker")),
    }


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise a ``pact_verification`` test with one item per interaction."""
    definition = metafunc.definition
    if definition.get_closest_marker(_MARKER) is None:
        return
    if _FIXTURE not in metafunc.fixturenames:
        problem = f"the test must take the {_FIXTURE} fixture and call {_FIXTURE}.verify(...)"
        raise _collect_error(definition, problem)
    from pactdsl._errors import PactdslError

    arguments = _marker_arguments(definition)
    try:
        publishing = _publishing(arguments)
        units = _select(arguments)
    except (PactdslError, OSError, TypeError, ValueError) as exc:
        raise _collect_error(definition, str(exc)) from None
    cases: list[Any] = []
    for unit in units:
        if unit.problem is not None:
            # An item that fails: a pact the broker selected but nobody can read is
            # never "nothing to verify".
            message = f"the broker's pact of {unit.label()} cannot be read: {unit.problem}"
            marks = (
                [pytest.mark.xfail(reason=unit.notices()[-1], strict=False)] if unit.pending else []
            )
            cases.append(
                pytest.param(
                    _Unreadable(message), id=f"{unit.label()} (unreadable pact)", marks=marks
                )
            )
            continue
        # Known by what it is, so two tests verifying one pact publish it once; "": not published.
        pact_key = "" if publishing is None else _ledger(metafunc.config).expect(unit, publishing)
        for position, interaction in enumerate(unit.pact.interactions):
            case = _Case(pact_key, unit, interaction, position)
            reason = case.pending_reason
            marks = []
            if reason is not None:
                # Only the verification's own verdict xfails: a verify() that cannot run fails.
                raises = pytest.xfail.Exception
                marks = [pytest.mark.xfail(reason=reason, strict=False, raises=raises)]
            cases.append(pytest.param(case, id=_case_id(unit, interaction), marks=marks))
    metafunc.parametrize(_FIXTURE, cases, indirect=True)


# --------------------------------------------------------------------------
# Publishing, once per session


_LEDGER = pytest.StashKey["Ledger"]()


def _ledger(config: pytest.Config) -> Ledger:
    """The session's ledger, made on first use: a run that publishes nothing never loads it."""
    ledger = config.stash.get(_LEDGER, None)
    if ledger is None:
        from pactdsl._pytest_ledger import Ledger

        ledger = config.stash[_LEDGER] = Ledger()
    return ledger


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``pact_verification`` marker."""
    config.addinivalue_line("markers", _MARKER_HELP)


def handed_to_controller(config: pytest.Config, key: str, data: Any) -> bool:
    """On an xdist worker, leave JSON-ready `data` for the controller; False elsewhere."""
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is None:
        return False
    workeroutput[key] = json.dumps(data)
    return True


def from_worker(node: Any, key: str) -> Any:
    """On the xdist controller: what a finished worker left under `key` (None: nothing)."""
    raw = (getattr(node, "workeroutput", {}) or {}).get(key)
    return json.loads(raw) if raw else None


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller: take in the outcomes a worker verified."""
    theirs = from_worker(node, _WORKER_OUTPUT_KEY)
    if theirs:
        _ledger(node.config).merge(theirs)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Publish each pact's aggregated outcome (controller or plain run); workers hand theirs on."""
    config = session.config
    ledger = config.stash.get(_LEDGER, None)
    if ledger is None or not ledger.pacts:
        return
    if handed_to_controller(config, _WORKER_OUTPUT_KEY, ledger.pacts):
        return
    ledger.publish()
    if ledger.failed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say what was published to the broker, and what was not and why."""
    ledger = config.stash.get(_LEDGER, None)
    if ledger is None or not ledger.lines:
        return
    terminalreporter.section(_SECTION)
    for line, is_error in ledger.lines:
        terminalreporter.write_line(line, red=is_error)
