"""Report tables built from records keep each cell under its own header."""

import pytest

from rackforge.report.model import Table


def test_records_give_the_columns_in_order_and_one_row_each() -> None:
    table = Table.from_records(
        [{"family": "dense-70b", "days": 38.5}, {"family": "moe-1t", "days": None}],
        caption="Days",
    )
    assert table == Table(
        columns=["family", "days"], rows=[["dense-70b", 38.5], ["moe-1t", None]], caption="Days"
    )


def test_records_with_different_columns_are_refused_naming_the_record() -> None:
    with pytest.raises(ValueError, match="record 1 has columns"):
        Table.from_records([{"family": "a", "days": 1.0}, {"days": 2.0, "family": "b"}])


def test_no_records_is_refused_for_want_of_columns() -> None:
    with pytest.raises(ValueError, match="no records"):
        Table.from_records([], caption="Empty")
