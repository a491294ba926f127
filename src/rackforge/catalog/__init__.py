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
from rackforge.catalog.rack_catalog import (
    PartTable,
    RackComponents,
    rack_components,
    reference_system,
    reference_systems,
)
from rackforge.catalog.rack_schema import (
    BbuShelf,
    Busbar,
    Cable,
    Cdu,
    ColdPlate,
    ComputeTray,
    Frame,
    Manifold,
    Nic,
    Optic,
    PowerShelf,
    PowerSupply,
    RackPart,
    ReferenceSystem,
    Switch,
)
from rackforge.catalog.rule_catalog import RuleSetCatalog, rule_set, rule_sets
from rackforge.catalog.rule_schema import (
    FIX_PLACEHOLDERS,
    LimitFrom,
    RuleQuantity,
    RuleSet,
    RuleSpec,
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
    "FIX_PLACEHOLDERS",
    "MLA",
    "PRECISIONS",
    "Accelerator",
    "BbuShelf",
    "Busbar",
    "Cable",
    "CatalogError",
    "Cdu",
    "ColdPlate",
    "ComputeTray",
    "DenseTflops",
    "Frame",
    "Interconnect",
    "LimitFrom",
    "Manifold",
    "MoE",
    "ModelArchitecture",
    "Nic",
    "Optic",
    "PartTable",
    "PowerShelf",
    "PowerSupply",
    "Precision",
    "RackComponents",
    "RackPart",
    "ReferenceSystem",
    "RuleQuantity",
    "RuleSet",
    "RuleSetCatalog",
    "RuleSpec",
    "ScaleOut",
    "ScaleUp",
    "Switch",
    "accelerator",
    "accelerators",
    "catalog_version",
    "find_accelerator",
    "interconnect",
    "interconnects",
    "model",
    "models",
    "normalize_name",
    "rack_components",
    "reference_system",
    "reference_systems",
    "rule_set",
    "rule_sets",
]
