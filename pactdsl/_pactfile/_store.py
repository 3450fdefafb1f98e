"""Writing pact files safely: safe names, a file lock, merge, atomic replace."""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock

from pactdsl._errors import PactFileError
from pactdsl._matchers import json_dumps_canonical
from pactdsl._model import Pact, PactSpec
from pactdsl._pactfile._read import pact_from_json
from pactdsl._pactfile._write import pact_to_json

__all__ = ["pact_file_name", "write_pact_file"]

WriteMode = Literal["merge", "overwrite"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def _safe_part(name: str, role: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    if not cleaned or set(cleaned) <= {"."}:
        msg = f"{role}={name!r} leaves nothing usable in a file name; use letters or digits"
        raise ValueError(msg)
    return cleaned


def pact_file_name(consumer: str, provider: str) -> str:
    """``{consumer}-{provider}.json`` with path separators and odd characters replaced.

    Names with ``/``, ``..`` or NUL can never point outside the output folder.
    """
    return f"{_safe_part(consumer, 'consumer')}-{_safe_part(provider, 'provider')}.json"


def _writer_metadata(created_at: str) -> dict[str, Any]:
    from pactdsl._version import version

    return {"pactdsl": {"version": version(), "createdAt": created_at}}


def write_pact_file(
    pact: Pact,
    output: str | os.PathLike[str],
    spec: PactSpec,
    mode: WriteMode = "merge",
) -> Path:
    """Write `pact` into `output`, merging with what is there; return the file's path.

    The read-merge-write runs under one file lock, and the file is replaced
    atomically, so concurrent writers (pytest-xdist, several processes) lose
    nothing and readers never see half a file.

    Raises:
        PactSpecError: when the pact does not fit `spec` (nothing is written).
        PactFileError: when the existing file cannot be merged (nothing is written).
    """
    if mode not in ("merge", "overwrite"):
        msg = f"mode={mode!r} must be 'merge' or 'overwrite'"
        raise ValueError(msg)
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / pact_file_name(pact.consumer, pact.provider)
    # Serialise before touching the disk so a contract that does not fit the
    # spec fails with no lock or file left behind.
    pact_to_json(pact, spec, {})
    with FileLock(str(target) + ".lock"):
        existing_json: Mapping[str, Any] | None = None
        merged = pact
        if target.exists():
            try:
                existing_json = json.loads(target.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise PactFileError(
                    str(target), f"cannot merge into it: not valid JSON ({exc})"
                ) from None
            if mode == "merge":
                existing = pact_from_json(existing_json, origin=str(target))
                merged = merge_pacts(existing, pact)
        created_at = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
        document = pact_to_json(merged, spec, _writer_metadata(created_at))
        if existing_json is not None and _same_except_time(existing_json, document):
            return target  # unchanged: keep the bytes (and timestamp) as they are
        text = json_dumps_canonical(document) + "\n"
        fd, temp_name = tempfile.mkstemp(prefix=".pact-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(temp_name).replace(target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    return target


def _same_except_time(old: Mapping[str, Any], new: dict[str, Any]) -> bool:
    def strip(doc: Mapping[str, Any]) -> Any:
        copy = json.loads(json.dumps(doc))
        copy.get("metadata", {}).get("pactdsl", {}).pop("createdAt", None)
        return copy

    return bool(strip(old) == strip(new))


def merge_pacts(existing: Pact, new: Pact) -> Pact:
    """Interactions of `existing`, with those of `new` replacing same-identity ones.

    Identity is description plus provider states; new interactions are appended
    in their own order, so the result does not depend on timing.
    """
    replacements = {i.identity: i for i in new.interactions}
    merged = [replacements.pop(i.identity, i) for i in existing.interactions]
    merged.extend(i for i in new.interactions if i.identity in replacements)
    return Pact(existing.consumer, existing.provider, tuple(merged), new.metadata)
