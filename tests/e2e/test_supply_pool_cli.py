"""`rackforge supply pool import | export | history` as a planner drives them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postgres_cluster import PostgresCluster
from rackforge.cli.main import app
from rackforge.services.supply_pool import read_pool

EXAMPLE = Path(__file__).parents[2] / "examples" / "frontier-2027"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["supply", "pool", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def program(tmp_path: Path) -> Path:
    folder = tmp_path / "program"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_import_edit_reimport_history_and_export_round_trip(program: Path, tmp_path: Path) -> None:
    code, out, err = invoke("import", str(program), "--who", "ana", "--why", "first", "--json")
    assert code == 0, err
    first = json.loads(out)["import"]
    assert (first["suppliers"], first["offers"]) == (19, 38)
    assert (program / ".rackforge" / "pool.db").is_file()

    suppliers = program / "suppliers.csv"
    text = suppliers.read_text(encoding="utf-8")
    suppliers.write_text(text.replace("Fremont", "Milpitas", 1), encoding="utf-8")
    code, out, _ = invoke("import", str(program), "--who", "ben", "--why", "site moved")
    assert code == 0 and "1 changed" in out

    code, out, _ = invoke("history", str(program), "--supplier", "tallgrass-dist", "--json")
    assert code == 0
    changes = json.loads(out)["changes"]
    last = changes[-1]
    assert {k: last[k] for k in ("who", "why", "action", "field", "old", "new")} == {
        "who": "ben",
        "why": "site moved",
        "action": "changed",
        "field": "city",
        "old": "Fremont",
        "new": "Milpitas",
    }
    assert {c["supplier"] for c in changes} == {"tallgrass-dist"}

    code, out, _ = invoke("history", str(program))
    assert code == 0 and "Milpitas" in out

    workbook = tmp_path / "pool.xlsx"
    code, _, err = invoke("export", str(program), "--to", str(workbook))
    assert code == 0, err
    folder = tmp_path / "exported"
    assert invoke("export", str(program), "--to", str(folder))[0] == 0
    assert read_pool(workbook) == read_pool(folder) == read_pool(program)


def test_a_new_stock_count_is_recorded_and_exported(program: Path, tmp_path: Path) -> None:
    assert invoke("import", str(program), "--who", "ana")[0] == 0
    offers = program / "offers.csv"
    row = "tallgrass-dist,RF-SWASIC-8E57A490,NVLink switch tray (NVL72),9:42000; 288:40000,"
    text = offers.read_text(encoding="utf-8")
    assert f"{row}180,30,9,0,144," in text
    offers.write_text(text.replace(f"{row}180,30,9,0,144,", f"{row}180,30,9,0,216,"), "utf-8")
    code, out, _ = invoke("import", str(program), "--who", "ben", "--why", "hub count")
    assert code == 0 and "1 changed" in out
    code, out, _ = invoke("history", str(program), "--supplier", "tallgrass-dist", "--json")
    last = json.loads(out)["changes"][-1]
    assert {k: last[k] for k in ("key", "field", "old", "new", "why")} == {
        "key": "tallgrass-dist:rf-swasic-8e57a490",
        "field": "inventory_units",
        "old": 144,
        "new": 216,
        "why": "hub count",
    }
    folder = tmp_path / "exported"
    assert invoke("export", str(program), "--to", str(folder))[0] == 0
    exported = {(o.supplier, o.part): o.inventory_units for o in read_pool(folder).offers}
    assert exported[("tallgrass-dist", "RF-SWASIC-8E57A490")] == 216


def test_bad_rows_are_all_listed_as_json_and_nothing_is_stored(program: Path) -> None:
    offers = program / "offers.csv"
    lines = offers.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("supplier,"))
    lines[header + 1] = "ghost" + lines[header + 1][lines[header + 1].index(",") :]
    lines[header + 2] = lines[header + 2].replace(",", ",,", 1)  # one cell too many
    offers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = invoke("import", str(program), "--who", "ana", "--json")
    assert code == 2
    rows = json.loads(out)["rows"]
    assert len(rows) >= 2 and {r["row"] for r in rows} >= {header + 2, header + 3}
    assert "ghost" in {r["value"] for r in rows}
    assert "nothing was stored" in err
    assert not (program / ".rackforge").exists()


def test_bad_rows_print_as_a_table(program: Path) -> None:
    suppliers = program / "suppliers.csv"
    suppliers.write_text(
        suppliers.read_text(encoding="utf-8").replace(",US,CA,Fremont,1,", ",US,CA,Fremont,7,"),
        encoding="utf-8",
    )
    code, out, _ = invoke("import", str(program), "--who", "ana")
    assert code == 2 and "tier" in out and "Bad rows" in out


def test_export_before_any_import_exits_2_naming_the_fix(program: Path, tmp_path: Path) -> None:
    code, _, err = invoke("export", str(program), "--to", str(tmp_path / "x.xlsx"))
    assert code == 2 and "supply pool import" in err


def test_the_pool_goes_to_postgresql_with_db(program: Path, postgres: PostgresCluster) -> None:
    url = postgres.new_database()
    code, _, err = invoke("import", str(program), "--who", "ana", "--db", url)
    assert code == 0, err
    code, out, _ = invoke("history", str(program), "--db", url, "--json")
    assert code == 0 and len(json.loads(out)["changes"]) == 19 + 38
    assert not (program / ".rackforge").exists()


def test_rackforge_database_url_chooses_the_database(
    program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "shared" / "pool.db"
    monkeypatch.setenv("RACKFORGE_DATABASE_URL", f"sqlite:///{database}")
    assert invoke("import", str(program), "--who", "ana")[0] == 0
    assert database.is_file() and not (program / ".rackforge").exists()
