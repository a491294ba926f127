"""Supplier-pool use cases from files: load a program's pool, import, export, check coverage.

A program directory holds its pool as `suppliers.csv` and `offers.csv` (docs/formats.md,
"Supplier pool"); both are optional until a stage needs them. A pool can also travel as one
XLSX workbook (sheets Suppliers and Offers). Reading reports every bad row at once
(`rackforge.formats.pool_files.BadRowsError`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rackforge.errors import InputError
from rackforge.formats.pool_files import (
    OFFERS_FILE,
    SUPPLIERS_FILE,
    pool_to_csv,
    read_pool_csv,
)
from rackforge.formats.pool_xlsx import pool_to_xlsx, read_pool_xlsx
from rackforge.rack.bom import BillOfMaterials, BomLine, flatten
from rackforge.supply import sourcing
from rackforge.supply.pool import CRITICAL_SOURCEABLE, Offer, Supplier, SupplierPool

__all__ = [
    "PoolCoverage",
    "export_pool",
    "load_pool",
    "offer_coverage",
    "read_pool",
    "risk_weight",
    "sourcing_offers",
]

PoolFormat = Literal["csv", "xlsx"]


def load_pool(program_dir: Path) -> SupplierPool | None:
    """The program's pool from its suppliers.csv (and offers.csv); None when it has neither.

    offers.csv without suppliers.csv is an error (offers name suppliers); suppliers.csv alone
    is a pool without offers.
    """
    suppliers = program_dir / SUPPLIERS_FILE
    offers = program_dir / OFFERS_FILE
    if not suppliers.is_file():
        if offers.is_file():
            raise InputError(
                f"{OFFERS_FILE} is here but {SUPPLIERS_FILE} is not: every offer names a "
                "supplier of the pool",
                where=str(program_dir),
                fix=f'add {SUPPLIERS_FILE} (docs/formats.md, "Supplier pool")',
            )
        return None
    return read_pool_csv(suppliers, offers if offers.is_file() else None)


def read_pool(path: Path) -> SupplierPool:
    """A pool from a folder (suppliers.csv, offers.csv) or an .xlsx workbook."""
    if path.is_dir():
        pool = load_pool(path)
        if pool is None:
            raise InputError(
                f"no {SUPPLIERS_FILE} in this folder",
                where=str(path),
                fix=f"give a folder holding {SUPPLIERS_FILE} and {OFFERS_FILE}, or a .xlsx "
                "workbook",
            )
        return pool
    if path.suffix.lower() == ".xlsx":
        return read_pool_xlsx(path)
    raise InputError(
        "not a pool: expected a folder with the two CSV files or an .xlsx workbook",
        where=str(path),
        fix=f"give the folder holding {SUPPLIERS_FILE}, or a workbook ending .xlsx",
    )


def export_pool(
    pool: SupplierPool, out: Path, fmt: PoolFormat = "csv", *, comments: Iterable[str] = ()
) -> list[Path]:
    """Write the pool: csv → `out` is a folder (suppliers.csv, offers.csv); xlsx → a file.

    `comments` go as `#` lines on top of both CSV files (the workbook has no place for them).
    Returns the paths written.
    """
    if fmt == "xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pool_to_xlsx(pool))
        return [out]
    if fmt != "csv":
        raise InputError(f"unknown pool format {fmt!r}", where="--format", fix="use csv or xlsx")
    notes = list(comments)
    suppliers_text, offers_text = pool_to_csv(pool, supplier_comments=notes, offer_comments=notes)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / SUPPLIERS_FILE, out / OFFERS_FILE]
    for path, text in zip(paths, (suppliers_text, offers_text), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


@dataclass(frozen=True, slots=True)
class PoolCoverage:
    """Which parts of the bills have offers in the pool, and which offers match no part.

    `uncovered`: BOM lines (one per part number, level ≥ 1) with no offer, matched by part
    number or catalog name; `unmatched`: offers whose part is on none of the bills.
    """

    covered: tuple[BomLine, ...]
    uncovered: tuple[BomLine, ...]
    unmatched: tuple[Offer, ...]


def offer_coverage(pool: SupplierPool, boms: Iterable[BillOfMaterials]) -> PoolCoverage:
    """The pool's offers held against every part of `boms` (the rack lines themselves aside)."""
    parts: dict[str, BomLine] = {}
    for bom in boms:
        for line in flatten(bom):
            if line.level >= 1:
                parts.setdefault(line.part_number, line)
    found = {number: pool.offers_for(number, line.description) for number, line in parts.items()}
    matched = {id(offer) for offers in found.values() for offer in offers}
    return PoolCoverage(
        covered=tuple(line for number, line in parts.items() if found[number]),
        uncovered=tuple(line for number, line in parts.items() if not found[number]),
        unmatched=tuple(offer for offer in pool.offers if id(offer) not in matched),
    )


def sourcing_offers(pool: SupplierPool, *, period_weeks: float = 1.0) -> tuple[sourcing.Offer, ...]:
    """The pool's offers as the sourcing MILP takes them, one period = `period_weeks` weeks.

    Capacity scales by the period; the lead time rounds up to whole periods; the region is
    the site's `region_code` (US-TX, TW); a contract's whole commitment applies; `qualified`
    is a qualified or preferred supplier; `risk` is `risk_weight` of the supplier.
    """
    offers: list[sourcing.Offer] = []
    for offer in pool.offers:
        supplier = pool.supplier(offer.supplier)
        assert supplier is not None  # a SupplierPool's offers name its suppliers
        contract = offer.contract
        offers.append(
            sourcing.Offer(
                part=offer.part,
                supplier=offer.supplier,
                region=supplier.site.region_code,
                price_breaks=tuple(
                    sourcing.PriceBreak(b.min_quantity, b.unit_price_usd)
                    for b in offer.price_breaks
                ),
                capacity_per_period=offer.capacity_per_week * period_weeks,
                lead_time_periods=math.ceil(offer.lead_time_weeks / period_weeks - 1e-9),
                moq=float(offer.moq),
                domestic_share=offer.domestic_content,
                committed_units=float(contract.committed_units) if contract else 0.0,
                take_or_pay=contract.take_or_pay if contract else False,
                risk=risk_weight(supplier),
                qualified=supplier.qualification in CRITICAL_SOURCEABLE,
                suspended=supplier.qualification == "suspended",
            )
        )
    return tuple(offers)


def risk_weight(supplier: Supplier) -> float:
    """The supplier's risk as a 0-1 weight: the worse of its two 1-5 scores, 1 → 0, 5 → 1.

    The worse score, not the mean: a sound balance sheet does not offset a site in a flashpoint
    region (RackForge's planning convention).
    """
    worst = max(supplier.risk.financial, supplier.risk.geopolitical)
    return (worst - 1) / 4
