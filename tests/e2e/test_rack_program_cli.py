"""`rackforge rack design|check|draw|bom|diff PROGRAM_DIR`: a program's rack designs (racks.yaml),
their generations, their facilities' rule sets and their predicted training performance.

Each command runs once per module (the diffs run co-design searches) and the tests read its
result.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from rackforge.catalog import rack_components
from rackforge.cli.main import app

from contract import DESIGN_KEYS

EXAMPLE = Path(__file__).parents[2] / "examples" / "frontier-2027"
DIR = str(EXAMPLE)
RACK_IDS = ["dgx-b200-70b", "dgx-b200-671b", "nvl72-405b", "nvl72-1t"]
CURRENT = ["dgx-b200-70b@v1", "dgx-b200-671b@v1", "nvl72-405b@v1", "nvl72-1t@v2"]
ALL_GENERATIONS = [
    "dgx-b200-70b@mvr",
    "dgx-b200-70b@v1",
    "dgx-b200-671b@v1",
    "nvl72-405b@mvr",
    "nvl72-405b@v1",
    "nvl72-1t@mvr",
    "nvl72-1t@v1",
    "nvl72-1t@v2",
]
VIOLATION_KEYS = {"rule_id", "value", "limit", "source", "fix"}
ABILENE_RULES = [
    "liquid-hall-140kw",
    "orv3-busbar",
    "frame-payload",
    "power-shelf-rating",
    "scale-up-copper",
    "tor-leaf-q3400",
]
NVL72 = ("nvl72-405b@v1", "nvl72-1t@v2")
PREDICTED = ("predicted days to train", "predicted scale-up domain", "predicted fleet racks")


class Run(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def rack(*args: str) -> Run:
    result = CliRunner().invoke(app, ["rack", *args])
    return Run(result.exit_code, result.stdout, result.stderr)


def figure(diff: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in diff["figures"] if f["name"] == name)


def generation_stories() -> dict[str, tuple[str, str]]:
    """`id@version` -> (trigger, reason), as racks.yaml writes them."""
    data = yaml.safe_load((EXAMPLE / "racks.yaml").read_text(encoding="utf-8"))
    return {
        f"{line['id']}@{g['version']}": (g["trigger"], g["reason"])
        for line in data["racks"]
        for g in line["generations"]
    }


# One invocation per command, shared by the tests that read it.


@pytest.fixture(scope="module")
def designs() -> list[dict[str, Any]]:
    run = rack("design", DIR, "--json")
    assert run.code == 0, run.err
    result: list[dict[str, Any]] = run.json()["designs"]
    return result


@pytest.fixture(scope="module")
def all_designs() -> dict[str, dict[str, Any]]:
    run = rack("design", DIR, "--all-generations", "--json")
    assert run.code == 0, run.err
    return {d["name"]: d for d in run.json()["designs"]}


@pytest.fixture(scope="module")
def checks() -> Run:
    return rack("check", DIR, "--json")


@pytest.fixture(scope="module")
def air_checks() -> Run:
    return rack("check", DIR, "--rules", "air-cooled-hall-15kw", "--json")


@pytest.fixture(scope="module")
def generation_diffs() -> list[dict[str, Any]]:
    run = rack("diff", DIR, "--json")
    assert run.code == 0, run.err
    result: list[dict[str, Any]] = run.json()["diffs"]
    return result


# rack design


def test_design_gives_each_racks_yaml_line_at_its_current_generation(
    designs: list[dict[str, Any]],
) -> None:
    assert [d["name"] for d in designs] == CURRENT
    for design in designs:
        assert set(design) >= DESIGN_KEYS
        assert design["it_power_kw"] > 0  # weight may be None: the catalog lacks some


def test_all_generations_gives_every_generation_in_order(
    all_designs: dict[str, dict[str, Any]],
    designs: list[dict[str, Any]],
) -> None:
    assert list(all_designs) == ALL_GENERATIONS
    for design in designs:  # the current generation is the same design either way
        assert all_designs[design["name"]]["it_power_kw"] == design["it_power_kw"]


def test_the_minimal_viable_nvl72_has_half_the_compute_trays(
    all_designs: dict[str, dict[str, Any]],
) -> None:
    tray_w = rack_components().compute_trays["GB200 compute tray"].power_w
    assert tray_w is not None
    tray_kw = tray_w / 1000
    mvr, v1 = all_designs["nvl72-405b@mvr"], all_designs["nvl72-405b@v1"]
    assert v1["it_power_kw"] - mvr["it_power_kw"] == pytest.approx(9 * tray_kw)
    accelerators = {
        name: sum(p["quantity"] for p in all_designs[name]["parts"] if p["role"] == "accelerator")
        for name in ("nvl72-405b@mvr", "nvl72-405b@v1")
    }
    assert accelerators == {"nvl72-405b@mvr": 36, "nvl72-405b@v1": 72}


def test_the_dense_70b_mvr_stands_half_the_servers(
    all_designs: dict[str, dict[str, Any]],
) -> None:
    mvr, v1 = all_designs["dgx-b200-70b@mvr"], all_designs["dgx-b200-70b@v1"]
    assert v1["it_power_kw"] == pytest.approx(2 * mvr["it_power_kw"])


def test_design_with_a_system_gives_the_program_designs_then_the_catalog_system() -> None:
    run = rack("design", DIR, "--system", "gb300-nvl72", "--json")
    assert run.code == 0, run.err
    assert [d["name"] for d in run.json()["designs"]] == [*CURRENT, "gb300-nvl72"]


def test_design_of_a_program_without_racks_yaml_exits_2_naming_racks_yaml(
    tmp_path: Path,
) -> None:
    for name in ("program.yaml", "roadmap.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    run = rack("design", str(tmp_path))
    assert run.code == 2 and run.out == ""
    assert str(tmp_path / "racks.yaml") in run.err
    assert "fix:" in run.err and "--system" in run.err


def test_design_of_a_bad_racks_yaml_exits_2_naming_the_key(tmp_path: Path) -> None:
    for name in ("program.yaml", "roadmap.yaml", "racks.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    racks = tmp_path / "racks.yaml"
    data = yaml.safe_load(racks.read_text(encoding="utf-8"))
    data["racks"][0]["family"] = "dense-9t"
    racks.write_text(yaml.safe_dump(data), encoding="utf-8")
    run = rack("design", str(tmp_path), "--json")
    assert run.code == 2 and run.out == ""
    assert "racks.yaml:racks[0].family" in run.err and "fix:" in run.err


# rack check


def test_check_uses_each_designs_facility_rule_sets(checks: Run) -> None:
    result = checks.json()
    pairs = [(c["design"], c["rules"]) for c in result["checks"]]
    assert pairs == [(design, rules) for design in CURRENT for rules in ABILENE_RULES]


def test_check_exits_1_when_a_rule_is_violated_and_each_violation_says_how_to_fix(
    checks: Run,
) -> None:
    result = checks.json()
    failed = [c for c in result["checks"] if not c["passed"]]
    assert failed, "the example's NVL72 racks exceed a rule set"
    assert checks.code == 1 and result["passed"] is False
    for check in result["checks"]:
        assert check["passed"] == (not check["violations"])
        for violation in check["violations"]:
            assert set(violation) >= VIOLATION_KEYS
            assert violation["fix"]


def test_check_follows_a_designs_own_rules_and_its_facility(tmp_path: Path) -> None:
    for name in ("program.yaml", "roadmap.yaml", "racks.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    racks = tmp_path / "racks.yaml"
    data = yaml.safe_load(racks.read_text(encoding="utf-8"))
    data["racks"][0]["rules"] = ["frame-payload"]  # its own rule sets win over abilene's
    data["racks"][1]["facility"] = "new-albany"  # the air-cooled campus
    racks.write_text(yaml.safe_dump(data), encoding="utf-8")
    run = rack("check", str(tmp_path), "--json")
    pairs = [(c["design"], c["rules"]) for c in run.json()["checks"]]
    assert pairs[:4] == [
        ("dgx-b200-70b@v1", "frame-payload"),
        ("dgx-b200-671b@v1", "air-cooled-hall-15kw"),
        ("dgx-b200-671b@v1", "frame-payload"),
        ("dgx-b200-671b@v1", "tor-leaf-sn5600"),
    ]
    assert pairs[4:] == [(design, rules) for design in NVL72 for rules in ABILENE_RULES]


def test_a_design_with_no_rule_sets_is_listed_as_unchecked_not_skipped(tmp_path: Path) -> None:
    for name in ("program.yaml", "roadmap.yaml", "racks.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    racks = tmp_path / "racks.yaml"
    data = yaml.safe_load(racks.read_text(encoding="utf-8"))
    data["racks"][0]["rules"] = []
    racks.write_text(yaml.safe_dump(data), encoding="utf-8")
    first = rack("check", str(tmp_path), "--json").json()["checks"][0]
    assert (first["design"], first["rules"]) == ("dgx-b200-70b@v1", "(none)")
    assert "no rule sets" in first["unchecked"][0] and "abilene" in first["unchecked"][0]


def test_check_with_rules_checks_every_design_against_that_set_only(air_checks: Run) -> None:
    result = air_checks.json()
    assert [(c["design"], c["rules"]) for c in result["checks"]] == [
        (design, "air-cooled-hall-15kw") for design in CURRENT
    ]
    assert air_checks.code == 1 and result["passed"] is False


def test_the_nvl72_racks_need_facility_water_in_an_air_cooled_hall(air_checks: Run) -> None:
    by_design = {c["design"]: c for c in air_checks.json()["checks"]}
    for name in NVL72:
        water = [
            v for v in by_design[name]["violations"] if v["rule_id"] == "hall-no-facility-water"
        ]
        assert len(water) == 1, name
        assert "liquid cooling" in water[0]["fix"]
    for violation in (v for c in by_design.values() for v in c["violations"]):
        assert set(violation) >= VIOLATION_KEYS


# rack bom


def test_bom_gives_one_bill_per_program_design() -> None:
    run = rack("bom", DIR, "--json")
    assert run.code == 0, run.err
    boms = run.json()["boms"]
    assert [b["design"] for b in boms] == CURRENT
    assert all(b["lines"] for b in boms)


def test_bom_out_xlsx_writes_a_workbook_with_every_design(tmp_path: Path) -> None:
    out = tmp_path / "tmp" / "b.xlsx"
    run = rack("bom", DIR, "--out", str(out))
    assert run.code == 0, run.err
    sheet = openpyxl.load_workbook(out)["BOM"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "design"
    assert {row[0] for row in rows[1:]} == set(CURRENT)


# rack draw


def test_draw_writes_one_svg_per_design_named_without_the_at_sign(tmp_path: Path) -> None:
    out = tmp_path / "tmp"
    run = rack("draw", DIR, "--out", str(out), "--json")
    assert run.code == 0, run.err
    paths = [Path(p) for p in run.json()["drawings"]]
    assert len(paths) == len(CURRENT)
    assert sorted(paths) == sorted(out.iterdir())
    for path, name in zip(paths, CURRENT, strict=True):
        assert "@" not in path.name
        assert path.name.startswith(name.replace("@", "-"))
        assert path.read_text(encoding="utf-8").startswith("<svg")


# rack diff


def test_diff_of_a_program_gives_each_consecutive_generation_pair(
    generation_diffs: list[dict[str, Any]],
) -> None:
    assert [(d["a"], d["b"]) for d in generation_diffs] == [
        ("dgx-b200-70b@mvr", "dgx-b200-70b@v1"),
        ("nvl72-405b@mvr", "nvl72-405b@v1"),
        ("nvl72-1t@mvr", "nvl72-1t@v1"),
        ("nvl72-1t@v1", "nvl72-1t@v2"),
    ]


def test_each_generation_diff_says_why_b_was_made(
    generation_diffs: list[dict[str, Any]],
) -> None:
    stories = generation_stories()
    for diff in generation_diffs:
        trigger, reason = stories[diff["b"]]
        (note,) = diff["notes"]
        assert f"({trigger})" in note and reason in note


def test_each_generation_diff_carries_predicted_performance(
    generation_diffs: list[dict[str, Any]],
) -> None:
    for diff in generation_diffs:
        for name in PREDICTED:
            row = figure(diff, name)
            assert row["a"] is not None and row["b"] is not None, (diff["b"], name)
            assert row["a"] > 0 and row["b"] > 0


def test_filling_the_nvl72_doubles_its_nvlink_domain_and_halves_its_fleet(
    generation_diffs: list[dict[str, Any]],
) -> None:
    nvl72 = next(d for d in generation_diffs if d["b"] == "nvl72-405b@v1")
    domain = figure(nvl72, "predicted scale-up domain")
    assert (domain["a"], domain["b"]) == (36, 72)
    racks = figure(nvl72, "predicted fleet racks")
    assert (racks["a"], racks["b"]) == (128, 64)  # fleet_accelerators 4608 in racks.yaml
    power = figure(nvl72, "it_power_kw")
    assert power["delta"] > 0
    trays = {p["description"]: (p["qty_a"], p["qty_b"]) for p in nvl72["parts"]}
    assert trays["GB200"] == (36, 72)


def test_diff_of_two_named_generations_with_a_bare_id_for_the_current_one() -> None:
    run = rack("diff", DIR, "nvl72-405b@mvr", "nvl72-405b", "--json")
    assert run.code == 0, run.err
    (diff,) = run.json()["diffs"]
    assert (diff["a"], diff["b"]) == ("nvl72-405b@mvr", "nvl72-405b@v1")
    assert len(diff["notes"]) == 2
    domain = figure(diff, "predicted scale-up domain")
    assert (domain["a"], domain["b"]) == (36, 72)


def test_diff_of_an_unknown_version_exits_2_listing_the_versions() -> None:
    run = rack("diff", DIR, "nvl72-405b@v9", "nvl72-405b")
    assert run.code == 2 and run.out == ""
    assert "v9" in run.err and "fix:" in run.err
    assert "mvr, v1" in run.err


def test_diff_of_an_unknown_design_exits_2_listing_the_program_ids() -> None:
    run = rack("diff", DIR, "nope@v1", "nvl72-405b")
    assert run.code == 2 and run.out == ""
    assert "nope" in run.err and "fix:" in run.err
    assert all(rack_id in run.err for rack_id in RACK_IDS)


def test_diff_of_a_program_design_and_a_catalog_system() -> None:
    run = rack("diff", DIR, "nvl72-405b", "gb300-nvl72", "--json")
    assert run.code == 0, run.err
    (diff,) = run.json()["diffs"]
    assert (diff["a"], diff["b"]) == ("nvl72-405b@v1", "gb300-nvl72")
    assert len(diff["notes"]) == 1  # only the program design has a story
    for name in PREDICTED:
        row = figure(diff, name)
        assert row["a"] is not None and row["b"] is None and row["delta"] is None
    gpus = {p["description"]: (p["qty_a"], p["qty_b"]) for p in diff["parts"]}
    assert gpus["GB200"] == (72, 0) and gpus["GB300"] == (0, 72)
