"""Chart builders: typed points in, plotly figure JSON out (for `report.model.Figure`).

Figures are built with `plotly.graph_objects`, which checks every property name, and returned as
plain JSON dicts, so the report and plan.json never hold plotly objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

__all__ = ["ParetoPoint", "pareto_chart", "step_breakdown_chart"]

_TEMPLATE = "plotly_white"
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon")
_FRONT_COLORS = ("#1f3b73", "#b3261e", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f")

# Step-time components in the order a reader expects them (compute first, then communication
# innermost to outermost, then overheads), each with a fixed colour across every chart.
_COMPONENTS: dict[str, tuple[str, str]] = {
    "compute": ("compute", "#4c78a8"),
    "recompute": ("recompute", "#9ecae9"),
    "tp_comm": ("TP comm", "#f58518"),
    "cp_comm": ("CP comm", "#ffbf79"),
    "sp_comm": ("SP comm", "#ffbf79"),
    "ep_comm": ("EP comm", "#e45756"),
    "pp_comm": ("PP comm", "#54a24b"),
    "dp_comm": ("DP comm", "#b279a2"),
    "bubble": ("pipeline bubble", "#bab0ac"),
    "optimizer": ("optimizer", "#72b7b2"),
    "other": ("other", "#d3d3d3"),
}
_EXTRA_COLORS = ("#8c6d31", "#393b79", "#637939", "#7b4173", "#843c39", "#17becf")


@dataclass(frozen=True, slots=True)
class ParetoPoint:
    """One evaluated configuration on the time-to-train vs. cluster-size plane."""

    label: str
    family: str
    accelerator: str
    gpus: int
    time_to_train_days: float
    power_mw: float
    on_front: bool


def pareto_chart(
    points: Sequence[ParetoPoint], target_days: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """Time to train (days) vs. accelerators, coloured by power, with each family's front.

    `target_days` (family -> days) draws each family's training deadline as a dotted line.
    """
    figure = go.Figure()
    if not points:
        return _empty(figure, "no configurations to plot")
    accelerators = list(dict.fromkeys(p.accelerator for p in points))
    for index, accelerator in enumerate(accelerators):
        mine = [p for p in points if p.accelerator == accelerator]
        figure.add_trace(
            go.Scatter(
                x=[p.gpus for p in mine],
                y=[p.time_to_train_days for p in mine],
                mode="markers",
                name=accelerator,
                legendgroup="accelerators",
                legendgrouptitle_text="accelerator",
                customdata=[[p.label, p.family, "yes" if p.on_front else "no"] for p in mine],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>family: %{customdata[1]}<br>"
                    f"accelerator: {accelerator}<br>accelerators: %{{x:,}}<br>"
                    "time to train: %{y:.1f} days<br>power: %{marker.color:.1f} MW<br>"
                    "on the front: %{customdata[2]}<extra></extra>"
                ),
                marker={
                    "symbol": _SYMBOLS[index % len(_SYMBOLS)],
                    "color": [p.power_mw for p in mine],
                    "coloraxis": "coloraxis",
                    "size": [13 if p.on_front else 9 for p in mine],
                    "opacity": [1.0 if p.on_front else 0.45 for p in mine],
                    "line": {"color": "#222222", "width": [1.5 if p.on_front else 0 for p in mine]},
                },
            )
        )
    families = list(dict.fromkeys(p.family for p in points))
    for index, family in enumerate(families):
        color = _FRONT_COLORS[index % len(_FRONT_COLORS)]
        front = sorted((p for p in points if p.family == family and p.on_front), key=_by_size)
        if front:
            figure.add_trace(
                go.Scatter(
                    x=[p.gpus for p in front],
                    y=[p.time_to_train_days for p in front],
                    mode="lines",
                    name=family,
                    legendgroup="fronts",
                    legendgrouptitle_text="Pareto front",
                    line={"color": color, "width": 2},
                    hoverinfo="skip",
                )
            )
        if target_days and family in target_days:
            figure.add_hline(
                y=target_days[family],
                line={"color": color, "width": 1, "dash": "dot"},
                annotation_text=f"{family} target {target_days[family]:g} d",
                annotation_position="top right",
                annotation_font={"color": color, "size": 11},
            )
    sizes = sorted({p.gpus for p in points})
    figure.update_layout(
        template=_TEMPLATE,
        font=_FONT,
        height=480,
        margin={"l": 70, "r": 30, "t": 30, "b": 60},
        coloraxis={
            "colorscale": "Viridis",
            "colorbar": {"title": {"text": "power (MW)"}, "thickness": 14},
        },
        legend={"x": 1.12, "y": 1, "xanchor": "left"},
        hoverlabel={"align": "left"},
    )
    figure.update_xaxes(
        title_text="accelerators (log scale)",
        type="log",
        tickvals=sizes if len(sizes) <= 12 else None,
        ticktext=[f"{s:,}" for s in sizes] if len(sizes) <= 12 else None,
    )
    figure.update_yaxes(title_text="time to train (days)", rangemode="tozero")
    return _as_json(figure)


def step_breakdown_chart(rows: Sequence[tuple[str, Mapping[str, float]]]) -> dict[str, Any]:
    """Stacked horizontal bars: one bar per configuration, split into step-time components (s)."""
    figure = go.Figure()
    if not rows:
        return _empty(figure, "no configurations to plot")
    labels = [label for label, _ in rows]
    seen = list(dict.fromkeys(key for _, parts in rows for key in parts))
    ordered = [key for key in _COMPONENTS if key in seen] + [
        k for k in seen if k not in _COMPONENTS
    ]
    extra = 0
    for key in ordered:
        values = [float(parts.get(key, 0.0)) for _, parts in rows]
        if not any(values):
            continue
        if key in _COMPONENTS:
            name, color = _COMPONENTS[key]
        else:
            name, color = key.replace("_", " "), _EXTRA_COLORS[extra % len(_EXTRA_COLORS)]
            extra += 1
        figure.add_trace(
            go.Bar(
                x=values,
                y=labels,
                orientation="h",
                name=name,
                marker={"color": color},
                hovertemplate=f"%{{y}}<br>{name}: %{{x:.3f}} s<extra></extra>",
            )
        )
    figure.update_layout(
        template=_TEMPLATE,
        font=_FONT,
        barmode="stack",
        height=140 + 36 * len(rows),
        margin={"l": 20, "r": 30, "t": 30, "b": 50},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    figure.update_xaxes(title_text="time per step (s)", rangemode="tozero")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return _as_json(figure)


def _by_size(point: ParetoPoint) -> tuple[int, float]:
    return (point.gpus, point.time_to_train_days)


def _empty(figure: go.Figure, message: str) -> dict[str, Any]:
    figure.update_layout(
        template=_TEMPLATE,
        font=_FONT,
        height=220,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 15}}],
    )
    return _as_json(figure)


def _as_json(figure: go.Figure) -> dict[str, Any]:
    # Through JSON text so the result holds only plain lists, dicts, numbers and strings.
    data: dict[str, Any] = json.loads(figure.to_json())
    return data
