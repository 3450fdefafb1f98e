"""What the verifier's parts share for refusing a call: the error, and how it lists names."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pactdsl._errors import PactdslError

__all__ = ["NO_PACTS_HINT", "VerificationConfigError", "arguments_for", "listing"]


class VerificationConfigError(PactdslError, ValueError):
    """`verify_provider` was called with arguments that cannot work together."""


NO_PACTS_HINT = "or pass allow_empty=True (CLI --ignore-no-pacts-error) to accept verifying nothing"


def listing(values: Iterable[str], limit: int = 12) -> str:
    """`values` quoted, each once, in order: at most `limit` of them and how many more."""
    unique = list(dict.fromkeys(values))
    if not unique:
        return "none"
    shown = ", ".join(repr(v) for v in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def arguments_for(factory: Callable[..., Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of `given` (by name) that `factory` takes: how a facade routes its options."""
    return {name: given[name] for name in inspect.signature(factory).parameters if name in given}
