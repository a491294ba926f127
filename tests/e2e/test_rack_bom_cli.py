"""`rackforge rack bom`: bills of materials as JSON, CSV, a table or a file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from rackforge.cli.main import app

LINE_KEYS = {
    "level",
    "part_number",
    "description",
    "role",
    "quantity",
    "extended_quantity",
    "unit",
    "commodity",
    "single_source",
    "long_lead",
    "unit_cost_usd",
    "extended_cost_usd",
    "parent",
    "makers",
    "lead_time_weeks",
}


def bom(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rack", "bom", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_gives_one_bill_per_system_with_its_tree_lines_and_roll_up() -> None:
    code, out, _ = bom("--system", "gb200-nvl72", "--system", "dgx-h100", "--json")
    assert code == 0
    boms = json.loads(out)["boms"]
    assert [b["design"] for b in boms] == ["gb200-nvl72", "dgx-h100"]
    nvl72 = boms[0]
    assert set(nvl72) >= {"design", "title", "tree", "lines", "roll_up"}
    assert all(set(line) == LINE_KEYS for line in nvl72["lines"])
    assert nvl72["tree"]["level"] == 0 and nvl72["tree"]["children"]
    gpus = sum(
        line["extended_quantity"] for line in nvl72["lines"] if line["role"] == "accelerator"
    )
    assert gpus == 72
    roll = nvl72["roll_up"]
    assert roll["quantity"] == sum(t["quantity"] for t in roll["levels"] if t["level"] > 0)
    # only some parts carry a catalog price: the total is a lower bound, said to be one
    assert roll["cost_complete"] is False
    priced = [line["extended_cost_usd"] for line in nvl72["lines"] if line["level"] > 0]
    assert roll["cost_usd"] == sum(c for c in priced if c is not None)


def test_csv_has_a_header_and_one_row_per_flattened_line() -> None:
    _, out, _ = bom("--system", "gb200-nvl72", "--json")
    flattened = json.loads(out)["boms"][0]["lines"]
    code, text, _ = bom("--system", "gb200-nvl72", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(flattened)
    assert [r["part_number"] for r in rows] == [line["part_number"] for line in flattened]
    assert text.splitlines()[0].startswith("design,level,part_number")


def test_out_writes_the_file_in_the_format_asked(tmp_path: Path) -> None:
    target = tmp_path / "boms" / "nvl72.csv"
    code, out, _ = bom("--system", "gb200-nvl72", "--out", str(target))
    assert code == 0 and str(target) in out.replace("\n", "")
    assert target.read_text(encoding="utf-8").startswith("design,level,part_number")
    as_json = tmp_path / "nvl72.txt"
    code, _, _ = bom("--system", "gb200-nvl72", "--format", "json", "--out", str(as_json))
    assert code == 0
    assert json.loads(as_json.read_text(encoding="utf-8"))["boms"][0]["design"] == "gb200-nvl72"


def test_the_table_shows_each_level(tmp_path: Path) -> None:
    code, out, _ = bom("--system", "dgx-b200")
    assert code == 0 and "bill of materials" in out and "RF-ACCEL-" in out


def test_an_unknown_system_or_format_exits_2_naming_the_option(tmp_path: Path) -> None:
    code, _, err = bom("--system", "gb200-nvl7", "--json")
    assert code == 2 and "--system" in err and "gb200-nvl72" in err
    code, _, err = bom("--system", "gb200-nvl72", "--format", "xlsx")
    assert code == 2 and "--format" in err and "--out" in err
    code, _, err = bom("--system", "gb200-nvl72", "--format", "pdf")
    assert code == 2 and "--format" in err
    code, _, err = bom("--system", "gb200-nvl72", "--out", str(tmp_path / "bom.txt"))
    assert code == 2 and "--format" in err
    assert not list(tmp_path.iterdir())


def test_xlsx_goes_to_a_workbook_whose_rows_match_the_csv(tmp_path: Path) -> None:
    code, _, _ = bom("--system", "gb200-nvl72", "--out", str(tmp_path / "bom.xlsx"))
    assert code == 0
    code, csv_text, _ = bom("--system", "gb200-nvl72", "--format", "csv")
    sheet = openpyxl.load_workbook(tmp_path / "bom.xlsx")["BOM"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(csv_text.strip().splitlines())
    assert [str(c) for c in rows[0]] == csv_text.splitlines()[0].split(",")
