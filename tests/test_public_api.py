"""The public surface: each public module's __all__ is complete and sorted."""

from __future__ import annotations

import types
import typing

import pytest

import pactdsl
import pactdsl.broker
import pactdsl.generate
import pactdsl.match

_MISSING = object()


def _public(module: types.ModuleType) -> set[str]:
    """Names a user can import: those `dir()` shows (lazy ones too), minus plumbing."""
    names = set(dir(module))
    return {
        name
        for name in names
        if not name.startswith("_")
        and name != "annotations"  # `from __future__ import annotations`
        and not isinstance(getattr(module, name), types.ModuleType)
        # typing helpers imported for annotations (Any, TYPE_CHECKING) are not API.
        and getattr(typing, name, _MISSING) is not getattr(module, name)
    }


def _isort_key(name: str) -> tuple[int, str]:
    """CONSTANTS first, then Classes, then functions; each group in plain order."""
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize(
    "module", [pactdsl, pactdsl.match, pactdsl.generate], ids=lambda m: m.__name__
)
def test_all_is_complete_and_sorted(module: types.ModuleType) -> None:
    """__all__ lists exactly the module's public attributes, sorted as ruff's RUF022 wants."""
    assert set(module.__all__) == _public(module)
    assert list(module.__all__) == sorted(module.__all__, key=_isort_key)
    assert len(set(module.__all__)) == len(module.__all__)


def test_broker_namespace_holds_only_its_api() -> None:
    """pactdsl.broker binds no helper (Any, Mapping, contextmanager, annotations, ...) publicly."""
    module = pactdsl.broker
    bound = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    lazy = {"PactBrokerClient"}  # loaded on first use: it pulls in httpx
    assert bound == set(module.__all__) - lazy
    assert {getattr(module, name).__name__ for name in lazy} == lazy
    assert list(module.__all__) == sorted(module.__all__, key=_isort_key)
    assert len(set(module.__all__)) == len(module.__all__)


def test_exported_classes_say_pactdsl() -> None:
    """No exported class reports a private module (pactdsl._dsl) in reprs and tracebacks."""
    for name in pactdsl.__all__:
        value = getattr(pactdsl, name)
        if isinstance(value, type):
            assert not value.__module__.startswith("pactdsl._"), (name, value.__module__)


def test_version_is_available() -> None:
    """pactdsl.__version__ is a version string; unknown attributes raise AttributeError."""
    assert isinstance(pactdsl.__version__, str)
    assert pactdsl.__version__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = pactdsl.nope


def test_xml_module_all_is_complete_and_sorted() -> None:
    """pactdsl.xml's __all__ is complete and sorted, and its classes say pactdsl.xml."""
    import pactdsl.xml

    test_all_is_complete_and_sorted(pactdsl.xml)
    assert pactdsl.xml.__all__ == [
        "XML_CONTENT_TYPE",
        "XML_DECLARATION",
        "XmlBody",
        "XmlElement",
        "body",
        "element",
    ]
    assert pactdsl.xml.XmlBody.__module__ == pactdsl.xml.XmlElement.__module__ == "pactdsl.xml"


def test_multipart_module_all_is_complete_and_sorted() -> None:
    """pactdsl.multipart's __all__ is complete and sorted, and its classes say pactdsl.multipart."""
    import pactdsl.multipart

    test_all_is_complete_and_sorted(pactdsl.multipart)
    assert pactdsl.multipart.MultipartBody.__module__ == "pactdsl.multipart"
