"""`rackforge rack draw`: rack elevations written as SVG files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from rackforge.cli.main import app


def draw(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rack", "draw", *args])
    return result.exit_code, result.stdout, result.stderr


def test_drawing_two_systems_writes_one_parseable_svg_each(tmp_path: Path) -> None:
    code, out, _ = draw(
        "--system", "gb200-nvl72", "--system", "dgx-h100", "--out", str(tmp_path), "--json"
    )
    assert code == 0
    paths = [Path(p) for p in json.loads(out)["drawings"]]
    assert [p.name for p in paths] == ["gb200-nvl72-both.svg", "dgx-h100-both.svg"]
    for path in paths:
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg")


def test_one_face_can_be_drawn_alone(tmp_path: Path) -> None:
    code, _, _ = draw("--system", "gb200-nvl72", "--face", "rear", "--out", str(tmp_path))
    assert code == 0
    assert (tmp_path / "gb200-nvl72-rear.svg").is_file()


def test_an_unknown_face_or_system_exits_2_naming_the_option(tmp_path: Path) -> None:
    code, _, err = draw("--system", "gb200-nvl72", "--face", "side", "--out", str(tmp_path))
    assert code == 2 and "--face" in err
    code, _, err = draw("--system", "gb200-nvl7", "--out", str(tmp_path))
    assert code == 2 and "--system" in err and "gb200-nvl72" in err
    assert not list(tmp_path.iterdir())
