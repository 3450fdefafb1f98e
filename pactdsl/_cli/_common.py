"""What every command shares: exit codes, one-line errors, the root group, the broker flags."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import attrs
import click

__all__ = [
    "EXIT_CANNOT_RUN",
    "EXIT_CHECK_FAILED",
    "EXIT_OK",
    "BrokerChoice",
    "CannotRun",
    "as_cli_advice",
    "broker_options",
    "cannot_run",
    "errors_as_exit_2",
    "escaped_error_line",
    "new_group",
    "open_broker",
    "with_options",
]

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_CANNOT_RUN = 2

_Command = TypeVar("_Command", bound=Callable[..., Any])


class CannotRun(click.ClickException):
    """The command could not run: exit code 2, one line of explanation."""

    exit_code = EXIT_CANNOT_RUN


def cannot_run(message: str) -> NoReturn:
    """Stop the command with `message` on one line and exit code 2."""
    raise CannotRun(message) from None


@contextmanager
def errors_as_exit_2() -> Iterator[None]:
    """Turn pactdsl's own errors into a one-line message and exit code 2, not a traceback."""
    from pactdsl._errors import PactdslError

    try:
        yield
    except (PactdslError, OSError, KeyError, ValueError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        cannot_run(as_cli_advice(str(text)))


# The library's messages name the Python call or argument to use; on the command
# line, name the command or the flag.
_CREATE_ENVIRONMENT_CALL = re.compile(r"create_environment\((['\"])(?P<name>[^'\"]*)\1\)")
_LIFESPAN_OFF = re.compile(r"\bpass lifespan=False\b")


def as_cli_advice(message: str) -> str:
    """`message` with its Python advice rewritten as the matching command or flag."""
    message = _CREATE_ENVIRONMENT_CALL.sub(
        lambda found: f"`pactdsl create-environment {found['name']}`", message
    )
    return _LIFESPAN_OFF.sub("give --no-lifespan", message)


def escaped_error_line(exc: BaseException) -> str:
    """The one line for an error no command handled: its class and first line, secrets removed.

    The secrets are those of the ``PACT_BROKER_*`` variables; `broker_options`
    removes those given as flags from the commands' own (click) errors.
    """
    from pactdsl.broker._config import BrokerAuth, redact_secrets

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    secrets = BrokerAuth.from_env().secrets()
    return redact_secrets(f"{type(exc).__name__}: {text}"[:1000], secrets)


def with_options(*options: Callable[[_Command], _Command]) -> Callable[[_Command], _Command]:
    """One decorator adding `options` to a command, in the order given (as stacked above it)."""

    def decorate(command: _Command) -> _Command:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def new_group() -> click.Group:
    """The ``pactdsl`` command group, without its commands."""

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

    return cli


# --------------------------------------------------------------------------
# The broker flags, shared by verify and the broker commands.


@attrs.frozen
class BrokerChoice:
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


def open_broker(choice: BrokerChoice) -> Any:
    """The broker `choice` names; its flags override the ``PACT_BROKER_*`` variables."""
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


_BROKER_OPTIONS = with_options(
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
)


def broker_options(command: Callable[..., Any]) -> Callable[..., Any]:
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
        choice = BrokerChoice(
            broker_db, broker_base_url, broker_token, broker_username, broker_password
        )
        try:
            return command(*args, broker_choice=choice, **kwargs)
        except click.ClickException as exc:
            # A last guard: no message carries a secret given as a flag.
            redacted = choice.redact(exc.message)
            if redacted == exc.message:
                raise
            cannot_run(redacted)

    return _BROKER_OPTIONS(with_broker)
