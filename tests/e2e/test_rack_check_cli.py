"""`rackforge rack check` as an engineer or a CI job runs it: verdicts, JSON and exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rackforge.cli.main import app


def rack(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rack", *args])
    return result.exit_code, result.stdout, result.stderr


def test_gb200_nvl72_on_an_orv3_frame_fails_the_busbar_rule_with_exit_1_and_a_fix() -> None:
    code, out, _ = rack(
        "check", "--system", "gb200-nvl72", "--rules", "orv3-busbar", "--frame", "ORv3", "--json"
    )
    assert code == 1
    doc = json.loads(out)
    (result,) = doc["checks"]
    assert (result["design"], result["rules"], result["passed"]) == (
        "gb200-nvl72",
        "orv3-busbar",
        False,
    )
    (violation,) = result["violations"]
    assert set(violation) == {
        "rule_id", "quantity", "value", "limit", "unit", "source", "fix", "message"
    }  # fmt: skip
    assert (violation["quantity"], violation["limit"], violation["unit"]) == (
        "it_power_kw",
        18.0,
        "kW",
    )
    assert "split into 7 racks" in violation["fix"]
    assert doc["passed"] is False


def test_a_dgx_b200_in_the_air_hall_passes_with_exit_0() -> None:
    code, out, _ = rack("check", "--system", "dgx-b200", "--rules", "air-cooled-hall-15kw")
    assert code == 0
    assert "dgx-b200" in out and "passes" in out


def test_each_system_is_checked_against_each_rule_set_in_order() -> None:
    code, out, _ = rack(
        "check", "--system", "dgx-b200", "--system", "gb200-nvl72",
        "--rules", "air-cooled-hall-15kw", "--rules", "liquid-hall-140kw", "--json",
    )  # fmt: skip
    assert code == 1  # the NVL72 does not fit the air hall
    pairs = [(c["design"], c["rules"], c["passed"]) for c in json.loads(out)["checks"]]
    assert pairs == [
        ("dgx-b200", "air-cooled-hall-15kw", True),
        ("dgx-b200", "liquid-hall-140kw", True),
        ("gb200-nvl72", "air-cooled-hall-15kw", False),
        ("gb200-nvl72", "liquid-hall-140kw", True),
    ]


def test_an_unknown_rule_set_exits_2_naming_the_option_and_close_matches() -> None:
    code, out, err = rack("check", "--system", "dgx-b200", "--rules", "liquid-hall-14kw")
    assert code == 2
    assert out == ""
    assert "--rules" in err and "liquid-hall-140kw" in err


def test_an_unknown_system_exits_2_naming_the_option() -> None:
    code, _, err = rack("check", "--system", "gb2000-nvl72", "--rules", "orv3-busbar")
    assert code == 2
    assert "--system" in err and "gb200-nvl72" in err
