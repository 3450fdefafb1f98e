"""``pactdsl demo``: the whole Pact workflow on a built-in example (see pactdsl._demo)."""

from __future__ import annotations

import sys

import click

from pactdsl._cli._common import errors_as_exit_2

__all__ = ["demo_command"]


@click.command(name="demo")
@click.option(
    "--dir",
    "directory",
    default="pactdsl-demo",
    show_default=True,
    metavar="DIR",
    help="Work folder for the pact file, the report and the broker database.",
)
def demo_command(directory: str) -> None:
    """Run the whole Pact workflow end to end on a built-in example.

    Declares the checkout-app / payment-service contract, writes its pact
    file, tests the consumer against the mock provider, verifies a real
    provider on 127.0.0.1, prints the report, publishes to a local broker
    and asks can-i-deploy before and after the verification is published.
    """
    from pactdsl._demo import run_demo

    with errors_as_exit_2():
        code = run_demo(directory, echo=click.echo)
    sys.exit(code)
