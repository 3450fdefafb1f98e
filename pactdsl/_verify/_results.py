"""The results of a verification: one entry per interaction, and the run's outcome.

HTTP interactions and messages (`pactdsl._verify._messages`) give the same
entries, so one report covers both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from pactdsl._model import ProviderState
from pactdsl._verify._detail import BodyExcerpt, SentRequest
from pactdsl.matching import Mismatch

if TYPE_CHECKING:
    from pactdsl.broker import VerificationRecord

__all__ = [
    "ContractVerificationResult",
    "ErrorPhase",
    "ErroredInteraction",
    "FailedInteraction",
    "InteractionResult",
    "PassedInteraction",
    "UnverifiedInteraction",
    "combine",
    "with_entry",
]

ErrorPhase = Literal[
    "pact",  # the pact itself could not be read (one a broker selected)
    "state setup",
    "request",
    "request filter",
    "response",
    "producer",  # a message's producer: missing, raised, or returned no message
    "matching",
    "state teardown",
]


@attrs.frozen(kw_only=True)
class InteractionResult:
    """What happened to one interaction; see the three subclasses.

    Attributes:
        description: The interaction's description.
        states: Its provider states (name and params), in order.
        consumer: The consumer whose pact holds it.
        pending: True for a V4 ``pending`` interaction: its failure does not
            fail `ContractVerificationResult.success`.
        index: Its position in the verification run (reports keep this order).
        duration: Seconds spent on it, state setup and teardown included.
        notes: Secondary problems, e.g. a teardown that failed after a
            mismatch, or a provider-state value that fell back to its example.
        comments: The interaction's V4 ``comments`` (``text`` lines, the
            original ``testname``), shown in the reports.
    """

    description: str
    states: tuple[ProviderState, ...] = ()
    consumer: str = ""
    pending: bool = False
    index: int = 0
    duration: float = 0.0
    notes: tuple[str, ...] = ()
    comments: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def state_names(self) -> tuple[str, ...]:
        """The names of its provider states."""
        return tuple(state.name for state in self.states)

    @property
    def status(self) -> str:
        """``passed``, ``failed``, ``error`` or ``not verified``, as reports and brokers say it."""
        return _STATUS[type(self).__name__]


@attrs.frozen(kw_only=True)
class PassedInteraction(InteractionResult):
    """The provider answered as the contract says."""


@attrs.frozen(kw_only=True)
class FailedInteraction(InteractionResult):
    """The provider answered, but not as the contract says; `mismatches` say how.

    Attributes:
        mismatches: Every difference, in the engine's order.
        request: The request sent (None for a message), for the report.
        body_excerpts: Expected beside actual around the failing body paths.
    """

    mismatches: tuple[Mismatch, ...]
    request: SentRequest | None = None
    body_excerpts: tuple[BodyExcerpt, ...] = ()


@attrs.frozen(kw_only=True)
class ErroredInteraction(InteractionResult):
    """The interaction could not be verified; `phase` says where, `message` why.

    Attributes:
        message: What went wrong, and what to do.
        phase: Where it went wrong.
        traceback: When an in-process app (``app=``) raised: the traceback,
            trimmed to the app's own frames; empty otherwise.
    """

    message: str
    phase: ErrorPhase = "request"
    traceback: str = ""


@attrs.frozen(kw_only=True)
class UnverifiedInteraction(InteractionResult):
    """The run selected the interaction but had nothing to check it with; `reason` says what.

    A message with no producer and no message URL, an HTTP interaction with no
    ``base_url``/``app``: never a pass. It fails the run unless the selection
    was narrowed to what can be checked (``filter_type=``).
    """

    reason: str


_STATUS = {
    "PassedInteraction": "passed",
    "FailedInteraction": "failed",
    "ErroredInteraction": "error",
    "UnverifiedInteraction": "not verified",
}


@attrs.frozen
class ContractVerificationResult:
    """The outcome of verifying a provider against one pact (or a folder of them).

    Attributes:
        passed: Interactions the provider honoured.
        failed: Interactions it answered wrongly, each with its mismatches.
        errors: Interactions that could not be verified, each with a message.
        provider: The provider's name.
        consumer: The consumer's name (names joined by ", " for several pacts).
        notices: What the run should tell a person besides the entries: the
            broker's notices (why a pact was selected, that it is pending),
            that ``fail_fast`` stopped the run, that results were not published.
        published: The verification results published to the broker, one per pact.
        unverified: Interactions the run selected but had nothing to check
            with (a message without producer, an HTTP interaction without
            provider), each with the reason; they fail `success`.
    """

    passed: tuple[PassedInteraction, ...] = ()
    failed: tuple[FailedInteraction, ...] = ()
    errors: tuple[ErroredInteraction, ...] = ()
    provider: str = ""
    consumer: str = ""
    notices: tuple[str, ...] = ()
    published: tuple[VerificationRecord, ...] = ()
    unverified: tuple[UnverifiedInteraction, ...] = ()

    @property
    def success(self) -> bool:
        """True when every selected interaction was checked and passed, pending ones aside."""
        return not any(not e.pending for e in (*self.failed, *self.errors, *self.unverified))

    @property
    def total(self) -> int:
        """The number of interactions the run selected, the unverified ones included."""
        return len(self.passed) + len(self.failed) + len(self.errors) + len(self.unverified)

    @property
    def entries(self) -> list[InteractionResult]:
        """Every interaction's result, in the order they were verified."""
        return sorted(
            (*self.passed, *self.failed, *self.errors, *self.unverified), key=lambda e: e.index
        )

    def by_consumer(self) -> dict[str, ContractVerificationResult]:
        """Split a folder's combined result into one result per consumer."""
        out: dict[str, ContractVerificationResult] = {}
        for entry in self.entries:
            part = out.get(entry.consumer) or ContractVerificationResult(
                provider=self.provider, consumer=entry.consumer
            )
            out[entry.consumer] = with_entry(part, entry)
        return out


def with_entry(
    result: ContractVerificationResult, entry: InteractionResult
) -> ContractVerificationResult:
    """`result` with `entry` added where its kind belongs."""
    if isinstance(entry, FailedInteraction):
        return attrs.evolve(result, failed=(*result.failed, entry))
    if isinstance(entry, ErroredInteraction):
        return attrs.evolve(result, errors=(*result.errors, entry))
    if isinstance(entry, UnverifiedInteraction):
        return attrs.evolve(result, unverified=(*result.unverified, entry))
    assert isinstance(entry, PassedInteraction)
    return attrs.evolve(result, passed=(*result.passed, entry))


def combine(results: Sequence[ContractVerificationResult]) -> ContractVerificationResult:
    """One result holding every entry, notice and publication of `results`."""
    if len(results) == 1:
        return results[0]

    def names(values: Iterable[str]) -> str:
        return ", ".join(dict.fromkeys(values))

    return ContractVerificationResult(
        passed=tuple(e for r in results for e in r.passed),
        failed=tuple(e for r in results for e in r.failed),
        errors=tuple(e for r in results for e in r.errors),
        provider=names(r.provider for r in results),
        consumer=names(r.consumer for r in results),
        notices=tuple(n for r in results for n in r.notices),
        published=tuple(p for r in results for p in r.published),
        unverified=tuple(e for r in results for e in r.unverified),
    )
