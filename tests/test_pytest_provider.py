"""Provider verification as pytest items: one item per interaction, states as fixtures.

Each test writes a small provider suite and runs it as a real pytest session in
a subprocess (`pytester.runpytest_subprocess`), with pytest-xdist where the
test says so, then looks at its outcomes, its output and the broker it
published to.
"""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from pathlib import Path

import pytest

from pactdsl import Contract, generate_pact
from pactdsl import broker as pact_broker
from pactdsl.broker import InteractionOutcome, LocalBroker

pytest_plugins = ["pytester"]

# The provider's contract: six interactions, one the app gets wrong, one pending.
CONTRACT = textwrap.dedent(
    """
    from pactdsl import define_contract, interaction
    from pactdsl.match import integer, like

    users_contract = define_contract(
        "users_contract",
        consumer="web",
        provider="user-service",
        interactions=[
            interaction("get user 1")
            .given("user exists", id=1)
            .given("user has orders", count=2)
            .request(method="GET", path="/users/1")
            .responds(status=200, body={"id": integer(1), "name": like("Ann")}),
            interaction("get a missing user")
            .given("no users")
            .request(method="GET", path="/users/99")
            .responds(status=404),
            interaction("create user")
            .request(method="POST", path="/users", body={"name": like("Bob")})
            .responds(status=201, body={"id": integer(2), "name": like("Bob")}),
            interaction("list users")
            .request(method="GET", path="/users")
            .responds(status=200, body=[{"id": integer(1)}]),
            interaction("get user email")
            .given("user exists", id=1)
            .request(method="GET", path="/users/1/email")
            .responds(status=200, body={"email": like("ann@example.com")}),
            interaction("export users as csv")
            .pending()
            .request(method="GET", path="/users.csv")
            .responds(status=200, body="id\\n1\\n"),
        ],
    )
    """
)

# The provider (a WSGI app), which logs the requests it gets.
PROVIDER = textwrap.dedent(
    """
    import json
    from pathlib import Path

    EVENTS = Path(__file__).parent / "events.log"


    def log(line):
        with EVENTS.open("a") as events:
            events.write(line + "\\n")


    def answer(method, path, kind):
        log(f"request {method} {path} ({kind})")
        status, body = 404, None
        if path == "/users/1":
            status, body = 200, {"id": 1, "name": "Ann"}
        elif path == "/users" and method == "POST":
            status, body = 201, {"id": 2, "name": "Bob"}
        elif path == "/users":
            status, body = 200, [{"id": 1}]
        elif path == "/users/1/email":
            status, body = 200, {"mail": "ann@example.com"}  # the bug: 'mail'
        return status, b"" if body is None else json.dumps(body).encode()


    def app(environ, start_response):  # WSGI
        status, data = answer(environ["REQUEST_METHOD"], environ["PATH_INFO"], "wsgi")
        start_response(f"{status} Whatever", [("Content-Type", "application/json")])
        return [data]


    async def asgi_app(scope, receive, send):  # the same provider as an ASGI app
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                done = message["type"] + ".complete"
                await send({"type": done})
                if message["type"] == "lifespan.shutdown":
                    return
        status, data = answer(scope["method"], scope["path"], "asgi")
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
    """
)

# The provider states, in a conftest.py, with a fixture of their own; they log too.
STATES = textwrap.dedent(
    """
    import pytest

    from pactdsl.pytest_plugin import provider_state
    from provider import log


    @pytest.fixture
    def events():
        return log


    @provider_state("user exists")
    def user_exists(params, events):
        events(f"setup user exists {params}")
        yield {"id": params["id"]}
        events(f"teardown user exists {params}")


    @provider_state("user has orders")
    def user_has_orders(params, events):
        events(f"setup user has orders {params}")
        yield
        events(f"teardown user has orders {params}")


    @provider_state("no users")
    def no_users():
        pass
    """
)

SUITE = textwrap.dedent(
    """
    import pytest

    from contract import users_contract
    from provider import app


    @pytest.mark.pact_verification(users_contract)
    def test_user_service(pact_interaction):
        pact_interaction.verify(app=app)
    """
)


def _suite(pytester: pytest.Pytester, suite: str = SUITE) -> None:
    pytester.makepyfile(contract=CONTRACT, provider=PROVIDER, test_users=suite)
    pytester.makeconftest(STATES)


def _events(pytester: pytest.Pytester) -> list[str]:
    return (pytester.path / "events.log").read_text().splitlines()


def test_six_interactions_give_four_passed_one_failed_one_xfailed(
    pytester: pytest.Pytester,
) -> None:
    """Each interaction is an item named after it; the failing one shows the verifier's report."""
    _suite(pytester)
    result = pytester.runpytest_subprocess("-v", "-rx", "-p", "no:randomly")
    result.assert_outcomes(passed=4, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_user_service?web -> user-service: get user 1 "
            "[[]given user exists and user has orders[]]? PASSED*",
            "*test_user_service?web -> user-service: get a missing user [[]given no users[]]? "
            "PASSED*",
            "*test_user_service?web -> user-service: export users as csv? XFAIL*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "Contract Verification Results",
            "Provider: user-service",
            "Consumer: web",
            "Passed: 0/1 interactions",
            "Failed Interactions:",
            '1. "get user email"',
            "   Reason: missing key 'email' at $.body*",
            "XFAIL*export users as csv* - pending interaction (V4 'pending')*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_k_selects_one_interaction_whose_states_run_in_order(pytester: pytest.Pytester) -> None:
    """``-k`` runs one item (of an ASGI app); its states are set up in order, torn down reversed."""
    _suite(
        pytester, SUITE.replace("from provider import app", "from provider import asgi_app as app")
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "orders")
    result.assert_outcomes(passed=1, deselected=5)
    assert _events(pytester) == [
        "setup user exists {'id': 1}",
        "setup user has orders {'count': 2}",
        "request GET /users/1 (asgi)",
        "teardown user has orders {'count': 2}",
        "teardown user exists {'id': 1}",
    ]


def test_pact_folder_against_the_base_url_of_a_running_provider(
    pytester: pytest.Pytester,
) -> None:
    """A folder of pact files as source, verified at a real server's URL from a fixture."""
    _suite(
        pytester,
        textwrap.dedent(
            """
            import pytest

            from pactdsl import generate_pact
            from pactdsl._demo import serve_wsgi
            from contract import users_contract
            from provider import app

            generate_pact(users_contract, output="pacts", spec="4.0")


            @pytest.fixture(scope="module")
            def live_server():
                with serve_wsgi(app) as url:
                    yield url


            @pytest.mark.pact_verification("pacts", provider="user-service")
            def test_user_service(pact_interaction, live_server):
                pact_interaction.verify(base_url=live_server)
            """
        ),
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=4, failed=1, xfailed=1)


def test_a_missing_state_and_a_test_that_never_verifies_fail(pytester: pytest.Pytester) -> None:
    """A state nobody registered errors the item with a hint; not calling verify() is an error."""
    pytester.makeconftest(
        STATES.replace('@provider_state("no users")', '@provider_state("no user")')
    )
    pytester.makepyfile(
        contract=CONTRACT,
        provider=PROVIDER,
        test_users=SUITE
        + textwrap.dedent(
            """

            @pytest.mark.pact_verification(users_contract)
            def test_forgets_to_verify(pact_interaction):
                assert pact_interaction.description
            """
        ),
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "missing")
    # The test that never verifies passed its call, then errors at teardown.
    result.assert_outcomes(failed=1, passed=1, errors=1, deselected=10)
    result.stdout.fnmatch_lines_random(
        [
            "*Error during state setup: *no provider state 'no users' is registered for this "
            "test (did you mean 'no user'?); register it with @provider_state('no users')*",
            "*passed without calling pact_interaction.verify(...), so it verified nothing*",
        ]
    )


def test_bad_markers_are_collection_errors_that_say_why(pytester: pytest.Pytester) -> None:
    """A pact of another provider, or a marked test without the fixture, fails collection."""
    head = "import pytest\nfrom contract import users_contract\n"
    pytester.makepyfile(
        contract=CONTRACT,
        test_wrong_provider=head
        + textwrap.dedent(
            """
            @pytest.mark.pact_verification(users_contract, provider="someone-else")
            def test_user_service(pact_interaction):
                pass
            """
        ),
        test_no_fixture=head
        + textwrap.dedent(
            """
            @pytest.mark.pact_verification(users_contract)
            def test_no_fixture():
                pass
            """
        ),
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "test_no_fixture.py::test_no_fixture: @pytest.mark.pact_verification: the test "
            "must take the pact_interaction fixture and call pact_interaction.verify(...)",
            "test_wrong_provider.py::test_user_service: @pytest.mark.pact_verification: "
            "provider='someone-else', but the pact of web is for provider 'user-service'*",
        ]
    )


def test_xdist_gives_the_same_counts_and_publishes_one_aggregated_verification(
    pytester: pytest.Pytester, tmp_path: Path, clean_registry: None
) -> None:
    """Under ``-n 2``: 4 passed, 1 failed, 1 xfailed, and the controller publishes once, failed."""
    namespace: dict[str, object] = {}
    exec(CONTRACT, namespace)
    users_contract = namespace["users_contract"]
    assert isinstance(users_contract, Contract)
    pact_file = generate_pact(users_contract, output=tmp_path, spec="4.0")
    database = tmp_path / "broker.db"
    with LocalBroker(database) as local:
        pact_broker.publish(pact_file, "1.0.0", broker=local)
    _suite(
        pytester,
        textwrap.dedent(
            """
            import pytest

            from provider import app


            @pytest.mark.pact_verification(
                broker=True,
                provider="user-service",
                publish_results=True,
                provider_version="2.0.0",
                provider_branch="main",
            )
            def test_user_service(pact_interaction):
                pact_interaction.verify(app=app)
            """
        ),
    )
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith("PACT_BROKER_")]:
            patch.delenv(name)
        patch.setenv("PACTDSL_BROKER_DB", str(database))
        result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly")
        narrowed = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "missing")
    result.assert_outcomes(passed=4, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*pactdsl provider verification*",
            "published: web 1.0.0 -> user-service: failure of 6 interaction(s) verified by "
            "provider version 2.0.0",
        ]
    )
    narrowed.assert_outcomes(passed=1, deselected=5)
    narrowed.stdout.fnmatch_lines(["not published: web 1.0.0 -> user-service: 1 of its 6 *"])
    with LocalBroker(database) as local:
        described = local.describe_version("user-service", "2.0.0")
    assert [(v.consumer, v.success) for v in described.verifications] == [("web", False)]
    assert described.verifications[0].provider_version == "2.0.0"
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT interactions FROM verification_results").fetchone()
    outcomes = [InteractionOutcome.from_json(item) for item in json.loads(stored)]
    assert [(o.description, o.status, o.pending) for o in outcomes] == [
        ("get user 1", "passed", False),
        ("get a missing user", "passed", False),
        ("create user", "passed", False),
        ("list users", "passed", False),
        ("get user email", "failed", False),
        ("export users as csv", "failed", True),
    ]


def test_a_pending_item_xfails_with_its_report_but_a_wrong_verify_call_fails(
    pytester: pytest.Pytester,
) -> None:
    """A pending item's xfail reason holds its report; a verify() that cannot run fails."""
    _suite(
        pytester,
        SUITE
        + textwrap.dedent(
            """

            @pytest.mark.pact_verification(users_contract)
            def test_without_a_target(pact_interaction):
                pact_interaction.verify()
            """
        ),
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-rx", "-k", "csv")
    result.assert_outcomes(failed=1, xfailed=1, deselected=10)
    result.stdout.fnmatch_lines(
        [
            "*test_without_a_target*verify: give exactly one of base_url=*",
            "XFAIL*test_user_service*export users as csv* - pending interaction (V4 'pending')*",
            '1. "export users as csv" (pending*',
            "   Expected status: 200",
        ]
    )


def test_an_interaction_failed_by_any_item_is_published_as_failed(
    pytester: pytest.Pytester, tmp_path: Path, clean_registry: None
) -> None:
    """Two items verifying one interaction (a parametrised door): one failure fails the pact."""
    namespace: dict[str, object] = {}
    exec(CONTRACT, namespace)
    database = tmp_path / "broker.db"
    with LocalBroker(database) as local:
        pact_broker.publish(namespace["users_contract"], "1.0.0", broker=local)
    _suite(
        pytester,
        textwrap.dedent(
            f"""
            import pytest

            from pactdsl.broker import LocalBroker
            from contract import users_contract
            from provider import app


            def broken(environ, start_response):
                start_response("500 Oops", [])
                return [b""]


            def fixed(environ, start_response):  # the provider with its email bug fixed
                if environ["PATH_INFO"] != "/users/1/email":
                    return app(environ, start_response)
                start_response("200 OK", [("Content-Type", "application/json")])
                return [b'{{"email": "ann@example.com"}}']


            @pytest.mark.pact_verification(
                users_contract,
                broker=LocalBroker({str(database)!r}),
                publish_results=True,
                provider_version="2.0.0",
            )
            @pytest.mark.parametrize("door", [broken, fixed], ids=["broken", "fixed"])
            def test_user_service(pact_interaction, door):
                pact_interaction.verify(app=door)
            """
        ),
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=5, failed=5, xfailed=2)
    result.stdout.fnmatch_lines(["published: web -> user-service: failure of 6 interaction(s)*"])


def test_a_state_parameter_with_a_default_is_no_fixture_and_an_unknown_one_is_named(
    pytester: pytest.Pytester,
) -> None:
    """As in pytest, a parameter with a default is no fixture; a missing fixture is named."""
    pytester.makeconftest(
        STATES
        + textwrap.dedent(
            """

            @provider_state("user exists")
            def user_exists(params, events, prefix="setup"):
                events(f"{prefix} user exists {params}")


            @provider_state("no users")
            def no_users(database):
                pass
            """
        )
    )
    pytester.makepyfile(contract=CONTRACT, provider=PROVIDER, test_users=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "email or missing")
    result.assert_outcomes(failed=2, deselected=4)
    assert _events(pytester)[0] == "setup user exists {'id': 1}"
    result.stdout.fnmatch_lines(
        [
            "*state setup*LookupError: the provider state function for 'no users' takes "
            "database, which is not a fixture here; its parameters are params and pytest "
            "fixtures*",
        ]
    )
    assert "SubRequest" not in result.stdout.str()


# A provider over HTTPS signed by a throwaway CA, which redirects to another origin.
TLS_CONFTEST = textwrap.dedent(
    """
    import json
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import pytest
    import trustme


    def _serve(server):
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


    class Elsewhere(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"id": 1, "name": "Ann"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass


    @pytest.fixture(scope="session")
    def tls_provider(tmp_path_factory):
        elsewhere = _serve(ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere))
        target = f"http://127.0.0.1:{elsewhere.server_address[1]}"

        class Redirect(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(302)
                self.send_header("Location", target + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        ca = trustme.CA()
        bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        _serve(server)
        yield f"https://127.0.0.1:{server.server_address[1]}", bundle
        server.shutdown()
        elsewhere.shutdown()
    """
)


def test_verify_trusts_a_ca_bundle_path_and_follows_redirects_to_any_origin(
    pytester: pytest.Pytester,
) -> None:
    """verify(verify_tls=<CA path>, follow_redirects='any-origin') passes; each alone does not."""
    pytester.makeconftest(TLS_CONFTEST)
    pytester.makepyfile(
        test_tls=textwrap.dedent(
            """
            import pytest

            from pactdsl import define_contract, interaction
            from pactdsl.match import like

            users = define_contract(
                "users_over_tls",
                consumer="web",
                provider="user-service",
                interactions=[
                    interaction("get user 1")
                    .request(method="GET", path="/users/1")
                    .responds(status=200, body={"id": 1, "name": like("Ann")}),
                ],
            )


            @pytest.mark.pact_verification(users)
            def test_both(pact_interaction, tls_provider):
                url, bundle = tls_provider
                pact_interaction.verify(
                    base_url=url, verify_tls=bundle, follow_redirects="any-origin"
                )


            @pytest.mark.pact_verification(users)
            def test_untrusted(pact_interaction, tls_provider):
                pact_interaction.verify(base_url=tls_provider[0], follow_redirects="any-origin")


            @pytest.mark.pact_verification(users)
            def test_same_origin_only(pact_interaction, tls_provider):
                url, bundle = tls_provider
                pact_interaction.verify(base_url=url, verify_tls=bundle, follow_redirects=True)
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines_random(
        ["*TLS failed with https://127.0.0.1:*", "*follow_redirects='any-origin'*"]
    )


def test_a_state_function_that_raises_shows_its_traceback(pytester: pytest.Pytester) -> None:
    """The failure of an item whose provider state raised shows the state function's frames."""
    pytester.makeconftest(
        textwrap.dedent(
            """
            from pactdsl.pytest_plugin import provider_state


            def open_database():
                return {}["no such table"]


            @provider_state("user exists")
            def broken_user_exists(params):
                open_database()
                yield
            """
        )
    )
    pytester.makepyfile(contract=CONTRACT, provider=PROVIDER, test_users=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "email")
    result.assert_outcomes(failed=1, deselected=5)
    result.stdout.fnmatch_lines(
        [
            "*raised KeyError: 'no such table'*",
            "*Traceback (most recent call last):",
            "*in broken_user_exists",
            "*open_database()",
            "*in open_database",
            "*KeyError: 'no such table'",
        ]
    )


# The provider with its email bug fixed, so every interaction of CONTRACT passes.
FIXED_SUITE = textwrap.dedent(
    """
    import pytest

    from pactdsl.broker import LocalBroker
    from contract import users_contract
    from provider import app


    def fixed(environ, start_response):
        if environ["PATH_INFO"] != "/users/1/email":
            return app(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{{"email": "ann@example.com"}}']


    MARKER = pytest.mark.pact_verification(
        users_contract,
        broker=LocalBroker({database!r}),
        publish_results=True,
        provider_version="2.0.0",
    )
    """
)


def _broker_with_the_contract(tmp_path: Path) -> Path:
    """A local broker database holding CONTRACT's pact, published as web 1.0.0."""
    namespace: dict[str, object] = {}
    exec(CONTRACT, namespace)
    database = tmp_path / "broker.db"
    with LocalBroker(database) as local:
        pact_broker.publish(namespace["users_contract"], "1.0.0", broker=local)
    return database


def _published(database: Path) -> list[tuple[str, bool]]:
    with LocalBroker(database) as local:
        described = local.describe_version("user-service", "2.0.0")
    return [(v.consumer, v.success) for v in described.verifications]


def test_an_item_failing_after_verify_passed_is_published_as_failed(
    pytester: pytest.Pytester, tmp_path: Path, clean_registry: None
) -> None:
    """A test whose own assert fails after verify() passed publishes its interaction as failed."""
    database = _broker_with_the_contract(tmp_path)
    suite = FIXED_SUITE.format(database=str(database)) + textwrap.dedent(
        """

        @MARKER
        def test_user_service(pact_interaction):
            pact_interaction.verify(app=fixed)
            assert pact_interaction.description != "list users", "the list is not sorted"
        """
    )
    _suite(pytester, suite)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=4, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(["published: web -> user-service: failure of 6 interaction(s)*"])
    assert _published(database) == [("web", False)]
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT interactions FROM verification_results").fetchone()
    outcomes = {o.description: o for o in map(InteractionOutcome.from_json, json.loads(stored))}
    assert outcomes["list users"].status == "failed"
    assert "the list is not sorted" in outcomes["list users"].reason
    assert outcomes["get user 1"].status == "passed"


def test_two_tests_verifying_one_pact_publish_it_once(
    pytester: pytest.Pytester, tmp_path: Path, clean_registry: None
) -> None:
    """Two test functions verifying the same pact with the same options publish one result."""
    database = _broker_with_the_contract(tmp_path)
    suite = FIXED_SUITE.format(database=str(database)) + textwrap.dedent(
        """

        @MARKER
        def test_over_wsgi(pact_interaction):
            pact_interaction.verify(app=fixed)


        @MARKER
        def test_again(pact_interaction):
            pact_interaction.verify(app=fixed)
        """
    )
    _suite(pytester, suite)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=10, xfailed=2)
    assert len([line for line in result.outlines if line.startswith("published:")]) == 1
    assert _published(database) == [("web", True)]
