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
"""

from __future__ import annotations

from typing import Any

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
    PactdslError,
    PactFileError,
    PactSpecError,
)
from pactdsl._model import (
    Body,
    Interaction,
    Pact,
    PactSpec,
    ProviderState,
    Request,
    Response,
)
from pactdsl._pactfile import load_pact

__all__ = [
    "Body",
    "Contract",
    "ContractError",
    "Interaction",
    "InteractionBuilder",
    "InvalidMatcher",
    "Pact",
    "PactFileError",
    "PactSpec",
    "PactSpecError",
    "PactdslError",
    "ProviderState",
    "Request",
    "Response",
    "contract",
    "contracts",
    "define_contract",
    "generate_pact",
    "get_contract",
    "interaction",
    "load_pact",
]

# Reprs, tracebacks and docs say pactdsl.Contract, not pactdsl._dsl.Contract.
for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and isinstance(_obj, type):
        _obj.__module__ = "pactdsl"
del _name, _obj


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from pactdsl._version import version

        return version()
    msg = f"module 'pactdsl' has no attribute {name!r}"
    raise AttributeError(msg)
