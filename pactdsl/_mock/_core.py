"""The mock provider's core: one `handle(request) -> response` over the matching engine.

The core knows nothing of sockets or httpx: `_httpx.py` (in-process) and
`_server.py` (a real port) turn what they receive into a `MockRequest`, call
`MockCore.handle`, and send back the `MockResponse`. Everything else lives here:
choosing the interaction, building its response, recording the call, and the
verification report (whose problem types are in `_problems.py`). It loads no
HTTP library: requests become Pact JSON through `pactdsl._http_json`.
"""

from __future__ import annotations

import collections
import contextlib
import json
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from pactdsl._errors import PactdslError
from pactdsl._generators import GeneratorContext, ProviderState, apply_generators
from pactdsl._http_json import actual_request_json, body_bytes, decoded_body, expected_request_json
from pactdsl._limits import DEFAULT_LIMITS, Limits, limits_in_force
from pactdsl._mock._problems import (
    AmbiguousRequest,
    MissingRequest,
    MockProblem,
    NearMiss,
    UnexpectedRequest,
    UnhandledRequest,
    problem_lines,
    states_text,
)
from pactdsl._model import Interaction, Pact, infer_content_type
from pactdsl.matching import MatchingError, Mismatch, match_request

__all__ = [
    "MockCall",
    "MockCore",
    "MockRequest",
    "MockResponse",
    "MockServerError",
    "ResponseFactory",
    "problem_lines",  # where the CLI has always imported it from
    "select_interactions",
]

ResponseFactory = Callable[[Interaction], tuple[int, Mapping[str, Any], bytes]]
"""Makes the response for a matched interaction: ``(status, headers, body)``.

Headers map a name to a string or a list of strings.
"""


class MockServerError(PactdslError, OSError):
    """The mock provider's server could not start (for example, the port is busy)."""


@attrs.frozen
class MockRequest:
    """A request as the mock provider receives it, whatever carried it."""

    method: str
    path: str
    query_string: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    problem: str | None = None
    """Why the carrier could not read the request whole (a bad body, say), or None."""


@attrs.frozen
class MockResponse:
    """A response as the mock provider answers; the carrier adds Content-Length."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@attrs.frozen
class MockCall:
    """One request the mock received, what it matched and what it answered.

    Attributes:
        request: The request as V4 Pact JSON (method, path, query, headers, body).
        interaction: The interaction served, or None when nothing (or more than
            one interaction) matched.
        response: The response sent.
        problem: Why no interaction was served, when none was.
    """

    request: dict[str, Any]
    interaction: Interaction | None
    response: MockResponse
    problem: UnexpectedRequest | AmbiguousRequest | UnhandledRequest | None = None


def _as_names(value: str | Iterable[str] | None, argument: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = (value,) if isinstance(value, str) else tuple(value)
    for name in names:
        if not isinstance(name, str):
            msg = f"{argument}={value!r}: give a string or a list of strings"
            raise TypeError(msg)
    return names


def select_interactions(
    pact: Pact,
    interactions: str | Iterable[str] | None = None,
    given: str | Iterable[str] | None = None,
) -> tuple[Interaction, ...]:
    """The interactions a mock serves: by description and/or provider state.

    Args:
        pact: The pact to choose from.
        interactions: One description or several; None keeps all.
        given: One provider-state name or several; an interaction is kept when
            one of its states is named. None keeps all.

    Raises:
        ValueError: naming a description or state that does not exist, or a
            choice that leaves nothing to serve.
    """
    descriptions = _as_names(interactions, "interactions")
    states = _as_names(given, "given")
    http = pact.http_interactions  # messages are not served over HTTP
    known = [i.description for i in http]
    chosen = list(http)
    if descriptions is not None:
        unknown = [d for d in descriptions if d not in known]
        if unknown:
            msg = (
                f"interactions={list(descriptions)!r}: no interaction {unknown[0]!r} in "
                f"{pact.consumer}-{pact.provider}; known descriptions: {known}"
            )
            raise ValueError(msg)
        chosen = [i for i in chosen if i.description in descriptions]
    if states is not None:
        known_states = sorted({s.name for i in http for s in i.provider_states})
        unknown = [s for s in states if s not in known_states]
        if unknown:
            msg = (
                f"given={list(states)!r}: no interaction of {pact.consumer}-{pact.provider} "
                f"has the provider state {unknown[0]!r}; known states: {known_states}"
            )
            raise ValueError(msg)
        chosen = [i for i in chosen if any(s.name in states for s in i.provider_states)]
    if not http:
        msg = (
            f"{pact.consumer}-{pact.provider} has no HTTP interactions to serve (only "
            "messages); test message consumers without a mock provider"
        )
        raise ValueError(msg)
    if not chosen:
        msg = (
            f"interactions={descriptions!r} and given={states!r} together leave no "
            f"interaction of {pact.consumer}-{pact.provider} to serve; loosen one of them"
        )
        raise ValueError(msg)
    return tuple(chosen)


def _given(interaction: Interaction) -> tuple[str, ...]:
    return tuple(s.name for s in interaction.provider_states)


def _header_pairs(headers: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if isinstance(value, str):
            pairs.append((name, value))
        else:
            pairs.extend((name, str(v)) for v in value)
    return pairs


class _Served:
    """One served interaction, with what the hot path needs computed once."""

    def __init__(self, index: int, interaction: Interaction) -> None:
        self.index = index
        self.interaction = interaction
        self.given = _given(interaction)
        self.expected = expected_request_json(interaction)
        rules = self.expected.get("matchingRules") or {}
        # A method or path under a matcher cannot be looked up by its literal value.
        self.method: str | None = None if "method" in rules else interaction.request.method.upper()
        self.path: str | None = None if "path" in rules else interaction.request.path
        response = interaction.response
        self.status = response.status
        self.headers = _header_pairs(response.headers)
        body = response.body
        if body is not None and not any(k.lower() == "content-type" for k, _ in self.headers):
            content_type = body.content_type or infer_content_type(response.headers, body.content)
            self.headers.append(("Content-Type", content_type))
        self.generators = {k: v for k, v in response.generators.items() if v}
        self.static_body = b"" if body is None else body_bytes(body, response.headers)

    def example_response(self, base_url: str) -> MockResponse:
        """The example response, with the response's generators applied."""
        if not self.generators:
            return MockResponse(self.status, tuple(self.headers), self.static_body)
        context = GeneratorContext(rng=random.Random(), mock_server_url=base_url)
        response = self.interaction.response
        status = self.status
        headers = list(self.headers)
        body = self.static_body
        for category, generators in self.generators.items():
            usable = {
                path: gen
                for path, gen in generators.items()
                # As pact-reference's mock: provider-state values are the
                # verifier's, for the request; the mock serves the example.
                if not isinstance(gen, ProviderState)
            }
            if not usable:
                continue
            if category == "body" and response.body is not None:
                content = apply_generators(response.body.content, usable, context)
                body = body_bytes(response.body, response.headers, content)
            elif category == "header":
                for name, gen in usable.items():
                    value = str(gen.generate(context))
                    headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
                    headers.append((name, value))
            elif category == "status":
                for gen in usable.values():
                    status = int(gen.generate(context))
        return MockResponse(status, tuple(headers), body)


def _json_response(status: int, payload: Any) -> MockResponse:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    return MockResponse(status, (("Content-Type", "application/json"),), body)


_CORS_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
_CORS_OWN_HEADERS = frozenset(
    {
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-expose-headers",
        "vary",
    }
)


def _request_header(request: MockRequest, name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in request.headers if k.lower() == wanted), None)


def is_cors_preflight(request: MockRequest) -> bool:
    """Whether `request` is a CORS preflight: OPTIONS with Access-Control-Request-Method."""
    return (
        request.method.upper() == "OPTIONS"
        and _request_header(request, "Access-Control-Request-Method") is not None
    )


def _allowed_origin(request: MockRequest) -> list[tuple[str, str]]:
    origin = _request_header(request, "Origin")
    if not origin:
        return [("Access-Control-Allow-Origin", "*")]
    # An echoed origin (not "*") is what lets browsers send cookies and credentials.
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]


def cors_preflight_response(request: MockRequest) -> MockResponse:
    """The answer to a CORS preflight: every method allowed, the asked headers too."""
    asked = _request_header(request, "Access-Control-Request-Headers")
    headers = [
        *_allowed_origin(request),
        ("Access-Control-Allow-Methods", _CORS_METHODS),
        ("Access-Control-Allow-Headers", asked if asked else "*"),
        ("Access-Control-Max-Age", "600"),
    ]
    return MockResponse(204, tuple(headers))


def with_cors_headers(response: MockResponse, request: MockRequest) -> MockResponse:
    """`response` plus Access-Control-Allow-Origin (and Expose-Headers), unless it has them.

    The interaction's own CORS headers win: a contract that specifies them is
    answered as written.
    """
    names = {name.lower() for name, _ in response.headers}
    if "access-control-allow-origin" in names:
        return response
    added = _allowed_origin(request)
    exposed = sorted(
        {name for name, _ in response.headers if name.lower() not in _CORS_OWN_HEADERS}
    )
    if exposed and "access-control-expose-headers" not in names:
        # Without this, browser code can read only the "simple" response headers.
        added.append(("Access-Control-Expose-Headers", ", ".join(exposed)))
    if "vary" in names:
        added = [(k, v) for k, v in added if k != "Vary"]
    return attrs.evolve(response, headers=(*response.headers, *added))


def _mismatch_json(mismatch: Mismatch) -> dict[str, Any]:
    return {
        "kind": mismatch.kind,
        "path": mismatch.path,
        "expected": mismatch.expected,
        "actual": mismatch.actual,
        "message": mismatch.message,
    }


class MockCore:
    """Serves a pact's interactions: match, answer, record.

    Thread-safe: matching runs without a lock; only recording takes one.

    Args:
        pact: The whole pact (interactions left out are used for hints only).
        served: The interactions to serve and expect.
        base_url: The mock's URL, for ``mock_server_url`` generators (settable, as
            a real port is known only once bound).
        response_factory: Makes responses instead of the examples (fuzzing).
        in_process: Whether only httpx clients can reach it (no socket);
            the report then says so when no request arrived.
        cors: Answer CORS preflights that match no served interaction (204,
            not recorded), and add Access-Control-Allow-Origin to every response.
        limits: The bounds in force while handling (regex budget, nesting) and
            how many calls are kept (`Limits.max_recorded_calls`; counts stay exact).
    """

    def __init__(
        self,
        pact: Pact,
        served: Sequence[Interaction],
        base_url: str,
        response_factory: ResponseFactory | None = None,
        *,
        in_process: bool = False,
        cors: bool = False,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.pact = pact
        self.limits = limits
        self.base_url = base_url
        self.in_process = in_process
        self.cors = cors
        self._served = [_Served(n, item) for n, item in enumerate(served)]
        self._by_route: dict[tuple[str, str], list[_Served]] = {}
        self._wild: list[_Served] = []
        for entry in self._served:
            if entry.method is None or entry.path is None:
                self._wild.append(entry)
            else:
                self._by_route.setdefault((entry.method, entry.path), []).append(entry)
        self._response_factory = response_factory
        # A factory (hypothesis, for fuzzing) need not be thread-safe: one at a time.
        self._factory_lock = threading.Lock()
        self._lock = threading.Lock()
        self._calls: collections.deque[MockCall] = collections.deque(
            maxlen=limits.max_recorded_calls
        )
        self._problems: collections.deque[MockCall] = collections.deque(
            maxlen=limits.max_recorded_calls
        )
        self._call_count = 0
        self._problem_count = 0
        self._counts = [0] * len(self._served)

    @property
    def interactions(self) -> tuple[Interaction, ...]:
        """The interactions served."""
        return tuple(entry.interaction for entry in self._served)

    @property
    def calls(self) -> list[MockCall]:
        """A snapshot of the calls received so far, in arrival order."""
        with self._lock:
            return list(self._calls)

    @property
    def call_count(self) -> int:
        """How many calls arrived, all of them, also those no longer kept."""
        with self._lock:
            return self._call_count

    def reset(self) -> None:
        """Forget the calls received."""
        with self._lock:
            self._calls.clear()
            self._problems.clear()
            self._call_count = self._problem_count = 0
            self._counts = [0] * len(self._served)

    def handle(self, request: MockRequest) -> MockResponse:
        """Answer one request: the matching interaction's response, else 404 (or 500).

        A request that matches no served interaction gets 404 with a JSON body
        listing each interaction's mismatches; one that matches several equally
        gets 500 saying how to choose. Both are recorded as problems. With
        `cors`, a preflight that matches no served interaction gets the CORS
        answer and is not recorded (it is the browser's, not the consumer's).
        A request that cannot be processed at all (unreadable, or one that breaks
        matching or the response) gets 400 or 500 and is recorded as an
        `UnhandledRequest`, so verification fails rather than passes.
        """
        with limits_in_force(self.limits):
            if request.problem is not None:
                return self._unhandled(request, request.problem, 400)
            try:
                return self._handle(request)
            except Exception as exc:
                return self._unhandled(request, f"{type(exc).__name__}: {exc}", 500)

    def _handle(self, request: MockRequest) -> MockResponse:
        try:
            # A compressed body (requests' gzip, a client's deflate) is matched as sent.
            body = decoded_body(request.headers, request.body)
        except ValueError as exc:  # a body that does not inflate: a failure, not a pass
            return self._unhandled(request, str(exc), 400)
        actual = actual_request_json(
            request.method, request.path, request.query_string, request.headers, body
        )
        matched = [e for e in self._candidates(actual) if not self._match(e, actual)]
        if not matched and self.cors and is_cors_preflight(request):
            return cors_preflight_response(request)
        entry, response, problem = self._outcome(actual, request.path, matched)
        if self.cors:
            response = with_cors_headers(response, request)
        return self._record(actual, entry, response, problem)

    def _unhandled(self, request: MockRequest, reason: str, status: int) -> MockResponse:
        problem = UnhandledRequest(request.method, request.path, reason[:500])
        response = _json_response(status, {"error": str(problem)})
        if self.cors:
            with contextlib.suppress(Exception):
                response = with_cors_headers(response, request)
        actual = {"method": request.method, "path": request.path, "query": request.query_string}
        return self._record(actual, None, response, problem)

    def _outcome(
        self, actual: dict[str, Any], path: str, matched: list[_Served]
    ) -> tuple[_Served | None, MockResponse, UnexpectedRequest | AmbiguousRequest | None]:
        if len(matched) == 1:
            entry = matched[0]
            return entry, self._respond(entry), None
        if matched:
            problem = AmbiguousRequest(
                actual["method"],
                path,
                tuple((e.interaction.description, e.given) for e in matched),
            )
            ambiguous = {
                "error": str(problem),
                "interactions": [
                    {"description": d, "given": list(g)} for d, g in problem.candidates
                ],
            }
            return None, _json_response(500, ambiguous), problem
        unexpected = self._explain(actual, path)
        payload: dict[str, Any] = {
            "error": f"No interaction matches {unexpected.method} {unexpected.path}",
            "request": actual,
            "interactions": [
                {
                    "description": near.description,
                    "given": list(near.given),
                    "mismatches": [_mismatch_json(m) for m in near.mismatches],
                }
                for near in unexpected.closest
            ],
        }
        if unexpected.hint:
            payload["hint"] = unexpected.hint
        return None, _json_response(404, payload), unexpected

    def _candidates(self, actual: dict[str, Any]) -> list[_Served]:
        exact = self._by_route.get((actual["method"], actual["path"]), [])
        if not self._wild:
            return exact
        wild = [e for e in self._wild if e.method in (None, actual["method"])]
        return sorted([*exact, *wild], key=lambda e: e.index)

    @staticmethod
    def _match(entry: _Served, actual: dict[str, Any]) -> list[Mismatch]:
        return match_request(entry.expected, actual, spec_version="4.0")

    def _respond(self, entry: _Served) -> MockResponse:
        if self._response_factory is None:
            return entry.example_response(self.base_url)
        with self._factory_lock:
            status, headers, body = self._response_factory(entry.interaction)
        return MockResponse(int(status), tuple(_header_pairs(headers)), bytes(body))

    def _explain(self, actual: dict[str, Any], path: str) -> UnexpectedRequest:
        with self._lock:
            counts = list(self._counts)
        near: list[tuple[int, int, int, NearMiss]] = []
        for entry in self._served:
            try:
                found = tuple(self._match(entry, actual))
            except MatchingError as exc:
                found = (Mismatch("body", "$", None, None, str(exc)),)
            miss = NearMiss(entry.interaction.description, entry.given, found)
            # Interactions not yet received first, then the closest (fewest mismatches).
            near.append((counts[entry.index] > 0, len(found), entry.index, miss))
        near.sort(key=lambda item: item[:3])
        served = {id(e.interaction) for e in self._served}
        hint = ""
        for other in self.pact.http_interactions:
            if id(other) in served:
                continue
            try:
                if not match_request(expected_request_json(other), actual, spec_version="4.0"):
                    hint = (
                        f"interaction {other.description!r}{states_text(_given(other))} "
                        "matches but is not served; add it with interactions= or given="
                    )
                    break
            except MatchingError:
                continue
        return UnexpectedRequest(actual["method"], path, tuple(n[3] for n in near), hint)

    def _record(
        self,
        actual: dict[str, Any],
        entry: _Served | None,
        response: MockResponse,
        problem: UnexpectedRequest | AmbiguousRequest | UnhandledRequest | None,
    ) -> MockResponse:
        call = MockCall(actual, None if entry is None else entry.interaction, response, problem)
        with self._lock:
            self._calls.append(call)
            self._call_count += 1
            if problem is not None:
                self._problems.append(call)
                self._problem_count += 1
            if entry is not None:
                self._counts[entry.index] += 1
        return response

    def verify(self) -> tuple[bool, list[MockProblem]]:
        """Whether every served interaction was received and nothing unexpected arrived.

        Returns:
            ``(ok, problems)``: unexpected requests in arrival order, then the
            interactions never received.
        """
        with self._lock:
            kept = list(self._problems)
            dropped = self._problem_count - len(kept)
            counts = list(self._counts)
        problems: list[MockProblem] = [c.problem for c in kept if c.problem is not None]
        if dropped:
            problems.append(
                UnhandledRequest(
                    "*",
                    "*",
                    f"{dropped} more requests with problems arrived, not kept beyond "
                    f"Limits(max_recorded_calls={self.limits.max_recorded_calls})",
                )
            )
        for entry in self._served:
            if counts[entry.index] == 0:
                request = entry.interaction.request
                problems.append(
                    MissingRequest(
                        entry.interaction.description,
                        entry.given,
                        request.method.upper(),
                        request.path,
                    )
                )
        return (not problems, problems)

    def report(self, problems: Sequence[MockProblem]) -> str:
        """The readable report of `problems` (from `verify`).

        One bullet per problem under the heading; a problem's own items (the
        near misses of an unexpected request) are bullets one level deeper.
        """
        count = len(problems)
        lines = [
            f"Mock provider for {self.pact.consumer} -> {self.pact.provider} at "
            f"{self.base_url}: {count} problem{'s' if count != 1 else ''}"
        ]
        lines += problem_lines(problems)
        with self._lock:
            nothing_arrived = not self._call_count
        if nothing_arrived and self.in_process:
            lines.append(
                "  Hint: no request reached the mock. In-process (port=None) it answers "
                "only httpx clients; for requests, urllib, aiohttp or another process, "
                "start it with port=0 and send to mock.url"
            )
        return "\n".join(lines)
