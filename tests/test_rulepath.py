"""The one rule-path grammar, as its readers see it: `_rulepath` and the engine's tokens."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactdsl._rulepath import (
    RulePathError,
    Wildcard,
    parse_rule_path,
    rule_path_child,
    rule_path_tokens,
)
from pactdsl.matching._mismatch import MatchingError
from pactdsl.matching._paths import ANY_INDEX, ROOT, STAR, Field, Index, render_path
from pactdsl.matching._paths import parse_rule_path as engine_parse_rule_path

GOOD_PATHS = [
    ("$", ()),
    ("$.a.b", ("a", "b")),
    ("$.a[1]", ("a", 1)),
    ("$.a[*]", ("a", Wildcard.ANY_INDEX)),
    ("$.*", (Wildcard.ANY,)),
    ("$.*.id", (Wildcard.ANY, "id")),
    ("$['odd key']", ("odd key",)),
    ('$["odd key"]', ("odd key",)),
    ("$['it\\'s']", ("it's",)),
    ('$["say \\"hi\\""]', ('say "hi"',)),
    ("$['back\\\\slash']", ("back\\slash",)),
    ("$['new\\nline']", ("new\\nline",)),
    ('$["it\'s"]', ("it's",)),
    ("$[']']", ("]",)),
    ("$['a.b[0]']", ("a.b[0]",)),
    ("$['']", ("",)),
    ("$['*']", ("*",)),
    ("$[ 'a' ]", ("a",)),
    ("$[ 2 ]", (2,)),
    ("$.*x", ("*x",)),
    ("$.a-b.c:d", ("a-b", "c:d")),
]

BAD_PATHS = [
    ("$.", "has an empty name at character 2"),
    ("$..a", "has an empty name at character 2"),
    ("$a", "has 'a' at character 1 where a '.' or '[' must come"),
    ("$.a[x]", "has [x], which is neither an index, [*] nor a quoted name"),
    ("$.a[-1]", "has [-1], which is neither an index"),
    ("$.a[\u00b2]", "which is neither an index"),
    ("$.a[1", "has an unclosed '[' at character 3"),
    ("$['a]", "has a quoted name that never closes at character 1"),
    ("$['a'b']", "has a quoted name that never closes"),
]


@pytest.mark.parametrize(("path", "tokens"), GOOD_PATHS)
def test_grammar_tokens(path: str, tokens: tuple[object, ...]) -> None:
    """Each form of the grammar parses to its names, indices and wildcards."""
    assert rule_path_tokens(path) == tokens


@pytest.mark.parametrize(("path", "tokens"), GOOD_PATHS)
def test_plain_reader_folds_both_wildcards_to_star(path: str, tokens: tuple[object, ...]) -> None:
    """`parse_rule_path` gives the same tokens, with `.*` and `[*]` both as "*"."""
    expected = ["*" if isinstance(t, Wildcard) else t for t in tokens]
    assert parse_rule_path(path) == expected


@pytest.mark.parametrize(("path", "tokens"), GOOD_PATHS)
def test_engine_reads_the_same_grammar(path: str, tokens: tuple[str | int | Wildcard, ...]) -> None:
    """The engine's tokens are the grammar's, one for one, after ROOT."""
    kinds = {Wildcard.ANY: STAR, Wildcard.ANY_INDEX: ANY_INDEX}
    expected = [
        kinds[t] if isinstance(t, Wildcard) else Index(t) if isinstance(t, int) else Field(t)
        for t in tokens
    ]
    assert engine_parse_rule_path(path) == (ROOT, *expected)


def test_quoted_star_is_a_name_for_the_engine() -> None:
    """`$['*']` names the key "*" for the engine, while `$.*` is its wildcard."""
    assert engine_parse_rule_path("$['*']")[-1] == Field("*")
    assert engine_parse_rule_path("$.*")[-1] is STAR


def test_plain_reader_returns_a_fresh_list() -> None:
    """A caller may change the list it gets without changing later answers."""
    first = parse_rule_path("$.a.b")
    first.append("c")
    assert parse_rule_path("$.a.b") == ["a", "b"]


@pytest.mark.parametrize(("path", "message"), BAD_PATHS)
def test_bad_paths_say_where_and_how(path: str, message: str) -> None:
    """A path outside the grammar raises RulePathError naming the path and the place."""
    with pytest.raises(RulePathError, match=r"^rule path=") as caught:
        rule_path_tokens(path)
    assert message in str(caught.value)
    assert f"rule path={path!r}" in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("path", "message"), BAD_PATHS)
def test_engine_raises_matching_error_with_the_same_message(path: str, message: str) -> None:
    """The engine turns a grammar error into MatchingError with the grammar's message."""
    with pytest.raises(MatchingError) as caught:
        engine_parse_rule_path(path)
    assert message in str(caught.value)
    assert not isinstance(caught.value, RulePathError)


def test_path_without_dollar() -> None:
    """The grammar needs a leading '$'; the engine reads a bare name as one field."""
    with pytest.raises(RulePathError, match=r"must start with '\$'"):
        parse_rule_path("a.b")
    assert engine_parse_rule_path("Content-Type") == (ROOT, Field("Content-Type"))


@given(st.text(max_size=12).filter(lambda key: key != "*"))
def test_written_child_paths_read_back(key: str) -> None:
    """`rule_path_child` writes a path that every reader reads back as the same key."""
    path = rule_path_child("$.a", key)
    assert parse_rule_path(path) == ["a", key]
    assert engine_parse_rule_path(path) == (ROOT, Field("a"), Field(key))


@given(st.lists(st.text(max_size=8) | st.integers(0, 99), max_size=4))
def test_mismatch_paths_read_back_as_the_place(segments: list[str | int]) -> None:
    """A mismatch path is the rule path of that very place: "*" and odd keys stay literal names."""
    path = render_path("$", tuple(segments))
    assert rule_path_tokens(path) == tuple(segments)


def test_child_paths_for_indices_and_star() -> None:
    """An index is written as `[n]` and "*" as the `.*` wildcard."""
    assert rule_path_child("$", 3) == "$[3]"
    assert rule_path_child("$", "*") == "$.*"
    assert rule_path_child("$", "it's") == "$['it\\'s']"
    assert rule_path_tokens(rule_path_child("$", "*")) == (Wildcard.ANY,)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a.b", "rule path='a.b' must start with '$'; write $, $.name or $['odd name']."),
        (
            "$.",
            "rule path='$.' has an empty name at character 2; write names as $.a.b or $['a b'].",
        ),
        (
            "$a",
            "rule path='$a' has 'a' at character 1 where a '.' or '[' must come; "
            "write names as $.a.b or $['a b'].",
        ),
        (
            "$.a[x]",
            "rule path='$.a[x]' has [x], which is neither an index, [*] nor a quoted name; "
            "write $.a[0], $.a[*] or $['a b'].",
        ),
        (
            "$.a[1",
            "rule path='$.a[1' has an unclosed '[' at character 3; "
            "close it as in $.a[0], $.a[*] or $['a b'].",
        ),
        (
            "$['a]",
            'rule path="$[\'a]" has a quoted name that never closes at character 1; '
            "close it as in $.a[0], $.a[*] or $['a b'].",
        ),
    ],
)
def test_each_grammar_error_says_what_to_write(path: str, message: str) -> None:
    """Each kind of grammar error reads in full: the path, where it breaks, what to write."""
    with pytest.raises(RulePathError) as caught:
        rule_path_tokens(path)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("a", "$.a"),
        ("a_1", "$.a_1"),
        ("a-b", "$.a-b"),
        ("a-", "$.a-"),
        ("é", "$.é"),
        ("-a", "$['-a']"),
        ("1a", "$['1a']"),
        ("a b", "$['a b']"),
        ("a.b", "$['a.b']"),
        ("a[0]", "$['a[0]']"),
        ("", "$['']"),
        ("it's", "$['it\\'s']"),
        ("back\\slash", "$['back\\\\slash']"),
        ('say "hi"', "$['say \"hi\"']"),
    ],
)
def test_a_key_is_written_dotted_only_when_it_reads_back_so(key: str, path: str) -> None:
    """Identifiers (dashes allowed inside) take the dotted form; any other key the bracket form."""
    assert rule_path_child("$", key) == path
    assert render_path("$", (key,)) == path
    assert render_path("$", ("*",)) == "$['*']"


@pytest.mark.parametrize("mark", ["X", "`", "\u2018", "a"])
def test_only_single_and_double_quotes_open_a_quoted_name(mark: str) -> None:
    """A bracket opened with any other character holds no quoted name."""
    with pytest.raises(RulePathError, match=r"which is neither an index, \[\*\] nor a quoted name"):
        rule_path_tokens(f"$[{mark}b{mark}]")


@pytest.mark.parametrize("mark", ["X", "`", "a"])
def test_a_bracket_closes_at_the_first_unquoted_bracket(mark: str) -> None:
    """Only a single or double quote keeps `]` inside a name; any other mark does not."""
    assert rule_path_tokens("$['a]b']") == ("a]b",)
    with pytest.raises(RulePathError, match=re.escape(f"has [{mark}], which is neither")):
        rule_path_tokens(f"$[{mark}]{mark}]")
