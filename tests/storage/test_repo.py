"""The bulk path's batch encoding: chunked column-wise texts equal the per-object ones; bad values keep their path."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from distcrm.errors import ValidationError
from distcrm.storage import _repo
from distcrm.storage._codec import encode
from distcrm.storage._spec import spec_for
from distcrm.testing.storage import sample_records


def _orders(n: int) -> list[object]:
    base = sample_records()["orders"][0]
    return [attrs.evolve(base, id=f"O{i}") for i in range(n)]


def test_chunked_batch_encoding_equals_per_object_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch spanning several chunks (and a partial last one) gets each object's own document."""
    monkeypatch.setattr(_repo, "ENCODE_CHUNK", 2)
    orders = _orders(5)
    assert [encode(o) for o in orders] == _repo.encode_batch(spec_for("orders"), orders)


def test_a_bad_value_in_a_later_chunk_is_reported_with_its_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """A naive datetime in the last chunk sends the batch to the per-object path, which names ``$[4].created_at``."""
    monkeypatch.setattr(_repo, "ENCODE_CHUNK", 2)
    orders = _orders(5)
    object.__setattr__(orders[4], "created_at", dt.datetime(2024, 1, 1))
    with pytest.raises(ValidationError) as info:
        _repo.encode_batch(spec_for("orders"), orders)
    assert ["$[4].created_at"] == [e.path for e in info.value.errors]
