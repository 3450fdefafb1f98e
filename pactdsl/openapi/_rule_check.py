"""A request's matching rules against its operation: each place where a rule applies.

The rules are read as the matching engine reads them: the interaction's
request becomes the engine's expected JSON, `pactdsl.matching` parses its
`matchingRules` into a `RuleSet`, and its `RuleCursor` says which rule applies
at each place of the body (weights, cascades and `eachValue` as the engine
has them). `pactdsl.openapi._admits` judges each rule against the schema
there. Responses are not walked: a response rule that admits more than the
schema promises only makes the consumer accept more (docs/openapi.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from pactdsl._http_json import expected_request_json
from pactdsl._model import Interaction
from pactdsl._rule import Rule
from pactdsl.matching._parse import parse_rules
from pactdsl.matching._rules import EMPTY_CURSOR, RuleCursor, RuleList, RuleSet
from pactdsl.openapi._admits import (
    Finding,
    Kind,
    Place,
    admitted_findings,
    array_findings,
    pattern_search,
    place_of,
)
from pactdsl.openapi._document import Node
from pactdsl.openapi._operations import Operation, Parameter, any_value
from pactdsl.openapi._regex_language import finite_strings, path_pieces
from pactdsl.openapi._schema import WHERE as _WHERE
from pactdsl.openapi._schema import Validator, coerce, where_of

__all__ = [
    "RequestRules",
    "RuleFinding",
    "body_findings",
    "path_findings",
    "request_rules",
    "text_findings",
]


@attrs.frozen
class RuleFinding:
    """A finding about a rule: its kind, the place under the part, the pointer, the message."""

    kind: Kind
    segments: tuple[str | int, ...]
    where: str
    message: str


def request_rules(interaction: Interaction) -> RuleSet | None:
    """The request's rules as the engine parses them, or None when it has none."""
    if not any(interaction.request.matching_rules.values()):
        return None
    return parse_rules(expected_request_json(interaction).get("matchingRules"))


def _rule_words(rule: Rule) -> str:
    bounds = [f"{k}={v}" for k, v in (("min", rule.min), ("max", rule.max)) if v is not None]
    return f"`{rule.name}`" + (f" ({', '.join(bounds)})" if bounds else "")


def _judged(
    rule_list: RuleList, per_rule: list[list[Finding]], branchy: bool
) -> list[tuple[Kind, str, str]]:
    """The findings of a rule list from each rule's: OR admits what any admits, AND less."""
    if len(per_rule) == 1:
        found = per_rule[0]
    elif rule_list.combine == "OR":
        found = [f for findings in per_rule for f in findings]
    elif any(not findings for findings in per_rule):
        found = []
    else:
        found = [
            (
                "undecided",
                where,
                f"{message} (the other rules here narrow it; by how much, pactdsl cannot tell)",
            )
            for _, where, message in per_rule[0]
        ]
    if branchy:
        found = [
            (
                "undecided" if kind != "undecided" else kind,
                where,
                f"{message} (under anyOf/oneOf: another branch may take them)",
            )
            for kind, where, message in found
        ]
    names = " and ".join(_rule_words(r) for r in rule_list.rules)
    origin = f"matchingRules {rule_list.rule_path}" + (", inherited" if rule_list.cascaded else "")
    return [(kind, where, f"{names} ({origin}): {message}") for kind, where, message in found]


@attrs.define
class _BodyWalk:
    validator: Validator
    findings: list[RuleFinding] = attrs.Factory(list)
    _seen: set[tuple[str, str, str]] = attrs.Factory(set)

    def add(self, segments: tuple[str | int, ...], found: list[tuple[Kind, str, str]]) -> None:
        for kind, where, message in found:
            # Elements of one array under one rule say the same: once is enough.
            if (kind, where, message) not in self._seen:
                self._seen.add((kind, where, message))
                self.findings.append(RuleFinding(kind, segments, where, message))

    def walk(
        self, value: Any, cursor: RuleCursor, place: Place, segments: tuple[str | int, ...]
    ) -> None:
        if cursor is EMPTY_CURSOR:
            return
        rule_list = cursor.best
        each_value: RuleList | None = None
        if rule_list is not None and not rule_list.is_equality:
            per_rule = [
                self.rule(r, rule_list, value, cursor, place, segments) for r in rule_list.rules
            ]
            self.add(segments, _judged(rule_list, per_rule, place.branchy))
            nested = next((r for r in rule_list.rules if r.name == "eachValue" and r.rules), None)
            if nested is not None:
                each_value = RuleList(nested.rules, "AND", rule_list.rule_path)
        items = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else ()
        )
        for key, item in items:
            child = cursor.child(key)
            if each_value is not None:
                child = child.with_rules(each_value, cursor.best_weight)
            if child is not EMPTY_CURSOR:
                self.walk(item, child, self.child_place(place, key, item), (*segments, key))

    def child_place(self, place: Place, key: str | int, value: Any) -> Place:
        subs: list[Any] = []
        for part in place.parts:
            if isinstance(key, str):
                properties = part.get("properties")
                if isinstance(properties, Mapping) and key in properties:
                    subs.append(properties[key])
                    continue
                patterns = part.get("patternProperties") or {}
                found = [sub for pat, sub in patterns.items() if pattern_search(pat, key)]
                subs.extend(found)
                extra = part.get("additionalProperties")
                if not found and isinstance(extra, Mapping):
                    subs.append(extra)
            else:
                prefix = part.get("prefixItems") or ()
                if key < len(prefix):
                    subs.append(prefix[key])
                elif isinstance(part.get("items"), Mapping):
                    subs.append(part["items"])
        return place_of(self.validator, subs, value, branchy=place.branchy)

    def rule(
        self,
        rule: Rule,
        rule_list: RuleList,
        value: Any,
        cursor: RuleCursor,
        place: Place,
        segments: tuple[str | int, ...],
    ) -> list[Finding]:
        if isinstance(value, list):
            return array_findings(rule, value, place)
        if isinstance(value, dict):
            return self.object(rule, rule_list, value, cursor, place, segments)
        return admitted_findings(self.validator, rule, value, place, text=False)

    def object(
        self,
        rule: Rule,
        rule_list: RuleList,
        value: dict[str, Any],
        cursor: RuleCursor,
        place: Place,
        segments: tuple[str | int, ...],
    ) -> list[Finding]:
        """Keys an object rule admits beyond the example's (values, eachValue, eachKey)."""
        own = rule.name == "eachValue" or (
            rule.name in ("values", "eachKey") and not rule_list.cascaded
        )
        if not own:
            return []  # `type` and the like keep the example's keys in a request
        closed = [
            p
            for p in place.parts
            if p.get("additionalProperties") is False or p.get("unevaluatedProperties") is False
        ]
        patterned = any(p.get("patternProperties") for p in place.parts)
        extras = [
            p["additionalProperties"]
            for p in place.parts
            if isinstance(p.get("additionalProperties"), Mapping)
        ]
        if rule.name == "eachKey":
            return self.keys(rule, value, place, closed, patterned, extras)
        found: list[Finding] = []
        says = f"`{rule.name}` admits objects with keys the example lacks"
        if closed:
            keyword = (
                "additionalProperties"
                if "additionalProperties" in closed[0]
                else "unevaluatedProperties"
            )
            where = f"{where_of(closed[0])}/{keyword}"
            if patterned:
                found.append(
                    (
                        "undecided",
                        where,
                        f"{says}; pactdsl cannot tell whether the schema's "
                        "patternProperties take them",
                    )
                )
            else:
                found.append(
                    ("incompatible", where, f"{says}; the schema takes no other properties")
                )
        if any("propertyNames" in p for p in place.parts):
            found.append(
                (
                    "undecided",
                    _first(place),
                    f"{says}; pactdsl cannot tell whether the schema's propertyNames take them",
                )
            )
        if extras and value:
            # A value at a new key is like the example's first value, under the same rules.
            key, template = next(iter(value.items()))
            child = cursor.child(key)
            if rule.name == "eachValue" and rule.rules:
                child = child.with_rules(
                    RuleList(rule.rules, "AND", rule_list.rule_path), cursor.best_weight
                )
            self.walk(template, child, place_of(self.validator, extras, template), (*segments, "*"))
        return found

    def keys(
        self,
        rule: Rule,
        value: dict[str, Any],
        place: Place,
        closed: list[Mapping[str, Any]],
        patterned: bool,
        extras: list[Any],
    ) -> list[Finding]:
        found: list[Finding] = []
        example = next(iter(value), "")
        names = sorted({str(n) for p in place.parts for n in (p.get("properties") or {})})
        closed_where = ""
        if closed:
            keyword = "additionalProperties"
            if keyword not in closed[0]:
                keyword = "unevaluatedProperties"
            closed_where = f"{where_of(closed[0])}/{keyword}"
        for key_rule in rule.rules:
            parts: list[Mapping[str, Any]] = [
                n for p in place.parts if isinstance(n := p.get("propertyNames"), Mapping)
            ]
            if closed and not patterned:
                parts.append({"enum": names, _WHERE: closed_where})
            judged = admitted_findings(
                self.validator, key_rule, example, Place(tuple(parts)), text=True
            )
            for kind, where, message in judged:
                if kind == "wider" and closed_where and where.startswith(closed_where):
                    # The keys of a closed object are its structure: more keys is a clash.
                    found.append(("incompatible", closed_where, f"its keys: {message}"))
                else:
                    found.append((kind, where, f"its keys: {message}"))
            if closed and patterned:
                found.append(
                    (
                        "undecided",
                        closed_where,
                        "eachKey admits keys the example lacks; pactdsl cannot tell "
                        "whether the schema's patternProperties take them",
                    )
                )
        if any(e not in ({}, True) and set(e) - {_WHERE} for e in extras):
            found.append(
                (
                    "wider",
                    where_of(extras[0]),
                    "eachKey admits any value at keys the example "
                    "lacks; the schema's additionalProperties constrain them",
                )
            )
        return found


def _first(place: Place) -> str:
    return next((where_of(p) for p in place.parts if where_of(p)), "")


def body_findings(validator: Validator, body: Any, rules: RuleSet) -> list[RuleFinding]:
    """What the body's rules admit that its schema refuses, place by place."""
    cursor = rules.cursor("body")
    if cursor is EMPTY_CURSOR:
        return []
    walk = _BodyWalk(validator)
    walk.walk(body, cursor, place_of(validator, [validator.schema], body), ())
    return walk.findings


def _text_place(validator: Validator, example: str) -> tuple[Place, Callable[[Any], Any]]:
    """A parameter's place for its example, and how its text values read there."""

    def read(text: Any) -> Any:
        value = coerce(validator, (str(text),), None)
        return value[0] if isinstance(value, list) and value else value

    instance = coerce(validator, (example,), None)
    place = place_of(validator, [validator.schema], instance)
    if isinstance(instance, list):  # an array parameter: each value is an item
        subs = [p["items"] for p in place.parts if isinstance(p.get("items"), Mapping)]
        place = place_of(validator, subs, read(example), branchy=place.branchy)
    return place, read


def text_findings(validator: Validator, rule_list: RuleList, example: str) -> list[RuleFinding]:
    """What a parameter's rules admit (text values) that its schema refuses."""
    if rule_list.is_equality:
        return []
    place, read = _text_place(validator, example)
    per_rule = [
        admitted_findings(validator, r, example, place, text=True, read=read)
        for r in rule_list.rules
    ]
    return [RuleFinding(k, (), w, m) for k, w, m in _judged(rule_list, per_rule, place.branchy)]


def path_findings(
    rule_list: RuleList,
    template: str,
    prefixes: list[str],
    where: str,
    parameter: Callable[[str], tuple[Validator, str] | None],
) -> list[RuleFinding]:
    """What a rule on the whole path admits beyond the operation's template.

    Args:
        rule_list: The path's rules.
        template: The operation's path template (``/pets/{id}``).
        prefixes: The base paths a pact path may start with.
        where: The path item's pointer.
        parameter: A path parameter's compiled schema and its example value, by name.
    """
    if rule_list.is_equality:
        return []
    per_rule = [_path_rule(rule, template, prefixes, where, parameter) for rule in rule_list.rules]
    return [RuleFinding(k, (), w, m) for k, w, m in _judged(rule_list, per_rule, False)]


def _path_rule(
    rule: Rule,
    template: str,
    prefixes: list[str],
    where: str,
    parameter: Callable[[str], tuple[Validator, str] | None],
) -> list[Finding]:
    if rule.name == "equality":
        return []
    if rule.name != "regex":
        return [
            (
                "wider",
                where,
                f"the rule admits {_path_words(rule)}; only paths of {template!r} "
                "reach this operation",
            )
        ]
    pieces = path_pieces(rule.regex or "")
    segments = template.strip("/").split("/") if template.strip("/") else []
    undecided: list[Finding] = [
        (
            "undecided",
            where,
            f"pactdsl cannot tell whether every path `{rule.regex}` admits is one of {template!r}",
        )
    ]
    if pieces is None or pieces[0] != "" or len(pieces) - 1 < len(segments):
        return undecided
    leading, own = pieces[1 : len(pieces) - len(segments)], pieces[len(pieces) - len(segments) :]
    prefix_strings = [finite_strings(p) for p in leading]
    if any(s is None or len(s) != 1 for s in prefix_strings):
        return undecided
    prefix = "".join("/" + next(iter(s or ())) for s in prefix_strings)
    if prefix.rstrip("/") not in [p.rstrip("/") for p in prefixes]:
        return undecided
    found: list[Finding] = []
    for piece, segment in zip(own, segments, strict=True):
        if "{" not in segment:
            if finite_strings(piece) != frozenset({segment}):
                found.append(
                    (
                        "wider",
                        where,
                        f"the rule admits paths whose segment `{piece}` is not {segment!r}",
                    )
                )
            continue
        name = segment[1:-1]
        known = parameter(name) if segment.startswith("{") and segment.endswith("}") else None
        if known is None:
            return undecided
        validator, example = known
        place, read = _text_place(validator, example)
        judged = admitted_findings(
            validator, Rule("regex", regex=piece), example, place, text=True, read=read
        )
        found.extend((k, w, f"path parameter {name}: {m}") for k, w, m in judged)
    return found


def _path_words(rule: Rule) -> str:
    return (
        "any path" if rule.name in ("type", "values", "contentType") else f"paths by `{rule.name}`"
    )


# A finding with the part it is about (path, query, header, body) and its pact path parts.
_Placed = tuple[str, tuple[str | int, ...], RuleFinding]


@attrs.frozen
class RequestRules:
    """The rules of one interaction's request, judged against the operation it calls.

    Attributes:
        interaction: The interaction.
        operation: The operation its request reaches.
        prefixes: The document's base paths.
        validator: A schema node's compiled request view.
        ignored_headers: Header parameters OpenAPI describes elsewhere (lower case).
    """

    interaction: Interaction
    operation: Operation
    prefixes: list[str]
    validator: Callable[[Node], Validator]
    ignored_headers: frozenset[str]

    def findings(self, params: list[Parameter], body_schema: Node | None) -> Iterator[_Placed]:
        """Each finding, with its part and pact path parts, in report order."""
        rules = request_rules(self.interaction)
        if rules is None:
            return
        request = self.interaction.request
        path_rules = rules.whole("path")
        if path_rules is not None:
            for finding in path_findings(
                path_rules,
                self.operation.template,
                self.prefixes,
                self.operation.path_item.where,
                self._path_parameter,
            ):
                yield "path", ("request", "path"), finding
        query_rules = rules.by_name("query")
        headers = {name.lower(): rule_list for name, rule_list in rules.by_name("header").items()}
        for param in params:
            parts: tuple[str | int, ...]
            if param.location == "query":
                rule_list, values = query_rules.get(param.name), request.query.get(param.name)
                part, parts = "query", ("request", "query", param.name)
            elif param.location == "header" and param.name.lower() not in self.ignored_headers:
                rule_list = headers.get(param.name.lower())
                values = any_value(request.headers, param.name)
                part, parts = "header", ("request", "headers", param.name)
            else:
                continue
            if rule_list is not None and values:
                validator = self.validator(param.schema)
                for finding in text_findings(validator, rule_list, values[0]):
                    yield part, parts, finding
        if body_schema is not None and request.body is not None:
            validator = self.validator(body_schema)
            for finding in body_findings(validator, request.body.content, rules):
                yield "body", ("request", "body", *finding.segments), finding

    def _path_parameter(self, name: str) -> tuple[Validator, str] | None:
        for param in self.operation.parameters():
            if param.location == "path" and param.name == name:
                value = self.operation.path_values.get(name)
                return None if value is None else (self.validator(param.schema), value)
        return None
