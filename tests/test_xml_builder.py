"""XML bodies built with `pactdsl.xml`: example text, rules, pact files, mock, verifiers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from pact import Verifier

from pactdsl import (
    Body,
    Contract,
    ContractError,
    Interaction,
    InvalidMatcher,
    MockMismatchError,
    define_contract,
    generate,
    generate_pact,
    interaction,
    load_pact,
    mock_provider,
    verify_provider,
    xml,
)
from pactdsl.match import integer, like, regex

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _rules_json(body: xml.XmlBody) -> dict[str, Any]:
    """The body's rules as a pact file holds them."""
    return {path: group.to_json()["matchers"] for path, group in body.rules().items()}


def _users_body() -> xml.XmlBody:
    """Two or more users, each with an integer id, a capitalised name and an email."""
    return xml.body(
        xml.element(
            "users",
            xml.element(
                "user",
                xml.element("name", text=regex(r"[A-Z][a-z]+", "Ann")),
                xml.element("email", text=like("ann@example.com")),
                attrs={"id": integer(1)},
            ).each(min=2),
            attrs={"version": "2"},
        )
    )


# --------------------------------------------------------------------------
# The example document and its rules.


def test_nested_elements_attributes_and_text_give_example_and_rules() -> None:
    """Matchers on attributes and text become `['@name']` and `['#text']` rules at nested paths."""
    body = xml.body(
        xml.element(
            "order",
            xml.element("customer", xml.element("email", text=like("a@b.io"))),
            xml.element("total", text=regex(r"\d+\.\d\d", "9.50"), attrs={"currency": "EUR"}),
            attrs={"id": integer(42), "rush": True},
        )
    )
    assert body.example_text() == (
        _DECLARATION + '<order id="42" rush="true">'
        "<customer><email>a@b.io</email></customer>"
        '<total currency="EUR">9.50</total></order>'
    )
    assert _rules_json(body) == {
        "$.order['@id']": [{"match": "integer"}],
        "$.order.customer.email['#text']": [{"match": "type"}],
        "$.order.total['#text']": [{"match": "regex", "regex": r"\d+\.\d\d"}],
    }
    assert body.generators() == {}
    assert body.content_type == "application/xml"


def test_each_min_two_writes_two_copies_and_a_type_rule_on_the_element_path() -> None:
    """`each(min=2)` writes two example copies and `type` with min 2 at `$.users.user`."""
    body = _users_body()
    one_user = '<user id="1"><name>Ann</name><email>ann@example.com</email></user>'
    assert body.example_text() == (f'{_DECLARATION}<users version="2">{one_user}{one_user}</users>')
    assert _rules_json(body) == {
        "$.users.user": [{"match": "type", "min": 2}],
        "$.users.user['@id']": [{"match": "integer"}],
        "$.users.user.name['#text']": [{"match": "regex", "regex": "[A-Z][a-z]+"}],
        "$.users.user.email['#text']": [{"match": "type"}],
    }


def test_each_with_max_and_examples() -> None:
    """`each(min=0, max=3, examples=2)` writes min and max in the rule and two copies."""
    body = xml.body(
        xml.element("list", xml.element("item", text="x").each(min=0, max=3, examples=2))
    )
    assert body.example_text() == f"{_DECLARATION}<list><item>x</item><item>x</item></list>"
    assert _rules_json(body) == {"$.list.item": [{"match": "type", "min": 0, "max": 3}]}


def test_namespaces_are_attributes_and_rule_paths_use_local_names() -> None:
    """`xmlns:bk` is written as given; the rule paths name `bk:book` and `bk:isbn` by local name."""
    body = xml.body(
        xml.element(
            "bk:library",
            xml.element("bk:book", attrs={"bk:isbn": regex(r"\d{3}", "123")}).each(),
            attrs={"xmlns:bk": "urn:books", "xmlns": "urn:default"},
        )
    )
    text = body.example_text()
    assert text == (
        f'{_DECLARATION}<bk:library xmlns:bk="urn:books" xmlns="urn:default">'
        '<bk:book bk:isbn="123"/></bk:library>'
    )
    root = ElementTree.fromstring(text)
    assert root.tag == "{urn:books}library"
    assert _rules_json(body) == {
        "$.library.book": [{"match": "type", "min": 1}],
        "$.library.book['@isbn']": [{"match": "regex", "regex": r"\d{3}"}],
    }


def test_generators_sit_at_xml_paths_with_their_implied_rules() -> None:
    """A generator on an attribute or text is recorded at that path, beside the rule it implies."""
    body = xml.body(
        xml.element("event", text=generate.random_int(1, 9), attrs={"id": generate.uuid()})
    )
    assert set(body.generators()) == {"$.event['@id']", "$.event['#text']"}
    assert body.generators()["$.event['#text']"].to_json() == {
        "type": "RandomInt",
        "min": 1,
        "max": 9,
    }
    assert _rules_json(body)["$.event['#text']"] == [{"match": "integer"}]
    assert _rules_json(body)["$.event['@id']"][0]["match"] == "regex"
    root = ElementTree.fromstring(body.example_text())
    assert 1 <= int(root.text or "") <= 9


def test_special_characters_are_escaped_and_read_back_unchanged() -> None:
    """Quotes, ampersands, angle brackets and newlines survive a round trip through a parser."""
    odd = 'a "quoted" & <tagged>\nvalue\twith tab'
    body = xml.body(xml.element("note", text=odd, attrs={"title": odd}))
    root = ElementTree.fromstring(body.example_text())
    assert root.get("title") == odd
    assert root.text == odd


def test_same_named_siblings_with_equal_rules_share_one_path() -> None:
    """Two `line` siblings with the same matcher write one rule; the example keeps both."""
    body = xml.body(
        xml.element(
            "address",
            xml.element("line", text=like("1 Main St")),
            xml.element("line", text=like("Springfield")),
        )
    )
    assert _rules_json(body) == {"$.address.line['#text']": [{"match": "type"}]}
    assert [e.text for e in ElementTree.fromstring(body.example_text())] == [
        "1 Main St",
        "Springfield",
    ]


def test_builders_are_immutable_and_compare_by_value() -> None:
    """`each()` returns a copy; equal descriptions give equal bodies with an eval-able repr."""
    item = xml.element("item", attrs={"n": integer(1)})
    repeated = item.each(min=2, max=4)
    assert item.repeat is None
    assert xml.body(xml.element("list", repeated)) == xml.body(xml.element("list", repeated))
    assert repr(xml.body(xml.element("list", repeated))) == (
        "xml.body(xml.element('list', xml.element('item', attrs={'n': integer(1)})"
        ".each(min=2, max=4)))"
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: xml.element("1st"), "element name='1st' is not an XML name"),
        (
            lambda: xml.element("a", "text"),  # type: ignore[arg-type]
            "pass text as element('a', text='text')",
        ),
        (lambda: xml.element("a", attrs={"b c": "1"}), "attribute name='b c' is not an XML name"),
        (lambda: xml.element("a", text=[1]), "cannot be XML text"),
        (lambda: xml.element("a", text=like([1])), "which is not XML text"),
        (lambda: xml.element("a", attrs={"xmlns": like("urn:x")}), "must be a plain URI"),
        (lambda: xml.element("a").each(min=3, max=2), "cannot have max=2 < min=3"),
        (lambda: xml.element("a").each(min=2, examples=1), "examples=1 must be at least min=2"),
        (lambda: xml.element("a").each(min=-1), "min=-1 must be a whole number >= 0"),
        (lambda: xml.body(xml.element("a").each()), "exactly one root element"),
        (lambda: xml.body("<a/>"), "the root must be an xml.element"),  # type: ignore[arg-type]
        (lambda: xml.body(xml.element("x:a")), "not well-formed XML (unbound prefix"),
        (
            lambda: xml.body(
                xml.element(
                    "a", xml.element("b", text=like("1")), xml.element("b", text=integer(2))
                )
            ),
            "two elements share the rule path $.a.b['#text'] with different rules",
        ),
        (
            lambda: xml.body(xml.element("a", xml.element("b").each(), xml.element("b"))),
            "repeats with .each() and also has same-named siblings",
        ),
    ],
)
def test_bad_descriptions_fail_at_once_saying_what_to_do(
    make: Callable[[], object], message: str
) -> None:
    """Each mistake raises InvalidMatcher naming the value at fault."""
    with pytest.raises(InvalidMatcher) as raised:
        make()
    assert message in str(raised.value)


# --------------------------------------------------------------------------
# In a contract: the Content-Type, pact files, the mock and the verifiers.


def _users_contract(name: str, **response_headers: str) -> Contract:
    """A contract with an XML request body and an XML response with repeated users."""
    return define_contract(
        name,
        consumer="xml-consumer",
        provider="xml-provider",
        interactions=[
            interaction("list users")
            .request(method="GET", path="/users")
            .responds(status=200, headers=response_headers or None, body=_users_body()),
            interaction("add user")
            .request(
                method="POST",
                path="/users",
                body=xml.body(xml.element("user", text=regex(r"[A-Z][a-z]+", "Bob"))),
            )
            .responds(status=201),
        ],
    )


def test_content_type_is_set_when_absent_and_kept_when_xml(clean_registry: None) -> None:
    """An XML body brings `application/xml`; a declared XML type stays; JSON is refused."""
    listing, adding = _users_contract("xml-ct-default").pact.interactions
    assert isinstance(listing, Interaction)
    assert isinstance(adding, Interaction)
    assert listing.response.headers["Content-Type"] == ("application/xml",)
    assert listing.response.body == Body(_users_body().example_text(), "application/xml")
    assert adding.request.headers["Content-Type"] == ("application/xml",)
    declared = _users_contract("xml-ct-declared", **{"content-type": "text/xml; charset=utf-8"})
    response = declared.pact.interactions[0].response  # type: ignore[union-attr]
    assert response.headers == {"content-type": ("text/xml; charset=utf-8",)}
    assert response.body is not None
    assert response.body.content_type == "text/xml; charset=utf-8"
    with pytest.raises(ContractError, match=r"xml.body\(...\) but Content-Type='application/json'"):
        _users_contract("xml-ct-json", **{"Content-Type": "application/json"})


@pytest.mark.parametrize("spec", ["3.0.0", "4.0"])
def test_pact_file_holds_spec_paths_and_reads_back_equal(
    tmp_path: Path, clean_registry: None, spec: str
) -> None:
    """V3 and V4 files hold the XML text and Pact XML rule paths, and read back to the same pact."""
    contract = _users_contract("xml-files")
    path = generate_pact(contract, output=tmp_path, spec=spec)
    assert load_pact(path) == contract.pact
    document = json.loads(path.read_text(encoding="utf-8"))
    response = document["interactions"][0]["response"]
    content = response["body"] if spec == "3.0.0" else response["body"]["content"]
    assert content == _users_body().example_text()
    assert sorted(response["matchingRules"]["body"]) == [
        "$.users.user",
        "$.users.user.email['#text']",
        "$.users.user.name['#text']",
        "$.users.user['@id']",
    ]


def test_mock_serves_the_xml_and_matches_xml_requests_by_rules(clean_registry: None) -> None:
    """The in-process mock answers with the example XML and accepts any request the rules allow."""
    contract = _users_contract("xml-mock")
    with mock_provider(contract) as mock:
        listing = httpx.get(f"{mock.url}/users")
        added = httpx.post(
            f"{mock.url}/users",
            content=b"<?xml version='1.0'?><user>Zoe</user>",
            headers={"Content-Type": "application/xml"},
        )
    assert listing.status_code == 200
    assert listing.headers["content-type"] == "application/xml"
    assert listing.text == _users_body().example_text()
    assert added.status_code == 201


def test_mock_rejects_an_xml_request_breaking_a_rule(clean_registry: None) -> None:
    """A request whose XML text breaks the regex gets a 404 and fails the mock on exit."""
    contract = _users_contract("xml-mock-bad")
    answers = []
    with (
        pytest.raises(MockMismatchError, match=r"\$\.body\.user\['#text'\]"),
        mock_provider(contract, interactions="add user") as mock,
    ):
        answers.append(
            httpx.post(
                f"{mock.url}/users",
                content=b"<user>zoe-2</user>",
                headers={"Content-Type": "application/xml"},
            )
        )
    assert [answer.status_code for answer in answers] == [404]


def _user(user_id: str, name: str, extra: str = "") -> str:
    return f'<user id="{user_id}"{extra}><name>{name}</name><email>{name}@y.z</email></user>'


def _users(*users: str, version: str = "2") -> str:
    return f'<users version="{version}">{"".join(users)}</users>'


# More users than the example, an extra attribute, other names and emails.
_CONFORMING = _users(_user("7", "Cy"), _user("8", "Di", ' since="2020"'), _user("9", "Ed"))
# breakage -> (users document, a mismatch path the verifier must report)
_BROKEN = {
    "one user, min 2": (_users(_user("7", "Cy")), "$.body.users"),
    "id not an integer": (_users(_user("7", "Cy"), _user("x", "Di")), "['@id']"),
    "name breaks regex": (_users(_user("7", "Cy"), _user("8", "di")), "['#text']"),
    "root attribute changed": (
        _users(_user("7", "Cy"), _user("8", "Di"), version="3"),
        "$.body.users['@version']",
    ),
}


def _wsgi_provider(users_xml: str) -> Callable[..., Iterable[bytes]]:
    """A WSGI provider answering GET /users with `users_xml` and POST /users with 201."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "POST":
            start_response("201 Created", [])
            return [b""]
        start_response("200 OK", [("Content-Type", "application/xml; charset=utf-8")])
        return [users_xml.encode("utf-8")]

    return app


def test_verifier_passes_a_conforming_xml_provider(clean_registry: None) -> None:
    """More users than the example, an extra attribute and other values satisfy the rules."""
    contract = _users_contract("xml-verify-good")
    result = verify_provider(contract, app=_wsgi_provider(_CONFORMING))
    assert result.success, result
    assert len(result.passed) == 2


@pytest.mark.parametrize("breakage", sorted(_BROKEN))
def test_verifier_fails_a_provider_breaking_an_xml_rule(
    clean_registry: None, breakage: str
) -> None:
    """Each broken rule (element count, attribute matcher, text regex, literal attribute) fails."""
    users_xml, named = _BROKEN[breakage]
    contract = _users_contract("xml-verify-bad")
    result = verify_provider(contract, app=_wsgi_provider(users_xml))
    assert not result.success
    assert [entry.description for entry in result.failed] == ["list users"]
    paths = [mismatch.path for mismatch in result.failed[0].mismatches]
    assert any(named in path for path in paths), paths


# --------------------------------------------------------------------------
# pact-python (the Rust verifier) reads the pact pactdsl writes.


class _XmlServer:
    """A real HTTP provider on 127.0.0.1 serving a chosen users document."""

    def __init__(self, users_xml: str) -> None:
        document = users_xml.encode("utf-8")

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

            def _send(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send(200, document)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._send(201, b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _XmlServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def v3_pact(tmp_path: Path, clean_registry: None) -> Path:
    """The users contract written as a V3 pact file."""
    return generate_pact(_users_contract("xml-interop"), output=tmp_path, spec="3.0.0")


def test_pact_python_verifies_a_conforming_provider_against_the_v3_xml_pact(v3_pact: Path) -> None:
    """pact-python's verifier passes a provider with three users against pactdsl's V3 XML pact."""
    with _XmlServer(_CONFORMING) as provider:
        Verifier("xml-provider", host="127.0.0.1").add_transport(url=provider.url).add_source(
            v3_pact
        ).verify()


# breakage -> what pact-python's report names (Pact-Rust reads the same rule paths).
_RUST_NAMES = {
    "id not an integer": "$.users.user['@id']",
    "name breaks regex": "$.users.user.name['#text']",
    "root attribute changed": "$.users['@version']",
}


@pytest.mark.parametrize("breakage", sorted(_RUST_NAMES))
def test_pact_python_fails_a_provider_breaking_an_xml_rule(v3_pact: Path, breakage: str) -> None:
    """pact-python's verifier fails a provider breaking an attribute, text or literal rule."""
    users_xml, _ = _BROKEN[breakage]
    with _XmlServer(users_xml) as provider:
        verifier = (
            Verifier("xml-provider", host="127.0.0.1")
            .add_transport(url=provider.url)
            .add_source(v3_pact)
        )
        with pytest.raises(RuntimeError):
            verifier.verify()
    report = verifier.output(strip_ansi=True)
    failures = report[report.index("Failures:") :]
    assert _RUST_NAMES[breakage] in failures
    assert "add user" not in failures


def test_literals_inside_a_repeated_element_are_matched_by_type(clean_registry: None) -> None:
    """Inside `.each()` a literal attribute stands for any text, as in an `each_like` template."""
    contract = define_contract(
        "xml-each-literal",
        consumer="xml-consumer",
        provider="xml-provider",
        interactions=[
            interaction("list tags")
            .request(method="GET", path="/tags")
            .responds(
                body=xml.body(
                    xml.element(
                        "tags",
                        xml.element("tag", attrs={"kind": "plain"}).each(),
                        attrs={"kind": "plain"},
                    )
                )
            )
        ],
    )
    other_kind = '<tags kind="plain"><tag kind="fancy"/><tag kind="odd"/></tags>'
    root_changed = '<tags kind="fancy"><tag kind="plain"/></tags>'
    assert verify_provider(contract, app=_wsgi_provider(other_kind)).success
    failed = verify_provider(contract, app=_wsgi_provider(root_changed)).failed
    assert [m.path for entry in failed for m in entry.mismatches] == ["$.body.tags['@kind']"]
