"""order-web's client of the orders service, written with `requests`."""

import requests


class OrderClient:
    """Reads and creates orders at `base_url`."""

    def __init__(self, base_url, session=None):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()

    def get_order(self, order_id):
        answer = self.session.get(f"{self.base_url}/orders/{order_id}", timeout=10)
        answer.raise_for_status()
        return answer.json()

    def create_order(self, sku, quantity):
        answer = self.session.post(
            f"{self.base_url}/orders", json={"sku": sku, "quantity": quantity}, timeout=10
        )
        answer.raise_for_status()
        return answer.json()["id"]
