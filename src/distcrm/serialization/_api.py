"""Public serialization functions: dict, JSON and JSON Lines (plain or gzip)."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import attrs

from distcrm.errors import FieldError, IntegrityError, ValidationError
from distcrm.serialization._converter import _prefix, converter, is_record_type

__all__ = [
    "Reject",
    "from_dict",
    "from_json",
    "iter_jsonl",
    "read_jsonl",
    "to_dict",
    "to_json",
    "write_jsonl",
]

T = TypeVar("T")

PathLike = str | os.PathLike[str]


def to_dict(obj: Any) -> dict[str, Any]:
    """Unstructure a domain object to JSON-ready builtins (str, int, float, bool, None, list, dict).

    Examples
    --------
    >>> from decimal import Decimal
    >>> from distcrm.domain import Money
    >>> to_dict(Money(amount=Decimal("9.90"), currency="EUR"))
    {'amount': '9.90', 'currency': 'EUR'}
    """
    if not is_record_type(type(obj)):
        raise TypeError(f"to_dict expects a distcrm domain object, got {type(obj).__name__}")
    out: dict[str, Any] = converter.unstructure(obj)
    return out


def _check_cls(cls: Any) -> None:
    if not is_record_type(cls):
        raise TypeError(f"expected a distcrm domain class, got {cls!r}")
    if getattr(cls, "__parameters__", ()):
        raise TypeError(
            f"{cls.__name__} is generic: name its type argument, e.g. {cls.__name__}[OrderStatus]"
        )


def from_dict(cls: type[T], data: Any) -> T:
    """Structure ``data`` into ``cls``, reporting every bad field in one ValidationError.

    Examples
    --------
    >>> from distcrm.domain import OrderLine
    >>> from_dict(OrderLine, {"product_id": "P-1", "quantity": "-3",
    ...                       "unit_price": {"amount": "2.5", "currency": "eur"}, "colour": "red"})
    Traceback (most recent call last):
    ...
    distcrm.errors.ValidationError: invalid OrderLine payload:
      $.colour: is not a field of OrderLine
      $.quantity: must be > 0, got '-3'
      $.unit_price.currency: must be an upper-case ISO 4217 code, got 'eur'
    """
    _check_cls(cls)
    name = getattr(cls, "__name__", None) or getattr(getattr(cls, "__origin__", None), "__name__", "record")
    try:
        result: T = converter.structure(data, cls)
    except ValidationError as e:
        raise ValidationError(e.errors, title=f"invalid {name} payload") from None
    except Exception as e:  # anything else a malformed payload provokes becomes a ValidationError too
        raise ValidationError(_prefix(e, "$"), title=f"invalid {name} payload") from None
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _loads(text: str | bytes) -> Any:
    return json.loads(text, parse_constant=_no_constants, object_pairs_hook=_pairs)


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialize a domain object to a JSON string (UTF-8 text, non-ASCII kept as is).

    Examples
    --------
    >>> from distcrm.domain import GeoPoint
    >>> to_json(GeoPoint(lat=31.23, lon=121.47))
    '{"lat": 31.23, "lon": 121.47}'
    """
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def from_json(cls: type[T], text: str | bytes) -> T:
    """Parse JSON text into ``cls``; bad JSON and bad fields both raise ValidationError.

    Examples
    --------
    >>> from distcrm.domain import GeoPoint
    >>> from_json(GeoPoint, '{"lat": 95, "lon": 0}')
    Traceback (most recent call last):
    ...
    distcrm.errors.ValidationError: invalid GeoPoint payload: $.lat: must be in [-90.0, 90.0], got 95
    """
    _check_cls(cls)
    try:
        data = _loads(text)
    except (ValueError, TypeError, RecursionError) as e:
        snippet = text[:80] if isinstance(text, (str, bytes)) else type(text).__name__
        raise ValidationError([FieldError("$", f"is not valid JSON ({e})", snippet)]) from None
    return from_dict(cls, data)


@attrs.frozen
class Reject:
    """A JSON Lines record that could not be read.

    ``index`` is the 0-based position of the line in the file (blank lines count),
    ``line`` the 1-based line number, ``reasons`` every problem found.
    """

    index: int
    reasons: tuple[FieldError, ...]
    text: str = ""

    @property
    def line(self) -> int:
        """1-based line number."""
        return self.index + 1

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(str(r) for r in self.reasons)


def _open_read(path: PathLike) -> IO[bytes]:
    p = Path(path)
    if p.suffix == ".gz":
        return cast("IO[bytes]", gzip.open(p, "rb"))
    return open(p, "rb")


def iter_jsonl(path: PathLike, cls: type[T]) -> Iterator[T | Reject]:
    """Stream a JSON Lines file (``.gz`` is decompressed): yields objects and rejects in order.

    A truncated or corrupted gzip stream raises :class:`~distcrm.errors.IntegrityError`.
    """
    _check_cls(cls)
    try:
        with _open_read(path) as fh:
            for i, raw in enumerate(fh):
                if not raw.strip():
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    yield Reject(
                        i,
                        (FieldError("$", f"is not UTF-8 ({e.reason})"),),
                        raw[:200].decode("utf-8", "replace"),
                    )
                    continue
                try:
                    yield from_json(cls, text)
                except ValidationError as e:
                    yield Reject(i, e.errors, text.rstrip("\r\n"))
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise IntegrityError(f"{os.fspath(path)} is truncated or corrupted: {e}") from e


def read_jsonl(path: PathLike, cls: type[T]) -> tuple[list[T], list[Reject]]:
    """Read a JSON Lines file of ``cls`` records: ``(objects, rejects)``.

    Every line is read; a bad line becomes a :class:`Reject` (its index and every
    reason), never an exception. Files ending in ``.gz`` are gzip-decompressed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from distcrm.domain import GeoPoint
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "points.jsonl"
    >>> _ = p.write_text('{"lat": 1, "lon": 2}\\n{"lat": 100, "lon": 2, "x": 1}\\n')
    >>> points, rejects = read_jsonl(p, GeoPoint)
    >>> len(points), rejects[0].index, [r.path for r in rejects[0].reasons]
    (1, 1, ['$.x', '$.lat'])
    """
    objs: list[T] = []
    rejects: list[Reject] = []
    for item in iter_jsonl(path, cls):
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            objs.append(item)
    return objs, rejects


def write_jsonl(path: PathLike, objs: Iterable[Any]) -> int:
    """Write domain objects as JSON Lines (gzip when the path ends in ``.gz``); returns the count.

    The file is written to a temporary name and renamed into place, so a reader never
    sees a half-written file.
    """
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent or ".")
    n = 0
    try:
        with os.fdopen(fd, "wb") as raw:
            sink: IO[bytes] = raw
            if p.suffix == ".gz":
                sink = cast("IO[bytes]", gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0))
            for obj in objs:
                sink.write(to_json(obj).encode("utf-8") + b"\n")
                n += 1
            if sink is not raw:
                sink.close()  # writes the gzip trailer; leaves raw open
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n
