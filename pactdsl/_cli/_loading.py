"""Loading what the user names on the command line: modules, their attributes, contracts, pacts."""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pactdsl._cli._common import cannot_run

if TYPE_CHECKING:
    from pactdsl._dsl import Contract
    from pactdsl._model import Pact

__all__ = [
    "import_user_module",
    "load_attr",
    "load_contract_pact",
    "load_contracts",
    "load_source",
    "split_target",
]


def _loaded_from(path: Path) -> ModuleType | None:
    """The module already imported from the file `path`, by whatever name, if any."""
    for module in list(sys.modules.values()):
        origin = getattr(module, "__file__", None)
        if origin and origin.endswith(path.name):
            with contextlib.suppress(OSError):
                if Path(origin).resolve() == path:
                    return module
    return None


def import_user_module(spec: str) -> ModuleType:
    """Import `spec`: a dotted module name, or the path of a ``.py`` file.

    A file is imported once: the same module object serves ``svc.py`` and
    ``svc`` (and a second mention of either), so state set up through one
    reference is what the app of the other reads.
    """
    candidate = Path(spec)
    if spec.endswith(".py") or candidate.is_file():
        if not candidate.is_file():
            cannot_run(f"module file {spec!r} does not exist")
        resolved = candidate.resolve()
        folder = str(resolved.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)  # so the file's sibling imports work
        already = _loaded_from(resolved)
        if already is not None:
            return already
        name = candidate.stem
        if name in sys.modules:
            # Another module owns the name (a stdlib `test`, a package module): keep it.
            name = f"_pactdsl_file_{abs(hash(str(resolved))):x}_{candidate.stem}"
        loaded = importlib.util.spec_from_file_location(name, resolved)
        if loaded is None or loaded.loader is None:
            cannot_run(f"cannot import {spec!r} as a Python module")
        module = importlib.util.module_from_spec(loaded)
        sys.modules[name] = module
        try:
            loaded.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]  # no half-imported module for the next reference
            raise
        return module
    cwd = _put_cwd_on_path()
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as exc:
        if exc.name and spec.startswith(exc.name):
            cannot_run(
                f"module={spec!r} not found (from {cwd}); give a dotted module name "
                "importable from here, or the path of a .py file"
            )
        raise


def _put_cwd_on_path() -> str:
    """Put the current folder on sys.path, as ``python -m`` does; return it."""
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)  # so modules beside you import
    return cwd


def split_target(target: str) -> tuple[str, str | None]:
    """MODULE and ATTR of ``MODULE:ATTR``; ATTR is None when not given."""
    # "C:\\x.py" style drive letters are not a concern on the platforms we run on,
    # but a path with ":" after its last separator is a MODULE:ATTR spec.
    module, sep, attr = target.rpartition(":")
    if not sep or not module:
        return target, None
    return module, attr or None


def load_attr(target: str, what: str) -> Any:
    """Load ``MODULE:ATTR`` (ATTR may be dotted, e.g. ``app.set_up_state``)."""
    module_name, attr = split_target(target)
    if attr is None:
        cannot_run(f"{what}={target!r} must look like MODULE:ATTR, e.g. 'myapp:app'")
    module = import_user_module(module_name)
    try:
        return functools.reduce(getattr, attr.split("."), module)
    except AttributeError:
        cannot_run(f"{what}={target!r}: module {module_name!r} has no attribute {attr!r}")


def load_contracts(target: str) -> list[Contract]:
    """The contracts named by ``MODULE[:CONTRACT]``: one, or every one the module defines."""
    from pactdsl._dsl import Contract, get_contract

    module_name, attr = split_target(target)
    module = import_user_module(module_name)
    if attr is not None:
        found = getattr(module, attr, None)
        if isinstance(found, Contract):
            return [found]
        try:
            return [get_contract(attr)]
        except KeyError:
            cannot_run(f"{target!r}: module {module_name!r} defines no contract {attr!r}")
    found_all = [value for value in vars(module).values() if isinstance(value, Contract)]
    if not found_all:
        cannot_run(
            f"module {module_name!r} defines no contract; declare one with @contract "
            "or define_contract, or name it as MODULE:CONTRACT"
        )
    return list({id(c): c for c in found_all}.values())


def load_source(source: str, *, one: bool) -> Any:
    """A pact file or folder path as it is, else the contract(s) of ``MODULE[:CONTRACT]``."""
    path = Path(source)
    if path.exists() and path.suffix != ".py":
        return path
    if source.endswith(".json") or not ("." in source or ":" in source or source.isidentifier()):
        cannot_run(
            f"source={source!r} is neither an existing pact file or folder nor MODULE:CONTRACT"
        )
    found = load_contracts(source)
    if one and len(found) > 1:
        names = ", ".join(sorted(c.name for c in found))
        cannot_run(f"{source!r} defines several contracts ({names}); name one: MODULE:NAME")
    return found[0] if one else found


def load_contract_pact(target: str) -> tuple[Pact, str]:
    """The pact named by ``--contract``, and how to call it in the report.

    `target` is a pact file, ``MODULE:NAME``, a registered contract's name, or
    a module that defines exactly one contract.
    """
    from pactdsl._dsl import Contract, contracts
    from pactdsl._pactfile import load_pact

    path = Path(target)
    if path.is_file() and path.suffix != ".py":
        return load_pact(path), f"pact file {target}"
    if target.endswith(".py") or ".py:" in target:  # a contract module by path, as generate takes
        defined = load_contracts(target)
        if len(defined) > 1:
            names = ", ".join(sorted(c.name for c in defined))
            cannot_run(
                f"--contract={target!r} defines several contracts ({names}); name one: "
                f"{target.split(':', maxsplit=1)[0]}:NAME"
            )
        return defined[0].pact, f"contract {defined[0].name}"
    if target.endswith(".json"):
        cannot_run(f"--contract={target!r}: pact file {target!r} does not exist")
    if ":" not in target:
        registered = contracts()
        if target in registered:
            return registered[target].pact, f"contract {target}"
        _put_cwd_on_path()  # as for MODULE:NAME: modules beside you import
        try:
            found = importlib.util.find_spec(target)
        except (ImportError, ValueError):  # a parent package is missing, or not a module name
            found = None
        if found is None:
            cannot_run(
                f"--contract={target!r} is neither a registered contract "
                f"(registered: {sorted(registered) or 'none'}), a module, nor a pact file; "
                "give MODULE:NAME, e.g. myapp.contracts:payment_service_contract"
            )
    loaded = load_source(target, one=True)
    if not isinstance(loaded, Contract):
        return load_pact(loaded), f"pact file {target}"
    return loaded.pact, f"contract {loaded.name}"
