"""Verification reports: the seed's text layout, a JSON document and JUnit XML.

The text report follows the seed exactly::

    Contract Verification Results
    ==============================
    Provider: payment-service
    Consumer: checkout-app

    Passed: 8/10 interactions

    Failed Interactions:
    --------------------
    1. "process refund"
       Expected status: 200
       Actual status: 500

A failed interaction's mismatches come first, in that layout; the same
mismatch repeated over list items is one entry (``body.items[0..9].price``).
Then the context a developer needs without rerunning: the provider states
(``Given:``), the request sent (``Request:``, ``Request headers:``) and, for body
mismatches, the expected (``-``) and actual (``+``) values of the part holding
the failing paths (``Body at body.items[0]:``).

Errors (interactions that could not be verified) follow in an ``Errors:``
section of the same shape, with the app's traceback when an in-process app
raised. A ``Notices:`` section after the summary carries what the broker said
(why a pact was selected, that it is pending) and what the run did not do
(``fail_fast`` stopped it, results were not published).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any, TextIO, TypeVar

from pactdsl._verify._detail import BodyExcerpt, MismatchGroup, group_mismatches
from pactdsl._verify._results import (
    ContractVerificationResult,
    ErroredInteraction,
    FailedInteraction,
    InteractionResult,
    UnverifiedInteraction,
)
from pactdsl.matching import Mismatch

__all__ = [
    "format_verification_report",
    "verification_report_json",
    "verification_report_junit",
]

_TITLE = "Contract Verification Results"
_TITLE_RULE = "=" * 30  # the seed's rule is one longer than the title
_INDENT = "   "


_E = TypeVar("_E", bound=InteractionResult)


def _json_text(value: Any) -> str:
    return json.dumps(_jsonable(value), ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def _where(mismatch: Mismatch) -> str:
    return mismatch.path.removeprefix("$.") if mismatch.path != "$" else mismatch.kind


def _is_missing(mismatch: Mismatch) -> bool:
    # Engine messages for an absent part say "missing ..." or "... but it is missing".
    return mismatch.actual is None and "missing" in mismatch.message


def _says_only_values(mismatch: Mismatch) -> bool:
    """Whether Expected/Actual lines say all the message says (a plain difference).

    A missing part and any metadata mismatch always get their ``Reason:``: the
    reason names the key that is absent (or the metadata rule), which the
    Expected/Actual pair alone leaves to guesswork.
    """
    if mismatch.kind == "status":
        return mismatch.message == f"expected status {mismatch.expected}, got {mismatch.actual}"
    if mismatch.kind == "metadata" or _is_missing(mismatch):
        return False
    return mismatch.message.startswith(f"expected {mismatch.expected!r} at ")


def _mismatch_lines(mismatch: Mismatch) -> list[str]:
    where = _where(mismatch)
    actual = "(missing)" if _is_missing(mismatch) else _json_text(mismatch.actual)
    lines = [
        f"{_INDENT}Expected {where}: {_json_text(mismatch.expected)}",
        f"{_INDENT}Actual {where}: {actual}",
    ]
    if not _says_only_values(mismatch):
        lines.append(f"{_INDENT}Reason: {mismatch.message}")
    return lines


_SHOWN_VALUES = 3
_EXCERPT_WIDTH = 160


def _group_lines(group: MismatchGroup) -> list[str]:
    first = group.first
    if len(group.mismatches) == 1:
        return _mismatch_lines(first)
    where = group.path.removeprefix("$.")
    count = len(group.mismatches)
    if all(_is_missing(m) for m in group.mismatches):
        actual = "(missing)"
    else:
        shown = [_json_text(m.actual) for m in group.mismatches[:_SHOWN_VALUES]]
        more = ", …" if count > _SHOWN_VALUES else ""
        actual = ", ".join(shown) + more
    return [
        f"{_INDENT}Expected {where}: {_json_text(first.expected)}",
        f"{_INDENT}Actual {where}: {actual} ({count} items)",
        f"{_INDENT}Reason: {first.message} (the same in {count} items)",
    ]


def _clip(text: str) -> str:
    return text if len(text) <= _EXCERPT_WIDTH else text[: _EXCERPT_WIDTH - 1] + "…"


def _excerpt_lines(excerpt: BodyExcerpt) -> list[str]:
    actual = _json_text(excerpt.actual) if excerpt.present else "(missing)"
    return [
        f"{_INDENT}Body at {excerpt.path.removeprefix('$.')}:",
        f"{_INDENT}- {_clip(_json_text(excerpt.expected))}",
        f"{_INDENT}+ {_clip(actual)}",
    ]


def _given(entry: InteractionResult) -> str:
    parts = []
    for state in entry.states:
        params = ", ".join(f"{k}={_json_text(v)}" for k, v in state.params.items())
        parts.append(_json_text(state.name) + (f" ({params})" if params else ""))
    return "; ".join(parts)


def _comment_lines(entry: InteractionResult) -> list[str]:
    """The interaction's V4 comments: its original test name and each text line."""
    lines = []
    name = entry.comments.get("testname")
    if isinstance(name, str) and name:
        lines.append(f"{_INDENT}Test name: {name}")
    texts = entry.comments.get("text", ())
    for text in [texts] if isinstance(texts, str) else texts:
        lines.append(f"{_INDENT}Comment: {text}")
    return lines


def _failure_lines(entry: FailedInteraction) -> list[str]:
    """The mismatches (grouped), then the states, the request and the body excerpts."""
    lines: list[str] = []
    for group in group_mismatches(entry.mismatches):
        lines += _group_lines(group)
    if entry.states:
        lines.append(f"{_INDENT}Given: {_given(entry)}")
    if entry.request is not None:
        lines.append(f"{_INDENT}Request: {entry.request.line()}")
        if entry.request.headers:
            shown = ", ".join(f"{name}: {value}" for name, value in entry.request.headers)
            lines.append(f"{_INDENT}Request headers: {shown}")
    for excerpt in entry.body_excerpts:
        lines += _excerpt_lines(excerpt)
    lines += _comment_lines(entry)
    lines += [f"{_INDENT}Note: {note}" for note in entry.notes]
    return lines


def _heading(number: int, entry: InteractionResult) -> str:
    suffix = " (pending: does not fail verification)" if entry.pending else ""
    return f"{number}. {_json_text(entry.description)}{suffix}"


def format_verification_report(
    result: ContractVerificationResult, stream: TextIO | None = None
) -> str:
    """Render a result in the seed's human-readable layout; also write it to `stream`.

    Args:
        result: What `verify_provider` returned.
        stream: A text stream (e.g. ``sys.stdout``) to write the report to.

    Returns:
        The report text, ending in a newline.
    """
    lines = [
        _TITLE,
        _TITLE_RULE,
        f"Provider: {result.provider}",
        f"Consumer: {result.consumer}",
        "",
        f"Passed: {len(result.passed)}/{result.total} interactions"
        + (f" ({len(result.unverified)} not verified)" if result.unverified else ""),
    ]
    if result.notices:
        lines += ["", "Notices:", "-" * len("Notices:")]
        lines += [f"- {notice}" for notice in result.notices]
    entries = result.entries
    # Comments only when the pact carries them: a passing run's layout is otherwise the count alone.
    lines += _section("Comments:", [e for e in result.passed if _comment_lines(e)], _comment_lines)
    lines += _section(
        "Failed Interactions:",
        [e for e in entries if isinstance(e, FailedInteraction)],
        _failure_lines,
    )
    lines += _section(
        "Not Verified:",
        [e for e in entries if isinstance(e, UnverifiedInteraction)],
        lambda skipped: [f"{_INDENT}Not verified: {skipped.reason}"],
    )
    lines += _section(
        "Errors:", [e for e in entries if isinstance(e, ErroredInteraction)], _error_lines
    )
    text = "\n".join(lines) + "\n"
    if stream is not None:
        stream.write(text)
    return text


def _section(title: str, entries: Sequence[_E], body: Callable[[_E], list[str]]) -> list[str]:
    """A titled report section: each entry's numbered heading and its body, blank-line apart."""
    if not entries:
        return []
    lines = ["", title, "-" * len(title)]
    for number, entry in enumerate(entries, 1):
        if number > 1:
            lines.append("")
        lines.append(_heading(number, entry))
        lines += body(entry)
    return lines


def _error_lines(error: ErroredInteraction) -> list[str]:
    return [
        f"{_INDENT}Error during {error.phase}: {error.message}",
        *(f"{_INDENT}{line}" for line in error.traceback.splitlines()),
        *_comment_lines(error),
        *(f"{_INDENT}Note: {note}" for note in error.notes),
    ]


def _entry_json(entry: InteractionResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": entry.description,
        "providerStates": [
            {"name": state.name, "params": _jsonable(dict(state.params))} for state in entry.states
        ],
        "consumer": entry.consumer,
        "status": entry.status,
        "pending": entry.pending,
        "durationMs": round(entry.duration * 1000, 3),
    }
    if isinstance(entry, FailedInteraction):
        out.update(_failure_json(entry))
        out["mismatches"] = [
            {
                "kind": m.kind,
                "path": m.path,
                "expected": _jsonable(m.expected),
                "actual": _jsonable(m.actual),
                "message": m.message,
            }
            for m in entry.mismatches
        ]
    if isinstance(entry, ErroredInteraction):
        out["error"] = {"phase": entry.phase, "message": entry.message}
        if entry.traceback:
            out["error"]["traceback"] = entry.traceback
    if isinstance(entry, UnverifiedInteraction):
        out["reason"] = entry.reason
    if entry.notes:
        out["notes"] = list(entry.notes)
    if entry.comments:
        out["comments"] = _jsonable(dict(entry.comments))
    return out


def _failure_json(entry: FailedInteraction) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mismatchGroups": [
            {"path": group.path, "count": len(group.mismatches), "message": group.first.message}
            for group in group_mismatches(entry.mismatches)
        ],
    }
    if entry.request is not None:
        out["request"] = {
            "method": entry.request.method,
            "path": entry.request.path,
            "query": [list(pair) for pair in entry.request.query],
            "headers": [list(pair) for pair in entry.request.headers],
        }
    if entry.body_excerpts:
        out["bodyExcerpts"] = [
            {
                "path": excerpt.path,
                "expected": _jsonable(excerpt.expected),
                **({"actual": _jsonable(excerpt.actual)} if excerpt.present else {}),
                "present": excerpt.present,
            }
            for excerpt in entry.body_excerpts
        ]
    return out


def verification_report_json(result: ContractVerificationResult) -> dict[str, Any]:
    """The result as a JSON-ready dict, for CI tooling.

    Returns:
        ``{"provider", "consumer", "success", "summary": {...}, "notices": [...],
        "interactions": [...]}`` where each interaction has its ``status``
        (``passed``, ``failed``, ``error`` or ``not verified`` with its
        ``reason``), its ``mismatches`` or ``error``
        (with the app's ``traceback`` when it raised), and its duration.
    """
    entries = result.entries
    return {
        "provider": result.provider,
        "consumer": result.consumer,
        "success": result.success,
        "summary": {
            "total": result.total,
            "passed": len(result.passed),
            "failed": len(result.failed),
            "errors": len(result.errors),
            "notVerified": len(result.unverified),
            "pending": sum(1 for e in entries if e.pending),
        },
        "notices": list(result.notices),
        "interactions": [_entry_json(entry) for entry in entries],
    }


# XML 1.0 cannot hold most control characters, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _case_name(entry: InteractionResult) -> str:
    if not entry.states:
        return _xml_text(entry.description)
    given = " and ".join(entry.state_names)
    return _xml_text(f"{entry.description} (given {given})")


def _failure_text(entry: FailedInteraction) -> str:
    return "\n".join(line.removeprefix(_INDENT) for line in _failure_lines(entry))


def _suite(part: ContractVerificationResult) -> ET.Element:
    entries = part.entries
    suite = ET.Element("testsuite")
    suite.set("name", _xml_text(f"{part.consumer} -> {part.provider}"))
    suite.set("tests", str(len(entries)))
    pending_bad = [e for e in (*part.failed, *part.errors, *part.unverified) if e.pending]
    failing = (*part.failed, *part.unverified)
    suite.set("failures", str(sum(1 for e in failing if not e.pending)))
    suite.set("errors", str(sum(1 for e in part.errors if not e.pending)))
    suite.set("skipped", str(len(pending_bad)))
    suite.set("time", f"{sum(e.duration for e in entries):.3f}")
    for entry in entries:
        case = ET.SubElement(suite, "testcase")
        case.set("classname", _xml_text(f"{part.provider}.{entry.consumer or part.consumer}"))
        case.set("name", _case_name(entry))
        case.set("time", f"{entry.duration:.3f}")
        if isinstance(entry, FailedInteraction):
            detail = _failure_text(entry)
            first = entry.mismatches[0].message if entry.mismatches else "mismatch"
            tag = "skipped" if entry.pending else "failure"
            node = ET.SubElement(case, tag)
            node.set("message", _xml_text(f"{len(entry.mismatches)} mismatch(es): {first}"))
            if not entry.pending:
                node.set("type", "mismatch")
            node.text = _xml_text(detail)
        elif isinstance(entry, UnverifiedInteraction):
            # Not checked is not passed: a failure (pending: skipped), with the reason.
            node = ET.SubElement(case, "skipped" if entry.pending else "failure")
            node.set("message", _xml_text(f"not verified: {entry.reason}"))
            if not entry.pending:
                node.set("type", "not verified")
            node.text = _xml_text(f"Not verified: {entry.reason}")
        elif isinstance(entry, ErroredInteraction):
            tag = "skipped" if entry.pending else "error"
            node = ET.SubElement(case, tag)
            node.set("message", _xml_text(entry.message))
            if not entry.pending:
                node.set("type", entry.phase)
            node.text = _xml_text(
                "\n".join(
                    [
                        f"Error during {entry.phase}: {entry.message}",
                        *([entry.traceback] if entry.traceback else []),
                        *entry.notes,
                    ]
                )
            )
    return suite


def verification_report_junit(result: ContractVerificationResult) -> str:
    """The result as JUnit XML: one ``testsuite`` per consumer, one ``testcase`` per interaction.

    A failing pending interaction is reported as ``skipped`` (it does not fail
    the build), with the reason.

    Returns:
        The XML document as text, with an XML declaration.
    """
    root = ET.Element("testsuites")
    root.set("name", _xml_text(f"pact verification of {result.provider}"))
    parts = result.by_consumer() or {result.consumer: result}
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for part in parts.values():
        suite = _suite(part)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
