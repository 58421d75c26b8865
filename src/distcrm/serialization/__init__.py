"""Serialization of domain objects through one library-owned cattrs converter.

``to_dict``/``from_dict``, ``to_json``/``from_json`` and JSON Lines
(``read_jsonl``/``iter_jsonl``/``write_jsonl``, gzip when the path ends in ``.gz``).
Structuring is strict and reports every bad field of a payload, with its path, in one
:class:`~distcrm.errors.ValidationError`; no other exception escapes for a malformed
payload. See :mod:`distcrm.serialization._converter` for the formats.

Examples
--------
>>> from datetime import datetime, timezone
>>> from distcrm.domain import Feedback
>>> fb = Feedback(id="F-1", customer_id="C-1", at=datetime(2024, 5, 3, 8, tzinfo=timezone.utc), nps=9)
>>> d = to_dict(fb)
>>> d["at"], d["nps"]
('2024-05-03T08:00:00+00:00', 9)
>>> from_dict(Feedback, d) == fb
True
"""

from distcrm.serialization._api import (
    Reject,
    from_dict,
    from_json,
    iter_jsonl,
    read_jsonl,
    to_dict,
    to_json,
    write_jsonl,
)
from distcrm.serialization._converter import converter, format_duration, parse_duration

__all__ = [
    "Reject",
    "converter",
    "format_duration",
    "from_dict",
    "from_json",
    "iter_jsonl",
    "parse_duration",
    "read_jsonl",
    "to_dict",
    "to_json",
    "write_jsonl",
]
