"""``pactdsl verify``: replay pacts against a provider, print the report, exit 0 or 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pactdsl._cli._common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    BrokerChoice,
    broker_options,
    cannot_run,
    errors_as_exit_2,
    open_broker,
    with_options,
)
from pactdsl._cli._loading import load_attr, load_source

if TYPE_CHECKING:
    from pactdsl._verify import ContractVerificationResult

__all__ = ["verify_command"]

# The options, in the order --help lists them.
_PROVIDER_OPTIONS = with_options(
    click.argument("source", metavar="[SOURCE]", required=False),
    click.option("--base-url", metavar="URL", help="Where the provider runs."),
    click.option(
        "--app",
        "app_target",
        metavar="MODULE:ATTR",
        help="An ASGI or WSGI app verified in-process (no server).",
    ),
    click.option(
        "--no-lifespan",
        is_flag=True,
        help="With --app: do not run an ASGI app's lifespan startup and shutdown "
        "(serve it as it is, e.g. when its startup needs a database the test lacks).",
    ),
    click.option(
        "--state-setup",
        metavar="MODULE:ATTR",
        help="A function called as setup(state) or setup(state, params). It runs in this "
        "process: with --base-url it must reach the provider itself (its database, an admin "
        "HTTP call); or use --state-change-url.",
    ),
    click.option("--state-teardown", metavar="MODULE:ATTR", help="Called after each interaction."),
    click.option(
        "--state-change-url",
        metavar="URL",
        help="POST {state, params, action} here to set up and tear down states.",
    ),
    click.option(
        "--header",
        "headers",
        multiple=True,
        metavar="'NAME: VALUE'",
        help="Add a header to every request (e.g. auth); repeatable.",
    ),
    click.option(
        "--filter-description",
        metavar="REGEX",
        help="Only interactions whose description contains a match of this regular expression "
        "(searched, not anchored: 'create' matches 'create thing'; use ^...$ for an exact "
        "description).",
    ),
    click.option(
        "--filter-state",
        metavar="REGEX",
        help="Only interactions with a provider state whose name contains a match of this "
        "regular expression (searched, not anchored; interactions without a state are left out).",
    ),
    click.option(
        "--timeout",
        type=float,
        default=30.0,
        show_default=True,
        help="Seconds to wait for each response.",
    ),
)
_REPORT_OPTIONS = with_options(
    click.option(
        "--report",
        "report_format",
        type=click.Choice(["text", "json", "junit"]),
        default="text",
        show_default=True,
        help="Report format; printed, or written to --report-file.",
    ),
    click.option(
        "--report-file",
        metavar="PATH",
        help="Write the report here (the text summary is still printed).",
    ),
)
_BROKER_SOURCE_OPTIONS = with_options(
    click.option("--provider-version", metavar="VERSION", help="The provider version verified."),
    click.option(
        "--publish",
        is_flag=True,
        help="Publish the result to the broker (needs --provider-version).",
    ),
    click.option(
        "--broker",
        "from_broker",
        is_flag=True,
        help="Verify the pacts the configured broker selects (instead of SOURCE); "
        "needs --provider.",
    ),
    click.option("--provider", metavar="NAME", help="The provider's name, as the broker knows it."),
    click.option(
        "--consumer-version-selectors",
        "selector_texts",
        multiple=True,
        metavar="JSON",
        help="With --broker: a selector such as '{\"mainBranch\": true}' (or a JSON list of "
        "them); repeatable.",
    ),
    click.option(
        "--enable-pending",
        is_flag=True,
        help="With --broker: pending pacts' failures do not fail the verification.",
    ),
    click.option(
        "--include-wip-pacts-since",
        metavar="DATE",
        help="With --broker: also verify work-in-progress pacts since DATE (Pact Broker).",
    ),
    click.option("--provider-branch", metavar="BRANCH", help="The provider version's branch."),
    click.option(
        "--provider-tag",
        "provider_tags",
        multiple=True,
        metavar="TAG",
        help="Tag the provider version when publishing; repeatable.",
    ),
    click.option("--build-url", metavar="URL", help="The CI build, recorded with the results."),
    click.option(
        "--filter-consumer",
        "filter_consumers",
        multiple=True,
        metavar="NAME",
        help="Only the pacts of this consumer (a name or a regex); repeatable.",
    ),
)
_RUN_OPTIONS = with_options(
    click.option("--fail-fast", is_flag=True, help="Stop after the first failing interaction."),
    click.option(
        "--ignore-no-pacts-error",
        is_flag=True,
        help="Exit 0 when nothing is selected to verify (by default that exits 2).",
    ),
    click.option(
        "--interaction-type",
        "interaction_types",
        multiple=True,
        type=click.Choice(["http", "message", "sync-message"]),
        help="Only interactions of this type; repeatable. Without it, an interaction "
        "nothing can check (a message without producer) is 'not verified' and fails the run.",
    ),
    click.option(
        "--message-producers",
        "producers_target",
        metavar="MODULE:MAPPING",
        help="A dict of message description (or provider state) to the function producing it.",
    ),
    click.option(
        "--message-producer",
        "producer_items",
        multiple=True,
        metavar="DESCRIPTION=MODULE:FUNCTION",
        help="The function producing one message; repeatable.",
    ),
    click.option(
        "--ca-bundle",
        metavar="PATH",
        help="A PEM CA bundle to trust for the provider's TLS certificate (its own CA).",
    ),
    click.option(
        "--no-verify-tls",
        is_flag=True,
        help="Do not check the provider's TLS certificate.",
    ),
    click.option(
        "--messages-url",
        metavar="URL",
        help="The provider's message endpoint (POST {description, providerStates}, answers "
        "the message; metadata in a Pact-Message-Metadata header). A path starting with / "
        "is on --base-url/--app.",
    ),
)


@click.command(name="verify")
@_PROVIDER_OPTIONS
@_REPORT_OPTIONS
@_BROKER_SOURCE_OPTIONS
@_RUN_OPTIONS
@broker_options
def verify_command(
    source: str | None,
    base_url: str | None,
    app_target: str | None,
    no_lifespan: bool,
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
    broker_choice: BrokerChoice,
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
    from pactdsl._verify import verify_provider

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
    extra_headers = _parse_headers(headers)
    selectors = _parse_selectors(selector_texts)
    with errors_as_exit_2():
        loaded = load_source(source, one=True) if source is not None else None
        app = load_attr(app_target, "--app") if app_target else None
        setup = load_attr(state_setup, "--state-setup") if state_setup else None
        teardown = load_attr(state_teardown, "--state-teardown") if state_teardown else None
        producers = _load_producers(producers_target, producer_items)
        chosen_broker = open_broker(broker_choice) if (from_broker or publish) else None
        try:
            result = verify_provider(
                loaded,
                base_url=base_url,
                app=app,
                lifespan=not no_lifespan,
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
        _print_outcome(result, report_format, report_file, provider_version)
    sys.exit(EXIT_OK if result.success else EXIT_CHECK_FAILED)


def _parse_headers(items: Sequence[str]) -> dict[str, str]:
    """The headers of each ``--header 'Name: value'``."""
    extra_headers: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(
                f"{item!r} must look like 'Name: value'", param_hint="--header"
            )
        extra_headers[name.strip()] = value.strip()
    return extra_headers


def _parse_selectors(texts: Sequence[str]) -> list[Any]:
    """The consumer version selectors of each ``--consumer-version-selectors``."""
    selectors: list[Any] = []
    for selector_text in texts:
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
    return selectors


def _load_producers(target: str | None, items: Sequence[str]) -> dict[str, Any] | None:
    """The message producers of ``--message-producers`` and each ``--message-producer``."""
    if target is None and not items:
        return None
    producers: dict[str, Any] = {}
    if target is not None:
        found = load_attr(target, "--message-producers")
        if not isinstance(found, Mapping):
            cannot_run(
                f"--message-producers={target!r} is {type(found).__name__}, not a dict of "
                "message description (or provider state) to producer function"
            )
        producers.update(found)
    for item in items:
        description, sep, function = item.rpartition("=")
        if not sep or not description:
            cannot_run(
                f"--message-producer={item!r} must look like DESCRIPTION=MODULE:FUNCTION, "
                "e.g. 'an order created event=myapp.events:order_created'"
            )
        producers[description] = load_attr(function, "--message-producer")
    return producers


def _print_outcome(
    result: ContractVerificationResult,
    report_format: str,
    report_file: str | None,
    provider_version: str | None,
) -> None:
    """Print the report in `report_format` (or write it to `report_file` and print the text).

    Then say whether the result was published, and for which provider version.
    """
    from pactdsl._verify import (
        format_verification_report,
        verification_report_json,
        verification_report_junit,
    )

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
    if result.published:
        click.echo(
            f"published the result for provider version {provider_version} "
            f"({len(result.published)} pact(s))"
        )
