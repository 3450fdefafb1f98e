"""The bounds pactdsl keeps on untrusted input: one `Limits` object for every door.

Pacts come from other teams and brokers, providers under test are half-built: each
bound below turns a hostile input into one clear error instead of a hung or
OOM-killed process. `load_pact`, `verify_provider`, `mock_provider` and the CLI take
a `limits=`; code deep inside (the regex helper, the generators, the reader) reads
the one in force through `current_limits()`, set for the call by `limits_in_force()`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "current_limits",
    "limits_from_settings",
    "limits_in_force",
]


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        msg = f"Limits({attribute.name}={value!r}): give a positive number"
        raise ValueError(msg)


def _positive_or_none(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _positive(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Limits:
    """The bounds on untrusted pacts, requests and responses; every hit is a clear error.

    ```python
    from pactdsl import Limits

    strict = Limits(max_body_bytes=1_000_000, response_seconds=10)
    assert strict.max_regex_size == Limits().max_regex_size
    ```
    """

    max_pattern_length: int = attrs.field(default=10_000, validator=_positive)
    """Characters in one regular expression (matcher or generator)."""
    max_regex_size: int = attrs.field(default=50_000, validator=_positive)
    """Size of one regex once counted repeats are expanded: ``(?:a{100}){100}`` is 10,000."""
    regex_seconds: float = attrs.field(default=2.0, validator=_positive)
    """Time all regex matches of one match call (one request or response) may take."""
    max_generated_length: int = attrs.field(default=100_000, validator=_positive)
    """Characters a ``Regex`` generator may produce for one value."""
    max_body_bytes: int = attrs.field(default=32 * 1024 * 1024, validator=_positive)
    """Bytes of a request body the mock reads, or of a (decompressed) provider response."""
    response_seconds: float = attrs.field(default=60.0, validator=_positive)
    """Total time for a provider's whole response, headers and body, when verifying."""
    max_nesting_depth: int = attrs.field(default=100, validator=_positive)
    """Nesting of JSON arrays and objects in a pact file, a body or an OpenAPI document."""
    max_document_values: int = attrs.field(default=5_000_000, validator=_positive)
    """Values in one OpenAPI document file, each YAML alias counted again where it is used."""
    max_recorded_calls: int | None = attrs.field(default=10_000, validator=_positive_or_none)
    """Calls a mock keeps (the latest; counts stay exact, problems always fail); None keeps all."""
    mock_workers: int = attrs.field(default=32, validator=_positive)
    """Connections a port mock serves at once; more wait in the listen queue."""
    idle_seconds: float = attrs.field(default=30.0, validator=_positive)
    """How long a port mock waits on a silent connection before closing it."""


DEFAULT_LIMITS = Limits()

_IN_FORCE: contextvars.ContextVar[Limits] = contextvars.ContextVar(
    "pactdsl_limits", default=DEFAULT_LIMITS
)


def current_limits() -> Limits:
    """The `Limits` in force for this call (the defaults unless a door set others)."""
    return _IN_FORCE.get()


@contextlib.contextmanager
def limits_in_force(limits: Limits | None) -> Iterator[Limits]:
    """Make `limits` the ones `current_limits()` returns inside the block (None keeps them)."""
    if limits is None:
        yield _IN_FORCE.get()
        return
    if not isinstance(limits, Limits):
        msg = f"limits={limits!r} ({type(limits).__name__}): give a pactdsl.Limits"
        raise TypeError(msg)
    token = _IN_FORCE.set(limits)
    try:
        yield limits
    finally:
        _IN_FORCE.reset(token)


def limits_from_settings(settings: Iterable[str], base: Limits | None = None) -> Limits:
    """`base` (default: those in force) with ``NAME=VALUE`` settings applied (the CLI's --limit).

    Raises:
        ValueError: naming the setting that is not ``NAME=VALUE`` for a field, or a bad value.
    """
    fields = attrs.fields_dict(Limits)
    changes: dict[str, Any] = {}
    for setting in settings:
        name, sep, text = setting.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            msg = f"{setting!r} is not NAME=VALUE for one of {', '.join(sorted(fields))}"
            raise ValueError(msg)
        text = text.strip().replace("_", "")
        if text.lower() == "none" and name == "max_recorded_calls":
            changes[name] = None
            continue
        try:
            changes[name] = float(text) if fields[name].type in (float, "float") else int(text)
        except ValueError:
            msg = f"{setting!r}: {text!r} is not a number"
            raise ValueError(msg) from None
    try:
        return attrs.evolve(base or current_limits(), **changes)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
