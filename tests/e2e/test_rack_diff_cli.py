"""`rackforge rack diff A B`: what changes from one reference system's rack to another's.

Program designs and their generations: tests/e2e/test_rack_program_cli.py."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rackforge.cli.main import app

FIGURE_KEYS = {"name", "unit", "a", "b", "delta", "relative", "a_lower_bound", "b_lower_bound"}
PART_KEYS = {"part_number", "description", "commodity", "qty_a", "qty_b"}


def diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rack", "diff", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_gives_one_object_with_figure_and_part_changes() -> None:
    code, out, _ = diff("gb200-nvl72", "gb300-nvl72", "--json")
    assert code == 0
    (result,) = json.loads(out)["diffs"]
    assert set(result) == {"a", "b", "figures", "parts", "notes"}
    assert (result["a"], result["b"]) == ("gb200-nvl72", "gb300-nvl72")
    assert all(set(f) == FIGURE_KEYS for f in result["figures"])
    assert all(set(p) == PART_KEYS for p in result["parts"])
    power = next(f for f in result["figures"] if f["name"] == "it_power_kw")
    assert power["delta"] == power["b"] - power["a"]
    gpus = {p["description"]: (p["qty_a"], p["qty_b"]) for p in result["parts"]}
    assert gpus["GB200"] == (72, 0) and gpus["GB300"] == (0, 72)


def test_a_system_against_itself_lists_no_part_change() -> None:
    code, out, _ = diff("dgx-h100", "dgx-h100", "--json")
    assert code == 0
    (result,) = json.loads(out)["diffs"]
    assert result["parts"] == [] and result["notes"] == []
    assert all(f["delta"] in (0, None) for f in result["figures"])


def test_the_table_shows_the_figures_then_the_parts() -> None:
    code, out, _ = diff("gb200-nvl72", "gb300-nvl72")
    assert code == 0
    assert out.index("it_power_kw") < out.index("RF-ACCEL-")
    assert "removed" in out and "added" in out


def test_an_unknown_system_exits_2_naming_the_argument_and_close_matches() -> None:
    code, out, err = diff("gb200-nvl72", "gb300-nvl7")
    assert code == 2 and out == ""
    assert "B:" in err and "gb300-nvl7" in err and "gb300-nvl72" in err
    code, _, err = diff("dgx-h10", "gb300-nvl72")
    assert code == 2 and "A:" in err


def test_more_than_three_arguments_exit_2_with_the_forms() -> None:
    code, _, err = diff("a", "b", "c", "d")
    assert code == 2 and "PROGRAM_DIR A B" in err
