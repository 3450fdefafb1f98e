"""Message pacts in files: V3 ``messages`` and V4 message interactions, read and written.

V3 keeps messages in a file of their own (top-level ``messages``, each with raw
``contents``, ``metadata`` and category rules ``body``/``metadata``). V4 puts
``Asynchronous/Messages`` and ``Synchronous/Messages`` interactions beside HTTP
ones in ``interactions``, with contents as a body object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pactdsl._errors import PactSpecError
from pactdsl._messages import (
    ASYNCHRONOUS_MESSAGES,
    SYNCHRONOUS_MESSAGES,
    Message,
    MessageContents,
    SynchronousMessage,
)
from pactdsl._model import Body, GeneratorsByCategory, Interaction, PactSpec, RulesByCategory
from pactdsl._pactfile import _read
from pactdsl._pactfile._write import automatic_key, body_to_json

if TYPE_CHECKING:
    from pactdsl._model import Pact

__all__ = [
    "collection_key",
    "message_contents_to_json",
    "message_to_json",
    "v3_messages_from_json",
    "v4_message_from_json",
]

_CONTENT_TYPE_KEYS = ("contentType", "content-type", "content_type", "Content-Type")


# --------------------------------------------------------------------------
# Writing


def collection_key(pact: Pact, spec: PactSpec) -> str:
    """``"messages"`` for a V3 message pact, else ``"interactions"``.

    Raises:
        PactSpecError: when `spec` cannot hold the pact's messages (V1/V2), or
            a V3 pact mixes HTTP interactions and messages.
    """
    messages = [i for i in pact.interactions if isinstance(i, Message | SynchronousMessage)]
    if not messages:
        return "interactions"
    first = messages[0]
    if spec.major <= 2:
        msg = (
            f"message {first.description!r}: Pact {spec.value} has no messages; "
            "write spec='3.0.0' (asynchronous messages only) or spec='4.0'"
        )
        raise PactSpecError(msg)
    if spec is PactSpec.V4:
        return "interactions"
    http = [i for i in pact.interactions if isinstance(i, Interaction)]
    if http:
        msg = (
            f"{pact.consumer}-{pact.provider}: Pact 3.0.0 cannot mix HTTP interactions "
            f"(e.g. {http[0].description!r}) and messages (e.g. {first.description!r}) in "
            "one file; write spec='4.0', or split them into two contracts"
        )
        raise PactSpecError(msg)
    return "messages"


def _rules_json(rules: RulesByCategory) -> dict[str, Any]:
    return {
        category: {path: group.to_json() for path, group in groups.items()}
        for category, groups in rules.items()
        if groups
    }


def _generators_json(generators: GeneratorsByCategory) -> dict[str, Any]:
    return {
        category: {path: gen.to_json() for path, gen in gens.items()}
        for category, gens in generators.items()
        if gens
    }


def message_contents_to_json(contents: MessageContents, spec: PactSpec) -> dict[str, Any]:
    """One message's ``contents``, ``metadata``, ``matchingRules`` and ``generators``."""
    out: dict[str, Any] = {}
    if contents.contents is not None:
        out["contents"] = body_to_json(contents.contents, {}, spec)
    elif spec is PactSpec.V4:
        out["contents"] = {"content": ""}
    out["metadata"] = dict(contents.metadata)
    if any(contents.matching_rules.values()):
        out["matchingRules"] = _rules_json(contents.matching_rules)
    if any(contents.generators.values()):
        out["generators"] = _generators_json(contents.generators)
    return out


def message_to_json(
    item: Message | SynchronousMessage, spec: PactSpec, where: str = "message"
) -> dict[str, Any]:
    """A message as the JSON of `spec` (V3 message or V4 typed interaction).

    Raises:
        PactSpecError: when `spec` cannot hold it (V2; a synchronous message or
            V4-only fields in V3).
    """
    where = f"{where} {item.description!r}"
    if spec.major <= 2:
        msg = f"{where}: Pact {spec.value} has no messages; write spec='3.0.0' or '4.0'"
        raise PactSpecError(msg)
    out: dict[str, Any] = {"description": item.description}
    if item.provider_states:
        out["providerStates"] = [
            {"name": s.name, **({"params": dict(s.params)} if s.params else {})}
            for s in item.provider_states
        ]
    if isinstance(item, SynchronousMessage):
        if spec is not PactSpec.V4:
            msg = f"{where}: synchronous messages need Pact V4; write spec='4.0'"
            raise PactSpecError(msg)
        out["request"] = message_contents_to_json(item.request, spec)
        out["response"] = [message_contents_to_json(r, spec) for r in item.responses]
    else:
        out.update(message_contents_to_json(item.message_contents, spec))
    if spec is PactSpec.V4:
        out["type"] = item.interaction_type
        out["pending"] = item.pending
        if item.comments:
            out["comments"] = dict(item.comments)
        out["key"] = item.key if item.key is not None else automatic_key(out)
        return out
    extras = [
        name
        for name, used in (
            ("pending", item.pending),
            ("key", item.key is not None),
            ("comments", bool(item.comments)),
        )
        if used
    ]
    if extras:
        msg = f"{where}: {', '.join(extras)} need Pact V4; write spec='4.0'"
        raise PactSpecError(msg)
    return out


# --------------------------------------------------------------------------
# Reading


def _metadata(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    for key in ("metadata", "metaData"):
        if key in item and item[key] is not None:
            return dict(_read._object(item[key], f"{where}.{key}"))
    return {}


def _contents(
    item: Mapping[str, Any], metadata: Mapping[str, Any], spec: PactSpec, where: str
) -> MessageContents:
    declared = next(
        (v for k in _CONTENT_TYPE_KEYS if isinstance(v := metadata.get(k), str) and v), None
    )
    headers = {"Content-Type": (declared,)} if declared else {}
    body: Body | None = None
    if "contents" in item:
        raw = item["contents"]
        if isinstance(raw, Mapping) and "content" in raw and spec is PactSpec.V4:
            body = _read.body_from_v4(raw, headers, f"{where}.contents")
            if body.content in ("", None) and "contentType" not in raw:
                body = None  # V4 writes absent contents as {"content": ""}
        elif raw is not None:
            body = _read._body({"body": raw}, headers, PactSpec.V3, f"{where}.contents")
    rules = _read._rules(item.get("matchingRules"), spec, f"{where}.matchingRules")
    generators = _read._generators(item.get("generators"), f"{where}.generators")
    return MessageContents(body, metadata, rules, generators)


def _common(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    key = _read.interaction_key(item, where)
    pending = item.get("pending", False)
    if not isinstance(pending, bool):
        raise _read._fail(f"{where}.pending", f"must be true or false, got {_read._show(pending)}")
    comments = dict(_read._object(item.get("comments", {}), f"{where}.comments"))
    return {
        "provider_states": _read._states(item, where),
        "key": key,
        "pending": pending,
        "comments": comments,
    }


def _async(item: Mapping[str, Any], spec: PactSpec, where: str) -> Message:
    description = _read._string(item.get("description"), f"{where}.description")
    contents = _contents(item, _metadata(item, where), spec, where)
    return Message(
        description,
        contents.contents,
        contents.metadata,
        contents.matching_rules,
        contents.generators,
        **_common(item, where),
    )


def v3_messages_from_json(raw: Any, spec: PactSpec, where: str = "messages") -> tuple[Message, ...]:
    """Read a V3 message pact's ``messages`` array.

    Raises:
        PactFileError: naming the JSON path of the malformed field.
    """
    if not isinstance(raw, list):
        raise _read._fail(where, f"must be a list, got {_read._show(raw)}")
    # A V4 reader also meets V3 files: their contents are raw values, not body objects.
    effective = PactSpec.V3 if spec is not PactSpec.V4 else spec
    return tuple(
        _async(_read._object(entry, f"{where}[{n}]"), effective, f"{where}[{n}]")
        for n, entry in enumerate(raw)
    )


def v4_message_from_json(
    item: Mapping[str, Any], spec: PactSpec, where: str
) -> Message | SynchronousMessage:
    """Read one V4 ``Asynchronous/Messages`` or ``Synchronous/Messages`` interaction.

    Raises:
        PactFileError: for another ``type`` or a malformed field.
    """
    kind = item.get("type")
    if kind == ASYNCHRONOUS_MESSAGES:
        return _async(item, spec, where)
    if kind == SYNCHRONOUS_MESSAGES:
        description = _read._string(item.get("description"), f"{where}.description")
        request_raw = _read._object(item.get("request", {}), f"{where}.request")
        request = _contents(
            request_raw, _metadata(request_raw, f"{where}.request"), spec, f"{where}.request"
        )
        raw_responses = item.get("response", [])
        if isinstance(raw_responses, Mapping):
            raw_responses = [raw_responses]
        if not isinstance(raw_responses, list):
            raise _read._fail(
                f"{where}.response", f"must be a list, got {_read._show(raw_responses)}"
            )
        responses = []
        for n, entry in enumerate(raw_responses):
            at = f"{where}.response[{n}]"
            part = _read._object(entry, at)
            responses.append(_contents(part, _metadata(part, at), spec, at))
        return SynchronousMessage(description, request, tuple(responses), **_common(item, where))
    raise _read._fail(
        f"{where}.type",
        f"unknown interaction type {kind!r}; expected 'Synchronous/HTTP', "
        f"'{ASYNCHRONOUS_MESSAGES}' or '{SYNCHRONOUS_MESSAGES}' (plugin interactions are "
        "not supported)",
    )
