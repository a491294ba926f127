"""The diff behind the history, on plain values (no database)."""

from __future__ import annotations

from rackforge.store.history import Edit, diff


def test_equal_records_give_no_edit() -> None:
    values = {"a": {"id": "a", "tier": 1}}
    assert diff("supplier", values, dict(values), supplier_field="id") == []


def test_each_changed_field_is_one_edit_with_old_and_new() -> None:
    edits = diff(
        "supplier",
        {"a": {"id": "a", "tier": 1, "notes": ""}},
        {"a": {"id": "a", "tier": 2, "notes": "moved"}},
        supplier_field="id",
    )
    assert edits == [
        Edit("supplier", "a", "a", "changed", "tier", 1, 2),
        Edit("supplier", "a", "a", "changed", "notes", "", "moved"),
    ]


def test_new_records_come_first_in_order_and_removals_last() -> None:
    edits = diff(
        "offer",
        {"x:p": {"supplier": "x", "part": "p"}},
        {"y:q": {"supplier": "y", "part": "q"}},
        supplier_field="supplier",
    )
    assert [(e.action, e.key, e.supplier) for e in edits] == [
        ("added", "y:q", "y"),
        ("removed", "x:p", "x"),
    ]
    assert edits[0].new == {"supplier": "y", "part": "q"} and edits[1].old is not None
