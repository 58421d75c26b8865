"""Backup and restore: gzip JSON Lines through the one converter, with a checked manifest.

A backup is one gzip file of JSON lines::

    {"format": "distcrm-backup", "format_version": 1, "schema_version": 2, "created_at": "..."}
    {"r": "customers", "d": {...the converter's dictionary of one record...}}
    ...
    {"manifest": {"counts": {...}, "sha256": {...}, "schema_version": 2, ...}}

``sha256`` holds, per repository, the digest of that repository's record lines (the
exact bytes, newline included). Restore reads the whole file twice: first it checks
the header, the manifest, every count and checksum and structures every record through
the converter (so nothing is written from a truncated, corrupted or invalid backup);
then it adds all records in one unit of work, checking the digests again.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from distcrm.errors import FieldError, IntegrityError, ValidationError
from distcrm.storage._codec import to_doc
from distcrm.storage._spec import spec_for, specs

if TYPE_CHECKING:
    from distcrm.storage._store import BaseStore

__all__ = ["BackupManifest", "restore", "verify_backup", "write_backup"]

FORMAT = "distcrm-backup"
FORMAT_VERSION = 1
_BATCH = 2000
_MAX_ERRORS = 20


@attrs.frozen
class BackupManifest:
    """What a backup holds: record counts and SHA-256 digests per repository."""

    counts: dict[str, int]
    sha256: dict[str, str]
    schema_version: int
    created_at: str
    format_version: int = FORMAT_VERSION

    @property
    def total(self) -> int:
        """The number of records."""
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        """The manifest as written in the file."""
        return attrs.asdict(self)


def _line(obj: Any) -> bytes:
    return (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def write_backup(store: BaseStore, path: str | PathLike[str]) -> BackupManifest:
    """Write ``store`` to ``path`` (see the module docstring); returns the manifest."""
    target = Path(path)
    tmp = target.with_name(target.name + ".partial")
    created = dt.datetime.now(dt.UTC).isoformat()
    counts: dict[str, int] = {}
    digests: dict[str, str] = {}
    schema = int(store.schema_version)
    try:
        with gzip.open(tmp, "wb", compresslevel=6) as out, store._unit(write=False) as uow:
            out.write(
                _line(
                    {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "schema_version": schema,
                        "created_at": created,
                    }
                )
            )
            for spec in specs():
                h = hashlib.sha256()
                n = 0
                for obj in uow.repository(spec.repo).all():
                    b = _line({"r": spec.repo, "d": to_doc(obj)})
                    h.update(b)
                    out.write(b)
                    n += 1
                counts[spec.repo] = n
                digests[spec.repo] = h.hexdigest()
            manifest = BackupManifest(counts, digests, schema, created)
            out.write(_line({"manifest": manifest.to_dict()}))
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return manifest


def _records(path: Path) -> Iterator[tuple[int, bytes, Any]]:
    """(line number, raw bytes, parsed JSON) of every line; IntegrityError on damage."""
    try:
        with gzip.open(path, "rb") as f:
            for no, raw in enumerate(f, start=1):
                try:
                    data = json.loads(raw)
                except (ValueError, UnicodeDecodeError) as exc:
                    raise IntegrityError(
                        f"backup {str(path)!r} is corrupted: line {no} is not JSON ({exc})"
                    ) from None
                yield no, raw, data
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise IntegrityError(f"backup {str(path)!r} is truncated or corrupted: {exc}") from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise IntegrityError(f"backup {str(path)!r} cannot be read: {exc}") from None


def _scan(path: Path, *, structure: bool, sink: Any = None) -> BackupManifest:
    """Read the whole backup, checking everything; feed structured records to ``sink``."""
    from distcrm.serialization import from_dict

    where = f"backup {str(path)!r}"
    header_seen = False
    manifest: dict[str, Any] | None = None
    counts: dict[str, int] = {s.repo: 0 for s in specs()}
    hashes = {s.repo: hashlib.sha256() for s in specs()}
    errors: list[FieldError] = []
    pending: dict[str, list[Any]] = {}
    for no, raw, data in _records(path):
        if not header_seen:
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise IntegrityError(f"{where} is not a distcrm backup (line 1 has no distcrm-backup header)")
            if data.get("format_version") != FORMAT_VERSION:
                raise IntegrityError(
                    f"{where} has format version {data.get('format_version')!r}; "
                    f"this distcrm reads version {FORMAT_VERSION}"
                )
            header_seen = True
            continue
        if manifest is not None:
            raise IntegrityError(f"{where} is corrupted: data after the manifest (line {no})")
        if isinstance(data, dict) and "manifest" in data:
            manifest = data["manifest"]
            continue
        if not isinstance(data, dict) or data.get("r") not in counts or not isinstance(data.get("d"), dict):
            raise IntegrityError(f"{where} is corrupted: line {no} is not a record")
        repo = data["r"]
        hashes[repo].update(raw)
        idx = counts[repo]
        counts[repo] += 1
        if structure:
            try:
                obj = from_dict(spec_for(repo).cls, data["d"])
            except ValidationError as exc:
                if len(errors) < _MAX_ERRORS:
                    errors.extend(exc.prefixed(f"$.{repo}[{idx}]").errors)
                continue
            if sink is not None:
                batch = pending.setdefault(repo, [])
                batch.append(obj)
                if len(batch) >= _BATCH:
                    sink(repo, batch)
                    pending[repo] = []
    if not header_seen:
        raise IntegrityError(f"{where} is empty")
    if manifest is None:
        raise IntegrityError(f"{where} is truncated: the manifest at its end is missing")
    try:
        m = BackupManifest(
            counts={str(k): int(v) for k, v in manifest["counts"].items()},
            sha256={str(k): str(v) for k, v in manifest["sha256"].items()},
            schema_version=int(manifest["schema_version"]),
            created_at=str(manifest["created_at"]),
            format_version=int(manifest.get("format_version", FORMAT_VERSION)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise IntegrityError(f"{where} has an unreadable manifest: {exc!r}") from None
    for repo in counts:
        if m.counts.get(repo, 0) != counts[repo]:
            raise IntegrityError(
                f"{where} is damaged: {counts[repo]} {repo} records, manifest says {m.counts.get(repo, 0)}"
            )
        expected = m.sha256.get(repo, hashlib.sha256().hexdigest())
        if expected != hashes[repo].hexdigest():
            raise IntegrityError(
                f"{where} is damaged: the {repo} records do not match the manifest's SHA-256"
            )
    unknown = set(m.counts) - set(counts)
    if unknown:
        raise IntegrityError(f"{where} holds repositories this distcrm does not know: {sorted(unknown)}")
    if errors:
        raise ValidationError(errors, title=f"{where} holds records that do not validate")
    for repo, batch in pending.items():
        if batch and sink is not None:
            sink(repo, batch)
    return m


def verify_backup(path: str | PathLike[str]) -> BackupManifest:
    """Check a backup completely (manifest, counts, checksums, every record) without restoring.

    Raises IntegrityError for a truncated or corrupted file and ValidationError when
    records do not validate.
    """
    return _scan(Path(path), structure=True)


def restore(path: str | PathLike[str], *, into: BaseStore) -> BackupManifest:
    """Read a backup into the store ``into`` (any adapter), all or nothing.

    The backup is verified completely first; then every record is added, with its
    version, in one unit of work. A truncated or corrupted backup raises IntegrityError,
    an invalid record ValidationError, and a record whose id already exists in ``into``
    DuplicateError; in every case ``into`` is unchanged.

    Examples
    --------
    >>> import os, tempfile
    >>> from distcrm.storage import MemoryStore, restore
    >>> path = os.path.join(tempfile.mkdtemp(), "crm.jsonl.gz")
    >>> MemoryStore().backup(path).total
    0
    >>> restore(path, into=MemoryStore()).total
    0
    """
    p = Path(path)
    _scan(p, structure=True)
    with into.unit_of_work() as uow:

        def sink(repo: str, batch: list[Any]) -> None:
            uow.repository(repo).add_many(batch)

        return _scan(p, structure=True, sink=sink)
