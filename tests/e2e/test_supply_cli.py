"""`rackforge supply exposure`: the JSON contract of issue 4 on a NETWORK.yaml."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from rackforge.cli.main import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "frontier-2027"
KEYS = {"tts_weeks", "ttr_weeks", "performance_impact", "risk_exposure_index", "critical"}
NETWORK = {
    "nodes": [
        {"id": "R", "kind": "product", "capacity_per_week": 10, "inventory": 5,
         "demand_per_week": 4, "loss_weight": 1},
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


def test_exposure_json_gives_every_node_its_contract_figures(tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(NETWORK), encoding="utf-8")
    code, out, _ = invoke(str(path), "--json")
    assert code == 0
    nodes = json.loads(out)["nodes"]
    assert set(nodes) == {"R", "T1", "T2", "C1"}
    for figures in nodes.values():
        assert set(figures) >= KEYS
    # C1 down: 8 CDUs + 5 racks on hand for 4 a week → 3.25 weeks; back only after 6
    assert nodes["C1"]["tts_weeks"] == 3.25 and nodes["C1"]["critical"] is True
    assert nodes["C1"]["risk_exposure_index"] == 1.0
    assert nodes["T2"]["critical"] is False


def test_exposure_table_names_the_critical_nodes(tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(NETWORK), encoding="utf-8")
    code, out, _ = invoke(str(path))
    assert code == 0 and "C1" in out and "yes" in out


def test_a_program_directory_without_a_pool_exits_2_naming_the_file(tmp_path: Path) -> None:
    for name in ("program.yaml", "roadmap.yaml", "racks.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    code, _, err = invoke(str(tmp_path), "--json")
    assert code == 2
    assert "suppliers.csv" in err


def test_a_malformed_network_exits_2_naming_the_key(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(NETWORK))
    data["edges"][0]["from"] = "T9"
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, err = invoke(str(path), "--json")
    assert code == 2 and out == ""
    assert "network.yaml" in err and "T9" in err
