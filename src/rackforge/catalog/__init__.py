"""The catalog: accelerators, interconnects and model architectures, each number sourced.

Look entries up by name or alias, ignoring case and punctuation:

    >>> from rackforge import catalog
    >>> catalog.accelerator("h100").memory_gib
    80.0
"""

from rackforge.catalog.loader import (
    CatalogError,
    accelerator,
    accelerators,
    catalog_version,
    find_accelerator,
    interconnect,
    interconnects,
    model,
    models,
)
from rackforge.catalog.schema import (
    MLA,
    PRECISIONS,
    Accelerator,
    DenseTflops,
    Interconnect,
    ModelArchitecture,
    MoE,
    Precision,
    ScaleOut,
    ScaleUp,
    normalize_name,
)

__all__ = [
    "MLA",
    "PRECISIONS",
    "Accelerator",
    "CatalogError",
    "DenseTflops",
    "Interconnect",
    "MoE",
    "ModelArchitecture",
    "Precision",
    "ScaleOut",
    "ScaleUp",
    "accelerator",
    "accelerators",
    "catalog_version",
    "find_accelerator",
    "interconnect",
    "interconnects",
    "model",
    "models",
    "normalize_name",
]
