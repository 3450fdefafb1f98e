"""The compatibility suite (tests/compatibility/) runs whole: nothing left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.compatibility import _suite

# The suite's scenarios per feature file (its MANIFEST.md): 190 in all.
EXPECTED_SCENARIOS = {
    "V1/http_consumer.feature": 24,
    "V1/http_provider.feature": 26,
    "V2/http_consumer.feature": 14,
    "V2/http_provider.feature": 4,
    "V3/generators.feature": 10,
    "V3/http_consumer.feature": 2,
    "V3/http_generators.feature": 7,
    "V3/http_matching.feature": 7,
    "V3/http_provider.feature": 2,
    "V3/matching_rules.feature": 24,
    "V3/message_consumer.feature": 7,
    "V3/message_provider.feature": 18,
    "V4/generators.feature": 6,
    "V4/http_consumer.feature": 4,
    "V4/http_provider.feature": 2,
    "V4/matching_rules.feature": 15,
    "V4/message_consumer.feature": 4,
    "V4/message_provider.feature": 2,
    "V4/synchronous_message_consumer.feature": 11,
    "V4/v4.feature": 1,
}

_SCENARIO = re.compile(r"^\s*Scenario(?: Outline)?:", re.MULTILINE)
_ERROR_TEXT = re.compile(r'with error (?:"(?:[^"\\]|\\.)*" -> )?"((?:[^"\\]|\\.)*)"$', re.MULTILINE)


def _features() -> list[Path]:
    if not _suite.suite_present():
        _suite.test_compatibility_suite_is_present()
    return sorted(_suite.FEATURES_DIR.glob("V*/*.feature"))


def test_every_feature_file_has_its_step_module_and_all_its_scenarios() -> None:
    """20 feature files, 190 scenarios; each file is collected by one test_<version>_<name>.py."""
    found = {
        path.relative_to(_suite.FEATURES_DIR).as_posix(): len(_SCENARIO.findall(path.read_text()))
        for path in _features()
    }
    assert found == EXPECTED_SCENARIOS
    here = Path(__file__).parent / "compatibility"
    for name in found:
        module = here / ("test_" + name.removesuffix(".feature").replace("/", "_").lower() + ".py")
        assert module.is_file(), f"no step module for {name}"
        assert f'feature_path("{name}")' in module.read_text("utf-8"), module


def test_every_official_mismatch_text_has_a_translation() -> None:
    """Each mismatch text the suite asserts has a FACTS entry in _suite.py, and none is stale."""
    asserted = {
        _suite.unquote(text)
        for path in _features()
        for text in _ERROR_TEXT.findall(path.read_text("utf-8"))
    }
    assert asserted == set(_suite.FACTS)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('JSON: {"a": 1}', (b'{"a": 1}', "application/json")),
        ("XML: <a/>", (b"<a/>", "application/xml")),
        ("Hello", (b"Hello", "text/plain")),
        ("EMPTY", (b"", None)),
    ],
)
def test_body_cells_are_read_as_the_suite_writes_them(
    cell: str, expected: tuple[bytes, str | None]
) -> None:
    """A body cell becomes the bytes a client sends and their content type."""
    body = _suite.parse_body(cell)
    assert body is not None
    assert (body.raw, body.content_type) == expected
