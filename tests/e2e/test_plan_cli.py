"""`rackforge plan` as a planner runs it: the installed command, in a subprocess."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "frontier-2027"


def rackforge(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("rackforge")
    executable = str(command) if command.exists() else shutil.which("rackforge")
    assert executable, "the rackforge command is not installed"
    return subprocess.run(
        [executable, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def example_roadmap() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLE / "roadmap.yaml").read_text())
    return data


def program_dir(tmp_path: Path, roadmap: dict[str, Any] | str, name: str = "program") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(EXAMPLE / "program.yaml", folder / "program.yaml")
    text = roadmap if isinstance(roadmap, str) else yaml.safe_dump(roadmap, sort_keys=False)
    (folder / "roadmap.yaml").write_text(text)
    return folder


def trimmed_example(tmp_path: Path) -> Path:
    """The example's first family on one small candidate: the same files, a second's work."""
    roadmap = example_roadmap()
    first = roadmap["families"][0]
    first["candidate_systems"] = [{"accelerator": "B200", "counts": [1024, 2048]}]
    roadmap["families"] = [first]
    return program_dir(tmp_path, roadmap, name="trimmed")


@pytest.mark.slow
def test_planning_the_example_writes_a_report_and_a_plan_for_every_family(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    done = rackforge("plan", EXAMPLE, "--out", out)
    assert done.returncode == 0, done.stderr
    report = (out / "report.html").read_text()
    plan = json.loads((out / "plan.json").read_text())
    families = plan["stages"]["codesign"]["result"]["families"]
    ids = [family["id"] for family in example_roadmap()["families"]]
    assert [family["family_id"] for family in families] == ids
    assert all(family["recommended"] is not None for family in families)
    assert plan["program"] == "Frontier 2027"
    for family_id in ids:
        assert family_id in report
        assert family_id in done.stdout
    assert str(out / "report.html") in done.stdout


def test_json_prints_exactly_one_object_with_the_plan_and_its_paths(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = rackforge("plan", trimmed_example(tmp_path), "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)  # fails on anything besides one JSON document
    assert isinstance(printed, dict)
    assert printed["paths"] == {
        "report_html": str(out / "report.html"),
        "plan_json": str(out / "plan.json"),
    }
    written = json.loads((out / "plan.json").read_text())
    assert {k: v for k, v in printed.items() if k != "paths"} == written
    codesign = written["stages"]["codesign"]["result"]
    assert codesign["families"][0]["recommended"]["time_to_train_days"] > 0


def test_the_default_output_folder_is_out_slash_the_program_folder_name(tmp_path: Path) -> None:
    folder = trimmed_example(tmp_path)
    done = rackforge("plan", folder, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "trimmed" / "report.html").is_file()
    assert (tmp_path / "out" / "trimmed" / "plan.json").is_file()


def test_a_malformed_roadmap_exits_2_with_one_line_naming_the_file_and_key(
    tmp_path: Path,
) -> None:
    text = (EXAMPLE / "roadmap.yaml").read_text()
    assert 'token_budget: "15T"' in text
    text = text.replace('token_budget: "15T"', 'token_budget: "lots"', 1)
    done = rackforge("plan", program_dir(tmp_path, text), "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "roadmap.yaml:families[0].token_budget" in lines[0]
    assert not (tmp_path / "out").exists()


def test_an_unknown_accelerator_exits_2_naming_the_key_and_the_plan_stage(
    tmp_path: Path,
) -> None:
    roadmap = example_roadmap()
    roadmap["families"][0]["candidate_systems"][0]["accelerator"] = "H999"
    done = rackforge("plan", program_dir(tmp_path, roadmap), "--out", tmp_path / "out")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "roadmap.yaml:families[0].candidate_systems[0].accelerator" in lines[0]
    assert "plan stage 20 'codesign'" in lines[0]
