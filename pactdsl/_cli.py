"""The ``pactdsl`` command line (click, from the ``cli`` extra).

Exit codes, for CI pipelines:

- 0: done, and the check passed;
- 1: the check failed (verification failed, can-i-deploy said no, the mock
  saw missing or unexpected requests with ``--check``);
- 2: the command could not run (bad option, module, contract or pact file;
  broker unreachable).

Without click installed, ``pactdsl demo`` still runs; every other command says
how to install the extra.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import json
import re
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

if TYPE_CHECKING:
    import click

    from pactdsl._dsl import Contract
    from pactdsl._model import Pact

__all__ = ["build_cli", "main"]

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_CANNOT_RUN = 2

_INSTALL_HINT = "The pactdsl command line needs click: pip install 'pactdsl[cli]'"


# --------------------------------------------------------------------------
# Loading what the user names on the command line.


@functools.cache
def _cannot_run_error() -> type[click.ClickException]:
    import click

    class CannotRun(click.ClickException):
        """The command could not run: exit code 2, one line of explanation."""

        exit_code = EXIT_CANNOT_RUN

    return CannotRun


def _cannot_run(message: str) -> NoReturn:
    raise _cannot_run_error()(message) from None


def _loaded_from(path: Path) -> ModuleType | None:
    """The module already imported from the file `path`, by whatever name, if any."""
    for module in list(sys.modules.values()):
        origin = getattr(module, "__file__", None)
        if origin and origin.endswith(path.name):
            with contextlib.suppress(OSError):
                if Path(origin).resolve() == path:
                    return module
    return None


def _import_module(spec: str) -> ModuleType:
    """Import `spec`: a dotted module name, or the path of a ``.py`` file.

    A file is imported once: the same module object serves ``svc.py`` and
    ``svc`` (and a second mention of either), so state set up through one
    reference is what the app of the other reads.
    """
    candidate = Path(spec)
    if spec.endswith(".py") or candidate.is_file():
        if not candidate.is_file():
            _cannot_run(f"module file {spec!r} does not exist")
        resolved = candidate.resolve()
        folder = str(resolved.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)  # so the file's sibling imports work
        already = _loaded_from(resolved)
        if already is not None:
            return already
        name = candidate.stem
        if name in sys.modules:
            # Another module owns the name (a stdlib `test`, a package module): keep it.
            name = f"_pactdsl_file_{abs(hash(str(resolved))):x}_{candidate.stem}"
        loaded = importlib.util.spec_from_file_location(name, resolved)
        if loaded is None or loaded.loader is None:
            _cannot_run(f"cannot import {spec!r} as a Python module")
        module = importlib.util.module_from_spec(loaded)
        sys.modules[name] = module
        try:
            loaded.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]  # no half-imported module for the next reference
            raise
        return module
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)  # as `python -m` does: modules beside you import
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as exc:
        if exc.name and spec.startswith(exc.name):
            _cannot_run(
                f"module={spec!r} not found (from {cwd}); give a dotted module name "
                "importable from here, or the path of a .py file"
            )
        raise


def _split_target(target: str) -> tuple[str, str | None]:
    # "C:\\x.py" style drive letters are not a concern on the platforms we run on,
    # but a path with ":" after its last separator is a MODULE:ATTR spec.
    module, sep, attr = target.rpartition(":")
    if not sep or not module:
        return target, None
    return module, attr or None


def _load_attr(target: str, what: str) -> Any:
    """Load ``MODULE:ATTR`` (ATTR may be dotted, e.g. ``app.set_up_state``)."""
    module_name, attr = _split_target(target)
    if attr is None:
        _cannot_run(f"{what}={target!r} must look like MODULE:ATTR, e.g. 'myapp:app'")
    module = _import_module(module_name)
    try:
        return functools.reduce(getattr, attr.split("."), module)
    except AttributeError:
        _cannot_run(f"{what}={target!r}: module {module_name!r} has no attribute {attr!r}")


def _load_producers(target: str | None, items: Sequence[str]) -> dict[str, Any] | None:
    """The message producers of ``--message-producers`` and each ``--message-producer``."""
    if target is None and not items:
        return None
    producers: dict[str, Any] = {}
    if target is not None:
        found = _load_attr(target, "--message-producers")
        if not isinstance(found, Mapping):
            _cannot_run(
                f"--message-producers={target!r} is {type(found).__name__}, not a dict of "
                "message description (or provider state) to producer function"
            )
        producers.update(found)
    for item in items:
        description, sep, function = item.rpartition("=")
        if not sep or not description:
            _cannot_run(
                f"--message-producer={item!r} must look like DESCRIPTION=MODULE:FUNCTION, "
                "e.g. 'an order created event=myapp.events:order_created'"
            )
        producers[description] = _load_attr(function, "--message-producer")
    return producers


def _load_contracts(target: str) -> list[Contract]:
    """The contracts named by ``MODULE[:CONTRACT]``: one, or every one the module defines."""
    from pactdsl._dsl import Contract, get_contract

    module_name, attr = _split_target(target)
    module = _import_module(module_name)
    if attr is not None:
        found = getattr(module, attr, None)
        if isinstance(found, Contract):
            return [found]
        try:
            return [get_contract(attr)]
        except KeyError:
            _cannot_run(f"{target!r}: module {module_name!r} defines no contract {attr!r}")
    found_all = [value for value in vars(module).values() if isinstance(value, Contract)]
    if not found_all:
        _cannot_run(
            f"module {module_name!r} defines no contract; declare one with @contract "
            "or define_contract, or name it as MODULE:CONTRACT"
        )
    return list({id(c): c for c in found_all}.values())


def _load_source(source: str, *, one: bool) -> Any:
    """A pact file or folder path as it is, else the contract(s) of ``MODULE[:CONTRACT]``."""
    path = Path(source)
    if path.exists() and path.suffix != ".py":
        return path
    if not source.endswith(".json") and ("." in source or ":" in source or source.isidentifier()):
        found = _load_contracts(source)
        if one and len(found) > 1:
            names = ", ".join(sorted(c.name for c in found))
            _cannot_run(f"{source!r} defines several contracts ({names}); name one: MODULE:NAME")
        return found[0] if one else found
    _cannot_run(f"source={source!r} is neither an existing pact file or folder nor MODULE:CONTRACT")


def _pacts_of(source: Any) -> list[Any]:
    """Pacts to publish: from a contract, a pact file, or every ``*.json`` in a folder."""
    from pactdsl._dsl import Contract
    from pactdsl._pactfile import load_pact

    if isinstance(source, Contract):
        return [source.pact]
    if isinstance(source, list):
        return [c.pact for c in source]
    path = Path(source)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        _cannot_run(f"folder {str(path)!r} holds no pact files (*.json)")
    return [load_pact(f) for f in files]


def _folder_pact(folder: Path) -> Pact:
    """One pact holding the HTTP interactions of every pact file in `folder`, for the mock.

    The files must share one provider: a mock provider stands in for one.
    """
    from pactdsl._model import Pact
    from pactdsl._pactfile import load_pact

    files = sorted(folder.glob("*.json"))
    if not files:
        _cannot_run(f"folder {str(folder)!r} holds no pact files (*.json)")
    loaded = [(file, load_pact(file)) for file in files]
    served = [(file, pact) for file, pact in loaded if pact.http_interactions]
    if not served:
        _cannot_run(f"folder {str(folder)!r} holds no pact with HTTP interactions to serve")
    by_provider: dict[str, list[Path]] = {}
    for file, pact in served:
        by_provider.setdefault(pact.provider, []).append(file)
    if len(by_provider) > 1:
        listed = "; ".join(
            f"{provider}: {', '.join(f.name for f in found)}"
            for provider, found in sorted(by_provider.items())
        )
        _cannot_run(
            f"folder {str(folder)!r} holds pacts for {len(by_provider)} providers ({listed}); "
            f"a mock stands in for one provider: give one pact file, e.g. "
            f"pactdsl mock {served[0][0]}"
        )
    consumers = sorted({pact.consumer for _, pact in served})
    return Pact(
        consumer=" + ".join(consumers),
        provider=served[0][1].provider,
        interactions=tuple(i for _, pact in served for i in pact.http_interactions),
    )


@contextmanager
def _errors_as_exit_2() -> Iterator[None]:
    """Turn pactdsl's own errors into a one-line message and exit code 2, not a traceback."""
    from pactdsl._errors import PactdslError

    try:
        yield
    except (PactdslError, OSError, KeyError, ValueError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        _cannot_run(_as_cli_advice(str(text)))


# The broker's messages name the Python call to make; on the command line, name the command.
_CREATE_ENVIRONMENT_CALL = re.compile(r"create_environment\((['\"])(?P<name>[^'\"]*)\1\)")


def _as_cli_advice(message: str) -> str:
    """`message` with its Python-call advice rewritten as the matching ``pactdsl`` command."""
    return _CREATE_ENVIRONMENT_CALL.sub(
        lambda found: f"`pactdsl create-environment {found['name']}`", message
    )


@attrs.frozen
class _BrokerChoice:
    """Which broker a command uses: the ``--broker-*`` flags (None: not given)."""

    db: str | None = None
    base_url: str | None = None
    token: str | None = attrs.field(default=None, repr=False)
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)

    def redact(self, text: str) -> str:
        """`text` without the token or password given on the command line, in any form."""
        from pactdsl.broker._config import BrokerAuth

        return BrokerAuth(self.username, self.password, self.token).redact(text)


def _broker(choice: _BrokerChoice) -> Any:
    """The broker `choice` names; its flags override the ``PACT_BROKER_*`` variables."""
    import os

    from pactdsl.broker import get_broker

    env = dict(os.environ)
    if choice.base_url:
        env["PACT_BROKER_BASE_URL"] = choice.base_url
    if choice.token or choice.username or choice.password:
        # Credentials given as flags replace those of the environment as a whole:
        # a token left in the environment would otherwise win over --broker-username.
        for name in ("PACT_BROKER_TOKEN", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD"):
            env.pop(name, None)
        for name, value in (
            ("PACT_BROKER_TOKEN", choice.token),
            ("PACT_BROKER_USERNAME", choice.username),
            ("PACT_BROKER_PASSWORD", choice.password),
        ):
            if value:
                env[name] = value
    return get_broker(choice.db, env=env)


def _load_contract_pact(target: str) -> tuple[Pact, str]:
    """The pact named by ``--contract``, and how to call it in the report.

    `target` is a pact file, ``MODULE:NAME``, a registered contract's name, or
    a module that defines exactly one contract.
    """
    from pactdsl._dsl import Contract, contracts
    from pactdsl._pactfile import load_pact

    path = Path(target)
    if path.is_file() and path.suffix != ".py":
        return load_pact(path), f"pact file {target}"
    if target.endswith(".py") or ".py:" in target:  # a contract module by path, as generate takes
        defined = _load_contracts(target)
        if len(defined) > 1:
            names = ", ".join(sorted(c.name for c in defined))
            _cannot_run(
                f"--contract={target!r} defines several contracts ({names}); name one: "
                f"{target.split(':', maxsplit=1)[0]}:NAME"
            )
        return defined[0].pact, f"contract {defined[0].name}"
    if target.endswith(".json"):
        _cannot_run(f"--contract={target!r}: pact file {target!r} does not exist")
    if ":" not in target:
        registered = contracts()
        if target in registered:
            return registered[target].pact, f"contract {target}"
        cwd = str(Path.cwd())
        if cwd not in sys.path:
            sys.path.insert(0, cwd)  # as for MODULE:NAME: modules beside you import
        try:
            found = importlib.util.find_spec(target)
        except (ImportError, ValueError):  # a parent package is missing, or not a module name
            found = None
        if found is None:
            _cannot_run(
                f"--contract={target!r} is neither a registered contract "
                f"(registered: {sorted(registered) or 'none'}), a module, nor a pact file; "
                "give MODULE:NAME, e.g. myapp.contracts:payment_service_contract"
            )
    loaded = _load_source(target, one=True)
    if not isinstance(loaded, Contract):
        return load_pact(loaded), f"pact file {target}"
    return loaded.pact, f"contract {loaded.name}"


def _contract_deploy_report(pact: Pact, label: str, version: str, ok: bool, broker: Any) -> str:
    """The verdict of the contract form of can-i-deploy, then why, one line per reason.

    The verdict is `ok`, from ``can_i_deploy(pact, version)``; the reasons come
    from the broker's matrix for that consumer version, keeping the rows with
    this contract's provider.
    """
    consumer, provider = pact.consumer, pact.provider
    verdict = "can deploy" if ok else "cannot deploy"
    lines = [f"{consumer} {version} {verdict} ({label}, provider {provider})"]
    decision = broker.can_i_deploy(consumer, version, None)
    rows = [row for row in decision.rows if row.provider == provider]
    if ok:
        reasons = [row.reason for row in rows if row.verification is True] or [
            f"the pact of {consumer} {version} with {provider} has a successful verification"
        ]
    elif rows:
        reasons = [row.reason for row in rows]
    elif not decision.rows and decision.reasons:
        reasons = list(decision.reasons)  # the broker does not know that consumer version
    else:
        reasons = [
            f"{consumer} {version} published no pact with {provider}; publish it first "
            f"(pactdsl publish SOURCE --consumer-version {version})"
        ]
    lines.extend(f"  - {reason}" for reason in reasons)
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The commands.


@functools.cache
def build_cli() -> click.Group:
    """Build the click group (imports click; called by `main`).

    Returns:
        The ``pactdsl`` command group.
    """
    import click

    def broker_options(command: Any) -> Any:
        """Add the broker flags to `command`, handed to it as one ``broker_choice``."""

        @functools.wraps(command)
        def with_broker(
            *args: Any,
            broker_db: str | None,
            broker_base_url: str | None,
            broker_token: str | None,
            broker_username: str | None,
            broker_password: str | None,
            **kwargs: Any,
        ) -> Any:
            choice = _BrokerChoice(
                broker_db, broker_base_url, broker_token, broker_username, broker_password
            )
            try:
                return command(*args, broker_choice=choice, **kwargs)
            except click.ClickException as exc:
                # A last guard: no message carries a secret given as a flag.
                redacted = choice.redact(exc.message)
                if redacted == exc.message:
                    raise
                _cannot_run(redacted)

        options = [
            click.option(
                "--broker-db",
                metavar="PATH",
                envvar="PACTDSL_BROKER_DB",
                help="Local broker database (default .pactdsl/broker.db; env "
                "PACTDSL_BROKER_DB). Ignored when a Pact Broker URL is given.",
            ),
            click.option(
                "--broker-base-url",
                metavar="URL",
                help="The Pact Broker (or PactFlow) to use (overrides PACT_BROKER_BASE_URL); "
                "without either, the local broker.",
            ),
            click.option(
                "--broker-token",
                metavar="TOKEN",
                help="Bearer token for the Pact Broker (overrides PACT_BROKER_TOKEN).",
            ),
            click.option(
                "--broker-username",
                metavar="NAME",
                help="Basic auth user (overrides PACT_BROKER_USERNAME).",
            ),
            click.option(
                "--broker-password",
                metavar="PASSWORD",
                help="Basic auth password (overrides PACT_BROKER_PASSWORD).",
            ),
        ]
        for option in reversed(options):
            with_broker = option(with_broker)
        return with_broker

    @click.group(
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        epilog="Exit codes: 0 passed, 1 check failed, 2 could not run.",
    )
    @click.version_option(package_name="pactdsl", prog_name="pactdsl")
    @click.option(
        "--limit",
        "limit_settings",
        multiple=True,
        metavar="NAME=VALUE",
        help="Set one bound on untrusted input for this command, e.g. --limit "
        "max_body_bytes=1000000 (repeatable; the names are pactdsl.Limits' fields).",
    )
    @click.pass_context
    def cli(ctx: click.Context, limit_settings: tuple[str, ...]) -> None:
        """Consumer-driven contract testing with Pact, in pure Python.

        Start with `pactdsl demo`: it runs the whole workflow on a built-in
        example and tells you where the files are.
        """
        from pactdsl._limits import limits_from_settings, limits_in_force

        if limit_settings:
            try:
                limits = limits_from_settings(limit_settings)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--limit") from None
            ctx.with_resource(limits_in_force(limits))

    @cli.command()
    @click.option(
        "--dir",
        "directory",
        default="pactdsl-demo",
        show_default=True,
        metavar="DIR",
        help="Work folder for the pact file, the report and the broker database.",
    )
    def demo(directory: str) -> None:
        """Run the whole Pact workflow end to end on a built-in example.

        Declares the checkout-app / payment-service contract, writes its pact
        file, tests the consumer against the mock provider, verifies a real
        provider on 127.0.0.1, prints the report, publishes to a local broker
        and asks can-i-deploy before and after the verification is published.
        """
        from pactdsl._demo import run_demo

        with _errors_as_exit_2():
            code = run_demo(directory, echo=click.echo)
        sys.exit(code)

    @cli.command()
    @click.argument("target", metavar="MODULE[:CONTRACT]")
    @click.option(
        "--out",
        default="pacts",
        show_default=True,
        metavar="DIR",
        help="Folder to write the pact files into.",
    )
    @click.option(
        "--spec",
        default="3.0.0",
        show_default=True,
        metavar="VERSION",
        help="Pact specification: 2.0.0, 3.0.0 or 4.0 (also V2, V3, V4).",
    )
    @click.option(
        "--mode",
        type=click.Choice(["merge", "overwrite"]),
        default="merge",
        show_default=True,
        help="merge keeps other interactions already in the file; overwrite starts afresh.",
    )
    def generate(target: str, out: str, spec: str, mode: str) -> None:
        """Write the pact file of each contract in MODULE (or only CONTRACT).

        MODULE is a dotted module name importable from the current folder, or
        the path of a .py file. Files are named {consumer}-{provider}.json.
        """
        from pactdsl._model import PactSpec
        from pactdsl._pactfile import load_pact, write_pact_file

        with _errors_as_exit_2():
            found = _load_contracts(target)
            for item in found:
                # write_pact_file, not generate_pact: the line below names what the merge kept.
                written = write_pact_file(
                    item.pact,
                    out,
                    PactSpec.parse(spec),
                    "overwrite" if mode == "overwrite" else "merge",
                )
                # A merge keeps what the file already held, so count the file, not the contract.
                in_file = load_pact(written.path).interactions
                click.echo(
                    f"wrote {written.path} ({len(in_file)} interaction(s) in the file; "
                    f"{len(item.pact.interactions)} from contract {item.name})"
                )
                if written.kept:
                    stale = written.kept
                    listed = ", ".join(repr(d) for d in stale[:5])
                    more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
                    click.echo(
                        f"  {len(stale)} interaction(s) in the file are no longer in contract "
                        f"{item.name}: {listed}{more}; to drop them, run again with "
                        "--mode overwrite"
                    )

    @cli.command()
    @click.argument("source", metavar="[SOURCE]", required=False)
    @click.option("--base-url", metavar="URL", help="Where the provider runs.")
    @click.option(
        "--app",
        "app_target",
        metavar="MODULE:ATTR",
        help="An ASGI or WSGI app verified in-process (no server).",
    )
    @click.option(
        "--state-setup",
        metavar="MODULE:ATTR",
        help="A function called as setup(state) or setup(state, params). It runs in this "
        "process: with --base-url it must reach the provider itself (its database, an admin "
        "HTTP call); or use --state-change-url.",
    )
    @click.option("--state-teardown", metavar="MODULE:ATTR", help="Called after each interaction.")
    @click.option(
        "--state-change-url",
        metavar="URL",
        help="POST {state, params, action} here to set up and tear down states.",
    )
    @click.option(
        "--header",
        "headers",
        multiple=True,
        metavar="'NAME: VALUE'",
        help="Add a header to every request (e.g. auth); repeatable.",
    )
    @click.option(
        "--filter-description",
        metavar="REGEX",
        help="Only interactions whose description contains a match of this regular expression "
        "(searched, not anchored: 'create' matches 'create thing'; use ^...$ for an exact "
        "description).",
    )
    @click.option(
        "--filter-state",
        metavar="REGEX",
        help="Only interactions with a provider state whose name contains a match of this "
        "regular expression (searched, not anchored; interactions without a state are left out).",
    )
    @click.option(
        "--timeout",
        type=float,
        default=30.0,
        show_default=True,
        help="Seconds to wait for each response.",
    )
    @click.option(
        "--report",
        "report_format",
        type=click.Choice(["text", "json", "junit"]),
        default="text",
        show_default=True,
        help="Report format; printed, or written to --report-file.",
    )
    @click.option(
        "--report-file",
        metavar="PATH",
        help="Write the report here (the text summary is still printed).",
    )
    @click.option("--provider-version", metavar="VERSION", help="The provider version verified.")
    @click.option(
        "--publish",
        is_flag=True,
        help="Publish the result to the broker (needs --provider-version).",
    )
    @click.option(
        "--broker",
        "from_broker",
        is_flag=True,
        help="Verify the pacts the configured broker selects (instead of SOURCE); "
        "needs --provider.",
    )
    @click.option("--provider", metavar="NAME", help="The provider's name, as the broker knows it.")
    @click.option(
        "--consumer-version-selectors",
        "selector_texts",
        multiple=True,
        metavar="JSON",
        help="With --broker: a selector such as '{\"mainBranch\": true}' (or a JSON list of "
        "them); repeatable.",
    )
    @click.option(
        "--enable-pending",
        is_flag=True,
        help="With --broker: pending pacts' failures do not fail the verification.",
    )
    @click.option(
        "--include-wip-pacts-since",
        metavar="DATE",
        help="With --broker: also verify work-in-progress pacts since DATE (Pact Broker).",
    )
    @click.option("--provider-branch", metavar="BRANCH", help="The provider version's branch.")
    @click.option(
        "--provider-tag",
        "provider_tags",
        multiple=True,
        metavar="TAG",
        help="Tag the provider version when publishing; repeatable.",
    )
    @click.option("--build-url", metavar="URL", help="The CI build, recorded with the results.")
    @click.option(
        "--filter-consumer",
        "filter_consumers",
        multiple=True,
        metavar="NAME",
        help="Only the pacts of this consumer (a name or a regex); repeatable.",
    )
    @click.option("--fail-fast", is_flag=True, help="Stop after the first failing interaction.")
    @click.option(
        "--ignore-no-pacts-error",
        is_flag=True,
        help="Exit 0 when nothing is selected to verify (by default that exits 2).",
    )
    @click.option(
        "--interaction-type",
        "interaction_types",
        multiple=True,
        type=click.Choice(["http", "message", "sync-message"]),
        help="Only interactions of this type; repeatable. Without it, an interaction "
        "nothing can check (a message without producer) is 'not verified' and fails the run.",
    )
    @click.option(
        "--message-producers",
        "producers_target",
        metavar="MODULE:MAPPING",
        help="A dict of message description (or provider state) to the function producing it.",
    )
    @click.option(
        "--message-producer",
        "producer_items",
        multiple=True,
        metavar="DESCRIPTION=MODULE:FUNCTION",
        help="The function producing one message; repeatable.",
    )
    @click.option(
        "--ca-bundle",
        metavar="PATH",
        help="A PEM CA bundle to trust for the provider's TLS certificate (its own CA).",
    )
    @click.option(
        "--no-verify-tls",
        is_flag=True,
        help="Do not check the provider's TLS certificate.",
    )
    @click.option(
        "--messages-url",
        metavar="URL",
        help="The provider's message endpoint (POST {description, providerStates}, answers "
        "the message; metadata in a Pact-Message-Metadata header). A path starting with / "
        "is on --base-url/--app.",
    )
    @broker_options
    def verify(
        source: str | None,
        base_url: str | None,
        app_target: str | None,
        state_setup: str | None,
        state_teardown: str | None,
        state_change_url: str | None,
        headers: tuple[str, ...],
        filter_description: str | None,
        filter_state: str | None,
        timeout: float,
        report_format: str,
        report_file: str | None,
        provider_version: str | None,
        publish: bool,
        from_broker: bool,
        provider: str | None,
        selector_texts: tuple[str, ...],
        enable_pending: bool,
        include_wip_pacts_since: str | None,
        provider_branch: str | None,
        provider_tags: tuple[str, ...],
        build_url: str | None,
        filter_consumers: tuple[str, ...],
        fail_fast: bool,
        ignore_no_pacts_error: bool,
        interaction_types: tuple[str, ...],
        producers_target: str | None,
        producer_items: tuple[str, ...],
        messages_url: str | None,
        ca_bundle: str | None,
        no_verify_tls: bool,
        broker_choice: _BrokerChoice,
    ) -> None:
        """Verify a provider against SOURCE, or against the pacts the broker selects.

        SOURCE is a pact file, a folder of pact files, or MODULE:CONTRACT;
        with --broker --provider NAME the configured broker (PACT_BROKER_BASE_URL,
        else the local one) selects the pacts instead. Give the provider as
        --base-url (running anywhere) or --app (in-process); messages need
        --message-producers/--message-producer or --messages-url. Exits 0 when
        every selected interaction was checked and passed (pending ones aside),
        1 otherwise (a failure, or an interaction not verified), 2 when it
        could not run, including when nothing was selected to verify.
        """
        from pactdsl._verify import (
            format_verification_report,
            verification_report_json,
            verification_report_junit,
            verify_provider,
        )

        message_doors = producers_target or producer_items or messages_url
        if base_url is not None and app_target is not None:
            raise click.UsageError("give one of --base-url URL or --app MODULE:ATTR, not both")
        if base_url is None and app_target is None and not message_doors:
            raise click.UsageError(
                "give --base-url URL or --app MODULE:ATTR (or, for messages only, "
                "--message-producers MODULE:MAPPING or --messages-url URL)"
            )
        if publish and not provider_version:
            raise click.UsageError("--publish needs --provider-version VERSION")
        if ca_bundle and no_verify_tls:
            raise click.UsageError("give --ca-bundle PATH or --no-verify-tls, not both")
        if from_broker == (source is not None):
            raise click.UsageError(
                "give SOURCE (a pact file, folder or MODULE:CONTRACT) or --broker --provider "
                "NAME, exactly one of them"
            )
        extra_headers: dict[str, str] = {}
        for item in headers:
            name, sep, value = item.partition(":")
            if not sep or not name.strip():
                raise click.BadParameter(
                    f"{item!r} must look like 'Name: value'", param_hint="--header"
                )
            extra_headers[name.strip()] = value.strip()
        selectors: list[Any] = []
        for selector_text in selector_texts:
            try:
                parsed = json.loads(selector_text)
            except ValueError as exc:
                raise click.BadParameter(
                    f"{selector_text!r} is not JSON ({exc}); e.g. '{{\"mainBranch\": true}}'",
                    param_hint="--consumer-version-selectors",
                ) from None
            items = parsed if isinstance(parsed, list) else [parsed]
            if not all(isinstance(each, dict) for each in items):
                raise click.BadParameter(
                    f"{selector_text!r} must be a JSON object or a list of objects",
                    param_hint="--consumer-version-selectors",
                )
            selectors.extend(items)
        with _errors_as_exit_2():
            loaded = _load_source(source, one=True) if source is not None else None
            app = _load_attr(app_target, "--app") if app_target else None
            setup = _load_attr(state_setup, "--state-setup") if state_setup else None
            teardown = _load_attr(state_teardown, "--state-teardown") if state_teardown else None
            producers = _load_producers(producers_target, producer_items)
            chosen_broker = _broker(broker_choice) if (from_broker or publish) else None
            try:
                result = verify_provider(
                    loaded,
                    base_url=base_url,
                    app=app,
                    state_setup=setup,
                    state_teardown=teardown,
                    state_change_url=state_change_url,
                    headers=extra_headers or None,
                    filter_description=filter_description,
                    filter_state=filter_state,
                    timeout=timeout,
                    provider_version=provider_version,
                    publish_results=publish,
                    broker=chosen_broker,
                    provider=provider,
                    consumer_version_selectors=selectors or None,
                    include_pending=enable_pending,
                    include_wip_pacts_since=include_wip_pacts_since,
                    provider_branch=provider_branch,
                    provider_tags=provider_tags,
                    build_url=build_url,
                    filter_consumer=filter_consumers or None,
                    fail_fast=fail_fast,
                    allow_empty=ignore_no_pacts_error,
                    filter_type=list(interaction_types) or None,
                    message_producers=producers,
                    messages_url=messages_url,
                    verify_tls=ca_bundle or not no_verify_tls,
                )
            finally:
                if chosen_broker is not None:
                    chosen_broker.close()
            text = format_verification_report(result)
            rendered = {
                "text": lambda: text,
                "json": lambda: json.dumps(verification_report_json(result), indent=2),
                "junit": lambda: verification_report_junit(result),
            }[report_format]()
            if report_file:
                Path(report_file).write_text(rendered, encoding="utf-8")
                click.echo(text.rstrip("\n"))
                click.echo(f"\n{report_format} report written to {report_file}")
            else:
                click.echo(rendered.rstrip("\n"))
            passed = result.success
            if result.published:
                click.echo(
                    f"published the result for provider version {provider_version} "
                    f"({len(result.published)} pact(s))"
                )
        sys.exit(EXIT_OK if passed else EXIT_CHECK_FAILED)

    @cli.command()
    @click.argument("source", metavar="SOURCE")
    @click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=0,
        show_default=True,
        help="Port to listen on; 0 picks a free one.",
    )
    @click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        metavar="ADDRESS",
        help="Address to listen on; 0.0.0.0 serves other machines and containers too "
        "(the URL printed still says 127.0.0.1).",
    )
    @click.option(
        "--cors",
        is_flag=True,
        help="Answer browsers' CORS preflight OPTIONS requests (not recorded) and add "
        "Access-Control-Allow-Origin to every response.",
    )
    @click.option(
        "--interaction",
        "interactions",
        multiple=True,
        metavar="DESCRIPTION",
        help="Serve only this interaction; repeatable.",
    )
    @click.option("--given", metavar="STATE", help="Serve only interactions with this state.")
    @click.option(
        "--check",
        is_flag=True,
        help="On exit, fail (1) unless every interaction was received and nothing unexpected.",
    )
    @click.option(
        "--tls",
        is_flag=True,
        help="Serve HTTPS with a certificate from a throwaway CA; the second line printed "
        "is the CA's PEM file for clients to trust (needs pactdsl[tls]).",
    )
    def mock(
        source: str,
        port: int,
        host: str,
        cors: bool,
        interactions: tuple[str, ...],
        given: str | None,
        check: bool,
        tls: bool,
    ) -> None:
        """Serve SOURCE as a stub provider on 127.0.0.1 (or --host) until Ctrl-C.

        SOURCE is a pact file, MODULE:CONTRACT, or a folder of pact files for
        one provider (all are served). Clients in any language can call it; a
        request that matches no interaction gets 404 with a JSON body listing
        every served interaction and why it did not match (those not yet
        received and with the fewest mismatches first). The first line printed
        is the URL; with --tls the next names the CA certificate to trust
        (e.g. ``curl --cacert``), valid until the command exits.
        """
        from pactdsl._mock import create_mock_provider, verify_mock_interactions
        from pactdsl._mock._core import problem_lines

        with _stop_signals() as stop:
            with _errors_as_exit_2():
                loaded = _load_source(source, one=True)
                if isinstance(loaded, Path) and loaded.is_dir():
                    loaded = _folder_pact(loaded)
                server = create_mock_provider(
                    loaded,
                    port=port,
                    interactions=list(interactions) or None,
                    given=given,
                    host=host,
                    cors=cors,
                    tls=tls,
                )
                server.start()
            try:
                click.echo(f"Mock provider listening on {server.url}")
                if tls:
                    click.echo(f"CA certificate (PEM): {server.ca_path}")
                click.echo("Press Ctrl-C to stop.")
                sys.stdout.flush()
                # A timeout keeps the main thread responsive to signals everywhere.
                while not stop.wait(0.5):
                    pass
            finally:
                server.stop()
        ok, mismatches = verify_mock_interactions(server)
        click.echo(f"Stopped after {len(server.calls)} request(s).")
        if not ok:
            click.echo("\n".join(problem_lines(mismatches)))
        sys.exit(EXIT_CHECK_FAILED if check and not ok else EXIT_OK)

    @cli.command(name="publish")
    @click.argument("source", metavar="SOURCE")
    @click.option(
        "--consumer-version", required=True, metavar="VERSION", help="The consumer version."
    )
    @click.option("--branch", metavar="NAME", help="The consumer version's branch.")
    @click.option(
        "--tag", "tags", multiple=True, metavar="TAG", help="Tag the version; repeatable."
    )
    @broker_options
    def publish_command(
        source: str,
        consumer_version: str,
        branch: str | None,
        tags: tuple[str, ...],
        broker_choice: _BrokerChoice,
    ) -> None:
        """Publish pacts to the broker for a consumer version.

        SOURCE is a pact file, a folder of pact files, or MODULE[:CONTRACT].
        The broker is the Pact Broker at --broker-base-url or
        PACT_BROKER_BASE_URL when set, otherwise the local one (--broker-db).
        """
        from pactdsl.broker import publish

        with _errors_as_exit_2():
            loaded = _load_source(source, one=False)
            pacts = _pacts_of(loaded)
            with _broker(broker_choice) as broker:
                for pact in pacts:
                    done = publish(pact, consumer_version, branch=branch, tags=tags, broker=broker)
                    click.echo(
                        f"published {pact.consumer} {consumer_version} -> {pact.provider} "
                        f"({len(pact.interactions)} interaction(s))"
                    )
                    for notice in done.notices:
                        click.echo(f"  - {notice}")

    @cli.command(name="can-i-deploy")
    @click.option(
        "--pacticipant",
        metavar="NAME",
        help="Consumer or provider: check every integration of VERSION (the broker's matrix).",
    )
    @click.option(
        "--contract",
        "contract_target",
        metavar="MODULE:NAME|NAME",
        help="A contract (MODULE:NAME, a registered NAME or a pact file): is the pact its "
        "consumer published for VERSION verified?",
    )
    @click.option("--version", required=True, metavar="VERSION", help="The version to deploy.")
    @click.option(
        "--to-environment",
        metavar="ENV",
        help="With --pacticipant: check against what is deployed or released there "
        "(default: the latest versions).",
    )
    @click.option(
        "--retry-while-unknown",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        metavar="N",
        help="With --pacticipant: ask again up to N times while a verification result is "
        "missing (a provider build may still be running).",
    )
    @click.option(
        "--retry-interval",
        type=click.FloatRange(min=0),
        default=10.0,
        show_default=True,
        metavar="SECONDS",
        help="Seconds between those attempts.",
    )
    @click.option(
        "--dry-run",
        is_flag=True,
        envvar="PACT_BROKER_CAN_I_DEPLOY_DRY_RUN",
        help="Print the real answer but exit 0 whatever it is "
        "(env PACT_BROKER_CAN_I_DEPLOY_DRY_RUN=true).",
    )
    @click.option(
        "--ignore",
        "ignored",
        multiple=True,
        metavar="NAME",
        help="With --pacticipant: integrations with this pacticipant do not count; repeatable.",
    )
    @broker_options
    def can_i_deploy_command(
        pacticipant: str | None,
        contract_target: str | None,
        version: str,
        to_environment: str | None,
        retry_while_unknown: int,
        retry_interval: float,
        dry_run: bool,
        ignored: tuple[str, ...],
        broker_choice: _BrokerChoice,
    ) -> None:
        """Say whether VERSION can be deployed; exit 0 (yes) or 1 (no), with the reasons.

        With --pacticipant, every integration must have a successful
        verification: for a consumer, its pacts verified by the providers; for
        a provider, the pacts it must honour. With --contract (the classic
        form, by contract and version), VERSION is the contract's consumer
        version: yes when the pact it published for that contract's provider
        has a successful verification. With --dry-run the answer is printed
        and the exit code is 0 either way.
        """
        from pactdsl.broker import can_i_deploy

        if (pacticipant is None) == (contract_target is None):
            raise click.UsageError(
                "give exactly one of --pacticipant NAME or --contract MODULE:NAME"
            )
        if contract_target is not None:
            matrix_only = [
                flag
                for flag, given in (
                    ("--to-environment", to_environment is not None),
                    ("--retry-while-unknown", bool(retry_while_unknown)),
                    ("--ignore", bool(ignored)),
                )
                if given
            ]
            if matrix_only:
                raise click.UsageError(
                    f"{' and '.join(matrix_only)} {'needs' if len(matrix_only) == 1 else 'need'} "
                    "--pacticipant: can-i-deploy --pacticipant NAME --version V "
                    "--to-environment ENV"
                )
        if contract_target is not None:
            with _errors_as_exit_2():
                pact, label = _load_contract_pact(contract_target)
                with _broker(broker_choice) as broker:
                    ok = can_i_deploy(pact, version, broker=broker)
                    report = _contract_deploy_report(pact, label, version, ok, broker)
            if dry_run:
                report = f"[dry-run] {report}\n  (dry run: the answer is shown, not enforced)"
            click.echo(report)
            sys.exit(EXIT_OK if ok or dry_run else EXIT_CHECK_FAILED)
        assert pacticipant is not None  # for mypy: checked just above
        with _errors_as_exit_2(), _broker(broker_choice) as broker:
            decision = can_i_deploy(
                pacticipant=pacticipant,
                version=version,
                to_environment=to_environment,
                retry_while_unknown=retry_while_unknown,
                retry_interval=retry_interval,
                dry_run=dry_run,
                ignore=ignored,
                broker=broker,
            )
        click.echo(decision.report())
        sys.exit(EXIT_OK if decision.ok or dry_run else EXIT_CHECK_FAILED)

    @cli.command(name="create-environment")
    @click.argument("name", metavar="ENV")
    @click.option("--production", is_flag=True, help="Mark it a production environment.")
    @click.option("--display-name", metavar="TEXT", help="A readable name (default: ENV).")
    @broker_options
    def create_environment_command(
        name: str, production: bool, display_name: str | None, broker_choice: _BrokerChoice
    ) -> None:
        """Create the deployment environment ENV (test, production, ...).

        Deployments are recorded to existing environments only; on the local
        broker creating one that exists is harmless.
        """
        from pactdsl.broker import create_environment

        with _errors_as_exit_2(), _broker(broker_choice) as broker:
            create_environment(
                name, display_name=display_name, production=production, broker=broker
            )
        click.echo(f"environment {name} is ready{' (production)' if production else ''}")

    @cli.command(name="record-deployment")
    @click.option("--pacticipant", required=True, metavar="NAME", help="What was deployed.")
    @click.option("--version", required=True, metavar="VERSION", help="Its version.")
    @click.option("--environment", required=True, metavar="ENV", help="Where (e.g. production).")
    @click.option(
        "--application-instance",
        metavar="NAME",
        help="Which instance, when several run side by side in ENV.",
    )
    @broker_options
    def record_deployment_command(
        pacticipant: str,
        version: str,
        environment: str,
        application_instance: str | None,
        broker_choice: _BrokerChoice,
    ) -> None:
        """Record that VERSION of PACTICIPANT is now deployed to ENV.

        ENV must exist (see create-environment). can-i-deploy --to-environment
        ENV then checks against what is deployed there. The version deployed
        there before (to the same instance) stops counting.
        """
        from pactdsl.broker import record_deployment

        with _errors_as_exit_2(), _broker(broker_choice) as broker:
            record_deployment(
                pacticipant,
                version,
                environment,
                broker=broker,
                application_instance=application_instance,
            )
        instance = f" (instance {application_instance})" if application_instance else ""
        click.echo(f"recorded {pacticipant} {version} as deployed to {environment}{instance}")

    @cli.command(name="record-release")
    @click.option("--pacticipant", required=True, metavar="NAME", help="What was released.")
    @click.option("--version", required=True, metavar="VERSION", help="Its version.")
    @click.option("--environment", required=True, metavar="ENV", help="Where (e.g. production).")
    @broker_options
    def record_release_command(
        pacticipant: str, version: str, environment: str, broker_choice: _BrokerChoice
    ) -> None:
        """Record that VERSION of PACTICIPANT is released to ENV.

        For what runs in several versions at once (mobile apps, libraries):
        a release replaces no earlier one, and can-i-deploy --to-environment
        ENV checks against every released version as against deployed ones.
        """
        from pactdsl.broker import record_release

        with _errors_as_exit_2(), _broker(broker_choice) as broker:
            record_release(pacticipant, version, environment, broker)
        click.echo(f"recorded {pacticipant} {version} as released to {environment}")

    @cli.command(name="record-undeployment")
    @click.option("--pacticipant", required=True, metavar="NAME", help="What was undeployed.")
    @click.option("--environment", required=True, metavar="ENV", help="From where.")
    @click.option(
        "--application-instance",
        metavar="NAME",
        help="The instance it was deployed to (omit for a deployment recorded without one).",
    )
    @broker_options
    def record_undeployment_command(
        pacticipant: str,
        environment: str,
        application_instance: str | None,
        broker_choice: _BrokerChoice,
    ) -> None:
        """Record that PACTICIPANT is no longer deployed to ENV.

        can-i-deploy --to-environment ENV stops checking against the version
        that was deployed there.
        """
        from pactdsl.broker import record_undeployment

        with _errors_as_exit_2(), _broker(broker_choice) as broker:
            ended = record_undeployment(
                pacticipant, environment, broker, application_instance=application_instance
            )
        for deployment in ended:
            instance = (
                f" (instance {deployment.application_instance})"
                if deployment.application_instance
                else ""
            )
            click.echo(
                f"recorded {pacticipant} {deployment.version} as undeployed from "
                f"{environment}{instance}"
            )

    @cli.command(name="describe-version")
    @click.option("--pacticipant", required=True, metavar="NAME", help="The pacticipant.")
    @click.option("--version", metavar="VERSION", help="Its version (default: the latest).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    @broker_options
    def describe_version_command(
        pacticipant: str, version: str | None, as_json: bool, broker_choice: _BrokerChoice
    ) -> None:
        """Show what the broker holds about VERSION of PACTICIPANT.

        Its branch, tags, published pacts, verification results, and the
        environments it is deployed or released to.
        """
        from pactdsl.broker import describe_version

        with _errors_as_exit_2(), _broker(broker_choice) as broker:
            described = describe_version(pacticipant, version, broker)
        if as_json:
            click.echo(json.dumps(attrs.asdict(described), indent=2))
        else:
            click.echo(described.report())

    return cli


@contextmanager
def _stop_signals() -> Iterator[threading.Event]:
    """Catch Ctrl-C (SIGINT) and SIGTERM from now on; the event is set when one arrives.

    Installed before the mock announces its URL, so a signal sent as soon as
    the URL is read is never lost to the default handler.
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --------------------------------------------------------------------------
# Entry point.


def _demo_without_click(argv: Sequence[str]) -> int:
    import argparse

    from pactdsl._demo import DEFAULT_DEMO_DIR, run_demo

    parser = argparse.ArgumentParser(prog="pactdsl demo")
    parser.add_argument("--dir", default=DEFAULT_DEMO_DIR, help="work folder")
    args = parser.parse_args(list(argv))
    return run_demo(args.dir)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``pactdsl`` command line (``[project.scripts]`` entry point).

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        import click  # noqa: F401
    except ImportError:
        if args[:1] == ["demo"]:
            sys.exit(_demo_without_click(args[1:]))
        print(_INSTALL_HINT, file=sys.stderr)
        sys.exit(1)
    try:
        build_cli().main(args=args, prog_name="pactdsl")
    except (Exception, RecursionError, MemoryError) as exc:
        # Whatever escaped the commands' own handling: one line, exit 2, no traceback.
        from pactdsl.broker._config import BrokerAuth, redact_secrets

        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        secrets = BrokerAuth.from_env().secrets()
        line = redact_secrets(f"{type(exc).__name__}: {text}"[:1000], secrets)
        print(f"Error: {line}", file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
