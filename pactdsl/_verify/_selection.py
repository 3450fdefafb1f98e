"""Which pacts and interactions a verification covers: the source, the broker, the filters.

A run verifies the pacts of its `source` (contracts, pact files, folders) or
those a broker selects, narrowed by consumer, then the interactions the
filters select (description, provider state, type). Selecting nothing is an
error unless `allow_empty`: verifying nothing must not pass.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from pactdsl._dsl import Contract, contracts, resolve_pact
from pactdsl._messages import ASYNCHRONOUS_MESSAGES, SYNCHRONOUS_MESSAGES
from pactdsl._model import HTTP, Pact
from pactdsl._pactfile import load_pact
from pactdsl._verify._broker_source import BrokerQuery, PactToVerify, fetch_pacts, no_pacts_message
from pactdsl._verify._config import NO_PACTS_HINT, VerificationConfigError, listing

if TYPE_CHECKING:
    from pactdsl.broker import Broker

__all__ = [
    "INTERACTION_TYPES",
    "ConsumerFilter",
    "PactSource",
    "Selection",
    "nothing_selected",
    "select_pacts",
    "selection",
]

PactSource = Contract | Pact | str | PathLike[str]
ConsumerFilter = str | re.Pattern[str] | Sequence[str | re.Pattern[str]]

# The short names of `filter_type` (and the CLI's --interaction-type), by V4 type.
INTERACTION_TYPES = {
    "http": HTTP,
    "message": ASYNCHRONOUS_MESSAGES,
    "sync-message": SYNCHRONOUS_MESSAGES,
}


@attrs.frozen(kw_only=True)
class Selection:
    """What a run verifies: the filters as given, and the predicates compiled from them.

    `only`, when set, is the one interaction verified (a pytest item's); the
    filters are then not used.
    """

    filter_description: str | None = None
    filter_state: str | None = None
    filter_type: str | Sequence[str] | None = None
    filter_consumer: ConsumerFilter | None = None
    allow_empty: bool = False
    only: Any = None
    by_interaction: Callable[[Any], bool] = attrs.field(default=lambda _: True, repr=False)
    by_consumer: Callable[[str], bool] | None = attrs.field(default=None, repr=False)

    def selects(self, interaction: Any) -> bool:
        """Whether the run verifies `interaction`."""
        if self.only is not None:
            return interaction is self.only
        return self.by_interaction(interaction)

    def given(self) -> dict[str, Any]:
        """The interaction filters given, by argument name (for messages)."""
        filters = {
            "filter_description": self.filter_description,
            "filter_state": self.filter_state,
            "filter_type": self.filter_type,
        }
        return {name: value for name, value in filters.items() if value is not None}


def selection(
    *,
    filter_description: str | None = None,
    filter_state: str | None = None,
    filter_type: str | Sequence[str] | None = None,
    filter_consumer: ConsumerFilter | None = None,
    allow_empty: bool = False,
    only: Any = None,
) -> Selection:
    """The checked selection, its regular expressions compiled.

    Raises:
        VerificationConfigError: for a bad regular expression, an unknown
            interaction type, or an empty consumer filter.
        TypeError: for a consumer filter that is not names or patterns.
    """
    by_description = _compiled("filter_description", filter_description)
    by_state = _compiled("filter_state", filter_state)
    by_type = _types(filter_type)

    def by_interaction(interaction: Any) -> bool:
        if by_type is not None and interaction.interaction_type not in by_type:
            return False
        if by_description is not None and not by_description.search(interaction.description):
            return False
        return by_state is None or any(
            by_state.search(state.name) for state in interaction.provider_states
        )

    return Selection(
        filter_description=filter_description,
        filter_state=filter_state,
        filter_type=filter_type,
        filter_consumer=filter_consumer,
        allow_empty=bool(allow_empty),
        only=only,
        by_interaction=by_interaction,
        by_consumer=None if filter_consumer is None else _consumer_selector(filter_consumer),
    )


def _compiled(name: str, pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        msg = f"{name}={pattern!r} is not a valid regular expression ({exc})"
        raise VerificationConfigError(msg) from None


def _types(filter_type: str | Sequence[str] | None) -> frozenset[str] | None:
    if filter_type is None:
        return None
    given = [filter_type] if isinstance(filter_type, str) else list(filter_type)
    known = {**INTERACTION_TYPES, **{v4: v4 for v4 in INTERACTION_TYPES.values()}}
    wrong = [t for t in given if t not in known]
    if wrong or not given:
        msg = (
            f"filter_type={filter_type!r} must be one or more of "
            f"{', '.join(repr(k) for k in known)}"
        )
        raise VerificationConfigError(msg)
    return frozenset(known[t] for t in given)


def _consumer_selector(value: ConsumerFilter) -> Callable[[str], bool]:
    """A predicate on consumer names: each string is a name, or a regex the whole name matches."""
    items: list[Any] = [value] if isinstance(value, str | re.Pattern) else list(value)
    if not items:
        msg = "filter_consumer=[] selects no consumer; give names, or None for every consumer"
        raise VerificationConfigError(msg)
    names: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for item in items:
        if isinstance(item, re.Pattern):
            patterns.append(item)
        elif isinstance(item, str):
            names.add(item)
            with contextlib.suppress(re.error):  # a name with regex characters selects by name
                patterns.append(re.compile(item))
        else:
            msg = (
                f"filter_consumer={value!r} must be a consumer name, a regular expression "
                "or a list of these"
            )
            raise TypeError(msg)

    def selected(consumer: str) -> bool:
        return consumer in names or any(p.fullmatch(consumer) for p in patterns)

    return selected


def _pacts_from(source: Any, allow_empty: bool = False) -> list[Pact]:
    if isinstance(source, Contract | Pact):
        return [resolve_pact(source)]
    if isinstance(source, list | tuple):
        if not source and not allow_empty:
            msg = (
                "source=[] names no pacts; give a contract, a Pact, a pact file or a folder, "
                + NO_PACTS_HINT
            )
            raise VerificationConfigError(msg)
        return [pact for item in source for pact in _pacts_from(item, allow_empty)]
    if isinstance(source, str) and source in contracts():
        return [resolve_pact(source)]
    if isinstance(source, str | PathLike):
        path = Path(source)
        if path.is_dir():
            files = sorted(path.glob("*.json"))
            if not files and not allow_empty:
                msg = (
                    f"source={str(source)!r} is a folder without pact files (*.json); check "
                    f"the path, {NO_PACTS_HINT}"
                )
                raise VerificationConfigError(msg)
            return [load_pact(file) for file in files]
        if path.is_file():
            return [load_pact(path)]
        msg = (
            f"source={str(source)!r} is neither a registered contract "
            f"(registered: {sorted(contracts()) or 'none'}) nor an existing pact file or folder"
        )
        raise VerificationConfigError(msg)
    msg = (
        f"source={source!r} ({type(source).__name__}) must be a Contract, a Pact, a "
        "registered contract name, a pact file, a folder of pact files, or a list of these"
    )
    raise TypeError(msg)


def select_pacts(
    source: PactSource | Sequence[PactSource] | None,
    broker: Broker | None,
    query: BrokerQuery,
    chosen: Selection,
) -> list[PactToVerify]:
    """The pacts a verification covers: from `source`, else those `broker` selects.

    Raises:
        VerificationConfigError: for a pact of another provider, an empty
            selection (unless `chosen.allow_empty`), or a consumer filter matching none.
    """
    allow_empty = chosen.allow_empty
    provider = query.provider
    if source is not None:
        units = [PactToVerify(pact) for pact in _pacts_from(source, allow_empty)]
        wrong = [u.pact for u in units if provider is not None and u.pact.provider != provider]
        if wrong:
            msg = (
                f"provider={provider!r}, but the pact of {wrong[0].consumer} is for "
                f"provider {wrong[0].provider!r}; verify the right pacts or drop provider="
            )
            raise VerificationConfigError(msg)
    else:
        assert broker is not None
        assert provider is not None
        found = fetch_pacts(broker, query)
        if not found and not allow_empty:
            message = no_pacts_message(provider, query.selectors, broker, NO_PACTS_HINT)
            raise VerificationConfigError(message)
        units = [PactToVerify(item.pact, item) for item in found]
    if chosen.by_consumer is not None:
        kept = [u for u in units if chosen.by_consumer(u.pact.consumer)]
        if units and not kept and not allow_empty:
            msg = (
                f"filter_consumer={chosen.filter_consumer!r} matched none of the consumers "
                f"{listing(u.pact.consumer for u in units)}; fix the filter, " + NO_PACTS_HINT
            )
            raise VerificationConfigError(msg)
        units = kept
    return units


def nothing_selected(
    pacts: Sequence[Pact],
    cannot_verify: Callable[[Any], str | None],
    filters: Mapping[str, Any],
) -> str:
    """Why a run that would verify no interaction is refused, naming what exists.

    `cannot_verify` says why the run has nothing to check an interaction with.
    """
    interactions = [i for pact in pacts for i in pact.interactions]
    which = ", ".join(f"{p.consumer} -> {p.provider}" for p in pacts)
    given = ", ".join(f"{name}={value!r}" for name, value in filters.items())
    if not interactions:
        what = f"the pacts ({which}) hold no interactions"
    elif given:
        what = (
            f"{given} matched none of the {len(interactions)} interactions of {which}; "
            f"descriptions: {listing(i.description for i in interactions)}; provider states: "
            f"{listing(s.name for i in interactions for s in i.provider_states)}"
        )
    else:
        what = f"none of the {len(interactions)} interactions of {which} can be verified here"
    reasons = [reason for i in interactions if (reason := cannot_verify(i)) is not None]
    if reasons:
        what += f" ({len(reasons)} cannot be verified: {reasons[0]})"
    return (
        f"verification selected no interaction to verify: {what}; fix the filters, " + NO_PACTS_HINT
    )
