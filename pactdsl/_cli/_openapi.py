"""``pactdsl check-openapi``: check a pact against an OpenAPI document, exit 0 or 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pactdsl._cli._common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    cannot_run,
    errors_as_exit_2,
)
from pactdsl._cli._loading import load_source

__all__ = ["check_openapi_command"]


@click.command(name="check-openapi")
@click.argument("pact_source", metavar="PACT")
@click.argument("spec", metavar="SPEC")
@click.option(
    "--base-path",
    metavar="PATH",
    help="The path prefix of the provider's operations in the pact's paths, e.g. /api/v1 "
    "(default: Swagger 2's basePath, or the path of each OpenAPI 3 servers URL).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the result as JSON (ok, specVersion, checked, skipped, errors, warnings) "
    "instead of the text report.",
)
def check_openapi_command(
    pact_source: str, spec: str, base_path: str | None, as_json: bool
) -> None:
    """Check each HTTP interaction of PACT against the OpenAPI document SPEC.

    PACT is a pact file or MODULE:CONTRACT; SPEC is the path of an OpenAPI
    3.0 or 3.1 or a Swagger 2.0 document, JSON or YAML. No provider runs:
    the operations, parameters, security, media types and bodies the
    document describes are compared with the pact. Exits 0 when no issue is
    an error (warnings are reported), 1 otherwise, 2 when it could not run,
    including when the pact has no HTTP interaction to check. Needs
    pip install 'pactdsl[openapi]'.
    """
    from pactdsl.openapi import OpenAPIDocumentError, check_openapi

    if pact_source.endswith(".json") and not Path(pact_source).exists():
        cannot_run(f"pact={pact_source!r}: no such file; give a pact file or MODULE:CONTRACT")
    with errors_as_exit_2():
        loaded = load_source(pact_source, one=True)
        if isinstance(loaded, Path) and loaded.is_dir():
            cannot_run(f"pact={pact_source!r} is a folder; give one pact file or MODULE:CONTRACT")
        try:
            result = check_openapi(loaded, spec, base_path=base_path)
        except OpenAPIDocumentError as exc:
            # YAML's parse errors span several lines (the mark and a caret): keep one.
            cannot_run(" ".join(str(exc).split()))
    if not result.checked:
        skipped = f" ({len(result.skipped)} message interaction(s))" if result.skipped else ""
        cannot_run(f"pact={pact_source!r} has no HTTP interaction to check{skipped}")
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo(result.report())
    sys.exit(EXIT_OK if result.ok else EXIT_CHECK_FAILED)
