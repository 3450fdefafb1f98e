"""The exceptions pactdsl raises.

    PactdslError
    ├── ContractError(ValueError)      a contract or interaction definition is wrong
    ├── InvalidMatcher(ValueError)     a matcher or generator factory got bad arguments
    ├── MissingExtra(ImportError)      a feature needs an optional extra (pactdsl[fuzz])
    ├── PactFileError(ValueError)      a pact file (or its JSON) is malformed
    └── PactSpecError(ValueError)      a contract does not fit the requested spec version

    PactCompatibilityWarning(UserWarning)  pactdsl accepts it, other Pact tools will not
    PactMergeWarning(UserWarning)          a merged pact file keeps interactions no one wrote

Each subclasses the builtin a caller would naturally catch, as attrs does.
"""

from __future__ import annotations

import traceback

__all__ = [
    "ContractError",
    "InvalidMatcher",
    "MissingExtra",
    "PactCompatibilityWarning",
    "PactFileError",
    "PactMergeWarning",
    "PactSpecError",
    "PactdslError",
    "user_traceback",
]


class PactdslError(Exception):
    """Base class of every error pactdsl raises on purpose."""


class ContractError(PactdslError, ValueError):
    """A contract or one of its interactions is defined wrongly."""


class InvalidMatcher(PactdslError, ValueError):
    """A matcher or generator factory was called with bad arguments."""


class MissingExtra(PactdslError, ImportError):
    """A feature needs a package that only one of pactdsl's extras installs."""


def require_extra(module: str, extra: str, feature: str) -> None:
    """Raise `MissingExtra` unless `module` is installed.

    Raises:
        MissingExtra: naming the feature, the missing package and the extra to install.
    """
    import importlib.util

    if importlib.util.find_spec(module) is None:
        msg = (
            f"{feature} needs {module}, which pactdsl installs only with its {extra!r} extra: "
            f"pip install 'pactdsl[{extra}]'"
        )
        raise MissingExtra(msg, name=module) from None


class PactFileError(PactdslError, ValueError):
    """A pact file is malformed; the message starts with the JSON path at fault."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)

    def __reduce__(self) -> tuple[type[PactFileError], tuple[str, str]]:
        # Pickled (multiprocessing, xdist) with the arguments __init__ takes, not the message.
        return type(self), (self.where, self.problem)


class PactSpecError(PactdslError, ValueError):
    """A contract uses a feature that the requested Pact spec version cannot hold."""


class PactCompatibilityWarning(UserWarning):
    """Something pactdsl handles that other Pact implementations reject.

    For example a regex with a look-ahead: pactdsl matches it, but the Rust
    regex engine behind pact-python 4, pact-js and the pact CLI verifiers
    cannot compile it, so their verification of the pact fails. Turn it into
    an error with ``warnings.simplefilter("error", PactCompatibilityWarning)``.
    """


# Frames of these packages are the machinery between pactdsl and the user's code: our
# own ASGI/WSGI drivers call apps through the event loop or a worker thread, no HTTP library.
_MACHINERY = frozenset({"pactdsl", "asyncio", "concurrent", "threading", "contextlib", "selectors"})


def user_traceback(raised: BaseException) -> str:
    """The traceback of an exception the user's code raised, from its first own frame.

    An app, a message producer or a consumer's handler is called through
    pactdsl (and the event loop or a worker thread): those leading frames say
    nothing about the user's code, so they are cut. Empty when no frame is
    the user's (pactdsl's own stand-ins).
    """
    if raised.__traceback__ is None:
        return ""
    walked = list(traceback.walk_tb(raised.__traceback__))
    start = next(
        (
            i
            for i, (frame, _) in enumerate(walked)
            if str(frame.f_globals.get("__name__", "")).split(".")[0] not in _MACHINERY
        ),
        None,
    )
    if start is None:
        return ""
    summary = traceback.StackSummary.extract(walked[start:])
    lines = [
        "Traceback (most recent call last):\n",
        *summary.format(),
        *traceback.format_exception_only(raised),
    ]
    return "".join(lines).rstrip("\n")


class PactMergeWarning(UserWarning):
    """A merged pact file keeps interactions the contract written into it does not produce.

    They are from another contract for the same consumer and provider, or
    interactions renamed or removed since the file was written, which the
    provider would still be asked to honour. ``mode="overwrite"`` drops them.
    """
