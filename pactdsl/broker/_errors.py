"""The errors of the broker room.

    PactdslError
    ├── BrokerError(RuntimeError)            anything the broker room cannot do
    │   ├── BrokerHTTPError                  the Pact Broker answered with an error status
    │   ├── BrokerUnavailable(ConnectionError)  no answer, even after retries
    │   ├── BrokerLookupError(LookupError)   no such pacticipant, version, pact or environment
    │   ├── PactConflictError(ValueError)    a version re-published with different content
    │   └── ProviderContractError(ValueError)  a provider contract document that cannot be stored
    └── InvalidSelector(ValueError)          a consumer version selector that cannot work

They live apart from the brokers so that each broker, and the package that
chooses between them, can raise and catch them without importing the others.
"""

from __future__ import annotations

from pactdsl._errors import PactdslError

__all__ = [
    "BrokerError",
    "BrokerHTTPError",
    "BrokerLookupError",
    "BrokerUnavailable",
    "InvalidSelector",
    "PactConflictError",
    "ProviderContractError",
]


class BrokerError(PactdslError, RuntimeError):
    """A broker (local or Pact Broker) could not do what was asked."""


class BrokerHTTPError(BrokerError):
    """The Pact Broker answered with an error status (after any retries).

    Attributes:
        status: The HTTP status code.
        method: The request method.
        url: The request URL, without credentials.
    """

    def __init__(self, message: str, *, status: int, method: str, url: str) -> None:
        self.status = status
        self.method = method
        self.url = url
        super().__init__(message)


class BrokerUnavailable(BrokerError, ConnectionError):
    """The Pact Broker could not be reached, even after retries."""


class BrokerLookupError(BrokerError, LookupError):
    """A pacticipant, version, pact or environment the call names does not exist."""


class PactConflictError(BrokerError, ValueError):
    """A version was published again with different content: a pact, or a provider contract."""


class ProviderContractError(BrokerError, ValueError):
    """A provider contract cannot be published: its document is unreadable or not OpenAPI."""


class InvalidSelector(PactdslError, ValueError):
    """A consumer version selector names an unknown field, a wrong value or a clash."""
