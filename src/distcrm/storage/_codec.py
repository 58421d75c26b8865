"""Records to and from their stored JSON documents, through the one converter."""

from __future__ import annotations

import json
from typing import Any

from distcrm.errors import IntegrityError, ValidationError

__all__ = ["decode", "encode", "to_doc"]


def to_doc(obj: Any) -> dict[str, Any]:
    """The converter's dictionary of ``obj``."""
    from distcrm.serialization import to_dict

    return to_dict(obj)  # type: ignore[no-any-return]


def encode(obj: Any) -> str:
    """The compact JSON document of ``obj`` (what the SQL adapters store)."""
    return json.dumps(to_doc(obj), separators=(",", ":"), ensure_ascii=False)


def decode(cls: type[Any], doc: str | bytes | dict[str, Any]) -> Any:
    """The object of a stored document; a document that does not structure is an IntegrityError."""
    from distcrm.serialization import from_dict

    data = json.loads(doc) if isinstance(doc, (str, bytes)) else doc
    try:
        return from_dict(cls, data)
    except ValidationError as exc:
        raise IntegrityError(f"a stored {cls.__name__} document does not validate: {exc}") from exc
