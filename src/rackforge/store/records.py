"""Pool records as the values of their table rows, and back: the mapping the store and its
history share.

A record's values are JSON-ready (ISO dates, lists), keyed by column name, so the same dict is
written to a row, compared field by field against what is stored, and kept as old/new in the
history. Date columns are the only ones whose row value differs (a `datetime.date`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rackforge.store.tables import OfferRow, SupplierRow
from rackforge.supply.pool import Offer, Supplier, part_key

__all__ = [
    "OFFER_FIELDS",
    "SUPPLIER_FIELDS",
    "Values",
    "offer_from_values",
    "offer_key",
    "offer_values",
    "row_values",
    "supplier_from_values",
    "supplier_values",
    "write_values",
]

Values = dict[str, Any]

SUPPLIER_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "country",
    "region",
    "city",
    "tier",
    "qualification",
    "qualification_since",
    "audits",
    "certifications",
    "financial_risk",
    "geopolitical_risk",
    "sub_suppliers",
    "commodities",
    "ttr_weeks",
    "fictional",
    "notes",
)
OFFER_FIELDS: tuple[str, ...] = (
    "supplier",
    "part_key",
    "part",
    "part_name",
    "price_breaks",
    "capacity_per_week",
    "lead_time_weeks",
    "moq",
    "domestic_content",
    "inventory_units",
    "contract_committed_units",
    "contract_take_or_pay",
    "contract_start",
    "contract_end",
    "surge_pct",
    "surge_within_weeks",
    "force_majeure_exclusions",
    "backup_country",
    "backup_region",
    "backup_city",
    "notes",
)
_DATES = frozenset({"qualification_since", "contract_start", "contract_end"})


def supplier_values(supplier: Supplier) -> Values:
    """The supplier as its row's values (JSON-ready)."""
    d = supplier.model_dump(mode="json")
    site, risk = d["site"], d["risk"]
    return {
        "id": d["id"],
        "name": d["name"],
        "country": site["country"],
        "region": site["region"],
        "city": site["city"],
        "tier": d["tier"],
        "qualification": d["qualification"],
        "qualification_since": d["qualification_since"],
        "audits": d["audits"],
        "certifications": d["certifications"],
        "financial_risk": risk["financial"],
        "geopolitical_risk": risk["geopolitical"],
        "sub_suppliers": d["sub_suppliers"],
        "commodities": d["commodities"],
        "ttr_weeks": d["ttr_weeks"],
        "fictional": d["fictional"],
        "notes": d["notes"],
    }


def supplier_from_values(v: Values) -> Supplier:
    """The supplier a row's values describe (validated again, as any input is)."""
    return Supplier.model_validate(
        {
            "id": v["id"],
            "name": v["name"],
            "site": {"country": v["country"], "region": v["region"], "city": v["city"]},
            "tier": v["tier"],
            "audits": v["audits"],
            "qualification": v["qualification"],
            "qualification_since": v["qualification_since"],
            "certifications": v["certifications"],
            "risk": {"financial": v["financial_risk"], "geopolitical": v["geopolitical_risk"]},
            "sub_suppliers": v["sub_suppliers"],
            "commodities": v["commodities"],
            "ttr_weeks": v["ttr_weeks"],
            "fictional": v["fictional"],
            "notes": v["notes"],
        }
    )


def offer_key(supplier: str, part: str) -> str:
    """The history key of an offer: its supplier and the part as compared."""
    return f"{supplier}:{part_key(part)}"


def offer_values(offer: Offer) -> Values:
    """The offer as its row's values (JSON-ready)."""
    d = offer.model_dump(mode="json")
    contract = d["contract"] or {}
    contingency = d["contingency"]
    backup = contingency["backup_site"] or {}
    return {
        "supplier": d["supplier"],
        "part_key": part_key(offer.part),
        "part": d["part"],
        "part_name": d["part_name"],
        "price_breaks": d["price_breaks"],
        "capacity_per_week": d["capacity_per_week"],
        "lead_time_weeks": d["lead_time_weeks"],
        "moq": d["moq"],
        "domestic_content": d["domestic_content"],
        "inventory_units": d["inventory_units"],
        "contract_committed_units": contract.get("committed_units"),
        "contract_take_or_pay": contract.get("take_or_pay"),
        "contract_start": contract.get("term_start"),
        "contract_end": contract.get("term_end"),
        "surge_pct": contingency["surge_pct"],
        "surge_within_weeks": contingency["surge_within_weeks"],
        "force_majeure_exclusions": contingency["force_majeure_exclusions"],
        "backup_country": backup.get("country"),
        "backup_region": backup.get("region"),
        "backup_city": backup.get("city"),
        "notes": d["notes"],
    }


def offer_from_values(v: Values) -> Offer:
    """The offer a row's values describe (validated again, as any input is)."""
    contract = None
    if v["contract_committed_units"] is not None:
        contract = {
            "committed_units": v["contract_committed_units"],
            "take_or_pay": bool(v["contract_take_or_pay"]),
            "term_start": v["contract_start"],
            "term_end": v["contract_end"],
        }
    backup = None
    if v["backup_country"] is not None:
        backup = {
            "country": v["backup_country"],
            "region": v["backup_region"],
            "city": v["backup_city"],
        }
    return Offer.model_validate(
        {
            "supplier": v["supplier"],
            "part": v["part"],
            "part_name": v["part_name"],
            "moq": v["moq"],
            "capacity_per_week": v["capacity_per_week"],
            "lead_time_weeks": v["lead_time_weeks"],
            "domestic_content": v["domestic_content"],
            "inventory_units": v["inventory_units"],
            "price_breaks": v["price_breaks"],
            "contract": contract,
            "contingency": {
                "surge_pct": v["surge_pct"],
                "surge_within_weeks": v["surge_within_weeks"],
                "force_majeure_exclusions": v["force_majeure_exclusions"],
                "backup_site": backup,
            },
            "notes": v["notes"],
        }
    )


def row_values(row: SupplierRow | OfferRow) -> Values:
    """A stored row's values, dates as ISO text (as `supplier_values` gives them)."""
    fields = SUPPLIER_FIELDS if isinstance(row, SupplierRow) else OFFER_FIELDS
    values: Values = {}
    for name in fields:
        value = getattr(row, name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


def write_values(row: SupplierRow | OfferRow, values: Values) -> None:
    """Set a row's columns from values (ISO text to dates where the column is a date)."""
    for name, value in values.items():
        is_date = name in _DATES and isinstance(value, str)
        setattr(row, name, dt.date.fromisoformat(value) if is_date else value)
