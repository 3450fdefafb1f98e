"""Writing pact files safely: safe names, a file lock, merge, atomic replace."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from pactdsl._errors import PactFileError
from pactdsl._json_value import json_dumps_canonical
from pactdsl._model import Pact, PactSpec
from pactdsl._pactfile._read import pact_from_json
from pactdsl._pactfile._write import pact_to_json

__all__ = ["WrittenPactFile", "pact_file_name", "write_pact_file"]

WriteMode = Literal["merge", "overwrite"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")
_EDGES = re.compile(r"^[ .]+|[ .]+$")
_LONGEST_PART = 100
"""Characters of one name in a file name; longer ones are cut and end with a hash."""


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8", "surrogatepass"))


def _safe_part(name: str, role: str) -> str:
    if not isinstance(name, str) or not name:
        msg = f"{role}={name!r} cannot name a pact file; give a non-empty string"
        raise ValueError(msg)
    # Percent-encoding (with '%' itself encoded) keeps different names different:
    # "café" and "cafe" or two non-Latin names no longer both become "_".
    cleaned = _EDGES.sub(_percent, _UNSAFE.sub(_percent, name))
    if len(cleaned) > _LONGEST_PART:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        cleaned = f"{cleaned[: _LONGEST_PART - 17].rstrip('%0123456789ABCDEF')}-{digest}"
    return cleaned


def pact_file_name(consumer: str, provider: str) -> str:
    """``{consumer}-{provider}.json``, each name made safe, stable and distinct.

    Characters other than ASCII letters, digits, ``._ -`` are percent-encoded
    (UTF-8), as are leading and trailing dots and spaces, so names with ``/``,
    ``..`` or NUL can never point outside the output folder and different names
    never share a file; a name longer than 100 characters is cut and ends with a
    hash of the whole name.
    """
    return f"{_safe_part(consumer, 'consumer')}-{_safe_part(provider, 'provider')}.json"


def _writer_metadata(created_at: str) -> dict[str, Any]:
    from pactdsl._version import version

    return {"pactdsl": {"version": version(), "createdAt": created_at}}


@attrs.frozen
class WrittenPactFile:
    """Where `write_pact_file` wrote, and what a merge kept that the pact does not hold.

    Attributes:
        path: The pact file.
        kept: The descriptions of interactions the file already held that the
            written pact does not produce (another contract for the same pair,
            or ones renamed or removed since): a merge keeps them.
    """

    path: Path
    kept: tuple[str, ...] = ()


def write_pact_file(
    pact: Pact,
    output: str | os.PathLike[str],
    spec: PactSpec,
    mode: WriteMode = "merge",
) -> WrittenPactFile:
    """Write `pact` into `output`, merging with what is there; say where and what was kept.

    The read-merge-write runs under one file lock (kept in the system temp
    folder, not beside the pact), and the file is replaced atomically, so
    concurrent writers on one machine (pytest-xdist, several processes) lose
    nothing and readers never see half a file. A new file gets the usual
    mode (0o666 less the umask); a replaced one keeps its mode.

    Raises:
        PactSpecError: when the pact does not fit `spec` (nothing is written).
        PactFileError: when the existing file cannot be merged (nothing is written).
    """
    if mode not in ("merge", "overwrite"):
        msg = f"mode={mode!r} must be 'merge' or 'overwrite'"
        raise ValueError(msg)
    folder = Path(output)
    target = folder / pact_file_name(pact.consumer, pact.provider)
    # Serialise before touching the disk so a contract that does not fit the
    # spec fails with no lock or file left behind.
    unmerged = pact_to_json(pact, spec, {})
    try:
        return _write_locked(pact, target, spec, mode, unmerged)
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(target)
        raise PactFileError(
            where, f"cannot write the pact file: {exc.strerror or exc}; check the output folder"
        ) from None


def _write_locked(
    pact: Pact, target: Path, spec: PactSpec, mode: WriteMode, unmerged: dict[str, Any]
) -> WrittenPactFile:
    target.parent.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock  # loads when a file is written, not when pacts are read

    with FileLock(str(_lock_path(target))):
        _remove_stale_temp_files(target)
        existing_json: Mapping[str, Any] | None = None
        merged = pact
        kept: tuple[str, ...] = ()
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
                produced = {i.identity for i in pact.interactions}
                kept = tuple(
                    i.description for i in merged.interactions if i.identity not in produced
                )
        created_at = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
        if merged is pact:
            document = unmerged
            document["metadata"].update(_writer_metadata(created_at))
        else:
            document = pact_to_json(merged, spec, _writer_metadata(created_at))
        if existing_json is not None and _same_except_time(existing_json, document):
            return WrittenPactFile(target, kept)  # unchanged: keep the bytes (and timestamp)
        _replace_atomically(target, json_dumps_canonical(document) + "\n")
    return WrittenPactFile(target, kept)


def _lock_dir() -> Path:
    """This user's folder of pact-file locks under the system temp folder.

    Per user (and 0o700) on POSIX so nobody else can plant files or symlinks
    where the lock is opened; Windows' temp folder is per user already.
    """
    getuid = getattr(os, "getuid", None)
    name = "pactdsl-locks" if getuid is None else f"pactdsl-locks-{getuid()}"
    folder = Path(tempfile.gettempdir()) / name
    folder.mkdir(mode=0o700, exist_ok=True)
    if getuid is not None:
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != getuid():
            raise PactFileError(
                f"lock folder={str(folder)!r}",
                "is not a folder owned by this user; remove it so pactdsl can create its own",
            )
    return folder


def _lock_path(target: Path) -> Path:
    """Where the lock for `target` lives: outside the pacts folder users commit.

    Keyed by the hash of the resolved path, so every process of this user on
    this machine that writes the same file (pytest-xdist workers, parallel
    jobs) takes the same lock. Limit: writers on different machines sharing
    a network folder are not coordinated (nor are different users).
    """
    digest = hashlib.sha256(str(target.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return _lock_dir() / f"{digest}.lock"


def _replace_atomically(target: Path, text: str) -> None:
    """Write `text` to a temp file beside `target`, then rename it over `target`.

    The temp file is created with 0o666 so the umask applies as for any new
    file (``mkstemp`` would give 0o600); a replaced file keeps its own mode.
    """
    try:
        keep_mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        keep_mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = target.with_name(f"{_temp_prefix(target)}{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        if keep_mode is not None:
            temp.chmod(keep_mode)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _temp_prefix(target: Path) -> str:
    """The start of every temp file name for `target` (its name's hash: one writer at a time)."""
    return f".pact-{hashlib.sha256(target.name.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}-"


def _remove_stale_temp_files(target: Path) -> None:
    """Delete temp files a killed writer of `target` left; called under its lock."""
    for stale in target.parent.glob(f"{_temp_prefix(target)}*.tmp"):
        stale.unlink(missing_ok=True)


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
