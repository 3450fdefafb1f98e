"""The one in-memory model of a pact, shared by every part of pactdsl.

The DSL and the pact-file readers build it; the writers, the mock provider, the
verifier and the broker read it. Spec versions differ only at the edges
(readers and writers): inside, a pact is always this shape.

The model is immutable and hashable: attributes cannot be set, sequences are
tuples, and mappings are `FrozenDict` (a read-only dict, made by the fields'
converters from whatever mapping a builder passes). JSON values stay JSON
values: a body's content, and the JSON objects of provider-state params,
comments and metadata (read-only at the top, plain below), are handed as they
are to the matching engine, the generators, the writers and user code, which
read dicts and lists. They take part in equality but not in the hash, which is
still consistent (equal objects hash equal), just less selective. Matching
rules are left out of the hash too: a matcher may hold a JSON example.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, NoReturn, TypeAlias, TypeVar

import attrs

from pactdsl._generators import Generator, GeneratorContext, apply_generators
from pactdsl._matchers import RuleGroup

__all__ = [
    "ASYNCHRONOUS_MESSAGES",
    "CONTENT_TYPE_KEYS",
    "HTTP",
    "SYNCHRONOUS_MESSAGES",
    "AnyInteraction",
    "Body",
    "FrozenDict",
    "GeneratorsByCategory",
    "Identified",
    "Identity",
    "Interaction",
    "Message",
    "MessageContents",
    "Pact",
    "PactSpec",
    "ProviderState",
    "Request",
    "Response",
    "RulesByCategory",
    "SynchronousMessage",
    "content_type_of",
    "header_value",
    "infer_content_type",
    "metadata_content_type",
]

RulesByCategory = Mapping[str, Mapping[str, RuleGroup]]
"""``{"body": {"$.id": group}, "header": {"X-Id": group}, "path": {"": group}}``."""

GeneratorsByCategory = Mapping[str, Mapping[str, Generator]]
"""Same keys as `RulesByCategory`."""

HTTP = "Synchronous/HTTP"

AnyInteraction: TypeAlias = "Interaction | Message | SynchronousMessage"
"""Whatever a pact holds: HTTP interactions and (V3/V4) messages."""


_K = TypeVar("_K")
_V = TypeVar("_V")


class FrozenDict(dict[_K, _V]):
    """A read-only, hashable dict: what every mapping of the model is.

    A dict underneath, so it equals plain dicts, passes ``isinstance(x, dict)``
    and goes through ``json.dumps`` as an object, at dict speed. Every method
    that would change it raises TypeError; it hashes by its items, so its values
    must be hashable for `hash` to work (the model keeps JSON values out of its
    hashes for that reason).
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        msg = (
            f"{type(self).__name__} is read-only: the pact model cannot change in place; "
            "build a changed copy with attrs.evolve(obj, field={**obj.field, ...})"
        )
        raise TypeError(msg)

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenDict[_K, _V]], tuple[dict[_K, _V]]]:
        # Copying and pickling rebuild it whole (dict's way sets items one by one).
        return (type(self), (dict(self),))


_EMPTY: FrozenDict[Any, Any] = FrozenDict()


# The converters below run for every model object made: each has a fast path
# for what builders pass (tuples of header values, an empty or frozen mapping).


def _frozen_values(mapping: Mapping[str, Iterable[str]]) -> FrozenDict[str, tuple[str, ...]]:
    """Headers or query: a `FrozenDict` of name to a tuple of strings."""
    if not mapping:
        return _EMPTY
    if type(mapping) is FrozenDict:
        return mapping
    frozen: FrozenDict[str, Any] = FrozenDict(mapping)
    for values in frozen.values():
        if type(values) is not tuple:
            return _tuples_of_strings(mapping)
    return frozen


def _tuples_of_strings(mapping: Mapping[str, Iterable[str]]) -> FrozenDict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, values in mapping.items():
        if isinstance(values, str | bytes):
            msg = f"{name!r}={values!r} must be a tuple of strings, e.g. ({values!r},)"
            raise TypeError(msg)
        out[name] = tuple(values)
    return FrozenDict(out)


def _categories(mapping: Mapping[str, Mapping[str, Any]]) -> FrozenDict[str, Any]:
    """Rules or generators by category: a `FrozenDict` of `FrozenDict`."""
    if not mapping:
        return _EMPTY
    if type(mapping) is FrozenDict:
        for inner in mapping.values():
            if type(inner) is not FrozenDict:
                break
        else:
            return mapping
    return FrozenDict(
        {k: v if type(v) is FrozenDict else FrozenDict(v) for k, v in mapping.items()}
    )


def _json_object(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    """A JSON object: read-only at the top (its values stay as they are)."""
    if type(mapping) is FrozenDict:
        return mapping
    return FrozenDict(mapping) if mapping else _EMPTY


def _states(states: Iterable[ProviderState]) -> tuple[ProviderState, ...]:
    return states if type(states) is tuple else tuple(states)


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
    params: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_json_object, hash=False)


@attrs.frozen
class Body:
    """A request, response or message body.

    `content` is the parsed JSON value for JSON content types, `str` for text
    and `bytes` for binary content. It stays that value (dicts and lists, not
    frozen), so it takes part in equality but not in the hash.
    """

    content: Any = attrs.field(hash=False)
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
    query: Mapping[str, tuple[str, ...]] = attrs.field(default=_EMPTY, converter=_frozen_values)
    headers: Mapping[str, tuple[str, ...]] = attrs.field(default=_EMPTY, converter=_frozen_values)
    body: Body | None = None
    matching_rules: RulesByCategory = attrs.field(default=_EMPTY, converter=_categories, hash=False)
    generators: GeneratorsByCategory = attrs.field(default=_EMPTY, converter=_categories)


@attrs.frozen
class Response:
    """The response an interaction promises from the provider."""

    status: int
    headers: Mapping[str, tuple[str, ...]] = attrs.field(default=_EMPTY, converter=_frozen_values)
    body: Body | None = None
    matching_rules: RulesByCategory = attrs.field(default=_EMPTY, converter=_categories, hash=False)
    generators: GeneratorsByCategory = attrs.field(default=_EMPTY, converter=_categories)


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
    provider_states: tuple[ProviderState, ...] = attrs.field(default=(), converter=_states)
    key: str | None = None
    pending: bool = False
    comments: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_json_object, hash=False)

    @property
    def interaction_type(self) -> str:
        """The V4 ``type``: ``Synchronous/HTTP``."""
        return HTTP


def _interactions(items: Iterable[AnyInteraction]) -> tuple[AnyInteraction, ...]:
    return items if type(items) is tuple else tuple(items)


@attrs.frozen
class Pact:
    """A consumer, a provider and the interactions between them.

    `metadata` is what the file said (spec version, writer versions); it does not
    take part in equality.
    """

    consumer: str
    provider: str
    interactions: tuple[AnyInteraction, ...] = attrs.field(default=(), converter=_interactions)
    metadata: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_json_object, eq=False)

    @functools.cached_property
    def http_interactions(self) -> tuple[Interaction, ...]:
        """The HTTP interactions only (messages left out); kept, as the pact cannot change."""
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


# --------------------------------------------------------------------------
# Messages

ASYNCHRONOUS_MESSAGES = "Asynchronous/Messages"
SYNCHRONOUS_MESSAGES = "Synchronous/Messages"

# Writers spell the content-type metadata key in several ways.
CONTENT_TYPE_KEYS: Final = ("contentType", "content-type", "content_type", "Content-Type")


def metadata_content_type(metadata: Mapping[str, Any]) -> str | None:
    """The content type a message's metadata names, under any writer's key."""
    for key in CONTENT_TYPE_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value:
            return value
    return None


@attrs.frozen
class MessageContents:
    """One message: its contents, metadata, and their rules and generators.

    Attributes:
        contents: The body (JSON value, text or bytes), or None for none.
        metadata: Message metadata (Kafka/AMQP headers and the like), JSON values.
        matching_rules: Rules by category: ``body`` (JSON paths) and
            ``metadata`` (keyed by metadata name).
        generators: Generators, in the same categories.
    """

    contents: Body | None = None
    metadata: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_json_object, hash=False)
    matching_rules: RulesByCategory = attrs.field(default=_EMPTY, converter=_categories, hash=False)
    generators: GeneratorsByCategory = attrs.field(default=_EMPTY, converter=_categories)

    @property
    def content_type(self) -> str | None:
        """The content type: the body's, else the ``contentType`` metadata."""
        return content_type_of(self)

    def example(self, context: GeneratorContext | None = None) -> tuple[Any, dict[str, Any]]:
        """The contents and metadata a consumer receives, generators applied.

        A generator that cannot run (a provider-state expression with no
        provider state) keeps the example value.
        """
        context = context or GeneratorContext()
        content = None if self.contents is None else self.contents.content
        body_gens = self.generators.get("body", {})
        if body_gens and content is not None and not isinstance(content, bytes):
            for path, gen in body_gens.items():
                try:
                    content = apply_generators(content, {path: gen}, context)
                except KeyError:
                    continue
        metadata = dict(self.metadata)
        for key, gen in self.generators.get("metadata", {}).items():
            name = key[2:] if key.startswith("$.") else key
            if name in metadata:
                try:
                    metadata[name] = gen.generate(context)
                except KeyError:
                    continue
        return content, metadata


def content_type_of(contents: MessageContents) -> str | None:
    """The content type of a message: its body's, else its ``contentType`` metadata."""
    if contents.contents is not None and contents.contents.content_type:
        return contents.contents.content_type
    return metadata_content_type(contents.metadata)


@attrs.frozen
class Message(Identified):
    """An asynchronous message (V3 message pacts, V4 ``Asynchronous/Messages``).

    The provider publishes it, the consumer handles it; nothing answers.
    """

    description: str
    contents: Body | None = None
    metadata: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_json_object, hash=False)
    matching_rules: RulesByCategory = attrs.field(default=_EMPTY, converter=_categories, hash=False)
    generators: GeneratorsByCategory = attrs.field(default=_EMPTY, converter=_categories)
    provider_states: tuple[ProviderState, ...] = attrs.field(default=(), converter=_states)
    key: str | None = None
    pending: bool = False
    comments: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_json_object, hash=False)

    @property
    def interaction_type(self) -> str:
        """The V4 ``type``: ``Asynchronous/Messages``."""
        return ASYNCHRONOUS_MESSAGES

    @property
    def message_contents(self) -> MessageContents:
        """The message as `MessageContents` (what matching and examples work on)."""
        return MessageContents(self.contents, self.metadata, self.matching_rules, self.generators)


def _responses(items: Iterable[MessageContents]) -> tuple[MessageContents, ...]:
    return items if type(items) is tuple else tuple(items)


@attrs.frozen
class SynchronousMessage(Identified):
    """A V4 ``Synchronous/Messages`` interaction: a request and its response message(s)."""

    description: str
    request: MessageContents
    responses: tuple[MessageContents, ...] = attrs.field(default=(), converter=_responses)
    provider_states: tuple[ProviderState, ...] = attrs.field(default=(), converter=_states)
    key: str | None = None
    pending: bool = False
    comments: Mapping[str, Any] = attrs.field(default=_EMPTY, converter=_json_object, hash=False)

    @property
    def interaction_type(self) -> str:
        """The V4 ``type``: ``Synchronous/Messages``."""
        return SYNCHRONOUS_MESSAGES
