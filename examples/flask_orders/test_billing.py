"""Consumer side: billing handles the order-created events the contract describes."""

from billing import INVOICES, handle_order_created
from orders_contract import order_events

from pactdsl import verify_message_consumer


def test_billing_invoices_each_order_created_event():
    INVOICES.clear()
    verify_message_consumer(order_events, handle_order_created).raise_for_failures()
    assert INVOICES == [{"order": 1, "amount": 25}]
