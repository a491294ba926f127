"""The supplier pool: records that refuse inconsistent data, the qualification state machine,
price breaks, cross-record checks and who may be sourced from."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rackforge.errors import InputError
from rackforge.supply.pool import (
    QUALIFICATION_STATES,
    TRANSITIONS,
    Audit,
    Offer,
    PoolProblem,
    QualificationError,
    QualificationState,
    Supplier,
    SupplierPool,
    can_transition,
    eligible_offers,
    eligible_suppliers,
    is_eligible,
    is_part_number,
    part_key,
    pool_problems,
    unit_price,
)

DAY = dt.date(2026, 1, 5)


def supplier_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "acme",
        "name": "Acme Boards (fictional)",
        "site": {"country": "US", "region": "TX", "city": "Austin"},
        "tier": 1,
        "risk": {"financial": 2, "geopolitical": 1},
    }
    data.update(changes)
    return data


def supplier(**changes: Any) -> Supplier:
    return Supplier.model_validate(supplier_data(**changes))


def audit(result: str = "passed", on: dt.date = DAY) -> dict[str, Any]:
    return {"date": on, "auditor": "QA team", "result": result}


def offer_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "supplier": "acme",
        "part": "RF-PCB-A87ED21E",
        "capacity_per_week": 50,
        "lead_time_weeks": 10,
        "price_breaks": [
            {"min_quantity": 1, "unit_price_usd": 100},
            {"min_quantity": 10, "unit_price_usd": 90},
            {"min_quantity": 100, "unit_price_usd": 80},
        ],
    }
    data.update(changes)
    return data


def offer(**changes: Any) -> Offer:
    return Offer.model_validate(offer_data(**changes))


# --------------------------------------------------------------------------- suppliers


def test_a_us_site_needs_a_state_code_but_a_foreign_one_names_its_own_region() -> None:
    assert supplier().site.domestic
    with pytest.raises(ValidationError, match="USPS"):
        supplier(site={"country": "US", "region": "Texas", "city": "Austin"})
    abroad = supplier(site={"country": "TW", "region": "Hsinchu", "city": "Hsinchu"})
    assert not abroad.site.domestic
    assert abroad.site.label == "Hsinchu, Hsinchu, TW"
    assert (supplier().site.region_code, abroad.site.region_code) == ("US-TX", "TW")
    with pytest.raises(ValidationError, match="country"):
        supplier(site={"country": "usa", "region": "TX", "city": "Austin"})


@pytest.mark.parametrize(
    ("state", "audits", "words"),
    [
        ("candidate", [audit()], "a candidate has no audits"),
        ("audited", [], "needs at least one audit"),
        ("qualified", [], "needs at least one audit"),
        ("preferred", [audit("passed", DAY), audit("failed", DAY)], "last audit"),
    ],
)
def test_a_qualification_state_must_match_the_audits(
    state: str, audits: list[dict[str, Any]], words: str
) -> None:
    with pytest.raises(ValidationError, match=words) as err:
        supplier(qualification=state, audits=audits)
    assert err.value.errors()[0]["loc"] == ("qualification",)


def test_a_suspended_supplier_may_have_failed_its_last_audit() -> None:
    suspended = supplier(qualification="suspended", audits=[audit("failed")])
    assert suspended.last_audit is not None and suspended.last_audit.result == "failed"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"audits": [audit(on=DAY), audit(on=DAY - dt.timedelta(days=1))]}, "date order"),
        ({"sub_suppliers": ["acme"]}, "itself"),
        ({"certifications": ["ISO 9001", "ISO 9001"]}, "certification 'ISO 9001'"),
        ({"tier": 4}, "less than or equal to 3"),
        ({"risk": {"financial": 0, "geopolitical": 1}}, "greater than or equal to 1"),
        ({"risk": {"financial": 3, "geopolitical": 6}}, "less than or equal to 5"),
        ({"id": "Acme Inc"}, "pattern"),
    ],
)
def test_a_malformed_supplier_is_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        supplier(**changes)


# --------------------------------------------------------------------------- state machine


def test_a_candidate_becomes_audited_only_with_an_audit() -> None:
    candidate = supplier()
    with pytest.raises(QualificationError, match="needs the audit"):
        candidate.transition("audited", DAY)
    audited = candidate.transition("audited", DAY, audit=Audit.model_validate(audit()))
    assert (audited.qualification, audited.qualification_since) == ("audited", DAY)
    assert len(audited.audits) == 1
    assert candidate.qualification == "candidate"  # records are immutable


def test_qualification_climbs_one_step_at_a_time() -> None:
    candidate = supplier()
    with pytest.raises(QualificationError, match="cannot move from candidate to qualified") as e:
        candidate.transition("qualified", DAY)
    assert isinstance(e.value, InputError)
    assert e.value.fix is not None and "audited, suspended" in e.value.fix
    audited = candidate.transition("audited", DAY, audit=Audit.model_validate(audit()))
    preferred = audited.transition("qualified", DAY).transition("preferred", DAY)
    assert preferred.qualification == "preferred"
    with pytest.raises(QualificationError):
        preferred.transition("qualified", DAY)


def test_a_failed_audit_blocks_qualification() -> None:
    audited = supplier().transition("audited", DAY, audit=Audit.model_validate(audit("failed")))
    with pytest.raises(QualificationError, match="failed"):
        audited.transition("qualified", DAY)


def test_a_suspended_supplier_returns_only_through_a_new_audit() -> None:
    qualified = supplier(qualification="qualified", audits=[audit()])
    suspended = qualified.transition("suspended", DAY + dt.timedelta(days=3))
    with pytest.raises(QualificationError):
        suspended.transition("qualified", DAY + dt.timedelta(days=9))
    with pytest.raises(QualificationError, match="needs the audit"):
        suspended.transition("audited", DAY + dt.timedelta(days=9))
    later = DAY + dt.timedelta(days=30)
    back = suspended.transition("audited", later, audit=Audit.model_validate(audit(on=later)))
    assert back.qualification == "audited" and len(back.audits) == 2


def test_an_audit_dated_after_the_change_or_before_the_last_is_refused() -> None:
    audited = supplier(qualification="audited", audits=[audit(on=DAY)])
    early = Audit.model_validate(audit(on=DAY - dt.timedelta(days=1)))
    with pytest.raises(QualificationError, match="before the last"):
        audited.transition("suspended", DAY, audit=early)
    late = Audit.model_validate(audit(on=DAY + dt.timedelta(days=1)))
    with pytest.raises(QualificationError):
        audited.transition("suspended", DAY, audit=late)


STEPS = st.lists(
    st.tuples(st.sampled_from(QUALIFICATION_STATES), st.sampled_from([None, "passed", "failed"])),
    max_size=12,
)


@given(STEPS)
def test_every_accepted_change_is_an_edge_of_the_state_machine(
    steps: list[tuple[QualificationState, str | None]],
) -> None:
    current = supplier()
    for day, (to, result) in enumerate(steps, start=1):
        on = DAY + dt.timedelta(days=day)
        new_audit = None if result is None else Audit.model_validate(audit(result, on))
        audits = (*current.audits, new_audit) if new_audit else current.audits
        expected = (
            can_transition(current.qualification, to)
            and (to != "audited" or new_audit is not None)
            and (to not in {"qualified", "preferred"} or audits[-1].result != "failed")
        )
        try:
            moved = current.transition(to, on, audit=new_audit)
        except QualificationError:
            assert not expected
            continue
        assert expected
        assert to in TRANSITIONS[current.qualification]
        assert Supplier.model_validate(moved.model_dump()) == moved  # still consistent
        current = moved


def test_suspension_is_reachable_from_every_state_but_itself() -> None:
    for state in QUALIFICATION_STATES:
        assert can_transition(state, "suspended") == (state != "suspended")
    assert TRANSITIONS["suspended"] == frozenset({"audited"})


# --------------------------------------------------------------------------- offers


def test_the_unit_price_is_the_last_break_at_or_below_the_quantity() -> None:
    quote = offer()
    assert [quote.unit_price(q) for q in (1, 9, 10, 99, 100, 10_000)] == [
        100,
        100,
        90,
        90,
        80,
        80,
    ]
    with pytest.raises(ValueError, match="below the MOQ"):
        offer(moq=5).unit_price(4)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"price_breaks": [{"min_quantity": 10, "unit_price_usd": 9}] * 2},
            "strictly ascend",
        ),
        (
            {
                "price_breaks": [
                    {"min_quantity": 1, "unit_price_usd": 9},
                    {"min_quantity": 10, "unit_price_usd": 10},
                ]
            },
            "unit price rises",
        ),
        ({"price_breaks": [{"min_quantity": 50, "unit_price_usd": 9}]}, "above the MOQ"),
        ({"price_breaks": []}, "at least 1"),
        ({"domestic_content": 1.2}, "less than or equal to 1"),
        ({"capacity_per_week": 0}, "greater than 0"),
        ({"inventory_units": -1}, "greater than or equal to 0"),
        ({"inventory_units": 2.5}, "integer"),
    ],
)
def test_a_malformed_offer_is_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words) as err:
        offer(**changes)
    assert err.value.errors()[0]["loc"][0] in changes


def test_an_offer_holds_no_stock_unless_it_says_so() -> None:
    assert offer().inventory_units == 0
    assert offer(inventory_units=640).inventory_units == 640


BREAKS = st.lists(
    st.tuples(st.integers(1, 10_000), st.floats(0.01, 1e6, allow_nan=False)),
    min_size=1,
    max_size=8,
    unique_by=lambda pair: pair[0],
)


@given(BREAKS, st.lists(st.integers(1, 20_000), min_size=2, max_size=10))
def test_the_unit_price_never_rises_with_the_quantity(
    pairs: list[tuple[int, float]], quantities: list[int]
) -> None:
    quantities_sorted = sorted(q for q, _ in pairs)
    prices_falling = sorted((p for _, p in pairs), reverse=True)
    quote = offer(
        moq=quantities_sorted[0],
        price_breaks=[
            {"min_quantity": q, "unit_price_usd": p}
            for q, p in zip(quantities_sorted, prices_falling, strict=True)
        ],
    )
    orderable = sorted(q for q in quantities if q >= quote.moq)
    prices = [unit_price(quote, q) for q in orderable]
    assert all(a >= b for a, b in itertools.pairwise(prices))
    assert set(prices) <= set(prices_falling)


def test_a_contract_term_must_be_ordered_and_within_capacity() -> None:
    term = {"committed_units": 520, "term_start": "2026-01-01", "term_end": "2026-12-31"}
    signed = offer(contract=term)
    assert signed.contract is not None
    assert signed.contract.committed_units_per_week == pytest.approx(520 / (364 / 7))
    with pytest.raises(ValidationError, match="after term_start") as err:
        offer(contract={**term, "term_end": "2025-12-01"})
    assert err.value.errors()[0]["loc"] == ("contract", "term_end")
    with pytest.raises(ValidationError, match="exceeds the capacity") as err:
        offer(contract={**term, "committed_units": 52 * 60})
    assert err.value.errors()[0]["loc"] == ("contract",)


def test_a_surge_clause_needs_both_its_size_and_its_time() -> None:
    surge = offer(contingency={"surge_pct": 25, "surge_within_weeks": 6})
    assert surge.surge_capacity_per_week == pytest.approx(62.5)
    assert offer().surge_capacity_per_week == 50
    with pytest.raises(ValidationError, match="give both or neither"):
        offer(contingency={"surge_pct": 25})
    with pytest.raises(ValidationError, match="give both or neither"):
        offer(contingency={"surge_within_weeks": 6})


def test_part_numbers_are_told_apart_from_catalog_names() -> None:
    assert is_part_number("RF-PCB-A87ED21E")
    assert not is_part_number("GB200 compute tray")
    assert part_key("  GB200   Compute tray ") == part_key("gb200 compute tray")


# --------------------------------------------------------------------------- the pool


def tiers() -> list[dict[str, Any]]:
    """A three-tier chain (acme → board-fab → laminate) and a second tier 1."""
    return [
        supplier_data(sub_suppliers=["board-fab"], qualification="qualified", audits=[audit()]),
        supplier_data(
            id="board-fab",
            tier=2,
            site={"country": "MX", "region": "Jalisco", "city": "Guadalajara"},
            sub_suppliers=["laminate"],
        ),
        supplier_data(
            id="laminate",
            tier=3,
            site={"country": "TW", "region": "Kaohsiung", "city": "Kaohsiung"},
        ),
        supplier_data(id="second", qualification="suspended"),
    ]


def pool(
    suppliers: list[dict[str, Any]] | None = None, offers: list[dict[str, Any]] | None = None
) -> SupplierPool:
    return SupplierPool.model_validate(
        {"suppliers": tiers() if suppliers is None else suppliers, "offers": offers or []}
    )


def test_a_consistent_pool_maps_its_tiers() -> None:
    chain = pool(offers=[offer_data(), offer_data(supplier="second")])
    assert chain.links() == (("acme", "board-fab"), ("board-fab", "laminate"))
    assert chain.upstream("acme") == ("board-fab", "laminate")
    assert chain.upstream("laminate") == ()
    assert [o.supplier for o in chain.offers_for("rf-pcb-a87ed21e")] == ["acme", "second"]


def problems_of(
    suppliers: list[dict[str, Any]], offers: list[dict[str, Any]] | None = None
) -> list[PoolProblem]:
    return pool_problems(
        [Supplier.model_validate(s) for s in suppliers],
        [Offer.model_validate(o) for o in offers or []],
    )


def test_an_offer_from_an_unknown_supplier_names_close_ids() -> None:
    (problem,) = problems_of(tiers(), [offer_data(supplier="acmee")])
    assert (problem.record, problem.index, problem.field) == ("offer", 0, "supplier")
    assert problem.refers_to == "acmee"
    assert "'acme'" in problem.fix


def test_a_second_offer_for_the_same_part_from_one_supplier_is_refused() -> None:
    (problem,) = problems_of(tiers(), [offer_data(), offer_data(part="rf-pcb-a87ed21e")])
    assert (problem.index, problem.field) == (1, "part")


def test_unknown_and_cyclic_sub_suppliers_are_found() -> None:
    suppliers = tiers()
    suppliers[0]["sub_suppliers"] = ["board-fab", "nobody"]
    suppliers[3]["sub_suppliers"] = ["acme"]
    suppliers[0]["sub_suppliers"].append("second")
    found = problems_of(suppliers)
    messages = [p.message for p in found]
    assert any("'nobody' is not in the pool" in m for m in messages)
    assert any("cycle: acme → second → acme" in m for m in messages)


def test_tiers_follow_the_sub_supplier_links() -> None:
    suppliers = tiers()
    suppliers[0]["sub_suppliers"] = ["board-fab", "laminate"]  # tier 1 lists a tier 3
    suppliers[1]["sub_suppliers"] = []  # so laminate has no tier-2 customer
    found = {(p.index, p.field): p.message for p in problems_of(suppliers)}
    assert "at most tier 2" in found[(0, "sub_suppliers")]
    assert "sub-supplier of no tier-2" in found[(2, "tier")]


def test_a_duplicate_supplier_id_is_refused_by_the_pool() -> None:
    with pytest.raises(ValidationError, match="appears twice"):
        pool([*tiers(), supplier_data()])


def test_only_suppliers_in_good_standing_may_be_sourced() -> None:
    suppliers = [
        *tiers(),
        supplier_data(id="fresh"),
        supplier_data(id="vetted", qualification="preferred", audits=[audit()]),
    ]
    offers = [offer_data(supplier=s) for s in ("acme", "second", "fresh", "vetted")]
    chain = pool(suppliers, offers)
    second = chain.supplier("second")
    assert second is not None and not is_eligible(second, critical=False)
    part = "RF-PCB-A87ED21E"
    assert [o.supplier for o in eligible_offers(chain, part, critical=False)] == [
        "acme",
        "fresh",
        "vetted",
    ]
    assert [s.id for s in eligible_suppliers(chain, part, critical=True)] == ["acme", "vetted"]
    assert [s.id for s in eligible_suppliers(chain, critical=True)] == ["acme", "vetted"]
    by_name = eligible_offers(chain, "RF-XYZ", critical=True, name="rf-pcb-a87ed21e")
    assert len(by_name) == 2
