"""The one in-memory model of a pact, shared by every part of pactdsl.

The DSL and the pact-file readers build it; the writers, the mock provider, the
verifier and the broker read it. Spec versions differ only at the edges
(readers and writers): inside, a pact is always this shape.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from pactdsl._generators import Generator
from pactdsl._matchers import RuleGroup

if TYPE_CHECKING:
    # Messages live in pactdsl._messages, which builds on this module.
    from pactdsl._messages import Message, SynchronousMessage

__all__ = [
    "HTTP",
    "AnyInteraction",
    "Body",
    "GeneratorsByCategory",
    "Identified",
    "Identity",
    "Interaction",
    "Pact",
    "PactSpec",
    "ProviderState",
    "Request",
    "Response",
    "RulesByCategory",
    "header_value",
    "infer_content_type",
]

RulesByCategory = Mapping[str, Mapping[str, RuleGroup]]
"""``{"body": {"$.id": group}, "header": {"X-Id": group}, "path": {"": group}}``."""

GeneratorsByCategory = Mapping[str, Mapping[str, Generator]]
"""Same keys as `RulesByCategory`."""

HTTP = "Synchronous/HTTP"

AnyInteraction: TypeAlias = "Interaction | Message | SynchronousMessage"
"""Whatever a pact holds: HTTP interactions and (V3/V4) messages."""


class PactSpec(enum.Enum):
    """The Pact specification versions pactdsl reads and writes."""

    V1 = "1.0.0"
    V1_1 = "1.1.0"
    V2 = "2.0.0"
    V3 = "3.0.0"
    V4 = "4.0"

    @classmethod
    def parse(cls, value: str | PactSpec) -> PactSpec:
        """Read "3.0.0", "3.0", "3", "V3", "v3" or a `PactSpec` (lenient, as writers vary).

        Raises:
            ValueError: naming the value and the accepted spellings.
        """
        if isinstance(value, PactSpec):
            return value
        text = str(value).strip().lower().removeprefix("v")
        parts = ([*text.split("."), "0", "0"])[:3]
        key = (parts[0], parts[1] if parts[0] == "1" else "0")
        table = {
            ("1", "0"): cls.V1,
            ("1", "1"): cls.V1_1,
            ("2", "0"): cls.V2,
            ("3", "0"): cls.V3,
            ("4", "0"): cls.V4,
        }
        if key not in table:
            msg = (
                f"spec={value!r} is not a Pact specification version; use "
                "'2.0.0', '3.0.0', '4.0' (or 'V2', 'V3', 'V4')"
            )
            raise ValueError(msg)
        return table[key]

    @property
    def major(self) -> int:
        """1, 2, 3 or 4."""
        return int(self.value.split(".")[0])


@attrs.frozen
class ProviderState:
    """A provider state (``given``): its name and optional parameters."""

    name: str
    params: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Body:
    """A request, response or message body.

    `content` is the parsed JSON value for JSON content types, `str` for text
    and `bytes` for binary content.
    """

    content: Any
    content_type: str | None = None


def header_value(headers: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    """The first value of the header `name` (case-insensitive), or None."""
    wanted = name.lower()
    for key, vals in headers.items():
        if key.lower() == wanted and vals:
            return vals[0]
    return None


def infer_content_type(headers: Mapping[str, tuple[str, ...]], content: Any) -> str:
    """The content type of a body: its Content-Type header, else guessed from it."""
    declared = header_value(headers, "Content-Type")
    if declared:
        return declared
    if isinstance(content, bytes):
        return "application/octet-stream"
    if isinstance(content, str):
        stripped = content.lstrip()
        if stripped.startswith("<"):
            return "application/xml"
        return "text/plain"
    return "application/json"


def is_json_content_type(content_type: str | None) -> bool:
    """True for ``application/json``, ``application/*+json`` and the like."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith(("+json", "/json"))


Identity: TypeAlias = tuple[str, tuple[tuple[str, str], ...]]
"""An interaction's description with its states' names and parameters (as sorted JSON)."""


@attrs.frozen
class Request:
    """The request an interaction expects from the consumer."""

    method: str
    path: str
    query: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    headers: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    body: Body | None = None
    matching_rules: RulesByCategory = attrs.field(factory=dict)
    generators: GeneratorsByCategory = attrs.field(factory=dict)


@attrs.frozen
class Response:
    """The response an interaction promises from the provider."""

    status: int
    headers: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    body: Body | None = None
    matching_rules: RulesByCategory = attrs.field(factory=dict)
    generators: GeneratorsByCategory = attrs.field(factory=dict)


class Identified:
    """The `identity` of an interaction of any kind (HTTP, message, sync message)."""

    __slots__ = ()

    description: str
    provider_states: tuple[ProviderState, ...]

    @property
    def identity(self) -> Identity:
        """What makes an interaction unique in a pact: description and states.

        Merging a pact file replaces the interaction with the same identity.
        """
        states = tuple(
            (s.name, json.dumps(dict(s.params), sort_keys=True)) for s in self.provider_states
        )
        return (self.description, states)


@attrs.frozen
class Interaction(Identified):
    """One HTTP request/response pair of a pact, with its provider states."""

    description: str
    request: Request
    response: Response
    provider_states: tuple[ProviderState, ...] = ()
    key: str | None = None
    pending: bool = False
    comments: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def interaction_type(self) -> str:
        """The V4 ``type``: ``Synchronous/HTTP``."""
        return HTTP


@attrs.frozen
class Pact:
    """A consumer, a provider and the interactions between them.

    `metadata` is what the file said (spec version, writer versions); it does not
    take part in equality.
    """

    consumer: str
    provider: str
    interactions: tuple[AnyInteraction, ...] = ()
    metadata: Mapping[str, Any] = attrs.field(factory=dict, eq=False)

    @property
    def http_interactions(self) -> tuple[Interaction, ...]:
        """The HTTP interactions only (messages left out)."""
        return tuple(i for i in self.interactions if isinstance(i, Interaction))

    @property
    def spec(self) -> PactSpec | None:
        """The spec version the file was written in, if it came from a file."""
        raw = self.metadata.get("pactSpecification", {})
        version = raw.get("version") if isinstance(raw, Mapping) else None
        if not isinstance(version, str):
            return None
        try:
            return PactSpec.parse(version)
        except ValueError:
            return None

    def interaction(self, description: str) -> Interaction:
        """The HTTP interaction with this description (messages are not looked at).

        Raises:
            KeyError: naming the description and those that exist.
        """
        for item in self.http_interactions:
            if item.description == description:
                return item
        known = [i.description for i in self.http_interactions]
        msg = f"no interaction {description!r} in {self.consumer}-{self.provider}; known: {known}"
        raise KeyError(msg)
