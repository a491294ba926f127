"""The supplier pool: who can supply which part, from where, on what terms, and how trusted.

Pure typed records (no I/O); `rackforge.formats.pool_files` reads and writes them as two CSV
files or one XLSX workbook (docs/formats.md, "Supplier pool"). The records are shaped for
tables: a supplier has a stable `id`, an offer is one flat row keyed by (supplier, part), and
the multi-tier map is a list of (supplier, sub-supplier) links.

- `Supplier`: one site of one company (a second site is a second supplier id), its tier (1
  ships to the contract manufacturer, 2 to a tier 1, 3 to a tier 2), qualification state with
  its audits and certifications, risk scores and its own sub-suppliers.
- `Offer`: a part × supplier quote: price breaks, weekly capacity, lead time, MOQ, domestic
  content, the finished units the supplier holds for the program (vendor-managed inventory or
  safety stock: what it can still ship while it makes nothing), an optional long-term contract
  and contingency clauses.
- `SupplierPool`: both lists, cross-checked by `pool_problems` (offers name known suppliers,
  sub-suppliers exist, no cycles, tiers consistent).

Qualification moves candidate → audited → qualified → preferred; any state → suspended;
suspended → audited (a re-audit). `Supplier.transition` is the only way forward in code.
Money is USD, time weeks, capacity units per week.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rackforge.errors import InputError
from rackforge.roadmap import ID_PATTERN, Record, reject_duplicates

__all__ = [
    "AUDIT_RESULTS",
    "CRITICAL_SOURCEABLE",
    "DOMESTIC_COUNTRY",
    "QUALIFICATION_STATES",
    "RISK_SCALE",
    "SOURCEABLE",
    "TRANSITIONS",
    "Audit",
    "AuditResult",
    "Contingency",
    "Contract",
    "Offer",
    "PoolProblem",
    "PriceBreak",
    "QualificationError",
    "QualificationState",
    "RiskAttributes",
    "Site",
    "Supplier",
    "SupplierPool",
    "can_transition",
    "eligible_offers",
    "eligible_suppliers",
    "is_eligible",
    "is_part_number",
    "part_key",
    "pool_problems",
    "unit_price",
]

QualificationState = Literal["candidate", "audited", "qualified", "preferred", "suspended"]
QUALIFICATION_STATES: tuple[QualificationState, ...] = (
    "candidate",
    "audited",
    "qualified",
    "preferred",
    "suspended",
)
TRANSITIONS: dict[QualificationState, frozenset[QualificationState]] = {
    "candidate": frozenset({"audited", "suspended"}),
    "audited": frozenset({"qualified", "suspended"}),
    "qualified": frozenset({"preferred", "suspended"}),
    "preferred": frozenset({"suspended"}),
    "suspended": frozenset({"audited"}),  # back only through a new audit
}
# Any supplier not suspended may be sourced from; a critical part (single source, long lead)
# only from one whose qualification is complete.
SOURCEABLE: frozenset[QualificationState] = frozenset(
    {"candidate", "audited", "qualified", "preferred"}
)
CRITICAL_SOURCEABLE: frozenset[QualificationState] = frozenset({"qualified", "preferred"})

AuditResult = Literal["passed", "conditional", "failed"]
AUDIT_RESULTS: tuple[AuditResult, ...] = ("passed", "conditional", "failed")

# Risk scores are ordinal 1-5, the axis of the common 5 x 5 likelihood-impact matrix, because
# planners assign them from reviews (financial statements, a country's situation) rather than
# measure them; the words below anchor each step so two planners score alike.
RISK_SCALE: dict[int, str] = {
    1: "very low",
    2: "low",
    3: "moderate",
    4: "high",
    5: "very high",
}

DOMESTIC_COUNTRY = "US"
# USPS codes of the states, DC and the territories: a US site's region must be one.
# (a string split: 56 codes, one quoted item a line, would bury the module)
_US_REGION_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI"
)
US_REGIONS = frozenset(_US_REGION_CODES.split())


_ITEM_NAMES = {
    "certifications": "certification",
    "sub_suppliers": "sub-supplier",
    "commodities": "commodity",
}


class QualificationError(InputError):
    """A qualification change the state machine does not allow, or lacks the audit it needs."""


def part_key(part: str) -> str:
    """A part number or catalog name as compared: case-folded, whitespace collapsed."""
    return " ".join(part.split()).casefold()


class Site(Record):
    """Where a supplier makes the part: country, state or region, city."""

    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. US, TW")
    region: str = Field(min_length=1, description="state or province; a US state's USPS code")
    city: str = Field(min_length=1)

    @field_validator("region")
    @classmethod
    def _us_state_code(cls, region: str, info: ValidationInfo) -> str:
        if info.data.get("country") == DOMESTIC_COUNTRY and region not in US_REGIONS:
            raise ValueError(f"'{region}' is not a US state's two-letter USPS code (e.g. TX)")
        return region

    @property
    def domestic(self) -> bool:
        """True for a site in the United States."""
        return self.country == DOMESTIC_COUNTRY

    @property
    def label(self) -> str:
        return f"{self.city}, {self.region}, {self.country}"

    @property
    def region_code(self) -> str:
        """The region shocks and share caps are keyed by: US-TX for a US state (ISO 3166-2),
        the country (TW, MX) elsewhere, as `SupplyNode.region` writes them."""
        return f"{self.country}-{self.region}" if self.domestic else self.country


class Audit(Record):
    """One audit of a supplier's site: when, by whom, and what it found."""

    date: dt.date
    auditor: str = Field(min_length=1, description="the audit firm or the team")
    result: AuditResult


class RiskAttributes(Record):
    """Financial and geopolitical risk of a supplier's site, each 1 (very low) to 5 (very high).

    financial: 1 strong balance sheet, 2 stable, 3 thin margins or one dominant customer,
    4 losses or covenant pressure, 5 distressed (going-concern doubt, restructuring).
    geopolitical: 1 a domestic site, 2 a close ally or USMCA partner with little exposure,
    3 an ally with some exposure (export controls, regional tension), 4 high exposure (a
    flashpoint region, likely export restrictions), 5 severe (sanctions, conflict).
    """

    financial: int = Field(ge=1, le=5, description="1 very low .. 5 very high")
    geopolitical: int = Field(ge=1, le=5, description="1 very low .. 5 very high")


class Supplier(Record):
    """One site of one company in the pool, its place in the tiers and how far it is trusted."""

    id: str = Field(pattern=ID_PATTERN, description="stable key, e.g. balcones-boards")
    name: str = Field(min_length=1)
    site: Site
    tier: int = Field(ge=1, le=3, description="1 ships to the manufacturer, 2 to a tier 1, ...")
    # audits before qualification: the state is checked against them (field order matters)
    audits: tuple[Audit, ...] = Field(default=(), description="oldest first")
    qualification: QualificationState = Field(default="candidate", validate_default=True)
    qualification_since: dt.date | None = Field(default=None, description="day the state began")
    certifications: tuple[str, ...] = Field(
        default=(), description="free text: ISO 9001, AS9100, IATF 16949, ISO 14001, ITAR, ..."
    )
    risk: RiskAttributes
    sub_suppliers: tuple[str, ...] = Field(default=(), description="ids of its own suppliers")
    commodities: tuple[str, ...] = Field(default=(), description="what it makes, free text")
    ttr_weeks: NonNegativeFloat | None = Field(
        default=None, description="time to recover from a disruption, as the supplier states it"
    )
    fictional: bool = False
    notes: str = ""

    @field_validator("audits")
    @classmethod
    def _audits_in_date_order(cls, audits: tuple[Audit, ...]) -> tuple[Audit, ...]:
        for before, after in itertools.pairwise(audits):
            if after.date < before.date:
                raise ValueError(f"audits out of date order: {after.date} after {before.date}")
        return audits

    @field_validator("certifications", "sub_suppliers", "commodities")
    @classmethod
    def _no_repeats(cls, items: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        reject_duplicates(list(items), what=_ITEM_NAMES.get(str(info.field_name), "entry"))
        return items

    @field_validator("qualification")
    @classmethod
    def _state_matches_audits(
        cls, state: QualificationState, info: ValidationInfo
    ) -> QualificationState:
        audits = info.data.get("audits")
        problem = _state_problem(state, audits) if isinstance(audits, tuple) else None
        if problem:
            raise ValueError(problem)
        return state

    @field_validator("sub_suppliers")
    @classmethod
    def _not_its_own(cls, subs: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if info.data.get("id") in subs:
            raise ValueError(f"supplier '{info.data['id']}' lists itself as a sub-supplier")
        return subs

    @property
    def last_audit(self) -> Audit | None:
        return self.audits[-1] if self.audits else None

    def transition(
        self, to: QualificationState, on: dt.date, *, audit: Audit | None = None
    ) -> Supplier:
        """This supplier moved to `to` on `on` (with `audit`, which → audited requires).

        Raises QualificationError when TRANSITIONS has no such move, or when the move lacks
        its evidence: → audited needs a new audit dated on or before `on` and not before the
        last one; → qualified needs the last audit passed or conditional.
        """
        where = f"supplier {self.id}"
        if not can_transition(self.qualification, to):
            allowed = ", ".join(sorted(TRANSITIONS[self.qualification])) or "none"
            raise QualificationError(
                f"cannot move from {self.qualification} to {to}",
                where=where,
                fix=f"from {self.qualification} the next state is one of: {allowed}",
            )
        audits = self.audits
        if audit is not None:
            if audit.date > on or (audits and audit.date < audits[-1].date):
                raise QualificationError(
                    f"audit dated {audit.date} is after the change ({on}) or before the last audit",
                    where=where,
                    fix="date the audit on or before the change, after the previous audit",
                )
            audits = (*audits, audit)
        elif to == "audited":
            raise QualificationError(
                f"moving to audited needs the audit ({self.qualification} → audited)",
                where=where,
                fix="pass audit=Audit(date=..., auditor=..., result=...)",
            )
        problem = _state_problem(to, audits)
        if problem:
            raise QualificationError(problem, where=where, fix="audit the site again first")
        data = self.model_dump()
        data.update(qualification=to, qualification_since=on, audits=audits)
        return Supplier.model_validate(data)


def can_transition(current: QualificationState, to: QualificationState) -> bool:
    """True when the state machine allows `current` → `to`."""
    return to in TRANSITIONS[current]


def _state_problem(state: QualificationState, audits: Sequence[Audit]) -> str | None:
    if state == "candidate" and audits:
        return "a candidate has no audits yet; a supplier with an audit is at least audited"
    if state in {"audited", "qualified", "preferred"} and not audits:
        return f"qualification {state} needs at least one audit"
    if state in {"qualified", "preferred"} and audits[-1].result == "failed":
        return f"qualification {state} but the last audit ({audits[-1].date}) failed"
    return None


class PriceBreak(Record):
    """From `min_quantity` units on, each unit costs `unit_price_usd`."""

    min_quantity: PositiveInt
    unit_price_usd: PositiveFloat


class Contract(Record):
    """A long-term agreement behind an offer: volume committed over a term."""

    committed_units: PositiveInt = Field(description="units committed over the whole term")
    take_or_pay: bool = Field(default=False, description="the buyer pays for units not taken")
    term_start: dt.date
    term_end: dt.date

    @field_validator("term_end")
    @classmethod
    def _term_is_ordered(cls, term_end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("term_start")
        if isinstance(start, dt.date) and term_end <= start:
            raise ValueError(f"term_end must be after term_start ({start})")
        return term_end

    @property
    def term_weeks(self) -> float:
        return (self.term_end - self.term_start).days / 7.0

    @property
    def committed_units_per_week(self) -> float:
        return self.committed_units / self.term_weeks


class Contingency(Record):
    """What the supplier promises when things go wrong."""

    surge_pct: PositiveFloat | None = Field(default=None, description="+% over weekly capacity")
    surge_within_weeks: PositiveFloat | None = Field(
        default=None, validate_default=True, description="weeks to reach the surge"
    )
    force_majeure_exclusions: tuple[str, ...] = Field(
        default=(), description="events the contract does not excuse as force majeure"
    )
    backup_site: Site | None = Field(default=None, description="where it moves production")

    @field_validator("surge_within_weeks")
    @classmethod
    def _surge_has_both_parts(cls, within: float | None, info: ValidationInfo) -> float | None:
        if (info.data.get("surge_pct") is None) != (within is None):
            raise ValueError("surge_pct and surge_within_weeks go together: give both or neither")
        return within


class Offer(Record):
    """A supplier's quote for one part: prices, capacity, timing and terms."""

    supplier: str = Field(pattern=ID_PATTERN, description="supplier id")
    part: str = Field(min_length=1, description="BOM part number (RF-...) or catalog part name")
    part_name: str = Field(default="", description="the part's description, for readers")
    moq: PositiveInt = Field(default=1, description="minimum order quantity, units")
    capacity_per_week: PositiveFloat = Field(description="units the supplier can ship per week")
    lead_time_weeks: NonNegativeFloat = Field(description="order to delivery, weeks")
    domestic_content: float = Field(
        default=0.0, ge=0.0, le=1.0, description="US share of the cost of its components, 0-1"
    )
    inventory_units: NonNegativeInt = Field(
        default=0,
        description="finished units of the part on hand for the program (vendor-managed "
        "inventory, safety stock); shipped while the supplier cannot make more",
    )
    price_breaks: tuple[PriceBreak, ...] = Field(min_length=1)
    contract: Contract | None = None
    contingency: Contingency = Field(default_factory=Contingency)
    notes: str = ""

    @field_validator("price_breaks")
    @classmethod
    def _breaks_ascend(
        cls, breaks: tuple[PriceBreak, ...], info: ValidationInfo
    ) -> tuple[PriceBreak, ...]:
        for before, after in itertools.pairwise(breaks):
            if after.min_quantity <= before.min_quantity:
                raise ValueError(
                    f"price break quantities must strictly ascend: {after.min_quantity} after "
                    f"{before.min_quantity}"
                )
            if after.unit_price_usd > before.unit_price_usd:
                raise ValueError(
                    f"unit price rises from {before.unit_price_usd:g} to "
                    f"{after.unit_price_usd:g} at {after.min_quantity} units; a larger order "
                    "must not cost more per unit"
                )
        moq = info.data.get("moq")
        if isinstance(moq, int) and breaks and breaks[0].min_quantity > moq:
            raise ValueError(
                f"the first price break starts at {breaks[0].min_quantity} units, above the "
                f"MOQ ({moq}): orders of {moq}..{breaks[0].min_quantity - 1} have no price"
            )
        return breaks

    @field_validator("contract")
    @classmethod
    def _commitment_fits_capacity(
        cls, contract: Contract | None, info: ValidationInfo
    ) -> Contract | None:
        capacity = info.data.get("capacity_per_week")
        if contract is None or not isinstance(capacity, float | int):
            return contract
        if contract.committed_units_per_week > capacity * (1 + 1e-9):
            raise ValueError(
                f"committed {contract.committed_units} units over {contract.term_weeks:.1f} "
                f"weeks ({contract.committed_units_per_week:.1f}/week) exceeds the capacity "
                f"of {capacity:g}/week"
            )
        return contract

    def unit_price(self, quantity: int) -> float:
        """The unit price at `quantity` units (see `unit_price`)."""
        return unit_price(self, quantity)

    @property
    def surge_capacity_per_week(self) -> float:
        """Weekly capacity with the contingency surge applied (the capacity when none)."""
        surge = self.contingency.surge_pct or 0.0
        return self.capacity_per_week * (1.0 + surge / 100.0)


def unit_price(offer: Offer, quantity: int) -> float:
    """USD per unit for an order of `quantity`: the last break at or below it.

    Raises ValueError below the MOQ (no price is quoted there). Non-increasing in quantity,
    since the breaks' prices never rise.
    """
    if quantity < offer.moq:
        raise ValueError(f"{quantity} units is below the MOQ of {offer.moq}")
    price = offer.price_breaks[0].unit_price_usd
    for price_break in offer.price_breaks:
        if price_break.min_quantity > quantity:
            break
        price = price_break.unit_price_usd
    return price


@dataclass(frozen=True, slots=True)
class PoolProblem:
    """A check across records: which list, which entry (0-based), which field, what and fix.

    `refers_to` is the id a broken reference names (for a reader that already reported that
    id's own row as bad and need not repeat it).
    """

    record: Literal["supplier", "offer"]
    index: int
    field: str
    message: str
    fix: str
    refers_to: str | None = None


def pool_problems(suppliers: Sequence[Supplier], offers: Sequence[Offer]) -> list[PoolProblem]:
    """Every cross-record problem of a pool, in list order (empty when it is consistent)."""
    problems: list[PoolProblem] = []
    by_id: dict[str, Supplier] = {}
    for index, supplier in enumerate(suppliers):
        if supplier.id in by_id:
            problems.append(
                PoolProblem(
                    "supplier",
                    index,
                    "id",
                    f"supplier id '{supplier.id}' appears twice",
                    "give each site its own id (e.g. add the city: acme-austin)",
                )
            )
        else:
            by_id[supplier.id] = supplier
    problems += _link_problems(suppliers, by_id)
    problems += _cycle_problems(suppliers, by_id)
    problems += _tier_problems(suppliers, by_id)
    seen: dict[tuple[str, str], int] = {}
    for index, offer in enumerate(offers):
        if offer.supplier not in by_id:
            problems.append(
                PoolProblem(
                    "offer",
                    index,
                    "supplier",
                    f"supplier '{offer.supplier}' is not in the pool",
                    _unknown_id_fix(offer.supplier, by_id),
                    refers_to=offer.supplier,
                )
            )
        key = (offer.supplier, part_key(offer.part))
        if key in seen:
            problems.append(
                PoolProblem(
                    "offer",
                    index,
                    "part",
                    f"a second offer from '{offer.supplier}' for part '{offer.part}' (the "
                    f"first is offer {seen[key] + 1})",
                    "merge the two into one offer (add price breaks to the first)",
                )
            )
        seen.setdefault(key, index)
    return problems


def _unknown_id_fix(name: str, by_id: dict[str, Supplier]) -> str:
    close = difflib.get_close_matches(name, list(by_id), n=3)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return f"add a supplier with id '{name}', or correct the id{hint}"


def _link_problems(
    suppliers: Sequence[Supplier], by_id: dict[str, Supplier]
) -> Iterable[PoolProblem]:
    for index, supplier in enumerate(suppliers):
        for sub in supplier.sub_suppliers:
            if sub not in by_id:
                yield PoolProblem(
                    "supplier",
                    index,
                    "sub_suppliers",
                    f"sub-supplier '{sub}' is not in the pool",
                    _unknown_id_fix(sub, by_id),
                    refers_to=sub,
                )


def _cycle_problems(
    suppliers: Sequence[Supplier], by_id: dict[str, Supplier]
) -> Iterable[PoolProblem]:
    """One problem per cycle of the sub-supplier map, at the link that closes it."""
    index_of = {s.id: i for i, s in reversed(list(enumerate(suppliers)))}
    state: dict[str, Literal["open", "done"]] = {}
    path: list[str] = []

    def visit(node: str) -> Iterable[PoolProblem]:
        state[node] = "open"
        path.append(node)
        for sub in by_id[node].sub_suppliers:
            if sub not in by_id:
                continue
            if state.get(sub) == "open":
                cycle = [*path[path.index(sub) :], sub]
                yield PoolProblem(
                    "supplier",
                    index_of[node],
                    "sub_suppliers",
                    f"the sub-supplier map has a cycle: {' → '.join(cycle)}",
                    f"remove '{sub}' from the sub-suppliers of '{node}' (a supplier cannot "
                    "supply, through others, the supplier it buys from)",
                )
            elif sub not in state:
                yield from visit(sub)
        path.pop()
        state[node] = "done"

    for supplier in suppliers:
        if supplier.id not in state and by_id.get(supplier.id) is supplier:
            yield from visit(supplier.id)


def _tier_problems(
    suppliers: Sequence[Supplier], by_id: dict[str, Supplier]
) -> Iterable[PoolProblem]:
    """A tier is the supplier's distance from the manufacturer, so links bound it."""
    parents: dict[str, list[Supplier]] = {}
    for supplier in by_id.values():
        for sub in supplier.sub_suppliers:
            parents.setdefault(sub, []).append(supplier)
    for index, supplier in enumerate(suppliers):
        if by_id.get(supplier.id) is not supplier:
            continue
        for sub in supplier.sub_suppliers:
            child = by_id.get(sub)
            if child is not None and child.tier > supplier.tier + 1:
                yield PoolProblem(
                    "supplier",
                    index,
                    "sub_suppliers",
                    f"tier-{supplier.tier} '{supplier.id}' lists tier-{child.tier} '{sub}'; "
                    f"its direct sub-suppliers are at most tier {supplier.tier + 1}",
                    f"set '{sub}' to tier {supplier.tier + 1}, or list it under a tier-"
                    f"{child.tier - 1} supplier",
                )
        if supplier.tier > 1 and not any(
            p.tier == supplier.tier - 1 for p in parents.get(supplier.id, [])
        ):
            yield PoolProblem(
                "supplier",
                index,
                "tier",
                f"tier-{supplier.tier} '{supplier.id}' is a sub-supplier of no tier-"
                f"{supplier.tier - 1} supplier",
                f"add '{supplier.id}' to a tier-{supplier.tier - 1} supplier's sub_suppliers, or "
                "correct its tier",
            )


class SupplierPool(Record):
    """The suppliers and their offers, consistent with each other (`pool_problems`)."""

    suppliers: tuple[Supplier, ...] = ()
    offers: tuple[Offer, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> SupplierPool:
        problems = pool_problems(self.suppliers, self.offers)
        if problems:
            raise ValueError(
                "; ".join(f"{p.record}s[{p.index}].{p.field}: {p.message}" for p in problems)
            )
        return self

    def supplier(self, supplier_id: str) -> Supplier | None:
        return next((s for s in self.suppliers if s.id == supplier_id), None)

    def offers_for(self, part: str, name: str | None = None) -> tuple[Offer, ...]:
        """Offers for a part, matched by part number or (when given) its catalog name."""
        keys = {part_key(part)} | ({part_key(name)} if name else set())
        return tuple(o for o in self.offers if part_key(o.part) in keys)

    def links(self) -> tuple[tuple[str, str], ...]:
        """The multi-tier map as (supplier id, sub-supplier id) pairs, in pool order."""
        return tuple((s.id, sub) for s in self.suppliers for sub in s.sub_suppliers)

    def upstream(self, supplier_id: str) -> tuple[str, ...]:
        """Every supplier below `supplier_id` in the map (sub-suppliers, theirs, ...)."""
        found: list[str] = []
        frontier = [supplier_id]
        while frontier:
            current = self.supplier(frontier.pop(0))
            for sub in current.sub_suppliers if current else ():
                if sub not in found:
                    found.append(sub)
                    frontier.append(sub)
        return tuple(found)


def is_eligible(supplier: Supplier, *, critical: bool) -> bool:
    """May this supplier be sourced from? Not suspended; qualified or preferred if critical."""
    return supplier.qualification in (CRITICAL_SOURCEABLE if critical else SOURCEABLE)


def eligible_offers(
    pool: SupplierPool, part: str, *, critical: bool, name: str | None = None
) -> tuple[Offer, ...]:
    """The part's offers from suppliers `is_eligible` for it, in pool order."""
    return tuple(
        o
        for o in pool.offers_for(part, name)
        if (s := pool.supplier(o.supplier)) is not None and is_eligible(s, critical=critical)
    )


def eligible_suppliers(
    pool: SupplierPool, part: str | None = None, *, critical: bool, name: str | None = None
) -> tuple[Supplier, ...]:
    """Suppliers eligible for sourcing: all of the pool's, or those offering `part`."""
    if part is None:
        return tuple(s for s in pool.suppliers if is_eligible(s, critical=critical))
    ids = {o.supplier for o in eligible_offers(pool, part, critical=critical, name=name)}
    return tuple(s for s in pool.suppliers if s.id in ids)


_PART_NUMBER = re.compile(r"^RF-[A-Z]+-[0-9A-F]{8}$")


def is_part_number(part: str) -> bool:
    """True for a BOM part number (`RF-<CODE>-<HASH>`), false for a catalog name."""
    return _PART_NUMBER.match(part.strip()) is not None
