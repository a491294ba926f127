"""supply.yaml: the program's sourcing rules over the defaults, errors by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from rackforge.errors import InputError
from rackforge.formats.supply_rules_file import load_supply_rules
from rackforge.services.supply_inputs import SUPPLY_RULES


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "supply.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rules_file_overrides_only_its_keys(tmp_path: Path) -> None:
    rules = load_supply_rules(
        write(tmp_path, "max_region_share: {TW: 0.3}\ndomestic_floor: {2027: 0.5}\n"),
        SUPPLY_RULES,
    )
    assert rules.max_region_share == {"TW": 0.3}
    assert rules.floor(2027) == 0.5 and rules.floor(2029) == 0.0  # an explicit table rules
    assert rules.max_supplier_share == SUPPLY_RULES.max_supplier_share
    assert rules.min_suppliers_critical == SUPPLY_RULES.min_suppliers_critical


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("max_supplier_share: 1.5\n", "max_supplier_share"),
        ("max_region_share: {TW: 2}\n", "max_region_share"),
        ("min_suppliers_critical: 0\n", "min_suppliers_critical"),
        ("max_suplier_share: 0.5\n", "max_suplier_share"),
    ],
)
def test_a_bad_rule_names_the_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(InputError) as caught:
        load_supply_rules(write(tmp_path, text), SUPPLY_RULES)
    line = caught.value.one_line()
    assert "supply.yaml" in line and key in line
