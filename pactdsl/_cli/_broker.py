"""The broker commands: publish, publish-provider-contract, can-i-deploy, environments, record-*.

Also describe-version.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from pactdsl._cli._common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    BrokerChoice,
    broker_options,
    cannot_run,
    errors_as_exit_2,
    open_broker,
)
from pactdsl._cli._loading import load_contract_pact, load_source

if TYPE_CHECKING:
    from pactdsl._model import Pact
    from pactdsl.broker import CanIDeployDecision

__all__ = ["BROKER_COMMANDS"]


@click.command(name="publish")
@click.argument("source", metavar="SOURCE")
@click.option("--consumer-version", required=True, metavar="VERSION", help="The consumer version.")
@click.option("--branch", metavar="NAME", help="The consumer version's branch.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag the version; repeatable.")
@broker_options
def publish_command(
    source: str,
    consumer_version: str,
    branch: str | None,
    tags: tuple[str, ...],
    broker_choice: BrokerChoice,
) -> None:
    """Publish pacts to the broker for a consumer version.

    SOURCE is a pact file, a folder of pact files, or MODULE[:CONTRACT].
    The broker is the Pact Broker at --broker-base-url or
    PACT_BROKER_BASE_URL when set, otherwise the local one (--broker-db).
    """
    from pactdsl.broker import publish

    with errors_as_exit_2():
        loaded = load_source(source, one=False)
        pacts = _pacts_of(loaded)
        with open_broker(broker_choice) as broker:
            for pact in pacts:
                done = publish(pact, consumer_version, branch=branch, tags=tags, broker=broker)
                click.echo(
                    f"published {pact.consumer} {consumer_version} -> {pact.provider} "
                    f"({len(pact.interactions)} interaction(s))"
                )
                for notice in done.notices:
                    click.echo(f"  - {notice}")


@click.command(name="publish-provider-contract")
@click.argument("spec", metavar="SPEC")
@click.option("--provider", required=True, metavar="NAME", help="The provider's name.")
@click.option(
    "--provider-app-version",
    "provider_version",
    required=True,
    metavar="VERSION",
    help="The provider version the document describes.",
)
@click.option("--branch", metavar="NAME", help="The provider version's branch.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag the version; repeatable.")
@click.option(
    "--verification-success/--no-verification-success",
    "self_verified",
    default=None,
    help="Required: whether the provider's own tests showed that it honours the document.",
)
@click.option(
    "--verification-results",
    "results_file",
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="The output of those tests, kept with the contract.",
)
@click.option("--verifier", metavar="NAME", help="The tool that ran them (e.g. schemathesis).")
@click.option("--verifier-version", metavar="VERSION", help="That tool's version.")
@click.option(
    "--content-type",
    metavar="TYPE",
    help="The document's media type (default: application/json or application/yaml).",
)
@broker_options
def publish_provider_contract_command(
    spec: str,
    provider: str,
    provider_version: str,
    branch: str | None,
    tags: tuple[str, ...],
    self_verified: bool | None,
    results_file: str | None,
    verifier: str | None,
    verifier_version: str | None,
    content_type: str | None,
    broker_choice: BrokerChoice,
) -> None:
    """Publish SPEC, the provider's OpenAPI document, as the contract of a provider version.

    SPEC is one OpenAPI 3.0 or 3.1 or Swagger 2.0 file, JSON or YAML.
    can-i-deploy then counts a consumer's pact as verified by that version
    when the pact passes check-openapi against SPEC and
    --verification-success was given. Local broker only (--broker-db): the
    open-source Pact Broker has no place for provider contracts. Needs
    pip install 'pactdsl[openapi]'.
    """
    from pactdsl.broker import publish_provider_contract

    if self_verified is None:
        raise click.UsageError(
            "give --verification-success or --no-verification-success: whether the "
            "provider's own tests showed that it honours the document"
        )
    try:
        results = Path(results_file).read_text(encoding="utf-8") if results_file else None
    except UnicodeDecodeError as exc:
        cannot_run(
            f"--verification-results={results_file!r} is not UTF-8 text ({exc.reason}); "
            "give the text output of the provider's tests"
        )
    with errors_as_exit_2(), open_broker(broker_choice) as broker:
        done = publish_provider_contract(
            provider,
            provider_version,
            spec,
            self_verified=self_verified,
            branch=branch,
            tags=tags,
            verifier=verifier,
            verifier_version=verifier_version,
            verification_results=results,
            content_type=content_type,
            broker=broker,
        )
    outcome = "success" if self_verified else "failure"
    click.echo(
        f"published {provider} {provider_version}'s provider contract {done.filename} "
        f"(self-verification: {outcome})"
    )
    for notice in done.notices:
        click.echo(f"  - {notice}")


@click.command(name="can-i-deploy")
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
    broker_choice: BrokerChoice,
) -> None:
    """Say whether VERSION can be deployed; exit 0 (yes) or 1 (no), with the reasons.

    With --pacticipant, every integration must have a successful
    verification: for a consumer, its pacts verified by the providers; for
    a provider, the pacts it must honour. In the local broker, a pact that
    passes check-openapi against the provider version's self-verified
    document (publish-provider-contract) counts as verified too. With
    --contract (the classic form, by contract and version), VERSION is the
    contract's consumer version: yes when the pact it published for that
    contract's provider has a successful verification. With --dry-run the
    answer is printed and the exit code is 0 either way.
    """
    from pactdsl.broker import can_i_deploy

    if (pacticipant is None) == (contract_target is None):
        raise click.UsageError("give exactly one of --pacticipant NAME or --contract MODULE:NAME")
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
        with errors_as_exit_2():
            pact, label = load_contract_pact(contract_target)
            with open_broker(broker_choice) as broker:
                answer = can_i_deploy(pact, version, broker=broker)
        report = _contract_deploy_report(pact, label, answer)
        if dry_run:
            report = f"[dry-run] {report}\n  (dry run: the answer is shown, not enforced)"
        click.echo(report)
        sys.exit(EXIT_OK if answer.ok or dry_run else EXIT_CHECK_FAILED)
    assert pacticipant is not None  # for mypy: checked just above
    with errors_as_exit_2(), open_broker(broker_choice) as broker:
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


@click.command(name="create-environment")
@click.argument("name", metavar="ENV")
@click.option("--production", is_flag=True, help="Mark it a production environment.")
@click.option("--display-name", metavar="TEXT", help="A readable name (default: ENV).")
@broker_options
def create_environment_command(
    name: str, production: bool, display_name: str | None, broker_choice: BrokerChoice
) -> None:
    """Create the deployment environment ENV (test, production, ...).

    Deployments are recorded to existing environments only; on the local
    broker creating one that exists is harmless.
    """
    from pactdsl.broker import create_environment

    with errors_as_exit_2(), open_broker(broker_choice) as broker:
        create_environment(name, display_name=display_name, production=production, broker=broker)
    click.echo(f"environment {name} is ready{' (production)' if production else ''}")


@click.command(name="record-deployment")
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
    broker_choice: BrokerChoice,
) -> None:
    """Record that VERSION of PACTICIPANT is now deployed to ENV.

    ENV must exist (see create-environment). can-i-deploy --to-environment
    ENV then checks against what is deployed there. The version deployed
    there before (to the same instance) stops counting.
    """
    from pactdsl.broker import record_deployment

    with errors_as_exit_2(), open_broker(broker_choice) as broker:
        record_deployment(
            pacticipant,
            version,
            environment,
            broker=broker,
            application_instance=application_instance,
        )
    instance = f" (instance {application_instance})" if application_instance else ""
    click.echo(f"recorded {pacticipant} {version} as deployed to {environment}{instance}")


@click.command(name="record-release")
@click.option("--pacticipant", required=True, metavar="NAME", help="What was released.")
@click.option("--version", required=True, metavar="VERSION", help="Its version.")
@click.option("--environment", required=True, metavar="ENV", help="Where (e.g. production).")
@broker_options
def record_release_command(
    pacticipant: str, version: str, environment: str, broker_choice: BrokerChoice
) -> None:
    """Record that VERSION of PACTICIPANT is released to ENV.

    For what runs in several versions at once (mobile apps, libraries):
    a release replaces no earlier one, and can-i-deploy --to-environment
    ENV checks against every released version as against deployed ones.
    """
    from pactdsl.broker import record_release

    with errors_as_exit_2(), open_broker(broker_choice) as broker:
        record_release(pacticipant, version, environment, broker)
    click.echo(f"recorded {pacticipant} {version} as released to {environment}")


@click.command(name="record-undeployment")
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
    broker_choice: BrokerChoice,
) -> None:
    """Record that PACTICIPANT is no longer deployed to ENV.

    can-i-deploy --to-environment ENV stops checking against the version
    that was deployed there.
    """
    from pactdsl.broker import record_undeployment

    with errors_as_exit_2(), open_broker(broker_choice) as broker:
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


@click.command(name="describe-version")
@click.option("--pacticipant", required=True, metavar="NAME", help="The pacticipant.")
@click.option("--version", metavar="VERSION", help="Its version (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@broker_options
def describe_version_command(
    pacticipant: str, version: str | None, as_json: bool, broker_choice: BrokerChoice
) -> None:
    """Show what the broker holds about VERSION of PACTICIPANT.

    Its branch, tags, published pacts, verification results, and the
    environments it is deployed or released to.
    """
    from pactdsl.broker import describe_version

    with errors_as_exit_2(), open_broker(broker_choice) as broker:
        described = describe_version(pacticipant, version, broker)
    if as_json:
        click.echo(json.dumps(attrs.asdict(described), indent=2))
    else:
        click.echo(described.report())


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
        cannot_run(f"folder {str(path)!r} holds no pact files (*.json)")
    return [load_pact(f) for f in files]


# The library's advice for a pact never published names the Python call too; the
# command line names the command, with the version asked about.
_PUBLISH_ADVICE = "(pactdsl.broker.publish, or pactdsl publish)"


def _contract_deploy_report(pact: Pact, label: str, answer: CanIDeployDecision) -> str:
    """The verdict of the contract form of can-i-deploy, then why, one line per reason."""
    verdict = "can deploy" if answer.ok else "cannot deploy"
    lines = [f"{pact.consumer} {answer.version} {verdict} ({label}, provider {pact.provider})"]
    command = f"(pactdsl publish SOURCE --consumer-version {answer.version})"
    lines.extend(f"  - {reason.replace(_PUBLISH_ADVICE, command)}" for reason in answer.reasons)
    return "\n".join(lines)


BROKER_COMMANDS = (
    publish_command,
    publish_provider_contract_command,
    can_i_deploy_command,
    create_environment_command,
    record_deployment_command,
    record_release_command,
    record_undeployment_command,
    describe_version_command,
)
