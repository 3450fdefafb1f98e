"""Hypothesis strategies derived from Pact matchers and contracts: the implementation.

`pactdsl.strategies` is the public door over this module (and over the fuzzing
helpers built on it); this module sits below the mock provider, which draws
fuzzed responses through it, so the door can offer `fuzz_contract` without an
import circle. It imports hypothesis, which comes with the ``fuzz`` extra.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from pactdsl._errors import InvalidMatcher, require_extra

try:
    import hypothesis.strategies as st
    from hypothesis.strategies import SearchStrategy
except ModuleNotFoundError:
    require_extra("hypothesis", "fuzz", "pactdsl.strategies")
    raise

from pactdsl._dsl import Contract, resolve_pact
from pactdsl._flatten import flatten
from pactdsl._matchers import (
    UNSET,
    Matcher,
    RuleGroup,
    _ArrayContains,
    _Combined,
    _ContentType,
    _Equality,
    _NotEmpty,
    _TypeMatcher,
    _Values,
)
from pactdsl._model import Interaction, Pact, is_json_content_type
from pactdsl._rule_strategies import Context, RuleDraw, rules_cursor, stringify

if TYPE_CHECKING:
    from hypothesis.internal.conjecture.data import ConjectureData

__all__ = [
    "DrawnRequest",
    "DrawnResponse",
    "from_body",
    "from_matcher",
    "from_rules",
    "request_strategy",
    "requests",
    "response_strategy",
    "responses",
]

# Lists with no upper bound grow at most this many elements past their lower
# bound (or their example's length): enough to find length bugs, small to read.
# The matchers that say nothing without the example they sit on.
_NEEDS_EXAMPLE: Final = (
    _TypeMatcher,
    _Equality,
    _Values,
    _NotEmpty,
    _ContentType,
    _ArrayContains,
)


class _Named(SearchStrategy[Any]):
    """A strategy whose repr names what it was derived from, not its expanded tree."""

    def __init__(self, name: str, inner: SearchStrategy[Any]) -> None:
        super().__init__()
        self._name = name
        self._inner = inner

    def __repr__(self) -> str:
        return self._name

    def do_validate(self) -> None:
        self._inner.validate()

    def do_draw(self, data: ConjectureData) -> Any:
        return data.draw(self._inner)


def _short(value: Any, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------
# Public strategies.


def _check_matcher(matcher: Any, where: str) -> Matcher:
    if not isinstance(matcher, Matcher):
        msg = (
            f"{where}: matcher={matcher!r} ({type(matcher).__name__}) is not a matcher; "
            "make one with pactdsl.match (like, regex, integer, ...)"
        )
        raise InvalidMatcher(msg)
    return matcher


def _members(matcher: Matcher) -> tuple[Matcher, ...]:
    if isinstance(matcher, _Combined):
        return tuple(m for member in matcher.matchers for m in _members(member))
    return (matcher,)


def from_matcher(matcher: Matcher, *, example: Any = UNSET) -> SearchStrategy[Any]:
    """A strategy for the values `matcher` accepts.

    Works on matchers made by the factories in `pactdsl.match` (with examples,
    and matchers nested inside them), on combinations made with ``&`` (drawn
    from the first, filtered by the engine) and ``|``, and on matchers in rule
    form from `matcher_from_rule` (those have no example: pass it as `example`
    where the matcher needs one, e.g. a ``type`` rule).

    Args:
        matcher: The matcher.
        example: The example the matcher sits on, for a matcher in rule form;
            it replaces the matcher's own example.

    Returns:
        A strategy whose repr is ``from_matcher(<the matcher>)``.

    Raises:
        InvalidMatcher: if `matcher` is not a matcher, needs an example it
            lacks, or holds a regex Python cannot generate from.
    """
    checked = _check_matcher(matcher, "from_matcher()")
    parts = flatten(checked)
    value = parts.example if example is UNSET else example
    if value is UNSET:
        lacking = [m for m in _members(checked) if isinstance(m, _NEEDS_EXAMPLE)]
        if lacking:
            msg = (
                f"from_matcher({checked!r}): {lacking[0]!r} is in rule form and has no "
                "example, and the kind of value depends on it; pass example=<the value "
                "from the pact body>, or use from_body with the DSL form"
            )
            raise InvalidMatcher(msg)
        value = None
    strategy = RuleDraw(Context.BODY).node(value, rules_cursor(parts.rules))
    shown = repr(checked) if example is UNSET else f"{checked!r}, example={_short(example)}"
    return _Named(f"from_matcher({shown})", strategy)


def from_body(template: Any) -> SearchStrategy[Any]:
    """A strategy for bodies matching `template`, a JSON value with matchers inside.

    Plain values must be equal (as in a pact); matchers and generators inside
    draw from their own strategies.

    ```python
    from_body({"id": integer(1), "tags": each_like("red", min=0), "kind": "user"})
    ```

    Raises:
        InvalidMatcher: if a matcher inside cannot be generated from.
    """
    parts = flatten(template)
    strategy = RuleDraw(Context.BODY).node(parts.example, rules_cursor(parts.rules))
    return _Named(f"from_body({_short(template)})", strategy)


def from_rules(example: Any, rules: Mapping[str, RuleGroup]) -> SearchStrategy[Any]:
    """A strategy for bodies like `example` under rules keyed by path (a pact's form).

    Args:
        example: The plain example body from the pact.
        rules: The body's rule groups by path (``{"$.items": RuleGroup(...)}``).
    """
    strategy = RuleDraw(Context.BODY).node(example, rules_cursor(rules))
    return _Named(f"from_rules({_short(example)}, ...)", strategy)


@attrs.frozen
class DrawnResponse:
    """A response drawn from an interaction: what a mock provider may answer.

    Attributes:
        status: The HTTP status.
        headers: Header name to values.
        body: The body: a JSON value, text, bytes, or None for no body.
        content_type: The body's media type, or None.
    """

    status: int
    headers: dict[str, list[str]] = attrs.field(factory=dict)
    body: Any = None
    content_type: str | None = attrs.field(default=None, repr=False)

    def content(self) -> bytes:
        """The body as bytes on the wire."""
        return _encode(self.body, self.content_type)


@attrs.frozen
class DrawnRequest:
    """A request drawn from an interaction: what a consumer may send.

    Attributes:
        method: The HTTP method.
        path: The path.
        query: Query parameter name to values.
        headers: Header name to values.
        body: The body: a JSON value, text, bytes, or None for no body.
        content_type: The body's media type, or None.
    """

    method: str
    path: str
    query: dict[str, list[str]] = attrs.field(factory=dict)
    headers: dict[str, list[str]] = attrs.field(factory=dict)
    body: Any = None
    content_type: str | None = attrs.field(default=None, repr=False)

    def content(self) -> bytes:
        """The body as bytes on the wire."""
        return _encode(self.body, self.content_type)


def _encode(body: Any, content_type: str | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str) and not is_json_content_type(content_type):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _text_slot(example: str, group: RuleGroup | None, context: Context) -> SearchStrategy[str]:
    """A header, query or path value: text satisfying the slot's rules."""
    if group is None:
        return st.just(example)
    strategy = RuleDraw(context).node(example, rules_cursor({"$": group})).map(stringify)
    if context is Context.HEADER:
        # HTTP trims the whitespace around a header value.
        strategy = strategy.filter(lambda text: text == text.strip())
    return strategy.filter(lambda text: _text_accepts(example, text, group))


def _text_accepts(example: str, value: str, group: RuleGroup) -> bool:
    from pactdsl.matching import match_response

    expected = {
        "status": 200,
        "headers": {"X-Value": [example]},
        "matchingRules": {"header": {"X-Value": group.to_json()}},
    }
    return not match_response(expected, {"status": 200, "headers": {"X-Value": [value]}}, "4.0")


def _text_map(
    values: Mapping[str, tuple[str, ...]],
    rules: Mapping[str, RuleGroup],
    context: Context,
) -> SearchStrategy[dict[str, list[str]]]:
    by_lower = {name.lower(): group for name, group in rules.items()}
    fields = {}
    for name, items in values.items():
        group = rules.get(name, by_lower.get(name.lower()))
        fields[name] = st.tuples(*(_text_slot(v, group, context) for v in items)).map(list)
    return st.fixed_dictionaries(fields)


def _body_strategy(
    content: Any, content_type: str | None, rules: Mapping[str, RuleGroup]
) -> SearchStrategy[Any]:
    if content is None or isinstance(content, bytes) or not rules:
        return st.just(content)
    return RuleDraw(Context.BODY).node(content, rules_cursor(rules))


def response_strategy(interaction: Interaction) -> SearchStrategy[DrawnResponse]:
    """The strategy for the responses an interaction (model form) allows."""
    response = interaction.response
    rules = response.matching_rules
    status_group = rules.get("status", {}).get("")
    if status_group is None:
        status: SearchStrategy[int] = st.just(response.status)
    else:
        status = RuleDraw(Context.BODY).node(response.status, rules_cursor({"$": status_group}))
    body = response.body
    content_type = body.content_type if body is not None else None
    strategy = st.builds(
        DrawnResponse,
        status=status,
        headers=_text_map(response.headers, rules.get("header", {}), Context.HEADER),
        body=_body_strategy(
            body.content if body is not None else None, content_type, rules.get("body", {})
        ),
        content_type=st.just(content_type),
    )
    return _Named(f"responses(<interaction {interaction.description!r}>)", strategy)


def request_strategy(interaction: Interaction) -> SearchStrategy[DrawnRequest]:
    """The strategy for the requests an interaction (model form) allows."""
    request = interaction.request
    rules = request.matching_rules
    body = request.body
    content_type = body.content_type if body is not None else None
    strategy = st.builds(
        DrawnRequest,
        method=st.just(request.method),
        path=_text_slot(request.path, rules.get("path", {}).get(""), Context.PATH),
        query=_text_map(request.query, rules.get("query", {}), Context.HEADER),
        headers=_text_map(request.headers, rules.get("header", {}), Context.HEADER),
        body=_body_strategy(
            body.content if body is not None else None, content_type, rules.get("body", {})
        ),
        content_type=st.just(content_type),
    )
    return _Named(f"requests(<interaction {interaction.description!r}>)", strategy)


def _interaction(source: Contract | Pact | str, description: str, where: str) -> Interaction:
    pact = resolve_pact(source)
    try:
        return pact.interaction(description)
    except KeyError as exc:
        raise KeyError(f"{where}: {exc.args[0]}") from None


def responses(source: Contract | Pact | str, description: str) -> SearchStrategy[DrawnResponse]:
    """A strategy for the responses the contract allows for one interaction.

    Status, headers and body are drawn from their matchers; parts without a
    matcher keep the contract's example.

    Args:
        source: A `Contract`, a `Pact` (e.g. from `load_pact`), or the name of
            a registered contract.
        description: The interaction's description.

    Returns:
        A strategy of `DrawnResponse`; ``.content()`` gives the body bytes.

    Raises:
        KeyError: if no interaction has that description.
    """
    interaction = _interaction(source, description, "responses()")
    return _Named(
        f"responses({_source_name(source)}, {description!r})", response_strategy(interaction)
    )


def requests(source: Contract | Pact | str, description: str) -> SearchStrategy[DrawnRequest]:
    """A strategy for the requests the contract allows for one interaction.

    Useful on the provider side: every drawn request should get an answer the
    contract allows.

    Args:
        source: A `Contract`, a `Pact`, or the name of a registered contract.
        description: The interaction's description.

    Returns:
        A strategy of `DrawnRequest`.

    Raises:
        KeyError: if no interaction has that description.
    """
    interaction = _interaction(source, description, "requests()")
    return _Named(
        f"requests({_source_name(source)}, {description!r})", request_strategy(interaction)
    )


def _source_name(source: Contract | Pact | str) -> str:
    if isinstance(source, Contract):
        return source.name
    if isinstance(source, Pact):
        return f"<pact {source.consumer}-{source.provider}>"
    return repr(source)
