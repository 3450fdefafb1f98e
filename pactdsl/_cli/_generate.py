"""``pactdsl generate``: write the pact files of a module's contracts."""

from __future__ import annotations

import click

from pactdsl._cli._common import errors_as_exit_2
from pactdsl._cli._loading import load_contracts

__all__ = ["generate_command"]


@click.command(name="generate")
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
def generate_command(target: str, out: str, spec: str, mode: str) -> None:
    """Write the pact file of each contract in MODULE (or only CONTRACT).

    MODULE is a dotted module name importable from the current folder, or
    the path of a .py file. Files are named {consumer}-{provider}.json.
    """
    from pactdsl._model import PactSpec
    from pactdsl._pactfile import load_pact, write_pact_file

    with errors_as_exit_2():
        found = load_contracts(target)
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
