"""What `check_openapi` finds: issues with their place in the pact and the document."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from pactdsl._errors import PactdslError

__all__ = ["OpenAPICheckResult", "OpenAPIDocumentError", "OpenAPIIssue", "Severity"]

Severity = Literal["error", "warning"]


class OpenAPIDocumentError(PactdslError, ValueError):
    """An OpenAPI or Swagger document cannot be read; the message names the file and pointer."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)

    def __reduce__(self) -> tuple[type[OpenAPIDocumentError], tuple[str, str]]:
        # Pickled with the arguments __init__ takes, as PactFileError is.
        return type(self), (self.where, self.problem)


@attrs.frozen
class OpenAPIIssue:
    """One finding about one interaction of the pact.

    Attributes:
        code: What kind of finding, in swagger-mock-validator's names
            (``response.body.incompatible``, ``request.query.unknown``, ...).
        severity: ``error`` (the pact does not fit the document) or ``warning``.
        interaction: The interaction's description.
        pact_path: Where in the pact file, e.g. ``$.interactions[1].response.body[0].id``.
        spec_pointer: Where in the document, a JSON pointer such as
            ``#/paths/~1pets/get/responses/200``; another file's pointer starts
            with its name (``pet.yaml#/Pet``).
        message: One sentence saying what is wrong.
    """

    code: str
    severity: Severity
    interaction: str
    pact_path: str
    spec_pointer: str
    message: str

    def to_json(self) -> dict[str, str]:
        """The issue as a JSON object with the attribute names as keys (camelCase)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "interaction": self.interaction,
            "pactPath": self.pact_path,
            "specPointer": self.spec_pointer,
            "message": self.message,
        }

    def __str__(self) -> str:
        return (
            f"{self.severity} {self.code} in {self.interaction!r}: {self.message}\n"
            f"    pact: {self.pact_path}\n    spec: {self.spec_pointer}"
        )


@attrs.frozen
class OpenAPICheckResult:
    """The verdict of a pact against an OpenAPI document: errors fail it, warnings do not.

    Attributes:
        issues: Every finding, in the pact's interaction order.
        checked: How many HTTP interactions were checked.
        skipped: The descriptions of interactions that cannot be checked
            (messages: an OpenAPI document describes HTTP only).
        spec_version: The document's version (``2.0``, ``3.0.3``, ``3.1.0``, ...).
    """

    issues: tuple[OpenAPIIssue, ...] = ()
    checked: int = 0
    skipped: tuple[str, ...] = ()
    spec_version: str = ""

    @property
    def errors(self) -> tuple[OpenAPIIssue, ...]:
        """The issues that fail the check."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[OpenAPIIssue, ...]:
        """The issues reported without failing the check."""
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when no issue is an error."""
        return not self.errors

    def __bool__(self) -> bool:
        return self.ok

    def report(self) -> str:
        """A plain-text report: the verdict, the counts per code, then each issue."""
        verdict = "compatible" if self.ok else "NOT compatible"
        lines = [
            f"pact {verdict} with the OpenAPI {self.spec_version} document: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s) "
            f"in {self.checked} interaction(s)"
        ]
        counts: dict[str, int] = {}
        for issue in self.issues:
            key = f"{issue.severity} {issue.code}"
            counts[key] = counts.get(key, 0) + 1
        lines.extend(f"  {key}: {n}" for key, n in sorted(counts.items()))
        lines.extend(str(issue) for issue in self.issues)
        if self.skipped:
            lines.append(f"not checked (not HTTP): {', '.join(map(repr, self.skipped))}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object (stable keys, for CI and tools)."""
        return {
            "ok": self.ok,
            "specVersion": self.spec_version,
            "checked": self.checked,
            "skipped": list(self.skipped),
            "errors": [i.to_json() for i in self.errors],
            "warnings": [i.to_json() for i in self.warnings],
        }
