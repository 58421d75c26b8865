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
_Compiled = Callable[[Any], Any]


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


class _Bad(Exception):  # noqa: N818 - internal signal, never escapes this module
    """Raised by a compiled check: the problems found, as (sub-path, message, value)."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems


def _fail(message: str, value: Any) -> _Bad:
    return _Bad([("", message, value)])


def _compile(tp: Any) -> _Compiled:
    """A checker for annotation ``tp``: returns the (converted) value or raises :class:`_Bad`."""
    if tp is Any:
        return lambda v: v
    if isinstance(tp, TypeVar):
        return _compile(tp.__bound__ if tp.__bound__ is not None else Any)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        optional = type(None) in args
        members = [_compile(a) for a in args if a is not type(None)]
        name = type_name(tp)

        def check_union(v: Any) -> Any:
            if v is None and optional:
                return None
            for m in members:
                try:
                    return m(v)
                except _Bad:
                    continue
            raise _fail(f"must be {name}", v)

        return check_union
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _compile(args[0])

            def check_tuple(v: Any) -> Any:
                if not isinstance(v, (tuple, list)):
                    raise _fail("must be a list", v)
                probs: _Problems = []
                changed = type(v) is not tuple
                outs = []
                for i, x in enumerate(v):
                    try:
                        o = item(x)
                    except _Bad as e:
                        probs.extend((f"[{i}]{sp}", m, val) for sp, m, val in e.problems)
                        continue
                    changed = changed or o is not x
                    outs.append(o)
                if probs:
                    raise _Bad(probs)
                return tuple(outs) if changed else v

            return check_tuple
        items = [_compile(a) for a in args]

        def check_fixed(v: Any) -> Any:
            if not isinstance(v, (tuple, list)) or len(v) != len(items):
                raise _fail(f"must be a list of {len(items)} items", v)
            outs = []
            probs: _Problems = []
            for i, (c, x) in enumerate(zip(items, v, strict=True)):
                try:
                    outs.append(c(x))
                except _Bad as e:
                    probs.extend((f"[{i}]{sp}", m, val) for sp, m, val in e.problems)
            if probs:
                raise _Bad(probs)
            return tuple(outs)

        return check_fixed
    if origin is frozenset:
        item = _compile(args[0])

        def check_set(v: Any) -> Any:
            if not isinstance(v, (set, frozenset)):
                raise _fail("must be a set", v)
            probs: _Problems = []
            for x in v:
                try:
                    item(x)
                except _Bad as e:
                    probs.extend(e.problems)
            if probs:
                raise _Bad(probs)
            return v if type(v) is frozenset else frozenset(v)

        return check_set
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        key, val = _compile(args[0]), _compile(args[1])

        def check_map(v: Any) -> Any:
            if not isinstance(v, Mapping):
                raise _fail("must be a mapping", v)
            probs: _Problems = []
            for k, x in v.items():
                for c, y in ((key, k), (val, x)):
                    try:
                        c(y)
                    except _Bad as e:
                        probs.extend((f"[{k!r}]", m, bad) for _, m, bad in e.problems)
            if probs:
                raise _Bad(probs)
            return v if isinstance(v, types.MappingProxyType) else types.MappingProxyType(dict(v))

        return check_map
    if origin is not None and _is_record_type(origin):
        # a generic record such as StatusChange[OrderStatus]
        params = getattr(origin, "__parameters__", ())
        subst = dict(zip(params, args, strict=False))
        hints = typing.get_type_hints(origin)
        generic_fields = [(n, _compile(subst[t])) for n, t in hints.items() if t in subst]
        oname = origin.__name__

        def check_generic(v: Any) -> Any:
            if not isinstance(v, origin):
                raise _fail(f"must be {oname}", v)
            probs: _Problems = []
            for n, c in generic_fields:
                try:
                    c(getattr(v, n))
                except _Bad as e:
                    probs.extend((f".{n}{sp}", m, val) for sp, m, val in e.problems)
            if probs:
                raise _Bad(probs)
            return v

        return check_generic
    if tp is type(None):

        def check_none(v: Any) -> Any:
            if v is not None:
                raise _fail("must be null", v)
            return v

        return check_none
    if tp is bool:

        def check_bool(v: Any) -> Any:
            if type(v) is not bool:
                raise _fail("must be a boolean", v)
            return v

        return check_bool
    if tp is int:

        def check_int(v: Any) -> Any:
            if type(v) is not int and (not isinstance(v, int) or isinstance(v, bool)):
                raise _fail("must be an integer", v)
            return v

        return check_int
    if tp is float:

        def check_float(v: Any) -> Any:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise _fail("must be a number", v)
            if not math.isfinite(v):
                raise _fail("must be finite", v)
            return v

        return check_float
    if tp is Decimal:

        def check_decimal(v: Any) -> Any:
            if type(v) is Decimal:
                if not v.is_finite():
                    raise _fail("must be finite", v)
                return v
            if isinstance(v, int) and not isinstance(v, bool):
                return Decimal(v)
            if not isinstance(v, Decimal):
                raise _fail("must be a Decimal (or an int)", v)
            if not v.is_finite():
                raise _fail("must be finite", v)
            return v

        return check_decimal
    if tp is str:

        def check_str(v: Any) -> Any:
            if type(v) is not str and not isinstance(v, str):
                raise _fail("must be a string", v)
            return v

        return check_str
    if tp is dt.datetime:

        def check_datetime(v: Any) -> Any:
            if not isinstance(v, dt.datetime):
                raise _fail("must be a datetime", v)
            if v.tzinfo is None or v.utcoffset() is None:
                raise _fail("must be timezone-aware", v)
            return v

        return check_datetime
    if tp is dt.date:

        def check_date(v: Any) -> Any:
            if not isinstance(v, dt.date) or isinstance(v, dt.datetime):
                raise _fail("must be a date", v)
            return v

        return check_date
    if tp is dt.time:

        def check_time(v: Any) -> Any:
            if not isinstance(v, dt.time):
                raise _fail("must be a time of day", v)
            if v.tzinfo is not None:
                raise _fail("must be a local time of day without a timezone", v)
            return v

        return check_time
    if isinstance(tp, type):
        cls = tp
        what = f"a {cls.__name__}" if issubclass(cls, enum.Enum) else cls.__name__

        def check_instance(v: Any) -> Any:
            if not isinstance(v, cls):
                raise _fail(f"must be {what}", v)
            return v

        return check_instance
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
    try:
        out = spec.compiled(value)
    except _Bad as e:
        return value, [FieldError(f"$.{spec.name}{sp}", m, v) for sp, m, v in e.problems]
    errors: list[FieldError] = []
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
        errors: list[FieldError] | None = None
        for spec in record_fields(type(self)):
            value = getattr(self, spec.name)
            try:
                out = spec.compiled(value)
            except _Bad as e:
                errors = errors or []
                errors.extend(FieldError(f"$.{spec.name}{sp}", m, v) for sp, m, v in e.problems)
                continue
            if out is not value:
                object.__setattr__(self, spec.name, out)
            for c in spec.extra:
                msg = c(out)
                if msg is not None:
                    errors = errors or []
                    errors.append(FieldError(f"$.{spec.name}", msg, out))
        if errors is None:
            cross = list(self._check())
            if cross:
                errors = cross
        if errors:
            raise ValidationError(errors, title=f"invalid {type(self).__name__}")

    def _check(self) -> Iterator[FieldError]:
        """Cross-field rules; yields one :class:`FieldError` per problem."""
        return iter(())


def sorted_unique(values: Iterable[Any]) -> list[Any]:
    """Helper for messages: the sorted distinct values."""
    return sorted(set(values), key=repr)
