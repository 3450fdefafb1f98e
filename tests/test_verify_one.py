"""`verify_one` (the pytest plugin's verifier) with the options `verify_provider` has.

One interaction, verified with the same `Target` and `RunOptions` objects
`verify_provider` builds: a provider over TLS signed by its own CA (trusted
through a CA bundle path), and a provider that redirects to another origin
(followed only with ``follow_redirects="any-origin"``). Real servers on
127.0.0.1 serve both.
"""

from __future__ import annotations

import ssl
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from pactdsl import ErroredInteraction, PassedInteraction, define_contract, interaction
from pactdsl._dsl import resolve_pact
from pactdsl._verify._broker_source import PactToVerify
from pactdsl._verify._run import run_options
from pactdsl._verify._target import target
from pactdsl._verify._verifier import verify_one
from pactdsl.match import like

pytestmark = pytest.mark.usefixtures("clean_registry")


def _answering(routes: dict[str, tuple[int, dict[str, str], bytes]]) -> type:
    """A request handler answering GET `path` with (status, headers, body) from `routes`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


def _serve(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if isinstance(server.socket, ssl.SSLSocket) else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


USER = (200, {"Content-Type": "application/json"}, b'{"id": 1, "name": "Ann"}')


@pytest.fixture
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture
def tls_provider(ca: trustme.CA) -> Iterator[str]:
    """An HTTPS provider on 127.0.0.1 whose certificate `ca` signed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _answering({"/users/1": USER}))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from _serve(server)


@pytest.fixture
def elsewhere() -> Iterator[str]:
    """A second HTTP server on 127.0.0.1 (another origin) that has the user."""
    yield from _serve(ThreadingHTTPServer(("127.0.0.1", 0), _answering({"/users/1": USER})))


@pytest.fixture
def redirecting(elsewhere: str) -> Iterator[str]:
    """An HTTP provider on 127.0.0.1 that redirects /users/1 to `elsewhere`."""
    moved = (302, {"Location": f"{elsewhere}/users/1"}, b"")
    yield from _serve(ThreadingHTTPServer(("127.0.0.1", 0), _answering({"/users/1": moved})))


def _unit() -> tuple[PactToVerify, Any]:
    """A pact with one interaction: GET /users/1 answers a user."""
    contract = define_contract(
        f"one_{uuid.uuid4().hex[:8]}",
        consumer="web",
        provider="users",
        interactions=[
            interaction("get user 1")
            .request(method="GET", path="/users/1")
            .responds(status=200, body={"id": 1, "name": like("Ann")})
        ],
    )
    pact = resolve_pact(contract)
    return PactToVerify(pact), pact.interactions[0]


def test_verify_one_trusts_a_provider_through_a_ca_bundle_path(
    ca: trustme.CA, tls_provider: str, tmp_path: Path
) -> None:
    """verify_tls=<CA path> passes over TLS; the default check errors saying it is TLS."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    unit, get_user = _unit()
    trusted, outcome = verify_one(
        unit, get_user, target(base_url=tls_provider, verify_tls=bundle), run_options()
    )
    refused, refused_outcome = verify_one(
        unit, get_user, target(base_url=tls_provider), run_options()
    )
    assert [type(e) for e in trusted.entries] == [PassedInteraction]
    assert outcome is True
    [error] = refused.entries
    assert isinstance(error, ErroredInteraction)
    assert error.message.startswith(f"TLS failed with {tls_provider}/users/1:")
    assert refused_outcome is False


def test_verify_one_follows_a_redirect_to_another_origin_only_when_told(
    redirecting: str,
) -> None:
    """follow_redirects='any-origin' follows to another port; True refuses to leave the origin."""
    unit, get_user = _unit()
    followed, _ = verify_one(
        unit, get_user, target(base_url=redirecting, follow_redirects="any-origin"), run_options()
    )
    kept, _ = verify_one(
        unit, get_user, target(base_url=redirecting, follow_redirects=True), run_options()
    )
    assert [type(e) for e in followed.entries] == [PassedInteraction]
    [error] = kept.entries
    assert isinstance(error, ErroredInteraction)
    assert "any-origin" in error.message


def test_target_refuses_an_unreadable_ca_bundle_and_a_bad_redirect_choice() -> None:
    """A CA path that cannot be read, or follow_redirects='yes', is refused by name."""
    from pactdsl._verify import VerificationConfigError

    with pytest.raises(VerificationConfigError, match=r"verify_tls='missing\.pem' must be"):
        target(base_url="https://127.0.0.1:1", verify_tls="missing.pem")
    with pytest.raises(VerificationConfigError, match=r"follow_redirects='yes' must be False"):
        target(base_url="http://127.0.0.1:1", follow_redirects="yes")  # type: ignore[arg-type]


def test_every_verify_provider_argument_configures_a_part() -> None:
    """Each keyword of verify_provider is taken by one of the option factories it routes to."""
    import inspect

    from pactdsl._verify._verifier import PARTS, verify_provider

    taken = {name for part in PARTS for name in inspect.signature(part).parameters}
    assert set(inspect.signature(verify_provider).parameters) - taken == set()
