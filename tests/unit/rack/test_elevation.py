"""Rack elevations drawn as SVG: one rectangle per placed item, units numbered from the bottom."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Literal

import pytest

from rackforge.catalog import accelerators, rack_components, reference_system
from rackforge.rack import (
    DesignAssumptions,
    PartLine,
    RackDesign,
    Supply,
    compose,
    design_reference_system,
    draw_elevation,
    draw_front_and_rear,
)

SVG = "{http://www.w3.org/2000/svg}"


def design(name: str) -> RackDesign:
    return design_reference_system(reference_system(name), rack_components(), accelerators())


def odd_names(part: str = 'tray <A&B> "x"') -> RackDesign:
    """Two 2-unit trays named with XML metacharacters, composed like any design."""
    tray = PartLine(role="compute tray", part=part, quantity=2, power_w=1000.0, units=2)
    return compose(
        name="odd",
        title="rack <1> & co",
        kind="server",
        frame="frame <&>",
        frame_units=6,
        lines=[tray],
        supply=Supply(psu="psu", psu_kw=3.0, efficiency=0.95, efficiency_source="test"),
        assumptions=DesignAssumptions(),
    )


def rects(svg: str, css: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if css in r.get("class", "").split()]


def item_y(svg: str, units: str) -> float:
    (rect,) = [r for r in rects(svg, "item") if r.get("data-units") == units]
    return float(rect.get("y", "nan"))


@pytest.mark.parametrize("face", ["front", "rear"])
def test_each_face_is_a_standalone_svg_of_fixed_width_and_height_proportional_to_the_frame(
    face: Literal["front", "rear"],
) -> None:
    small = ET.fromstring(draw_elevation(odd_names(), face))
    tall = ET.fromstring(draw_elevation(design("gb200-nvl72"), face))
    assert small.tag == tall.tag == f"{SVG}svg"
    assert small.get("width") == tall.get("width") == "360"
    assert int(tall.get("height", "0")) - int(small.get("height", "0")) >= (44 - 6) * 14
    assert not list(tall.iter(f"{SVG}script"))


def test_the_front_draws_the_frame_one_rect_per_placed_item_and_a_legend_of_kinds_present() -> None:
    gb200 = design("gb200-nvl72")
    svg = draw_elevation(gb200, "front")
    assert len(rects(svg, "frame")) == 1
    assert len(rects(svg, "item")) == len(gb200.elevation.placements) == 35
    assert len(rects(svg, "compute-tray")) == 18
    assert len(rects(svg, "switch-tray")) == 9
    assert len(rects(svg, "power-shelf")) == 8
    assert len(rects(svg, "legend")) == 4  # compute tray, switch tray, power shelf, empty
    assert len(rects(svg, "run")) == 0
    assert len(ET.fromstring(svg).findall(f"{SVG}rect")) == 0  # all inside the face group


def test_the_units_are_labelled_1_to_n_with_1_at_the_bottom() -> None:
    svg = ET.fromstring(draw_elevation(design("gb200-nvl72"), "front"))
    labels = {
        t.text: float(t.get("y", "nan")) for t in svg.iter(f"{SVG}text") if t.get("class") == "unit"
    }
    assert set(labels) == {str(u) for u in range(1, 45)}
    assert labels["1"] > labels["2"] > labels["44"]


def test_an_item_at_units_1_2_is_drawn_below_one_higher_up() -> None:
    svg = draw_elevation(odd_names(), "front")
    assert item_y(svg, "1-2") > item_y(svg, "3-4")
    gb200 = draw_elevation(design("gb200-nvl72"), "front")
    assert item_y(gb200, "1-1") > item_y(gb200, "22-22") > item_y(gb200, "35-35")


def test_the_title_names_the_design_frame_and_units_used() -> None:
    svg = ET.fromstring(draw_elevation(design("gb200-nvl72"), "front"))
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "NVIDIA GB200 NVL72 — front" in texts
    assert "ORv3 HPR · 35/44 U used" in texts
    assert "gb200-nvl72" in (svg.findtext(f"{SVG}title") or "")


def test_names_with_xml_metacharacters_are_escaped_and_the_svg_still_parses() -> None:
    for svg in (draw_elevation(odd_names(), "front"), draw_front_and_rear(odd_names())):
        assert "<A&B>" not in svg
        root = ET.fromstring(svg)
        names = {r.get("data-name") for r in rects(svg, "item")}
        assert names == {'tray <A&B> "x" #1', 'tray <A&B> "x" #2'}
        texts = [t.text or "" for t in root.iter(f"{SVG}text")]
        assert any(t.startswith("rack <1> & co") for t in texts)
        assert any(t.startswith("tray <A&B>") for t in texts)


def test_a_long_name_is_cut_to_fit_keeping_its_number() -> None:
    svg = ET.fromstring(draw_elevation(odd_names("a compute tray " * 10), "front"))
    labels = [t.text or "" for t in svg.iter(f"{SVG}text") if (t.text or "").endswith(" #2")]
    assert len(labels) == 1
    assert labels[0].startswith("a compute tray a compute")
    assert labels[0].endswith("… #2")
    assert len(labels[0]) < 60


def test_the_rear_adds_the_busbar_manifold_and_spine_the_design_carries() -> None:
    gb200 = design("gb200-nvl72")
    front, rear = draw_elevation(gb200, "front"), draw_elevation(gb200, "rear")
    assert front != rear
    assert len(rects(rear, "item")) == 35
    assert [r.get("class") for r in rects(rear, "run")] == [
        "run busbar",
        "run liquid-manifold",
        "run NVLink-spine",
    ]
    assert len(rects(rear, "legend")) == 7  # the front's four and busbar, manifold, spine
    texts = [t.text or "" for t in ET.fromstring(rear).iter(f"{SVG}text")]
    assert "spine + liquid QDs: GB200 compute tray #1" in texts
    title = ET.fromstring(rear).find(f"{SVG}g/{SVG}title")
    assert title is not None
    assert "rear face per part" in (title.text or "")


def test_a_server_has_no_rack_level_rear_parts_and_its_rear_says_so() -> None:
    dgx = design("dgx-h100")
    rear = ET.fromstring(draw_elevation(dgx, "rear"))
    assert len(rects(draw_elevation(dgx, "rear"), "run")) == 0
    title = rear.find(f"{SVG}g/{SVG}title")
    assert title is not None
    assert "no busbar, manifold or spine" in (title.text or "")
    texts = [t.text or "" for t in rear.iter(f"{SVG}text")]
    assert "4 PSUs: NVIDIA DGX H100 chassis #1" in texts


def test_parts_of_unpublished_height_are_named_as_not_drawn() -> None:
    svg = ET.fromstring(draw_elevation(design("gb200-nvl72"), "front"))
    notes = [t.text or "" for t in svg.iter(f"{SVG}text") if t.get("class") == "unplaced"]
    assert notes == ["not drawn, height unpublished: management switch (model not published)"]


def test_front_and_rear_sit_side_by_side_in_one_svg() -> None:
    gb200 = design("gb200-nvl72")
    svg = draw_front_and_rear(gb200)
    root = ET.fromstring(svg)
    assert root.get("width") == "720"
    faces = [g.get("class") for g in root.findall(f"{SVG}g")]
    assert faces == ["face-front", "face-rear"]
    assert len(rects(svg, "item")) == 70
    assert len(rects(svg, "frame")) == 2
    rear_h = int(ET.fromstring(draw_elevation(gb200, "rear")).get("height", "0"))
    assert int(root.get("height", "0")) == rear_h  # the taller face: its legend has more rows
