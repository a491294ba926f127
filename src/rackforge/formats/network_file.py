"""NETWORK.yaml: a supply network's `nodes` and `edges` (docs/formats.md, "Supply network").

The same shape as one case's `network` in shared/data/validation/tts_cases.yaml; errors name
the file and the key (`network.yaml:edges[2].from`).
"""

from __future__ import annotations

from pathlib import Path

import pydantic

from rackforge.formats.validation import input_error_from_pydantic
from rackforge.formats.yaml_file import load_yaml_mapping
from rackforge.supply.network import SupplyNetwork


def load_network(path: Path) -> SupplyNetwork:
    """The network in `path`; an InputError naming the file and key when it is malformed."""
    data = load_yaml_mapping(path)
    try:
        return SupplyNetwork.model_validate(data)
    except pydantic.ValidationError as err:
        raise input_error_from_pydantic(err, str(path), SupplyNetwork) from None
