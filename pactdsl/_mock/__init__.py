"""The mock provider: serve a contract's interactions to the consumer under test.

```python
with mock_provider(payment_service_contract) as mock:
    response = httpx.post(f"{mock.url}/payments", json={"amount": 1000, "currency": "USD"})
```

With ``port=None`` (the default) httpx clients are answered in-process (httpx patched;
no socket); that needs httpx, which only the ``httpx`` extra installs
(``pactdsl[httpx]``). With ``port=0`` or a port number a real HTTP/1.1 server
listens on 127.0.0.1 (or `host`), for any client, and needs nothing beyond the
standard library. ``tls=True`` serves HTTPS with a
certificate from a throwaway CA (`MockProvider.ca_path`, `MockProvider.ssl_context`).
``cors=True`` answers browsers' CORS preflights. Leaving the block verifies
that every served interaction was received and nothing unexpected arrived.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import itertools
import os
import ssl
import threading
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pactdsl._dsl import Contract, resolve_pact
from pactdsl._errors import MissingExtra, require_extra
from pactdsl._limits import DEFAULT_LIMITS, Limits
from pactdsl._mock._core import (
    MockCall,
    MockCore,
    MockRequest,
    MockResponse,
    MockServerError,
    ResponseFactory,
    select_interactions,
)
from pactdsl._mock._problems import (
    AmbiguousRequest,
    MissingRequest,
    MockMismatchError,
    MockProblem,
    NearMiss,
    UnexpectedRequest,
    UnhandledRequest,
)
from pactdsl._model import Pact

if TYPE_CHECKING:
    from pactdsl._mock._httpx import HTTPXResponse
    from pactdsl._mock._server import MockHTTPServer
    from pactdsl._mock._tls import Authority

__all__ = [
    "AmbiguousRequest",
    "MissingRequest",
    "MockCall",
    "MockMismatchError",
    "MockProvider",
    "MockRequest",
    "MockResponse",
    "MockServerError",
    "NearMiss",
    "UnexpectedRequest",
    "UnhandledRequest",
    "create_mock_provider",
    "mock_provider",
    "mock_request",
    "verify_mock_interactions",
]

T = TypeVar("T")

MOCK_PARAMETER = "pact_mock"
"""A test decorated with a mock provider receives it through this parameter."""

_NUMBERS = itertools.count(1)
_NUMBERS_LOCK = threading.Lock()


def _next_number() -> int:
    with _NUMBERS_LOCK:
        return next(_NUMBERS)


def httpx_installed() -> bool:
    """Whether httpx can be imported (the ``httpx`` extra), without importing it."""
    try:
        return importlib.util.find_spec("httpx") is not None
    except (ImportError, ValueError):  # an import hook refusing it, or a broken entry
        return False


def _require_httpx(why: str, otherwise: str) -> None:
    """Raise `MissingExtra` saying `why` httpx is needed, unless it is installed."""
    if not httpx_installed():
        msg = f"{why}, and httpx is not installed: pip install 'pactdsl[httpx]', or {otherwise}"
        raise MissingExtra(msg, name="httpx")


def _load_source(contract: Contract | Pact | str | os.PathLike[str]) -> Pact:
    if isinstance(contract, os.PathLike):
        from pactdsl._pactfile import load_pact

        return load_pact(Path(contract))
    if isinstance(contract, str):
        try:
            return resolve_pact(contract)
        except KeyError as exc:
            if contract.endswith(".json") or Path(contract).is_file():
                from pactdsl._pactfile import load_pact

                return load_pact(contract)
            msg = f"contract={contract!r} is neither a registered contract nor a pact file"
            raise KeyError(f"{msg}; {exc.args[0]}") from None
    return resolve_pact(contract)


class MockProvider:
    """A mock of a contract's provider: serves, records, and verifies on exit.

    Make one with `mock_provider` (alias `create_mock_provider`), then use it
    with ``with`` / ``async with`` / as a decorator, or `start` and `stop` it by hand.

    Attributes:
        pact: The whole pact the mock was made from.
        interactions: The interactions it serves and expects.
        port: None for in-process serving, else the requested port (0: any).
        host: The address a real server listens on.
        cors: Whether CORS preflights are answered and responses allow any origin.
        tls: Whether the mock serves HTTPS (`url` starts with ``https://``).
    """

    def __init__(
        self,
        contract: Contract | Pact | str | os.PathLike[str],
        port: int | None = None,
        *,
        interactions: str | Iterable[str] | None = None,
        given: str | Iterable[str] | None = None,
        fuzz: bool = False,
        host: str = "127.0.0.1",
        response_factory: ResponseFactory | None = None,
        cors: bool = False,
        tls: bool = False,
        limits: Limits | None = None,
    ) -> None:
        if limits is not None and not isinstance(limits, Limits):
            msg = f"limits={limits!r} ({type(limits).__name__}): give a pactdsl.Limits"
            raise TypeError(msg)
        if port is not None and (
            not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535
        ):
            msg = f"port={port!r} must be None (in-process), 0 (any free port) or 1..65535"
            raise ValueError(msg)
        if fuzz and response_factory is not None:
            msg = "fuzz=True and response_factory= both make responses; give only one"
            raise ValueError(msg)
        if fuzz:
            require_extra("hypothesis", "fuzz", "mock_provider(fuzz=True)")
        if tls:
            require_extra("trustme", "tls", "mock_provider(tls=True)")
        if port is None:
            _require_httpx(
                "the in-process mock provider (port=None, the default) serves httpx clients",
                "pass port=0 for a real HTTP server on a free port, which any client reaches",
            )
        self.pact = _load_source(contract)
        self.interactions = select_interactions(self.pact, interactions, given)
        self.port = port
        self.host = host
        self.cors = cors
        self.tls = tls
        self.fuzz = fuzz
        self.limits = limits or DEFAULT_LIMITS
        self._selection = (interactions, given)
        self._response_factory = response_factory
        self._fake_host = f"pactdsl-mock-{_next_number()}.invalid"
        self._core: MockCore | None = None
        self._server: MockHTTPServer | None = None
        self._authority: Authority | None = None
        self._running = False
        self._state_lock = threading.Lock()

    def __repr__(self) -> str:
        where = "in-process" if self.port is None else f"port={self.port}"
        if self.tls:
            where += ", tls"
        state = "running" if self._running else "stopped"
        return (
            f"<MockProvider {self.pact.consumer} -> {self.pact.provider}, "
            f"{len(self.interactions)} interactions, {where}, {state}>"
        )

    @property
    def url(self) -> str:
        """The base URL to send requests to.

        In-process it is a unique fake host (``http://pactdsl-mock-<n>.invalid``);
        on a port, ``http://<host>:<port>``; ``https://`` with `tls`. A wildcard
        `host` (``0.0.0.0``, ``::`` or ``""``, every interface) is not an address
        to connect to, so the URL names the loopback address instead
        (``127.0.0.1`` or ``[::1]``); other machines reach the mock by this
        machine's own name or address.

        Raises:
            RuntimeError: for ``port=0`` before `start`, when the port is not known.
        """
        scheme = "https" if self.tls else "http"
        if self.port is None:
            return f"{scheme}://{self._fake_host}"
        if self._server is not None:
            return f"{scheme}://{_url_host(self.host)}:{self._server.port}"
        if self.port:
            return f"{scheme}://{_url_host(self.host)}:{self.port}"
        msg = "the mock provider with port=0 has no URL until started; call start() first"
        raise RuntimeError(msg)

    def _tls_authority(self) -> Authority:
        if not self.tls:
            msg = f"{self!r} serves plain HTTP; make it with tls=True for a CA to trust"
            raise RuntimeError(msg)
        if self._authority is None:
            from pactdsl._mock._tls import authority

            self._authority = authority(self.host)
        return self._authority

    @property
    def ca_path(self) -> Path:
        """The PEM file of the CA that signed the mock's certificate (``tls=True``).

        Give it to clients: ``requests.get(url, verify=mock.ca_path)``, ``curl
        --cacert``, ``SSL_CERT_FILE``. The CA is made for this process only and the
        file is removed when the process exits.

        Raises:
            RuntimeError: when the mock serves plain HTTP.
        """
        return self._tls_authority().ca_path

    def ssl_context(self) -> ssl.SSLContext:
        """A client `ssl.SSLContext` trusting the mock's CA (``tls=True``).

        For ``httpx.Client(verify=mock.ssl_context())`` or
        ``urllib.request.urlopen(url, context=mock.ssl_context())``.

        Raises:
            RuntimeError: when the mock serves plain HTTP.
        """
        return self._tls_authority().client_context()

    @property
    def is_running(self) -> bool:
        """Whether the mock is serving (False too if its server's accept loop ended)."""
        if self._server is not None and not self._server.is_serving:
            return False
        return self._running

    @property
    def call_count(self) -> int:
        """How many requests arrived since the last `start`, also those `calls` no longer keeps."""
        return 0 if self._core is None else self._core.call_count

    @property
    def calls(self) -> list[MockCall]:
        """The requests received since the last `start`, in arrival order."""
        return [] if self._core is None else self._core.calls

    def _factory(self) -> ResponseFactory | None:
        if self.fuzz:
            # Imported only now: drawing responses brings in hypothesis.
            from pactdsl._fuzz_responder import fuzz_response_factory

            return fuzz_response_factory(self.pact)
        return self._response_factory

    def start(self) -> MockProvider:
        """Start serving (calls from a previous run are forgotten); return self.

        Raises:
            RuntimeError: when already running.
            MockServerError: when the port is busy.
        """
        with self._state_lock:
            if self._running:
                msg = f"{self!r} is already running; stop() it first"
                raise RuntimeError(msg)
            core = MockCore(
                self.pact,
                self.interactions,
                "",
                self._factory(),
                in_process=self.port is None,
                cors=self.cors,
                limits=self.limits,
            )
            if self.port is None:
                from pactdsl._mock import _httpx

                core.base_url = self.url
                _httpx.install(self._fake_host, core.handle, "https" if self.tls else "http")
            else:
                from pactdsl._mock._server import MockHTTPServer

                context = self._tls_authority().server_context if self.tls else None
                server = MockHTTPServer(core.handle, self.host, self.port, context, self.limits)
                server.start()
                self._server = server
                core.base_url = self.url
            self._core = core
            self._running = True
        return self

    def stop(self) -> None:
        """Stop serving; the calls stay readable. Stopping twice is harmless."""
        with self._state_lock:
            if not self._running:
                return
            if self.port is None:
                from pactdsl._mock import _httpx

                _httpx.uninstall(self._fake_host)
            elif self._server is not None:
                self._server.stop()
            self._running = False

    def verify(self) -> tuple[bool, list[MockProblem]]:
        """See `verify_mock_interactions`."""
        return verify_mock_interactions(self)

    def report(self) -> str:
        """The readable verification report ("" when all is well)."""
        ok, problems = self.verify()
        if ok or self._core is None:
            return ""
        return self._core.report(problems)

    def _finish(self, exc: BaseException | None) -> None:
        self.stop()
        ok, problems = self.verify()
        if ok or self._core is None:
            return
        report = self._core.report(problems)
        if exc is None:
            raise MockMismatchError(report, problems)
        # The test's own failure stays the error; the mock's findings ride along.
        exc.add_note(report)

    def __enter__(self) -> MockProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._finish(exc)

    async def __aenter__(self) -> MockProvider:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._finish(exc)

    def _fresh(self) -> MockProvider:
        interactions, given = self._selection
        return MockProvider(
            self.pact,
            self.port,
            interactions=interactions,
            given=given,
            fuzz=self.fuzz,
            host=self.host,
            response_factory=self._response_factory,
            cors=self.cors,
            tls=self.tls,
            limits=self.limits,
        )

    def __call__(self, func: Callable[..., T]) -> Callable[..., T]:
        """Use as a test decorator: each call runs in a fresh, running mock.

        The test receives the mock if it has a ``pact_mock`` parameter; that
        parameter is hidden from the wrapper's signature, so pytest does not
        look for a fixture of that name.
        """
        signature = inspect.signature(func)
        wants_mock = MOCK_PARAMETER in signature.parameters
        wrapper: Any
        if inspect.iscoroutinefunction(func):
            async_func = cast(Callable[..., Awaitable[Any]], func)

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                async with self._fresh() as mock:
                    if wants_mock:
                        kwargs[MOCK_PARAMETER] = mock
                    return await async_func(*args, **kwargs)

            wrapper = async_wrapper
        else:

            @functools.wraps(func)
            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self._fresh() as mock:
                    if wants_mock:
                        kwargs[MOCK_PARAMETER] = mock
                    return func(*args, **kwargs)

            wrapper = sync_wrapper
        if wants_mock:
            kept = [p for p in signature.parameters.values() if p.name != MOCK_PARAMETER]
            wrapper.__signature__ = signature.replace(parameters=kept)
        return cast(Callable[..., T], wrapper)


_WILDCARD_HOSTS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def _url_host(host: str) -> str:
    """The host part of a URL that reaches a server listening on `host`."""
    host = _WILDCARD_HOSTS.get(host, host)
    return f"[{host}]" if ":" in host else host


def mock_provider(
    contract: Contract | Pact | str | os.PathLike[str],
    port: int | None = None,
    *,
    interactions: str | Iterable[str] | None = None,
    given: str | Iterable[str] | None = None,
    fuzz: bool = False,
    host: str = "127.0.0.1",
    cors: bool = False,
    tls: bool = False,
    limits: Limits | None = None,
) -> MockProvider:
    """A mock provider for `contract`, to use with ``with``, ``async with`` or as a decorator.

    ```python
    with mock_provider(user_contract, interactions="get user 123") as mock:
        assert httpx.get(f"{mock.url}/users/123").json()["id"] == 123

    @mock_provider(user_contract, given="user 123 exists")
    def test_get_user(pact_mock):
        assert UserClient(pact_mock.url).get(123).id == 123
    ```

    Leaving the block (or the test) verifies: a served interaction never
    received, or a request that matched none, raises `MockMismatchError`. If the
    block itself raised, that error stands, with the report added as a note.
    By hand, `start()` and `stop()` it instead: nothing is verified on `stop()`;
    `verify_mock_interactions` gives the result. `create_mock_provider`, the
    name in the Pact workflow, is this same function.

    Args:
        contract: A `Contract`, a `Pact`, a registered contract's name, or the
            path of a pact file.
        port: None serves httpx clients in-process (no socket; needs
            ``pactdsl[httpx]``); 0 or a port number starts a real HTTP/1.1
            server (any client), on `host`.
        interactions: Serve and expect only these descriptions (one or a list).
        given: Serve and expect only interactions with these provider states.
        fuzz: Answer with random responses that still satisfy the contract
            (`pactdsl.strategies.fuzz_response_factory`), instead of the examples.
        host: The address a real server listens on (port given): ``0.0.0.0``
            serves other machines and containers too; `MockProvider.url` then
            still says ``127.0.0.1``.
        cors: Behave for browsers: answer CORS preflights (``OPTIONS`` with
            ``Access-Control-Request-Method``) that match no interaction with
            204 and the Allow-Origin/-Methods/-Headers they ask for, without
            recording them; add ``Access-Control-Allow-Origin`` (the request's
            ``Origin``, else ``*``) to every response. Works in-process too.
        tls: Serve HTTPS with a certificate for ``127.0.0.1``/``localhost``
            (and `host`) signed by a throwaway CA; clients trust it through
            `MockProvider.ca_path` or `MockProvider.ssl_context`. In-process,
            httpx clients get ``https://`` URLs answered without a socket.
            Needs trustme: ``pip install 'pactdsl[tls]'``.
        limits: Bounds on what consumers send (`pactdsl.Limits`): body size,
            workers and idle timeout of a real server, calls kept.

    Raises:
        ValueError: when `interactions` or `given` names something the
            contract lacks, or `port` is out of range.
        KeyError: when `contract` is neither a registered name nor a file.
        MissingExtra: for `tls` without trustme installed, or in-process
            (``port=None``) without httpx installed (an ImportError).
    """
    return MockProvider(
        contract,
        port,
        interactions=interactions,
        given=given,
        fuzz=fuzz,
        host=host,
        cors=cors,
        tls=tls,
        limits=limits,
    )


create_mock_provider = mock_provider
"""`mock_provider` under its name in the Pact workflow: the same function.

`start()` and `stop()` the mock by hand; `stop()` verifies nothing, so call
`verify_mock_interactions` for the result.
"""


def mock_request(
    mock: MockProvider,
    method: str,
    path: str,
    query: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> HTTPXResponse:
    """Send one request to a running mock with httpx and return the `httpx.Response`.

    Needs httpx (``pactdsl[httpx]``), in-process or not.

    Args:
        mock: A running mock provider.
        method: The HTTP method.
        path: The path, relative to `mock.url`.
        query: Query parameters (a value may be a list).
        headers: Request headers.
        body: A JSON value (sent as JSON), or `bytes` / `str` sent as they are.

    Raises:
        RuntimeError: when the mock is not running.
        MissingExtra: when httpx is not installed.
    """
    _require_httpx(
        "mock_request() sends with httpx and returns an httpx.Response",
        "send with another client to the url of a mock on a real port (port=0)",
    )
    if not mock.is_running:
        msg = f"{mock!r} is not running; start() it (or use `with`) before mock_request"
        raise RuntimeError(msg)
    from pactdsl._mock._httpx import send_request

    trust = mock.ssl_context() if mock.tls and mock.port is not None else None
    return send_request(mock.url, method, path, query, headers, body, trust=trust)


def verify_mock_interactions(mock: MockProvider) -> tuple[bool, list[MockProblem]]:
    """Whether the mock got what it expects, and what is wrong if not.

    Returns:
        ``(ok, mismatches)``: `ok` is True when every served interaction was
        received and no request went unmatched. `mismatches` lists
        `UnexpectedRequest` / `AmbiguousRequest` (in arrival order), then
        `MissingRequest` for each interaction never received.
    """
    if mock._core is None:
        served = [
            MissingRequest(
                i.description,
                tuple(s.name for s in i.provider_states),
                i.request.method.upper(),
                i.request.path,
            )
            for i in mock.interactions
        ]
        return (False, list[MockProblem](served))
    return mock._core.verify()
