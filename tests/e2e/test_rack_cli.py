"""`rackforge rack design` as an engineer runs it: reference systems by name, JSON or a table."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rackforge.cli.main import app

from contract import DESIGN_KEYS

REFERENCE_SYSTEMS = ["dgx-h100", "dgx-b200", "gb200-nvl72", "gb300-nvl72"]


def rack(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rack", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_gb200_nvl72_design_prints_one_json_object_with_every_contract_figure() -> None:
    code, out, _ = rack("design", "--system", "gb200-nvl72", "--json")
    assert code == 0
    doc = json.loads(out)  # the whole of stdout is one object
    (design,) = doc["designs"]
    assert set(design) >= DESIGN_KEYS
    assert design["name"] == "gb200-nvl72"
    assert (design["power_shelves"], design["psus"]) == (8, 48)
    assert design["liquid_heat_kw"] + design["air_heat_kw"] > design["it_power_kw"] > 100


def test_all_four_reference_systems_design_in_the_order_named() -> None:
    args = [arg for name in REFERENCE_SYSTEMS for arg in ("--system", name)]
    code, out, _ = rack("design", *args, "--json")
    assert code == 0
    designs = json.loads(out)["designs"]
    assert [d["name"] for d in designs] == REFERENCE_SYSTEMS
    assert all(set(d) >= DESIGN_KEYS for d in designs)
    assert {d["name"]: d["busbar_current_a"] is None for d in designs} == {
        "dgx-h100": True,
        "dgx-b200": True,
        "gb200-nvl72": False,
        "gb300-nvl72": False,
    }


def test_a_table_marks_the_figures_that_are_lower_bounds_and_names_what_they_lack() -> None:
    code, out, _ = rack("design", "--system", "DGX H100")
    assert code == 0
    assert "dgx-h100" in out and "≥ 5.6" in out
    assert "power lacks figures for" in out and "CPU" in out


def test_an_unknown_system_exits_2_naming_the_option_and_the_close_names() -> None:
    code, out, err = rack("design", "--system", "gb200-nvl7", "--json")
    assert code == 2
    assert out == ""
    assert "--system" in err and "gb200-nvl72" in err
