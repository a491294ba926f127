"""`rackforge supply exposure`: what would fix each critical node, as a user reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from rackforge.cli.main import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "frontier-2027"
KEYS = {"tts_weeks", "ttr_weeks", "performance_impact", "risk_exposure_index", "critical",
        "lost_units", "tts_capped"}  # fmt: skip
# A rack line R (4 a week, 5 built) taking 2 trays (T1 or T2) and 1 CDU (C1 only) a rack
NETWORK = {
    "nodes": [
        {"id": "R", "kind": "product", "capacity_per_week": 10, "inventory": 5,
         "demand_per_week": 4},
        {"id": "T1", "kind": "supplier", "capacity_per_week": 6, "inventory": 10,
         "ttr_weeks": 8},
        {"id": "T2", "kind": "supplier", "capacity_per_week": 4, "inventory": 0, "ttr_weeks": 8},
        {"id": "C1", "kind": "supplier", "capacity_per_week": 5, "inventory": 8, "ttr_weeks": 6},
    ],
    "edges": [
        {"from": "T1", "to": "R", "material": "tray", "units_per_unit": 2},
        {"from": "T2", "to": "R", "material": "tray", "units_per_unit": 2},
        {"from": "C1", "to": "R", "material": "cdu", "units_per_unit": 1},
    ],
}  # fmt: skip


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["supply", "exposure", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def network_file(tmp_path: Path) -> Path:
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(NETWORK), encoding="utf-8")
    return path


def test_each_critical_node_gets_its_remedies_beside_the_figures_it_had(
    network_file: Path,
) -> None:
    code, out, _ = invoke(str(network_file), "--json")
    assert code == 0
    nodes = json.loads(out)["nodes"]
    assert all(set(figures) == KEYS | {"remedies"} for figures in nodes.values())
    assert nodes["T2"]["remedies"] is None and nodes["R"]["remedies"] is None  # not critical
    c1 = nodes["C1"]["remedies"]
    # C1 down 6 weeks: R makes 24 − 5 = 19 racks, 19 CDUs; C1 holds 8: 11 more CDUs, at
    # R's 19/6 racks a week 11 / (19/6) weeks of use; a second source 11 / 6 a week
    assert c1["buffer"]["units"] == pytest.approx(11.0)
    assert c1["buffer"]["weeks_of_cover"] == pytest.approx(11 / (19 / 6))
    assert c1["second_source"]["alternatives"] == {"cdu": []}
    assert c1["second_source"]["sole_source_of"] == ["cdu"]
    assert c1["second_source"]["capacity_per_week"] == pytest.approx(11 / 6)
    # its TTS is 3.25 weeks (8 CDUs + 5 racks for 4 a week): a contract TTR 2.75 weeks shorter
    assert c1["contract"] == pytest.approx({"ttr_weeks": 3.25, "cut_weeks": 2.75,
                                            "achievable": True})  # fmt: skip
    t1 = nodes["T1"]["remedies"]
    # T1 down 8 weeks: 27 racks need 54 trays; T2 makes 32, T1 holds 10: 12 more; T2 exists
    # but falls 12 / 8 = 1.5 trays a week short; TTS 5 (8t − 10 = 10 + 4t)
    assert nodes["T1"]["tts_weeks"] == pytest.approx(5.0)
    assert t1["buffer"]["units"] == pytest.approx(12.0)
    assert t1["second_source"]["alternatives"] == {"tray": ["T2"]}
    assert t1["second_source"]["capacity_per_week"] == pytest.approx(1.5)
    assert t1["contract"]["cut_weeks"] == pytest.approx(3.0)


def test_the_table_view_lists_the_critical_nodes_with_their_remedies(network_file: Path) -> None:
    code, out, _ = invoke(str(network_file))
    assert code == 0
    assert "what would fix each" in out
    assert "C1: buffer 11 units" in out and "sole source: qualify a second ≥ 1.8" in out
    assert "T1: buffer 12 units" in out and "T2 short" in out


def test_a_bad_horizon_is_one_line_naming_the_option(network_file: Path) -> None:
    code, _, err = invoke(str(network_file), "--horizon", "0")
    assert code == 2 and "horizon" in err and "Traceback" not in err


def test_the_examples_sole_sources_need_their_whole_use_and_second_sources_may_fall_short() -> None:
    code, out, err = invoke(str(EXAMPLE), "--json")
    assert code == 0, err
    nodes: dict[str, Any] = json.loads(out)["nodes"]
    critical = {n for n, f in nodes.items() if f["critical"]}
    calm = {n for n, f in nodes.items() if f["critical"] is False}
    assert critical and calm, "the example shows both"
    assert all(nodes[n]["remedies"] is not None for n in critical)
    assert all(nodes[n]["remedies"] is None for n in calm)
    # B200s: 64 + 32 DGX racks over 13 build weeks, 32 B200s a rack, from one channel node
    # holding none, back after 8 weeks: 8 × 96/13 × 32 = 1 890.5 held, or a second source
    # of 236.3 a week; no contract TTR helps a TTS of 0
    b200 = nodes["tallgrass-dist/RF-ACCEL-BE0A29F7"]["remedies"]
    assert b200["buffer"]["units"] == pytest.approx(8 * 96 / 13 * 32)
    assert b200["second_source"]["capacity_per_week"] == pytest.approx(96 / 13 * 32)
    assert b200["contract"]["achievable"] is False
    # GB200 trays: Piedmont (54 a week) cannot cover the 64/13 × 18 a week Balcones makes
    trays = nodes["balcones-boards/RF-PCB-A87ED21E"]["remedies"]["second_source"]
    assert trays["alternatives"]["RF-PCB-A87ED21E"] == ["piedmont-trays/RF-PCB-A87ED21E"]
    assert trays["capacity_per_week"] == pytest.approx(64 / 13 * 18 - 54)
