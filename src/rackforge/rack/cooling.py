"""Rack cooling: how the heat splits between liquid and air, and the flow each loop needs.

Every watt a rack takes in leaves it as heat (first law, steady state): the IT power the trays
draw plus what the PSUs lose converting it. Convention: cold plates take `liquid_fraction` of
the IT power; the rest of the IT power and all PSU losses go to air, because cold plates sit on
the compute and switch silicon only, while the PSUs of a power shelf are modules cooled by their
own fans (OCP Open Rack V3 PSU and power-shelf specifications), liquid-cooled rack or not.

Flow from the sensible-heat balance Q = ṁ·c_p·ΔT with ṁ = ρ·V̇, so V̇ = Q / (ρ·c_p·ΔT)
(steady-flow energy equation for an incompressible fluid with no phase change: Incropera &
DeWitt, *Fundamentals of Heat and Mass Transfer*, §1.3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rackforge.rack.inputs import fraction, non_negative, positive


@dataclass(frozen=True, slots=True)
class Coolant:
    """A single-phase liquid coolant at its loop temperature, with the source of its figures."""

    name: str
    density_kg_m3: float
    specific_heat_j_kg_k: float
    source: str

    @property
    def volumetric_heat_capacity_j_m3_k(self) -> float:
        """ρ·c_p: heat one cubic metre carries per kelvin of temperature rise."""
        return self.density_kg_m3 * self.specific_heat_j_kg_k


WATER_30C = Coolant(
    name="water at 30 °C",
    density_kg_m3=995.6,
    specific_heat_j_kg_k=4180.0,
    source="IAPWS-95 via the NIST Chemistry WebBook (water, 30 °C, 0.1 MPa): "
    "ρ = 995.6 kg/m³, c_p = 4.18 kJ/(kg·K); the same in ASHRAE Handbook—Fundamentals ch. 31",
)

# 25 % by mass propylene glycol, the OCP cold-plate coolant (OCP "Guidelines for Using
# Propylene Glycol-Based Heat Transfer Fluids in Single-Phase Cold Plate-Based Liquid Cooled
# Racks"): less heat per litre than water, so the same load needs more flow.
PG25_30C = Coolant(
    name="PG25 (25 % propylene glycol) at 30 °C",
    density_kg_m3=1019.2,
    specific_heat_j_kg_k=3940.0,
    source="ASHRAE Handbook—Fundamentals (2021) ch. 31, aqueous propylene glycol tables, "
    "25 % by mass at 30 °C: ρ = 1019.2 kg/m³, c_p = 3.94 kJ/(kg·K)",
)

# Standard air as the sensible-heat rule of thumb q[Btu/h] = 1.08·cfm·Δt[°F] takes it
# (ASHRAE Handbook—Fundamentals ch. 1 and ch. 18): ρ = 0.075 lb/ft³, c_p = 0.24 Btu/(lb·°F),
# 1.08 = 0.075 · 0.24 · 60 min/h. In SI (1 lb/ft³ = 16.018463 kg/m³, 1 Btu/(lb·°F) = 4186.8
# J/(kg·K), NIST SP 811 appendix B):
AIR_DENSITY_KG_M3 = 0.075 * 16.018463
AIR_SPECIFIC_HEAT_J_KG_K = 0.24 * 4186.8
# One cubic foot per minute, from the international foot (0.3048 m exactly, NIST SP 811):
# 0.3048³ / 60 = 0.000471947 m³/s.
M3_S_PER_CFM = 0.3048**3 / 60.0

Loop = Literal["liquid", "air"]


def coolant_flow_l_min(heat_kw: float, delta_t_k: float, coolant: Coolant) -> float:
    """Coolant flow (L/min) that carries `heat_kw` away with a `delta_t_k` supply-return rise.

    V̇ = Q / (ρ·c_p·ΔT) in m³/s, × 60 000 for L/min.
    """
    q_w = non_negative("heat_kw", heat_kw) * 1000.0
    rise = positive("delta_t_k", delta_t_k)
    return q_w / (coolant.volumetric_heat_capacity_j_m3_k * rise) * 60_000.0


def airflow_cfm(air_heat_kw: float, delta_t_k: float) -> float:
    """Airflow (CFM) that carries `air_heat_kw` away with a `delta_t_k` inlet-outlet rise.

    V̇ = Q / (ρ·c_p·ΔT) for standard air, in ft³/min. With ΔT in °F (ΔT_K = ΔT_F / 1.8) this is
    the familiar CFM = 3.16 · W / ΔT°F (`3.16` = 1.8 / (ρ·c_p·M3_S_PER_CFM)).
    """
    q_w = non_negative("air_heat_kw", air_heat_kw) * 1000.0
    rise = positive("delta_t_k", delta_t_k)
    m3_s = q_w / (AIR_DENSITY_KG_M3 * AIR_SPECIFIC_HEAT_J_KG_K * rise)
    return m3_s / M3_S_PER_CFM


def heat_split(it_power_kw: float, liquid_fraction: float) -> tuple[float, float]:
    """(liquid_kw, air_kw) of IT heat: cold plates take `liquid_fraction`, air the rest.

    The air share is the remainder, so the two add up to `it_power_kw` (to float rounding).
    """
    it = non_negative("it_power_kw", it_power_kw)
    liquid = it * fraction("liquid_fraction", liquid_fraction)
    return liquid, it - liquid


@dataclass(frozen=True, slots=True)
class CoolingLoad:
    """The heat one cooling loop removes and the flow of its medium that does it."""

    loop: Loop
    medium: str
    heat_kw: float
    delta_t_k: float
    flow: float
    flow_unit: Literal["L/min", "CFM"]


@dataclass(frozen=True, slots=True)
class RackCooling:
    """A rack's heat by loop; `heat_out_kw` equals `power_in_kw` (energy balance)."""

    liquid: CoolingLoad
    air: CoolingLoad
    it_power_kw: float
    psu_loss_kw: float

    @property
    def power_in_kw(self) -> float:
        """Power the rack takes from the facility: IT power plus PSU losses."""
        return self.it_power_kw + self.psu_loss_kw

    @property
    def heat_out_kw(self) -> float:
        return self.liquid.heat_kw + self.air.heat_kw

    @property
    def liquid_share(self) -> float:
        """Share of all rack heat the liquid loop removes."""
        return self.liquid.heat_kw / self.heat_out_kw if self.heat_out_kw else 0.0


def rack_cooling(
    it_power_kw: float,
    *,
    liquid_fraction: float,
    psu_loss_kw: float,
    coolant: Coolant,
    liquid_delta_t_k: float,
    air_delta_t_k: float,
) -> RackCooling:
    """Liquid and air loads of a rack drawing `it_power_kw` with `psu_loss_kw` of PSU losses.

    Liquid: `liquid_fraction` of the IT power. Air: the rest of the IT power plus the PSU
    losses (module docstring). Flows follow from each loop's temperature rise.
    """
    liquid_kw, air_it_kw = heat_split(it_power_kw, liquid_fraction)
    air_kw = air_it_kw + non_negative("psu_loss_kw", psu_loss_kw)
    return RackCooling(
        liquid=CoolingLoad(
            loop="liquid",
            medium=coolant.name,
            heat_kw=liquid_kw,
            delta_t_k=liquid_delta_t_k,
            flow=coolant_flow_l_min(liquid_kw, liquid_delta_t_k, coolant),
            flow_unit="L/min",
        ),
        air=CoolingLoad(
            loop="air",
            medium="standard air",
            heat_kw=air_kw,
            delta_t_k=air_delta_t_k,
            flow=airflow_cfm(air_kw, air_delta_t_k),
            flow_unit="CFM",
        ),
        it_power_kw=float(it_power_kw),
        psu_loss_kw=float(psu_loss_kw),
    )
