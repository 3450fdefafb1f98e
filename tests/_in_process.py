"""Sending one request to an in-process app through the verifier's own transport."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pytest

from pactdsl import Limits, define_contract, interaction
from pactdsl._dsl import Contract
from pactdsl._http import RawResponse, TransportFailure, open_transport
from pactdsl._limits import limits_in_force

CAP = 64 * 1024
"""The body cap (Limits.max_body_bytes) the requests are sent under."""


def exchange(
    app: Any,
    method: str,
    path: str,
    *,
    query: Sequence[tuple[str, str]] = (),
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    timeout: float = 5.0,
    follow_redirects: bool | Literal["any-origin"] = False,
    response_seconds: float = 60.0,
) -> RawResponse:
    """Send one request to `app` as the verifier does (lifespan included), body cap `CAP`."""
    with limits_in_force(Limits(max_body_bytes=CAP, response_seconds=response_seconds)):
        transport = open_transport(
            base_url=None,
            app=app,
            timeout=timeout,
            follow_redirects=follow_redirects,
            verify_tls=True,
        )
    try:
        transport.start()
        return transport.send(method, transport.url_for(path, query), list(headers), body)
    finally:
        transport.close()


def failure(app: Any, path: str = "/x", **options: Any) -> TransportFailure:
    """The TransportFailure a GET of `path` to `app` ends in."""
    with pytest.raises(TransportFailure) as caught:
        exchange(app, "GET", path, **options)
    return caught.value


def item_contract(body: dict[str, Any]) -> Contract:
    """A one-interaction contract: GET /items/café?tag=a&tag=b answers 200 with `body`."""
    return define_contract(
        "shop",
        consumer="web",
        provider="api",
        interactions=[
            interaction("an item")
            .request(method="GET", path="/items/caf\u00e9", query={"tag": ["a", "b"]})
            .responds(status=200, body=body)
        ],
    )
