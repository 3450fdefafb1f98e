"""Reading the Pact compatibility suite's tables and fixtures into pact files and requests.

The suite (`../shared/conformance/pact-compatibility-suite`, see its MANIFEST.md) is
Gherkin plus fixtures; it ships no step code. The step modules beside this file give
the steps their meaning; this module holds what several of them share: where the
suite lives, how a table cell becomes a body, headers or rules, how a table row
becomes a pact file in the feature's spec version, and how the official
(pact-reference) mismatch texts translate into facts our own messages must state.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs
import pytest

from pactdsl import Mismatch

# `../shared` beside the repository (as tests/_shared.py finds it).
SUITE_DIR = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "conformance"
    / "pact-compatibility-suite"
)
FEATURES_DIR = SUITE_DIR / "features"
FIXTURES_DIR = SUITE_DIR / "fixtures"

SPEC_VERSIONS = {"V1": "2.0.0", "V2": "2.0.0", "V3": "3.0.0", "V4": "4.0"}


def suite_present() -> bool:
    """Whether the feature files are there to collect."""
    return FEATURES_DIR.is_dir()


def feature_path(name: str) -> str:
    """The absolute path of a feature file (`V1/http_consumer.feature`)."""
    return str(FEATURES_DIR / name)


def test_compatibility_suite_is_present() -> None:
    """The compatibility suite is beside the repository (skip locally, fail under CI)."""
    message = f"the Pact compatibility suite is missing: no folder {FEATURES_DIR}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# --- table cells --------------------------------------------------------------------


def unquote(text: str) -> str:
    """A quoted step argument as written, its escaped quotes undone."""
    return text.replace('\\"', '"')


def table_dicts(datatable: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """A data table's rows as dicts keyed by the heading row."""
    heading, *rows = datatable
    return [dict(zip(heading, row, strict=True)) for row in rows]


def single_row(datatable: Sequence[Sequence[str]]) -> dict[str, str]:
    """The one data row of a table."""
    rows = table_dicts(datatable)
    assert len(rows) == 1, f"expected one data row, got {len(rows)}"
    return rows[0]


def fixture_path(name: str) -> Path:
    """A fixture file of the suite."""
    return FIXTURES_DIR / name


def json_fixture(name: str) -> Any:
    """A JSON fixture, parsed."""
    return json.loads(fixture_path(name).read_text("utf-8"))


def json_cell(cell: str) -> Any:
    """A `JSON: ...` cell, or a fixture file name, parsed."""
    cell = cell.strip()
    if cell.startswith("JSON:"):
        return json.loads(cell[len("JSON:") :])
    return json_fixture(cell)


def metadata_value(cell: str) -> Any:
    """A metadata table value: `JSON: ...` is parsed, anything else is a string."""
    cell = cell.strip()
    return json.loads(cell[len("JSON:") :]) if cell.startswith("JSON:") else cell


@attrs.frozen
class Body:
    """A body as bytes on the wire, with its content type."""

    raw: bytes
    content_type: str | None

    def content(self) -> Any:
        """The body as a pact holds it: parsed JSON, text, or bytes."""
        media = (self.content_type or "").split(";")[0].strip().lower()
        if media.endswith(("/json", "+json")) and not self.raw.startswith(b"\x00"):
            return json.loads(self.raw)
        if media.startswith("text/") or media.endswith(("/xml", "+xml", "x-www-form-urlencoded")):
            return self.raw.decode("utf-8")
        return self.raw

    def v4_object(self) -> dict[str, Any]:
        """The V4 body object (`content`, `contentType`, `encoded`)."""
        content = self.content()
        if isinstance(content, bytes):
            encoded = base64.b64encode(content).decode("ascii")
            return {"content": encoded, "contentType": self.content_type, "encoded": "base64"}
        return {"content": content, "contentType": self.content_type, "encoded": False}


def _xml_body_fixture(path: Path) -> Body:
    root = ElementTree.fromstring(path.read_bytes())
    content_type = (root.findtext("contentType") or "").strip() or None
    contents = root.find("contents")
    text = (contents.text or "") if contents is not None else ""
    if contents is not None and contents.get("encoding") == "base64":
        return Body(base64.b64decode(text.strip()), content_type)
    if contents is not None and contents.get("eol") == "CRLF":
        # The multipart fixtures wrap their parts in blank lines inside CDATA.
        text = text.strip("\r\n").replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
    elif content_type and "json" in content_type:
        text = text.strip()
    return Body(text.encode("utf-8"), content_type)


def file_body(name: str) -> Body:
    """A body from a fixture file: JSON by extension, `*-body.xml` by its `<contentType>`."""
    path = fixture_path(name)
    if path.name.endswith("-body.xml"):
        return _xml_body_fixture(path)
    if path.suffix == ".json":
        return Body(path.read_bytes(), "application/json")
    return Body(path.read_bytes(), mimetypes.guess_type(path.name)[0])


def parse_body(cell: str, content_type: str | None = None) -> Body | None:
    """A body cell: `JSON: ...`, `XML: ...`, `file: <fixture>`, `EMPTY`, or plain text."""
    cell = cell.strip()
    body: Body
    if not cell:
        return None
    if cell == "EMPTY":
        body = Body(b"", None)
    elif cell.startswith("JSON:"):
        body = Body(cell[len("JSON:") :].strip().encode("utf-8"), "application/json")
    elif cell.startswith("XML:"):
        body = Body(cell[len("XML:") :].strip().encode("utf-8"), "application/xml")
    elif cell.startswith("file:"):
        body = file_body(cell[len("file:") :].strip())
    else:
        body = Body(cell.encode("utf-8"), "text/plain")
    if content_type:
        body = attrs.evolve(body, content_type=content_type)
    return body


def parse_headers(cell: str) -> list[tuple[str, str]]:
    """Read `'X-A: 1', 'X-B: 2'` into header lines, repeated names kept apart."""
    pairs: list[tuple[str, str]] = []
    for quoted in re.findall(r"'([^']*)'", cell):
        name, _, value = quoted.partition(":")
        pairs.append((name.strip(), value.strip()))
    return pairs


def grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Header or query lines grouped by name, in order."""
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def rules_cell(cell: str | None) -> dict[str, Any] | None:
    """A matching-rules cell (a fixture name), parsed; None when empty."""
    if not cell or not cell.strip():
        return None
    rules: dict[str, Any] = json_fixture(cell.strip())
    return rules


# --- HTTP parts from table rows -------------------------------------------------------


@attrs.frozen
class HttpRequest:
    """A request a table row describes, as a client sends it."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: Body | None

    def send_headers(self) -> list[tuple[str, str]]:
        """The header lines to send: the row's, plus the body's content type."""
        headers = list(self.headers)
        has_type = any(name.lower() == "content-type" for name, _ in headers)
        if self.body is not None and self.body.content_type and not has_type:
            headers.append(("Content-Type", self.body.content_type))
        return headers


def request_of(row: Mapping[str, str]) -> HttpRequest:
    """The request of a row (`method`, `path`, `query`, `headers`/`raw headers`, `body`)."""
    headers = parse_headers(row.get("headers", "") or row.get("raw headers", ""))
    body = parse_body(row.get("body", ""), row.get("content type") or None)
    return HttpRequest(
        method=row.get("method") or "GET",
        path=row.get("path") or "/",
        query=row.get("query", ""),
        headers=tuple(headers),
        body=body,
    )


def with_changes(row: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """A row with a changes table applied (`raw headers` replaces `headers`)."""
    out = dict(row)
    if "raw headers" in changes:
        out.pop("headers", None)
    out.update(changes)
    return out


def _query_map(query: str) -> dict[str, list[str]]:
    return grouped(urllib.parse.parse_qsl(query, keep_blank_values=True))


def _flat_headers(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    return {name: ", ".join(values) for name, values in grouped(pairs).items()}


def _body_json(body: Body, version: str) -> Any:
    return body.v4_object() if version == "V4" else body.content()


def pact_version(version: str, *bodies: Body | None) -> str:
    """The feature's version, or V4 when a body is binary (only V4 files hold bytes)."""
    binary = any(b is not None and isinstance(b.content(), bytes) for b in bodies)
    return "V4" if binary else version


def request_json(row: Mapping[str, str], version: str) -> dict[str, Any]:
    """The expected request of a row as a pact file of `version` writes it."""
    request = request_of(row)
    out: dict[str, Any] = {"method": request.method, "path": request.path}
    if request.query:
        out["query"] = request.query if version in ("V1", "V2") else _query_map(request.query)
    headers = request.send_headers()
    if headers:
        out["headers"] = grouped(headers) if version == "V4" else _flat_headers(headers)
    if request.body is not None:
        out["body"] = _body_json(request.body, version)
    rules = rules_cell(row.get("matching rules"))
    if rules is not None:
        out["matchingRules"] = rules
    return out


def response_of(row: Mapping[str, str]) -> tuple[int, list[tuple[str, str]], Body | None]:
    """The response of a row: status, header lines (content type added), body."""
    status = int(row.get("response") or row.get("status") or 200)
    headers = parse_headers(row.get("response headers", ""))
    body = parse_body(row.get("response body", ""), row.get("response content") or None)
    has_type = any(name.lower() == "content-type" for name, _ in headers)
    if body is not None and body.content_type and not has_type:
        headers.append(("Content-Type", body.content_type))
    return status, headers, body


def response_json(row: Mapping[str, str], version: str) -> dict[str, Any]:
    """The expected response of a row as a pact file of `version` writes it."""
    status, headers, body = response_of(row)
    out: dict[str, Any] = {"status": status}
    if headers:
        out["headers"] = grouped(headers) if version == "V4" else _flat_headers(headers)
    if body is not None:
        out["body"] = _body_json(body, version)
    rules = rules_cell(row.get("response matching rules"))
    if rules is not None:
        out["matchingRules"] = rules
    return out


def http_interaction_json(
    row: Mapping[str, str], version: str, description: str | None = None
) -> dict[str, Any]:
    """One HTTP interaction of a pact file of `version` from a table row."""
    out: dict[str, Any] = {
        "description": description or f"interaction {row.get('No', '1')}",
        "request": request_json(row, version),
        "response": response_json(row, version),
    }
    if version == "V4":
        out = {"type": "Synchronous/HTTP", **out}
    return out


def http_row_version(row: Mapping[str, str], version: str) -> str:
    """The spec version a row's pact file is written in (V4 when a body is bytes)."""
    return pact_version(
        version,
        parse_body(row.get("body", ""), row.get("content type") or None),
        response_of(row)[2],
    )


def pact_document(
    interactions: Sequence[Mapping[str, Any]],
    version: str,
    *,
    consumer: str = "compatibility-suite-consumer",
    provider: str = "compatibility-suite-provider",
) -> dict[str, Any]:
    """A pact file's JSON holding these interactions (messages in V3 go under `messages`)."""
    key = "messages" if version == "V3" and all("contents" in i for i in interactions) else None
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        key or "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": SPEC_VERSIONS[version]}},
    }


def write_json(path: Path, document: Any) -> Path:
    """Write a JSON document (a pact file) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), "utf-8")
    return path


# --- official mismatch texts --------------------------------------------------------------

# Official (pact-reference) mismatch text -> what our message must mention. A `\s*` in
# an official text (the suite's regex for optional space after `;`) matches any
# spacing; a regex pattern must appear in our message as written in the pact.
FACTS: dict[str, tuple[str, ...]] = {
    # V1/http_consumer
    "Expected query parameter 'b' but was missing": ("'b'", "missing"),
    "Unexpected query parameter 'c' received": ("'c'",),
    "Expected a header 'X-TEST' but was missing": ("X-TEST", "missing"),
    "Expected 'c' (String) to be equal to 'b' (String)": ("'b'", "'c'"),
    "Expected a body of 'application/json' but the actual content type was 'application/xml'": (
        "application/json",
        "application/xml",
    ),
    "Expected body 'Hello World!' to match 'Hello Mars!' using equality but did not match": (
        "Hello World!",
        "Hello Mars!",
    ),
    "Expected a Map with keys [one, two] but received one with keys [one]": ("'two'",),
    "Expected child <two/> but was missing": ("two",),
    "Actual body [image/jpeg, 30922 bytes, starting with "
    "ffd8ffe000104a46494600010101004800480000ffe100ae4578696600004949] is not equal to the "
    "expected body [image/jpeg, 28058 bytes, starting with "
    "ffd8ffe000104a46494600010101012c012c0000ffe12db64578696600004949]": (
        "28058 bytes",
        "got 30922",
    ),
    "Expected form post parameter 'c' with value '3' but was '33'": ("'c'", "'3'", "'33'"),
    "Actual body [application/octet-stream, 50 bytes, starting with "
    "7b0a2020202022626f6479223a2022546869732069732074686520626f647920] is not equal to the "
    "expected body [application/octet-stream, 97 bytes, starting with "
    "3c68746d6c3e0a20203c686561643e0a20203c2f686561643e0a20203c626f64]": (
        "part 1",
        "97 bytes",
        "got 50",
    ),
    # V2/http_consumer
    r"Expected 'a' to match '\w{3}\d{3}'": ("'a'", r"matching the regex `\w{3}\d{3}`"),
    "Expected 100 (Integer) to be the same type as 'a' (String)": (
        "100 (integer)",
        "same type",
        "'a' (string)",
    ),
    "Expected '100' (String) to be the same type as 1 (Integer)": (
        "'100' (string)",
        "same type",
        "1 (integer)",
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
    "Expected 'Lovely' (String) to be equal to 'OK' (String)": ("'OK'", "'Lovely' (string)"),
    "Expected 'dog' to include 'a'": ("including 'a'", "'dog'"),
    "Expected [] (size 0) to have minimum size of 1": (
        "a list of at least 1 element",
        "got 0 elements",
    ),
    "Expected [1, 2, 3, 4, 5] (size 5) to have maximum size of 4": (
        "a list of at most 4 elements",
        "got 5 elements",
    ),
    "Expected true (Boolean) to be a number": ("a number", "true (boolean)"),
    "Expected '100X01' (String) to be a number": ("a number", "'100X01' (string)"),
    "Expected '100' (String) to be a number": ("a number", "'100' (string)"),
    "Expected [] (Array) to be an integer": ("an integer", "[] (array)"),
    "Expected 100.1 (Decimal) to be an integer": ("an integer", "100.1 (decimal)"),
    "Expected '100X01' (String) to be an integer": ("an integer", "'100X01' (string)"),
    "Expected '100' (String) to be an integer": ("an integer", "'100' (string)"),
    "Expected null (Null) to be a decimal number": ("a decimal number", "got null"),
    "Expected 100 (Integer) to be a decimal number": ("a decimal number", "100 (integer)"),
    "Expected '100X01' (String) to be a decimal number": ("a decimal number", "'100X01' (string)"),
    "Expected '100.1234' (String) to be a decimal number": (
        "a decimal number",
        "'100.1234' (string)",
    ),
    "Expected '' (String) to be a null value": ("expected null", "'' (string)"),
    "Expected '23/07/19' to match a date pattern of 'yyyy-MM-dd'": (
        "a date",
        "'yyyy-MM-dd'",
        "'23/07/19'",
    ),
    "Expected '' (String) to match a boolean": ("a boolean", "'' (string)"),
    "Expected binary contents to have content type 'image/jpeg' but detected contents was "
    "'application/pdf'": ("content type 'image/jpeg'", "'application/pdf'"),
    # V4/matching_rules
    "Expected status code 400 to be a Successful response (200\u2013299)": (
        "'success'",
        "200-299",
        "400",
    ),
    "Expected '' (String) to not be empty": ("non-empty", "'' (string)"),
    "Expected [] (Array) to not be empty": ("non-empty", "[] (array)"),
    "Type mismatch: Expected 'b' (String) to be the same type as [\"b\"] (Array)": (
        "an array",
        "'b' (string)",
    ),
    "Expected [] (0 bytes) to not be empty": ("non-empty", "no body"),
    "'1.0' is not a valid semantic version": ("semantic version", "'1.0'"),
    "'1.0abc' is not a valid semantic version": ("semantic version", "'1.0abc'"),
    # (sic: the suite's text lacks the closing quote)
    "Expected '100' to match '[a-z]+": ("'100'", "matching the regex `[a-z]+`"),
    'Variant at index 1 ({"href":"http://api.x.io/orders/42/items","method":"DELETE",'
    '"name":"delete-item","title":"Delete Item"}) was not found in the actual list': (
        "variant 1",
        '"delete-item"',
        "found none",
    ),
}

# The suite's mismatch kinds and the parts of a message they name.
KIND_PATHS = {
    "body": "$.body",
    "body-content-type": "$.body",
    "query": "$.query",
    "header": "$.header",
    "status": "$.status",
    "metadata": "$.metadata",
}


def our_path(official: str) -> str:
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


def _mentions(message: str, fact: str) -> bool:
    pattern = re.escape(fact).replace(re.escape("\\s*"), r"\s*")
    return re.search(pattern, message) is not None


def rendered(mismatches: Iterable[Mismatch]) -> list[str]:
    """Mismatches as `kind path: message` lines, for failure messages."""
    return [f"{m.kind} {m.path}: {m.message}" for m in mismatches]


def assert_contains(
    mismatches: Sequence[Mismatch],
    official: str,
    *,
    path: str | None = None,
    kind: str | None = None,
) -> None:
    """Assert one mismatch at `path` (suite path) or of `kind` states the official text's facts."""
    found = rendered(mismatches)
    if path is not None:
        ours = our_path(path)
        candidates = [m for m in mismatches if m.path == ours]
        where = f"at {ours!r}"
    else:
        assert kind is not None
        prefix = KIND_PATHS.get(kind, "$")
        candidates = [m for m in mismatches if m.path.startswith(prefix)]
        where = f"of kind {kind!r}"
    assert candidates, f"no mismatch {where} for {official!r}; got {found}"
    facts = FACTS.get(official)
    if facts is None:
        pytest.fail(f"no translation for the official text {official!r}; ours: {found}")
    assert any(all(_mentions(m.message, fact) for fact in facts) for m in candidates), (
        f"no mismatch {where} mentions all of {facts} (official text {official!r}); got {found}"
    )


# --- generators from the suite's JSON, as DSL generator factories ----------------------------


def dsl_generator(raw: Mapping[str, Any]) -> Any:
    """A `pactdsl.generate` generator for a pact file's generator object."""
    from pactdsl import generate

    kind = raw["type"]
    if kind == "RandomInt":
        return generate.random_int(raw.get("min", 0), raw.get("max", 2147483647))
    if kind == "RandomDecimal":
        return generate.random_decimal(raw.get("digits", 10))
    if kind == "RandomHexadecimal":
        return generate.random_hexadecimal(raw.get("digits", 10))
    if kind == "RandomString":
        return generate.random_string(raw.get("size", 10))
    if kind == "Regex":
        return generate.regex(raw["regex"])
    if kind == "Uuid":
        return generate.uuid(raw.get("format", "lower-case-hyphenated"))
    if kind in ("Date", "Time", "DateTime"):
        factory = {"Date": generate.date, "Time": generate.time, "DateTime": generate.datetime}
        return factory[kind](raw.get("format"))
    if kind == "RandomBoolean":
        return generate.random_boolean()
    raise AssertionError(f"no DSL generator for {raw!r}")


def with_generators(content: Any, generators: Mapping[str, Any]) -> Any:
    """Content (a JSON object) with DSL generators placed at `$.name` paths."""
    out = dict(content)
    for path, raw in generators.items():
        out[path.removeprefix("$.")] = dsl_generator(raw)
    return out
