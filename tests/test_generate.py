"""Generators: Pact names, fixed examples, fresh values, implied matchers, apply_generators."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from pactdsl import generate as gen
from pactdsl._generators import Generator, GeneratorContext, apply_generators, generator_from_json
from pactdsl._javatime import java_format_matches
from pactdsl._matchers import regex_fullmatch

_CONTEXT = GeneratorContext(rng=random.Random(7), provider_state={"id": 42, "a": "x", "b": 2})

# generator -> (Pact JSON, check of a generated value)
GENERATORS: list[Any] = [
    (gen.random_int(3, 5), {"type": "RandomInt", "min": 3, "max": 5}, lambda v: v in (3, 4, 5)),
    (gen.random_decimal(4), {"type": "RandomDecimal", "digits": 4}, lambda v: isinstance(v, float)),
    (
        gen.random_hexadecimal(6),
        {"type": "RandomHexadecimal", "digits": 6},
        lambda v: re.fullmatch("[0-9a-f]{6}", v),
    ),
    (gen.random_string(8), {"type": "RandomString", "size": 8}, lambda v: len(v) == 8),
    (
        gen.regex(r"[A-Z]{3}-\d{2}"),
        {"type": "Regex", "regex": r"[A-Z]{3}-\d{2}"},
        lambda v: re.fullmatch(r"[A-Z]{3}-\d{2}", v),
    ),
    (
        gen.uuid("simple"),
        {"type": "Uuid", "format": "simple"},
        lambda v: re.fullmatch("[0-9a-f]{32}", v),
    ),
    (
        gen.uuid(),
        {"type": "Uuid", "format": "lower-case-hyphenated"},
        lambda v: re.fullmatch("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", v),
    ),
    (
        gen.uuid("uppercase"),
        {"type": "Uuid", "format": "upper-case-hyphenated"},
        lambda v: re.fullmatch("[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", v),
    ),
    (
        gen.uuid("urn"),
        {"type": "Uuid", "format": "URN"},
        lambda v: v.startswith("urn:uuid:") and len(v) == 45,
    ),
    (gen.date(), {"type": "Date"}, lambda v: java_format_matches("yyyy-MM-dd", v)),
    (
        gen.time("HH:mm"),
        {"type": "Time", "format": "HH:mm"},
        lambda v: java_format_matches("HH:mm", v),
    ),
    (
        gen.datetime("yyyy-MM-dd'T'HH:mm:ssXXX"),
        {"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"},
        lambda v: java_format_matches("yyyy-MM-dd'T'HH:mm:ssXXX", v),
    ),
    (gen.random_boolean(), {"type": "RandomBoolean"}, lambda v: v in (True, False)),
    (
        gen.provider_state("/users/${id}", "/users/1"),
        {"type": "ProviderState", "expression": "/users/${id}"},
        lambda v: v == "/users/42",
    ),
    (
        gen.provider_state("${id}", 1),
        {"type": "ProviderState", "expression": "${id}"},
        lambda v: v == 42,
    ),
    (
        gen.provider_state("${a}-${b}", "y-1"),
        {"type": "ProviderState", "expression": "${a}-${b}"},
        lambda v: v == "x-2",
    ),
    (
        gen.mock_server_url(r".*(/orders/\d+)$", "http://localhost:1/orders/7"),
        {
            "type": "MockServerURL",
            "regex": r".*(/orders/\d+)$",
            "example": "http://localhost:1/orders/7",
        },
        lambda v: v == "http://mock:9/orders/7",
    ),
]
_IDS = [repr(g[0]) for g in GENERATORS]


@pytest.mark.parametrize(("generator", "pact_json", "fits"), GENERATORS, ids=_IDS)
def test_pact_json_and_parse_back(
    generator: Generator, pact_json: dict[str, Any], fits: Any
) -> None:
    """Each generator writes its real Pact type and attributes, and parses back equal."""
    assert generator.to_json() == pact_json
    assert generator_from_json(pact_json) == generator


@pytest.mark.parametrize(("generator", "pact_json", "fits"), GENERATORS, ids=_IDS)
def test_generated_values_fit(generator: Generator, pact_json: dict[str, Any], fits: Any) -> None:
    """Fresh values have the generator's shape, and satisfy its implied matcher."""
    context = GeneratorContext(
        rng=random.Random(3),
        provider_state={"id": 42, "a": "x", "b": 2},
        mock_server_url="http://mock:9/",
    )
    for _ in range(20):
        value = generator.generate(context)
        assert fits(value), value
        implied = generator.implied_matcher()
        if implied is not None and implied.to_rule()["match"] == "regex":
            assert regex_fullmatch(__import__("regex").compile(implied.to_rule()["regex"]), value)


@pytest.mark.parametrize(("generator", "pact_json", "fits"), GENERATORS, ids=_IDS)
def test_examples_are_fixed(generator: Generator, pact_json: dict[str, Any], fits: Any) -> None:
    """The example written into a pact never changes, so unchanged contracts give the same bytes."""
    assert generator.example_value() == generator.example_value()
    twin = generator_from_json(pact_json)
    if pact_json["type"] not in ("ProviderState",):
        assert twin.example_value() == generator.example_value()


def test_repr_reads_like_the_call() -> None:
    """Generator reprs evaluate, in pactdsl.generate's namespace, to equal generators."""
    namespace = {name: getattr(gen, name) for name in gen.__all__}
    for generator, *_ in GENERATORS:
        assert eval(repr(generator), namespace) == generator
    assert repr(gen.provider_state("/u/${id}", "/u/1")) == "provider_state('/u/${id}', '/u/1')"
    assert repr(gen.random_int()) == "random_int()"


def test_provider_state_without_value_says_which() -> None:
    """A ProviderState placeholder the state setup gave no value for raises KeyError naming it."""
    with pytest.raises(KeyError, match="no value for 'missing'"):
        gen.provider_state("/x/${missing}", "/x/1").generate(_CONTEXT)


def test_mock_server_url_without_mock_keeps_example() -> None:
    """Without a mock server URL the example is used as is."""
    made = gen.mock_server_url(r".*(/o/\d+)$", "http://h:1/o/2")
    assert made.generate(GeneratorContext()) == "http://h:1/o/2"


def test_apply_generators_replaces_paths() -> None:
    """apply_generators replaces values at plain, indexed, bracketed and wildcard paths only."""
    body = {"id": 0, "items": [{"n": 0}, {"n": 0}], "odd key": "x", "keep": "k"}
    generators = {
        "$.id": gen.random_int(10, 10),
        "$.items[*].n": gen.random_int(5, 5),
        "$['odd key']": gen.provider_state("${a}", "x"),
        "$.absent.deep": gen.random_int(1, 1),
    }
    result = apply_generators(body, generators, _CONTEXT)
    assert result == {"id": 10, "items": [{"n": 5}, {"n": 5}], "odd key": "x", "keep": "k"}
    assert body["id"] == 0  # the input is left alone
    assert apply_generators(3, {"$": gen.random_int(9, 9)}, _CONTEXT) == 9


def test_uuid_aliases_are_written_with_pact_names() -> None:
    """Short uuid formats (lowercase, uppercase, urn) are written by their real Pact names."""
    assert gen.uuid("lowercase").to_json()["format"] == "lower-case-hyphenated"
    assert gen.uuid("hyphenated").to_json()["format"] == "lower-case-hyphenated"
    assert {gen.uuid(f).to_json()["format"] for f in ("simple", "uppercase", "urn")} == {
        "simple",
        "upper-case-hyphenated",
        "URN",
    }


def test_generator_from_json_reads_numeric_strings_and_rejects_junk() -> None:
    """Numeric-string attributes read as ints; a non-object generator is refused."""
    from pactdsl import InvalidMatcher

    assert generator_from_json({"type": "RandomString", "size": "4"}) == gen.random_string(4)
    with pytest.raises(InvalidMatcher, match=r"^g: a generator must be an object"):
        generator_from_json([1], "g")
