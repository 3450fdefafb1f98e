r"""Run the matching scenarios of the Pact compatibility suite against the engine.

The suite (`../shared/conformance/pact-compatibility-suite`, see its MANIFEST.md) is
Gherkin plus fixtures; it ships no step code. `tests/_gherkin.py` reads the feature
files and this module gives the steps their meaning, one pytest case per scenario
(id `V3/matching_rules: <scenario title>`). Scenarios run:

- `V3/matching_rules.feature` (24), `V4/matching_rules.feature` (15),
  `V3/http_matching.feature` (7);
- `V2/http_consumer.feature` (14): each reduces to request matching. "The mock
  server is started with interaction N" makes interaction N the expected request;
  "request N is made" builds the actual request from the same row (with the
  changes table applied); "a 200 success response" means no mismatches and "a 500
  error response" means some.

How a step becomes a request: the expected request is Pact JSON in the shape of
the feature's spec version (V2/V3: raw body and string headers; V4: body objects
and header lists) with the fixture's matching rules, compared with
`match_request(expected, actual, spec_version)`. The actual request is built the
way a real server sees one: the table's headers, query string and body bytes go
through `pactdsl._http.actual_request_json` (repeated `raw headers` stay separate
header lines), and for V2/V3 the V4 body object is unwrapped again. A body cell is
`JSON: ...`, `XML: ...`, `file: <fixture>` (JSON by extension, `*-body.xml`
fixtures by their `<contentType>`, other files as bytes typed by extension) or
`EMPTY`; a `content type` column overrides the type. Each body gets a matching
`Content-Type` header, as a mock server client would send.

How the official mismatch texts are translated: the texts are pact-reference's
(Rust) wording; ours are our own. For each asserted mismatch the test requires one
of our mismatches with

- the same place: the suite's body paths are rooted at the body (`$.one`,
  `$[100]`, `$`), ours at the request (`$.body.one`, `$.body['100']`,
  `$.body`); a header name `content-type` is our `$.header.content-type`; the V2
  "body"/"query"/"header" and V4 "status" kinds name the part;
- the same kind: `body` for body paths (`body_type` for the `contentType`
  matcher, our kind for "the body is not of that content type"), `header`,
  `query`, `status`;
- a message that states the key facts: `_FACTS` below lists, for every official
  text, the values and words ours must contain (the actual value, the expected
  value or rule, and what was wanted). A `\s*` in an official text (the suite's
  regex for optional space after `;`) matches any spacing; a regex pattern must
  appear in our message as written in the pact, between slashes (`/\d{1,4}/`).

Scenarios of the suite not run here (they need parts other than the matching
engine): `V1/http_consumer` (24, mock server: unexpected / not-received requests,
pact file writing), `V1/http_provider` (26), `V2/http_provider` (4),
`V3/http_provider` (2), `V4/http_provider` (2) (provider verifier, some with a Pact
Broker); `V3/generators` (10), `V3/http_generators` (7), `V4/generators` (6)
(generators); `V3/http_consumer` (2), `V4/http_consumer` (4), `V4/v4` (1) (pact
file contents); `V3/message_consumer` (7), `V3/message_provider` (18),
`V4/message_consumer` (4), `V4/message_provider` (2),
`V4/synchronous_message_consumer` (11) (message pacts).
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs
import pytest

from pactdsl._http import actual_request_json, actual_response_json
from pactdsl.matching import Mismatch, match_request, match_response
from tests._gherkin import GherkinError, Scenario, Step, parse_feature, read_feature
from tests._shared import shared_dir

_SUITE_PARTS = ("conformance", "pact-compatibility-suite")
_FEATURES = (
    "V2/http_consumer.feature",
    "V3/http_matching.feature",
    "V3/matching_rules.feature",
    "V4/matching_rules.feature",
)
_SPEC_VERSIONS = {"V2": "2.0.0", "V3": "3.0.0", "V4": "4.0"}

# Official mismatch text -> what our message must mention (see module docstring).
_FACTS: dict[str, tuple[str, ...]] = {
    # V2/http_consumer
    r"Expected 'a' to match '\w{3}\d{3}'": ("'a'", r"matching the regex `\w{3}\d{3}`"),
    "Expected 100 (Integer) to be the same type as 'a' (String)": (
        "100 (int)",
        "same type",
        "'a' (str)",
    ),
    "Expected '100' (String) to be the same type as 1 (Integer)": (
        "'100' (str)",
        "same type",
        "1 (int)",
    ),
    r"Expected '9999X' to match '\d{1,4}'": ("'9999X'", r"matching the regex `\d{1,4}`"),
    r"Expected '9999ABC' to match '\d{1,4}'": ("'9999ABC'", r"matching the regex `\d{1,4}`"),
    # V3/http_matching
    r"Expected header 'content-type' to have value 'application/json;\s*charset=UTF-8' "
    "but was 'application/json'": (
        "'content-type'",
        r"'application/json;\s*charset=UTF-8'",
        "'application/json'",
    ),
    r"Expected header 'content-type' to have value 'application/json;\s*charset=UTF-16' "
    r"but was 'application/json;\s*charset=UTF-8'": (
        "'content-type'",
        r"'application/json;\s*charset=UTF-16'",
        r"'application/json;\s*charset=UTF-8'",
    ),
    # V3/matching_rules
    "Expected 'Lovely' (String) to be equal to 'OK' (String)": ("'OK'", "'Lovely' (str)"),
    "Expected 'dog' to include 'a'": ("including 'a'", "'dog'"),
    "Expected [] (size 0) to have minimum size of 1": (
        "a list of at least 1 element",
        "got 0 elements",
    ),
    "Expected [1, 2, 3, 4, 5] (size 5) to have maximum size of 4": (
        "a list of at most 4 elements",
        "got 5 elements",
    ),
    "Expected true (Boolean) to be a number": ("a number", "True (bool)"),
    "Expected '100X01' (String) to be a number": ("a number", "'100X01' (str)"),
    "Expected '100' (String) to be a number": ("a number", "'100' (str)"),
    "Expected [] (Array) to be an integer": ("an integer", "[] (array)"),
    "Expected 100.1 (Decimal) to be an integer": ("an integer", "100.1 (float)"),
    "Expected '100X01' (String) to be an integer": ("an integer", "'100X01' (str)"),
    "Expected '100' (String) to be an integer": ("an integer", "'100' (str)"),
    "Expected null (Null) to be a decimal number": ("a decimal number", "got null"),
    "Expected 100 (Integer) to be a decimal number": ("a decimal number", "100 (int)"),
    "Expected '100X01' (String) to be a decimal number": ("a decimal number", "'100X01' (str)"),
    "Expected '100.1234' (String) to be a decimal number": (
        "a decimal number",
        "'100.1234' (str)",
    ),
    "Expected '' (String) to be a null value": ("expected null", "'' (str)"),
    "Expected '23/07/19' to match a date pattern of 'yyyy-MM-dd'": (
        "a date",
        "'yyyy-MM-dd'",
        "'23/07/19'",
    ),
    "Expected '' (String) to match a boolean": ("a boolean", "'' (str)"),
    "Expected binary contents to have content type 'image/jpeg' but detected contents was "
    "'application/pdf'": ("content type 'image/jpeg'", "'application/pdf'"),
    # V4/matching_rules
    "Expected status code 400 to be a Successful response (200\u2013299)": (
        "'success'",
        "200-299",
        "400",
    ),
    "Expected '' (String) to not be empty": ("non-empty", "'' (str)"),
    "Expected [] (Array) to not be empty": ("non-empty", "[] (array)"),
    "Type mismatch: Expected 'b' (String) to be the same type as [\"b\"] (Array)": (
        "an array",
        "'b' (str)",
    ),
    "Expected [] (0 bytes) to not be empty": ("non-empty", "no body"),
    "'1.0' is not a valid semantic version": ("semantic version", "'1.0'"),
    "'1.0abc' is not a valid semantic version": ("semantic version", "'1.0abc'"),
    # (sic: the suite's text lacks the closing quote)
    "Expected '100' to match '[a-z]+": ("'100'", "matching the regex `[a-z]+`"),
    'Variant at index 1 ({"href":"http://api.x.io/orders/42/items","method":"DELETE",'
    '"name":"delete-item","title":"Delete Item"}) was not found in the actual list': (
        "variant 1",
        "'delete-item'",
        "found none",
    ),
}

# Scenarios whose assertion we believe the suite gets wrong: id -> reason.
_SUITE_WRONG: dict[str, str] = {}


def _suite_root() -> Path:
    return Path(__file__).resolve().parents[1].parent / "shared" / Path(*_SUITE_PARTS)


def _suite_dir() -> Path:
    """The suite folder; skips like `shared_dir()` without `../shared`, fails without the suite."""
    path = shared_dir().joinpath(*_SUITE_PARTS)
    if not (path / "features").is_dir():
        pytest.fail(f"the Pact compatibility suite is missing: no folder {path / 'features'}")
    return path


def _scenario_params() -> list[Any]:
    root = _suite_root()
    if not root.is_dir():
        # One case, so the test itself skips (or fails under CI) via shared_dir().
        return [pytest.param(None, None, id="compatibility-suite-missing")]
    params: list[Any] = []
    for feature_file in _FEATURES:
        feature = read_feature(root / "features" / feature_file)
        for scenario in feature.scenarios:
            case_id = f"{feature_file.removesuffix('.feature')}: {scenario.name}"
            marks = []
            if case_id in _SUITE_WRONG:
                marks.append(pytest.mark.xfail(reason=_SUITE_WRONG[case_id], strict=True))
            params.append(pytest.param(feature_file, scenario, id=case_id, marks=marks))
    return params


# --- building requests from table cells ------------------------------------------


@attrs.frozen
class _Body:
    """A body as bytes on the wire, with its content type."""

    raw: bytes
    content_type: str | None


def _fixture(name: str) -> Path:
    return _suite_dir() / "fixtures" / name


def _xml_body_fixture(path: Path) -> _Body:
    root = ElementTree.fromstring(path.read_bytes())
    content_type = (root.findtext("contentType") or "").strip() or None
    contents = root.find("contents")
    text = contents.text or "" if contents is not None else ""
    if contents is not None and contents.get("eol") == "CRLF":
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return _Body(text.encode("utf-8"), content_type)


def _parse_body(cell: str, content_type: str | None) -> _Body | None:
    cell = cell.strip()
    body: _Body | None
    if not cell:
        return None
    if cell == "EMPTY":
        body = _Body(b"", None)
    elif cell.startswith("JSON:"):
        body = _Body(cell[len("JSON:") :].strip().encode("utf-8"), "application/json")
    elif cell.startswith("XML:"):
        body = _Body(cell[len("XML:") :].strip().encode("utf-8"), "application/xml")
    elif cell.startswith("file:"):
        path = _fixture(cell[len("file:") :].strip())
        if path.name.endswith("-body.xml"):
            body = _xml_body_fixture(path)
        elif path.suffix == ".json":
            body = _Body(path.read_bytes(), "application/json")
        else:
            body = _Body(path.read_bytes(), mimetypes.guess_type(path.name)[0])
    else:
        body = _Body(cell.encode("utf-8"), "text/plain")
    if content_type:
        body = attrs.evolve(body, content_type=content_type)
    return body


def _parse_headers(cell: str) -> list[tuple[str, str]]:
    """Read `'X-A: 1', 'X-B: 2'` into header lines, repeated names kept apart."""
    pairs: list[tuple[str, str]] = []
    for quoted in re.findall(r"'([^']*)'", cell):
        name, _, value = quoted.partition(":")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _request_row(row: dict[str, str]) -> dict[str, Any]:
    """The parts of a request a table row describes (shared by both sides)."""
    headers = _parse_headers(row.get("headers", "") or row.get("raw headers", ""))
    body = _parse_body(row.get("body", ""), row.get("content type") or None)
    has_content_type = any(name.lower() == "content-type" for name, _ in headers)
    if body is not None and body.content_type and not has_content_type:
        headers.append(("Content-Type", body.content_type))
    return {
        "method": row.get("method") or "POST",
        "path": row.get("path") or "/path",
        "query": row.get("query", ""),
        "headers": headers,
        "body": body,
    }


def _rules_fixture(cell: str) -> dict[str, Any] | None:
    cell = cell.strip()
    if not cell:
        return None
    rules: dict[str, Any] = json.loads(_fixture(cell).read_text("utf-8"))
    return rules


def _expected_request(row: dict[str, str], version: str) -> dict[str, Any]:
    """Pact JSON for the expected request, in the shape of the spec version."""
    parts = _request_row(row)
    expected: dict[str, Any] = {"method": parts["method"], "path": parts["path"]}
    if parts["query"]:
        if version == "V2":
            expected["query"] = parts["query"]
        else:
            query: dict[str, list[str]] = {}
            for name, value in urllib.parse.parse_qsl(parts["query"], keep_blank_values=True):
                query.setdefault(name, []).append(value)
            expected["query"] = query
    if parts["headers"]:
        grouped: dict[str, list[str]] = {}
        for name, value in parts["headers"]:
            grouped.setdefault(name, []).append(value)
        expected["headers"] = (
            grouped
            if version == "V4"
            else {name: ", ".join(values) for name, values in grouped.items()}
        )
    body: _Body | None = parts["body"]
    if body is not None:
        content = _content(body)
        if version == "V4":
            expected["body"] = (
                {
                    "content": base64.b64encode(content).decode("ascii"),
                    "contentType": body.content_type,
                    "encoded": "base64",
                }
                if isinstance(content, bytes)
                else {"content": content, "contentType": body.content_type, "encoded": False}
            )
        else:
            expected["body"] = content
    rules = _rules_fixture(row.get("matching rules", ""))
    if rules is not None:
        expected["matchingRules"] = rules
    return expected


def _content(body: _Body) -> Any:
    """The body as a pact holds it: parsed JSON, text, or bytes."""
    content_type = (body.content_type or "").split(";")[0].strip().lower()
    if content_type.endswith(("/json", "+json")):
        return json.loads(body.raw)
    if content_type.startswith("text/") or content_type.endswith(("/xml", "+xml")):
        return body.raw.decode("utf-8")
    return body.raw


def _actual_request(row: dict[str, str], version: str) -> dict[str, Any]:
    """Pact JSON for a received request, as a server would build it from the wire."""
    parts = _request_row(row)
    body: _Body | None = parts["body"]
    actual = actual_request_json(
        parts["method"],
        parts["path"],
        parts["query"],
        parts["headers"],
        body.raw if body is not None else b"",
    )
    if version != "V4" and isinstance(actual.get("body"), dict):
        # V2/V3 pacts hold the body itself, not a V4 body object.
        wrapped = actual["body"]
        content = wrapped["content"]
        if wrapped.get("encoded") == "base64":
            content = base64.b64decode(content)
        actual["body"] = content
    return actual


# --- the steps ------------------------------------------------------------------


@attrs.define
class _World:
    """What the steps of one scenario build up."""

    version: str
    interactions: dict[str, dict[str, str]] = attrs.Factory(dict)
    expected: dict[str, Any] | None = None
    expected_row: dict[str, str] | None = None
    actuals: list[tuple[str, dict[str, Any]]] = attrs.Factory(list)
    results: list[tuple[str, list[Mismatch]]] | None = None
    expected_response: dict[str, Any] | None = None
    actual_response: dict[str, Any] | None = None
    response_mismatches: list[Mismatch] | None = None

    @property
    def spec(self) -> str:
        return _SPEC_VERSIONS[self.version]

    def mismatches(self) -> list[Mismatch]:
        assert self.results is not None, "no request has been compared yet"
        return [mismatch for _, found in self.results for mismatch in found]


_StepFunction = Callable[..., None]
_STEPS: list[tuple[re.Pattern[str], _StepFunction]] = []
_QUOTED = r'"((?:[^"\\]|\\.)*)"'


def _step(pattern: str) -> Callable[[_StepFunction], _StepFunction]:
    def register(function: _StepFunction) -> _StepFunction:
        _STEPS.append((re.compile(pattern.replace("QUOTED", _QUOTED)), function))
        return function

    return register


def _unquote(text: str) -> str:
    return text.replace('\\"', '"')


def _single_row(step: Step) -> dict[str, str]:
    rows = step.table_dicts()
    assert len(rows) == 1, f"step at line {step.line} should have one data row"
    return rows[0]


@_step(r"the following HTTP interactions have been defined:")
def _define_interactions(world: _World, step: Step) -> None:
    for row in step.table_dicts():
        world.interactions[row["No"]] = row


@_step(r"the mock server is started with interaction (\d+)( but with the following changes:)?")
def _start_with_interaction(world: _World, step: Step, number: str, changed: str | None) -> None:
    row = dict(world.interactions[number])
    if changed:
        row.update(_single_row(step))
    world.expected = _expected_request(row, world.version)


@_step(r"request (\d+) is made to the mock server( with the following changes:)?")
def _make_request(world: _World, step: Step, number: str, changed: str | None) -> None:
    row = dict(world.interactions[number])
    if changed:
        changes = _single_row(step)
        if "raw headers" in changes:
            row.pop("headers", None)
        row.update(changes)
    world.actuals = [(f"request {number}", _actual_request(row, world.version))]
    _compare_requests(world, step)


@_step(r"an? (\d+) (?:success|error) response is returned")
def _response_returned(world: _World, step: Step, status: str) -> None:
    _comparison_verdict(world, step, "NOT " if status != "200" else None)


@_step(r"an expected request configured with the following:")
def _expected_configured(world: _World, step: Step) -> None:
    world.expected = _expected_request(_single_row(step), world.version)


@_step(r"an expected request with an? QUOTED header of QUOTED")
def _expected_with_header(world: _World, step: Step, name: str, value: str) -> None:
    world.expected = _expected_request({"headers": f"'{name}: {value}'"}, world.version)


@_step(r"a request is received with the following:")
def _request_received(world: _World, step: Step) -> None:
    world.actuals = [("request", _actual_request(_single_row(step), world.version))]


@_step(r"the following requests are received:")
def _requests_received(world: _World, step: Step) -> None:
    world.actuals = [
        (row.get("desc", f"request {number}"), _actual_request(row, world.version))
        for number, row in enumerate(step.table_dicts(), start=1)
    ]


@_step(r"a request is received with an? QUOTED header of QUOTED")
def _request_with_header(world: _World, step: Step, name: str, value: str) -> None:
    world.actuals = [("request", _actual_request({"headers": f"'{name}: {value}'"}, world.version))]


@_step(r"the requests? (?:is|are) compared to the expected one")
def _compare_requests(world: _World, step: Step) -> None:
    assert world.expected is not None, "no expected request configured"
    assert world.actuals, "no request received"
    world.results = [
        (desc, match_request(world.expected, actual, world.spec)) for desc, actual in world.actuals
    ]


@_step(r"the comparison should (NOT )?be OK")
def _comparison_verdict(world: _World, step: Step, negated: str | None) -> None:
    assert world.results is not None, "no request has been compared yet"
    for desc, found in world.results:
        rendered = [f"{m.kind} {m.path}: {m.message}" for m in found]
        if negated:
            assert found, f"{desc}: expected mismatches, the engine found none"
        else:
            assert not found, f"{desc}: expected a match, the engine found {rendered}"


@_step(r"the mismatches will contain a mismatch with error QUOTED -> QUOTED")
def _contains_mismatch(world: _World, step: Step, path: str, message: str) -> None:
    _assert_contains(world.mismatches(), _our_path(_unquote(path)), None, _unquote(message))


@_step(r"the mismatches will contain a QUOTED mismatch with error QUOTED")
def _contains_kind_mismatch(world: _World, step: Step, kind: str, message: str) -> None:
    _assert_contains(world.mismatches(), None, kind, _unquote(message))


@_step(r"an expected response configured with the following:")
def _expected_response(world: _World, step: Step) -> None:
    row = _single_row(step)
    expected: dict[str, Any] = {"status": int(row["status"])}
    rules = _rules_fixture(row.get("matching rules", ""))
    if rules is not None:
        expected["matchingRules"] = rules
    world.expected_response = expected


@_step(r"a status (\d+) response is received")
def _response_received(world: _World, step: Step, status: str) -> None:
    world.actual_response = actual_response_json(int(status), [], b"")


@_step(r"the response is compared to the expected one")
def _compare_response(world: _World, step: Step) -> None:
    assert world.expected_response is not None, "no expected response configured"
    assert world.actual_response is not None, "no response received"
    world.response_mismatches = match_response(
        world.expected_response, world.actual_response, world.spec
    )


@_step(r"the response comparison should (NOT )?be OK")
def _response_verdict(world: _World, step: Step, negated: str | None) -> None:
    assert world.response_mismatches is not None, "no response has been compared yet"
    rendered = [f"{m.kind} {m.path}: {m.message}" for m in world.response_mismatches]
    assert bool(world.response_mismatches) == bool(negated), rendered


@_step(r"the response mismatches will contain a QUOTED mismatch with error QUOTED")
def _response_contains(world: _World, step: Step, kind: str, message: str) -> None:
    assert world.response_mismatches is not None, "no response has been compared yet"
    _assert_contains(world.response_mismatches, None, kind, _unquote(message))


# --- translating the official mismatch texts -------------------------------------


def _our_path(official: str) -> str:
    """Map a suite path (body-rooted JSON path or a header name) to ours."""
    if official == "$":
        return "$.body"
    numeric_key = re.fullmatch(r"\$\[(\d+)\]", official)
    if numeric_key:
        # `$[100]` names the key "100" of the root object (eachKey), not an index.
        return f"$.body['{numeric_key.group(1)}']"
    if official.startswith("$"):
        return "$.body" + official[1:]
    return f"$.header.{official}"


_KIND_PATHS = {"body": "$.body", "query": "$.query", "header": "$.header", "status": "$.status"}


def _our_kind(path: str, message: str) -> str:
    if path.startswith("$.body"):
        return "body_type" if "to have content type" in message else "body"
    return path[2:].split(".", 1)[0]


def _mentions(message: str, fact: str) -> bool:
    """Whether our message states a fact (a regex pattern appears as written in the pact)."""
    pattern = re.escape(fact).replace(re.escape("\\s*"), r"\s*")
    return re.search(pattern, message) is not None


def _assert_contains(
    mismatches: list[Mismatch], path: str | None, kind: str | None, official: str
) -> None:
    rendered = [f"{m.kind} {m.path}: {m.message}" for m in mismatches]
    if path is not None:
        wanted_kind = _our_kind(path, official)
        candidates = [m for m in mismatches if m.path == path and m.kind == wanted_kind]
        where = f"kind {wanted_kind!r} at {path!r}"
    else:
        assert kind is not None
        candidates = [
            m
            for m in mismatches
            if m.kind == kind and m.path.startswith(_KIND_PATHS.get(kind, "$"))
        ]
        where = f"kind {kind!r}"
    assert candidates, f"no mismatch of {where} for {official!r}; got {rendered}"
    facts = _FACTS.get(official)
    if facts is None:
        pytest.fail(f"no translation for the official text {official!r}; ours: {rendered}")
    assert any(all(_mentions(m.message, fact) for fact in facts) for m in candidates), (
        f"no mismatch of {where} mentions all of {facts} (official text {official!r}); "
        f"got {rendered}"
    )


# --- the test -------------------------------------------------------------------


def _run_step(world: _World, step: Step) -> None:
    found = [(pattern, f) for pattern, f in _STEPS if pattern.fullmatch(step.text)]
    assert len(found) == 1, (
        f"line {step.line}: {len(found)} step definitions match {step.keyword} {step.text!r}"
    )
    pattern, function = found[0]
    match = pattern.fullmatch(step.text)
    assert match is not None
    function(world, step, *match.groups())


@pytest.mark.parametrize(("feature_file", "scenario"), _scenario_params())
def test_compat_scenario(feature_file: str | None, scenario: Scenario | None) -> None:
    """The engine's verdict and mismatches agree with a compatibility-suite scenario."""
    _suite_dir()
    assert feature_file is not None, "compatibility suite missing"
    assert scenario is not None, "compatibility suite missing"
    world = _World(feature_file.split("/", 1)[0])
    for step in scenario.steps:
        _run_step(world, step)


_EXPECTED_COUNTS = {
    "V2/http_consumer.feature": 14,
    "V3/http_matching.feature": 7,
    "V3/matching_rules.feature": 24,
    "V4/matching_rules.feature": 15,
}


def test_every_scenario_is_collected() -> None:
    """The reader finds every scenario of the four feature files (60), none dropped."""
    root = _suite_dir() / "features"
    counts = {name: len(read_feature(root / name).scenarios) for name in _FEATURES}
    assert counts == _EXPECTED_COUNTS


def test_every_official_text_has_a_translation() -> None:
    """Each official mismatch text the suite asserts has a `_FACTS` entry; none is stale."""
    root = _suite_dir() / "features"
    asserted: set[str] = set()
    for name in _FEATURES:
        for scenario in read_feature(root / name).scenarios:
            for step in scenario.steps:
                found = re.search(rf"with error (?:{_QUOTED} -> )?{_QUOTED}$", step.text)
                if found:
                    asserted.add(_unquote(found.group(2)))
    assert asserted == set(_FACTS)


def test_gherkin_reader_tables_doc_strings_and_tags() -> None:
    """The reader keeps background steps, tags, table escapes, doc strings and And-kinds."""
    feature = parse_feature(
        "\n".join(
            [
                "@top",
                "Feature: Sample",
                "  Some description.",
                "  Background:",
                "    Given a thing",
                "  # a comment",
                "  @mine",
                "  Scenario: One",
                "    When it runs with:",
                "      | a   | b \\| c | d\\nd |",
                "      | 1   | 2       | 3    |",
                "    Then it says:",
                '      """json',
                "      {",
                '        "x": 1',
                "      }",
                '      """',
                "    And nothing else",
            ]
        )
    )
    assert feature.name == "Sample"
    (scenario,) = feature.scenarios
    assert scenario.tags == ("top", "mine")
    assert [(step.kind, step.text) for step in scenario.steps] == [
        ("given", "a thing"),
        ("when", "it runs with:"),
        ("then", "it says:"),
        ("then", "nothing else"),
    ]
    assert scenario.steps[1].table_dicts() == [{"a": "1", "b | c": "2", "d\nd": "3"}]
    assert scenario.steps[2].doc_string == '{\n  "x": 1\n}'


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Feature: F\n  Scenario Outline: O\n    Given x", "not supported"),
        ("Feature: F\n  Scenario: S\n    And x", "follows no step"),
        ("Feature: F\n  Scenario: S\n    Given x\n      | a | b |\n      | 1 |", "cells"),
        ('Feature: F\n  Scenario: S\n    Given x\n      """\n      open', "never closes"),
        ("Scenario: S\n    Given x", "no 'Feature:'"),
    ],
)
def test_gherkin_reader_rejects_what_it_cannot_read(text: str, complaint: str) -> None:
    """Unsupported or malformed Gherkin raises GherkinError naming the problem."""
    with pytest.raises(GherkinError, match=complaint):
        parse_feature(text, "sample.feature")
