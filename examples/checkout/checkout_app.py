"""checkout-app: the consumer. It pays for a basket through payment-service."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Payment:
    """What checkout-app keeps of a payment."""

    id: str
    status: str


class PaymentDeclined(Exception):
    """payment-service refused the payment."""


class CheckoutClient:
    """The part of checkout-app that talks to payment-service."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout)

    def pay(self, amount: int, currency: str) -> Payment:
        """Charge `amount` (in cents) in `currency`; return the payment."""
        response = self._client.post("/payments", json={"amount": amount, "currency": currency})
        if response.status_code != 200:
            raise PaymentDeclined(f"payment-service answered {response.status_code}")
        data = response.json()
        return Payment(id=data["id"], status=data["status"])

    def close(self) -> None:
        self._client.close()
