"""Multipart bodies: the DSL helper, the engine part by part, the pact file, mocks and verifiers."""

from __future__ import annotations

import gc
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from pactdsl import (
    ContractError,
    InvalidMatcher,
    create_mock_provider,
    define_contract,
    generate_pact,
    interaction,
    load_pact,
    mock_provider,
    multipart,
    verify_mock_interactions,
    verify_provider,
)
from pactdsl.match import content_type, regex
from pactdsl.matching import MatchingError, match_body, match_request
from tests.test_verify_interop import pact_python_verdict

pytestmark = pytest.mark.usefixtures("clean_registry")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00rat"
PDF = b"%PDF-1.4 not a photo"


def _photo_body(title: Any = "Rat", photo: Any = None) -> multipart.MultipartBody:
    return multipart.body(
        multipart.field("title", title),
        multipart.file(
            "photo", photo if photo is not None else JPEG, "image/jpeg", filename="rat.jpg"
        ),
    )


def _form(boundary: str, *parts: tuple[str, str, bytes]) -> bytes:
    """A multipart/form-data body as a client writes it: (name, content type, bytes) parts.

    A part whose content type is not text is a file upload (it gets a filename).
    """
    out = b""
    for name, media, data in parts:
        disposition = f'form-data; name="{name}"'
        if not media.startswith("text/"):
            disposition += f'; filename="{name}.bin"'
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        out += f"Content-Type: {media}\r\n\r\n".encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def _request(boundary: str, body: bytes) -> dict[str, Any]:
    media = f"multipart/form-data; boundary={boundary}"
    return {
        "method": "POST",
        "path": "/photos",
        "headers": {"Content-Type": [media]},
        "body": {"content": body, "contentType": media, "encoded": False},
    }


# --- the engine -------------------------------------------------------------------------


def test_parts_are_paired_by_name_whatever_the_boundaries() -> None:
    """Each side is split by its own boundary; parts in another order still pair up by name."""
    expected = _form("AAA", ("title", "text/plain", b"Rat"), ("photo", "image/jpeg", JPEG))
    actual = _form("zz-other", ("photo", "image/jpeg", JPEG), ("title", "text/plain", b"Rat"))
    found = match_request(_request("AAA", expected), _request("zz-other", actual), "4.0")
    assert [m for m in found if m.path.startswith("$.body")] == []


def test_a_changed_part_is_reported_at_its_path() -> None:
    """A text part with other text and a file with other bytes: one mismatch per part."""
    expected = _form("AAA", ("title", "text/plain", b"Rat"), ("photo", "image/jpeg", JPEG))
    actual = _form("BBB", ("title", "text/plain", b"Mouse"), ("photo", "image/jpeg", PDF))
    found = match_request(_request("AAA", expected), _request("BBB", actual), "4.0")
    by_path = {m.path: m.message for m in found if m.path.startswith("$.body")}
    assert set(by_path) == {"$.body.title", "$.body.photo"}
    assert "'Mouse'" in by_path["$.body.title"]
    assert by_path["$.body.photo"].startswith("part 'photo': ")


def test_part_rules_apply_at_the_part_path() -> None:
    """A regex on a field and a contentType rule on a file match other values of the kind."""
    rules = {
        "$.title": {"matchers": [{"match": "regex", "regex": r"\w+"}]},
        "$.photo": {"matchers": [{"match": "contentType", "value": "image/jpeg"}]},
    }
    expected = _form("AAA", ("title", "text/plain", b"Rat"), ("photo", "image/jpeg", JPEG))
    other_jpeg = b"\xff\xd8\xff\xe0 another photo"
    good = _form("AAA", ("title", "text/plain", b"Mouse"), ("photo", "image/jpeg", other_jpeg))
    media = "multipart/form-data; boundary=AAA"
    assert match_body(expected, good, rules, content_type=media, allow_unexpected_keys=False) == []
    bad = _form("AAA", ("title", "text/plain", b"no way!"), ("photo", "image/jpeg", PDF))
    found = match_body(expected, bad, rules, content_type=media, allow_unexpected_keys=False)
    assert {m.path for m in found} == {"$.body.title", "$.body.photo"}


def test_missing_unexpected_and_retyped_parts() -> None:
    """A missing part, an extra part (requests) and a part of another content type each fail."""
    media = "multipart/form-data; boundary=AAA"
    expected = _form("AAA", ("title", "text/plain", b"Rat"), ("photo", "image/jpeg", JPEG))
    actual = _form("AAA", ("title", "text/csv", b"Rat"), ("extra", "text/plain", b"x"))
    found = match_body(expected, actual, None, content_type=media, allow_unexpected_keys=False)
    messages = {m.path: m.message for m in found}
    assert "missing" in messages["$.body.photo"]
    assert "unexpected part 'extra'" in messages["$.body.extra"]
    assert "'text/csv'" in messages["$.body.title"]
    lenient = match_body(expected, actual, None, content_type=media, allow_unexpected_keys=True)
    assert "$.body.extra" not in {m.path for m in lenient}


def test_a_file_part_must_stay_a_file() -> None:
    """A part uploaded as a file (with a filename) does not match a plain field, and back."""
    media = "multipart/form-data; boundary=AAA"
    expected = _form("AAA", ("photo", "image/jpeg", JPEG))
    as_field = expected.replace(b'; filename="photo.bin"', b"")
    (mismatch,) = match_body(
        expected, as_field, None, content_type=media, allow_unexpected_keys=False
    )
    assert mismatch.message == "expected part 'photo' to be a file, got a field (filename=None)"
    (back,) = match_body(as_field, expected, None, content_type=media, allow_unexpected_keys=False)
    assert "to be a field, got a file" in back.message


def test_mixed_parts_pair_by_position_and_base64_parts_are_decoded() -> None:
    """multipart/mixed parts without names pair by index; base64 transfer encoding is undone."""
    media = "multipart/mixed; boundary=XYZ"
    plain = b"--XYZ\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n--XYZ--\r\n"
    encoded = (
        b"--XYZ\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--XYZ--\r\n"
    )
    assert match_body(plain, encoded, None, content_type=media, allow_unexpected_keys=False) == []
    other = encoded.replace(b"aGVsbG8=", b"aGVsbG8h")
    (mismatch,) = match_body(plain, other, None, content_type=media, allow_unexpected_keys=False)
    assert mismatch.path == "$.body[0]"


def test_an_unreadable_actual_body_is_a_mismatch_and_an_unreadable_expected_one_an_error() -> None:
    """Broken multipart from the other side fails the match; a broken pact raises MatchingError."""
    media = "multipart/form-data; boundary=AAA"
    good = _form("AAA", ("title", "text/plain", b"Rat"))
    (mismatch,) = match_body(
        good, b"no parts here", None, content_type=media, allow_unexpected_keys=False
    )
    assert "cannot be read as multipart" in mismatch.message
    with pytest.raises(MatchingError, match="expected multipart body cannot be read"):
        match_body(
            b"--AAA\r\nunclosed", good, None, content_type=media, allow_unexpected_keys=False
        )


# --- the DSL helper and the pact file ---------------------------------------------------------


def test_body_helper_builds_bytes_rules_and_a_readable_repr() -> None:
    """multipart.body(...) makes a form-data body with part rules; its repr reads like the call."""
    made = _photo_body(regex(r"\w+", "Rat"), content_type("image/jpeg", JPEG))
    assert made.content_type.startswith("multipart/form-data; boundary=pactdsl-")
    assert made.boundary.encode() not in JPEG
    assert set(made.rules()) == {"$.title", "$.photo"}
    assert repr(made).startswith("multipart.body(multipart.field('title', regex(")
    assert made == _photo_body(regex(r"\w+", "Rat"), content_type("image/jpeg", JPEG))


@pytest.mark.parametrize(
    ("make", "complaint"),
    [
        (multipart.body, "at least one"),
        (lambda: multipart.body(multipart.field("a", "1"), multipart.field("a", "2")), "two parts"),
        (lambda: multipart.field("a", b"bytes"), "must be text"),
        (lambda: multipart.file("a", "text", "image/jpeg"), "must be bytes"),
        (lambda: multipart.file("a", b"x", "jpeg"), "media type"),
        (lambda: multipart.field('a"b', "1"), "without quotes"),
    ],
)
def test_helper_rejects_what_it_cannot_send(make: Any, complaint: str) -> None:
    """Bad parts raise InvalidMatcher naming the part and what to do."""
    with pytest.raises(InvalidMatcher, match=complaint):
        make()


def test_a_content_type_header_beside_a_multipart_body_is_refused() -> None:
    """The body sets its own Content-Type (with its boundary); another one is a ContractError."""
    with pytest.raises(ContractError, match="sets its own Content-Type"):
        define_contract(
            "multipart-header",
            consumer="app",
            provider="photos",
            interactions=[
                interaction("upload")
                .request(
                    method="POST",
                    path="/photos",
                    headers={"Content-Type": "text/plain"},
                    body=_photo_body(),
                )
                .responds(status=201)
            ],
        )


def _upload_contract(name: str = "photos") -> Any:
    return define_contract(
        name,
        consumer="photo-app",
        provider="photo-service",
        interactions=[
            interaction("upload a photo")
            .request(
                method="POST",
                path="/photos",
                body=_photo_body(regex(r"\w+", "Rat"), content_type("image/jpeg", JPEG)),
            )
            .responds(status=201, body={"id": 1}),
            interaction("fetch a photo")
            .request(method="GET", path="/photos/1")
            .responds(
                status=200,
                body=_photo_body(regex(r"\w+", "Rat"), content_type("image/jpeg", JPEG)),
            ),
        ],
    )


def test_pact_file_holds_the_body_the_header_rule_and_the_part_rules(tmp_path: Path) -> None:
    """The V4 file has the base64 body, a regex on Content-Type and rules at $.title/$.photo."""
    contract = _upload_contract()
    path = generate_pact(contract, tmp_path, spec="4.0")
    request = json.loads(path.read_text("utf-8"))["interactions"][0]["request"]
    assert request["body"]["encoded"] == "base64"
    assert request["body"]["contentType"].startswith("multipart/form-data; boundary=")
    header_rule = request["matchingRules"]["header"]["Content-Type"]["matchers"][0]
    assert header_rule == {"match": "regex", "regex": multipart.CONTENT_TYPE_PATTERN}
    assert set(request["matchingRules"]["body"]) == {"$.title", "$.photo"}
    assert load_pact(path) == contract.pact


# --- the mocks ------------------------------------------------------------------------------


@pytest.mark.parametrize("port", [None, 0], ids=["in-process", "port"])
def test_mocks_serve_a_client_form_upload_and_refuse_a_wrong_one(port: int | None) -> None:
    """Httpx's own multipart encoding (another boundary) matches; a PDF photo does not."""
    contract = _upload_contract()
    with mock_provider(contract, port=port, interactions="upload a photo") as mock:
        answer = httpx.post(
            f"{mock.url}/photos",
            data={"title": "Mouse"},
            files={"photo": ("mouse.jpg", b"\xff\xd8\xff\xe0 mouse", "image/jpeg")},
        )
        assert answer.status_code == 201, answer.text
    mock = create_mock_provider(contract, port, interactions="upload a photo").start()
    try:
        answer = httpx.post(
            f"{mock.url}/photos",
            data={"title": "Mouse"},
            files={"photo": ("mouse.pdf", PDF, "application/pdf")},
        )
    finally:
        mock.stop()
    assert answer.status_code == 404
    ok, problems = verify_mock_interactions(mock)
    assert not ok
    assert re.search(r"part 'photo'.*'image/jpeg'", str(problems[0]))


# --- verification against a real provider, and pact-python's verdict ------------------------


class _PhotoProvider:
    """A photo service on 127.0.0.1: reads multipart uploads, serves a photo as multipart."""

    def __init__(self) -> None:
        self.photo = JPEG
        self.uploads: list[dict[str, Any]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                media = self.headers.get("Content-Type", "")
                found = re.search(r"boundary=(\S+)", media)
                names = re.findall(rb'; name="([^"]+)"', raw)
                provider.uploads.append({"type": media, "names": names})
                ok = media.startswith("multipart/form-data") and found and names
                self._send(201 if ok else 400, "application/json", b'{"id": 1}')

            def do_GET(self) -> None:
                body = _form(
                    "srv-42",
                    ("title", "text/plain", b"Mouse"),
                    ("photo", "image/jpeg", provider.photo),
                )
                self._send(200, "multipart/form-data; boundary=srv-42", body)

            def _send(self, status: int, media: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def photos() -> Iterator[_PhotoProvider]:
    """The photo provider, running."""
    running = _PhotoProvider()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("photo", "verdict"), [(JPEG, True), (PDF, False)], ids=["jpeg", "pdf"])
def test_verifiers_agree_on_a_multipart_pact(
    photos: _PhotoProvider, tmp_path: Path, photo: bytes, verdict: bool
) -> None:
    """Pactdsl and pact-python's Verifier give the same verdict; the upload arrives as a form."""
    photos.photo = photo
    pact_file = generate_pact(_upload_contract(), tmp_path, spec="4.0")
    result = verify_provider(pact_file, base_url=photos.url)
    assert result.success is verdict, result
    assert photos.uploads[-1]["names"] == [b"title", b"photo"]
    if not verdict:
        (failed,) = result.failed
        assert failed.description == "fetch a photo"
        assert [m.path for m in failed.mismatches] == ["$.body.photo"]
    assert pact_python_verdict(pact_file, photos.url, provider="photo-service") is verdict
    gc.collect()
