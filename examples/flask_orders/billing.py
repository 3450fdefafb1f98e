"""billing's handler of order-created events (in production, a Kafka consumer calls it)."""

INVOICES = []


def handle_order_created(contents, metadata):
    """Turn an order-created event into an invoice."""
    if metadata.get("topic") != "orders":
        raise ValueError(f"unexpected topic {metadata.get('topic')!r}")
    INVOICES.append({"order": contents["orderId"], "amount": contents["total"]})
