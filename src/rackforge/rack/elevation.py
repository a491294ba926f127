"""A rack design's elevation drawn as a standalone SVG, front or rear, in the manner of NetBox's.

Units are numbered from 1 at the bottom, as in `rackforge.rack.layout`; each placed item is one
rectangle spanning its units, coloured by its kind (the role of its line in `RackDesign.parts`),
labelled with its name (cut to fit) and unit range. The catalog records no rear face per part,
so the rear face draws the same placements labelled by the side they turn to the rear (from
their role), plus the rack-level parts the design carries that run up the rear: the DC busbar,
the liquid manifold and the NVLink copper spine. Text is escaped; the SVG uses the generic
`sans-serif` family and no scripts, so it renders the same from a report or a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from rackforge.rack.figures import RackDesign
from rackforge.rack.layout import Placement

Face = Literal["front", "rear"]

WIDTH_PX = 360
UNIT_PX = 14
_HEADER_PX = 44
_LEFT_PX = 30  # unit numbers
_RAIL_PX = 6
_RUN_PX = 18  # one rear column (busbar, manifold, spine)
_LEGEND_ROW_PX = 14
_FONT_PX = 9
_CHAR_EM = 0.6  # average glyph width of sans-serif, in font sizes

# Fill and text colour of each kind, and its legend label.
_KINDS: dict[str, tuple[str, str]] = {
    "compute tray": ("#4e79a7", "#ffffff"),
    "switch tray": ("#59a14f", "#ffffff"),
    "power shelf": ("#e15759", "#ffffff"),
    "management switch": ("#b07aa1", "#ffffff"),
    "CDU": ("#76b7b2", "#000000"),
    "server": ("#f28e2b", "#000000"),
    "other": ("#bab0ac", "#000000"),
    "busbar": ("#edc948", "#000000"),
    "liquid manifold": ("#17becf", "#000000"),
    "NVLink spine": ("#c98b4f", "#000000"),
}
_EMPTY = "#f4f4f4"
_REAR_NOTE = (
    "rear: the catalog records no rear face per part, so the front placements are labelled by "
    "the side their role turns to the rear"
)


@dataclass(frozen=True, slots=True)
class _Run:
    """A rack-level part running up the rear over units `low` … `high`."""

    kind: str
    low: int
    high: int


def draw_elevation(design: RackDesign, face: Face) -> str:
    """The `face` of `design`'s frame as a standalone SVG document."""
    body, height, title = _face(design, face)
    return _document(WIDTH_PX, height, title, body)


def draw_front_and_rear(design: RackDesign) -> str:
    """Front and rear of `design` side by side in one SVG document."""
    front, front_h, title = _face(design, "front")
    rear, rear_h, rear_title = _face(design, "rear")
    body = [
        f'<g class="face-front">{"".join(front)}</g>',
        f'<g class="face-rear" transform="translate({WIDTH_PX},0)">{"".join(rear)}</g>',
    ]
    return _document(2 * WIDTH_PX, max(front_h, rear_h), f"{title}; {rear_title}", body)


def _document(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>\n"
    )


def _face(design: RackDesign, face: Face) -> tuple[list[str], int, str]:
    """The face's elements, the height they need and the face's title."""
    units = design.frame_units
    roles = {line.part: line.role for line in design.parts}  # `compose` names "{part} #{n}"
    placed = [
        (p, _kind(roles.get(p.name.rsplit(" #", 1)[0], ""))) for p in design.elevation.placements
    ]
    runs = _runs(design, placed) if face == "rear" else []
    frame_x, frame_w = _LEFT_PX, WIDTH_PX - _LEFT_PX - 8
    item_x = frame_x + _RAIL_PX
    item_w = frame_w - 2 * _RAIL_PX - _RUN_PX * len(runs)
    rack_h = units * UNIT_PX
    title = f"{design.title} ({design.name}) {face}"
    if face == "rear":
        drawn = ", ".join(r.kind for r in runs) or "no busbar, manifold or spine"
        title += f"; {_REAR_NOTE}; rack-level parts from the design: {drawn}"
    out = [f'<g class="face"><title>{escape(title)}</title>']
    out += _header(design, face, frame_w + _LEFT_PX)
    out.append(_rect("frame", frame_x, _HEADER_PX, frame_w, rack_h, _EMPTY, stroke="#333333"))
    for unit in range(1, units + 1):
        y = _y(unit, units)
        out.append(
            _text(frame_x - 4, y + UNIT_PX - 4, str(unit), 8, "#555555", anchor="end", css="unit")
        )
        out.append(
            f'<line x1="{frame_x}" y1="{y}" x2="{frame_x + frame_w}" y2="{y}" '
            'stroke="#dddddd" stroke-width="0.5"/>'
        )
    for placement, kind in placed:
        label = placement.name if face == "front" else _rear_label(design, placement.name, kind)
        out += _item(placement, kind, label, item_x, item_w, units)
    for i, run in enumerate(runs):
        out += _run(run, item_x + item_w + i * _RUN_PX, units)
    kinds = [k for k in _KINDS if k in {kind for _, kind in placed} | {r.kind for r in runs}]
    legend_y = _HEADER_PX + rack_h + 10
    out += _legend(kinds, design.elevation.units_free > 0, legend_y)
    rows = (len(kinds) + 2) // 2
    footer_y = legend_y + rows * _LEGEND_ROW_PX + 4
    for why, names in (
        ("height unpublished", design.missing.get("ru", ())),
        ("no room", tuple(s.name for s in design.elevation.overflow)),
    ):
        if names:
            note = _fit(f"not drawn, {why}: {', '.join(names)}", WIDTH_PX - 8, 8)
            out.append(_text(4, footer_y + 8, note, 8, "#a00000", css="unplaced"))
            footer_y += 12
    out.append("</g>")
    return out, footer_y + 4, title


def _header(design: RackDesign, face: Face, width: int) -> list[str]:
    first = _fit(f"{design.title} — {face}", width - 8, 12)
    second = _fit(
        f"{design.frame} · {design.elevation.units_used}/{design.frame_units} U used",
        width - 8,
        10,
    )
    return [
        _text(4, 16, first, 12, "#000000", weight="bold", css="heading"),
        _text(4, 32, second, 10, "#333333", css="subheading"),
    ]


def _item(placement: Placement, kind: str, label: str, x: int, w: int, units: int) -> list[str]:
    fill, ink = _KINDS[kind]
    top = _y(placement.top_unit, units)
    h = placement.units * UNIT_PX
    span = (
        f"U{placement.position}"
        if placement.units == 1
        else f"U{placement.position}–{placement.top_unit}"
    )
    name_w = w - 8 - len(span) * _FONT_PX * _CHAR_EM - 6
    baseline = top + h / 2 + _FONT_PX / 2 - 1
    units_attr = f"{placement.position}-{placement.top_unit}"
    attrs = f' data-name={quoteattr(placement.name)} data-units="{units_attr}"'
    return [
        _rect(f"item {kind.replace(' ', '-')}", x, top + 1, w, h - 2, fill, extra=attrs),
        _text(x + 4, baseline, _fit(label, name_w, _FONT_PX), _FONT_PX, ink),
        _text(x + w - 4, baseline, span, _FONT_PX, ink, anchor="end"),
    ]


def _run(run: _Run, x: int, units: int) -> list[str]:
    fill, ink = _KINDS[run.kind]
    top, h = _y(run.high, units), (run.high - run.low + 1) * UNIT_PX
    cx, cy = x + _RUN_PX / 2, top + h / 2
    label = _fit(run.kind, h - 4, 8)
    return [
        _rect(f"run {run.kind.replace(' ', '-')}", x + 2, top + 1, _RUN_PX - 4, h - 2, fill),
        f'<text x="{cx}" y="{cy}" font-size="8" fill="{ink}" text-anchor="middle" '
        f'dominant-baseline="central" transform="rotate(-90 {cx} {cy})">{escape(label)}</text>',
    ]


def _legend(kinds: list[str], empty: bool, y: int) -> list[str]:
    entries = [(k, _KINDS[k][0]) for k in kinds] + ([("empty", _EMPTY)] if empty else [])
    out: list[str] = []
    for i, (label, fill) in enumerate(entries):
        x, row_y = 4 + (i % 2) * (WIDTH_PX // 2), y + (i // 2) * _LEGEND_ROW_PX
        out.append(_rect("legend", x, row_y, 10, 10, fill, stroke="#333333"))
        out.append(_text(x + 14, row_y + 9, label, 9, "#000000"))
    return out


def _runs(design: RackDesign, placed: list[tuple[Placement, str]]) -> list[_Run]:
    """Busbar, manifold and spine, each over the units of the items it serves."""
    roles = {line.role for line in design.parts}
    runs: list[_Run] = []
    if design.busbar_current_a is not None:
        runs.append(_Run("busbar", 1, design.frame_units))
    if "liquid manifold" in roles:
        runs.append(_span(design, "liquid manifold", placed, {"compute tray", "server", "CDU"}))
    if "NVLink spine" in roles:
        runs.append(_span(design, "NVLink spine", placed, {"compute tray", "switch tray"}))
    return runs


def _span(
    design: RackDesign, kind: str, placed: Iterable[tuple[Placement, str]], served: set[str]
) -> _Run:
    ends = [(p.position, p.top_unit) for p, k in placed if k in served]
    if not ends:  # what it serves has no known height: draw it the frame's full height
        return _Run(kind, 1, design.frame_units)
    return _Run(kind, min(lo for lo, _ in ends), max(hi for _, hi in ends))


def _rear_label(design: RackDesign, name: str, kind: str) -> str:
    """The side an item turns to the rear, from its role and the rack-level parts present."""
    roles = {line.role for line in design.parts}
    busbar = design.busbar_current_a is not None
    sides = {
        "compute tray": ["spine"] * ("NVLink spine" in roles)
        + ["liquid QDs"] * ("liquid manifold" in roles),
        "switch tray": ["spine"] if "NVLink spine" in roles else [],
        "power shelf": ["busbar clip" if busbar else "DC out"],
        "server": [f"{design.psus} PSUs"] if design.psus and not design.power_shelves else [],
        "CDU": ["facility loop"],
    }.get(kind, [])
    return f"{' + '.join(sides or ['rear panel'])}: {name}"


def _kind(role: str) -> str:
    return role if role in _KINDS else "other"


def _y(unit: int, units: int) -> int:
    """Top edge of `unit` (1 at the bottom) in the drawing."""
    return _HEADER_PX + (units - unit) * UNIT_PX


def _fit(text: str, width_px: float, font_px: float) -> str:
    """`text` cut, with an ellipsis, to about `width_px` at `font_px`; keeps a trailing "#n"."""
    room = max(1, int(width_px / (font_px * _CHAR_EM)))
    if len(text) <= room:
        return text
    head, sep, number = text.rpartition(" #")
    suffix = f"{sep}{number}" if sep and number.isdigit() and len(sep + number) < room // 2 else ""
    head = head if suffix else text
    return head[: room - 1 - len(suffix)].rstrip() + "…" + suffix


def _rect(
    css: str,
    x: float,
    y: float,
    w: float,
    h: float,
    fill: str,
    *,
    stroke: str = "#ffffff",
    extra: str = "",
) -> str:
    return (
        f'<rect class="{css}" x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1"{extra}/>'
    )


def _text(
    x: float,
    y: float,
    text: str,
    size: float,
    fill: str,
    *,
    anchor: str = "start",
    weight: str = "normal",
    css: str = "",
) -> str:
    cls = f' class="{css}"' if css else ""
    return (
        f'<text{cls} x="{x:g}" y="{y:g}" font-size="{size:g}" fill="{fill}" '
        f'text-anchor="{anchor}" font-weight="{weight}">{escape(text)}</text>'
    )
