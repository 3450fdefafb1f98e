"""The orders service's contracts: its HTTP API (for order-web) and its events (for billing)."""

from pactdsl import contract, interaction, message
from pactdsl.match import integer, like, regex


@contract(consumer="order-web", provider="orders")
def orders_api():
    """order-web reads and creates orders over HTTP (a `requests` client)."""
    yield (
        interaction("get order 1")
        .given("order 1 exists")
        .request(method="GET", path="/orders/1")
        .responds(
            status=200,
            body={"id": integer(1), "status": regex(r"created|paid", "created"), "total": 25},
        )
    )
    yield (
        interaction("create an order")
        .request(method="POST", path="/orders", body={"sku": "A-1", "quantity": 2})
        .responds(status=201, body={"id": integer(2), "status": "created"})
    )


@contract(consumer="billing", provider="orders")
def order_events():
    """billing consumes the order-created events orders publishes on Kafka."""
    yield (
        message("an order created event")
        .given("order 1 exists")
        .with_content(
            {"orderId": integer(1), "total": integer(25), "currency": like("EUR")},
            metadata={"topic": "orders", "kafka_key": like("order-1")},
        )
    )
