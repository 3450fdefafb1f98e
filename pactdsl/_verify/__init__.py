"""Provider verification: replay pacts against a provider and report the outcome."""

from __future__ import annotations

from pactdsl._verify._report import (
    format_verification_report,
    verification_report_json,
    verification_report_junit,
)
from pactdsl._verify._verifier import (
    ContractVerificationResult,
    ErroredInteraction,
    FailedInteraction,
    InteractionResult,
    PassedInteraction,
    ProviderRequest,
    UnverifiedInteraction,
    VerificationConfigError,
    verify_provider,
)

__all__ = [
    "ContractVerificationResult",
    "ErroredInteraction",
    "FailedInteraction",
    "InteractionResult",
    "PassedInteraction",
    "ProviderRequest",
    "UnverifiedInteraction",
    "VerificationConfigError",
    "format_verification_report",
    "verification_report_json",
    "verification_report_junit",
    "verify_provider",
]
