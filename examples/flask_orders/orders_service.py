"""The orders service: a Flask app, its Kafka event producer, and its Pact test endpoints.

`/_pact/state` (provider states) and `/_pact/messages` (the message proxy other
Pact verifiers use) exist only when the app is built with `testing=True`.
"""

import base64
import json

from flask import Flask, Response, jsonify, request

ORDERS = {}


def order_created_event(order_id):
    """The event published when an order is created: (contents, Kafka metadata)."""
    order = ORDERS[order_id]
    contents = {"orderId": order["id"], "total": order["total"], "currency": "EUR"}
    return contents, {"topic": "orders", "kafka_key": f"order-{order['id']}"}


def set_up_state(state, params=None):
    """Put the service in a provider state (also called by the state-change endpoint)."""
    ORDERS.clear()
    if state == "order 1 exists":
        ORDERS[1] = {"id": 1, "status": "created", "total": 25}


# For `pactdsl verify --message-producers orders_service:MESSAGE_PRODUCERS`.
MESSAGE_PRODUCERS = {"an order created event": lambda: order_created_event(1)}


def create_app(testing=False):
    app = Flask(__name__)

    @app.get("/orders/<int:order_id>")
    def get_order(order_id):
        order = ORDERS.get(order_id)
        if order is None:
            return jsonify({"error": "no such order"}), 404
        return jsonify(order)

    @app.post("/orders")
    def create_order():
        asked = request.get_json()
        order_id = max(ORDERS, default=1) + 1
        ORDERS[order_id] = {"id": order_id, "status": "created", "total": 10 * asked["quantity"]}
        return jsonify({"id": order_id, "status": "created"}), 201

    if testing:

        @app.post("/_pact/state")
        def change_state():
            asked = request.get_json()
            if asked.get("action", "setup") == "setup":
                set_up_state(asked["state"], asked.get("params"))
            return jsonify({})

        @app.post("/_pact/messages")
        def produce_message():
            asked = request.get_json()
            for state in asked.get("providerStates", []):
                set_up_state(state["name"], state.get("params"))
            if asked["description"] != "an order created event":
                return jsonify({"error": f"no message {asked['description']!r}"}), 404
            contents, metadata = order_created_event(1)
            encoded = base64.b64encode(json.dumps(metadata).encode()).decode()
            return Response(
                json.dumps(contents),
                content_type="application/json",
                headers={"Pact-Message-Metadata": encoded},
            )

    return app


app = create_app(testing=True)
