r"""XML bodies with matchers: describe the elements, get the example and the rules.

A request or response body may be an XML document built from `element` calls
and wrapped in `body`. Attribute values and text may be matchers
(`pactdsl.match`) or generators (`pactdsl.generate`); `.each()` marks an element
that repeats:

```python
from pactdsl import interaction, xml
from pactdsl.match import integer, regex

interaction("list users").request(method="GET", path="/users").responds(
    status=200,
    body=xml.body(
        xml.element(
            "users",
            xml.element(
                "user",
                xml.element("name", text=regex(r"\w+", "Ann")),
                attrs={"id": integer(1)},
            ).each(min=1),
        )
    ),
)
```

The pact file then holds the example document (with an XML declaration), the
Content-Type ``application/xml`` (unless the interaction sets an XML type of
its own) and Pact's XML rule paths: ``$.users.user`` for the repeated element
(a ``type`` rule with its ``min``/``max``), ``$.users.user['@id']`` for an
attribute and ``$.users.user.name['#text']`` for text. Paths name elements and
attributes by their local names, without namespace prefixes or indices.

Namespaces are attributes: ``attrs={"xmlns": "urn:books"}`` or
``attrs={"xmlns:bk": "urn:books"}`` with ``element("bk:book", ...)``.
Matchers compare namespaced elements by namespace URI, never by prefix.
"""

from __future__ import annotations

import re as _re
import typing as _typing
from collections.abc import Mapping as _Mapping
from xml.etree import ElementTree as _ElementTree

import attrs as _attrs

from pactdsl._errors import InvalidMatcher as _InvalidMatcher
from pactdsl._generators import Generator as _Generator
from pactdsl._matchers import UNSET as _UNSET
from pactdsl._matchers import Matcher as _Matcher
from pactdsl._matchers import RuleGroup as _RuleGroup
from pactdsl._matchers import _call_repr, _TypeMatcher
from pactdsl._rulepath import rule_path_child as _rule_path_child

if _typing.TYPE_CHECKING:
    from typing import Any

__all__ = ["XML_CONTENT_TYPE", "XML_DECLARATION", "XmlBody", "XmlElement", "body", "element"]

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
"""The declaration every example document starts with."""

XML_CONTENT_TYPE = "application/xml"
"""The Content-Type an XML body gets when the interaction sets none."""

# An XML name with an optional namespace prefix; letters in any script.
_NAME = _re.compile(r"(?:[^\W\d][\w.\-]*:)?[^\W\d][\w.\-]*")
_ATTRIBUTE_ESCAPES = {
    '"': "&quot;",
    "<": "&lt;",
    ">": "&gt;",
    # Parsers turn these into blanks inside attribute values unless escaped.
    "\n": "&#10;",
    "\r": "&#13;",
    "\t": "&#9;",
}
_TEXT_ESCAPES = {"<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _escape(text: str, extra: _Mapping[str, str]) -> str:
    text = text.replace("&", "&amp;")
    for char, entity in extra.items():
        text = text.replace(char, entity)
    return text


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _is_namespace_declaration(name: str) -> bool:
    return name == "xmlns" or name.startswith("xmlns:")


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        msg = (
            f"{what}={name!r} is not an XML name; use letters, digits, '_', '-' and '.', "
            "starting with a letter or '_', with at most one 'prefix:'"
        )
        raise _InvalidMatcher(msg)
    return name


def _text_of(value: Any, where: str) -> str:
    """The XML text of a plain value (bool as true/false, numbers as Python writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    msg = (
        f"{where}: value={value!r} ({type(value).__name__}) cannot be XML text; give a str, "
        "a number, a boolean, or a matcher or generator whose example is one of those"
    )
    raise _InvalidMatcher(msg)


def _check_value(value: Any, where: str) -> None:
    """Fail at once on a value (or matcher example) that has no XML text form."""
    if isinstance(value, _Matcher | _Generator):
        example = value.example_value()
        if example is _UNSET or example is None or isinstance(example, dict | list | tuple):
            msg = (
                f"{where}: {value!r} has the example {example!r}, which is not XML text; "
                "use a matcher with a str, number or boolean example (like('a'), "
                "integer(1), regex(r'\\d+', '7')); repeat elements with .each()"
            )
            raise _InvalidMatcher(msg)
        _text_of(example, where)
    else:
        _text_of(value, where)


# `each()` takes `min`/`max` parameters, as pact-python's does; these keep the builtins.
_builtin_max = max


@_attrs.frozen
class _Repeat:
    min: int
    max: int | None
    examples: int


@_attrs.frozen(repr=False)
class XmlElement:
    """One XML element: a name, attributes, text and child elements.

    Made by `element`; immutable, so one element may appear in several
    documents. `each` returns a repeated copy.
    """

    name: str
    children: tuple[XmlElement, ...] = ()
    attributes: tuple[tuple[str, Any], ...] = ()
    text: Any = None
    repeat: _Repeat | None = None

    def __repr__(self) -> str:
        text = _call_repr(
            "xml.element",
            self.name,
            *self.children,
            attrs=dict(self.attributes) if self.attributes else _UNSET,
            text=_UNSET if self.text is None else self.text,
        )
        if self.repeat is not None:
            text += "." + _call_repr(
                "each",
                min=self.repeat.min,
                max=_UNSET if self.repeat.max is None else self.repeat.max,
                examples=_UNSET
                if self.repeat.examples == _builtin_max(self.repeat.min, 1)
                else self.repeat.examples,
            )
        return text

    def each(self, min: int = 1, max: int | None = None, examples: int | None = None) -> XmlElement:
        """This element repeated: its parent holds `min` to `max` elements like it.

        The pact gets a ``type`` rule with ``min`` (and ``max``) at the
        element's path, and the example document `examples` copies of it.

        Args:
            min: The fewest such elements the parent may hold (0 or more).
            max: The most, or None for no limit.
            examples: How many copies the example holds; by default `min`
                (at least 1, so the example shows the element's shape).

        Raises:
            InvalidMatcher: If the bounds are not whole numbers, ``max < min``,
                or the example count falls outside them.
        """
        where = f"element({self.name!r}).each()"
        for label, value in (("min", min), ("max", max), ("examples", examples)):
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                msg = f"{where}: {label}={value!r} must be a whole number >= 0"
                raise _InvalidMatcher(msg)
        if max is not None and max < min:
            msg = f"{where}: cannot have max={max} < min={min}; swap them or drop max"
            raise _InvalidMatcher(msg)
        if max == 0:
            msg = f"{where}: max=0 allows no element at all; leave the element out instead"
            raise _InvalidMatcher(msg)
        count = examples if examples is not None else _builtin_max(min, 1)
        if count < _builtin_max(min, 1) or (max is not None and count > max):
            upper = "" if max is None else f" and at most max={max}"
            msg = (
                f"{where}: examples={count} must be at least min={min} (and 1){upper}, "
                "so the example document satisfies its own rule"
            )
            raise _InvalidMatcher(msg)
        return _attrs.evolve(self, repeat=_Repeat(min, max, count))


def element(
    name: str,
    *children: XmlElement,
    attrs: _Mapping[str, Any] | None = None,
    text: Any = None,
) -> XmlElement:
    """An XML element for `body`.

    ```python
    from pactdsl import xml
    from pactdsl.match import integer, like

    book = xml.element("book", xml.element("title", text=like("Dune")), attrs={"id": integer(7)})
    ```

    Args:
        name: The element's name, with a namespace prefix if any (``"bk:book"``).
        *children: Child elements, in order.
        attrs: Attribute name to value: text, a number, a boolean, a matcher or a
            generator. Namespace declarations (``xmlns``, ``xmlns:prefix``) are
            attributes too, with plain URI values.
        text: The element's text (written before its children): a plain value,
            a matcher or a generator.

    Raises:
        InvalidMatcher: naming the element and the value at fault.
    """
    _check_name(name, "element name")
    where = f"element({name!r})"
    for index, child in enumerate(children):
        if not isinstance(child, XmlElement):
            hint = (
                f"; pass text as element({name!r}, text={child!r})"
                if isinstance(child, str | int | float | _Matcher | _Generator)
                else ""
            )
            msg = f"{where}: child {index} is {child!r}, not an xml.element(...){hint}"
            raise _InvalidMatcher(msg)
    attributes: list[tuple[str, Any]] = []
    if attrs is not None:
        if not isinstance(attrs, _Mapping):
            msg = f"{where}: attrs={attrs!r} must be a mapping of attribute name to value"
            raise _InvalidMatcher(msg)
        for key, value in attrs.items():
            _check_name(key, f"{where}: attribute name")
            if _is_namespace_declaration(key) and not isinstance(value, str):
                msg = f"{where}: namespace declaration {key}={value!r} must be a plain URI string"
                raise _InvalidMatcher(msg)
            _check_value(value, f"{where}: attribute {key!r}")
            attributes.append((key, value))
    if text is not None:
        _check_value(text, f"{where}: text")
    return XmlElement(name, tuple(children), tuple(attributes), text)


# --------------------------------------------------------------------------
# A document: the example text, the rules and the generators, made once.


class _Builder:
    """Walks the elements once, writing the example and collecting rules and generators."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.rules: dict[str, _RuleGroup] = {}
        self.generators: dict[str, _Generator] = {}

    def put_rule(self, path: str, group: _RuleGroup, where: str) -> None:
        old = self.rules.get(path)
        if old is not None and old != group:
            msg = (
                f"{where}: two elements share the rule path {path} with different rules "
                f"({old.to_json()['matchers']} and {group.to_json()['matchers']}); Pact's XML "
                "paths have no indices, so give same-named siblings the same matchers, or "
                "use one element with .each()"
            )
            raise _InvalidMatcher(msg)
        self.rules[path] = group

    def value(self, value: Any, path: str, where: str) -> str:
        """Place a matcher or generator standing for an attribute value or text; its text."""
        if isinstance(value, _Matcher):
            self.put_rule(path, value.rule_group(), where)
            return _text_of(value.example_value(), where)
        if isinstance(value, _Generator):
            self.generators[path] = value
            implied = value.implied_matcher()
            if implied is not None:
                self.put_rule(path, implied.rule_group(), where)
            return _text_of(value.example_value(), where)
        return _text_of(value, where)

    def element(self, item: XmlElement, path: str) -> None:
        where = f"element({item.name!r}) at {path}"
        self.out.append("<" + item.name)
        for name, value in item.attributes:
            if _is_namespace_declaration(name):
                shown = str(value)
            else:
                shown = self.value(value, _rule_path_child(path, "@" + _local(name)), where)
            self.out.append(f' {name}="{_escape(shown, _ATTRIBUTE_ESCAPES)}"')
        text = None
        if item.text is not None:
            text = self.value(item.text, _rule_path_child(path, "#text"), where)
        if text is None and not item.children:
            self.out.append("/>")
            return
        self.out.append(">")
        if text is not None:
            self.out.append(_escape(text, _TEXT_ESCAPES))
        self._check_repeats(item, path)
        for child in item.children:
            child_path = _rule_path_child(path, _local(child.name))
            copies = 1
            if child.repeat is not None:
                rule = _TypeMatcher(min=child.repeat.min, max=child.repeat.max)
                self.put_rule(child_path, rule.rule_group(), f"element({child.name!r})")
                copies = child.repeat.examples
            for _ in range(copies):
                self.element(child, child_path)
        self.out.append(f"</{item.name}>")

    def _check_repeats(self, item: XmlElement, path: str) -> None:
        seen: dict[str, int] = {}
        for child in item.children:
            seen[_local(child.name)] = seen.get(_local(child.name), 0) + 1
        for child in item.children:
            if child.repeat is not None and seen[_local(child.name)] > 1:
                msg = (
                    f"element({child.name!r}) under {path} repeats with .each() and also "
                    f"has same-named siblings; one element({child.name!r}).each(...) stands "
                    "for all of them"
                )
                raise _InvalidMatcher(msg)


@_attrs.frozen(repr=False)
class XmlBody:
    """An XML document with matchers, ready for ``.request(body=...)`` or ``.responds(body=...)``.

    Made by `body`. The example text, rules and generators are made once, when
    the body is made, so errors surface where the document is written.
    """

    root: XmlElement
    _text: str = _attrs.field(eq=False)
    _rules: _Mapping[str, _RuleGroup] = _attrs.field(eq=False)
    _generators: _Mapping[str, _Generator] = _attrs.field(eq=False)

    def __repr__(self) -> str:
        return _call_repr("xml.body", self.root)

    def example_text(self) -> str:
        """The example document, starting with the XML declaration."""
        return self._text

    def rules(self) -> dict[str, _RuleGroup]:
        """The body's matching rules by Pact XML rule path (``$.root.child['@attr']``)."""
        return dict(self._rules)

    def generators(self) -> dict[str, _Generator]:
        """The body's generators by the same rule paths.

        pactdsl's mock provider and verifier regenerate values in JSON bodies
        only; in an XML body the example values are served as they are.
        """
        return dict(self._generators)

    @property
    def content_type(self) -> str:
        """The Content-Type the body gets when the interaction sets none."""
        return XML_CONTENT_TYPE


def body(root: XmlElement) -> XmlBody:
    """An XML body from its root element, for ``.request(body=...)`` / ``.responds(body=...)``.

    Args:
        root: The document's root element (made by `element`; not repeated).

    Returns:
        The body: its example text, matching rules and generators.

    Raises:
        InvalidMatcher: If the root is not an element or repeats, two
            same-named elements ask for different rules at one path, or the
            example document is not well-formed XML (an undeclared prefix...).
    """
    if not isinstance(root, XmlElement):
        msg = f"xml.body(root={root!r}): the root must be an xml.element(...)"
        raise _InvalidMatcher(msg)
    if root.repeat is not None:
        msg = (
            f"xml.body(element({root.name!r}).each(...)): a document has exactly one root "
            "element; call .each() on a child element instead"
        )
        raise _InvalidMatcher(msg)
    builder = _Builder()
    builder.element(root, _rule_path_child("$", _local(root.name)))
    text = XML_DECLARATION + "".join(builder.out)
    try:
        _ElementTree.fromstring(text.encode("utf-8"))
    except _ElementTree.ParseError as error:
        msg = (
            f"xml.body(element({root.name!r}, ...)): the example document is not well-formed "
            f"XML ({error}); declare each prefix with an xmlns:prefix attribute and avoid "
            "control characters"
        )
        raise _InvalidMatcher(msg) from None
    return XmlBody(root, text, builder.rules, builder.generators)
