"""The public surface: each public module's __all__ is complete and sorted."""

from __future__ import annotations

import ast
import importlib
import pickle
import subprocess
import sys
import textwrap
import types
import typing
from pathlib import Path

import griffe
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
    lazy = {"PactBrokerClient"}  # loaded on first use: it imports http.client, ssl, asyncio
    assert bound == set(module.__all__) - lazy
    assert {getattr(module, name).__name__ for name in lazy} == lazy
    assert list(module.__all__) == sorted(module.__all__, key=_isort_key)
    assert len(set(module.__all__)) == len(module.__all__)


def _type_checking_imports() -> list[tuple[str, str, str | None]]:
    """(module, name, alias) of each import in pactdsl/__init__.py's `if TYPE_CHECKING:` block."""
    tree = ast.parse(Path(pactdsl.__file__ or "").read_text(encoding="utf-8"))
    (block,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    found = []
    for statement in block.body:
        assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
        found += [(statement.module or "", a.name, a.asname) for a in statement.names]
    return found


def test_type_checking_imports_are_the_table() -> None:
    """The imports type checkers read are the table's rows, each re-exported as `X as X`."""
    imports = _type_checking_imports()
    assert [(name, alias) for _, name, alias in imports if alias != name] == []
    assert {name: module for module, name, _ in imports} == pactdsl._PUBLIC
    assert len(imports) == len(pactdsl._PUBLIC)


def test_all_and_the_lazy_loader_come_from_the_table() -> None:
    """__all__ is the table's names in order, and each loads from the module the table names."""
    assert pactdsl.__all__ == list(pactdsl._PUBLIC)
    for name, module in pactdsl._PUBLIC.items():
        assert getattr(pactdsl, name) is getattr(importlib.import_module(module), name), name


def test_every_exported_object_says_pactdsl() -> None:
    """Each exported class and function reports module pactdsl (reprs, tracebacks, pickles)."""
    wrong = {
        name: getattr(pactdsl, name).__module__
        for name in pactdsl.__all__
        if getattr(pactdsl, name).__module__ != "pactdsl"
    }
    assert wrong == {}
    assert repr(pactdsl.PactSpec) == "<enum 'PactSpec'>"
    assert str(pactdsl.Contract) == "<class 'pactdsl.Contract'>"


def test_exports_say_pactdsl_when_their_private_module_was_imported_first() -> None:
    """In a fresh interpreter that imports only the private modules, their exports say pactdsl.

    Only those: anything else of pactdsl that claimed the name would not be found there.
    """
    code = textwrap.dedent(
        """
        import importlib, sys, types
        import pactdsl
        modules = sorted(set(pactdsl._PUBLIC.values()))
        for module in modules:
            importlib.import_module(module)
        wrong = {
            name: getattr(sys.modules[module], name).__module__
            for name, module in pactdsl._PUBLIC.items()
            if getattr(sys.modules[module], name).__module__ != "pactdsl"
        }
        assert wrong == {}, wrong
        exported = {id(getattr(sys.modules[m], n)) for n, m in pactdsl._PUBLIC.items()}
        claiming = sorted(
            f"{module_name}.{name}"
            for module_name, module in list(sys.modules.items())
            if module_name.startswith("pactdsl.")
            for name, value in vars(module).items()
            if isinstance(value, (type, types.FunctionType))
            and value.__module__ == "pactdsl"
            and id(value) not in exported
        )
        assert claiming == [], claiming
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr


# The exported exceptions whose __init__ takes more than the message.
_EXCEPTION_ARGUMENTS: dict[str, tuple[object, ...]] = {
    "MockMismatchError": ("2 problems", []),
    "PactFileError": ("interactions[0].request", "is not an object"),
}


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in pactdsl.__all__
        if isinstance(getattr(pactdsl, n), type) and issubclass(getattr(pactdsl, n), BaseException)
    ],
)
def test_exported_exceptions_pickle(name: str) -> None:
    """An exported exception survives pickling (multiprocessing, xdist) with its attributes."""
    error = getattr(pactdsl, name)(*_EXCEPTION_ARGUMENTS.get(name, ("it broke",)))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), copy.args, vars(copy)) == (str(error), error.args, vars(error))


def test_exported_objects_pickle_by_reference() -> None:
    """Every exported class and function pickles as pactdsl.<its name> and unpickles to itself."""
    for name in pactdsl.__all__:
        value = getattr(pactdsl, name)
        assert f"pactdsl\n{value.__name__}".encode() in pickle.dumps(value, protocol=0), name
        assert pickle.loads(pickle.dumps(value)) is value, name


def test_the_docs_reader_sees_exactly_the_exports() -> None:
    """The API reference's static reader (griffe, with the site's extension) lists __all__."""
    package = griffe.load(
        "pactdsl",
        search_paths=[str(Path(pactdsl.__file__ or "").parent.parent)],
        extensions=griffe.load_extensions("griffe_public_redundant_aliases"),
    )
    public = {
        name
        for name, member in package.members.items()
        if member.is_public and not member.is_module and not name.startswith("__")
    }
    assert public == set(pactdsl.__all__)
    # The reference leaves out a member without a docstring.
    assert [name for name in public if not package.members[name].docstring] == []


def test_create_mock_provider_is_the_seeds_name_for_mock_provider() -> None:
    """The Pact workflow's create_mock_provider is mock_provider itself, not a second copy."""
    assert pactdsl.create_mock_provider is pactdsl.mock_provider


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
