"""The one cattrs converter of distcrm, configured once.

Formats
-------
- ``Decimal``: a string (``"12.50"``); a JSON integer is accepted on input, a float is not
  (it is already inexact).
- ``datetime``: ISO 8601 with its UTC offset (``2024-05-01T09:00:00+08:00``); a naive
  value is rejected. The offset is kept, the zone *name* is not (a ``ZoneInfo`` datetime
  comes back with a fixed offset; it compares equal, being the same instant).
- ``date``: ``YYYY-MM-DD``; ``time``: ``HH:MM[:SS[.ffffff]]`` (local, no offset).
- ``timedelta``: an ISO 8601 duration of days, hours, minutes and seconds
  (``P1DT2H30M``, ``PT0.5S``, ``-PT15M``); weeks (``P2W``) are accepted on input,
  years and months are rejected (their length is not fixed).
- enums by value; ``frozenset`` as a sorted list (duplicates rejected on input);
  ``tuple`` as a list; records as objects with every field.

Structuring is strict: wrong JSON types are never coerced (``5`` is not a string,
``"5"`` not an int, ``true`` not a number), unknown keys are rejected, and every bad
field of the whole payload is reported in one :class:`~distcrm.errors.ValidationError`
whose paths look like ``$.lines[2].quantity``.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs

from distcrm.domain._validation import Record, field_errors, record_fields, type_name
from distcrm.errors import FieldError, ValidationError

__all__ = [
    "converter",
    "format_duration",
    "is_record_type",
    "parse_duration",
]

T = TypeVar("T")

converter = cattrs.Converter()
"""The library-owned converter (never cattrs' global one)."""


def _bad(value: Any, message: str) -> ValidationError:
    return ValidationError([FieldError("$", message, value)])


def _prefix(exc: BaseException, prefix: str) -> list[FieldError]:
    """Every field problem inside ``exc``, with paths nested under ``prefix``."""
    if isinstance(exc, ValidationError):
        return [FieldError(prefix + e.path[1:], e.message, e.value) for e in exc.errors]
    if isinstance(exc, BaseExceptionGroup):  # cattrs' own groups, should one slip through
        out: list[FieldError] = []
        for sub in exc.exceptions:
            where = ""
            for note in getattr(sub, "__notes__", []):
                name = getattr(note, "name", None)
                idx = getattr(note, "index", None)
                if name is not None:
                    where = f".{name}"
                elif idx is not None:
                    where = f"[{idx}]"
            out.extend(_prefix(sub, prefix + where))
        return out
    if isinstance(exc, RecursionError):
        return [FieldError(prefix, "is nested too deeply")]
    return [FieldError(prefix, f"could not be read ({type(exc).__name__}: {exc})")]


# ------------------------------------------------------------------- primitives


def _structure_str(v: Any, _: Any) -> str:
    if not isinstance(v, str):
        raise _bad(v, "must be a string")
    return v


def _structure_bool(v: Any, _: Any) -> bool:
    if not isinstance(v, bool):
        raise _bad(v, "must be a boolean")
    return v


def _structure_int(v: Any, _: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _bad(v, "must be an integer")
    return v


def _structure_float(v: Any, _: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _bad(v, "must be a number")
    f = float(v)
    if not math.isfinite(f):
        raise _bad(v, "must be finite")
    return f


_DECIMAL_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def _structure_decimal(v: Any, _: Any) -> Decimal:
    if isinstance(v, int) and not isinstance(v, bool):
        return Decimal(v)
    if not isinstance(v, str):
        raise _bad(v, 'must be a decimal string such as "12.50"')
    if not _DECIMAL_RE.match(v):
        raise _bad(v, 'must be a decimal number such as "12.50"')
    try:
        return Decimal(v)
    except (InvalidOperation, ValueError):  # pragma: no cover - the regex admits only valid numbers
        raise _bad(v, "must be a decimal number") from None


def _structure_datetime(v: Any, _: Any) -> dt.datetime:
    if not isinstance(v, str):
        raise _bad(v, "must be an ISO 8601 date-time string with offset")
    try:
        out = dt.datetime.fromisoformat(v)
    except ValueError:
        raise _bad(v, "must be an ISO 8601 date-time such as 2024-05-01T09:00:00+08:00") from None
    if out.tzinfo is None or out.utcoffset() is None:
        raise _bad(v, "must include a UTC offset (naive date-times are ambiguous)")
    return out


def _structure_date(v: Any, _: Any) -> dt.date:
    if not isinstance(v, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", v):
        raise _bad(v, "must be an ISO 8601 date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise _bad(v, "must be a valid calendar date YYYY-MM-DD") from None


def _structure_time(v: Any, _: Any) -> dt.time:
    if not isinstance(v, str) or not re.match(r"^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?$", v):
        raise _bad(v, "must be a local time HH:MM[:SS[.ffffff]] without offset")
    try:
        return dt.time.fromisoformat(v)
    except ValueError:
        raise _bad(v, "must be a valid time of day HH:MM[:SS]") from None


_DURATION_RE = re.compile(
    r"^(?P<sign>-)?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d{1,6})?)S)?)?$"
)


def parse_duration(text: str) -> dt.timedelta:
    """Parse an ISO 8601 duration of weeks, days, hours, minutes and seconds.

    Examples
    --------
    >>> parse_duration("P1DT2H30M"), parse_duration("-PT0.25S")
    (datetime.timedelta(days=1, seconds=9000), datetime.timedelta(days=-1, seconds=86399, microseconds=750000))
    """
    m = _DURATION_RE.match(text) if isinstance(text, str) else None
    if m is None or text.rstrip("-").endswith(("P", "T")):
        msg = "must be an ISO 8601 duration such as P1DT2H30M or PT45S"
        if isinstance(text, str) and re.match(r"^-?P(?:\d+Y)|^-?P(?:\d+Y)?\d+M", text):
            msg = "must be an ISO 8601 duration in weeks, days, hours, minutes or seconds (years and months vary in length)"
        raise _bad(text, msg)
    g = m.groupdict()
    micros = int(Decimal(g["seconds"] or 0) * 1_000_000)
    td = dt.timedelta(
        weeks=int(g["weeks"] or 0),
        days=int(g["days"] or 0),
        hours=int(g["hours"] or 0),
        minutes=int(g["minutes"] or 0),
        microseconds=micros,
    )
    return -td if g["sign"] else td


def format_duration(td: dt.timedelta) -> str:
    """Format a timedelta as a canonical ISO 8601 duration.

    Examples
    --------
    >>> format_duration(dt.timedelta(days=1, hours=2, minutes=30)), format_duration(dt.timedelta(0))
    ('P1DT2H30M', 'PT0S')
    """
    if td < dt.timedelta(0):
        return "-" + format_duration(-td)
    secs = td.seconds
    h, rem = divmod(secs, 3600)
    mi, s = divmod(rem, 60)
    out = "P"
    if td.days:
        out += f"{td.days}D"
    t = ""
    if h:
        t += f"{h}H"
    if mi:
        t += f"{mi}M"
    if s or td.microseconds:
        t += f"{s}.{td.microseconds:06d}".rstrip("0").rstrip(".") + "S"
    if t:
        out += "T" + t
    return out if out != "P" else "PT0S"


def _structure_timedelta(v: Any, _: Any) -> dt.timedelta:
    try:
        return parse_duration(v)
    except OverflowError:
        raise _bad(v, "is too long a duration") from None


# ------------------------------------------------------------------ factories


_RECORD_TYPES: dict[Any, bool] = {}


def is_record_type(tp: Any) -> bool:
    """Whether ``tp`` is a domain record class (or a generic alias of one)."""
    try:
        return _RECORD_TYPES[tp]
    except KeyError:
        pass
    except TypeError:  # unhashable: not a type at all
        return False
    origin = typing.get_origin(tp) or tp
    out = isinstance(origin, type) and issubclass(origin, Record) and attrs.has(origin)
    _RECORD_TYPES[tp] = out
    return out


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _enum_hook(tp: type[enum.Enum]) -> Callable[[Any, Any], enum.Enum]:
    values = {m.value: m for m in tp}
    allowed = ", ".join(repr(x) for x in values)

    def structure(v: Any, _: Any) -> enum.Enum:
        try:
            return values[v]
        except (KeyError, TypeError):
            raise _bad(v, f"must be one of {allowed}") from None

    return structure


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _json_shape_matches(tp: Any, v: Any) -> bool:
    if is_record_type(tp):
        return isinstance(v, Mapping)
    origin = typing.get_origin(tp)
    if origin in (tuple, frozenset):
        return isinstance(v, list)
    if tp is type(None):
        return v is None
    return not isinstance(v, (Mapping, list)) and v is not None


def _union_hook(tp: Any) -> Callable[[Any, Any], Any]:
    members = typing.get_args(tp)
    optional = type(None) in members
    candidates = [m for m in members if m is not type(None)]
    name = type_name(tp)
    hooks: list[Callable[[Any, Any], Any]] = []  # resolved on first use

    def structure(v: Any, _: Any) -> Any:
        if v is None:
            if optional:
                return None
            raise _bad(v, f"must be {name}")
        if not hooks:
            hooks.extend(converter.get_structure_hook(m) for m in candidates)
        failures: list[ValidationError] = []
        for m, hook in zip(candidates, hooks, strict=True):
            try:
                return hook(v, m)
            except ValidationError as e:
                failures.append(e)
        shaped = [f for m, f in zip(candidates, failures, strict=True) if _json_shape_matches(m, v)]
        if len(shaped) == 1:  # only one member has this JSON shape: its detailed errors help most
            raise shaped[0]
        raise _bad(v, f"must be {name}")

    return structure


def _is_var_tuple(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _var_tuple_hook(tp: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
    item = typing.get_args(tp)[0]

    def structure(v: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(v, list):
            raise _bad(v, "must be a list")
        out = []
        errors: list[FieldError] = []
        for i, x in enumerate(v):
            try:
                out.append(converter.structure(x, item))
            except Exception as e:
                errors.extend(_prefix(e, f"$[{i}]"))
        if errors:
            raise ValidationError(errors)
        return tuple(out)

    return structure


def _is_fixed_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple and not _is_var_tuple(tp)


def _fixed_tuple_hook(tp: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
    items = typing.get_args(tp)

    def structure(v: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(v, list) or len(v) != len(items):
            raise _bad(v, f"must be a list of {len(items)} items")
        out = []
        errors: list[FieldError] = []
        for i, (x, t) in enumerate(zip(v, items, strict=True)):
            try:
                out.append(converter.structure(x, t))
            except Exception as e:
                errors.extend(_prefix(e, f"$[{i}]"))
        if errors:
            raise ValidationError(errors)
        return tuple(out)

    return structure


def _is_frozenset(tp: Any) -> bool:
    return typing.get_origin(tp) is frozenset


def _frozenset_hook(tp: Any) -> Callable[[Any, Any], frozenset[Any]]:
    item = typing.get_args(tp)[0]

    def structure(v: Any, _: Any) -> frozenset[Any]:
        if not isinstance(v, list):
            raise _bad(v, "must be a list (of distinct items)")
        out = []
        errors: list[FieldError] = []
        for i, x in enumerate(v):
            try:
                out.append(converter.structure(x, item))
            except Exception as e:
                errors.extend(_prefix(e, f"$[{i}]"))
        if errors:
            raise ValidationError(errors)
        result = frozenset(out)
        if len(result) != len(out):
            raise _bad(v, "must not contain duplicates (it is a set)")
        return result

    return structure


def _is_mapping(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _mapping_hook(tp: Any) -> Callable[[Any, Any], Mapping[Any, Any]]:
    kt, vt = typing.get_args(tp)

    def structure(v: Any, _: Any) -> Mapping[Any, Any]:
        if not isinstance(v, Mapping):
            raise _bad(v, "must be an object")
        out = {}
        errors: list[FieldError] = []
        for k, x in v.items():
            try:
                out[converter.structure(k, kt)] = converter.structure(x, vt)
            except Exception as e:
                errors.extend(_prefix(e, f"$[{k!r}]"))
        if errors:
            raise ValidationError(errors)
        return types.MappingProxyType(out)

    return structure


def _record_hook(tp: Any) -> Callable[[Any, Any], Any]:
    origin = typing.get_origin(tp) or tp
    specs = record_fields(tp)
    names = {s.name for s in specs}
    kind = origin.__name__
    hooks: list[Callable[[Any, Any], Any]] = []  # per-field structure hooks, resolved on first use

    def structure(data: Any, _: Any) -> Any:
        if not isinstance(data, Mapping):
            raise _bad(data, f"must be an object ({kind})")
        if not hooks:
            hooks.extend(converter.get_structure_hook(spec.type) for spec in specs)
        errors: list[FieldError] = []
        if len(data) > len(names) or not names.issuperset(data):
            for key in data:
                if key not in names:
                    path = f"$.{key}" if isinstance(key, str) else f"$[{key!r}]"
                    errors.append(FieldError(path, f"is not a field of {kind}"))
        kwargs: dict[str, Any] = {}
        failed: dict[str, list[FieldError]] = {}
        for spec, hook in zip(specs, hooks, strict=True):
            name = spec.name
            if name not in data:
                if spec.required:
                    failed[name] = [FieldError(f"$.{name}", "is required")]
                continue
            try:
                kwargs[name] = hook(data[name], spec.type)
            except Exception as e:
                failed[name] = _prefix(e, f"$.{name}")
        if errors or failed:
            # in field order: the fields that failed to structure, and the field checks
            # of those that did (the cross-field rules need every field, so they wait)
            for spec in specs:
                if spec.name in failed:
                    errors.extend(failed[spec.name])
                elif spec.name in kwargs:
                    errors.extend(_raw_values(field_errors(spec, kwargs[spec.name])[1], data))
            raise ValidationError(errors)
        try:
            return origin(**kwargs)
        except ValidationError as e:
            raise ValidationError(_raw_values(e.errors, data)) from None

    return structure


def _raw_values(errors: Iterable[FieldError], data: Mapping[str, Any]) -> list[FieldError]:
    """Report a top-level field's own payload value rather than its parsed form."""
    out = []
    for e in errors:
        name = e.path[2:]
        if e.path.startswith("$.") and name in data and e.value is not FieldError.NO_VALUE:
            out.append(FieldError(e.path, e.message, data[name]))
        else:
            out.append(e)
    return out


_PLAIN = (str, int, float, bool, type(None))
_UNSTRUCTURE: dict[type, Callable[[Any], Any]] = {}


def _unstructure(v: Any) -> Any:
    """Unstructure by runtime type through a per-type table (faster than full dispatch)."""
    t = type(v)
    if t in _PLAIN:
        return v
    fn = _UNSTRUCTURE.get(t)
    if fn is None:
        fn = _unstructure_fn(t)
        _UNSTRUCTURE[t] = fn
    return fn(v)


def _unstructure_fn(t: type) -> Callable[[Any], Any]:
    if issubclass(t, Record) and attrs.has(t):
        return _record_unstructure_fn(t)
    if issubclass(t, enum.Enum):
        return lambda e: e.value
    if issubclass(t, tuple):
        return lambda x: [_unstructure(i) for i in x]
    if issubclass(t, (frozenset, set)):
        return _unstructure_frozenset
    if issubclass(t, (types.MappingProxyType, dict)):
        return lambda m: {k: _unstructure(x) for k, x in m.items()}
    if t is Decimal:
        return str
    if issubclass(t, dt.datetime):
        return dt.datetime.isoformat
    if issubclass(t, dt.date):
        return dt.date.isoformat
    if issubclass(t, dt.time):
        return dt.time.isoformat
    if issubclass(t, dt.timedelta):
        return format_duration
    return converter.unstructure


def _is_plain(tp: Any) -> bool:
    """Whether values of annotation ``tp`` are already JSON builtins (str, int, bool, None ...)."""
    if tp in _PLAIN:
        return True
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return all(_is_plain(a) for a in typing.get_args(tp))
    return False


def _expr(tp: Any, var: str, ns: dict[str, Any], depth: int = 0) -> str:
    """A Python expression unstructuring ``var`` of annotation ``tp`` (generated code)."""
    if isinstance(tp, TypeVar):
        return f"u({var})"
    if _is_plain(tp):
        return var
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            inner = _expr(rest[0], var, ns, depth)
            return f"(None if {var} is None else {inner})"
        return f"u({var})"
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = f"_i{depth}"
        return f"[{_expr(args[0], item, ns, depth + 1)} for {item} in {var}]"
    if tp is Decimal:
        return f"str({var})"
    if tp is dt.datetime or tp is dt.date or tp is dt.time:
        return f"{var}.isoformat()"
    if tp is dt.timedelta:
        ns["format_duration"] = format_duration
        return f"format_duration({var})"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"{var}.value"
    return f"u({var})"


def _record_unstructure_fn(t: type) -> Callable[[Any], dict[str, Any]]:
    """Generated code per record class: each field converted by an expression for its type."""
    hints = typing.get_type_hints(t)
    ns: dict[str, Any] = {"u": _unstructure}
    items = [f"{a.name!r}: {_expr(hints[a.name], 'obj.' + a.name, ns)}" for a in attrs.fields(t)]
    src = "def unstructure(obj):\n    return {" + ", ".join(items) + "}\n"
    exec(compile(src, f"<distcrm unstructure {t.__name__}>", "exec"), ns)
    fn: Callable[[Any], dict[str, Any]] = ns["unstructure"]
    return fn


def _unstructure_record(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = _unstructure(obj)
    return out


def _unstructure_frozenset(s: frozenset[Any]) -> list[Any]:
    items = [_unstructure(x) for x in s]
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def _configure(c: cattrs.Converter) -> None:
    c.register_structure_hook(str, _structure_str)
    c.register_structure_hook(bool, _structure_bool)
    c.register_structure_hook(int, _structure_int)
    c.register_structure_hook(float, _structure_float)
    c.register_structure_hook(Decimal, _structure_decimal)
    c.register_structure_hook(dt.datetime, _structure_datetime)
    c.register_structure_hook(dt.date, _structure_date)
    c.register_structure_hook(dt.time, _structure_time)
    c.register_structure_hook(dt.timedelta, _structure_timedelta)
    c.register_structure_hook_factory(_is_enum, _enum_hook)
    c.register_structure_hook_factory(_is_union, _union_hook)
    c.register_structure_hook_factory(_is_var_tuple, _var_tuple_hook)
    c.register_structure_hook_factory(_is_fixed_tuple, _fixed_tuple_hook)
    c.register_structure_hook_factory(_is_frozenset, _frozenset_hook)
    c.register_structure_hook_factory(_is_mapping, _mapping_hook)
    c.register_structure_hook_factory(is_record_type, _record_hook)

    c.register_unstructure_hook(Decimal, str)
    c.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    c.register_unstructure_hook(dt.date, dt.date.isoformat)
    c.register_unstructure_hook(dt.time, dt.time.isoformat)
    c.register_unstructure_hook(dt.timedelta, format_duration)
    c.register_unstructure_hook_func(_is_enum, lambda e: e.value)
    c.register_unstructure_hook(frozenset, _unstructure_frozenset)
    c.register_unstructure_hook(tuple, _unstructure)
    c.register_unstructure_hook(
        types.MappingProxyType, lambda m: {k: converter.unstructure(x) for k, x in m.items()}
    )
    c.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Record) and attrs.has(t), _unstructure_record
    )


_configure(converter)
