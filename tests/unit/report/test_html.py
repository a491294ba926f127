import json
import re
from datetime import UTC, datetime

import pytest
from plotly.offline import get_plotlyjs

from rackforge.report.charts import ParetoPoint, pareto_chart, step_breakdown_chart
from rackforge.report.html import format_cell, render_html
from rackforge.report.model import Figure, Report, Section, Table

POINTS = [
    ParetoPoint("H100 x 4096", "dense-70b", "H100", 4096, 38.5, 5.9, True),
    ParetoPoint("H100 x 2048", "dense-70b", "H100", 2048, 72.0, 2.9, False),
    ParetoPoint("B200 x 2048", "dense-70b", "B200", 2048, 41.0, 3.1, True),
    ParetoPoint("H200 x 2048", "dense-70b", "H200", 2048, 60.0, 3.0, False),
]
BREAKDOWN = [
    ("H100 x 4096 tp8 pp4", {"compute": 7.1, "tp_comm": 0.9, "bubble": 0.6, "dp_comm": 0.2}),
    ("B200 x 2048 tp8 pp2", {"compute": 5.0, "tp_comm": 0.4, "bubble": 0.3, "optimizer": 0.1}),
]


def sample_report() -> Report:
    codesign = Section(
        title="Co-design",
        intro="Time to train against cluster size.\n\nThe front joins the fastest choices.",
        tables=[
            Table(
                columns=["configuration", "accelerators", "days", "MFU"],
                rows=[["H100 x 4096", 4096, 38.5, "41.2 %"], ["B200 x 2048", 2048, 41.0, None]],
                caption="Best configuration per accelerator",
            )
        ],
        figures=[
            Figure("Pareto front", pareto_chart(POINTS, {"dense-70b": 60}), "Filled: on front."),
            Figure("Step time", step_breakdown_chart(BREAKDOWN)),
        ],
        notes=["MI355X has no calibrated profile <yet>."],
    )
    roadmap = Section(title="Roadmap", intro="Four families.")
    return Report(
        title="Frontier 2027",
        subtitle="Meridian AI Labs (fictional)",
        generated_at=datetime(2026, 5, 1, 12, 30, tzinfo=UTC),
        sections=[roadmap, codesign],
    )


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(sample_report())


def test_the_report_is_one_html_document(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<html") == 1
    assert page.count("</html>") == 1
    assert page.count("<body>") == 1


def test_plotly_js_is_inlined_exactly_once(page: str) -> None:
    assert page.count(get_plotlyjs()[:2000]) == 1


def test_no_script_or_stylesheet_is_fetched_from_the_network(page: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=[\"']?(https?:)?//", page)


def test_the_table_of_contents_links_every_section_title(page: str) -> None:
    contents = page[page.index('<nav class="toc">') : page.index("</nav>")]
    for title in ("Roadmap", "Co-design"):
        assert title in contents
    for anchor in re.findall(r'href="#([^"]+)"', contents):
        assert f'id="{anchor}"' in page


def test_table_numbers_are_formatted_and_right_aligned(page: str) -> None:
    assert "<td class=num>4,096</td>" in page
    assert "<td class=num>38.5</td>" in page
    assert "<td class=num>41.2 %</td>" in page
    assert "<td>H100 x 4096</td>" in page
    assert "<th class=num>accelerators</th>" in page


def test_text_is_escaped(page: str) -> None:
    assert "profile &lt;yet&gt;." in page


def test_each_figure_gets_its_own_json_spec_that_parses(page: str) -> None:
    specs = re.findall(r'<script type="application/json" id="figure-\d+-spec">(.*?)</script>', page)
    assert len(specs) == 2
    pareto = json.loads(specs[0])
    assert {trace["name"] for trace in pareto["data"]} >= {"H100", "B200", "H200", "dense-70b"}


def test_a_report_without_figures_leaves_plotly_out() -> None:
    report = Report("t", "", datetime(2026, 1, 1), [Section(title="Only text")])
    assert "Plotly" not in render_html(report)


def test_the_pareto_front_is_drawn_through_front_points_only_by_size() -> None:
    figure = pareto_chart(POINTS)
    front = next(t for t in figure["data"] if t["mode"] == "lines")
    assert front["x"] == [2048, 4096]
    assert front["y"] == [41.0, 38.5]


def test_pareto_markers_are_coloured_by_power() -> None:
    figure = pareto_chart(POINTS)
    h100 = next(t for t in figure["data"] if t["name"] == "H100")
    assert h100["marker"]["color"] == [5.9, 2.9]
    assert figure["layout"]["coloraxis"]["colorbar"]["title"]["text"] == "power (MW)"


def test_the_breakdown_stacks_components_in_reading_order_and_fills_gaps_with_zero() -> None:
    figure = step_breakdown_chart(BREAKDOWN)
    assert figure["layout"]["barmode"] == "stack"
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["compute", "TP comm", "DP comm", "pipeline bubble", "optimizer"]
    optimizer = figure["data"][-1]
    assert optimizer["x"] == [0.0, 0.1]
    assert optimizer["orientation"] == "h"


def test_an_empty_chart_says_there_is_nothing_to_plot() -> None:
    figure = pareto_chart([])
    assert figure["layout"]["annotations"][0]["text"] == "no configurations to plot"


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, "—"),
        (True, "yes"),
        (1234567, "1,234,567"),
        (14.8e12, "1.48 × 10¹³"),
        (2e-5, "2 × 10⁻⁵"),
        (38.5, "38.5"),
        (0.4123, "0.412"),
    ],
)
def test_cells_are_formatted_for_reading(cell: object, text: str) -> None:
    assert format_cell(cell) == text  # type: ignore[arg-type]


def test_a_row_with_the_wrong_number_of_cells_is_refused() -> None:
    with pytest.raises(ValueError, match="row 0 has 1 cells, expected 2"):
        Table(columns=["a", "b"], rows=[[1]])
