"""JSON Lines reading and writing, plain and gzip."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from distcrm.domain import Feedback
from distcrm.errors import IntegrityError
from distcrm.serialization import iter_jsonl, read_jsonl, to_json, write_jsonl

T0 = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def _feedback(n: int) -> list[Feedback]:
    return [Feedback(id=f"F-{i}", customer_id=f"C-{i}", at=T0, nps=i % 11, text="好" * i) for i in range(n)]


@pytest.mark.parametrize("name", ["fb.jsonl", "fb.jsonl.gz"])
def test_write_then_read_round_trip(tmp_path: Path, name: str) -> None:
    """write_jsonl then read_jsonl gives back equal objects and no rejects (plain and gzip)."""
    objs = _feedback(25)
    path = tmp_path / name
    assert 25 == write_jsonl(path, objs)
    back, rejects = read_jsonl(path, Feedback)
    assert (objs, []) == (back, rejects)
    assert [] == [p.name for p in tmp_path.iterdir() if p.name != name]  # no temporary file left


def test_gzip_file_is_really_gzip(tmp_path: Path) -> None:
    """A .gz path is written gzip-compressed."""
    path = tmp_path / "fb.jsonl.gz"
    write_jsonl(path, _feedback(3))
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        assert 3 == len(fh.read().splitlines())


def test_rejects_carry_index_and_every_reason(tmp_path: Path) -> None:
    """Bad lines become rejects with their 0-based index and all reasons; blank lines are skipped."""
    good = _feedback(2)
    lines = [
        to_json(good[0]),
        '{"id": "F-x", "customer_id": "", "at": "2024-01-01", "nps": 12}',
        "",
        "not json",
        to_json(good[1]),
        '{"id": "F-y", "customer_id": "C", "at": "2024-01-01T00:00:00+00:00", "nps": 5, "mood": "meh"}',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    objs, rejects = read_jsonl(path, Feedback)
    assert good == objs
    assert [1, 3, 5] == [r.index for r in rejects]
    assert ["$.customer_id", "$.at", "$.nps"] == [e.path for e in rejects[0].reasons]
    assert ["$.mood"] == [e.path for e in rejects[2].reasons]
    assert rejects[0].text.startswith('{"id": "F-x"')
    assert str(rejects[1]).startswith("line 4:")


def test_bad_utf8_line_is_a_reject(tmp_path: Path) -> None:
    """A line that is not UTF-8 is rejected, the other lines still read."""
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(to_json(_feedback(1)[0]).encode() + b"\n\xff\xfe{}\n")
    objs, rejects = read_jsonl(path, Feedback)
    assert (1, [1]) == (len(objs), [r.index for r in rejects])


def test_truncated_gzip_raises_integrity_error(tmp_path: Path) -> None:
    """A truncated gzip backup raises IntegrityError, not a bare EOFError."""
    path = tmp_path / "fb.jsonl.gz"
    write_jsonl(path, _feedback(200))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IntegrityError):
        read_jsonl(path, Feedback)


def test_iter_jsonl_streams_in_order(tmp_path: Path) -> None:
    """iter_jsonl yields objects lazily, in file order."""
    path = tmp_path / "fb.jsonl"
    write_jsonl(path, _feedback(5))
    it = iter_jsonl(path, Feedback)
    assert "F-0" == next(it).id  # type: ignore[union-attr]
    assert ["F-1", "F-2", "F-3", "F-4"] == [o.id for o in it]  # type: ignore[union-attr]


def test_failed_write_keeps_old_file(tmp_path: Path) -> None:
    """If writing fails midway, the previous file is untouched and no temp file remains."""
    path = tmp_path / "fb.jsonl"
    write_jsonl(path, _feedback(2))
    before = path.read_bytes()

    def boom() -> object:
        yield _feedback(1)[0]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_jsonl(path, boom())  # type: ignore[arg-type]
    assert before == path.read_bytes()
    assert ["fb.jsonl"] == [p.name for p in tmp_path.iterdir()]
