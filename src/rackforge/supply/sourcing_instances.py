"""Synthetic, realistic-looking sourcing instances with disruption scenarios, for benchmarks.

`generate_sourcing(n_parts, n_suppliers, n_periods, n_scenarios, seed=...)` returns a
`SourcingInstance`: a `SourcingProblem`, its `CapacityScenario`s and the offers' surge
clauses. A pure function of its arguments (NumPy's PCG64 seeded with `seed`). Every range is
synthetic, chosen to look like a rack maker's buy, not data; the reasoning is beside each.

- Suppliers: regions US-TX, US-CA, US-OH (domestic, ~half the suppliers: a program under
  FAR 25.101 buys at home), MX, TW, CN, MY, VN.
  Domestic content 85–100 % for US sites, 5–30 % for Mexico, 0–10 % elsewhere. Supplier
  size follows a Zipf-like weight 1 / r^0.8: a few large makers carry many parts.
- Parts: list price log-normal around 50 USD (a fastener to a cold plate, 0.5–5 000 USD);
  weekly demand log-uniform 5–400 units, ramping from 60 % to 100 % over the horizon (a
  program coming up to rate), ±10 % noise. 10 % of parts are critical (two qualified sources).
- Offers: 2 (45 %), 3 (35 %) or 4 (20 %) suppliers per part; in 80 % of parts with no domestic
  maker drawn, the first is swapped for a domestic one. The first maker has no lead time and
  makes 80–130 % of the part's rate (the incumbent); the others 50–130 %, with a lead time of
  0 weeks (60 %) or 1–3. Price = list × 0.85–1.30, domestic sites 15 % dearer. 60 % of offers
  have a volume break at 20–50 % of the part's horizon demand (4–10 % off), a third of those a
  second one (another 3–6 % off). 90 % of offers (all of a critical part's) from qualified
  suppliers. 40 % carry a surge clause: 20–100 % more capacity, reachable 1–4 weeks after a
  disruption.
- Scenarios (probabilities over the horizon; the rest is the undisrupted case):
  70 % a supplier outage (a fire, a failed audit): all capacity of one supplier, 2–6 weeks,
  p 0.2–1 %; 20 % a partial loss (a line down, a yield excursion): 30–70 % of one supplier's
  capacity for 4–10 weeks, p 0.5–2 %; 10 % a regional shock (TW or CN: a typhoon, an export
  control, a lockdown): 50–100 % of every site in the region for 4–12 weeks, p 0.1–0.5 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.supply.sourcing import (
    Offer,
    PriceBreak,
    SourcingProblem,
    SourcingRules,
)
from rackforge.supply.sourcing_risk import CapacityScenario, SurgeClause

_REGIONS = ("US-TX", "US-CA", "US-OH", "MX", "TW", "CN", "MY", "VN")
_REGION_WEIGHT = (0.22, 0.16, 0.10, 0.10, 0.16, 0.10, 0.08, 0.08)
_SHOCK_REGIONS = ("TW", "CN")


@dataclass(frozen=True, slots=True)
class SourcingInstance:
    problem: SourcingProblem
    scenarios: tuple[CapacityScenario, ...]
    surge: dict[str, SurgeClause]


def generate_sourcing(
    n_parts: int = 1_000,
    n_suppliers: int = 60,
    n_periods: int = 26,
    n_scenarios: int = 50,
    *,
    seed: int = 0,
    year: int = 2027,
) -> SourcingInstance:
    """A seeded instance (module docstring)."""
    rng = np.random.default_rng(seed)
    regions = [str(r) for r in rng.choice(_REGIONS, size=n_suppliers, p=_REGION_WEIGHT)]
    suppliers = [f"s{i:02d}" for i in range(n_suppliers)]
    domestic = []
    for region in regions:
        if region.startswith("US"):
            domestic.append(float(rng.uniform(0.85, 1.0)))
        elif region == "MX":
            domestic.append(float(rng.uniform(0.05, 0.30)))
        else:
            domestic.append(float(rng.uniform(0.0, 0.10)))
    risk = [float(rng.uniform(0.2, 0.9) if r in _SHOCK_REGIONS else rng.uniform(0.0, 0.5))
            for r in regions]  # fmt: skip
    size = 1.0 / np.arange(1, n_suppliers + 1) ** 0.8
    size = size[rng.permutation(n_suppliers)]
    size /= size.sum()

    demand: dict[tuple[str, int], float] = {}
    offers: list[Offer] = []
    surge: dict[str, SurgeClause] = {}
    critical = set()
    ramp = 0.6 + 0.4 * np.arange(n_periods) / max(1, n_periods - 1)
    for i in range(n_parts):
        part = f"p{i:04d}"
        price = float(np.clip(np.exp(rng.normal(np.log(50.0), 1.3)), 0.5, 5000.0))
        rate = float(np.exp(rng.uniform(np.log(5.0), np.log(400.0))))
        weekly = np.round(rate * ramp * rng.uniform(0.9, 1.1, size=n_periods))
        for t, units in enumerate(weekly):
            if units > 0:
                demand[(part, t)] = float(units)
        total = float(weekly.sum())
        if rng.random() < 0.10:
            critical.add(part)
        n = int(rng.choice((2, 3, 4), p=(0.45, 0.35, 0.20)))
        makers = [int(m) for m in rng.choice(n_suppliers, size=n, replace=False, p=size)]
        if not any(domestic[j] > 0.8 for j in makers) and rng.random() < 0.8:
            local = [j for j in range(n_suppliers) if domestic[j] > 0.8 and j not in makers]
            if local:
                makers[0] = int(rng.choice(local))
        for rank, j in enumerate(makers):
            list_price = price * rng.uniform(0.85, 1.30) * (1.15 if domestic[j] > 0.8 else 1.0)
            breaks = [PriceBreak(0.0, round(list_price, 2))]
            if rng.random() < 0.6:
                at = round(total * rng.uniform(0.2, 0.5))
                breaks.append(PriceBreak(at, round(list_price * (1 - rng.uniform(0.04, 0.10)), 2)))
                if rng.random() < 1 / 3:
                    deeper = breaks[-1].unit_price_usd * (1 - rng.uniform(0.03, 0.06))
                    breaks.append(PriceBreak(round(at * 1.8), round(deeper, 2)))
            lead = 0 if rank == 0 or rng.random() < 0.6 else int(rng.integers(1, 4))
            cover = rng.uniform(0.8, 1.3) if rank == 0 else rng.uniform(0.5, 1.3)
            offer = Offer(
                part=part,
                supplier=suppliers[j],
                region=regions[j],
                price_breaks=tuple(breaks),
                capacity_per_period=round(rate * cover, 1),
                lead_time_periods=lead,
                domestic_share=round(domestic[j], 3),
                risk=round(risk[j], 3),
                qualified=part in critical or bool(rng.random() < 0.9),
            )
            offers.append(offer)
            if rng.random() < 0.4:
                surge[offer.key] = SurgeClause(
                    round(float(rng.uniform(0.2, 1.0)), 2), int(rng.integers(1, 5))
                )

    by_supplier: dict[str, list[str]] = {}
    by_region: dict[str, list[str]] = {}
    for o in offers:
        by_supplier.setdefault(o.supplier, []).append(o.key)
        by_region.setdefault(o.region, []).append(o.key)
    scenarios = []
    for k in range(n_scenarios):
        draw = rng.random()
        if draw < 0.7:
            who = suppliers[int(rng.choice(n_suppliers, p=size))]
            keys, share, weeks = by_supplier.get(who, []), 1.0, int(rng.integers(2, 7))
            p, name = rng.uniform(0.002, 0.01), f"{who} outage"
        elif draw < 0.9:
            who = suppliers[int(rng.choice(n_suppliers, p=size))]
            keys, share = by_supplier.get(who, []), float(rng.uniform(0.3, 0.7))
            weeks, p, name = int(rng.integers(4, 11)), rng.uniform(0.005, 0.02), f"{who} partial"
        else:
            where = str(rng.choice(_SHOCK_REGIONS))
            keys, share = by_region.get(where, []), float(rng.uniform(0.5, 1.0))
            weeks, p, name = int(rng.integers(4, 13)), rng.uniform(0.001, 0.005), f"{where} shock"
        start = int(rng.integers(0, max(1, n_periods - 2)))
        periods = range(start, min(n_periods, start + weeks))
        lost = {(key, t): round(share, 3) for key in keys for t in periods}
        scenarios.append(CapacityScenario(round(float(p), 5), lost, f"{k:02d} {name}"))

    problem = SourcingProblem(
        demand=demand,
        offers=tuple(offers),
        period_years=(year,) * n_periods,
        critical_parts=frozenset(critical),
        rules=SourcingRules(max_supplier_share=0.8),
    )
    return SourcingInstance(problem, tuple(scenarios), surge)
