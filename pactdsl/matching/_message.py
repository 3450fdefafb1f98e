"""Messages: compare an expected message (contents and metadata) with an actual one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pactdsl.matching._body import match_body
from pactdsl.matching._content import is_body_object, open_body_object
from pactdsl.matching._headers import parse_media_type
from pactdsl.matching._json import JsonComparer
from pactdsl.matching._mismatch import Mismatch, describe_value
from pactdsl.matching._parse import parse_rules
from pactdsl.matching._regex import bounded_match_call
from pactdsl.matching._rules import RuleCursor
from pactdsl.matching._spec import parse_spec_version

__all__ = ["match_message"]

_ABSENT: Final = object()
_CONTENT_TYPE_KEYS: Final = frozenset({"contenttype", "content-type", "content_type"})


def _metadata(part: Mapping[str, Any]) -> Mapping[str, Any]:
    # The V3 specification writes `metaData`; pact-reference reads both spellings.
    for key in ("metadata", "metaData"):
        value = part.get(key)
        if isinstance(value, Mapping):
            return value
    return {}


def _declared_type(metadata: Mapping[str, Any]) -> str | None:
    for key, value in metadata.items():
        if str(key).lower() in _CONTENT_TYPE_KEYS and isinstance(value, str):
            return value
    return None


def _unwrap(part: Mapping[str, Any], v4: bool) -> tuple[Any, str | None]:
    """The contents (or `_ABSENT`) and the content type the message declares."""
    declared = _declared_type(_metadata(part))
    if "contents" not in part:
        return _ABSENT, declared
    contents = part["contents"]
    if not is_body_object(contents, v4=v4):
        return contents, declared
    return open_body_object(contents, declared, "the message contents")


def _is_empty(content: Any) -> bool:
    return content is None or content in ("", b"")


def _body_rules(rules: Any) -> dict[str, Any] | None:
    """The body rules of a message, under any of its category names."""
    if not isinstance(rules, Mapping):
        return None
    merged: dict[str, Any] = {}
    for category in ("body", "content", "contents"):
        entries = rules.get(category)
        if isinstance(entries, Mapping):
            merged.update(entries)
    return merged or None


def _match_contents(
    expected: Mapping[str, Any], actual: Mapping[str, Any], v4: bool
) -> list[Mismatch]:
    expected_content, expected_type = _unwrap(expected, v4)
    if expected_content is _ABSENT:
        return []  # no expected contents: any contents match
    actual_content, actual_type = _unwrap(actual, v4)
    if actual_content is _ABSENT:
        actual_content = None
    if _is_empty(expected_content):
        if _is_empty(actual_content):
            return []
        return [
            Mismatch(
                "body",
                "$.body",
                expected_content,
                actual_content,
                f"expected empty message contents, got {describe_value(actual_content)}",
            )
        ]
    return match_body(
        expected_content,
        actual_content,
        _body_rules(expected.get("matchingRules")),
        content_type=expected_type or actual_type,
        allow_unexpected_keys=True,
    )


def _same_media_type(expected: Any, actual: Any) -> bool:
    if not isinstance(expected, str) or not isinstance(actual, str):
        return bool(expected == actual)
    expected_essence, expected_parameters = parse_media_type(expected)
    actual_essence, actual_parameters = parse_media_type(actual)
    if expected_essence != actual_essence:
        return False
    return all(actual_parameters.get(k) == v for k, v in expected_parameters.items())


def _match_metadata(
    expected: Mapping[str, Any], actual: Mapping[str, Any], v4: bool
) -> list[Mismatch]:
    wanted = _metadata(expected)
    if not wanted:
        return []
    got = dict(_metadata(actual))
    _, actual_type = _unwrap(actual, v4)
    cursor: RuleCursor = parse_rules(_metadata_rules(expected.get("matchingRules"))).cursor(
        "metadata"
    )
    mismatches: list[Mismatch] = []
    for name, expected_value in wanted.items():
        is_content_type = str(name).lower() in _CONTENT_TYPE_KEYS
        path = f"$.metadata.{name}"
        if name not in got:
            if is_content_type:
                # The content type may travel with the contents instead.
                if actual_type is None or _same_media_type(expected_value, actual_type):
                    continue
                got[name] = actual_type
            else:
                mismatches.append(
                    Mismatch(
                        "metadata",
                        path,
                        expected_value,
                        None,
                        f"expected message metadata {name!r} with value "
                        f"{expected_value!r}, but it is missing",
                    )
                )
                continue
        child = cursor.child(name)
        if is_content_type and child.best is None:
            if not _same_media_type(expected_value, got[name]):
                mismatches.append(
                    Mismatch(
                        "metadata",
                        path,
                        expected_value,
                        got[name],
                        f"expected message metadata {name!r} with value {expected_value!r}, "
                        f"got {got[name]!r}",
                    )
                )
            continue
        comparer = JsonComparer("$.metadata", allow_unexpected_keys=True, kind="metadata")
        comparer.compare(expected_value, got[name], (name,), child)
        mismatches.extend(comparer.mismatches)
    return mismatches


def _metadata_rules(rules: Any) -> dict[str, Any] | None:
    if not isinstance(rules, Mapping):
        return None
    entries = rules.get("metadata", rules.get("metaData"))
    return {"metadata": dict(entries)} if isinstance(entries, Mapping) and entries else None


@bounded_match_call
def match_message(
    expected: dict[str, Any], actual: dict[str, Any], spec_version: str | None = None
) -> list[Mismatch]:
    """Compare an expected Pact message with an actual one: contents, then metadata.

    Args:
        expected: The expected message as Pact JSON: ``contents`` (a V3 raw value
            or a V4 body object ``{"content", "contentType", "encoded"}``),
            ``metadata`` (or ``metaData``) and ``matchingRules`` (categories
            ``body``, ``content`` or ``contents``, and ``metadata``). Parts left
            out are not checked.
        actual: The actual message in the same shape (no rules).
        spec_version: "3.0.0" or "4.0" (or "V3"/"V4"); None infers it from
            the shape of the contents.

    Returns:
        The mismatches: contents differences (kind "body"/"body_type", paths
        under ``$.body``) and metadata differences (kind "metadata", paths
        ``$.metadata.NAME``). Actual JSON objects and metadata may carry keys
        the expected ones lack. An expected ``contentType`` missing from the
        actual metadata is taken from the actual contents.

    Raises:
        MatchingError: If a rule in `expected` is broken.
        ValueError: If `spec_version` is not a known version, or names a version
            without messages (V1, V2).
    """
    if spec_version is None:
        v4 = any(
            isinstance(part.get("contents"), dict)
            and is_body_object(part.get("contents"), v4=False)
            for part in (expected, actual)
        )
    else:
        version = parse_spec_version(spec_version)
        if version < (3, 0):
            raise ValueError(
                f"spec_version={spec_version!r} has no messages; message pacts start at "
                "'3.0.0' (V3)"
            )
        v4 = version >= (4, 0)
    mismatches = _match_contents(expected, actual, v4)
    mismatches.extend(_match_metadata(expected, actual, v4))
    return mismatches
