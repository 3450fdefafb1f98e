"""Fuzzed responses for a mock provider: drawn from the contract, shrinking with the test.

`FuzzResponder` (made by `fuzz_response_factory`) draws a fresh response for
each interaction a mock serves ``fuzz=True``. Inside a `fuzz_contract` example
(a `FuzzSession`) or any hypothesis test the draws go through the test's data,
so a failure shrinks; otherwise they come from a seeded random run. This module
sits below the mock provider and imports hypothesis only inside functions.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import queue
import random
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from pactdsl._dsl import Contract, resolve_pact
from pactdsl._model import Interaction, Pact

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject, SearchStrategy

    from pactdsl._strategies import DrawnResponse

__all__ = ["ACTIVE_SESSION", "FuzzResponder", "FuzzSession", "fuzz_response_factory"]

# Draws outside a hypothesis test come in batches from a short seeded run.
_BATCH = 20


@attrs.define
class FuzzSession:
    """One hypothesis example of a `fuzz_contract` test: its data and what was served.

    Hypothesis draws only on the test's thread. With a real server, responses
    are made on the server's thread, so the consumer test runs on a worker
    thread and the test's thread draws each response on request (`pump`).
    """

    data: DataObject
    thread: int = attrs.field(factory=threading.get_ident)
    served: list[tuple[Interaction, DrawnResponse]] = attrs.field(factory=list)
    requests: queue.SimpleQueue[_DrawRequest | None] | None = None

    def draw(self, interaction: Interaction, strategy: SearchStrategy[DrawnResponse]) -> Any:
        """Draw on the test's thread, or ask it to draw and wait for the answer."""
        if threading.get_ident() == self.thread:
            response = self.data.conjecture_data.draw(strategy)
            self.served.append((interaction, response))
            return response
        if self.requests is None:
            msg = (
                "a fuzzed mock provider drew a response off the test's thread; inside "
                "your own hypothesis test serve in-process (port=None), or use "
                "fuzz_contract(..., port=0), which draws on the test's thread"
            )
            raise RuntimeError(msg)
        request = _DrawRequest(interaction, strategy)
        self.requests.put(request)
        return request.answer.result()

    def pump(self, body: Callable[[], None]) -> None:
        """Run `body` on a worker thread, drawing responses here until it ends."""
        self.requests = queue.SimpleQueue()
        failure: list[BaseException] = []

        def work() -> None:
            try:
                body()
            except BaseException as exc:  # re-raised on the test's thread
                failure.append(exc)
            finally:
                assert self.requests is not None
                self.requests.put(None)

        worker = threading.Thread(target=work, name="pactdsl-fuzzed-consumer", daemon=True)
        worker.start()
        stopped: BaseException | None = None
        while (request := self.requests.get()) is not None:
            if stopped is not None:
                request.answer.set_exception(RuntimeError("the fuzzed example has ended"))
                continue
            try:
                request.answer.set_result(self.draw(request.interaction, request.strategy))
            except BaseException as exc:
                # Hypothesis ends an example by raising here (e.g. when data runs
                # out): let the consumer finish, then end the example with it.
                stopped = exc
                request.answer.set_exception(RuntimeError("the fuzzed example has ended"))
        worker.join()
        if stopped is not None:
            raise stopped
        if failure:
            raise failure[0]

    def report(self) -> str:
        if not self.served:
            return "pactdsl fuzzing: the mock provider served no response."
        lines = ["pactdsl fuzzing: the mock provider answered (shrunk):"]
        for number, (interaction, response) in enumerate(self.served, 1):
            request = interaction.request
            lines.append(
                f"  {number}. {request.method} {request.path} ({interaction.description!r}) -> "
                f"status={response.status}, headers={response.headers}, body={response.body!r}"
            )
        return "\n".join(lines)


@attrs.frozen
class _DrawRequest:
    interaction: Interaction
    strategy: SearchStrategy[DrawnResponse]
    answer: concurrent.futures.Future[Any] = attrs.field(factory=concurrent.futures.Future)


ACTIVE_SESSION: contextvars.ContextVar[FuzzSession | None] = contextvars.ContextVar(
    "pactdsl_fuzz_session", default=None
)


class FuzzResponder:
    """Draws a fresh response for each interaction a mock provider serves.

    Made by `pactdsl.strategies.fuzz_response_factory`. It binds, when made,
    to the running `fuzz_contract` example or hypothesis test (draws then go
    through the test's data and shrink); otherwise it draws from a random
    generator seeded with `seed`.
    """

    def __init__(self, pact: Pact, *, seed: int = 0) -> None:
        self.pact = pact
        self._session = ACTIVE_SESSION.get()
        self._data: DataObject | None = None
        self._thread = threading.get_ident()
        self._rng = random.Random(seed)
        self._pools: dict[int, list[DrawnResponse]] = {}
        self._lock = threading.Lock()
        if self._session is None:
            self._data = _data_of_running_test()

    def __repr__(self) -> str:
        mode = "hypothesis data" if self._session or self._data else "seeded random"
        return f"<FuzzResponder {self.pact.consumer}-{self.pact.provider}, {mode}>"

    def strategy(self, interaction: Interaction) -> SearchStrategy[DrawnResponse]:
        """The strategy of responses for `interaction` (cached across responders)."""
        return _strategy_for(interaction)

    def draw(self, interaction: Interaction) -> DrawnResponse:
        """Draw one response for `interaction`."""
        strategy = self.strategy(interaction)
        with self._lock:
            if self._session is not None:
                # Drawn without DataObject.draw's printing: the session reports
                # what was served, whichever thread asked.
                response: DrawnResponse = self._session.draw(interaction, strategy)
                return response
            if self._data is not None:
                label = f"response to {interaction.description!r}"
                if threading.get_ident() != self._thread:
                    msg = (
                        "a fuzzed mock provider drew a response off the test's thread; "
                        "inside your own hypothesis test serve in-process (port=None), "
                        "or use fuzz_contract(..., port=0), which draws on the test's thread"
                    )
                    raise RuntimeError(msg)
                return self._data.draw(strategy, label=label)
            return self._seeded(id(interaction), strategy)

    def __call__(self, interaction: Interaction) -> tuple[int, Mapping[str, list[str]], bytes]:
        response = self.draw(interaction)
        return response.status, response.headers, response.content()

    def _seeded(self, key: int, strategy: SearchStrategy[DrawnResponse]) -> DrawnResponse:
        pool = self._pools.setdefault(key, [])
        if not pool:
            pool.extend(_sample(strategy, self._rng.getrandbits(64), _BATCH))
        return pool.pop()


# Each hypothesis example starts a new mock and responder; building the
# strategies once per interaction keeps examples fast. The interaction is kept
# in the value so its id is not reused while cached.
_STRATEGIES: dict[int, tuple[Interaction, SearchStrategy[DrawnResponse]]] = {}
_STRATEGIES_LIMIT = 256
_STRATEGIES_LOCK = threading.Lock()


def _strategy_for(interaction: Interaction) -> SearchStrategy[DrawnResponse]:
    with _STRATEGIES_LOCK:
        cached = _STRATEGIES.get(id(interaction))
        if cached is not None and cached[0] is interaction:
            return cached[1]
    from pactdsl._strategies import response_strategy

    strategy = response_strategy(interaction)
    with _STRATEGIES_LOCK:
        if len(_STRATEGIES) >= _STRATEGIES_LIMIT:
            _STRATEGIES.pop(next(iter(_STRATEGIES)))
        _STRATEGIES[id(interaction)] = (interaction, strategy)
    return strategy


def _data_of_running_test() -> DataObject | None:
    import hypothesis
    import hypothesis.strategies as st
    from hypothesis.control import current_build_context

    if not hypothesis.currently_in_test_context():
        return None
    data: DataObject = current_build_context().data.draw(st.data())
    return data


def _sample(strategy: SearchStrategy[Any], seed: int, count: int) -> list[Any]:
    """Up to `count` values of `strategy`, the same ones for the same seed."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings

    found: list[Any] = []

    @settings(
        database=None,
        max_examples=count,
        phases=[Phase.generate],
        deadline=None,
        derandomize=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @hypothesis.seed(seed)
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    random.Random(seed).shuffle(found)
    return found


def fuzz_response_factory(
    source: Contract | Pact | str, *, seed: int = 0
) -> Callable[[Interaction], tuple[int, Mapping[str, list[str]], bytes]]:
    """A response factory for a mock provider: each call draws a fresh response.

    ``mock_provider(contract, fuzz=True)`` calls this. Inside `fuzz_contract`
    (or any hypothesis test) the responses are drawn through the test's data,
    so a failure shrinks to the smallest response that breaks the consumer.
    Outside a hypothesis test they come from a random generator seeded with
    `seed`, so a run is reproducible.

    Args:
        source: A `Contract`, a `Pact`, or the name of a registered contract.
        seed: The seed for draws outside a hypothesis test.

    Returns:
        A callable taking the matched `Interaction` and returning
        ``(status, headers, body bytes)``.
    """
    return FuzzResponder(resolve_pact(source), seed=seed)
