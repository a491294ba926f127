"""The pool's history: what one save changed, record by record and field by field.

`diff` holds the stored records against the new ones (both as row values keyed by their
history key): a record only in the new pool is `added` (whole record in `new`), one only in
the stored pool `removed` (whole record in `old`), and each field that differs in a record of
both is one `changed` entry. Equal records give nothing, so saving the same pool twice
records nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rackforge.store.records import Values

__all__ = ["Action", "Change", "Edit", "Entity", "HistoryFilter", "diff"]

Entity = Literal["supplier", "offer"]
Action = Literal["added", "changed", "removed"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One difference between the stored pool and a new one, before it is recorded."""

    entity: Entity
    key: str
    supplier: str
    action: Action
    field: str | None
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Change(Edit):
    """One entry of the history as read back: an `Edit` with who made it, when and why."""

    at: dt.datetime
    who: str
    why: str


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which changes to read: all by default; each set field narrows them."""

    supplier: str | None = None  # a supplier's own changes and its offers'
    entity: Entity | None = None
    who: str | None = None
    since: dt.datetime | None = None
    limit: int | None = None  # the latest N, still oldest first


def diff(
    entity: Entity,
    stored: Mapping[str, Values],
    new: Mapping[str, Values],
    *,
    supplier_field: str,
) -> list[Edit]:
    """Every difference from `stored` to `new` (values keyed by history key), in `new`'s order,
    removals last; `supplier_field` names the value that holds the supplier id."""
    edits: list[Edit] = []
    for key, values in new.items():
        supplier = str(values[supplier_field])
        before = stored.get(key)
        if before is None:
            edits.append(Edit(entity, key, supplier, "added", None, None, dict(values)))
            continue
        for name, value in values.items():
            if before.get(name) != value:
                edits.append(Edit(entity, key, supplier, "changed", name, before.get(name), value))
    for key, values in stored.items():
        if key not in new:
            supplier = str(values[supplier_field])
            edits.append(Edit(entity, key, supplier, "removed", None, dict(values), None))
    return edits
