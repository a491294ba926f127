"""Typed entries of the rack-component catalog and of the reference systems.

Every record names itself, cites a source for each number it carries (`sources`, keyed by field
name) and may list in `unverified` the fields whose figure could not be checked against a
primary source (a vendor datasheet or a standard). Units are in the field names: kW, W, V, A,
kg, mm, L/min, Gb/s per direction. A field left out is one nobody publishes; the YAML says so
beside the entry, and design code must not read a missing figure as zero.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from rackforge.catalog.schema import SourcedPart

UnitKind = Literal["RU", "OU"]
"""RU: EIA-310 rack unit, 44.45 mm. OU: OCP OpenU, 48 mm."""


class RackPart(SourcedPart):
    """A named catalog record whose numbers each cite a source.

    `makers` and `lead_time_weeks` are the supply facts a bill of materials reads its
    criticality from (`rackforge.rack.bom`); left out, they are unknown, never "none".
    """


class PowerSupply(RackPart):
    """One AC/DC rectifier module (a PSU of a power shelf or of a server)."""

    output_kw: PositiveFloat
    efficiency: float | None = Field(
        default=None, gt=0, le=1, description="peak (typical-load) efficiency, a fraction"
    )
    full_load_efficiency: float | None = Field(default=None, gt=0, le=1)
    input: str | None = Field(default=None, description="input range as published")
    output_voltage_v: PositiveFloat | None = None


class PowerShelf(RackPart):
    """A rack power shelf: `psus` rectifiers of one type feeding the busbar."""

    psus: PositiveInt
    psu: str = Field(description="name of the PowerSupply entry it holds")
    capacity_kw: PositiveFloat = Field(description="nameplate output with every PSU working")
    ru: PositiveInt | None = None
    ru_kind: UnitKind = "RU"
    weight_kg: PositiveFloat | None = None
    output_voltage_v: PositiveFloat | None = None


class Busbar(RackPart):
    """A rack DC busbar: its nominal voltage and its rating."""

    voltage_v: PositiveFloat
    max_current_a: PositiveFloat | None = None
    max_power_kw: PositiveFloat | None = None


class Frame(RackPart):
    """A rack frame (ORv3, ORv3 HPR or EIA-310 19-inch) with its usable height and payload."""

    standard: Literal["ORv3", "ORv3 HPR", "EIA-310"]
    height_units: PositiveInt = Field(description="usable IT units (OU or RU, see unit_kind)")
    unit_kind: UnitKind
    unit_height_mm: PositiveFloat
    width_mm: PositiveFloat | None = None
    depth_mm: PositiveFloat | None = None
    height_mm: PositiveFloat | None = None
    payload_kg: PositiveFloat | None = Field(
        default=None, description="rated equipment load as published (static unless noted)"
    )
    dynamic_payload_kg: PositiveFloat | None = None
    weight_kg: PositiveFloat | None = Field(default=None, description="empty frame")
    busbar: str | None = Field(default=None, description="name of the Busbar entry it carries")


class Cdu(RackPart):
    """A coolant distribution unit between the facility loop and the rack's technology loop."""

    placement: Literal["in-rack", "in-row"]
    capacity_kw: PositiveFloat
    flow_l_min: PositiveFloat | None = None
    ru: PositiveInt | None = None
    weight_kg: PositiveFloat | None = None


class ColdPlate(RackPart):
    """A cold plate on one processor package."""

    weight_kg: PositiveFloat | None = None
    max_flow_l_min: PositiveFloat | None = None


class Manifold(RackPart):
    """A rack liquid manifold (supply and return)."""

    weight_kg: PositiveFloat | None = None
    max_flow_l_min: PositiveFloat | None = None


class Nic(RackPart):
    """A network adapter, SuperNIC or DPU."""

    kind: Literal["nic", "dpu"]
    ports: PositiveInt
    port_gbps: PositiveFloat = Field(description="Gb/s per port per direction")
    power_w: PositiveFloat | None = None
    fabric: Literal["compute", "storage"] | None = Field(
        default=None,
        description="the network its maker's reference design cables it to: compute (east-west,"
        " to the leaf switches) or storage/in-band management",
    )


class Switch(RackPart):
    """A switch: an NVLink switch tray or an Ethernet/InfiniBand switch."""

    kind: Literal["nvlink", "ethernet", "infiniband"]
    switch_chips: PositiveInt | None = None
    ports: PositiveInt
    port_gbps: PositiveFloat = Field(description="Gb/s per port per direction")
    power_w: PositiveFloat | None = None
    ru: PositiveInt | None = None
    weight_kg: PositiveFloat | None = None


class Optic(RackPart):
    """A pluggable optical transceiver."""

    form_factor: str
    port_gbps: PositiveFloat
    media: Literal["multimode", "single-mode"]
    power_w: PositiveFloat = Field(description="maximum")
    typical_power_w: PositiveFloat | None = None
    reach_m: PositiveFloat


class Cable(RackPart):
    """A copper cable: passive DAC, active copper (ACC) or the NVLink spine."""

    kind: Literal["dac", "acc", "nvlink-spine"]
    port_gbps: PositiveFloat | None = None
    reach_m: PositiveFloat | None = Field(default=None, description="longest length offered")
    power_w: PositiveFloat | None = None


class ComputeTray(RackPart):
    """A compute tray (or sled) of a rack-scale system."""

    accelerator: str = Field(description="catalog accelerator name")
    accelerators: PositiveInt
    cpus: NonNegativeInt
    cpu_power_w: PositiveFloat | None = Field(default=None, description="maximum, per CPU")
    power_w: PositiveFloat | None = Field(default=None, description="maximum")
    weight_kg: PositiveFloat | None = None
    ru: PositiveInt | None = None
    liquid_cooled_fraction: float | None = Field(default=None, ge=0, le=1)
    nics: dict[str, PositiveInt] = Field(default_factory=dict, description="NIC name → count")


class ReferenceSystem(RackPart):
    """A published system (a server or a whole rack) the rack model is checked against.

    The published figures (`max_power_kw`, `weight_kg`, `power_shelves`, `ru`, `airflow_cfm`)
    are what the vendor states for the whole system; the parts list (trays, NICs, PSUs) is what
    a model rebuilds them from.
    """

    title: str
    kind: Literal["server", "rack"]
    accelerator: str = Field(description="catalog accelerator name")
    accelerators: PositiveInt
    cpus: NonNegativeInt | None = None
    cpu_power_w: PositiveFloat | None = Field(default=None, description="maximum, per CPU")
    compute_trays: PositiveInt = 1
    compute_tray: str | None = Field(default=None, description="ComputeTray entry name")
    switch_trays: NonNegativeInt = 0
    switch_tray: str | None = Field(default=None, description="Switch entry name (NVLink)")
    nvlink_switch_chips: NonNegativeInt | None = None
    management_switches: NonNegativeInt = 0
    management_switch: str | None = None
    nics: dict[str, PositiveInt] = Field(default_factory=dict, description="NIC name → count")
    psu: str | None = Field(default=None, description="server PSU (PowerSupply entry)")
    psus: PositiveInt | None = None
    psu_redundancy: str | None = Field(default=None, description='as published, e.g. "4+2"')
    power_shelf: str | None = Field(default=None, description="PowerShelf entry name")
    power_shelves: PositiveInt | None = None
    max_power_kw: PositiveFloat | None = None
    weight_kg: PositiveFloat | None = None
    ru: PositiveInt | None = None
    airflow_cfm: PositiveFloat | None = None

    @model_validator(mode="after")
    def _parts_named_where_counted(self) -> ReferenceSystem:
        if self.switch_trays and self.switch_tray is None:
            raise ValueError("switch_trays is set but switch_tray names no switch")
        if self.kind == "rack" and self.compute_tray is None:
            raise ValueError("a rack names its compute_tray")
        if self.psus is not None and self.psu is None:
            raise ValueError("psus is set but psu names no power supply")
        if self.power_shelves is not None and self.power_shelf is None:
            raise ValueError("power_shelves is set but power_shelf names no shelf")
        return self


class BbuShelf(RackPart):
    """A battery backup shelf on the rack busbar: `modules` battery units riding through
    `capacity_kw` of load for `holdup_s` seconds."""

    modules: PositiveInt
    capacity_kw: PositiveFloat = Field(description="load it carries on battery")
    holdup_s: PositiveFloat | None = Field(default=None, description="ride-through at capacity")
    ru: PositiveInt | None = None
    ru_kind: UnitKind = "RU"
    weight_kg: PositiveFloat | None = None
