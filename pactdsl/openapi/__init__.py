"""Check a pact against the provider's OpenAPI (or Swagger 2) document.

"Bi-directional" contract testing: instead of replaying the pact against a
running provider, each HTTP interaction is checked against the operation the
document describes (path, method, parameters, security, media types, bodies).
Needs the ``openapi`` extra: ``pip install 'pactdsl[openapi]'``.

```python
from pactdsl.openapi import check_openapi

result = check_openapi("pacts/shop-pets.json", "openapi.yaml")
if not result.ok:
    print(result.report())   # each issue with its pact path and the document's pointer
```

Errors fail the check and warnings do not; the codes are those of
``@pactflow/swagger-mock-validator`` (see the docs' OpenAPI page).
"""

from __future__ import annotations

# Helpers are imported under private names, so the module's namespace holds
# just its API: `dir(pactdsl.openapi)` == `__all__` (as in pactdsl.broker).
import os as _os
from collections.abc import Mapping as _Mapping
from typing import Any as _Any

from pactdsl._errors import require_extra as _require_extra
from pactdsl._limits import Limits as _Limits
from pactdsl._limits import limits_in_force as _limits_in_force
from pactdsl.openapi._result import OpenAPICheckResult, OpenAPIDocumentError, OpenAPIIssue

__all__ = ["OpenAPICheckResult", "OpenAPIDocumentError", "OpenAPIIssue", "check_openapi"]

del annotations  # the __future__ import's binding; the compiler flag stays on


def check_openapi(
    pact_source: _Any,
    spec: str | _os.PathLike[str] | _Mapping[str, _Any],
    *,
    base_path: str | None = None,
    limits: _Limits | None = None,
) -> OpenAPICheckResult:
    """Check every HTTP interaction of a pact against an OpenAPI document.

    Args:
        pact_source: A pact file's path, its JSON text or parsed dict (as
            `pactdsl.load_pact` takes them), a `Pact` or a `Contract`.
        spec: The document: a path to a JSON or YAML file (OpenAPI 3.0, 3.1 or
            Swagger 2.0), or the parsed dict. URLs are refused: download the
            document first. `$ref`s to files beside a document given by path
            are followed.
        base_path: The path prefix of the provider's operations in the pact's
            paths; default: Swagger 2's ``basePath``, or the path of each
            OpenAPI 3 ``servers`` URL (none when there are no servers).
        limits: The bounds on the pact and the document (default `Limits()`):
            ``max_nesting_depth`` and ``max_document_values``, which counts
            each YAML alias again where it is used ("billion laughs").

    Returns:
        The verdict: `ok` is False when any issue is an error.

    Raises:
        MissingExtra: without the ``openapi`` extra (jsonschema, referencing, PyYAML).
        OpenAPIDocumentError: naming the file and JSON pointer of what in the
            document cannot be read.
        PactFileError: when the pact cannot be read.
    """
    for module in ("jsonschema", "referencing", "yaml"):
        _require_extra(module, "openapi", "check_openapi()")
    from pactdsl.openapi._check import check_pact
    from pactdsl.openapi._document import load_document

    with _limits_in_force(limits):
        pact = _pact_of(pact_source)
        document = load_document(spec)
    try:
        return check_pact(pact, document, base_path)
    except OpenAPIDocumentError as exc:
        if exc.where.startswith("#") and document.folder is not None:
            name = _os.fspath(spec) if isinstance(spec, str | _os.PathLike) else "<dict>"
            raise OpenAPIDocumentError(f"{name}{exc.where}", exc.problem) from None
        if exc.where.startswith("#"):
            raise OpenAPIDocumentError(f"<dict>{exc.where}", exc.problem) from None
        raise


def _pact_of(source: _Any) -> _Any:
    from pactdsl._dsl import Contract, resolve_pact
    from pactdsl._model import Pact
    from pactdsl._pactfile import load_pact

    if isinstance(source, Contract | Pact):
        return resolve_pact(source)
    return load_pact(source)
