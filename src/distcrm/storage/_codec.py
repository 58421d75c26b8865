"""Records to and from their stored JSON documents, through the one converter."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from distcrm.errors import IntegrityError, ValidationError
from distcrm.storage._jsonfast import Mismatch, compiled_encoder, generic_encode

__all__ = ["decode", "deep_validate", "encode", "full_validate", "to_doc"]


def to_doc(obj: Any) -> dict[str, Any]:
    """The converter's dictionary of ``obj``."""
    from distcrm.serialization import to_dict

    return to_dict(obj)


def full_validate(obj: Any) -> None:
    """Run the domain's own validation of every field of ``obj`` again (raises ValidationError)."""
    import attrs

    revalidate = getattr(type(obj), "__attrs_post_init__", None)
    if revalidate is not None:
        revalidate(obj)
    elif attrs.has(type(obj)):
        attrs.validate(obj)


def deep_validate(obj: Any, path: str = "$") -> None:
    """:func:`full_validate` of ``obj`` and of every record nested in it, errors with their paths."""
    import attrs

    if not attrs.has(type(obj)):
        return
    try:
        full_validate(obj)
    except ValidationError as exc:
        raise exc.prefixed(path) if path != "$" else exc from None
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        here = f"{path}.{a.name}"
        if isinstance(value, (tuple, list)):
            for i, item in enumerate(value):
                deep_validate(item, f"{here}[{i}]")
        elif isinstance(value, (frozenset, set)):
            for item in value:
                deep_validate(item, here)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                deep_validate(item, f"{here}[{key!r}]")
        else:
            deep_validate(value, here)


def encode(obj: Any) -> str:
    """The compact JSON document of ``obj`` (what the SQL adapters store).

    Domain records go through their compiled encoder, which writes the converter's exact
    text and checks the type of every value on the way; a value of an unexpected type
    sends the object, and every record nested in it, through the domain's full validation
    (a ValidationError naming the field) and, should that pass, through the converter.
    """
    enc = compiled_encoder(type(obj))
    if enc is not None:
        try:
            return enc(obj)
        except Mismatch:
            pass
    deep_validate(obj)  # off the fast path: every nested record is checked as well
    return generic_encode(obj)


def decode(cls: type[Any], doc: str | bytes | dict[str, Any]) -> Any:
    """The object of a stored document; a document that does not structure is an IntegrityError."""
    from distcrm.serialization import from_dict

    data = json.loads(doc) if isinstance(doc, (str, bytes)) else doc
    try:
        return from_dict(cls, data)
    except ValidationError as exc:
        raise IntegrityError(f"a stored {cls.__name__} document does not validate: {exc}") from exc
