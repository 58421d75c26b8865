"""Compiled JSON encoders: a record's converter JSON text without the converter's dispatch.

The stored document of a record is ``json.dumps(to_dict(obj), separators=(",", ":"),
ensure_ascii=False)``. The converter finds a hook for every value at run time; for a
bulk load of a million order lines that dispatch is most of the cost. Here each domain
class gets one generated function that writes its JSON text directly from its declared
field types (strings through ``json``'s C escaper, Decimals through ``str``, enums through
a table, defaults as precomputed text) and checks each value's type on the way. The
output is byte-identical to the converter's (tested for every aggregate type with
hypothesis); a value of an unexpected type raises :class:`Mismatch`, and the caller
then falls back to full validation and the converter.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import accumulate, chain, islice, repeat
from operator import attrgetter, is_, is_not, ne, sub
from typing import Any

import attrs

__all__ = ["Mismatch", "batch_encoder", "compiled_encoder", "generic_encode", "iso_texts", "join_pieces"]

Emit = Callable[[Any], str]

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_es: Callable[[str], str] = json.encoder.encode_basestring  # the C escaper


class Mismatch(Exception):  # noqa: N818 - internal signal, never escapes the storage layer
    """A value whose type the compiled encoder does not expect (use the slow path)."""


def generic_encode(obj: Any) -> str:
    """The converter's JSON text of ``obj`` (the reference the compiled encoders match)."""
    from distcrm.serialization import converter

    return _dumps(converter.unstructure(obj))


def _bad(v: Any) -> str:
    raise Mismatch(type(v).__name__)


def _emit_str(v: Any) -> str:
    return _es(v) if type(v) is str else _bad(v)


def _emit_bool(v: Any) -> str:
    return "true" if v is True else "false" if v is False else _bad(v)


def _emit_int(v: Any) -> str:
    return repr(v) if type(v) is int else _bad(v)


def _emit_float(v: Any) -> str:
    if type(v) is float and math.isfinite(v):
        return repr(v)
    return repr(v) if type(v) is int else _bad(v)


def _emit_decimal(v: Any) -> str:
    return '"' + str(v) + '"' if type(v) is Decimal else _bad(v)


def _emit_datetime(v: Any) -> str:
    if type(v) is dt.datetime and v.utcoffset() is not None:
        return f'"{v.isoformat()}"'
    return _bad(v)


def _emit_date(v: Any) -> str:
    return f'"{v.isoformat()}"' if type(v) is dt.date else _bad(v)


def _emit_time(v: Any) -> str:
    return f'"{v.isoformat()}"' if type(v) is dt.time else _bad(v)


def _emit_timedelta(v: Any) -> str:
    from distcrm.serialization import format_duration

    return f'"{format_duration(v)}"' if type(v) is dt.timedelta else _bad(v)


_SIMPLE: dict[Any, Emit] = {
    str: _emit_str,
    bool: _emit_bool,
    int: _emit_int,
    float: _emit_float,
    Decimal: _emit_decimal,
    dt.datetime: _emit_datetime,
    dt.date: _emit_date,
    dt.time: _emit_time,
    dt.timedelta: _emit_timedelta,
}


def _enum_emitter(tp: type[enum.Enum]) -> Emit:
    table = {id(m): _dumps(m.value) for m in tp}
    get = table.get

    def emit(v: Any) -> str:
        out = get(id(v))
        return out if out is not None else _bad(v)

    return emit


def _optional(inner: Emit) -> Emit:
    def emit(v: Any) -> str:
        return "null" if v is None else inner(v)

    return emit


def _var_tuple(inner: Emit) -> Emit:
    def emit(v: Any) -> str:
        if type(v) is not tuple:
            return _bad(v)
        return "[" + ",".join([inner(x) for x in v]) + "]"

    return emit


def _fixed_tuple(inners: tuple[Emit, ...]) -> Emit:
    n = len(inners)

    def emit(v: Any) -> str:
        if type(v) is not tuple or len(v) != n:
            return _bad(v)
        return "[" + ",".join([f(x) for f, x in zip(inners, v, strict=True)]) + "]"

    return emit


def _str_set(v: Any) -> str:
    if type(v) is not frozenset:
        return _bad(v)
    if not v:
        return "[]"
    return "[" + ",".join([_emit_str(x) for x in sorted(v)]) + "]"


def _str_map(v: Any) -> str:
    if type(v) is not types.MappingProxyType:
        return _bad(v)
    return "{" + ",".join([_emit_str(k) + ":" + _emit_str(x) for k, x in v.items()]) + "}"


def _is_record(tp: Any) -> bool:
    from distcrm.domain._validation import Record

    origin = typing.get_origin(tp) or tp
    return isinstance(origin, type) and issubclass(origin, Record) and attrs.has(origin)


@functools.cache
def _emitter(tp: Any) -> Emit | None:
    """The emitter of one declared type, or None when only the converter can write it."""
    if tp in _SIMPLE:
        return _SIMPLE[tp]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_emitter(tp)
    if _is_record(tp):
        return _record_emitter(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            inner = _emitter(rest[0])
            return None if inner is None else _optional(inner)
        return None
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            inner = _emitter(args[0])
            return None if inner is None else _var_tuple(inner)
        inners = tuple(_emitter(a) for a in args)
        if any(i is None for i in inners):
            return None
        return _fixed_tuple(inners)  # type: ignore[arg-type]
    if origin is frozenset and args == (str,):
        return _str_set
    if isinstance(origin, type) and issubclass(origin, Mapping) and args == (str, str):
        return _str_map
    return None


def _fallback(spec: Any) -> Emit:
    """Check the value with the domain's own field check, then write it through the converter."""
    from distcrm.domain._validation import field_errors

    def emit(v: Any) -> str:
        out, errors = field_errors(spec, v)
        if errors or out is not v:
            return _bad(v)
        return generic_encode(v)

    return emit


_IMMUTABLE = (type(None), str, int, float, bool, Decimal, enum.Enum)


_QUOTED = {  # field types whose JSON is a string whose content needs no escaping
    Decimal: "{s} = _dstr({v}) if _type({v}) is _Dec else _bad({v})",
    dt.datetime: "{s} = {v}.isoformat() if _type({v}) is _datetime and {v}.utcoffset() is not None else _bad({v})",
}


class _Gen:
    """Writes the source of one record's emitter; nested records are inlined, not called."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {
            "_type": type,
            "_Mismatch": Mismatch,
            "_bad": _bad,
            "_es": _es,
            "_str": str,
            "_Dec": Decimal,
            "_dstr": str,  # after the exact-type check: Decimal.__str__, without the slot wrapper's cost
            "_int": int,
            "_irepr": repr,  # after the exact-type check: int.__repr__
            "_id": id,
            "_tuple": tuple,
            "_datetime": dt.datetime,
        }
        self.n = 0

    def name(self, prefix: str, *value: Any) -> str:
        """A fresh variable name; with a value, a name bound to it in the emitter's globals."""
        self.n += 1
        out = f"{prefix}{self.n}"
        if value:
            self.ns[out] = value[0]
        return out

    def value(self, tp: Any, var: str, out: str, spec: Any, depth: int) -> list[str]:
        """Statements setting ``out`` to the JSON text of the value in ``var`` (declared ``tp``)."""
        if tp is str:
            return [f"{out} = _es({var}) if _type({var}) is _str else _bad({var})"]
        if tp is Decimal:
            return [f"{out} = '\"' + _dstr({var}) + '\"' if _type({var}) is _Dec else _bad({var})"]
        if tp is int:
            return [f"{out} = _irepr({var}) if _type({var}) is _int else _bad({var})"]
        if tp is dt.datetime:
            return [
                (
                    f"{out} = '\"' + {var}.isoformat() + '\"' "
                    f"if _type({var}) is _datetime and {var}.utcoffset() is not None else _bad({var})"
                )
            ]
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            table = self.name("_m", {id(m): _dumps(m.value) for m in tp}.get)
            return [f"{out} = {table}(_id({var})) or _bad({var})"]
        if _is_record(tp) and depth < 3:
            return self.record(tp, var, out, depth + 1)
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
            inner_tp = args[0] if args[1] is type(None) else args[1]
            if _emitter(inner_tp) is not None:
                inner = self.value(inner_tp, var, out, spec, depth)
                return [f"if {var} is None:", f"    {out} = 'null'", "else:", *("    " + ln for ln in inner)]
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis and _emitter(args[0]) is not None:
            parts, x, sx = self.name("p"), self.name("x"), self.name("s")
            if _is_record(args[0]) and depth < 3:  # the items' code inline: no call per item
                inner = self.value(args[0], x, sx, spec, depth)
                return [
                    f"if _type({var}) is not _tuple: _bad({var})",
                    f"{parts} = []",
                    f"for {x} in {var}:",
                    *("    " + ln for ln in inner),
                    f"    {parts}.append({sx})",
                    f"{out} = '[' + ','.join({parts}) + ']'",
                ]
            item = self.name("_e", _emitter(args[0]))
            return [
                f"if _type({var}) is not _tuple: _bad({var})",
                f"{out} = '[' + ','.join([{item}(x) for x in {var}]) + ']'",
            ]
        emit = _emitter(tp) or _fallback(spec)
        return [f"{out} = {self.name('_e', emit)}({var})"]

    def record(self, tp: Any, var: str, out: str, depth: int) -> list[str]:
        code, template = self.record_parts(tp, var, depth)
        return [*code, f"{out} = f'{template}'"]

    def record_parts(self, tp: Any, var: str, depth: int) -> tuple[list[str], str]:
        """The statements checking and writing a record's fields, and its f-string template.

        A field holding a nested record (not optional, no default) is inlined: its
        fields' statements join these and its template is spliced into this one, so no
        intermediate string is built for it.
        """
        from distcrm.domain._validation import record_fields

        cls = typing.get_origin(tp) or tp
        cls_name = self.name("_c", cls)
        defaults = {a.name: a.default for a in attrs.fields(cls)}
        code = [f"if _type({var}) is not {cls_name}: _bad({var})"]
        template = ""
        for spec in record_fields(tp):
            if not spec.name.isidentifier():  # pragma: no cover - attrs field names are identifiers
                raise TypeError(spec.name)
            v = self.name("v")
            s = self.name("s")
            code.append(f"{v} = {var}.{spec.name}")
            default = defaults.get(spec.name, attrs.NOTHING)
            has_default = isinstance(default, _IMMUTABLE) and default is not attrs.NOTHING
            if _is_record(spec.type) and depth < 3 and not has_default:
                sub_code, sub_template = self.record_parts(spec.type, v, depth + 1)
                code += sub_code
                template += ("{{" if not template else ",") + f'"{spec.name}":{sub_template}'
                continue
            quoted = spec.type in _QUOTED  # the template holds the quotes: fewer concatenations
            stmts = (
                [_QUOTED[spec.type].format(v=v, s=s)] if quoted else self.value(spec.type, v, s, spec, depth)
            )
            if has_default:
                d = self.name("_d", default)
                text = generic_encode(default)
                t = self.name("_t", text[1:-1] if quoted else text)
                code += [f"if {v} is {d}:", f"    {s} = {t}", "else:", *("    " + ln for ln in stmts)]
            else:
                code += stmts
            value = f'"{{{s}}}"' if quoted else f"{{{s}}}"
            template += ("{{" if not template else ",") + f'"{spec.name}":{value}'
        return code, (template or "{{") + "}}"


def _record_emitter(tp: Any) -> Emit:
    """Generate ``emit(obj) -> str`` for a record class (or generic record alias)."""
    cls = typing.get_origin(tp) or tp
    gen = _Gen()
    body = gen.record(tp, "o", "out", 0)
    body[0] = f"if _type(o) is not {gen.name('_c', cls)}: raise _Mismatch({cls.__name__!r})"
    src = "def emit(o):\n" + "".join(f"    {ln}\n" for ln in body) + "    return out\n"
    ns = gen.ns
    exec(
        compile(src, f"<distcrm json encoder {cls.__name__}>", "exec"), ns
    )  # generated from field names only
    return ns["emit"]  # type: ignore[no-any-return]


_ENCODERS: dict[type[Any], Emit | None] = {}


def compiled_encoder(cls: type[Any]) -> Emit | None:
    """The compiled JSON encoder of a domain record class, or None for other types."""
    try:
        return _ENCODERS[cls]
    except KeyError:
        enc = _ENCODERS[cls] = _emitter(typing.cast(Any, cls)) if _is_record(cls) else None
        return enc


# --- batch encoders: a whole batch, one field (column) at a time ---------------------------------
#
# ``add_many`` encodes thousands of records of one class. Walking them field by field
# moves the per-value work into C-level ``map`` passes: a field's values are gathered
# with one ``map(attrgetter)``, their exact types checked with one ``set(map(type))``,
# their texts written with one ``map(str)``/``map(encode_basestring)``, and each
# document is joined from its pieces by ``map(str.join, zip(...))``. A field whose
# values are all its default object gets the default's text once; the items of tuple
# fields (an order's lines) are written as one flat column and regrouped. The checks
# are the per-record encoder's (exact types, aware datetimes, enum members); any value
# they do not accept raises Mismatch for the whole batch.

Texts = str | list[str]  # one JSON text per value, or one text shared by every value
ColEmit = Callable[[list[Any]], Texts]

_NO_DEFAULT = object()
_UTC = dt.UTC
_D2 = [f"{i:02d}" for i in range(100)]


def _exact(col: list[Any], tp: type[Any]) -> None:
    kinds = set(map(type, col))
    if kinds and kinds != {tp}:
        raise Mismatch(tp.__name__)


def _offset_text(offset: dt.timedelta) -> str:
    """The UTC-offset suffix ``datetime.isoformat`` writes for ``offset``."""
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone(offset)).isoformat()[19:]


def iso_texts(col: list[Any]) -> list[str]:
    """``v.isoformat()`` of aware datetimes (exact type already checked), about 3x faster.

    The date part is written once per distinct day and the offset once per distinct
    offset; a naive value raises Mismatch.
    """
    days: dict[int, str] = {}
    offsets: dict[dt.timedelta, str] = {}
    d2 = _D2
    out: list[str] = []
    append = out.append
    for v in col:
        if v.tzinfo is _UTC:
            off = "+00:00"
        else:
            o = v.utcoffset()
            if o is None:
                raise Mismatch("naive datetime")
            off = offsets.get(o) or offsets.setdefault(o, _offset_text(o))
        n = v.toordinal()
        day = days.get(n)
        if day is None:
            day = days[n] = dt.date.fromordinal(n).isoformat() + "T"
        us = v.microsecond
        if us:
            append(f"{day}{d2[v.hour]}:{d2[v.minute]}:{d2[v.second]}.{us:06d}{off}")
        else:
            append(f"{day}{d2[v.hour]}:{d2[v.minute]}:{d2[v.second]}{off}")
    return out


def _col_str(col: list[Any]) -> Texts:
    _exact(col, str)
    if col and not any(map(ne, col, repeat(col[0]))):  # one value throughout (a currency): escaped once
        return _es(col[0])
    return list(map(_es, col))


def _col_int(col: list[Any]) -> Texts:
    _exact(col, int)
    return list(map(int.__repr__, col))


def _raw_decimal(col: list[Any]) -> list[str]:
    _exact(col, Decimal)
    return list(map(Decimal.__str__, col))


def _raw_datetime(col: list[Any]) -> list[str]:
    _exact(col, dt.datetime)
    return iso_texts(col)


_RAW: dict[Any, Callable[[list[Any]], list[str]]] = {Decimal: _raw_decimal, dt.datetime: _raw_datetime}


def _col_quoted(raw: Callable[[list[Any]], list[str]]) -> ColEmit:
    def emit(col: list[Any]) -> Texts:
        return [f'"{s}"' for s in raw(col)]

    return emit


def _col_enum(tp: type[enum.Enum]) -> ColEmit:
    get = {id(m): _dumps(m.value) for m in tp}.get

    def emit(col: list[Any]) -> Texts:
        texts = list(map(get, map(id, col)))
        if None in texts:
            raise Mismatch(tp.__name__)
        return texts  # type: ignore[return-value]

    return emit


def _expand(texts: Texts, n: int) -> list[str]:
    return [texts] * n if isinstance(texts, str) else texts


def _col_optional(inner: ColEmit) -> ColEmit:
    def emit(col: list[Any]) -> Texts:
        nones = sum(map(is_, col, repeat(None)))
        if nones == len(col):
            return "null"
        if not nones:
            return inner(col)
        values = [v for v in col if v is not None]
        it = iter(_expand(inner(values), len(values)))
        return ["null" if v is None else next(it) for v in col]

    return emit


def _col_var_tuple(item: ColEmit) -> ColEmit:
    def emit(col: list[Any]) -> Texts:
        _exact(col, tuple)
        flat = list(chain.from_iterable(col))
        if not flat:
            return "[]"
        it = iter(_expand(item(flat), len(flat)))
        return ["[" + ",".join(islice(it, k)) + "]" for k in map(len, col)]

    return emit


def _col_record_tuple(rec: _ColRecord) -> ColEmit:
    """Tuples of records: every item's pieces streamed into one list, one join per tuple.

    With the item's pieces merged to ``K0 X1 K1 ... Xm Km`` (constants K, columns X),
    item i of the flat list contributes ``lead_i, X1[i], K1, ..., Xm[i]`` where the lead is
    ``[`` + K0 for a tuple's first item and ``Km,K0`` for the others; a tuple's text is the
    join of its items' stretch plus ``Km]``. No text is built per item.
    """

    def emit(col: list[Any]) -> Texts:
        _exact(col, tuple)
        flat = list(chain.from_iterable(col))
        if not flat:
            return "[]"
        merged = _merge(rec.pieces(flat))
        if len(merged) == 1:  # every item has the same text
            one = merged[0]
            return ["[" + ",".join([one] * len(t)) + "]" if t else "[]" for t in col]  # type: ignore[list-item]
        consts: list[str] = []
        columns: list[list[str]] = []
        for p in merged:  # to strict alternation K0 X1 K1 ... Xm Km
            if isinstance(p, str):
                consts.append(p)
            else:
                if len(consts) == len(columns):
                    consts.append("")
                columns.append(p)
        if len(consts) == len(columns):
            consts.append("")
        lens = list(map(len, col))
        leads = [consts[-1] + "," + consts[0]] * len(flat)
        first = "[" + consts[0]
        ends = list(accumulate(lens))
        for start, k in zip(map(sub, ends, lens), lens, strict=True):
            if k:
                leads[start] = first
        parts = [leads, columns[0]]
        for c, x in zip(consts[1:-1], columns[1:], strict=True):
            parts += [repeat(c), x]  # type: ignore[list-item]
        stream = list(chain.from_iterable(zip(*parts, strict=False)))
        w = len(parts)
        tail = consts[-1] + "]"
        return [
            "".join(stream[w * (e - k) : w * e]) + tail if k else "[]"
            for e, k in zip(ends, lens, strict=True)
        ]

    return emit


def _col_each(emit_one: Emit) -> ColEmit:
    def emit(col: list[Any]) -> Texts:
        return list(map(emit_one, col))

    return emit


def _or_default(emit_one: Emit, default: Any, text: str) -> Emit:
    def emit(v: Any) -> str:
        return text if v is default else emit_one(v)

    return emit


def _merge(pieces: list[Texts]) -> list[Texts]:
    """``pieces`` with runs of adjacent constants joined into one constant."""
    merged: list[Texts] = []
    for p in pieces:
        if type(p) is str and merged and type(merged[-1]) is str:
            merged[-1] += p
        else:
            merged.append(p)
    return merged


def join_pieces(pieces: list[Texts], n: int) -> list[str]:
    """The ``n`` texts made by concatenating ``pieces`` (constants and per-value columns) in order."""
    merged = _merge(pieces)
    if len(merged) == 1:
        return _expand(merged[0], n)
    return list(map("".join, zip(*[repeat(p, n) if type(p) is str else p for p in merged], strict=False)))


# per field: its key's text, getter, default object (or _NO_DEFAULT) and text, whether its
# texts are quoted by the pieces, its column emitter, and for a nested record its writer
_Step = tuple[str, Any, Any, str, bool, "ColEmit | None", "_ColRecord | None"]


class _ColRecord:
    """The column-wise writer of one record class (its plan is made on first use)."""

    def __init__(self, tp: Any) -> None:
        self.tp = tp
        self.cls = typing.get_origin(tp) or tp
        self.plan: list[_Step] | None = None

    def _make_plan(self) -> list[_Step]:
        from distcrm.domain._validation import record_fields

        defaults = {a.name: a.default for a in attrs.fields(self.cls)}
        plan: list[_Step] = []
        for i, spec in enumerate(record_fields(self.tp)):
            prefix = ("{" if i == 0 else ",") + _dumps(spec.name) + ":"
            default = defaults.get(spec.name, attrs.NOTHING)
            has_default = isinstance(default, _IMMUTABLE) and default is not attrs.NOTHING
            d = default if has_default else _NO_DEFAULT
            d_text = generic_encode(default) if has_default else ""
            if _is_record(spec.type) and not has_default:
                plan.append((prefix, attrgetter(spec.name), d, d_text, False, None, _col_record(spec.type)))
                continue
            quoted = spec.type in _RAW
            emit = _RAW[spec.type] if quoted else _col_emitter(spec.type)
            if emit is None:  # only the converter writes it: value by value, defaults by identity
                emit = _col_each(_or_default(_fallback(spec), d, d_text))
            plan.append((prefix, attrgetter(spec.name), d, d_text, quoted, emit, None))
        self.plan = plan
        return plan

    def pieces(self, objs: list[Any]) -> list[Texts]:
        """The constant and per-record pieces whose concatenation is each record's JSON text."""
        plan = self.plan or self._make_plan()
        _exact(objs, self.cls)
        out: list[Texts] = []
        for prefix, get, default, d_text, quoted, emit, nested in plan:
            out.append(prefix)
            col = list(map(get, objs))
            if nested is not None:
                out += nested.pieces(col)
            elif default is not _NO_DEFAULT and not any(map(is_not, col, repeat(default))):
                out.append(d_text)  # every value is the default object
            elif quoted:
                out += ['"', emit(col), '"']  # type: ignore[misc]
            else:
                out.append(emit(col))  # type: ignore[misc]
        out.append("}" if plan else "{}")
        return out


@functools.cache
def _col_record(tp: Any) -> _ColRecord:
    return _ColRecord(tp)


@functools.cache
def _col_emitter(tp: Any) -> ColEmit | None:
    """The column-wise emitter of one declared type (full JSON texts), or None for the converter."""
    if tp is str:
        return _col_str
    if tp is int:
        return _col_int
    if tp in _RAW:
        return _col_quoted(_RAW[tp])
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _col_enum(tp)
    if _is_record(tp):
        rec = _col_record(tp)
        return lambda col: join_pieces(rec.pieces(col), len(col))
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _col_emitter(args[0] if args[1] is type(None) else args[1])
        return None if inner is None else _col_optional(inner)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if _is_record(args[0]):
            return _col_record_tuple(_col_record(args[0]))
        item = _col_emitter(args[0])
        return None if item is None else _col_var_tuple(item)
    one = _emitter(tp)
    return None if one is None else _col_each(one)


def batch_encoder(cls: type[Any]) -> Callable[[list[Any]], list[str]] | None:
    """The column-wise encoder of a list of ``cls`` instances (raises Mismatch), or None."""
    if not _is_record(cls):
        return None
    rec = _col_record(typing.cast(Any, cls))

    def encode_many(objs: list[Any]) -> list[str]:
        return join_pieces(rec.pieces(objs), len(objs))

    return encode_many
