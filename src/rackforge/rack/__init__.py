"""Rack physics: power, cooling, elevation and design rules, from plain typed figures.

Pure functions of numbers, independent of the catalog, except `rack.design` and
`rack.system_parts`, which list a catalog system's parts and compose them into a `RackDesign`
with these formulas (`rack.figures`); `rack.bom` turns a design into its bill of materials
(`flatten`, `roll_up`, `to_json_dict` live there), and `rack.diff` compares two designs.
Every formula and constant cites its source where it is defined.

    >>> from rackforge import rack
    >>> round(rack.busbar_current_a(130.0, 48.0))
    2708
"""

from rackforge.rack.bom import (
    BillOfMaterials,
    BomLine,
    BomRollUp,
    Commodity,
    LevelTotal,
    build_bom,
)
from rackforge.rack.checks import COMPARISONS, Comparison, Rule, Violation, check
from rackforge.rack.cooling import (
    AIR_DENSITY_KG_M3,
    AIR_SPECIFIC_HEAT_J_KG_K,
    M3_S_PER_CFM,
    PG25_30C,
    WATER_30C,
    Coolant,
    CoolingLoad,
    Loop,
    RackCooling,
    airflow_cfm,
    coolant_flow_l_min,
    heat_split,
    rack_cooling,
)
from rackforge.rack.design import RACK_REDUNDANCY, design_reference_system
from rackforge.rack.diff import DesignDiff, FigureChange, PartChange, diff_designs
from rackforge.rack.elevation import draw_elevation, draw_front_and_rear
from rackforge.rack.figures import (
    AIR_DELTA_T_K,
    FALLBACK_PSU_EFFICIENCY,
    LIQUID_DELTA_T_K,
    TYPICAL_UTILISATION,
    DesignAssumptions,
    RackDesign,
    Supply,
    compose,
    plan_supply,
)
from rackforge.rack.layout import (
    OPEN_UNIT_MM,
    POSITION_HINTS,
    RACK_UNIT_MM,
    Allocation,
    Placement,
    PositionHint,
    Slot,
    allocate,
    floor_load_kg_m2,
    footprint_m2,
)
from rackforge.rack.parts import PartLine, Tally, tally
from rackforge.rack.power import (
    REDUNDANCIES,
    SERVER_IDLE_FRACTION,
    BusbarLoading,
    PowerShelfPlan,
    Redundancy,
    busbar_current_a,
    busbar_loading,
    plan_power_shelves,
    psu_input_kw,
    psu_loss_kw,
    shelf_output_kw,
    typical_power_kw,
)
from rackforge.rack.rules import RuleCheck, check_design, design_figures

__all__ = [
    "AIR_DELTA_T_K",
    "AIR_DENSITY_KG_M3",
    "AIR_SPECIFIC_HEAT_J_KG_K",
    "COMPARISONS",
    "FALLBACK_PSU_EFFICIENCY",
    "LIQUID_DELTA_T_K",
    "M3_S_PER_CFM",
    "OPEN_UNIT_MM",
    "PG25_30C",
    "POSITION_HINTS",
    "RACK_REDUNDANCY",
    "RACK_UNIT_MM",
    "REDUNDANCIES",
    "SERVER_IDLE_FRACTION",
    "TYPICAL_UTILISATION",
    "WATER_30C",
    "Allocation",
    "BillOfMaterials",
    "BomLine",
    "BomRollUp",
    "BusbarLoading",
    "Commodity",
    "Comparison",
    "Coolant",
    "CoolingLoad",
    "DesignAssumptions",
    "DesignDiff",
    "FigureChange",
    "LevelTotal",
    "Loop",
    "PartChange",
    "PartLine",
    "Placement",
    "PositionHint",
    "PowerShelfPlan",
    "RackCooling",
    "RackDesign",
    "Redundancy",
    "Rule",
    "RuleCheck",
    "Slot",
    "Supply",
    "Tally",
    "Violation",
    "airflow_cfm",
    "allocate",
    "build_bom",
    "busbar_current_a",
    "busbar_loading",
    "check",
    "check_design",
    "compose",
    "coolant_flow_l_min",
    "design_figures",
    "design_reference_system",
    "diff_designs",
    "draw_elevation",
    "draw_front_and_rear",
    "floor_load_kg_m2",
    "footprint_m2",
    "heat_split",
    "plan_power_shelves",
    "plan_supply",
    "psu_input_kw",
    "psu_loss_kw",
    "rack_cooling",
    "shelf_output_kw",
    "tally",
    "typical_power_kw",
]
