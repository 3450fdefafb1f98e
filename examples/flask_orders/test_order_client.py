"""Consumer side: order-web's `requests` client against the mock orders service.

`requests` needs a real socket: this folder's pytest.ini sets `pact_port = 0`, the
markers' default port (a marker may say `port=0` itself). When every test of the
contract passes, pytest writes pacts/order-web-orders.json at the end.
"""

import pytest
from order_client import OrderClient
from orders_contract import orders_api


@pytest.mark.pact(orders_api, interactions="get order 1")
def test_reads_an_order(pact_mock):
    order = OrderClient(pact_mock.url).get_order(1)
    assert order["status"] in ("created", "paid")


@pytest.mark.pact(orders_api, interactions="create an order")
def test_creates_an_order(pact_mock):
    assert isinstance(OrderClient(pact_mock.url).create_order("A-1", 2), int)
