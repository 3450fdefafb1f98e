"""Generator classes: values that Pact replaces at run time.

A generator sits in a request or response like a value: the pact file keeps its
example in the body and a ``generators`` entry at its path. The mock provider
and the verifier call `generate` to make a fresh value.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
import string
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from pactdsl._errors import InvalidMatcher
from pactdsl._limits import current_limits
from pactdsl._matchers import (
    Matcher,
    _Boolean,
    _Date,
    _DateTime,
    _Decimal,
    _Integer,
    _Regex,
    _Time,
    _TypeMatcher,
    compile_regex,
)
from pactdsl._regex import search_within_limit

__all__ = [
    "UUID_FORMATS",
    "Generator",
    "GeneratorContext",
    "apply_generators",
    "generator_from_json",
]

UUID_FORMATS = ("simple", "lower-case-hyphenated", "upper-case-hyphenated", "URN")
_EXAMPLE_UUID = uuid.UUID("e2490de5-5bd3-43d5-b7c4-526e33f71304")
_EXAMPLE_MOMENT = _dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=_dt.UTC)


@attrs.frozen
class GeneratorContext:
    """What a generator may draw on: randomness, provider-state values, the mock URL."""

    rng: random.Random = attrs.field(factory=random.Random)
    provider_state: Mapping[str, Any] = attrs.field(factory=dict)
    mock_server_url: str | None = None


@attrs.frozen(repr=False)
class Generator:
    """Base class of every generator; see `pactdsl.generate` for the factories."""

    pact_type: ClassVar[str] = ""
    factory_name: ClassVar[str] = ""

    def __repr__(self) -> str:
        fields = attrs.fields(type(self))
        args = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields
            if getattr(self, f.name) != f.default
        ]
        return f"{self.factory_name}({', '.join(args)})"

    def to_json(self) -> dict[str, Any]:
        """The ``generators`` entry a pact file holds."""
        out: dict[str, Any] = {"type": self.pact_type}
        for f in attrs.fields(type(self)):
            if f.name == "example_override":
                continue
            value = getattr(self, f.name)
            if value is not None:
                out[f.metadata.get("json", f.name)] = value
        return out

    def example_value(self) -> Any:
        """A fixed example for the pact body, so files are reproducible."""
        return self.generate(GeneratorContext(rng=random.Random(0)))

    def implied_matcher(self) -> Matcher | None:
        """The matcher a generated value naturally satisfies, put beside it."""
        return None

    def generate(self, context: GeneratorContext) -> Any:
        """Make a fresh value."""
        raise NotImplementedError


def _example_or(override: Any, fallback: Any) -> Any:
    return fallback if override is None else override


@attrs.frozen(repr=False)
class RandomInt(Generator):
    """``RandomInt``: an integer in [min, max]."""

    pact_type: ClassVar[str] = "RandomInt"
    factory_name: ClassVar[str] = "random_int"
    min: int = 0
    max: int = 2147483647

    def example_value(self) -> Any:
        return self.min

    def implied_matcher(self) -> Matcher | None:
        return _Integer(self.min)

    def generate(self, context: GeneratorContext) -> Any:
        return context.rng.randint(self.min, self.max)


@attrs.frozen(repr=False)
class RandomDecimal(Generator):
    """``RandomDecimal``: a decimal number with `digits` digits."""

    pact_type: ClassVar[str] = "RandomDecimal"
    factory_name: ClassVar[str] = "random_decimal"
    digits: int = 10

    def implied_matcher(self) -> Matcher | None:
        return _Decimal(1.5)

    def generate(self, context: GeneratorContext) -> Any:
        digits = max(self.digits, 2)
        point = context.rng.randint(1, digits - 1)
        text = str(context.rng.randint(1, 9)) + "".join(
            context.rng.choice(string.digits) for _ in range(digits - 1)
        )
        return float(f"{text[:point]}.{text[point:]}")


@attrs.frozen(repr=False)
class RandomHexadecimal(Generator):
    """``RandomHexadecimal``: `digits` hexadecimal digits."""

    pact_type: ClassVar[str] = "RandomHexadecimal"
    factory_name: ClassVar[str] = "random_hexadecimal"
    digits: int = 10

    def implied_matcher(self) -> Matcher | None:
        return _Regex("[0-9a-fA-F]+", self.example_value())

    def generate(self, context: GeneratorContext) -> Any:
        return "".join(context.rng.choice("0123456789abcdef") for _ in range(self.digits))


@attrs.frozen(repr=False)
class RandomString(Generator):
    """``RandomString``: `size` alphanumeric characters."""

    pact_type: ClassVar[str] = "RandomString"
    factory_name: ClassVar[str] = "random_string"
    size: int = 10

    def implied_matcher(self) -> Matcher | None:
        return _TypeMatcher(self.example_value())

    def generate(self, context: GeneratorContext) -> Any:
        alphabet = string.ascii_letters + string.digits
        return "".join(context.rng.choice(alphabet) for _ in range(self.size))


@attrs.frozen(repr=False)
class Regex(Generator):
    """``Regex``: a string that the regular expression matches."""

    pact_type: ClassVar[str] = "Regex"
    factory_name: ClassVar[str] = "regex"
    regex: str = ""

    def __repr__(self) -> str:
        return f"regex({self.regex!r})"

    def implied_matcher(self) -> Matcher | None:
        return _Regex(self.regex, self.example_value())

    def generate(self, context: GeneratorContext) -> Any:
        return _string_for_regex(self.regex, context.rng)


@attrs.frozen(repr=False)
class Uuid(Generator):
    """``Uuid``: a random UUID in one of the four Pact formats."""

    pact_type: ClassVar[str] = "Uuid"
    factory_name: ClassVar[str] = "uuid"
    format: str | None = None

    def example_value(self) -> Any:
        return _format_uuid(_EXAMPLE_UUID, self.format)

    def implied_matcher(self) -> Matcher | None:
        patterns = {
            "simple": "[0-9a-f]{32}",
            "upper-case-hyphenated": "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
            "URN": "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        }
        default = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        return _Regex(patterns.get(self.format or "", default), self.example_value())

    def generate(self, context: GeneratorContext) -> Any:
        return _format_uuid(uuid.UUID(int=context.rng.getrandbits(128), version=4), self.format)


def _format_uuid(value: uuid.UUID, fmt: str | None) -> str:
    if fmt == "simple":
        return value.hex
    if fmt == "upper-case-hyphenated":
        return str(value).upper()
    if fmt == "URN":
        return value.urn
    return str(value)


# Subclasses that add no field are plain classes with empty __slots__ (see _Simple in
# pactdsl._matchers): they inherit attrs' methods rather than having them built again.
@attrs.frozen(repr=False)
class _DateLikeGenerator(Generator):
    format: str | None = None
    expression: str | None = None
    default_format: ClassVar[str] = ""

    def example_value(self) -> Any:
        from pactdsl._javatime import format_java

        return format_java(self.format or self.default_format, _EXAMPLE_MOMENT)

    def generate(self, context: GeneratorContext) -> Any:
        from pactdsl._javatime import format_java

        return format_java(self.format or self.default_format, _dt.datetime.now(_dt.UTC))


class Date(_DateLikeGenerator):
    """``Date``: today's date in a Java format."""

    __slots__ = ()
    pact_type: ClassVar[str] = "Date"
    factory_name: ClassVar[str] = "date"
    default_format: ClassVar[str] = "yyyy-MM-dd"

    def implied_matcher(self) -> Matcher | None:
        return _Date(self.format or self.default_format, self.example_value())


class Time(_DateLikeGenerator):
    """``Time``: the current time in a Java format."""

    __slots__ = ()
    pact_type: ClassVar[str] = "Time"
    factory_name: ClassVar[str] = "time"
    default_format: ClassVar[str] = "HH:mm:ss"

    def implied_matcher(self) -> Matcher | None:
        return _Time(self.format or self.default_format, self.example_value())


class DateTime(_DateLikeGenerator):
    """``DateTime``: the current timestamp in a Java format."""

    __slots__ = ()
    pact_type: ClassVar[str] = "DateTime"
    factory_name: ClassVar[str] = "datetime"
    default_format: ClassVar[str] = "yyyy-MM-dd'T'HH:mm:ss"

    def implied_matcher(self) -> Matcher | None:
        return _DateTime(self.format or self.default_format, self.example_value())


class RandomBoolean(Generator):
    """``RandomBoolean``: true or false."""

    __slots__ = ()
    pact_type: ClassVar[str] = "RandomBoolean"
    factory_name: ClassVar[str] = "random_boolean"

    def example_value(self) -> Any:
        return True

    def implied_matcher(self) -> Matcher | None:
        return _Boolean(True)

    def generate(self, context: GeneratorContext) -> Any:
        return context.rng.random() < 0.5


_EXPRESSION = re.compile(r"\$\{([^}]+)\}")


@attrs.frozen(repr=False)
class ProviderState(Generator):
    """``ProviderState``: a value from provider-state setup, e.g. ``/users/${id}``."""

    pact_type: ClassVar[str] = "ProviderState"
    factory_name: ClassVar[str] = "provider_state"
    expression: str = ""
    example_override: Any = attrs.field(default=None, eq=False)
    data_type: str | None = attrs.field(default=None, metadata={"json": "dataType"})

    def __repr__(self) -> str:
        args = [repr(self.expression)]
        if self.example_override is not None:
            args.append(repr(self.example_override))
        if self.data_type is not None:
            args.append(f"data_type={self.data_type!r}")
        return f"provider_state({', '.join(args)})"

    def example_value(self) -> Any:
        return self.example_override

    def implied_matcher(self) -> Matcher | None:
        # As pact-js's fromProviderState and pact-jvm's: a type rule, so the
        # response value the state created (another id) passes in every verifier.
        if self.example_override is None:
            return None
        return _TypeMatcher(self.example_override)

    def generate(self, context: GeneratorContext) -> Any:
        whole = _EXPRESSION.fullmatch(self.expression)
        if whole and whole.group(1) in context.provider_state:
            return context.provider_state[whole.group(1)]

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in context.provider_state:
                msg = (
                    f"provider_state({self.expression!r}): the state setup returned no "
                    f"value for {name!r}; return a dict with that key from state_setup"
                )
                raise KeyError(msg)
            return str(context.provider_state[name])

        return _EXPRESSION.sub(substitute, self.expression)


@attrs.frozen(repr=False)
class MockServerURL(Generator):
    """``MockServerURL``: the example URL with its base replaced by the mock's URL."""

    pact_type: ClassVar[str] = "MockServerURL"
    factory_name: ClassVar[str] = "mock_server_url"
    regex: str = ""
    example: str = ""

    def example_value(self) -> Any:
        return self.example

    def implied_matcher(self) -> Matcher | None:
        # As pact-js's url2/mockServerURL: a regex rule, so the provider's own
        # base URL passes; a regex that only finds the path is widened to the value.
        if not self.regex or re.fullmatch(self.regex, self.example) is not None:
            return _Regex(self.regex, self.example) if self.regex else None
        return _Regex(f".*(?:{self.regex}).*", self.example)

    def generate(self, context: GeneratorContext) -> Any:
        if context.mock_server_url is None:
            return self.example
        found = _search(self.regex, self.example, repr(self))
        if found is None or not found.groups():
            return self.example
        return context.mock_server_url.rstrip("/") + (found.group(1) or "")


_GENERATORS: dict[str, type[Generator]] = {
    cls.pact_type: cls
    for cls in (
        RandomInt,
        RandomDecimal,
        RandomHexadecimal,
        RandomString,
        Regex,
        Uuid,
        Date,
        Time,
        DateTime,
        RandomBoolean,
        ProviderState,
        MockServerURL,
    )
}


def generator_from_json(raw: Any, where: str = "generator") -> Generator:
    """Parse a pact file's generator object (``{"type": "RandomInt", ...}``).

    Raises:
        InvalidMatcher: naming `where` when the type is unknown or a field is bad.
    """
    if not isinstance(raw, Mapping):
        msg = f"{where}: a generator must be an object, got {raw!r}"
        raise InvalidMatcher(msg)
    kind = raw.get("type")
    cls = _GENERATORS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        msg = f"{where}: unknown generator {kind!r}; known generators are {sorted(_GENERATORS)}"
        raise InvalidMatcher(msg)
    kwargs: dict[str, Any] = {}
    for f in attrs.fields(cls):
        key = f.metadata.get("json", f.name)
        if key in raw and f.name != "example_override":
            value = raw[key]
            if (
                f.type in ("int",)
                and isinstance(value, str)
                and value.isascii()
                and value.isdigit()
            ):
                value = int(value)
            kwargs[f.name] = value
    try:
        gen = cls(**kwargs)
        _check_generator(gen)
    except (TypeError, ValueError) as exc:
        raise InvalidMatcher(f"{where}: {exc}") from None
    return gen


def _check_generator(gen: Generator) -> None:
    """Raise `InvalidMatcher` when a generator's fields cannot work."""
    name = gen.factory_name
    if isinstance(gen, RandomInt):
        _check_int(name, "min", gen.min)
        _check_int(name, "max", gen.max)
        if gen.min > gen.max:
            msg = f"{name}(): cannot have max={gen.max} < min={gen.min}"
            raise InvalidMatcher(msg)
    for field_name in ("digits", "size"):
        value = getattr(gen, field_name, None)
        if value is not None:
            _check_int(name, field_name, value)
            if value < 1:
                msg = f"{name}(): {field_name}={value} must be at least 1"
                raise InvalidMatcher(msg)
    if isinstance(gen, Regex):
        compile_regex(gen.regex, f"{name}({gen.regex[:80]!r})")
    if isinstance(gen, Uuid) and gen.format is not None and gen.format not in UUID_FORMATS:
        msg = f"uuid(format={gen.format!r}): use one of {list(UUID_FORMATS)}"
        raise InvalidMatcher(msg)
    if isinstance(gen, _DateLikeGenerator) and gen.format is not None:
        from pactdsl._javatime import check_java_format

        if not isinstance(gen.format, str) or not gen.format:
            msg = (
                f"{name}(format={gen.format!r}): give a non-empty Java date pattern, "
                "or None for the default"
            )
            raise InvalidMatcher(msg)
        try:
            check_java_format(gen.format)
        except ValueError as exc:
            raise InvalidMatcher(f"{name}({gen.format!r}): {exc}") from None
    if isinstance(gen, ProviderState) and not _EXPRESSION.search(gen.expression):
        msg = (
            f"provider_state({gen.expression!r}): the expression has no ${{name}} "
            "placeholder; write e.g. '/users/${id}'"
        )
        raise InvalidMatcher(msg)
    if isinstance(gen, MockServerURL):
        found = _search(gen.regex, gen.example, "mock_server_url()")
        if found is None or not found.groups():
            msg = (
                f"mock_server_url({gen.regex!r}, {gen.example!r}): the regex must find "
                "the example and capture the path to keep in a group, e.g. '.*(/orders/\\d+)$'"
            )
            raise InvalidMatcher(msg)


def _search(pattern: str, text: str, where: str) -> Any:
    """`re.search` through the bounded regex helper, errors as `InvalidMatcher`."""
    if not isinstance(text, str):
        msg = f"{where}: example={text!r} must be a str"
        raise InvalidMatcher(msg)
    compiled = compile_regex(pattern, where)
    try:
        return search_within_limit(compiled, text)
    except TimeoutError:
        msg = (
            f"{where}: pattern={pattern[:80]!r} took longer than "
            f"Limits(regex_seconds={current_limits().regex_seconds}) on {text[:40]!r}; "
            "simplify the pattern (nested quantifiers backtrack)"
        )
        raise InvalidMatcher(msg) from None


def _check_int(name: str, field_name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        msg = f"{name}(): {field_name}={value!r} must be an int"
        raise InvalidMatcher(msg)


def apply_generators(
    value: Any, generators: Mapping[str, Generator], context: GeneratorContext
) -> Any:
    """Return `value` (a JSON body) with each generator's path replaced by a fresh value.

    Paths are simple rule paths: ``$``, ``$.a.b``, ``$.a[0]``, ``$['x y']`` and
    ``[*]`` / ``.*`` wildcards.
    """
    from pactdsl._rulepath import parse_rule_path

    result = value
    for path, gen in generators.items():
        tokens = parse_rule_path(path)
        result = _replace_at(result, tokens, gen, context)
    return result


def _replace_at(
    value: Any, tokens: list[str | int], gen: Generator, context: GeneratorContext
) -> Any:
    if not tokens:
        return gen.generate(context)
    head, rest = tokens[0], tokens[1:]
    if isinstance(value, dict):
        if head == "*":
            return {k: _replace_at(v, rest, gen, context) for k, v in value.items()}
        if isinstance(head, str) and head in value:
            copy = dict(value)
            copy[head] = _replace_at(value[head], rest, gen, context)
            return copy
    if isinstance(value, list):
        if head == "*":
            return [_replace_at(v, rest, gen, context) for v in value]
        if isinstance(head, int) and 0 <= head < len(value):
            copy_list = list(value)
            copy_list[head] = _replace_at(value[head], rest, gen, context)
            return copy_list
    return value


# --------------------------------------------------------------------------
# A small walker over Python's regex parse tree, for the Regex generator.

_MAX_REPEAT = 5


class _Budget:
    """The characters a generated string may still take (`Limits.max_generated_length`)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.limit = current_limits().max_generated_length
        self.used = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            msg = (
                f"regex({self.pattern[:80]!r}): the generated string would exceed "
                f"Limits(max_generated_length={self.limit}) characters; bound the "
                "pattern's repeats"
            )
            raise InvalidMatcher(msg)


def _string_for_regex(pattern: str, rng: random.Random) -> str:
    import re._parser as sre_parse  # type: ignore[import-not-found]

    compile_regex(pattern, "regex()")  # bounded size first: the parser below is not
    try:
        tree = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        msg = f"regex({pattern[:80]!r}): cannot generate a string for this pattern ({exc})"
        raise InvalidMatcher(msg) from None
    return "".join(_emit(tree, rng, {}, _Budget(pattern)))


def _emit(tree: Any, rng: random.Random, groups: dict[int, str], budget: _Budget) -> list[str]:
    import re._constants as c  # type: ignore[import-not-found]

    out: list[str] = []
    for op, arg in tree:
        budget.spend(1 if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN) else 0)
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.NOT_LITERAL:
            out.append(rng.choice([ch for ch in string.ascii_letters if ord(ch) != arg]))
        elif op is c.ANY:
            out.append(rng.choice(string.ascii_letters + string.digits))
        elif op is c.IN:
            out.append(_emit_in(arg, rng))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            high = min(high, low + _MAX_REPEAT) if high != c.MAXREPEAT else low + _MAX_REPEAT
            for _ in range(rng.randint(low, high)):
                out.extend(_emit(sub, rng, groups, budget))
        elif op is c.SUBPATTERN:
            group, _, _, sub = arg
            text = "".join(_emit(sub, rng, groups, budget))
            if group is not None:
                groups[group] = text
            out.append(text)
        elif op is c.BRANCH:
            out.extend(_emit(rng.choice(arg[1]), rng, groups, budget))
        elif op is c.GROUPREF:
            budget.spend(len(groups.get(arg, "")))
            out.append(groups.get(arg, ""))
        elif op is getattr(c, "ATOMIC_GROUP", None):
            out.extend(_emit(arg, rng, groups, budget))
        # AT (anchors), ASSERT and the like produce no characters.
    return out


def _emit_in(items: Any, rng: random.Random) -> str:
    import re._constants as c

    choices: list[str] = []
    negate = False
    for op, arg in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            choices.append(chr(arg))
        elif op is c.RANGE:
            low, high = arg
            choices.extend(chr(x) for x in range(low, min(high, low + 200) + 1))
        elif op is c.CATEGORY:
            choices.extend(_CATEGORY_CHARS.get(str(arg), "a"))
    if negate:
        pool = [ch for ch in string.ascii_letters + string.digits if ch not in choices]
        return rng.choice(pool or ["_"])
    return rng.choice(choices or ["a"])


_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-.!",
}
