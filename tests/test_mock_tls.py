"""The mock provider over HTTPS: a throwaway CA that httpx, urllib and requests clients trust."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
import uuid

import httpx
import pytest
import requests

from pactdsl import Contract, define_contract, interaction
from pactdsl._mock import mock_provider, mock_request
from pactdsl.match import like


def _contract() -> Contract:
    """One interaction: GET /users/1 answers a user."""
    return define_contract(
        f"tls-{uuid.uuid4().hex[:8]}",
        consumer="web",
        provider="users",
        interactions=[
            interaction("get user 1")
            .request(method="GET", path="/users/1")
            .responds(status=200, body={"id": 1, "name": like("Ada")}),
        ],
    )


def test_httpx_client_trusts_the_mock_through_its_ssl_context() -> None:
    """An httpx client verifying with `mock.ssl_context()` gets the contract's answer over TLS."""
    with mock_provider(_contract(), port=0, tls=True) as mock:
        assert mock.url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=mock.ssl_context()) as client:
            response = client.get(f"{mock.url}/users/1")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "name": "Ada"}


def test_urllib_client_trusts_the_mock_through_its_ca_file() -> None:
    """A urllib client with a context from `mock.ca_path` gets the answer; the PEM is a cert."""
    with mock_provider(_contract(), port=0, tls=True) as mock:
        assert mock.ca_path.read_text().startswith("-----BEGIN CERTIFICATE-----")
        context = ssl.create_default_context(cafile=str(mock.ca_path))
        with urllib.request.urlopen(f"{mock.url}/users/1", context=context) as answer:
            assert json.loads(answer.read()) == {"id": 1, "name": "Ada"}


def test_requests_client_trusts_the_mock_through_verify_ca_path() -> None:
    """A requests client with ``verify=mock.ca_path`` reaches the mock as ``localhost`` too."""
    with mock_provider(_contract(), port=0, tls=True) as mock:
        port = mock.url.rsplit(":", 1)[1]
        # As docs/mock.md shows: requests takes a Path here, though its stubs say str.
        response = requests.get(
            f"https://localhost:{port}/users/1",
            verify=mock.ca_path,  # type: ignore[arg-type]
        )
    assert response.json() == {"id": 1, "name": "Ada"}


def test_client_without_the_ca_is_refused_and_the_mock_keeps_serving() -> None:
    """A client trusting only the system CAs fails certificate verification; later clients work."""
    with mock_provider(_contract(), port=0, tls=True) as mock:
        with pytest.raises(urllib.error.URLError) as refused:
            urllib.request.urlopen(f"{mock.url}/users/1", context=ssl.create_default_context())
        assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
        with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            requests.get(f"{mock.url}/users/1")
        with httpx.Client(verify=mock.ssl_context()) as client:
            assert client.get(f"{mock.url}/users/1").status_code == 200


def test_plain_http_client_gets_no_answer_from_the_tls_mock() -> None:
    """Plain HTTP to the HTTPS port is not served: no interaction is recorded."""
    with mock_provider(_contract(), port=0, tls=True) as mock:
        plain = mock.url.replace("https://", "http://")
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{plain}/users/1", timeout=10)
        assert mock.calls == []
        mock_request(mock, "GET", "/users/1")


def test_in_process_mock_answers_https_urls() -> None:
    """In-process, ``tls=True`` gives an https URL that httpx clients reach without a socket."""
    with mock_provider(_contract(), tls=True) as mock:
        assert mock.url.startswith("https://pactdsl-mock-")
        assert httpx.get(f"{mock.url}/users/1").json() == {"id": 1, "name": "Ada"}


def test_plain_mock_has_no_ca() -> None:
    """Asking a plain HTTP mock for its CA is an error saying to pass tls=True."""
    mock = mock_provider(_contract(), port=0)
    with pytest.raises(RuntimeError, match="tls=True"):
        _ = mock.ca_path
    assert "tls" not in repr(mock)
    assert "tls" in repr(mock_provider(_contract(), port=0, tls=True))


def test_missing_trustme_names_the_extra_to_install() -> None:
    """Without trustme, tls=True raises an ImportError naming ``pactdsl[tls]`` at once."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["trustme"] = None  # as if it were not installed
        from pactdsl import define_contract, interaction
        from pactdsl._mock import mock_provider
        contract = define_contract("c", consumer="a", provider="b", interactions=[
            interaction("x").request(method="GET", path="/").responds(status=200)])
        try:
            mock_provider(contract, port=0, tls=True)
        except ImportError as exc:
            print(type(exc).__name__, exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == (
        "MissingExtra mock_provider(tls=True) needs trustme, which pactdsl installs only with "
        "its 'tls' extra: pip install 'pactdsl[tls]'"
    )


@pytest.mark.parametrize("tls", [True, False])
def test_in_process_mock_refuses_the_other_scheme_as_a_port_mock_would(tls: bool) -> None:
    """In-process, http:// to a TLS mock (or https:// to a plain one) is refused, not served."""
    with mock_provider(_contract(), tls=tls) as mock:
        scheme, other = ("https", "http") if tls else ("http", "https")
        wrong = mock.url.replace(f"{scheme}://", f"{other}://")
        with pytest.raises(httpx.ConnectError, match=f"serves {scheme}:// only"):
            httpx.get(f"{wrong}/users/1")
        assert mock.calls == []
        assert httpx.get(f"{mock.url}/users/1").status_code == 200
