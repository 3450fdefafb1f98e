"""Writers: the model to the JSON of Pact V2, V3 or V4."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from pactdsl._errors import PactSpecError
from pactdsl._generators import Generator
from pactdsl._matchers import RuleGroup
from pactdsl._model import (
    AnyInteraction,
    Body,
    GeneratorsByCategory,
    Interaction,
    Message,
    MessageContents,
    Pact,
    PactSpec,
    Request,
    Response,
    RulesByCategory,
    SynchronousMessage,
    infer_content_type,
)
from pactdsl._rule import MATCHER_ALIASES, V4_ONLY_MATCHERS
from pactdsl._rulepath import rule_path_child

__all__ = [
    "automatic_key",
    "collection_key",
    "interaction_to_json",
    "message_contents_to_json",
    "message_to_json",
    "pact_to_json",
    "request_json",
    "response_json",
]

# What the automatic V4 ``key`` leaves out: the key itself, and the annotations
# that do not change what is asked and answered (marking an interaction pending
# or commenting on it keeps its key, so a broker still sees the same interaction).
KEY_EXCLUDED_FIELDS = frozenset({"key", "pending", "comments"})

_V2_MATCHERS = frozenset({"type", "regex"})
_V2_CATEGORY_PREFIX = {"header": "$.headers", "query": "$.query"}
_SINGLE_PATH_CATEGORIES = frozenset({"path", "status"})


def pact_to_json(pact: Pact, spec: PactSpec, writer_metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The whole pact as the JSON object of `spec`.

    Raises:
        PactSpecError: when an interaction uses what `spec` cannot hold.
    """
    key = collection_key(pact, spec)
    items = [
        interaction_to_json(i, spec, where=f"{key}[{n}]") for n, i in enumerate(pact.interactions)
    ]
    return {
        "consumer": {"name": pact.consumer},
        "provider": {"name": pact.provider},
        key: items,
        "metadata": {
            "pactSpecification": {"version": spec.value},
            **writer_metadata,
        },
    }


def interaction_to_json(
    interaction: AnyInteraction, spec: PactSpec, where: str = "interaction"
) -> dict[str, Any]:
    """One interaction as the JSON of `spec` (V4 adds ``type``, ``key``, ...)."""
    if not isinstance(interaction, Interaction):
        return message_to_json(interaction, spec, where)
    where = f"{where} {interaction.description!r}"
    out: dict[str, Any] = {"description": interaction.description}
    if spec.major >= 3:
        if interaction.provider_states:
            out["providerStates"] = [
                {"name": s.name, **({"params": dict(s.params)} if s.params else {})}
                for s in interaction.provider_states
            ]
    elif interaction.provider_states:
        if len(interaction.provider_states) > 1 or interaction.provider_states[0].params:
            msg = (
                f"{where}: Pact {spec.value} holds one provider state without "
                "parameters; write spec='3.0.0' or later"
            )
            raise PactSpecError(msg)
        out["providerState"] = interaction.provider_states[0].name
    out["request"] = request_json(interaction.request, spec, f"{where}.request")
    out["response"] = response_json(interaction.response, spec, f"{where}.response")
    if spec is PactSpec.V4:
        out["type"] = interaction.interaction_type
        out["pending"] = interaction.pending
        if interaction.comments:
            out["comments"] = dict(interaction.comments)
        out["key"] = interaction.key if interaction.key is not None else automatic_key(out)
    else:
        extras = [
            name
            for name, used in (
                ("pending", interaction.pending),
                ("key", interaction.key is not None),
                ("comments", bool(interaction.comments)),
            )
            if used
        ]
        if extras:
            msg = f"{where}: {', '.join(extras)} need Pact V4; write spec='4.0'"
            raise PactSpecError(msg)
    return out


def automatic_key(item: Mapping[str, Any]) -> str:
    """The V4 ``key`` pactdsl writes for an interaction whose key the user did not set.

    The first 16 hex digits of the SHA-256 of the interaction's JSON as written
    (sorted keys, no whitespace, ASCII escapes), without ``key``, ``pending``
    and ``comments``: the same interaction always gets the same key, and a
    reader recognises it (see `_read`).

    Raises:
        TypeError, ValueError: when `item` holds something JSON cannot encode.
    """
    hashed = {name: value for name, value in item.items() if name not in KEY_EXCLUDED_FIELDS}
    text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def request_json(request: Request, spec: PactSpec, where: str = "request") -> dict[str, Any]:
    """A request as the JSON of `spec` (what `interaction_to_json` puts under "request")."""
    out: dict[str, Any] = {"method": request.method, "path": request.path}
    if request.query:
        if spec.major >= 3:
            out["query"] = {k: list(v) for k, v in request.query.items()}
        else:
            out["query"] = urlencode([(k, v) for k, vs in request.query.items() for v in vs])
    _common_json(
        out, request.headers, request.body, request.matching_rules, request.generators, spec, where
    )
    return out


def response_json(response: Response, spec: PactSpec, where: str = "response") -> dict[str, Any]:
    """A response as the JSON of `spec` (what `interaction_to_json` puts under "response")."""
    out: dict[str, Any] = {"status": response.status}
    _common_json(
        out,
        response.headers,
        response.body,
        response.matching_rules,
        response.generators,
        spec,
        where,
    )
    return out


def _common_json(
    out: dict[str, Any],
    headers: Mapping[str, tuple[str, ...]],
    body: Body | None,
    rules: RulesByCategory,
    generators: GeneratorsByCategory,
    spec: PactSpec,
    where: str,
) -> None:
    if headers:
        if spec is PactSpec.V4:
            out["headers"] = {k: list(v) for k, v in headers.items()}
        else:
            out["headers"] = {k: ", ".join(v) for k, v in headers.items()}
    if body is not None:
        out["body"] = body_to_json(body, headers, spec)
    if any(rules.values()):
        if spec.major == 3:
            _check_v3_matchers(rules, where)
        out["matchingRules"] = _rules_v2(rules, where) if spec.major <= 2 else _rules_v3(rules)
    if any(generators.values()):
        if spec.major <= 2:
            msg = f"{where}: generators need Pact V3 or later; write spec='3.0.0'"
            raise PactSpecError(msg)
        out["generators"] = _generators_json(generators)


def body_to_json(body: Body, headers: Mapping[str, tuple[str, ...]], spec: PactSpec) -> Any:
    """A body as V4's body object, or as the raw value of V2/V3."""
    content_type = body.content_type or infer_content_type(headers, body.content)
    if spec is not PactSpec.V4:
        if isinstance(body.content, bytes):
            return base64.b64encode(body.content).decode("ascii")
        return body.content
    if isinstance(body.content, bytes):
        return {
            "content": base64.b64encode(body.content).decode("ascii"),
            "contentType": content_type,
            "encoded": "base64",
        }
    # A JSON body's content is the parsed value (a JSON string is a str), so it
    # is written as is; "encoded": "JSON" would mean the str is JSON text.
    return {"content": body.content, "contentType": content_type, "encoded": False}


def _check_v3_matchers(rules: RulesByCategory, where: str) -> None:
    for category, groups in rules.items():
        for path, group in groups.items():
            for matcher in group.matchers:
                name = MATCHER_ALIASES.get(matcher.to_rule()["match"])
                if name in V4_ONLY_MATCHERS:
                    at = f"{category}[{path!r}]" if path not in ("", "$") else category
                    msg = (
                        f"{where}.matchingRules.{at}: the {name!r} matcher "
                        "needs Pact V4 (V3 files cannot hold it); write spec='4.0', or use a "
                        "V3 matcher there"
                    )
                    raise PactSpecError(msg)


def _rules_v3(rules: RulesByCategory) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for category, groups in rules.items():
        if not groups:
            continue
        if category == "status":
            # pact-reference's form: the status rules keyed by the root path.
            out[category] = {"$": next(iter(groups.values())).to_json()}
        elif category == "path":
            out[category] = next(iter(groups.values())).to_json()
        else:
            out[category] = {path: group.to_json() for path, group in groups.items()}
    return out


def _rules_v2(rules: RulesByCategory, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for category, groups in rules.items():
        for path, group in groups.items():
            key = _v2_key(category, path, where)
            out[key] = _v2_rule(group, f"{where}.matchingRules['{key}']")
    return out


def _v2_key(category: str, path: str, where: str) -> str:
    if category == "body":
        return "$.body" + path[1:]
    if category == "path":
        return "$.path"
    if category in _V2_CATEGORY_PREFIX:
        # Names such as "a.b" or "x y" need the bracket form to read back.
        return rule_path_child(_V2_CATEGORY_PREFIX[category], path)
    msg = f"{where}: a {category} matcher needs Pact V4; write spec='4.0'"
    raise PactSpecError(msg)


def _v2_rule(group: RuleGroup, where: str) -> dict[str, Any]:
    if len(group.matchers) != 1:
        msg = f"{where}: combined matchers need Pact V3 or later; write spec='3.0.0'"
        raise PactSpecError(msg)
    rule = group.matchers[0].to_rule()
    if rule["match"] not in _V2_MATCHERS:
        msg = (
            f"{where}: the {rule['match']!r} matcher needs Pact V3 or later "
            "(V2 knows only type and regex); write spec='3.0.0'"
        )
        raise PactSpecError(msg)
    return rule


def _generators_json(generators: GeneratorsByCategory) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for category, gens in generators.items():
        if not gens:
            continue
        if category in _SINGLE_PATH_CATEGORIES:
            gen: Generator = next(iter(gens.values()))
            out[category] = gen.to_json()
        else:
            out[category] = {path: g.to_json() for path, g in gens.items()}
    return out


# --------------------------------------------------------------------------
# Messages: V3 ``messages`` and V4 message interactions


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


def message_contents_to_json(contents: MessageContents, spec: PactSpec) -> dict[str, Any]:
    """One message's ``contents``, ``metadata``, ``matchingRules`` and ``generators``."""
    out: dict[str, Any] = {}
    if contents.contents is not None:
        out["contents"] = body_to_json(contents.contents, {}, spec)
    elif spec is PactSpec.V4:
        out["contents"] = {"content": ""}
    out["metadata"] = dict(contents.metadata)
    if any(contents.matching_rules.values()):
        out["matchingRules"] = _rules_v3(contents.matching_rules)
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
