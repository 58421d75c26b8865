"""The distcrm command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from distcrm._cli import build_parser, main
from distcrm.serialization import write_jsonl

COMMANDS = ["demo", "import", "segment", "forecast", "route", "kpi", "backup", "restore"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`distcrm COMMAND --help` prints a usage line and exits 0."""
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert 0 == info.value.code
    assert f"usage: distcrm {command}" in capsys.readouterr().out


def test_console_script_runs() -> None:
    """`python -m distcrm --help` lists the commands."""
    out = subprocess.run(
        [sys.executable, "-m", "distcrm", "--help"], capture_output=True, text=True, check=True
    )
    for command in COMMANDS:
        assert command in out.stdout


def test_parser_knows_every_command() -> None:
    """The parser has exactly the documented sub-commands."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(COMMANDS) == sorted(sub.choices)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path, company: Any) -> Path:
    """A SQLite store holding the small company."""
    from distcrm.storage import SQLiteStore
    from distcrm.workflows import load_company

    path = tmp_path / "crm.sqlite"
    store = SQLiteStore(path)
    load_company(store, company)
    store.close()
    return path


def test_import_jsonl_reports_every_reject(
    tmp_path: Path, company: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Good records are stored, bad ones rejected with their line and reasons, none lost."""
    from distcrm.serialization import to_dict

    path = tmp_path / "customers.jsonl"
    good = list(company.customers[:3])
    write_jsonl(path, good)
    bad = to_dict(company.customers[3])
    bad["name"] = ""
    bad["status"] = "zombie"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n")  # a blank line is skipped but still counts in the line numbers
        fh.write(json.dumps(bad) + "\n")
        fh.write("{not json\n")
        fh.write(json.dumps(to_dict(good[0])) + "\n")  # a repeated id
    rejects = tmp_path / "rejects.jsonl"
    db = tmp_path / "crm.sqlite"
    code = main(["import", str(path), "--kind", "customers", "--db", str(db), "--rejects", str(rejects)])
    out = capsys.readouterr().out
    assert 1 == code
    assert "3 customers stored" in out
    assert "3 rejected" in out
    lines = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert [5, 6, 7] == [x["record"] for x in lines]
    assert any("$.status" in r for r in lines[0]["reasons"])
    assert any("$.name" in r for r in lines[0]["reasons"])
    assert any("repeated" in r for r in lines[2]["reasons"])


def test_import_csv_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CSV rows become records; dotted headers nest, JSON cells parse, bad rows are rejected."""
    path = tmp_path / "customers.csv"
    path.write_text(
        "id,name,kind,tags,preferences.language\n"
        'C-1,Alpha Foods,company,"[""vip""]",zh\n'
        "C-2,,company,,en\n"
        "C-3,Gamma Cafe,spaceship,,en\n",
        encoding="utf-8",
    )
    db = tmp_path / "crm.sqlite"
    code = main(["import", str(path), "--kind", "customers", "--db", str(db)])
    out = capsys.readouterr().out
    assert 1 == code
    assert "1 customers stored" in out
    assert "record 2: $.name" in out
    assert "record 3: $.kind" in out
    from distcrm.storage import SQLiteStore

    store = SQLiteStore(db)
    c = store.customers.get("C-1")
    store.close()
    assert frozenset({"vip"}) == c.tags
    assert "zh" == c.preferences.language


def test_import_unknown_kind_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown record kind exits 2 and names the field."""
    path = tmp_path / "x.jsonl"
    path.write_text("", encoding="utf-8")
    assert 2 == main(["import", str(path), "--kind", "unicorns", "--db", str(tmp_path / "db.sqlite")])
    assert "$.kind" in capsys.readouterr().err


def test_missing_store_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A command on a store file that does not exist exits 2 with the path."""
    assert 2 == main(["kpi", "--db", str(tmp_path / "nope.sqlite")])
    assert "nope.sqlite" in capsys.readouterr().err


def test_backup_and_restore_round_trip(db: Path, tmp_path: Path, company: Any) -> None:
    """A backup restored into a new store holds the same records."""
    from distcrm.storage import SQLiteStore

    backup = tmp_path / "b.jsonl.gz"
    assert 0 == main(["backup", "--db", str(db), str(backup)])
    target = tmp_path / "restored.sqlite"
    assert 0 == main(["restore", str(backup), "--db", str(target)])
    a, b = SQLiteStore(db), SQLiteStore(target)
    try:
        assert sorted(a.customers.all(), key=lambda c: c.id) == sorted(b.customers.all(), key=lambda c: c.id)
        assert a.orders.count() == b.orders.count()
    finally:
        a.close()
        b.close()


def test_segment_kpi_and_forecast_commands(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """segment --save, kpi and forecast run on a store and write their CSVs."""
    seg_csv, kpi_csv, fc_csv = tmp_path / "seg.csv", tmp_path / "kpi.csv", tmp_path / "fc.csv"
    assert 0 == main(["segment", "--db", str(db), "--save", "--csv", str(seg_csv)])
    assert 0 == main(["kpi", "--db", str(db), "--csv", str(kpi_csv)])
    assert 0 == main(["forecast", "--db", str(db), "--horizon", "2", "--csv", str(fc_csv)])
    out = capsys.readouterr().out
    assert "saved the segment of" in out
    assert seg_csv.read_text(encoding="utf-8").startswith("customer_id,segment,r,f,m")
    assert kpi_csv.read_text(encoding="utf-8").count("\n") > 3
    assert fc_csv.read_text(encoding="utf-8").startswith("item_id,step,mean,lo90,hi90")
