"""pactdsl: consumer-driven contract testing with Pact, in pure Python.

Declare a contract, write its pact file, test the consumer against a mock
provider and verify the provider, all from Python:

```python
from pactdsl import contract, generate_pact, interaction
from pactdsl.match import type_of

@contract(consumer="checkout-app", provider="payment-service")
def payment_service_contract():
    yield (
        interaction("process payment")
        .given("user has valid payment method")
        .request(method="POST", path="/payments", body={"amount": 1000, "currency": "USD"})
        .responds(status=200, body={"id": type_of(str), "status": "success"})
    )

generate_pact(payment_service_contract, output="pacts/")
```

Public names load on first use (as attrs does for its submodules), so
`import pactdsl` stays cheap: httpx, sqlite3 and hypothesis are imported
only by the parts that need them. hypothesis is an extra (``pactdsl[fuzz]``):
without it, fuzzing and `pactdsl.strategies` raise `MissingExtra` saying so.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    # For type checkers, which cannot read the table below; `X as X` re-exports each
    # name under mypy's strict mode. tests/test_public_api.py holds it equal to the table.
    from pactdsl._dsl import Contract as Contract
    from pactdsl._dsl import InteractionBuilder as InteractionBuilder
    from pactdsl._dsl import contract as contract
    from pactdsl._dsl import contracts as contracts
    from pactdsl._dsl import define_contract as define_contract
    from pactdsl._dsl import generate_pact as generate_pact
    from pactdsl._dsl import get_contract as get_contract
    from pactdsl._dsl import interaction as interaction
    from pactdsl._errors import ContractError as ContractError
    from pactdsl._errors import InvalidMatcher as InvalidMatcher
    from pactdsl._errors import MissingExtra as MissingExtra
    from pactdsl._errors import PactCompatibilityWarning as PactCompatibilityWarning
    from pactdsl._errors import PactdslError as PactdslError
    from pactdsl._errors import PactFileError as PactFileError
    from pactdsl._errors import PactMergeWarning as PactMergeWarning
    from pactdsl._errors import PactSpecError as PactSpecError
    from pactdsl._fuzz import fuzz_contract as fuzz_contract
    from pactdsl._limits import Limits as Limits
    from pactdsl._message_consumer import HandledMessage as HandledMessage
    from pactdsl._message_consumer import MessageConsumerError as MessageConsumerError
    from pactdsl._message_consumer import MessageConsumerResult as MessageConsumerResult
    from pactdsl._message_consumer import verify_message_consumer as verify_message_consumer
    from pactdsl._messages import message as message
    from pactdsl._messages import sync_message as sync_message
    from pactdsl._mock import AmbiguousRequest as AmbiguousRequest
    from pactdsl._mock import MissingRequest as MissingRequest
    from pactdsl._mock import MockCall as MockCall
    from pactdsl._mock import MockMismatchError as MockMismatchError
    from pactdsl._mock import MockProvider as MockProvider
    from pactdsl._mock import MockServerError as MockServerError
    from pactdsl._mock import NearMiss as NearMiss
    from pactdsl._mock import UnexpectedRequest as UnexpectedRequest
    from pactdsl._mock import create_mock_provider as create_mock_provider
    from pactdsl._mock import mock_provider as mock_provider
    from pactdsl._mock import mock_request as mock_request
    from pactdsl._mock import verify_mock_interactions as verify_mock_interactions
    from pactdsl._model import Body as Body
    from pactdsl._model import Interaction as Interaction
    from pactdsl._model import Message as Message
    from pactdsl._model import MessageContents as MessageContents
    from pactdsl._model import Pact as Pact
    from pactdsl._model import PactSpec as PactSpec
    from pactdsl._model import ProviderState as ProviderState
    from pactdsl._model import Request as Request
    from pactdsl._model import Response as Response
    from pactdsl._model import SynchronousMessage as SynchronousMessage
    from pactdsl._pactfile import load_pact as load_pact
    from pactdsl._verify import ContractVerificationResult as ContractVerificationResult
    from pactdsl._verify import ErroredInteraction as ErroredInteraction
    from pactdsl._verify import FailedInteraction as FailedInteraction
    from pactdsl._verify import InteractionResult as InteractionResult
    from pactdsl._verify import PassedInteraction as PassedInteraction
    from pactdsl._verify import ProviderRequest as ProviderRequest
    from pactdsl._verify import UnverifiedInteraction as UnverifiedInteraction
    from pactdsl._verify import VerificationConfigError as VerificationConfigError
    from pactdsl._verify import format_verification_report as format_verification_report
    from pactdsl._verify import verification_report_json as verification_report_json
    from pactdsl._verify import verification_report_junit as verification_report_junit
    from pactdsl._verify import verify_provider as verify_provider
    from pactdsl.broker import BrokerError as BrokerError
    from pactdsl.broker import CanIDeployDecision as CanIDeployDecision
    from pactdsl.broker import can_i_deploy as can_i_deploy
    from pactdsl.broker import describe_version as describe_version
    from pactdsl.broker import publish as publish
    from pactdsl.broker import publish_provider_contract as publish_provider_contract
    from pactdsl.broker import publish_verification_result as publish_verification_result
    from pactdsl.broker import record_deployment as record_deployment
    from pactdsl.broker import record_release as record_release
    from pactdsl.broker import record_undeployment as record_undeployment
    from pactdsl.matching import MatchingError as MatchingError
    from pactdsl.matching import Mismatch as Mismatch

# The public API, one row per name: the module it is imported from on first use.
# `__all__`, the lazy loader and the names that say `pactdsl` all come from here.
_PUBLIC: Final[dict[str, str]] = {
    "AmbiguousRequest": "pactdsl._mock",
    "Body": "pactdsl._model",
    "BrokerError": "pactdsl.broker",
    "CanIDeployDecision": "pactdsl.broker",
    "Contract": "pactdsl._dsl",
    "ContractError": "pactdsl._errors",
    "ContractVerificationResult": "pactdsl._verify",
    "ErroredInteraction": "pactdsl._verify",
    "FailedInteraction": "pactdsl._verify",
    "HandledMessage": "pactdsl._message_consumer",
    "Interaction": "pactdsl._model",
    "InteractionBuilder": "pactdsl._dsl",
    "InteractionResult": "pactdsl._verify",
    "InvalidMatcher": "pactdsl._errors",
    "Limits": "pactdsl._limits",
    "MatchingError": "pactdsl.matching",
    "Message": "pactdsl._model",
    "MessageConsumerError": "pactdsl._message_consumer",
    "MessageConsumerResult": "pactdsl._message_consumer",
    "MessageContents": "pactdsl._model",
    "Mismatch": "pactdsl.matching",
    "MissingExtra": "pactdsl._errors",
    "MissingRequest": "pactdsl._mock",
    "MockCall": "pactdsl._mock",
    "MockMismatchError": "pactdsl._mock",
    "MockProvider": "pactdsl._mock",
    "MockServerError": "pactdsl._mock",
    "NearMiss": "pactdsl._mock",
    "Pact": "pactdsl._model",
    "PactCompatibilityWarning": "pactdsl._errors",
    "PactFileError": "pactdsl._errors",
    "PactMergeWarning": "pactdsl._errors",
    "PactSpec": "pactdsl._model",
    "PactSpecError": "pactdsl._errors",
    "PactdslError": "pactdsl._errors",
    "PassedInteraction": "pactdsl._verify",
    "ProviderRequest": "pactdsl._verify",
    "ProviderState": "pactdsl._model",
    "Request": "pactdsl._model",
    "Response": "pactdsl._model",
    "SynchronousMessage": "pactdsl._model",
    "UnexpectedRequest": "pactdsl._mock",
    "UnverifiedInteraction": "pactdsl._verify",
    "VerificationConfigError": "pactdsl._verify",
    "can_i_deploy": "pactdsl.broker",
    "contract": "pactdsl._dsl",
    "contracts": "pactdsl._dsl",
    "create_mock_provider": "pactdsl._mock",
    "define_contract": "pactdsl._dsl",
    "describe_version": "pactdsl.broker",
    "format_verification_report": "pactdsl._verify",
    "fuzz_contract": "pactdsl._fuzz",
    "generate_pact": "pactdsl._dsl",
    "get_contract": "pactdsl._dsl",
    "interaction": "pactdsl._dsl",
    "load_pact": "pactdsl._pactfile",
    "message": "pactdsl._messages",
    "mock_provider": "pactdsl._mock",
    "mock_request": "pactdsl._mock",
    "publish": "pactdsl.broker",
    "publish_provider_contract": "pactdsl.broker",
    "publish_verification_result": "pactdsl.broker",
    "record_deployment": "pactdsl.broker",
    "record_release": "pactdsl.broker",
    "record_undeployment": "pactdsl.broker",
    "sync_message": "pactdsl._messages",
    "verification_report_json": "pactdsl._verify",
    "verification_report_junit": "pactdsl._verify",
    "verify_message_consumer": "pactdsl._message_consumer",
    "verify_mock_interactions": "pactdsl._mock",
    "verify_provider": "pactdsl._verify",
}

__all__ = list(_PUBLIC)

_EXPORTS_OF: Final[dict[str, list[str]]] = {}
for _name, _module in _PUBLIC.items():
    _EXPORTS_OF.setdefault(_module, []).append(_name)


def _claim_exports(module: types.ModuleType) -> None:
    """Make the objects `module` exports through pactdsl say so in reprs, tracebacks and pickles."""
    for name in _EXPORTS_OF.get(module.__name__, ()):
        getattr(module, name).__module__ = "pactdsl"


class _Package(types.ModuleType):
    """The pactdsl package: claims each submodule's exports as soon as it is loaded."""

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        # The import system binds pactdsl.<submodule> once that submodule has run, so this
        # holds however the submodule was reached (`import pactdsl._errors` first, too).
        if isinstance(value, types.ModuleType):
            _claim_exports(value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        # Not cached in globals(): a test harness that unloads pactdsl's submodules
        # (pytester in-process runs) must get the fresh objects, not stale ones.
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    if name == "__version__":
        from pactdsl._version import version

        return version()
    msg = f"module 'pactdsl' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
