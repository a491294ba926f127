"""A candidate system: accelerators, how many, and the two-tier network that joins them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from rackforge.catalog.schema import Accelerator, ScaleOut, ScaleUp

# When neither the scenario nor the catalog names a scale-out network: one 400 Gb/s NIC per
# accelerator (ConnectX-7 NDR 400 Gb/s = 50 GB/s per direction, NVIDIA DGX H100 datasheet).
DEFAULT_SCALE_OUT_GB_S = 50.0


class SystemSpec(BaseModel):
    """`count` accelerators joined by a scale-up domain and a scale-out network."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accelerator: Accelerator
    count: PositiveInt
    scale_up: ScaleUp
    scale_out: ScaleOut
    accelerators_per_rack: PositiveInt | None = Field(
        default=None, description="for per-rack figures; defaults to the scale-up domain size"
    )
    profile: str | None = Field(default=None, description="efficiency profile name to use")
    flash_attention: bool | None = Field(
        default=None,
        description="override the profile's software stack: fused attention (FlashAttention) "
        "or attention scores materialised in HBM",
    )

    @property
    def rack_size(self) -> int:
        return self.accelerators_per_rack or self.scale_up.size
