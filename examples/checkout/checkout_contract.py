"""The contract between checkout-app (consumer) and payment-service (provider).

This is the seed's `define-contract payment-service-contract`, in Python.
"""

from pactdsl import contract, interaction
from pactdsl.match import type_of


@contract(consumer="checkout-app", provider="payment-service")
def payment_service_contract():
    yield (
        interaction("process payment")
        .given("user has valid payment method")
        .request(method="POST", path="/payments", body={"amount": 1000, "currency": "USD"})
        .responds(status=200, body={"id": type_of(str), "status": "success"})
    )
