"""The supplier pool's files: CSV and XLSX read back as written, every bad row reported at once
(file, row, column, value, problem, fix), and the program directory's pool services."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from rackforge.errors import InputError
from rackforge.formats.pool_files import (
    OFFER_COLUMNS,
    SUPPLIER_COLUMNS,
    BadRowsError,
    RowError,
    parse_pool_csv,
    pool_to_csv,
    read_pool_csv,
)
from rackforge.formats.pool_xlsx import (
    OFFERS_SHEET,
    SUPPLIERS_SHEET,
    parse_pool_xlsx,
    pool_to_xlsx,
)
from rackforge.services.rack import bom_targets
from rackforge.services.supply_pool import (
    export_pool,
    load_pool,
    offer_coverage,
    read_pool,
    risk_weight,
    sourcing_offers,
)
from rackforge.supply.pool import Offer, SupplierPool

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "frontier-2027"

SUPPLIER_HEADER = (
    "id,name,country,region,city,tier,qualification,audits,financial_risk,geopolitical_risk,"
    "sub_suppliers,fictional"
)
SUPPLIERS = "\n".join(
    [
        "# a comment line above the header",
        SUPPLIER_HEADER,
        "acme,Acme (fictional),US,TX,Austin,1,qualified,2025-03-01|QA|passed,2,1,fab,yes",
        "fab,Board Fab (fictional),MX,Jalisco,Guadalajara,2,candidate,,2,2,,yes",
        "",
    ]
)
OFFER_HEADER = (
    "supplier,part,price_breaks,capacity_per_week,lead_time_weeks,moq,contract_committed_units,"
    "contract_start,contract_end,surge_pct,surge_within_weeks,force_majeure_exclusions,"
    "backup_country,backup_region,backup_city,notes"
)
OFFERS = "\n".join(
    [
        OFFER_HEADER,
        "acme,RF-PCB-A87ED21E,1:100; 10:90,50,10,1,500,2026-01-01,2026-12-31,25,6,"
        'strikes; floods,US,TX,San Antonio,"quoted 2026-01, prices ""firm"""',
        "fab,bare board,100:12.5,1000,4,100,,,,,,,,,,",
        "",
    ]
)


@pytest.fixture(scope="module")
def example() -> SupplierPool:
    pool = load_pool(EXAMPLE)
    assert pool is not None
    return pool


def with_inventory(offers: str, cells: list[str]) -> str:
    """`offers` with an inventory_units column added last, one cell per data row."""
    header, *rows = [line for line in offers.splitlines() if line]
    lines = [f"{header},inventory_units"]
    lines += [f"{row},{cell}" for row, cell in zip(rows, cells, strict=True)]
    return "\n".join(lines) + "\n"


def rows_of(err: pytest.ExceptionInfo[BadRowsError]) -> list[tuple[str, int | None, str | None]]:
    return [(e.file, e.row, e.column) for e in err.value.rows]


# --------------------------------------------------------------------------- reading


def test_two_csv_files_read_into_nested_records() -> None:
    pool = parse_pool_csv(SUPPLIERS, OFFERS)
    acme = pool.supplier("acme")
    assert acme is not None
    assert (acme.site.city, acme.tier, acme.sub_suppliers, acme.fictional) == (
        "Austin",
        1,
        ("fab",),
        True,
    )
    assert acme.audits[0].date == dt.date(2025, 3, 1)
    quote, board = pool.offers
    assert [(b.min_quantity, b.unit_price_usd) for b in quote.price_breaks] == [(1, 100), (10, 90)]
    assert quote.contract is not None and quote.contract.committed_units == 500
    assert quote.contingency.force_majeure_exclusions == ("strikes", "floods")
    assert quote.contingency.backup_site is not None
    assert quote.contingency.backup_site.city == "San Antonio"
    assert quote.notes == 'quoted 2026-01, prices "firm"'
    assert board.contract is None and board.contingency.backup_site is None


def test_offers_without_an_inventory_column_hold_no_stock() -> None:
    assert "inventory_units" not in OFFER_HEADER
    assert [o.inventory_units for o in parse_pool_csv(SUPPLIERS, OFFERS).offers] == [0, 0]


def test_an_inventory_cell_is_read_and_an_empty_one_is_no_stock() -> None:
    offers = with_inventory(OFFERS, ["640", ""])
    assert [o.inventory_units for o in parse_pool_csv(SUPPLIERS, offers).offers] == [640, 0]


@pytest.mark.parametrize(
    ("cell", "words", "fix"),
    [
        ("-5", "greater than or equal to 0", "0 or more (leave the cell empty for none)"),
        ("2.5", "integer", "write a whole number"),
        ("many", "integer", "write a whole number"),
    ],
)
def test_bad_stock_names_the_file_row_column_and_fix(cell: str, words: str, fix: str) -> None:
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(SUPPLIERS, with_inventory(OFFERS, ["10", cell]))
    (error,) = err.value.rows
    assert (error.file, error.row, error.column, error.value) == (
        "offers.csv",
        3,
        "inventory_units",
        cell,
    )
    assert words in error.problem and fix in error.fix
    assert f"offers.csv:3 inventory_units='{cell}'" in err.value.one_line()


def test_every_bad_row_of_both_files_is_reported_at_once() -> None:
    suppliers = SUPPLIERS.replace("MX,Jalisco,Guadalajara,2", "MX,Jalisco,Guadalajara,7")
    suppliers += "bad id,X,US,Texas,Austin,1,candidate,,9,1,,yes\n"
    offers = OFFERS + "acme,RF-X,1:10; 5:20,abc,4,1,,,,,,,,,,\nghost,RF-Y,1:1,1,1,1,,,,,,,,,,\n"
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(suppliers, offers)
    assert rows_of(err) == [
        ("suppliers.csv", 4, "tier"),
        ("suppliers.csv", 5, "id"),
        ("suppliers.csv", 5, "region"),
        ("suppliers.csv", 5, "financial_risk"),
        ("offers.csv", 4, "price_breaks"),
        ("offers.csv", 4, "capacity_per_week"),
        ("offers.csv", 5, "supplier"),
    ]
    tier = err.value.rows[0]
    assert (tier.value, tier.fix) == ("7", "write a number <= 3")
    assert "less than or equal to 3" in tier.problem
    rises = err.value.rows[4]
    assert "unit price rises" in rises.problem and "never rise" in rises.fix
    ghost = err.value.rows[-1]
    assert ghost.value == "ghost" and "add a supplier with id 'ghost'" in ghost.fix
    assert isinstance(err.value, InputError)
    one_line = err.value.one_line()
    assert "\n" not in one_line and one_line.startswith("7 problems in the supplier pool")
    assert "suppliers.csv:4 tier='7'" in one_line


def test_a_reference_to_a_bad_row_is_not_reported_twice() -> None:
    suppliers = SUPPLIERS.replace("fab,Board Fab (fictional),MX,Jalisco", "fab,,MX,Jalisco")
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(suppliers, OFFERS)
    assert rows_of(err) == [("suppliers.csv", 4, "name")]
    assert err.value.rows[0].problem == "empty; a value is required"


@pytest.mark.parametrize(
    ("find", "replace", "column", "words"),
    [
        ("1:100; 10:90", "1-100", "price_breaks", "is not quantity:price"),
        ("1:100; 10:90", "1:100; 10:x", "price_breaks", "valid number"),
        ("2026-12-31", "2025-12-31", "contract_end", "after term_start"),
        (",500,", ",5000,", "contract_committed_units", "exceeds the capacity"),
        (",25,6,", ",25,,", "surge_within_weeks", "give both or neither"),
        (",US,TX,San", ",US,Texas,San", "backup_region", "USPS"),
    ],
)
def test_an_offer_cell_error_names_its_column(
    find: str, replace: str, column: str, words: str
) -> None:
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(SUPPLIERS, OFFERS.replace(find, replace, 1))
    (error,) = err.value.rows
    assert (error.file, error.row, error.column) == ("offers.csv", 2, column)
    assert words in error.problem and error.fix


def test_a_bad_audit_cell_and_a_state_without_audits_name_their_columns() -> None:
    suppliers = SUPPLIERS.replace("2025-03-01|QA|passed", "2025-03-01 QA passed")
    suppliers = suppliers.replace("Guadalajara,2,candidate", "Guadalajara,2,preferred")
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(suppliers, OFFERS)
    # acme's state is not checked against audits that could not be read
    assert rows_of(err) == [("suppliers.csv", 3, "audits"), ("suppliers.csv", 4, "qualification")]
    assert "date|auditor|result" in err.value.rows[0].fix
    assert "needs at least one audit" in err.value.rows[1].problem


def test_cross_record_problems_point_at_the_row_and_column() -> None:
    suppliers = SUPPLIERS.replace(",2,2,,yes", ",2,2,acme,yes")  # fab → acme → fab
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(suppliers, OFFERS + OFFERS.splitlines()[1] + "\n")
    # reported at the link that closes the cycle (fab lists acme)
    assert rows_of(err) == [("suppliers.csv", 4, "sub_suppliers"), ("offers.csv", 4, "part")]
    assert "cycle: acme → fab → acme" in err.value.rows[0].problem


def test_header_problems_are_reported_for_both_files() -> None:
    suppliers = SUPPLIERS.replace(",tier,", ",teir,")
    offers = OFFERS.replace("supplier,part,", "supplier,part,notes,", 1)
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(suppliers, offers)
    found = {(e.file, e.column): e for e in err.value.rows}
    assert "did you mean 'tier'?" in found[("suppliers.csv", "teir")].fix
    assert found[("suppliers.csv", "tier")].problem == "required column is missing"
    assert found[("suppliers.csv", "tier")].row == 2  # the header's line, after the comment
    assert found[("offers.csv", "notes")].problem == "column appears twice"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no header row"),
        ("# only a comment\n", "no header row"),
        ('id,name\n"acme,x\n', "malformed CSV"),
    ],
)
def test_an_empty_or_malformed_file_is_one_error(text: str, words: str) -> None:
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(text)
    assert words in err.value.rows[0].problem


def test_a_row_longer_than_the_header_is_refused() -> None:
    with pytest.raises(BadRowsError) as err:
        parse_pool_csv(SUPPLIERS + "x,X,US,TX,Austin,1,,,1,1,,yes,surplus\n")
    (error,) = err.value.rows
    assert (error.row, error.column, error.value) == (5, None, "surplus")


def test_errors_as_records_and_located_in_a_folder() -> None:
    error = RowError("offers.csv", 3, "moq", "0", "too small", "write a number > 0")
    located = BadRowsError([error]).located("programs/p")
    assert located.rows[0].file == "programs/p/offers.csv"
    assert located.records() == [
        {
            "file": "programs/p/offers.csv",
            "row": 3,
            "column": "moq",
            "value": "0",
            "problem": "too small",
            "fix": "write a number > 0",
        }
    ]


# --------------------------------------------------------------------------- writing


def test_csv_written_and_read_again_is_the_same_text() -> None:
    suppliers, offers = pool_to_csv(parse_pool_csv(SUPPLIERS, OFFERS))
    assert suppliers.splitlines()[0] == ",".join(c.name for c in SUPPLIER_COLUMNS)
    assert offers.splitlines()[0] == ",".join(c.name for c in OFFER_COLUMNS)
    assert "1:100; 10:90" in offers and "2025-03-01|QA|passed" in suppliers
    again = pool_to_csv(parse_pool_csv(suppliers, offers))
    assert again == (suppliers, offers)


def test_comments_go_on_top_and_are_skipped_when_read() -> None:
    pool = parse_pool_csv(SUPPLIERS, OFFERS)
    suppliers, offers = pool_to_csv(pool, supplier_comments=["FICTIONAL", ""])
    assert suppliers.startswith("# FICTIONAL\n#\nid,")
    assert parse_pool_csv(suppliers, offers) == pool


def test_the_workbook_holds_both_sheets_typed_and_reads_back_equal() -> None:
    pool = parse_pool_csv(SUPPLIERS, OFFERS)
    data = pool_to_xlsx(pool)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [SUPPLIERS_SHEET, OFFERS_SHEET]
    offers = workbook[OFFERS_SHEET]
    header = [cell.value for cell in offers[1]]
    row = dict(zip(header, [cell.value for cell in offers[2]], strict=True))
    assert row["capacity_per_week"] == 50 and row["price_breaks"] == "1:100; 10:90"
    assert row["contract_start"] == dt.datetime(2026, 1, 1)
    suppliers = workbook[SUPPLIERS_SHEET]
    assert suppliers.freeze_panes == "A2"
    assert parse_pool_xlsx(data) == pool


def test_a_workbook_reports_bad_rows_by_sheet_and_row() -> None:
    workbook = load_workbook(io.BytesIO(pool_to_xlsx(parse_pool_csv(SUPPLIERS, OFFERS))))
    workbook[OFFERS_SHEET]["E3"] = -5  # capacity_per_week of the second offer
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(BadRowsError) as err:
        parse_pool_xlsx(buffer.getvalue(), "pool.xlsx")
    assert rows_of(err) == [("pool.xlsx[Offers]", 3, "capacity_per_week")]
    assert err.value.rows[0].value == "-5"


def test_a_workbook_holds_stock_as_numbers_and_an_old_one_without_the_column_reads_none() -> None:
    pool = parse_pool_csv(SUPPLIERS, with_inventory(OFFERS, ["640", ""]))
    workbook = load_workbook(io.BytesIO(pool_to_xlsx(pool)))
    offers = workbook[OFFERS_SHEET]
    header = [cell.value for cell in offers[1]]
    column = header.index("inventory_units") + 1
    assert [offers.cell(row, column).value for row in (2, 3)] == [640, 0]
    offers.cell(3, column).value = -1
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(BadRowsError) as err:
        parse_pool_xlsx(buffer.getvalue(), "pool.xlsx")
    assert rows_of(err) == [("pool.xlsx[Offers]", 3, "inventory_units")]
    offers.delete_cols(column)  # a workbook written before the column existed
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [o.inventory_units for o in parse_pool_xlsx(buffer.getvalue()).offers] == [0, 0]


def test_a_workbook_without_its_sheets_or_not_a_workbook_is_refused() -> None:
    workbook = Workbook()
    workbook.active.title = "suppliers"  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(BadRowsError) as err:
        parse_pool_xlsx(buffer.getvalue(), "pool.xlsx")
    problems = {e.problem: e.fix for e in err.value.rows}
    assert "rename sheet 'suppliers' to 'Suppliers'" in problems["no sheet named 'Suppliers'"]
    assert "no sheet named 'Offers'" in problems
    with pytest.raises(InputError, match="not an XLSX workbook"):
        parse_pool_xlsx(b"id,name\n", "pool.xlsx")


# XLSX stores numbers with 15-16 significant digits: prices to the cent, shares to 1e-4.
MONEY = st.floats(0.01, 1e7).map(lambda x: round(x, 2))
TEXT = st.text(
    st.characters(codec="utf-8", exclude_characters=";|\r", exclude_categories=("Cs", "Cc")),
    max_size=20,
).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(
    notes=TEXT,
    breaks=st.lists(
        st.tuples(st.integers(1, 10**6), MONEY),
        min_size=1,
        max_size=5,
        unique_by=lambda pair: pair[0],
    ),
    capacity=st.floats(0.001, 1e9).map(lambda x: round(x, 3)).filter(bool),
    share=st.floats(0, 1).map(lambda x: round(x, 4)),
    exclusions=st.lists(TEXT.filter(bool), max_size=3, unique=True),
    stock=st.integers(0, 10**9),
)
def test_any_offer_survives_a_round_trip_through_both_formats(
    notes: str,
    breaks: list[tuple[int, float]],
    capacity: float,
    share: float,
    exclusions: list[str],
    stock: int,
) -> None:
    quantities = sorted(q for q, _ in breaks)
    prices = sorted((p for _, p in breaks), reverse=True)
    pool = parse_pool_csv(SUPPLIERS)
    offer = Offer.model_validate(
        {
            "supplier": "acme",
            "part": "RF-PCB-A87ED21E",
            "moq": quantities[0],
            "capacity_per_week": capacity,
            "lead_time_weeks": 3.5,
            "domestic_content": share,
            "inventory_units": stock,
            "price_breaks": [
                {"min_quantity": q, "unit_price_usd": p}
                for q, p in zip(quantities, prices, strict=True)
            ],
            "contingency": {"force_majeure_exclusions": exclusions},
            "notes": notes,
        }
    )
    pool = pool.model_copy(update={"offers": (offer,)})
    suppliers, offers = pool_to_csv(pool)
    assert parse_pool_csv(suppliers, offers) == pool
    assert parse_pool_xlsx(pool_to_xlsx(pool)) == pool


# --------------------------------------------------------------------------- the example


def test_the_example_pool_is_fictional_and_spans_countries_and_tiers(
    example: SupplierPool,
) -> None:
    assert 12 <= len(example.suppliers) <= 20
    assert all(s.fictional and "(fictional)" in s.name for s in example.suppliers)
    assert {s.site.country for s in example.suppliers} >= {"US", "TW", "KR", "MX"}
    assert {s.tier for s in example.suppliers} == {1, 2, 3}
    assert {s.qualification for s in example.suppliers} == {
        "candidate",
        "audited",
        "qualified",
        "preferred",
        "suspended",
    }
    assert any(o.contract is not None and o.contract.take_or_pay for o in example.offers)
    assert any(o.contingency.backup_site is not None for o in example.offers)


def test_the_example_holds_stock_of_a_few_long_lead_parts_only(example: SupplierPool) -> None:
    stocked = {o.part_name: o.inventory_units for o in example.offers if o.inventory_units}
    assert 3 <= len(stocked) < len(example.offers) // 2
    assert {"HBM stack for B200", "NVSwitch chip"} <= set(stocked)
    assert all(o.inventory_units == 0 for o in example.offers if o.part.startswith("RF-ACCEL-"))


def test_the_example_offers_cover_every_part_of_the_example_racks(example: SupplierPool) -> None:
    boms = bom_targets(EXAMPLE, [], all_generations=True)
    coverage = offer_coverage(example, boms)
    assert [line.description for line in coverage.uncovered] == []
    assert coverage.unmatched == ()


def test_the_example_files_are_what_the_writer_writes(example: SupplierPool) -> None:
    for name, text in zip(("suppliers.csv", "offers.csv"), pool_to_csv(example), strict=True):
        written = (EXAMPLE / name).read_text(encoding="utf-8")
        body = "".join(line for line in written.splitlines(True) if not line.startswith("#"))
        assert body == text


# --------------------------------------------------------------------------- services


def test_a_program_without_pool_files_has_no_pool(tmp_path: Path) -> None:
    assert load_pool(tmp_path) is None
    (tmp_path / "offers.csv").write_text(OFFERS, encoding="utf-8")
    with pytest.raises(InputError, match=r"offers\.csv is here but suppliers\.csv is not"):
        load_pool(tmp_path)


def test_suppliers_alone_are_a_pool_without_offers(tmp_path: Path) -> None:
    (tmp_path / "suppliers.csv").write_text(SUPPLIERS, encoding="utf-8")
    pool = load_pool(tmp_path)
    assert pool is not None and len(pool.suppliers) == 2 and pool.offers == ()


def test_bad_rows_in_a_program_name_the_files_path(tmp_path: Path) -> None:
    (tmp_path / "suppliers.csv").write_text(SUPPLIERS.replace(",2,1,fab", ",2,1,fob"), "utf-8")
    with pytest.raises(BadRowsError) as err:
        read_pool_csv(tmp_path / "suppliers.csv")
    assert err.value.rows[0].file == str(tmp_path / "suppliers.csv")
    assert "did you mean 'fab'?" in err.value.rows[0].fix


def test_a_pool_exports_and_imports_in_both_formats(tmp_path: Path, example: SupplierPool) -> None:
    written = export_pool(example, tmp_path / "csv", "csv", comments=["FICTIONAL"])
    assert [p.name for p in written] == ["suppliers.csv", "offers.csv"]
    assert written[0].read_text(encoding="utf-8").startswith("# FICTIONAL\n")
    assert read_pool(tmp_path / "csv") == example
    (book,) = export_pool(example, tmp_path / "out" / "pool.xlsx", "xlsx")
    assert read_pool(book) == example
    with pytest.raises(InputError, match=r"no suppliers\.csv"):
        read_pool(tmp_path)
    with pytest.raises(InputError, match="not a pool"):
        read_pool(tmp_path / "csv" / "offers.csv")


def test_the_pool_maps_onto_the_sourcing_offers(example: SupplierPool) -> None:
    offers = {(o.part, o.supplier): o for o in sourcing_offers(example, period_weeks=2)}
    assert len(offers) == len(example.offers)
    gb200 = offers[("RF-ACCEL-938BFDC3", "tallgrass-dist")]
    assert (gb200.region, gb200.capacity_per_period, gb200.lead_time_periods) == ("US-CA", 2304, 26)
    assert (gb200.committed_units, gb200.take_or_pay, gb200.qualified) == (4608, True, True)
    assert [(b.min_units, b.unit_price_usd) for b in gb200.price_breaks] == [
        (72, 36000),
        (1152, 35000),
    ]
    assert offers[("RF-COLDPL-422B34C1", "merrimack-thermal")].suspended
    spine = offers[("RF-CABLE-1907C366", "genesee-interconnect")]
    assert not spine.qualified and not spine.suspended
    assert offers[("RF-PSU-8FE125DA", "otay-power")].region == "MX"


def test_the_risk_weight_is_the_worse_score_on_a_zero_to_one_scale(
    example: SupplierPool,
) -> None:
    weights = {s.id: risk_weight(s) for s in example.suppliers}
    assert weights["lehigh-enclosures"] == 0.0  # 1 and 1
    assert weights["jade-harbor"] == 0.75  # financial 2, geopolitical 4
    assert all(0 <= w <= 1 for w in weights.values())
