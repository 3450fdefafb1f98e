"""Contract fuzzing: a mock provider that answers with responses drawn from the contract.

`fuzz_contract` runs a consumer test under hypothesis; each example starts a
mock provider with ``fuzz=True``, whose responses are drawn through the
example's data, so a failure shrinks to the smallest response that breaks the
consumer (the responses come from `_fuzz_responder.py`, below the mock). This
module imports hypothesis only inside functions, so ``pactdsl`` can export
`fuzz_contract` and stay light to import.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from pactdsl._errors import require_extra
from pactdsl._fuzz_responder import ACTIVE_SESSION, FuzzSession
from pactdsl._model import Pact

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject

    from pactdsl._dsl import Contract

__all__ = ["fuzz_contract"]

MOCK_PARAMETER = "pact_mock"
"""The parameter through which a fuzzed test receives the running mock provider."""


def fuzz_contract(
    contract: Contract | Pact | str,
    *,
    max_examples: int | None = None,
    interactions: str | Iterable[str] | None = None,
    port: int | None = None,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run a consumer test against a mock provider that answers with fuzzed responses.

    Each hypothesis example starts ``mock_provider(contract, fuzz=True)``: every
    request the consumer sends gets a fresh response drawn from the contract
    (any length the ``each_like`` allows, any string the ``regex`` allows, ...).
    When the test fails, hypothesis shrinks to the smallest response that still
    breaks it, and the failure carries a note showing that response.

    ```python
    @fuzz_contract(catalog_contract)
    def test_first_item_name(pact_mock):
        assert first_item_name(pact_mock.url) is not None
    ```

    The test receives the running mock as ``pact_mock``. Reproduce a run with
    hypothesis' ``@seed(n)`` (placed above this decorator), or the
    ``derandomize`` setting of your profile.

    Args:
        contract: A `Contract`, a `Pact`, or the name of a registered contract.
        max_examples: How many responses to try (default: the hypothesis
            profile's ``max_examples``).
        interactions: Serve only these interactions (descriptions).
        port: None serves httpx in-process; 0 or a port number starts a real
            HTTP server (for any client).

    Returns:
        A decorator; the decorated test is a hypothesis test (a pytest test
        function, whose other parameters may be fixtures).

    Raises:
        ValueError: if `max_examples` is not a positive integer.
        MissingExtra: when hypothesis is not installed (``pactdsl[fuzz]``).
    """
    require_extra("hypothesis", "fuzz", "fuzz_contract()")
    if max_examples is not None and (
        not isinstance(max_examples, int) or isinstance(max_examples, bool) or max_examples < 1
    ):
        msg = f"fuzz_contract(): max_examples={max_examples!r} must be a whole number >= 1"
        raise ValueError(msg)

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import strategies as st

        from pactdsl._mock import mock_provider

        if inspect.iscoroutinefunction(test):
            msg = f"fuzz_contract(): {test.__qualname__} is async; fuzz a sync test"
            raise TypeError(msg)
        signature = inspect.signature(test)
        wants_mock = MOCK_PARAMETER in signature.parameters
        kept = [p for p in signature.parameters.values() if p.name != MOCK_PARAMETER]
        data_parameter = inspect.Parameter("data", inspect.Parameter.KEYWORD_ONLY)

        @functools.wraps(test)
        def run(*args: Any, data: DataObject, **kwargs: Any) -> None:
            session = FuzzSession(data)
            token = ACTIVE_SESSION.set(session)
            try:
                with mock_provider(contract, port, interactions=interactions, fuzz=True) as mock:
                    if wants_mock:
                        kwargs[MOCK_PARAMETER] = mock
                    if port is None:
                        test(*args, **kwargs)  # served in-process, on this thread
                    else:
                        session.pump(lambda: test(*args, **kwargs))
            except BaseException as exc:
                exc.add_note(session.report())
                raise
            finally:
                ACTIVE_SESSION.reset(token)

        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*kept, data_parameter]
        )
        del run.__wrapped__  # hypothesis reads the signature above, not the test's
        options: dict[str, Any] = {
            "deadline": None,
            # The explain phase would point at our note-adding line: noise.
            "phases": [phase for phase in settings().phases if phase is not Phase.explain],
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        }
        if max_examples is not None:
            options["max_examples"] = max_examples
        fuzzed: Callable[..., None] = settings(**options)(given(data=st.data())(run))
        return fuzzed

    return decorate
