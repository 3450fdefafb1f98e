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
`import pactdsl` stays cheap: httpx, respx, sqlite3 and hypothesis are imported
only by the parts that need them. hypothesis is an extra (``pactdsl[fuzz]``):
without it, fuzzing and `pactdsl.strategies` raise `MissingExtra` saying so.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pactdsl._dsl import (
        Contract,
        InteractionBuilder,
        contract,
        contracts,
        define_contract,
        generate_pact,
        get_contract,
        interaction,
    )
    from pactdsl._errors import (
        ContractError,
        InvalidMatcher,
        MissingExtra,
        PactCompatibilityWarning,
        PactdslError,
        PactFileError,
        PactMergeWarning,
        PactSpecError,
    )
    from pactdsl._fuzz import fuzz_contract
    from pactdsl._limits import Limits
    from pactdsl._message_consumer import (
        HandledMessage,
        MessageConsumerError,
        MessageConsumerResult,
        verify_message_consumer,
    )
    from pactdsl._messages import message, sync_message
    from pactdsl._mock import (
        AmbiguousRequest,
        MissingRequest,
        MockCall,
        MockMismatchError,
        MockProvider,
        MockServerError,
        NearMiss,
        UnexpectedRequest,
        create_mock_provider,
        mock_provider,
        mock_request,
        verify_mock_interactions,
    )
    from pactdsl._model import (
        Body,
        Interaction,
        Message,
        MessageContents,
        Pact,
        PactSpec,
        ProviderState,
        Request,
        Response,
        SynchronousMessage,
    )
    from pactdsl._pactfile import load_pact
    from pactdsl._verify import (
        ContractVerificationResult,
        ErroredInteraction,
        FailedInteraction,
        InteractionResult,
        PassedInteraction,
        ProviderRequest,
        UnverifiedInteraction,
        VerificationConfigError,
        format_verification_report,
        verification_report_json,
        verification_report_junit,
        verify_provider,
    )
    from pactdsl.broker import (
        BrokerError,
        CanIDeployDecision,
        can_i_deploy,
        describe_version,
        publish,
        publish_verification_result,
        record_deployment,
        record_release,
        record_undeployment,
    )
    from pactdsl.matching import MatchingError, Mismatch

# Where each public name lives; `__getattr__` imports it on first access.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        [
            "Contract",
            "InteractionBuilder",
            "contract",
            "contracts",
            "define_contract",
            "generate_pact",
            "get_contract",
            "interaction",
        ],
        "pactdsl._dsl",
    ),
    **dict.fromkeys(
        [
            "ContractError",
            "InvalidMatcher",
            "MissingExtra",
            "PactCompatibilityWarning",
            "PactdslError",
            "PactMergeWarning",
            "PactFileError",
            "PactSpecError",
        ],
        "pactdsl._errors",
    ),
    **dict.fromkeys(
        [
            "AmbiguousRequest",
            "MissingRequest",
            "MockCall",
            "MockMismatchError",
            "MockProvider",
            "MockServerError",
            "NearMiss",
            "UnexpectedRequest",
            "create_mock_provider",
            "mock_provider",
            "mock_request",
            "verify_mock_interactions",
        ],
        "pactdsl._mock",
    ),
    **dict.fromkeys(
        ["Body", "Interaction", "Pact", "PactSpec", "ProviderState", "Request", "Response"],
        "pactdsl._model",
    ),
    "load_pact": "pactdsl._pactfile",
    "fuzz_contract": "pactdsl._fuzz",
    "Limits": "pactdsl._limits",
    **dict.fromkeys(
        [
            "HandledMessage",
            "MessageConsumerError",
            "MessageConsumerResult",
            "verify_message_consumer",
        ],
        "pactdsl._message_consumer",
    ),
    **dict.fromkeys(["message", "sync_message"], "pactdsl._messages"),
    **dict.fromkeys(["Message", "MessageContents", "SynchronousMessage"], "pactdsl._model"),
    **dict.fromkeys(
        [
            "ContractVerificationResult",
            "ErroredInteraction",
            "FailedInteraction",
            "InteractionResult",
            "PassedInteraction",
            "ProviderRequest",
            "UnverifiedInteraction",
            "VerificationConfigError",
            "format_verification_report",
            "verification_report_json",
            "verification_report_junit",
            "verify_provider",
        ],
        "pactdsl._verify",
    ),
    **dict.fromkeys(
        [
            "BrokerError",
            "CanIDeployDecision",
            "can_i_deploy",
            "publish",
            "publish_verification_result",
            "describe_version",
            "record_deployment",
            "record_release",
            "record_undeployment",
        ],
        "pactdsl.broker",
    ),
    **dict.fromkeys(["MatchingError", "Mismatch"], "pactdsl.matching"),
}

__all__ = [
    "AmbiguousRequest",
    "Body",
    "BrokerError",
    "CanIDeployDecision",
    "Contract",
    "ContractError",
    "ContractVerificationResult",
    "ErroredInteraction",
    "FailedInteraction",
    "HandledMessage",
    "Interaction",
    "InteractionBuilder",
    "InteractionResult",
    "InvalidMatcher",
    "Limits",
    "MatchingError",
    "Message",
    "MessageConsumerError",
    "MessageConsumerResult",
    "MessageContents",
    "Mismatch",
    "MissingExtra",
    "MissingRequest",
    "MockCall",
    "MockMismatchError",
    "MockProvider",
    "MockServerError",
    "NearMiss",
    "Pact",
    "PactCompatibilityWarning",
    "PactFileError",
    "PactMergeWarning",
    "PactSpec",
    "PactSpecError",
    "PactdslError",
    "PassedInteraction",
    "ProviderRequest",
    "ProviderState",
    "Request",
    "Response",
    "SynchronousMessage",
    "UnexpectedRequest",
    "UnverifiedInteraction",
    "VerificationConfigError",
    "can_i_deploy",
    "contract",
    "contracts",
    "create_mock_provider",
    "define_contract",
    "describe_version",
    "format_verification_report",
    "fuzz_contract",
    "generate_pact",
    "get_contract",
    "interaction",
    "load_pact",
    "message",
    "mock_provider",
    "mock_request",
    "publish",
    "publish_verification_result",
    "record_deployment",
    "record_release",
    "record_undeployment",
    "sync_message",
    "verification_report_json",
    "verification_report_junit",
    "verify_message_consumer",
    "verify_mock_interactions",
    "verify_provider",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        if isinstance(value, type) and value.__module__.startswith("pactdsl._"):
            # Reprs, tracebacks and docs say pactdsl.Contract, not pactdsl._dsl.Contract.
            value.__module__ = "pactdsl"
        # Not cached in globals(): a test harness that unloads pactdsl's submodules
        # (pytester in-process runs) must get the fresh objects, not stale ones.
        return value
    if name == "__version__":
        from pactdsl._version import version

        return version()
    msg = f"module 'pactdsl' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
