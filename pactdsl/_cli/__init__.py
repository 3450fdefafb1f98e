"""The ``pactdsl`` command line (click, from the ``cli`` extra).

Exit codes, for CI pipelines:

- 0: done, and the check passed;
- 1: the check failed (verification failed, can-i-deploy said no, the mock
  saw missing or unexpected requests with ``--check``, the pact does not fit
  the OpenAPI document);
- 2: the command could not run (bad option, module, contract or pact file;
  broker unreachable).

Without click installed, ``pactdsl demo`` still runs; every other command says
how to install the extra. That is why this module imports click only in
`build_cli`, once `main` has found it; each command's module imports it at the
top: ``_generate``, ``_verify``, ``_mock``, ``_openapi`` (check-openapi),
``_broker`` (publish, can-i-deploy, environments, deployments, releases) and
``_demo``. What they share is in
``_common`` (exit codes, one-line errors, the broker flags) and ``_loading``
(the modules, contracts and pact files named on the command line).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click

__all__ = ["build_cli", "main"]

_INSTALL_HINT = "The pactdsl command line needs click: pip install 'pactdsl[cli]'"


@functools.cache
def build_cli() -> click.Group:
    """Build the click group (imports click; called by `main`).

    Returns:
        The ``pactdsl`` command group.
    """
    from pactdsl._cli._broker import BROKER_COMMANDS
    from pactdsl._cli._common import new_group
    from pactdsl._cli._demo import demo_command
    from pactdsl._cli._generate import generate_command
    from pactdsl._cli._mock import mock_command
    from pactdsl._cli._openapi import check_openapi_command
    from pactdsl._cli._verify import verify_command

    group = new_group()
    for command in (
        demo_command,
        generate_command,
        verify_command,
        mock_command,
        check_openapi_command,
    ):
        group.add_command(command)
    for command in BROKER_COMMANDS:
        group.add_command(command)
    return group


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
    from pactdsl._cli._common import EXIT_CANNOT_RUN, escaped_error_line

    try:
        build_cli().main(args=args, prog_name="pactdsl")
    except (Exception, RecursionError, MemoryError) as exc:
        # Whatever escaped the commands' own handling: one line, exit 2, no traceback.
        print(f"Error: {escaped_error_line(exc)}", file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
