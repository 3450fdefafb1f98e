"""What the mock provider reports: the problems it found and the error that lists them.

A problem is a request the mock expected and never got (`MissingRequest`), one
it got and could not serve (`UnexpectedRequest`, `AmbiguousRequest`,
`UnhandledRequest`); `MockMismatchError` carries them all, with the report.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from pactdsl._errors import PactdslError
from pactdsl.matching import Mismatch

__all__ = [
    "AmbiguousRequest",
    "MissingRequest",
    "MockMismatchError",
    "MockProblem",
    "NearMiss",
    "UnexpectedRequest",
    "UnhandledRequest",
    "problem_lines",
    "states_text",
]

_REPORT_LIMIT = 5  # near misses shown per unexpected request in the text report


class MockMismatchError(PactdslError, AssertionError):
    """The mock provider did not get the requests its interactions expect.

    Attributes:
        mismatches: The problems, as `MissingRequest`, `UnexpectedRequest` and
            `AmbiguousRequest` objects.
        report: The readable report (also the message).
    """

    def __init__(self, report: str, mismatches: Sequence[MockProblem]) -> None:
        super().__init__(report)
        self.report = report
        self.mismatches = list(mismatches)

    def __reduce__(self) -> tuple[type[MockMismatchError], tuple[str, list[MockProblem]]]:
        # Pickled (multiprocessing, xdist) with the arguments __init__ takes, not the message.
        return type(self), (self.report, self.mismatches)


def problem_lines(problems: Sequence[MockProblem]) -> list[str]:
    """One bullet per problem; a problem's own items (near misses) one level deeper."""
    lines = []
    for problem in problems:
        first, *rest = str(problem).splitlines()
        lines.append(f"  - {first}")
        lines += [f"  {line}" for line in rest]
    return lines


def states_text(given: Sequence[str]) -> str:
    """`` (given 'a', 'b')`` for provider states, empty when there are none."""
    if not given:
        return ""
    return " (given " + ", ".join(repr(s) for s in given) + ")"


@attrs.frozen
class NearMiss:
    """An interaction a request did not match, with what differs."""

    description: str
    given: tuple[str, ...]
    mismatches: tuple[Mismatch, ...]

    def __str__(self) -> str:
        found = "; ".join(m.message for m in self.mismatches) or "matches"
        return f"{self.description!r}{states_text(self.given)}: {found}"


@attrs.frozen
class MissingRequest:
    """An expected interaction that was never received."""

    description: str
    given: tuple[str, ...]
    method: str
    path: str

    def __str__(self) -> str:
        return (
            f"Interaction {self.description!r}{states_text(self.given)} was never "
            f"received: expected {self.method} {self.path}"
        )


@attrs.frozen
class UnexpectedRequest:
    """A request that matched no served interaction (answered with 404).

    `closest` lists every served interaction with its mismatches, the closest
    first; `hint` says when an interaction left out by ``interactions=`` or
    ``given=`` would have matched.
    """

    method: str
    path: str
    closest: tuple[NearMiss, ...]
    hint: str = ""

    def __str__(self) -> str:
        # Sub-items sit under the heading's text, so a report that bullets
        # this problem ("  - No interaction ...") nests them one level deeper.
        lines = [f"No interaction matches {self.method} {self.path} amongst:"]
        lines += [f"  - {near}" for near in self.closest[:_REPORT_LIMIT]]
        if len(self.closest) > _REPORT_LIMIT:
            lines.append(f"  - ... and {len(self.closest) - _REPORT_LIMIT} more")
        if not self.closest:
            lines.append("  - (no interactions are served)")
        if self.hint:
            lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)


@attrs.frozen
class AmbiguousRequest:
    """A request that matched several served interactions equally (answered with 500)."""

    method: str
    path: str
    candidates: tuple[tuple[str, tuple[str, ...]], ...]

    def __str__(self) -> str:
        names = ", ".join(f"{d!r}{states_text(g)}" for d, g in self.candidates)
        return (
            f"{self.method} {self.path} matches {len(self.candidates)} interactions "
            f"equally: {names}; serve only one of them with given=<provider state> "
            "or interactions=<description>"
        )


@attrs.frozen
class UnhandledRequest:
    """A request the mock could not process (unreadable, or it broke the handler): a failure."""

    method: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} could not be handled: {self.reason}"


MockProblem = MissingRequest | UnexpectedRequest | AmbiguousRequest | UnhandledRequest
