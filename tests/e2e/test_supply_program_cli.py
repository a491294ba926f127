"""`rackforge supply source | simulate | exposure PROGRAM_DIR` on the example program."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rackforge.cli.main import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "frontier-2027"
EXPOSURE_KEYS = {"tts_weeks", "ttr_weeks", "performance_impact", "risk_exposure_index", "critical"}


def supply(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["supply", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def sourcing() -> dict[str, Any]:
    code, out, err = supply("source", str(EXAMPLE), "--json")
    assert code == 0, err
    loaded: dict[str, Any] = json.loads(out)["sourcing"]
    return loaded


def test_every_part_demanded_is_awarded_or_named_short(sourcing: dict[str, Any]) -> None:
    plan = sourcing["plan"]
    awarded = {a["part"] for a in plan["awards"]}
    short = {v["subject"] for v in sourcing["violations"] if v["rule"] == "demand"}
    assert awarded | short, "the example's racks need parts"
    for award in plan["awards"]:
        assert award["total_units"] > 0 and award["cost_usd"] >= 0 and award["reasons"]
    assert plan["purchase_cost_usd"] == pytest.approx(sum(a["cost_usd"] for a in plan["awards"]))


def test_the_suspended_supplier_gets_nothing(sourcing: dict[str, Any]) -> None:
    assert "merrimack-thermal" not in {a["supplier"] for a in sourcing["plan"]["awards"]}


def test_gaps_are_named_with_what_to_do(sourcing: dict[str, Any]) -> None:
    assert sourcing["feasible"] is False  # the example's GPUs are single-source and imported
    rules = {v["rule"] for v in sourcing["violations"]}
    assert {"sources", "domestic content"} <= rules
    fixes = ("order earlier", "qualify", "relax the floor", "no other supplier", "not needed")
    for violation in sourcing["violations"]:
        assert any(fix in violation["message"] for fix in fixes), violation["message"]
    # a B200 ordered on the plan's first day arrives 52 weeks later: the 2026 fleet is short
    (b200,) = [v for v in sourcing["violations"] if "× B200 " in v["message"]]
    assert "lead time is 52 weeks" in b200["message"]


def test_the_domestic_floor_follows_far_25_101_by_year(sourcing: dict[str, Any]) -> None:
    floors = {int(y): f for y, f in sourcing["domestic_floor_by_year"].items()}
    assert floors[2026] == floors[2027] == floors[2028] == 0.65


def test_exposure_of_a_program_gives_every_derived_node_its_figures() -> None:
    code, out, err = supply("exposure", str(EXAMPLE), "--json")
    assert code == 0, err
    nodes = json.loads(out)["nodes"]
    assert "nvl72-405b-v1" in nodes  # one product node per current design
    assert any(node.startswith("jade-harbor/") for node in nodes)  # a tier-2 sub-supplier
    for figures in nodes.values():
        assert set(figures) >= EXPOSURE_KEYS


def test_simulate_is_seeded_and_reproducible() -> None:
    runs = [supply("simulate", str(EXAMPLE), "--scenarios", "60", "--seed", "5", "--json")
            for _ in range(2)]  # fmt: skip
    assert runs[0][0] == 0 and runs[0][1] == runs[1][1]
    sim = json.loads(runs[0][1])["simulation"]
    assert sim["trials"] == 60 and sim["seed"] == 5
    assert sim["racks_late"]["p95"] >= sim["racks_late"]["p50"] >= 0


def test_a_program_without_a_pool_says_so(tmp_path: Path) -> None:
    for name in ("program.yaml", "roadmap.yaml", "racks.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    code, out, _ = supply("source", str(tmp_path), "--json")
    assert code == 0
    sourcing = json.loads(out)["sourcing"]
    assert sourcing["plan"] is None and "suppliers.csv" in sourcing["notes"][0]


def test_a_what_if_runs_both_plans_under_the_first_ones_scenarios(tmp_path: Path) -> None:
    # B is A without its own scenarios.yaml: it runs under A's, with the same seed, so the
    # same events strike both in every trial and the difference is exactly zero
    for name in ("program.yaml", "roadmap.yaml", "racks.yaml", "suppliers.csv", "offers.csv"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    code, out, err = supply(
        "simulate", str(EXAMPLE), "--compare", str(tmp_path), "--scenarios", "40", "--seed", "3",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["compare"]["simulation"]["trials"] == 40
    assert result["compare"]["simulation"] == result["simulation"]
    assert set(result["compare"]["difference"]) >= {"racks_late_p95", "purchase_cost_usd"}
    assert all(delta == 0 for delta in result["compare"]["difference"].values())
