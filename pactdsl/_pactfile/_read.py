"""Readers: JSON of any Pact version (V1 to V4, any writer) to the model.

Every problem raises `PactFileError` starting with the JSON path of the field
at fault, e.g. ``interactions[3].response.matchingRules.body['$.id']: ...``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from pactdsl._errors import InvalidMatcher, PactFileError
from pactdsl._generators import Generator, generator_from_json
from pactdsl._limits import Limits, current_limits, limits_in_force
from pactdsl._matchers import RuleGroup, rule_group_from_json
from pactdsl._model import (
    ASYNCHRONOUS_MESSAGES,
    HTTP,
    SYNCHRONOUS_MESSAGES,
    AnyInteraction,
    Body,
    Interaction,
    Message,
    MessageContents,
    Pact,
    PactSpec,
    ProviderState,
    Request,
    Response,
    SynchronousMessage,
    infer_content_type,
    is_json_content_type,
    metadata_content_type,
)
from pactdsl._pactfile._write import automatic_key
from pactdsl._rule import CATEGORY_ALIASES, Rule
from pactdsl._rulepath import RulePathError, parse_rule_path

__all__ = ["load_pact", "pact_from_json", "v3_messages_from_json", "v4_message_from_json"]

_SINGLE_PATH_CATEGORIES = frozenset({"path", "status"})


def load_pact(source: str | Path | Mapping[str, Any], *, limits: Limits | None = None) -> Pact:
    """Read a pact from a file path, JSON text or an already parsed dict.

    Reads V1, V1.1, V2, V3 and V4, as written by pactdsl, pact-python, pact-js,
    pact-jvm and the Pact Broker. `limits` (default `Limits()`) bounds regex
    size and JSON nesting, since a pact may come from anyone.

    Raises:
        PactFileError: naming the file or JSON path of the malformed field, or
            the limit a field is over.
        FileNotFoundError: when `source` names a file that does not exist.
    """
    with limits_in_force(limits):
        if isinstance(source, Mapping):
            return pact_from_json(source)
        if isinstance(source, str) and source.lstrip().startswith(("{", "[")):
            return pact_from_json(_parse_json(source, "<text>"))
        if not isinstance(source, str | os.PathLike):
            msg = (
                f"source={source!r} ({type(source).__name__}) is not a pact; give a file "
                "path, JSON text or a dict"
            )
            raise TypeError(msg)
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise PactFileError(str(path), f"not UTF-8 text ({exc})") from None
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise PactFileError(str(path), f"cannot be read ({exc.strerror or exc})") from None
        return pact_from_json(_parse_json(text, str(path)), origin=str(path))


def _parse_json(text: str, origin: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PactFileError(origin, f"not valid JSON: {exc}") from None
    except RecursionError:
        depth = current_limits().max_nesting_depth
        raise PactFileError(
            origin, f"nests deeper than Limits(max_nesting_depth={depth}); flatten it"
        ) from None
    return data


def _check_depth(data: Any) -> None:
    """Raise `PactFileError` at the first value nested deeper than the limit."""
    limit = current_limits().max_nesting_depth
    # (value, depth, path) with the path as nested (parent, key) pairs, joined only on failure.
    pending: list[tuple[Any, int, Any]] = [(data, 0, None)]
    while pending:
        value, depth, path = pending.pop()
        if depth > limit:
            keys: list[str] = []
            while path is not None:
                path, key = path
                keys.append(f"[{key}]" if isinstance(key, int) else f".{key}")
            where = "".join(reversed(keys)).lstrip(".") or "$"
            raise _fail(where, f"nests deeper than Limits(max_nesting_depth={limit}); flatten it")
        if isinstance(value, Mapping):
            pending.extend((item, depth + 1, (path, key)) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((item, depth + 1, (path, index)) for index, item in enumerate(value))


def pact_from_json(data: Any, origin: str = "") -> Pact:
    """Build the model from a pact's JSON object (see `load_pact`)."""
    prefix = f"{origin}: " if origin else ""
    try:
        _check_depth(data)
        return _pact(data)
    except PactFileError as exc:
        if prefix:
            raise PactFileError(f"{origin}: {exc.where}", exc.problem) from None
        raise


def _fail(where: str, problem: str) -> PactFileError:
    return PactFileError(where, problem)


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, f"must be an object, got {_show(value)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"must be a string, got {_show(value)}")
    return value


def _show(value: Any) -> str:
    text = json.dumps(value) if _jsonable(value) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def detect_spec(data: Mapping[str, Any]) -> PactSpec:
    """The spec version a pact's JSON was written in (metadata first, then shape)."""
    metadata = data.get("metadata")
    if isinstance(metadata, Mapping):
        for key in ("pactSpecification", "pact-specification", "pactSpecificationVersion"):
            raw = metadata.get(key)
            version = raw.get("version") if isinstance(raw, Mapping) else raw
            if isinstance(version, str):
                try:
                    return PactSpec.parse(version)
                except ValueError:
                    raise _fail(
                        f"metadata.{key}.version", f"unknown Pact version {version!r}"
                    ) from None
    interactions = data.get("interactions")
    if isinstance(interactions, list):
        for item in interactions:
            if isinstance(item, Mapping):
                if "type" in item:
                    return PactSpec.V4
                if "providerStates" in item:
                    return PactSpec.V3
    if "messages" in data:
        return PactSpec.V3
    return PactSpec.V2


def _pact(data: Any) -> Pact:
    top = _object(data, "$")
    consumer = _string(_object(top.get("consumer"), "consumer").get("name"), "consumer.name")
    provider = _string(_object(top.get("provider"), "provider").get("name"), "provider.name")
    spec = detect_spec(top)
    raw_items = top.get("interactions", [])
    if not isinstance(raw_items, list):
        raise _fail("interactions", f"must be a list, got {_show(raw_items)}")
    interactions = tuple(
        _interaction(item, spec, f"interactions[{n}]") for n, item in enumerate(raw_items)
    )
    if "messages" in top:
        interactions = (*interactions, *v3_messages_from_json(top["messages"], spec))
    metadata = top.get("metadata", {})
    return Pact(
        consumer, provider, interactions, dict(metadata) if isinstance(metadata, Mapping) else {}
    )


def _interaction(raw: Any, spec: PactSpec, where: str) -> AnyInteraction:
    item = _object(raw, where)
    kind = item.get("type", HTTP)
    if kind != HTTP:
        return v4_message_from_json(item, spec, where)
    description = _string(item.get("description"), f"{where}.description")
    states = _states(item, where)
    request = _request(item.get("request"), spec, f"{where}.request")
    response = _response(item.get("response"), spec, f"{where}.response")
    key = interaction_key(item, where)
    pending = item.get("pending", False)
    if not isinstance(pending, bool):
        raise _fail(f"{where}.pending", f"must be true or false, got {_show(pending)}")
    comments = item.get("comments", {})
    comments = dict(_object(comments, f"{where}.comments"))
    return Interaction(description, request, response, states, key, pending, comments)


def interaction_key(item: Mapping[str, Any], where: str) -> str | None:
    """An interaction's V4 ``key``, or None when absent or the automatic one.

    pactdsl writes `automatic_key` where the user set no key; reading that back
    as None keeps ``load_pact(written) == pact``. Another writer's key (e.g.
    pact-reference's own hash) differs from it and is kept.
    """
    key = item.get("key")
    if key is None:
        return None
    key = _string(key, f"{where}.key")
    try:
        automatic = automatic_key(item)
    except (TypeError, ValueError):
        return key  # an item JSON cannot encode was not written by pactdsl
    return None if key == automatic else key


def _states(item: Mapping[str, Any], where: str) -> tuple[ProviderState, ...]:
    if "providerStates" in item:
        raw = item["providerStates"]
        if not isinstance(raw, list):
            raise _fail(f"{where}.providerStates", f"must be a list, got {_show(raw)}")
        out = []
        for n, entry in enumerate(raw):
            at = f"{where}.providerStates[{n}]"
            state = _object(entry, at)
            name = _string(state.get("name"), f"{at}.name")
            params = state.get("params") or {}
            out.append(ProviderState(name, dict(_object(params, f"{at}.params"))))
        return tuple(out)
    for key in ("providerState", "provider_state"):
        if item.get(key) is not None:
            return (ProviderState(_string(item[key], f"{where}.{key}")),)
    return ()


def _headers(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    headers = _object(raw, where)
    out: dict[str, tuple[str, ...]] = {}
    for name, value in headers.items():
        if isinstance(value, list):
            out[name] = tuple(_string(v, f"{where}['{name}']") for v in value)
        else:
            out[name] = (_string(value, f"{where}['{name}']"),)
    return out


def _query(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        out: dict[str, list[str]] = {}
        for name, value in parse_qsl(raw, keep_blank_values=True):
            out.setdefault(name, []).append(value)
        return {k: tuple(v) for k, v in out.items()}
    query = _object(raw, where)
    result: dict[str, tuple[str, ...]] = {}
    for name, value in query.items():
        values = value if isinstance(value, list) else [value]
        result[name] = tuple(_string(v, f"{where}['{name}']") for v in values)
    return result


def _request(raw: Any, spec: PactSpec, where: str) -> Request:
    request = _object(raw, where)
    method = _string(request.get("method", "GET"), f"{where}.method").upper()
    path = _string(request.get("path", "/"), f"{where}.path")
    query = _query(request.get("query"), f"{where}.query")
    headers = _headers(request.get("headers"), f"{where}.headers")
    body = _body(request, headers, spec, f"{where}.body")
    rules = _rules(request.get("matchingRules"), spec, f"{where}.matchingRules")
    generators = _generators(request.get("generators"), f"{where}.generators")
    return Request(method, path, query, headers, body, rules, generators)


def _response(raw: Any, spec: PactSpec, where: str) -> Response:
    response = _object(raw, where)
    status = response.get("status", 200)
    if isinstance(status, str) and status.isascii() and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise _fail(f"{where}.status", f"must be an HTTP status 100-599, got {_show(status)}")
    headers = _headers(response.get("headers"), f"{where}.headers")
    body = _body(response, headers, spec, f"{where}.body")
    rules = _rules(response.get("matchingRules"), spec, f"{where}.matchingRules")
    generators = _generators(response.get("generators"), f"{where}.generators")
    return Response(status, headers, body, rules, generators)


def _body(
    part: Mapping[str, Any], headers: Mapping[str, tuple[str, ...]], spec: PactSpec, where: str
) -> Body | None:
    if "body" not in part:
        return None
    raw = part["body"]
    if spec is PactSpec.V4 and isinstance(raw, Mapping) and "content" in raw:
        return body_from_v4(raw, headers, where)
    if spec is PactSpec.V4 and raw is None:
        return None
    content_type = infer_content_type(headers, raw)
    if isinstance(raw, str) and is_binary_content_type(content_type):
        # V2/V3 have no body object: binary content is stored as base64 text.
        try:
            return Body(base64.b64decode(raw, validate=True), content_type)
        except (binascii.Error, ValueError):
            pass
    return Body(raw, content_type)


_BINARY_MEDIA_TYPES = frozenset(
    {
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/protobuf",
        "application/x-protobuf",
        "application/msgpack",
    }
)


def is_binary_content_type(content_type: str | None) -> bool:
    """True for content types whose bodies are bytes, not text (images, octet-stream, ...)."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    major = media.split("/", 1)[0]
    return major in ("image", "audio", "video", "font") or media in _BINARY_MEDIA_TYPES


def body_from_v4(
    raw: Mapping[str, Any], headers: Mapping[str, tuple[str, ...]], where: str
) -> Body:
    """Read a V4 body object ``{"content", "contentType", "encoded"}``."""
    content = raw.get("content")
    declared = raw.get("contentType")
    if declared is not None:
        declared = _string(declared, f"{where}.contentType")
    encoded = raw.get("encoded", False)
    if encoded in ("base64", "BASE64"):
        text = _string(content, f"{where}.content")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _fail(
                f"{where}.content", "is not valid base64 although encoded is 'base64'"
            ) from None
        content_type = declared or infer_content_type(headers, data)
        if is_json_content_type(content_type) or content_type.startswith("text/"):
            try:
                decoded = data.decode("utf-8")
            except UnicodeDecodeError:
                return Body(data, content_type)
            if is_json_content_type(content_type):
                try:
                    return Body(json.loads(decoded), content_type)
                except json.JSONDecodeError:
                    return Body(decoded, content_type)
            return Body(decoded, content_type)
        return Body(data, content_type)
    if encoded in ("JSON", "json"):
        text = _string(content, f"{where}.content")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _fail(
                f"{where}.content", f"is not JSON although encoded is 'JSON' ({exc})"
            ) from None
        return Body(value, declared or "application/json")
    if encoded not in (False, None, "false"):
        raise _fail(f"{where}.encoded", f"must be false, 'base64' or 'JSON', got {_show(encoded)}")
    return Body(content, declared or infer_content_type(headers, content))


def _rules(raw: Any, spec: PactSpec, where: str) -> dict[str, dict[str, RuleGroup]]:
    if raw is None:
        return {}
    rules = _object(raw, where)
    try:
        if spec.major <= 2 or any(str(k).startswith("$") for k in rules):
            out = _rules_v2(rules, where)
        else:
            out = _rules_v3(rules, where)
        for category, groups in out.items():
            for path, group in groups.items():
                for rule in group.parsed()[0]:
                    _check_variant_generators(rule, f"{where}.{category}['{path}']")
    except InvalidMatcher as exc:
        raise _located(exc) from None
    return out


def _check_variant_generators(rule: Rule, where: str) -> None:
    """Read the generators inside `arrayContains` variants, so a bad one fails here."""
    for variant in rule.variants:
        at = f"{where}.variants[index {variant.index}]"
        for path, raw in variant.generators.items():
            generator_from_json(raw, f"{at}.generators['{path}']")
        for rules, _ in variant.rules.values():
            for nested in rules:
                _check_variant_generators(nested, at)
    for nested in rule.rules:
        _check_variant_generators(nested, where)


def _located(exc: InvalidMatcher) -> PactFileError:
    """Turn ``"<json path>: problem"`` from the matcher parsers into a `PactFileError`."""
    where, _, problem = str(exc).partition(": ")
    return PactFileError(where, problem)


def _rules_v2(rules: Mapping[str, Any], where: str) -> dict[str, dict[str, RuleGroup]]:
    out: dict[str, dict[str, RuleGroup]] = {}
    for key, rule in rules.items():
        at = f"{where}['{key}']"
        category, path = _split_v2_key(key, at)
        out.setdefault(category, {})[path] = rule_group_from_json(rule, at)
    return out


def _split_v2_key(key: str, where: str) -> tuple[str, str]:
    try:
        tokens = parse_rule_path(key)
    except RulePathError as exc:
        raise _fail(where, str(exc)) from None
    if not tokens or not isinstance(tokens[0], str):
        raise _fail(where, "a V2 rule path must start with $.body, $.headers, $.query or $.path")
    head = CATEGORY_ALIASES.get(tokens[0], tokens[0])
    if head == "body":
        rest = key[key.index(str(tokens[0])) + len(str(tokens[0])) :]
        return "body", "$" + rest
    if head in ("header", "query") and len(tokens) == 2 and isinstance(tokens[1], str):
        return head, tokens[1]
    if head in _SINGLE_PATH_CATEGORIES and len(tokens) == 1:
        return head, ""
    raise _fail(where, "a V2 rule path must be $.body..., $.headers.NAME, $.query.NAME or $.path")


def _rules_v3(rules: Mapping[str, Any], where: str) -> dict[str, dict[str, RuleGroup]]:
    out: dict[str, dict[str, RuleGroup]] = {}
    for raw_category, entries in rules.items():
        at = f"{where}.{raw_category}"
        category = _known_category(raw_category, at)
        if category in _SINGLE_PATH_CATEGORIES:
            out[category] = {"": _whole_rule_group(entries, at)}
            continue
        groups = _object(entries, at)
        target = out.setdefault(category, {})
        for path, group in groups.items():
            target[_normalise_path(category, path, f"{at}['{path}']")] = rule_group_from_json(
                group, f"{at}['{path}']"
            )
    return out


def _known_category(raw_category: str, where: str) -> str:
    """The canonical name of a rule category; one no part of pactdsl applies is refused.

    pact-reference files unknown names under `body`; ignoring them could pass
    what the rules forbid, so the pact is refused instead.
    """
    category = CATEGORY_ALIASES.get(raw_category)
    if category is None:
        known = ", ".join(sorted(set(CATEGORY_ALIASES.values())))
        raise _fail(where, f"unknown rule category {raw_category!r}; the categories are {known}")
    return category


def _whole_rule_group(entries: Any, where: str) -> RuleGroup:
    """Rules of a category without paths (`path`, `status`), flat or keyed.

    pact-reference writes `status` keyed by its root path, ``{"$": {"matchers":
    [...]}}``, and `path` flat, ``{"matchers": [...]}``; it reads either form
    for both (and any key that is a rule path, ``""`` included).
    """
    if (
        isinstance(entries, Mapping)
        and entries
        and not {"matchers", "match"} & set(entries)
        and all(isinstance(value, Mapping) for value in entries.values())
    ):
        if len(entries) != 1:
            raise _fail(
                where,
                f"has rules under {len(entries)} paths {sorted(entries)}; a category "
                'without paths takes one rule list, written flat or under "$"',
            )
        ((key, group),) = entries.items()
        at = f"{where}['{key}']"
        if key:
            try:
                parse_rule_path(key)
            except RulePathError as exc:
                raise _fail(at, str(exc)) from None
        return rule_group_from_json(group, at)
    return rule_group_from_json(entries, where)


def _normalise_path(category: str, path: str, where: str) -> str:
    """Body paths keep their ``$`` form; some writers omit it or write ``$.body``.

    Metadata keys are names, as pact-reference writes them; ``$.name`` is read
    as ``name`` (deeper paths are kept).
    """
    if category == "metadata" and path.startswith("$"):
        try:
            tokens = parse_rule_path(path)
        except RulePathError as exc:
            raise _fail(where, str(exc)) from None
        return tokens[0] if len(tokens) == 1 and isinstance(tokens[0], str) else path
    if category != "body":
        return path
    if not path.startswith("$"):
        path = "$." + path if path else "$"
    try:
        parse_rule_path(path)
    except RulePathError as exc:
        raise _fail(where, str(exc)) from None
    return path


def _generators(raw: Any, where: str) -> dict[str, dict[str, Generator]]:
    if raw is None:
        return {}
    gens = _object(raw, where)
    out: dict[str, dict[str, Generator]] = {}
    try:
        for raw_category, entries in gens.items():
            category = CATEGORY_ALIASES.get(raw_category, raw_category)
            at = f"{where}.{raw_category}"
            if category in _SINGLE_PATH_CATEGORIES:
                out[category] = {"": generator_from_json(entries, at)}
                continue
            target = out.setdefault(category, {})
            for path, gen in _object(entries, at).items():
                target[_normalise_path(category, path, f"{at}['{path}']")] = generator_from_json(
                    gen, f"{at}['{path}']"
                )
    except InvalidMatcher as exc:
        raise _located(exc) from None
    return out


# --------------------------------------------------------------------------
# Messages: V3 ``messages`` and V4 message interactions


def _metadata(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    for key in ("metadata", "metaData"):
        if key in item and item[key] is not None:
            return dict(_object(item[key], f"{where}.{key}"))
    return {}


def _contents(
    item: Mapping[str, Any], metadata: Mapping[str, Any], spec: PactSpec, where: str
) -> MessageContents:
    declared = metadata_content_type(metadata)
    headers = {"Content-Type": (declared,)} if declared else {}
    body: Body | None = None
    if "contents" in item:
        raw = item["contents"]
        if isinstance(raw, Mapping) and "content" in raw and spec is PactSpec.V4:
            body = body_from_v4(raw, headers, f"{where}.contents")
            if body.content in ("", None) and "contentType" not in raw:
                body = None  # V4 writes absent contents as {"content": ""}
        elif raw is not None:
            body = _body({"body": raw}, headers, PactSpec.V3, f"{where}.contents")
    rules = _rules(item.get("matchingRules"), spec, f"{where}.matchingRules")
    generators = _generators(item.get("generators"), f"{where}.generators")
    return MessageContents(body, metadata, rules, generators)


def _common(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    key = interaction_key(item, where)
    pending = item.get("pending", False)
    if not isinstance(pending, bool):
        raise _fail(f"{where}.pending", f"must be true or false, got {_show(pending)}")
    comments = dict(_object(item.get("comments", {}), f"{where}.comments"))
    return {
        "provider_states": _states(item, where),
        "key": key,
        "pending": pending,
        "comments": comments,
    }


def _async(item: Mapping[str, Any], spec: PactSpec, where: str) -> Message:
    description = _string(item.get("description"), f"{where}.description")
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
        raise _fail(where, f"must be a list, got {_show(raw)}")
    # A V4 reader also meets V3 files: their contents are raw values, not body objects.
    effective = PactSpec.V3 if spec is not PactSpec.V4 else spec
    return tuple(
        _async(_object(entry, f"{where}[{n}]"), effective, f"{where}[{n}]")
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
        description = _string(item.get("description"), f"{where}.description")
        request_raw = _object(item.get("request", {}), f"{where}.request")
        request = _contents(
            request_raw, _metadata(request_raw, f"{where}.request"), spec, f"{where}.request"
        )
        raw_responses = item.get("response", [])
        if isinstance(raw_responses, Mapping):
            raw_responses = [raw_responses]
        if not isinstance(raw_responses, list):
            raise _fail(f"{where}.response", f"must be a list, got {_show(raw_responses)}")
        responses = []
        for n, entry in enumerate(raw_responses):
            at = f"{where}.response[{n}]"
            part = _object(entry, at)
            responses.append(_contents(part, _metadata(part, at), spec, at))
        return SynchronousMessage(description, request, tuple(responses), **_common(item, where))
    raise _fail(
        f"{where}.type",
        f"unknown interaction type {kind!r}; expected 'Synchronous/HTTP', "
        f"'{ASYNCHRONOUS_MESSAGES}' or '{SYNCHRONOUS_MESSAGES}' (plugin interactions are "
        "not supported)",
    )
