"""Consumer side: billing handles the order-created events the contract describes.

The `pact_messages` fixture feeds each message of the marked contract to the
handler; when the test passes, pytest writes pacts/billing-orders.json.
"""

import pytest
from billing import INVOICES, handle_order_created
from orders_contract import order_events


@pytest.mark.pact(order_events)
def test_billing_invoices_each_order_created_event(pact_messages):
    INVOICES.clear()
    pact_messages(handle_order_created)
    assert INVOICES == [{"order": 1, "amount": 25}]
