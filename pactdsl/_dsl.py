"""The contract DSL: `@contract`, `define_contract`, `interaction(...)` and the registry."""

from __future__ import annotations

import inspect
import re
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs

import attrs

from pactdsl._errors import ContractError, InvalidMatcher, PactMergeWarning
from pactdsl._flatten import flatten
from pactdsl._generators import Generator
from pactdsl._json_value import check_json_value
from pactdsl._matchers import UNSET, Matcher, RuleGroup, _call_repr, example_of
from pactdsl._messages import MessageBuilder, SyncMessageBuilder
from pactdsl._model import (
    AnyInteraction,
    Body,
    Interaction,
    Pact,
    PactSpec,
    ProviderState,
    Request,
    Response,
)
from pactdsl._steps import BuilderSteps

if TYPE_CHECKING:
    from pactdsl.multipart import MultipartBody
    from pactdsl.xml import XmlBody

__all__ = [
    "AnyBuilder",
    "Contract",
    "contract",
    "contracts",
    "define_contract",
    "generate_pact",
    "get_contract",
    "interaction",
]

# RFC 9110 token characters: what a header name or a method may consist of.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


@attrs.frozen
class _Part:
    """What `.request(...)` or `.responds(...)` was called with, as given."""

    kwargs: tuple[tuple[str, Any], ...]

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.kwargs).get(name, default)


def _part(**kwargs: Any) -> _Part:
    return _Part(tuple((k, v) for k, v in kwargs.items() if v is not UNSET and v is not None))


@attrs.frozen(repr=False)
class InteractionBuilder(BuilderSteps):
    """An interaction being declared; every method returns a new builder.

    Builders are immutable, so a partial interaction can be shared:

    ```python
    base = interaction("get user").given("user 1 exists")
    ok = base.request(method="GET", path="/users/1").responds(status=200)
    ```
    """

    description: str
    states: tuple[ProviderState, ...] = ()
    request_part: _Part | None = None
    response_part: _Part | None = None
    interaction_key: str | None = None
    is_pending: bool = False
    comments: tuple[str, ...] = ()

    def __repr__(self) -> str:
        text = self._repr_states(f"interaction({self.description!r})")
        if self.request_part is not None:
            text += "." + _call_repr("request", **dict(self.request_part.kwargs))
        if self.response_part is not None:
            text += "." + _call_repr("responds", **dict(self.response_part.kwargs))
        return self._repr_extras(text)

    def request(
        self,
        method: str | Matcher = "GET",
        path: str | Matcher | Generator = "/",
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = UNSET,
    ) -> InteractionBuilder:
        """The request the consumer sends; matchers may stand in any value."""
        part = _part(method=method, path=path, query=query, headers=headers, body=body)
        return attrs.evolve(self, request_part=part)

    def responds(
        self,
        status: int | Matcher = 200,
        *,
        headers: Mapping[str, Any] | None = None,
        body: Any = UNSET,
    ) -> InteractionBuilder:
        """The response the provider answers with; matchers may stand in any value."""
        part = _part(status=status, headers=headers, body=body)
        return attrs.evolve(self, response_part=part)


AnyBuilder = InteractionBuilder | MessageBuilder | SyncMessageBuilder
"""What a contract is declared from: `interaction()`, `message()` or `sync_message()` builders."""


def interaction(description: str) -> InteractionBuilder:
    """Start declaring an interaction named `description`."""
    if not isinstance(description, str) or not description.strip():
        msg = f"interaction(description={description!r}): give a non-empty description"
        raise ContractError(msg)
    return InteractionBuilder(description)


# --------------------------------------------------------------------------
# Building model interactions from builders, with definition-time checks.


class _Parts:
    """Collects rules and generators by category while a request is built."""

    def __init__(self) -> None:
        self.rules: dict[str, dict[str, RuleGroup]] = {}
        self.generators: dict[str, dict[str, Generator]] = {}

    def scalar(self, category: str, key: str, value: Any) -> Any:
        """Place a matcher or generator standing for a whole value; return its example."""
        if isinstance(value, Matcher):
            self.rules.setdefault(category, {})[key] = value.rule_group()
            return value.example_value()
        if isinstance(value, Generator):
            self.generators.setdefault(category, {})[key] = value
            implied = value.implied_matcher()
            if implied is not None:
                self.rules.setdefault(category, {})[key] = implied.rule_group()
            return value.example_value()
        return value

    def body(self, value: Any) -> Any:
        parts = flatten(value)
        if parts.rules:
            self.rules["body"] = parts.rules
        if parts.generators:
            self.generators["body"] = parts.generators
        return parts.example


def _where(contract_name: str, description: str, field: str) -> str:
    return f"contract {contract_name!r}, interaction {description!r}, {field}"


def _text_values(value: Any, where: str, parts: _Parts, category: str, key: str) -> tuple[str, ...]:
    example = parts.scalar(category, key, value)
    values = example if isinstance(example, list | tuple) else [example]
    out = []
    for item in values:
        if isinstance(item, Matcher | Generator):
            out.append(str(parts.scalar(category, key, item)))
        elif isinstance(item, bool) or item is None:
            msg = f"{where}: value={item!r} must be text (or a number)"
            raise ContractError(msg)
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            msg = f"{where}: value={item!r} ({type(item).__name__}) must be text"
            raise ContractError(msg)
    return tuple(out)


def _headers(raw: Any, where: str, parts: _Parts) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        msg = f"{where}: headers={raw!r} must be a mapping of name to value"
        raise ContractError(msg)
    out = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            msg = (
                f"{where}: header name {name!r} is not an HTTP token; use letters, "
                "digits and -, without spaces or colons"
            )
            raise ContractError(msg)
        out[name] = _text_values(value, f"{where}['{name}']", parts, "header", name)
    return out


def _body(raw: Any, where: str, parts: _Parts, headers: dict[str, tuple[str, ...]]) -> Body | None:
    if raw is UNSET:
        return None
    if isinstance(raw, Matcher) and isinstance(raw.example_value(), bytes):
        # content_type("image/png", b"..."): the bytes are the body, the rule is on $.
        parts.rules["body"] = {"$": raw.rule_group()}
        declared = _declared_type(headers)
        if declared is None:
            declared = raw.to_rule().get("value") or "application/octet-stream"
            headers["Content-Type"] = (declared,)
        return Body(raw.example_value(), declared)
    if isinstance(raw, bytes):
        declared_binary = _declared_type(headers)
        if declared_binary is None:
            # Said in a header too, so V2/V3 files (no body object) read back as bytes.
            declared_binary = "application/octet-stream"
            headers["Content-Type"] = (declared_binary,)
        return Body(raw, declared_binary)
    if _built_by(raw, "pactdsl.xml", "XmlBody"):
        return _xml_body(raw, where, parts, headers)
    if _built_by(raw, "pactdsl.multipart", "MultipartBody"):
        return _multipart_body(raw, where, parts, headers)
    example = parts.body(raw)
    try:
        check_json_value(example, "body")
    except TypeError as exc:
        raise ContractError(f"{where}: {exc}") from None
    declared = _declared_type(headers)
    if declared is None:
        if isinstance(example, str):
            declared = "application/xml" if example.lstrip().startswith("<") else "text/plain"
        else:
            declared = "application/json"
        headers["Content-Type"] = (declared,)
    return Body(example, declared)


def _built_by(raw: Any, module: str, class_name: str) -> bool:
    """Whether `raw` is an instance of `module`'s class, without importing `module`.

    XML and multipart bodies are rare: their modules load only when a contract
    builds one, and until then no value can be one.
    """
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(raw, getattr(loaded, class_name))


def _xml_body(raw: XmlBody, where: str, parts: _Parts, headers: dict[str, tuple[str, ...]]) -> Body:
    """An `xml.body(...)`: its example text, rules and generators; Content-Type if absent."""
    declared = _declared_type(headers)
    if declared is None:
        declared = raw.content_type
        headers["Content-Type"] = (declared,)
    elif not declared.split(";", 1)[0].strip().lower().endswith(("/xml", "+xml")):
        msg = (
            f"{where}: the body is xml.body(...) but Content-Type={declared!r}; drop the "
            "header or give an XML type (application/xml, text/xml, application/...+xml)"
        )
        raise ContractError(msg)
    if raw.rules():
        parts.rules["body"] = raw.rules()
    if raw.generators():
        parts.generators["body"] = raw.generators()
    return Body(raw.example_text(), declared)


def _multipart_body(
    raw: MultipartBody, where: str, parts: _Parts, headers: dict[str, tuple[str, ...]]
) -> Body:
    """A `multipart.body(...)`: its bytes and part rules; Content-Type with any boundary."""
    declared = _declared_type(headers)
    if declared is not None:
        msg = (
            f"{where}: the body is multipart.body(...), which sets its own Content-Type "
            f"(with its boundary); drop the Content-Type={declared!r} header"
        )
        raise ContractError(msg)
    headers["Content-Type"] = (raw.content_type,)
    from pactdsl.match import regex
    from pactdsl.multipart import CONTENT_TYPE_PATTERN

    # A client picks its own boundary: the header is matched by pattern.
    header_rule = regex(CONTENT_TYPE_PATTERN, raw.content_type).rule_group()
    parts.rules.setdefault("header", {})["Content-Type"] = header_rule
    if raw.rules():
        parts.rules["body"] = raw.rules()
    return Body(raw.example_bytes(), raw.content_type)


def _declared_type(headers: Mapping[str, tuple[str, ...]]) -> str | None:
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return None


def _build_request(part: _Part | None, where: str) -> Request:
    if part is None:
        msg = f"{where}: no request; call .request(method=..., path=...)"
        raise ContractError(msg)
    parts = _Parts()
    method = parts.scalar("method", "", part.get("method", "GET"))
    if isinstance(method, str) and method.upper() != method and _TOKEN.fullmatch(method):
        method = method.upper()
    if not isinstance(method, str) or not re.fullmatch(r"[A-Z][A-Z-]*", method):
        msg = f"{where}.method: method={method!r} is not an HTTP method; use e.g. 'GET' or 'POST'"
        raise ContractError(msg)
    path = parts.scalar("path", "", part.get("path", "/"))
    if not isinstance(path, str) or not path.startswith("/"):
        msg = f"{where}.path: path={path!r} must start with '/' (a path, not a URL)"
        raise ContractError(msg)
    if "?" in path:
        bare, _, text = path.partition("?")
        pairs = {
            name: values[0] if len(values) == 1 else values
            for name, values in parse_qs(text, keep_blank_values=True).items()
        }
        msg = (
            f"{where}.path: path={path!r} holds a query string, which Pact keeps apart from the "
            f"path; declare path={bare!r}, query={pairs!r}"
        )
        raise ContractError(msg)
    query_raw = part.get("query")
    query: dict[str, tuple[str, ...]] = {}
    if query_raw is not None:
        if not isinstance(query_raw, Mapping):
            msg = f"{where}.query: query={query_raw!r} must be a mapping of name to value(s)"
            raise ContractError(msg)
        for name, value in query_raw.items():
            query[str(name)] = _text_values(
                value, f"{where}.query['{name}']", parts, "query", str(name)
            )
    headers = _headers(part.get("headers"), f"{where}.headers", parts)
    body = _body(part.get("body", UNSET), f"{where}.body", parts, headers)
    parts.rules.pop("method", None)
    return Request(method, path, query, headers, body, parts.rules, parts.generators)


def _build_response(part: _Part | None, where: str) -> Response:
    if part is None:
        msg = f"{where}: no response; call .responds(status=..., body=...)"
        raise ContractError(msg)
    parts = _Parts()
    status = parts.scalar("status", "", part.get("status", 200))
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        msg = f"{where}.status: status={status!r} must be an HTTP status from 100 to 599"
        raise ContractError(msg)
    headers = _headers(part.get("headers"), f"{where}.headers", parts)
    body = _body(part.get("body", UNSET), f"{where}.body", parts, headers)
    return Response(status, headers, body, parts.rules, parts.generators)


def _build_interaction(builder: Any, contract_name: str, index: int) -> AnyInteraction:
    if isinstance(builder, MessageBuilder | SyncMessageBuilder):
        return builder.build(contract_name)
    if not isinstance(builder, InteractionBuilder):
        msg = (
            f"contract {contract_name!r}: item {index} is {builder!r}, not an interaction; "
            "yield interaction('...').request(...).responds(...)"
        )
        raise ContractError(msg)
    description = builder.description
    where = _where(contract_name, description, "request")
    try:
        request = _build_request(builder.request_part, where)
        response = _build_response(
            builder.response_part, _where(contract_name, description, "response")
        )
    except InvalidMatcher as exc:
        msg = f"{_where(contract_name, description, 'matcher')}: {exc}"
        raise ContractError(msg) from None
    comments: dict[str, Any] = {"text": list(builder.comments)} if builder.comments else {}
    for state in builder.states:
        try:
            check_json_value(example_of(dict(state.params)), "params")
        except TypeError as exc:
            msg = f"{_where(contract_name, description, 'given')} {state.name!r}: {exc}"
            raise ContractError(msg) from None
    return Interaction(
        description,
        request,
        response,
        builder.states,
        builder.interaction_key,
        builder.is_pending,
        comments,
    )


@attrs.frozen
class Contract:
    """A named contract between a consumer and a provider.

    Made by `@contract` or `define_contract`; `pact` is the model every other
    part of pactdsl works from, and `builders` keep the interactions as
    declared (with matchers and their examples).
    """

    name: str
    consumer: str
    provider: str
    builders: tuple[AnyBuilder, ...] = attrs.field(repr=False)
    pact: Pact = attrs.field(repr=False)
    origin: str = attrs.field(default="", eq=False, repr=False)

    @property
    def interactions(self) -> tuple[AnyInteraction, ...]:
        """The interactions (HTTP and messages), in the model's form."""
        return self.pact.interactions


def _make_contract(
    name: str, consumer: str, provider: str, items: Iterable[Any], origin: str
) -> Contract:
    for role, value in (("consumer", consumer), ("provider", provider), ("name", name)):
        if not isinstance(value, str) or not value.strip():
            msg = f"contract {name!r}: {role}={value!r} must be a non-empty string"
            raise ContractError(msg)
    builders = tuple(items)
    built = tuple(_build_interaction(b, name, n) for n, b in enumerate(builders))
    seen: dict[Any, int] = {}
    for index, item in enumerate(built):
        if item.identity in seen:
            states = [s.name for s in item.provider_states]
            msg = (
                f"contract {name!r}: interactions {seen[item.identity]} and {index} share the "
                f"description {item.description!r} and states {states}; give each a distinct "
                "description or provider state"
            )
            raise ContractError(msg)
        seen[item.identity] = index
    pact = Pact(consumer, provider, built)
    return Contract(name, consumer, provider, builders, pact, origin)


_REGISTRY: dict[str, Contract] = {}
_REGISTRY_LOCK = threading.Lock()


def _register(item: Contract) -> Contract:
    with _REGISTRY_LOCK:
        old = _REGISTRY.get(item.name)
        if old is not None and (old.consumer, old.provider) != (item.consumer, item.provider):
            msg = (
                f"contract name {item.name!r} is taken: {old.origin or 'an earlier definition'} "
                f"defines it for {old.consumer} -> {old.provider}, and "
                f"{item.origin or 'this definition'} for {item.consumer} -> {item.provider}; "
                "pass name= to tell them apart"
            )
            raise ContractError(msg)
        # Same name and pair: a module reload redefines it.
        _REGISTRY[item.name] = item
    return item


def _origin_of(func: Callable[..., Any]) -> str:
    # The line inspect.getsourcelines reports (the first decorator's), from the code
    # object: reading and tokenizing the source file cost each @contract milliseconds.
    code = getattr(inspect.unwrap(func), "__code__", None)
    line = code.co_firstlineno if isinstance(code, types.CodeType) else 0
    return f"{func.__module__}.{func.__qualname__} (line {line})"


def contract(
    *, consumer: str, provider: str, name: str | None = None
) -> Callable[[Callable[[], Iterable[Any]]], Contract]:
    """Declare a contract from a function that yields (or returns) interactions.

    ```python
    @contract(consumer="checkout-app", provider="payment-service")
    def payment_service_contract():
        yield interaction("process payment").request(...).responds(...)
    ```

    The function is called once, at once; the name (the function's, or `name`)
    then refers to a `Contract` in the global registry.

    Raises:
        ContractError: naming the contract, interaction and field at fault.
    """

    def decorate(func: Callable[[], Iterable[Any]]) -> Contract:
        result = func()
        items = [] if result is None else list(result)
        made = _make_contract(name or func.__name__, consumer, provider, items, _origin_of(func))
        return _register(made)

    return decorate


def define_contract(
    name: str, *, consumer: str, provider: str, interactions: Iterable[AnyBuilder]
) -> Contract:
    """Declare a contract from a list of interactions (the function form of `@contract`).

    Args:
        name: The contract's name in the registry.
        consumer: The consumer's name.
        provider: The provider's name.
        interactions: HTTP interactions (`interaction()`) and messages
            (`message()`, `sync_message()`), in order.

    Raises:
        ContractError: naming the contract, interaction and field at fault.
    """
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    origin = f"{caller.f_code.co_filename}:{caller.f_lineno}" if caller else ""
    return _register(_make_contract(name, consumer, provider, interactions, origin))


def get_contract(name: str) -> Contract:
    """The registered contract called `name`.

    Raises:
        KeyError: naming the contract and listing the registered ones.
    """
    with _REGISTRY_LOCK:
        if name in _REGISTRY:
            return _REGISTRY[name]
        known = sorted(_REGISTRY)
    msg = f"no contract named {name!r}; registered: {known or 'none'}"
    raise KeyError(msg)


def contracts() -> dict[str, Contract]:
    """A snapshot of the registry: name to contract."""
    with _REGISTRY_LOCK:
        return dict(_REGISTRY)


def resolve_pact(source: Contract | Pact | str) -> Pact:
    """A `Pact` from a contract, a pact, or a registered contract's name."""
    if isinstance(source, Contract):
        return source.pact
    if isinstance(source, Pact):
        return source
    if isinstance(source, str):
        return get_contract(source).pact
    msg = f"source={source!r} must be a Contract, a Pact or a registered contract name"
    raise TypeError(msg)


def generate_pact(
    contract: Contract | Pact | str,
    output: str | PathLike[str] = "pacts/",
    spec: str | PactSpec = "3.0.0",
    mode: Literal["merge", "overwrite"] = "merge",
) -> Path:
    """Write ``{consumer}-{provider}.json`` for a contract; return the file's path.

    Args:
        contract: A `Contract`, a `Pact`, or the name of a registered contract.
        output: The folder to write into (made if missing).
        spec: ``"2.0.0"``, ``"3.0.0"`` (default) or ``"4.0"``; ``"V2"``..``"V4"`` too.
        mode: ``"merge"`` keeps other interactions already in the file and
            replaces those with the same description and states;
            ``"overwrite"`` starts the file afresh.

    Raises:
        PactSpecError: when the contract uses what `spec` cannot hold.

    Warns:
        PactMergeWarning: when the merged file keeps interactions the contract
            does not produce (renamed or removed ones linger otherwise), naming them.
    """
    from pactdsl._pactfile import write_pact_file  # only a pact being written needs the writer

    pact = resolve_pact(contract)
    written = write_pact_file(pact, output, PactSpec.parse(spec), mode)
    if written.kept:
        shown = ", ".join(repr(d) for d in written.kept[:10])
        more = f" and {len(written.kept) - 10} more" if len(written.kept) > 10 else ""
        warnings.warn(
            f"{written.path} keeps {len(written.kept)} interaction(s) from the file that "
            f"{pact.consumer} -> {pact.provider} does not produce: {shown}{more}; if they were "
            "renamed or removed, write with mode='overwrite' to drop them (the provider is "
            "still asked to honour them)",
            PactMergeWarning,
            stacklevel=2,
        )
    return written.path
