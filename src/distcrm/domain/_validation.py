"""The validation machinery shared by every domain class.

Every domain class is an ``attrs.frozen`` class deriving from :class:`Record`. On
construction ``Record.__attrs_post_init__`` checks

1. every field's value against its annotation (``str``, ``int``, ``Decimal``,
   tz-aware ``datetime``, enums, nested records, ``tuple[X, ...]``, ``frozenset[X]``,
   unions ...), compiled once per class from the resolved type hints;
2. every field's extra checks, declared as ``attrs.field(metadata=checks(gt(0)))``;
3. the class's cross-field rules (``_check``), once the fields themselves are valid;

and raises one :class:`~distcrm.errors.ValidationError` listing every bad field.

Lists given for ``tuple`` fields become tuples, sets given for ``frozenset`` fields
become frozensets, mappings become read-only mappings; ``int`` given for a ``Decimal``
field becomes that exact ``Decimal``. Nothing else is converted.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

import attrs

from distcrm.errors import FieldError, ValidationError

__all__ = [
    "Check",
    "FieldSpec",
    "Record",
    "between",
    "checks",
    "each",
    "err",
    "field_errors",
    "ge",
    "gt",
    "ident",
    "max_len",
    "new_id",
    "nonblank",
    "opt",
    "record_fields",
    "type_name",
]

Check = Callable[[Any], "str | None"]
"""A field check: returns an error message, or ``None`` when the value is fine."""

_Problems = list[tuple[str, str, Any]]  # (sub-path, message, value)
_Compiled = Callable[[Any], tuple[Any, _Problems]]


def new_id() -> str:
    """A fresh random identifier (a UUID4 string), the default ``id`` of every aggregate."""
    return str(uuid.uuid4())


def checks(*fns: Check) -> dict[str, Any]:
    """Field metadata declaring extra checks: ``attrs.field(metadata=checks(gt(0)))``."""
    return {"checks": fns}


def err(field: str, message: str, value: Any = FieldError.NO_VALUE) -> FieldError:
    """A :class:`FieldError` for ``field`` (a bare name becomes ``$.name``)."""
    path = field if field.startswith("$") else f"$.{field}"
    return FieldError(path, message, value)


# --------------------------------------------------------------------------- checks


def gt(bound: Any) -> Check:
    """Value must be greater than ``bound``."""

    def check(v: Any) -> str | None:
        return None if v > bound else f"must be > {bound}"

    return check


def ge(bound: Any) -> Check:
    """Value must be at least ``bound``."""

    def check(v: Any) -> str | None:
        return None if v >= bound else f"must be >= {bound}"

    return check


def between(lo: Any, hi: Any, *, hi_open: bool = False) -> Check:
    """Value must lie in ``[lo, hi]`` (``[lo, hi)`` with ``hi_open``)."""

    def check(v: Any) -> str | None:
        ok = lo <= v < hi if hi_open else lo <= v <= hi
        if ok:
            return None
        return f"must be in [{lo}, {hi}{')' if hi_open else ']'}"

    return check


def nonblank(v: Any) -> str | None:
    """A string that is not empty or only whitespace."""
    return None if v.strip() else "must not be blank"


def max_len(n: int) -> Check:
    """A string (or collection) of at most ``n`` items."""

    def check(v: Any) -> str | None:
        return None if len(v) <= n else f"must have at most {n} characters"

    return check


_ID_RE = re.compile(r"^\S(?:.*\S)?$", re.DOTALL)


def ident(v: Any) -> str | None:
    """An identifier: non-empty, no surrounding whitespace, at most 200 characters."""
    if not v:
        return "must not be empty"
    if len(v) > 200:
        return "must have at most 200 characters"
    if not _ID_RE.match(v) or "\n" in v:
        return "must not contain line breaks or surrounding whitespace"
    return None


def opt(check: Check) -> Check:
    """Apply ``check`` unless the value is ``None``."""

    def wrapped(v: Any) -> str | None:
        return None if v is None else check(v)

    return wrapped


def each(check: Check) -> Check:
    """Apply ``check`` to every item of a collection; reports the first bad item."""

    def wrapped(v: Any) -> str | None:
        for item in v:
            msg = check(item)
            if msg is not None:
                return f"every item {msg} (item {item!r})"
        return None

    return wrapped


# ------------------------------------------------------------------ type compilation


def type_name(tp: Any) -> str:
    """A short human name for a type annotation (used in messages)."""
    if tp is type(None):
        return "null"
    if isinstance(tp, TypeVar):
        return type_name(tp.__bound__) if tp.__bound__ is not None else "any value"
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in typing.get_args(tp))
    if origin is tuple:
        return "list"
    if origin is frozenset:
        return "set"
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return "mapping"
    if origin is not None:
        return type_name(origin)
    if isinstance(tp, type):
        if tp is dt.datetime:
            return "timezone-aware datetime"
        return tp.__name__
    return str(tp)


def _is_record_type(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _compile(tp: Any) -> _Compiled:
    if tp is Any:
        return lambda v: (v, [])
    if isinstance(tp, TypeVar):
        return _compile(tp.__bound__ if tp.__bound__ is not None else Any)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        members = [_compile(a) for a in args]
        name = type_name(tp)

        def check_union(v: Any) -> tuple[Any, _Problems]:
            for m in members:
                out, probs = m(v)
                if not probs:
                    return out, []
            return v, [("", f"must be {name}", v)]

        return check_union
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _compile(args[0])

            def check_tuple(v: Any) -> tuple[Any, _Problems]:
                if not isinstance(v, (tuple, list)):
                    return v, [("", "must be a list", v)]
                outs = []
                probs: _Problems = []
                for i, x in enumerate(v):
                    o, p = item(x)
                    outs.append(o)
                    probs.extend((f"[{i}]{sp}", m, val) for sp, m, val in p)
                return tuple(outs), probs

            return check_tuple
        items = [_compile(a) for a in args]

        def check_fixed(v: Any) -> tuple[Any, _Problems]:
            if not isinstance(v, (tuple, list)) or len(v) != len(items):
                return v, [("", f"must be a list of {len(items)} items", v)]
            outs = []
            probs: _Problems = []
            for i, (c, x) in enumerate(zip(items, v, strict=True)):
                o, p = c(x)
                outs.append(o)
                probs.extend((f"[{i}]{sp}", m, val) for sp, m, val in p)
            return tuple(outs), probs

        return check_fixed
    if origin is frozenset:
        item = _compile(args[0])

        def check_set(v: Any) -> tuple[Any, _Problems]:
            if not isinstance(v, (set, frozenset)):
                return v, [("", "must be a set", v)]
            probs: _Problems = []
            for x in v:
                _, p = item(x)
                probs.extend(p)
            return (v if isinstance(v, frozenset) else frozenset(v)), probs

        return check_set
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        key, val = _compile(args[0]), _compile(args[1])

        def check_map(v: Any) -> tuple[Any, _Problems]:
            if not isinstance(v, Mapping):
                return v, [("", "must be a mapping", v)]
            probs: _Problems = []
            for k, x in v.items():
                _, pk = key(k)
                _, pv = val(x)
                probs.extend((f"[{k!r}]", m, bad) for _, m, bad in pk + pv)
            if isinstance(v, types.MappingProxyType):
                return v, probs
            return types.MappingProxyType(dict(v)), probs

        return check_map
    if origin is not None and _is_record_type(origin):
        # a generic record such as StatusChange[OrderStatus]
        params = getattr(origin, "__parameters__", ())
        subst = dict(zip(params, args, strict=False))
        hints = typing.get_type_hints(origin)
        generic_fields = [(n, _compile(subst[t])) for n, t in hints.items() if t in subst]

        def check_generic(v: Any) -> tuple[Any, _Problems]:
            if not isinstance(v, origin):
                return v, [("", f"must be {origin.__name__}", v)]
            probs: _Problems = []
            for n, c in generic_fields:
                _, p = c(getattr(v, n))
                probs.extend((f".{n}{sp}", m, val) for sp, m, val in p)
            return v, probs

        return check_generic
    if tp is type(None):
        return lambda v: (v, [] if v is None else [("", "must be null", v)])
    if tp is bool:
        return lambda v: (v, [] if isinstance(v, bool) else [("", "must be a boolean", v)])
    if tp is int:
        return lambda v: (
            v,
            [] if isinstance(v, int) and not isinstance(v, bool) else [("", "must be an integer", v)],
        )
    if tp is float:

        def check_float(v: Any) -> tuple[Any, _Problems]:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return v, [("", "must be a number", v)]
            if not math.isfinite(v):
                return v, [("", "must be finite", v)]
            return v, []

        return check_float
    if tp is Decimal:

        def check_decimal(v: Any) -> tuple[Any, _Problems]:
            if isinstance(v, int) and not isinstance(v, bool):
                return Decimal(v), []
            if not isinstance(v, Decimal):
                return v, [("", "must be a Decimal (or an int)", v)]
            if not v.is_finite():
                return v, [("", "must be finite", v)]
            return v, []

        return check_decimal
    if tp is str:
        return lambda v: (v, [] if isinstance(v, str) else [("", "must be a string", v)])
    if tp is dt.datetime:

        def check_datetime(v: Any) -> tuple[Any, _Problems]:
            if not isinstance(v, dt.datetime):
                return v, [("", "must be a datetime", v)]
            if v.tzinfo is None or v.utcoffset() is None:
                return v, [("", "must be timezone-aware", v)]
            return v, []

        return check_datetime
    if tp is dt.date:
        return lambda v: (
            v,
            [] if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else [("", "must be a date", v)],
        )
    if tp is dt.time:

        def check_time(v: Any) -> tuple[Any, _Problems]:
            if not isinstance(v, dt.time):
                return v, [("", "must be a time of day", v)]
            if v.tzinfo is not None:
                return v, [("", "must be a local time of day without a timezone", v)]
            return v, []

        return check_time
    if isinstance(tp, type):
        cls = tp
        what = f"a {cls.__name__}" if issubclass(cls, enum.Enum) else cls.__name__
        return lambda v: (v, [] if isinstance(v, cls) else [("", f"must be {what}", v)])
    raise TypeError(f"unsupported annotation {tp!r}")  # pragma: no cover - a programming error


@attrs.frozen
class FieldSpec:
    """What the validator (and the converter) know about one field."""

    name: str
    type: Any
    required: bool
    compiled: _Compiled
    extra: tuple[Check, ...]


_SPECS: dict[Any, tuple[FieldSpec, ...]] = {}


def record_fields(tp: Any) -> tuple[FieldSpec, ...]:
    """The resolved field specs of a record class (or of a generic alias of one)."""
    try:
        return _SPECS[tp]
    except KeyError:
        pass
    origin = typing.get_origin(tp) or tp
    subst: dict[Any, Any] = {}
    if origin is not tp:
        subst = dict(zip(getattr(origin, "__parameters__", ()), typing.get_args(tp), strict=False))
    hints = typing.get_type_hints(origin)
    specs = []
    for a in attrs.fields(origin):
        t = hints[a.name]
        t = subst.get(t, t)
        required = a.default is attrs.NOTHING
        specs.append(FieldSpec(a.name, t, required, _compile(t), tuple(a.metadata.get("checks", ()))))
    out = tuple(specs)
    _SPECS[tp] = out
    return out


def field_errors(spec: FieldSpec, value: Any) -> tuple[Any, list[FieldError]]:
    """Check one field value; returns the (converted) value and the problems found."""
    out, probs = spec.compiled(value)
    errors = [FieldError(f"$.{spec.name}{sp}", m, v) for sp, m, v in probs]
    if errors:
        return value, errors
    for c in spec.extra:
        msg = c(out)
        if msg is not None:
            errors.append(FieldError(f"$.{spec.name}", msg, out))
    return out, errors


class Record:
    """Base of every domain class: validates all fields on construction.

    Subclasses are ``attrs.frozen`` classes; they may declare per-field checks in
    field metadata (:func:`checks`) and cross-field rules in :meth:`_check`.
    """

    __slots__ = ()
    _kind: ClassVar[str] = ""

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        for spec in record_fields(type(self)):
            value = getattr(self, spec.name)
            out, errs = field_errors(spec, value)
            if errs:
                errors.extend(errs)
            elif out is not value:
                object.__setattr__(self, spec.name, out)
        if not errors:
            errors.extend(self._check())
        if errors:
            raise ValidationError(errors, title=f"invalid {type(self).__name__}")

    def _check(self) -> Iterator[FieldError]:
        """Cross-field rules; yields one :class:`FieldError` per problem."""
        return iter(())


def sorted_unique(values: Iterable[Any]) -> list[Any]:
    """Helper for messages: the sorted distinct values."""
    return sorted(set(values), key=repr)
