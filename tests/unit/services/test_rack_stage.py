"""Plan stage 30 (racks): fleets sized from the co-design pick, rules, BOM, history, drawings."""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml

from rackforge.services.plan_program import plan_program
from rackforge.services.rack_stage import RackPlanResult

PROGRAM = {
    "name": "Tiny",
    "horizon_start": "2026-01-01",
    "horizon_end": "2026-12-31",
    "facilities": [
        {
            "id": "hall",
            "name": "Test hall (fictional)",
            "max_power_mw": 0.01,
            "rules": ["air-cooled-hall-15kw"],
        }
    ],
}
FAMILY = {
    "id": "small",
    "name": "Small 8B",
    "architecture": "llama3-8b",
    "token_budget": "100B",
    "target_training_days": 30,
    "release_date": "2026-06-01",
    "candidate_systems": [{"accelerator": "H100", "counts": [8, 16]}],
}
RACKS = {
    "racks": [
        {
            "id": "h100-rack",
            "family": "small",
            "system": "dgx-h100",
            "facility": "hall",
            "generations": [
                {
                    "version": "mvr",
                    "trigger": "initial",
                    "reason": "one server",
                    "changes": {"servers_per_rack": 1},
                },
                {
                    "version": "v1",
                    "trigger": "rule",
                    "reason": "two servers",
                    "changes": {"servers_per_rack": 2},
                },
            ],
        }
    ]
}


def run(tmp_path: Path) -> tuple[RackPlanResult, dict, str]:  # type: ignore[type-arg]
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "program.yaml").write_text(yaml.safe_dump(PROGRAM))
    (folder / "roadmap.yaml").write_text(yaml.safe_dump({"families": [FAMILY]}))
    (folder / "racks.yaml").write_text(yaml.safe_dump(RACKS))
    done = plan_program(folder, tmp_path / "out", workers=1)
    document = json.loads(done.plan_path.read_text())
    return (
        done.outcome.value_of("racks", RackPlanResult),
        document["stages"]["racks"],
        done.report_path.read_text(),
    )


def test_the_fleet_is_sized_from_the_co_design_pick_in_whole_racks(tmp_path: Path) -> None:
    result, document, _ = run(tmp_path)
    (fleet,) = result.fleets
    assert fleet.design == "h100-rack@v1" and fleet.accelerators_per_rack == 16
    assert fleet.fleet_source == "co-design recommendation"
    assert fleet.fleet_accelerators is not None
    assert fleet.racks == math.ceil(fleet.fleet_accelerators / 16)
    assert fleet.fleet_it_power_mw == fleet.racks * fleet.rack.it_power_kw / 1e3
    assert document["result"]["fleets"][0]["design"] == "h100-rack@v1"


def test_the_history_predicts_every_generation_at_the_fleet(tmp_path: Path) -> None:
    result, _, _ = run(tmp_path)
    (fleet,) = result.fleets
    mvr, v1 = fleet.history
    assert (mvr.trigger, v1.trigger) == ("initial", "rule")
    assert v1.changes == ("servers_per_rack → 2",)
    for record in (mvr, v1):
        assert record.prediction.outcome is not None and record.prediction.outcome.fits
        assert record.prediction.time_to_train_days is not None
    # the pick is 8 GPUs: one 8-GPU rack, or one 16-GPU rack (fleets come in whole racks)
    assert (mvr.prediction.racks, mvr.prediction.accelerators) == (1, 8)
    assert (v1.prediction.racks, v1.prediction.accelerators) == (1, 16)


def test_the_facility_rules_and_power_envelope_are_checked(tmp_path: Path) -> None:
    result, _, html = run(tmp_path)
    (fleet,) = result.fleets
    (check,) = fleet.checks
    assert check.rules == "air-cooled-hall-15kw"
    # two DGX H100 draw at least 11.2 kW of GPU power alone; the hall allows 15 kW of air heat
    assert fleet.rack.it_power_kw >= 11.2
    (load,) = result.facilities
    assert load.max_power_mw == 0.01 and load.within is False
    assert "Racks" in html and "<svg" in html and "Generation history" in html


def test_the_bill_rolls_up_per_level(tmp_path: Path) -> None:
    result, _, _ = run(tmp_path)
    (fleet,) = result.fleets
    assert [level.level for level in fleet.bom.levels] == [0, 1, 2, 3]  # 3: HBM stacks
    below_the_rack = [level.quantity for level in fleet.bom.levels if level.level > 0]
    assert fleet.bom.quantity == sum(below_the_rack)
