r"""A small Gherkin reader for the Pact compatibility suite's feature files.

It understands what those files use and a little more: `Feature`, `Background`,
`Scenario` (and `Example`), tags, `Given/When/Then/And/But/*` steps, data tables
(with `\|`, `\\` and `\n` escapes in cells), doc strings (three double quotes or
three backticks, with an optional media type) and `#` comments. Scenario
Outlines and `Rule:` blocks are refused with a clear error, because no feature
of the suite uses them and reading them half-way would hide scenarios.
"""

from __future__ import annotations

from pathlib import Path

import attrs

__all__ = ["Feature", "GherkinError", "Scenario", "Step", "parse_feature", "read_feature"]

_STEP_KEYWORDS = ("Given", "When", "Then", "And", "But", "*")


class GherkinError(ValueError):
    """Raised when a feature file holds something this reader does not understand."""


@attrs.frozen
class Step:
    """One step of a scenario.

    Attributes:
        keyword: The keyword as written (`Given`, `And`, ...).
        kind: The effective kind (`given`, `when` or `then`): `And`/`But`
            take the kind of the step before.
        text: The step text after the keyword.
        table: The data table rows (cells stripped and unescaped), or None.
        doc_string: The doc string content, or None.
        line: The 1-based line of the step in the file.
    """

    keyword: str
    kind: str
    text: str
    table: tuple[tuple[str, ...], ...] | None = None
    doc_string: str | None = None
    line: int = 0

    def table_dicts(self) -> list[dict[str, str]]:
        """Return the table as one dict per data row, keyed by the header row.

        Returns:
            The rows after the first, as `{header: cell}`.

        Raises:
            GherkinError: If the step has no table.
        """
        if not self.table:
            raise GherkinError(f"step at line {self.line} ({self.text!r}) has no data table.")
        header, *rows = self.table
        return [dict(zip(header, row, strict=True)) for row in rows]


@attrs.frozen
class Scenario:
    """One scenario, with the feature's background steps first.

    Attributes:
        name: The scenario title.
        tags: Tags of the feature and the scenario, without `@`.
        steps: Background steps, then the scenario's own steps.
        line: The 1-based line of the `Scenario:` keyword.
    """

    name: str
    tags: tuple[str, ...]
    steps: tuple[Step, ...]
    line: int


@attrs.frozen
class Feature:
    """A parsed feature file.

    Attributes:
        name: The feature title.
        tags: The feature's tags, without `@`.
        scenarios: The scenarios in file order.
    """

    name: str
    tags: tuple[str, ...]
    scenarios: tuple[Scenario, ...]


def _split_row(line: str, number: int) -> tuple[str, ...]:
    body = line.strip()
    if not body.endswith("|") or len(body) < 2:
        raise GherkinError(f"table row at line {number} must start and end with '|': {line!r}")
    cells: list[str] = []
    current: list[str] = []
    position = 1
    while position < len(body):
        char = body[position]
        if char == "\\" and position + 1 < len(body):
            following = body[position + 1]
            current.append({"|": "|", "\\": "\\", "n": "\n"}.get(following, "\\" + following))
            position += 2
            continue
        if char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        position += 1
    return tuple(cells)


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source
        self.position = 0

    def error(self, message: str) -> GherkinError:
        return GherkinError(f"{self.source}:{self.position + 1}: {message}")

    def read(self) -> Feature:
        feature_name: str | None = None
        feature_tags: tuple[str, ...] = ()
        pending_tags: list[str] = []
        background: list[Step] = []
        scenarios: list[tuple[str, tuple[str, ...], list[Step], int]] = []
        current: list[Step] | None = None
        last_kind: str | None = None
        while self.position < len(self.lines):
            raw = self.lines[self.position]
            line = raw.strip()
            number = self.position + 1
            if not line or line.startswith("#"):
                self.position += 1
                continue
            if line.startswith("@"):
                pending_tags.extend(tag.lstrip("@") for tag in line.split() if tag.startswith("@"))
                self.position += 1
                continue
            keyword, colon, rest = line.partition(":")
            if colon and keyword == "Feature":
                feature_name, feature_tags = rest.strip(), tuple(pending_tags)
                pending_tags = []
                current = None
            elif colon and keyword == "Background":
                current, last_kind = background, None
            elif colon and keyword in ("Scenario", "Example"):
                current, last_kind = [], None
                scenarios.append((rest.strip(), tuple(pending_tags), current, number))
                pending_tags = []
            elif colon and keyword in ("Scenario Outline", "Scenario Template", "Rule"):
                raise self.error(f"'{keyword}:' is not supported by this reader.")
            elif line.startswith(("|", '"""', "```")):
                raise self.error("a table or doc string must follow a step.")
            else:
                first = line.split(maxsplit=1)[0]
                if first in _STEP_KEYWORDS:
                    if current is None:
                        raise self.error(f"step {line!r} outside a Background or Scenario.")
                    kind = first.lower() if first in ("Given", "When", "Then") else last_kind
                    if kind is None:
                        raise self.error(
                            f"step {line!r} starts with {first!r} but follows no step."
                        )
                    last_kind = kind
                    self.position += 1
                    table, doc_string = self._arguments()
                    current.append(
                        Step(first, kind, line[len(first) :].strip(), table, doc_string, number)
                    )
                    continue
                if current is not None and current:
                    raise self.error(f"cannot read {line!r}.")
                # Free description text under Feature/Scenario: ignored.
            self.position += 1
        if feature_name is None:
            raise GherkinError(f"{self.source}: no 'Feature:' line.")
        return Feature(
            feature_name,
            feature_tags,
            tuple(
                Scenario(name, feature_tags + tags, tuple(background) + tuple(steps), line)
                for name, tags, steps, line in scenarios
            ),
        )

    def _arguments(self) -> tuple[tuple[tuple[str, ...], ...] | None, str | None]:
        rows: list[tuple[str, ...]] = []
        while self.position < len(self.lines):
            line = self.lines[self.position].strip()
            if line.startswith("#") and not rows:
                self.position += 1
                continue
            if not line.startswith("|"):
                break
            row = _split_row(line, self.position + 1)
            if rows and len(row) != len(rows[0]):
                raise self.error(f"table row has {len(row)} cells, the header has {len(rows[0])}.")
            rows.append(row)
            self.position += 1
        if rows:
            return tuple(rows), None
        if self.position < len(self.lines):
            raw = self.lines[self.position]
            line = raw.strip()
            for fence in ('"""', "```"):
                if line.startswith(fence):
                    return None, self._doc_string(raw, fence)
        return None, None

    def _doc_string(self, opening: str, fence: str) -> str:
        indent = len(opening) - len(opening.lstrip())
        start = self.position + 1
        self.position = start
        while self.position < len(self.lines):
            if self.lines[self.position].strip() == fence:
                content = [
                    line[indent:] if line[:indent].strip() == "" else line.lstrip()
                    for line in self.lines[start : self.position]
                ]
                self.position += 1
                text = "\n".join(content)
                return text.replace("\\" + fence[0] * 3, fence) if fence == '"""' else text
            self.position += 1
        raise GherkinError(f"{self.source}:{start}: doc string opened with {fence} never closes.")


def parse_feature(text: str, source: str = "<feature>") -> Feature:
    """Parse the text of a feature file.

    Args:
        text: The Gherkin text.
        source: A name for error messages (usually the file path).

    Returns:
        The feature with its scenarios (background steps included in each).

    Raises:
        GherkinError: If the text uses something this reader does not support or
            is malformed, naming the line.
    """
    return _Reader(text, source).read()


def read_feature(path: Path) -> Feature:
    """Read and parse a feature file.

    Args:
        path: The `.feature` file.

    Returns:
        The parsed feature.

    Raises:
        GherkinError: If the file is malformed.
    """
    return parse_feature(path.read_text("utf-8"), str(path))
