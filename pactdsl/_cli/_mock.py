"""``pactdsl mock``: serve a pact as a stub provider until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from pactdsl._cli._common import EXIT_CHECK_FAILED, EXIT_OK, cannot_run, errors_as_exit_2
from pactdsl._cli._loading import load_source

if TYPE_CHECKING:
    from pactdsl._model import Pact

__all__ = ["mock_command"]


@click.command(name="mock")
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
def mock_command(
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
        with errors_as_exit_2():
            loaded = load_source(source, one=True)
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


def _folder_pact(folder: Path) -> Pact:
    """One pact holding the HTTP interactions of every pact file in `folder`, for the mock.

    The files must share one provider: a mock provider stands in for one.
    """
    from pactdsl._model import Pact
    from pactdsl._pactfile import load_pact

    files = sorted(folder.glob("*.json"))
    if not files:
        cannot_run(f"folder {str(folder)!r} holds no pact files (*.json)")
    loaded = [(file, load_pact(file)) for file in files]
    served = [(file, pact) for file, pact in loaded if pact.http_interactions]
    if not served:
        cannot_run(f"folder {str(folder)!r} holds no pact with HTTP interactions to serve")
    by_provider: dict[str, list[Path]] = {}
    for file, pact in served:
        by_provider.setdefault(pact.provider, []).append(file)
    if len(by_provider) > 1:
        listed = "; ".join(
            f"{provider}: {', '.join(f.name for f in found)}"
            for provider, found in sorted(by_provider.items())
        )
        cannot_run(
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
