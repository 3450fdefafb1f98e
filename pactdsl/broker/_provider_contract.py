"""Provider contracts: a provider's OpenAPI document, as published to the local broker.

"Bi-directional" contract testing: instead of verifying each pact against the
running provider, the provider publishes its OpenAPI (or Swagger 2) document,
with whether its own tests showed that it honours it (its *self-verification*),
and each consumer's pact is checked against that document with
`pactdsl.openapi.check_openapi`. This module reads a document for publishing
(one file, refused early when it cannot be checked) and runs one check; the
local broker stores both (`_local_contracts.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from pactdsl._errors import require_extra
from pactdsl.broker._errors import ProviderContractError

__all__ = [
    "ProviderContractDocument",
    "ProviderContractPublication",
    "check_against_contract",
    "check_summary",
]

DocumentFormat = Literal["json", "yaml"]

_CONTENT_TYPES: dict[str, str] = {"json": "application/json", "yaml": "application/yaml"}


def _require_openapi_extra(feature: str) -> None:
    for module in ("jsonschema", "referencing", "yaml"):
        require_extra(module, "openapi", feature)


@attrs.frozen
class ProviderContractPublication:
    """What publishing one provider contract recorded.

    Attributes:
        provider: The provider's name.
        provider_version: The provider version the document describes.
        contract_sha: SHA-256 of the document's bytes.
        filename: The document's file name (None for a document given as a dict).
        self_verified: Whether the provider's own tests showed it honours the document.
        notices: Messages from the broker, e.g. how the latest pacts fare against it.
    """

    provider: str
    provider_version: str
    contract_sha: str
    filename: str | None
    self_verified: bool
    notices: tuple[str, ...] = ()


@attrs.frozen
class ProviderContractDocument:
    """An OpenAPI document ready to store: its bytes as given, their format and hash.

    Attributes:
        content: The document's bytes, exactly as read.
        format: ``json`` or ``yaml``.
        content_type: The media type stored with it.
        filename: The file's name (no folder), or None for a dict.
        sha: SHA-256 of `content`.
    """

    content: bytes = attrs.field(repr=False)
    format: DocumentFormat
    content_type: str
    filename: str | None
    sha: str

    @property
    def name(self) -> str:
        """How messages name the document: its file name, or ``<dict>``."""
        return self.filename or "<dict>"

    @classmethod
    def from_source(
        cls,
        spec: str | os.PathLike[str] | Mapping[str, Any],
        provider: str,
        *,
        content_type: str | None = None,
    ) -> ProviderContractDocument:
        """Read and check `spec`: a JSON or YAML file's path, or the parsed document.

        The document must be an OpenAPI 3.0 or 3.1 or a Swagger 2.0 document
        that `check_openapi` reads, in one file: the broker stores the bytes,
        so a ``$ref`` to another file could not be followed later.

        Raises:
            MissingExtra: without the ``openapi`` extra.
            ProviderContractError: naming the file and what is wrong with it.
        """
        _require_openapi_extra("publish_provider_contract()")
        from pactdsl._model import Pact
        from pactdsl.openapi import OpenAPIDocumentError, check_openapi
        from pactdsl.openapi._document import load_document, refs_in

        fmt: DocumentFormat
        if isinstance(spec, Mapping):
            try:
                content = json.dumps(spec, indent=2, ensure_ascii=False).encode("utf-8")
            except (TypeError, ValueError) as exc:
                msg = f"spec=<dict> cannot be published: it is not JSON ({exc})"
                raise ProviderContractError(msg) from None
            filename, fmt = None, "json"
        elif isinstance(spec, str | os.PathLike):
            path = Path(spec)
            try:
                content = path.read_bytes()
            except OSError as exc:
                msg = (
                    f"spec={os.fspath(spec)!r} cannot be read ({exc.strerror or exc}); give the "
                    "path of the provider's OpenAPI document (download a URL first)"
                )
                raise ProviderContractError(msg) from None
            filename, fmt = path.name, _format_of(path, content)
        else:
            msg = f"spec={spec!r} ({type(spec).__name__}) must be a file path or a dict"
            raise TypeError(msg)
        name = filename or "<dict>"
        try:
            # No interactions: this reads the document and its servers, nothing more.
            check_openapi(Pact(consumer="(publishing)", provider=provider), spec)
        except OpenAPIDocumentError as exc:
            text = " ".join(str(exc).split())  # YAML's marks span lines: keep one
            msg = f"spec={name!r} cannot be the provider contract of {provider}: {text}"
            raise ProviderContractError(msg) from None
        # check_openapi has just read it, so this read cannot fail.
        for pointer, ref in refs_in(load_document(spec).root):
            if not ref.startswith("#"):
                msg = (
                    f"spec={name!r}: $ref={ref!r} at #{pointer} names another document; a "
                    "provider contract is one file, so bundle it first (e.g. `redocly bundle`)"
                )
                raise ProviderContractError(msg)
        sha = hashlib.sha256(content).hexdigest()
        return cls(content, fmt, content_type or _CONTENT_TYPES[fmt], filename, sha)


def _format_of(path: Path, content: bytes) -> DocumentFormat:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return "json" if content.lstrip().startswith(b"{") else "yaml"


def check_against_contract(
    pact_text: str, content: bytes, filename: str | None, fmt: str
) -> tuple[bool, dict[str, Any]]:
    """Check a stored pact against a stored document: (passed, the result as JSON).

    A document or pact that cannot be read fails the check, with the problem
    as the result's ``problem``: never a pass. So does a pact with interactions
    an OpenAPI document cannot speak for (messages), or with none at all: a
    document vouches only for the HTTP interactions it was checked against.

    Raises:
        MissingExtra: without the ``openapi`` extra.
    """
    _require_openapi_extra("can-i-deploy against a provider contract")
    from pactdsl._errors import PactFileError
    from pactdsl.openapi import OpenAPIDocumentError, check_openapi

    name = filename or f"openapi.{fmt}"
    # check_openapi reads documents from files (its YAML loader keeps dates as
    # text); the stored bytes go to a private folder of their own.
    with tempfile.TemporaryDirectory(prefix="pactdsl-contract-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        try:
            result = check_openapi(pact_text, path)
        except (OpenAPIDocumentError, PactFileError) as exc:
            problem = " ".join(str(exc).replace(str(path), name).split())
            return False, {"ok": False, "problem": problem}
    return result.ok and result.checked > 0 and not result.skipped, result.to_json()


def check_summary(stored: Mapping[str, Any], limit: int = 3) -> str:
    """``2 error(s): 'list pets' at $.x: why; ...`` from a stored check result."""
    problem = stored.get("problem")
    if isinstance(problem, str):
        return f"the check could not run: {problem}"
    errors = [e for e in stored.get("errors", ()) if isinstance(e, Mapping)]
    warnings = len(stored.get("warnings", ()))
    noted = f", {warnings} warning(s)" if warnings else ""
    skipped = [str(s) for s in stored.get("skipped", ())]
    parts = []
    if errors:
        shown = [
            f"{e.get('interaction')!r} at {e.get('pactPath')}: {e.get('message')} ({e.get('code')})"
            for e in errors[:limit]
        ]
        more = f"; and {len(errors) - limit} more" if len(errors) > limit else ""
        parts.append(f"{len(errors)} error(s){noted}: " + "; ".join(shown) + more)
    if skipped:
        names = ", ".join(repr(s) for s in skipped[:limit])
        more = f" and {len(skipped) - limit} more" if len(skipped) > limit else ""
        parts.append(
            f"{len(skipped)} interaction(s) are not HTTP ({names}{more}) and an OpenAPI "
            "document cannot check them: verify them against the provider"
        )
    if parts:
        return "; ".join(parts)
    if not stored.get("checked"):
        return "the pact has no interaction to check"
    return f"{stored['checked']} interaction(s) checked, no errors{noted}"
