"""A session with a Pact Broker's HAL API: requests with retries and auth, and relations.

It starts at the index resource (``GET /``) and follows ``_links`` relations
rather than hard-coding paths, as the official clients do. Templated hrefs are
expanded with RFC 6570 simple string expansion (``{name}``), hand-written
here because the broker uses nothing more.

Failures with 5xx, 408 or 429, and failed connections, are retried with
exponential back-off (honouring ``Retry-After``). Credentials travel only to
the broker's own origin and are cut out of every log line and message.

Requests go through `pactdsl._http.JsonHttpClient` (through a proxy when one
is given or the environment names one), so this module never sees how they
are sent; it decides what to send, to whom, and how often.
"""

from __future__ import annotations

import base64
import datetime as _dt
import email.utils
import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from pactdsl._http import JsonHttpClient, RawResponse, TransportFailure, refuse_transport
from pactdsl.broker._config import BrokerAuth, split_credentials
from pactdsl.broker._errors import (
    BrokerError,
    BrokerHTTPError,
    BrokerLookupError,
    BrokerUnavailable,
    PactConflictError,
)
from pactdsl.broker._hal_read import entity_pacticipant

__all__ = ["HalSession", "expand_href"]

logger = logging.getLogger("pactdsl.broker")

HAL_JSON = "application/hal+json"
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_TEMPLATE_VARIABLE = re.compile(r"\{([A-Za-z0-9_.%]+)\}")
_BODY_EXCERPT = 400


def expand_href(href: str, variables: Mapping[str, str]) -> str:
    """Expand ``{name}`` placeholders of a templated HAL href (RFC 6570 level 1).

    Each value is percent-encoded completely (``/`` too), as simple string
    expansion requires.

    Raises:
        BrokerError: naming a placeholder that `variables` does not provide.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            msg = (
                f"href {href!r} needs {{{name}}} but only {sorted(variables)} were given; "
                "the broker's relation has a different shape than expected"
            )
            raise BrokerError(msg)
        return quote(str(variables[name]), safe="")

    return _TEMPLATE_VARIABLE.sub(replace, href)


class HalSession:
    """Requests to one Pact Broker, retried and authenticated, and its HAL relations.

    `PactBrokerClient` builds the broker's operations on it; its arguments
    are documented there.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: BrokerAuth | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        max_delay: float = 30.0,
        timeout: float = 30.0,
        proxy: str | None = None,
        transport: object | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        refuse_transport(transport)
        clean, user, password = split_credentials(base_url.strip())
        if not clean.startswith(("http://", "https://")):
            msg = f"base_url={clean!r} must be an http:// or https:// URL of a Pact Broker"
            raise ValueError(msg)
        if auth is None or auth.kind == "none":
            auth = (
                BrokerAuth(username=user, password=password) if user or password else BrokerAuth()
            )
        if retries < 0 or backoff < 0 or max_delay < 0:
            msg = f"{retries=}, {backoff=} and {max_delay=} must not be negative"
            raise ValueError(msg)
        self.base_url = clean
        self.auth = auth
        self.retries = retries
        self.backoff = backoff
        self.max_delay = max_delay
        self._sleep = sleep
        self._origin = _origin(clean)
        self._http = JsonHttpClient(timeout=timeout, proxy=proxy, follow_redirects=False)
        self._index: dict[str, Any] | None = None

    def close(self) -> None:
        """Release the client's connections."""
        self._http.close()

    # -- HTTP ------------------------------------------------------------------------

    def _url(self, href: str) -> str:
        if href.startswith(("http://", "https://")):
            return href
        return self.base_url + "/" + href.lstrip("/")

    def _headers(self, url: str, *, content_type: str | None) -> dict[str, str]:
        headers = {"Accept": HAL_JSON}
        if content_type:
            headers["Content-Type"] = content_type
        # Credentials go to the broker's own origin only, never to a host a
        # link happens to point at.
        if _origin(url) == self._origin:
            if self.auth.kind == "bearer":
                headers["Authorization"] = f"Bearer {self.auth.token}"
            elif self.auth.kind == "basic":
                pair = f"{self.auth.username or ''}:{self.auth.password or ''}"
                headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return headers

    def _delay(self, attempt: int, response: RawResponse | None) -> float:
        delay = self.backoff * (2**attempt)
        if response is not None:
            retry_after = _retry_after_seconds(response.header("Retry-After"))
            if retry_after is not None:
                delay = retry_after
        return float(min(delay, self.max_delay))

    def request(
        self,
        method: str,
        href: str,
        *,
        body: Any = None,
        params: Sequence[tuple[str, str]] | None = None,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        """Send one request to the broker (retrying as configured); return its JSON.

        Args:
            method: The HTTP method.
            href: An absolute URL or a path below `base_url`.
            body: A JSON-able body, or None for none.
            params: Query parameters, in order (repeats allowed).
            content_type: The body's media type (``application/merge-patch+json``
                for a PATCH).

        Raises:
            BrokerHTTPError: for an error status after the retries.
            PactConflictError: for 409 Conflict.
            BrokerUnavailable: when the broker never answered.
        """
        url = self._url(href)
        content = None if body is None else json.dumps(body).encode("utf-8")
        headers = self._headers(url, content_type=content_type if content is not None else None)
        shown = self.auth.redact(url)
        attempt = 0
        while True:
            response: RawResponse | None = None
            try:
                response = self._http.send(
                    method, url, headers=headers, content=content, params=params
                )
            except TransportFailure as exc:
                if not exc.retryable or attempt >= self.retries:
                    problem = self.auth.redact(exc.detail)
                    tries = f"after {attempt + 1} attempts " if attempt else ""
                    msg = (
                        f"{method} {shown} failed {tries}({problem}); "
                        "check that PACT_BROKER_BASE_URL points at a running Pact Broker"
                    )
                    raise BrokerUnavailable(msg) from None
                logger.info("%s %s: no answer (%s), retrying", method, shown, exc.reason)
            else:
                logger.debug("%s %s -> %s", method, shown, response.status)
                if response.status not in _RETRY_STATUSES or attempt >= self.retries:
                    return self._answer(method, shown, response)
                logger.info("%s %s -> %s, retrying", method, shown, response.status)
            self._sleep(self._delay(attempt, response))
            attempt += 1

    def _answer(self, method: str, shown: str, response: RawResponse) -> dict[str, Any]:
        status = response.status
        if 200 <= status < 300:
            if not response.body:
                return {}
            try:
                data = response.json()
            except ValueError:
                msg = (
                    f"{method} {shown} answered {status} with a body that is not JSON: "
                    f"{self._excerpt(response)}"
                )
                raise BrokerHTTPError(msg, status=status, method=method, url=shown) from None
            return data if isinstance(data, dict) else {"value": data}
        hint = {
            401: "check PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD",
            403: "the credentials lack permission for this; check the token's role",
            404: "the broker does not know this resource",
            409: "the broker refuses a conflicting change",
        }.get(status, "see the broker's answer above")
        msg = (
            f"{method} {shown} answered {status} {response.reason}: "
            f"{self._excerpt(response)}; {hint}"
        )
        if status == 409:
            raise PactConflictError(msg)
        raise BrokerHTTPError(msg, status=status, method=method, url=shown)

    def _excerpt(self, response: RawResponse) -> str:
        text = response.text.strip() or "(empty body)"
        if len(text) > _BODY_EXCERPT:
            text = text[:_BODY_EXCERPT] + "..."
        return self.auth.redact(text)

    # -- HAL -------------------------------------------------------------------------

    def index(self) -> dict[str, Any]:
        """The broker's index resource (fetched once, then kept)."""
        if self._index is None:
            self._index = self.request("GET", "/")
        return self._index

    def _relation(self, resource: Mapping[str, Any], relation: str, what: str) -> Any:
        links = resource.get("_links", {})
        if not isinstance(links, Mapping) or relation not in links:
            have = sorted(links) if isinstance(links, Mapping) else []
            msg = (
                f"the broker's {what} has no {relation!r} relation (it has {have}); "
                "the broker may be too old for this operation: upgrade it"
            )
            raise BrokerError(msg)
        return links[relation]

    def _index_href(self, relation: str, **variables: str) -> str:
        link = self._relation(self.index(), relation, "index resource")
        href = link.get("href") if isinstance(link, Mapping) else None
        if not isinstance(href, str):
            msg = f"the index relation {relation!r} has no href: {link!r}"
            raise BrokerError(msg)
        return expand_href(href, variables)

    # -- resources the operations share ---------------------------------------------

    def _version_resource(self, pacticipant: str, version: str) -> dict[str, Any]:
        href = self._index_href("pb:pacticipant-version", pacticipant=pacticipant, version=version)
        try:
            return self.request("GET", href)
        except BrokerHTTPError as exc:
            if exc.status != 404:
                raise
            msg = (
                f"version={version!r} of pacticipant={pacticipant!r} is unknown to the broker "
                f"at {self.base_url}; only versions that published pacts or verification "
                "results are known"
            )
            raise BrokerLookupError(msg) from None

    def _environment_action(
        self, relation: str, doing: str, pacticipant: str, version: str, environment: str
    ) -> str:
        """The href of the version resource's `relation` link named `environment`."""
        resource = self._version_resource(pacticipant, version)
        links = self._relation(resource, relation, f"{pacticipant} {version}")
        links = links if isinstance(links, list) else [links]
        target = next(
            (
                link["href"]
                for link in links
                if isinstance(link, Mapping)
                and link.get("name") == environment
                and isinstance(link.get("href"), str)
            ),
            None,
        )
        if target is None:
            names = [link.get("name") for link in links if isinstance(link, Mapping)]
            msg = (
                f"environment={environment!r} is not offered for {doing} {pacticipant} "
                f"{version} (offered: {names}); create it on the broker first"
            )
            raise BrokerLookupError(msg)
        return str(target)

    def _environment_resource(self, environment: str) -> Mapping[str, Any]:
        answer = self.request("GET", self._index_href("pb:environments"))
        # The list names each environment in its links (as the official client
        # reads it) and embeds each one; either will do.
        linked = answer.get("_links", {}).get("pb:environments", [])
        linked = linked if isinstance(linked, list) else [linked]
        link = next(
            (
                item
                for item in linked
                if isinstance(item, Mapping)
                and item.get("name") == environment
                and isinstance(item.get("href"), str)
            ),
            None,
        )
        if link is not None:
            return self.request("GET", str(link["href"]))
        items = [
            item
            for item in answer.get("_embedded", {}).get("environments", [])
            if isinstance(item, Mapping)
        ]
        found = next((item for item in items if item.get("name") == environment), None)
        if found is None:
            names = sorted(
                {str(item.get("name")) for item in [*items, *linked] if isinstance(item, Mapping)}
            )
            msg = (
                f"environment={environment!r} does not exist on the broker (known: "
                f"{names or 'none'}); create it first with create_environment({environment!r})"
            )
            raise BrokerLookupError(msg)
        links = found.get("_links", {})
        if "pb:currently-deployed-deployed-versions" in links:
            return found
        self_link = links.get("self", {}).get("href") if isinstance(links, Mapping) else None
        if not isinstance(self_link, str):
            msg = f"the broker's environment {environment!r} has no self link: {found!r}"
            raise BrokerError(msg)
        return self.request("GET", self_link)

    def _currently_in(
        self, environment: Mapping[str, Any], relation: str, key: str, pacticipant: str
    ) -> list[Mapping[str, Any]]:
        link = self._relation(environment, relation, f"environment {environment.get('name')!r}")
        href = link.get("href") if isinstance(link, Mapping) else None
        if not isinstance(href, str):
            msg = f"the environment relation {relation!r} has no href: {link!r}"
            raise BrokerError(msg)
        answer = self.request("GET", href, params=[("pacticipant", pacticipant)])
        return [
            entity
            for entity in answer.get("_embedded", {}).get(key, [])
            if isinstance(entity, Mapping) and entity_pacticipant(entity) in (pacticipant, None)
        ]


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return max(0.0, (when - _dt.datetime.now(_dt.UTC)).total_seconds())
