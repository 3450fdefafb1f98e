"""Consumer side: checkout-app against a mock payment-service.

The `pact_mock` fixture serves the contract; when every test of the contract
passes, pytest writes pacts/checkout-app-payment-service.json at the end.
"""

import pytest
from checkout_app import CheckoutClient
from checkout_contract import payment_service_contract


@pytest.mark.pact(payment_service_contract)
def test_checkout_pays_for_the_basket(pact_mock):
    client = CheckoutClient(pact_mock.url)
    payment = client.pay(1000, "USD")
    assert payment.status == "success"
    assert isinstance(payment.id, str)
