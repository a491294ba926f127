"""NETWORK.yaml: read as written, and every mistake named by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rackforge.errors import InputError
from rackforge.formats.network_file import load_network

NETWORK = {
    "nodes": [
        {"id": "P", "kind": "product", "capacity_per_week": 10, "demand_per_week": 4},
        {"id": "A", "kind": "supplier", "inventory": 5, "ttr_weeks": 3},
    ],
    "edges": [{"from": "A", "to": "P", "material": "tray", "units_per_unit": 2}],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_network_is_read_as_written(tmp_path: Path) -> None:
    network = load_network(write(tmp_path, NETWORK))
    assert [n.id for n in network.nodes] == ["P", "A"]
    (edge,) = network.edges
    assert (edge.source, edge.target, edge.material, edge.units_per_unit) == ("A", "P", "tray", 2)
    assert network.node("A").capacity_per_week is None  # unconstrained


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (lambda d: d["edges"][0].update({"from": "Q"}), "network.yaml", "node 'Q'"),
        (lambda d: d["nodes"][1].update(id="P"), "nodes", "node id 'P'"),
        (lambda d: d["nodes"][1].update(demand_per_week=3), "nodes[1]", "only products"),
        (lambda d: d["nodes"][0].update(demand_per_week=0), "network.yaml", "no product"),
        (
            lambda d: d["nodes"][0].update(capacity_per_week=-1),
            "capacity_per_week",
            "greater than or equal to 0",
        ),
        (lambda d: d["edges"][0].update(units_per_unit=0), "units_per_unit", "greater than 0"),
        (lambda d: d["nodes"][0].update(colour="red"), "colour", "colour"),
    ],
)
def test_a_malformed_network_names_file_key_and_reason(
    tmp_path: Path, edit: object, where: str, words: str
) -> None:
    data = yaml.safe_load(yaml.safe_dump(NETWORK))
    edit(data)  # type: ignore[operator]
    with pytest.raises(InputError) as caught:
        load_network(write(tmp_path, data))
    text = caught.value.one_line()
    assert "network.yaml" in text and where in text and words in text, text
