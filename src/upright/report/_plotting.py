"""Pieces the report figures share: the footer and disclaimer, trend lines, the pain
onset line, the x-axis label and the plotly layout and page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.summaries import PainOnset

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FOOTER",
    "PAIN_COLOR",
    "add_footer",
    "add_pain_vlines",
    "add_trend_trace",
    "label_pain_line",
    "layout",
    "onset_x",
    "save_png",
    "test_name",
    "trend_line",
    "write_plotly_html",
    "x_label",
]

FloatArray = npt.NDArray[np.float64]

PAIN_COLOR = "#c1121f"
FOOTER = "upright - a self-management aid, not a medical device"
_HTML_NOTE = (
    "<p style='font-family:sans-serif;color:#555'>upright is a training and "
    "self-management aid, not a medical device.</p></body>"
)


#: Endurance tests in words, by stored key or result field (``side_bridge_left``,
#: ``side_bridge_left_s``, ``single_leg_bridge_left_reps``).
_TEST_NAMES: Final = {
    "flexor": "trunk flexor",
    "extensor": "extensor (Sorensen)",
    "side_bridge_right": "side bridge right",
    "side_bridge_left": "side bridge left",
    "supine_bridge": "supine bridge",
    "prone_plank": "front plank",
    "single_leg_bridge_left": "single-leg bridge left",
    "single_leg_bridge_right": "single-leg bridge right",
}


def test_name(key: str) -> str:
    """An endurance test's key or result field in words ("side_bridge_left_s" ->
    "side bridge left"); reps fields add "(reps)"."""
    stem = key.removesuffix("_s").removesuffix("_reps")
    name = _TEST_NAMES.get(stem, stem.replace("_", " "))
    return f"{name} (reps)" if key.endswith("_reps") else name


def x_label(by_distance: bool) -> str:
    """The x-axis label: distance in km, or time in minutes."""
    return "distance (km)" if by_distance else "time (min)"


def trend_line(x: pd.Series, y: pd.Series) -> tuple[FloatArray, FloatArray] | None:
    """The least-squares line through the points, from the first x to the last; None
    for fewer than two points."""
    if len(x) < 2:
        return None
    slope, intercept = np.polyfit(x, y, 1)
    xs = np.array([x.min(), x.max()])
    return xs, intercept + slope * xs


def onset_x(onset: PainOnset | None, by_distance: bool) -> float | None:
    """Where the pain onset goes on the x axis (km or minute); None when not given."""
    if onset is None:
        return None
    return onset.km if by_distance and onset.km is not None else onset.minute


def label_pain_line(ax: Axes, x: float, label: str) -> None:
    """The pain onset's label above the top of ``ax``, at ``x``."""
    ax.text(
        x,
        1.02,
        label,
        transform=ax.get_xaxis_transform(),
        color=PAIN_COLOR,
        ha="center",
        va="bottom",
        fontsize=8,
    )


def add_footer(fig: Figure) -> None:
    """The disclaimer in small grey type at the bottom right."""
    fig.text(0.99, 0.005, FOOTER, ha="right", va="bottom", fontsize=7, color="gray")


def save_png(fig: Figure, path: Path) -> None:
    """Save the figure as a PNG and close it."""
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)


def add_pain_vlines(fig: go.Figure, x: float, rows: int) -> None:
    """A dashed pain onset line at ``x`` in each of the first ``rows`` rows."""
    for r in range(1, rows + 1):
        fig.add_vline(x=x, line={"color": PAIN_COLOR, "dash": "dash"}, row=r, col=1)


def add_trend_trace(
    fig: go.Figure, trend: tuple[FloatArray, FloatArray], name: str, row: int
) -> None:
    """The fitted trend as a black line in ``row``."""
    import plotly.graph_objects as go

    fig.add_trace(
        go.Scatter(
            x=trend[0],
            y=trend[1],
            mode="lines",
            line={"color": "black", "width": 2},
            name=name,
        ),
        row=row,
        col=1,
    )


def layout(fig: go.Figure, *, height: int, title: str, legend_y: float = -0.08) -> None:
    """Height, title, white template and a horizontal legend below the plots."""
    fig.update_layout(
        height=height,
        title=title,
        template="plotly_white",
        legend={"orientation": "h", "y": legend_y},
    )


def write_plotly_html(fig: go.Figure, path: Path, before_note: str = "") -> None:
    """The figure as one offline HTML page (plotly.js inline), ``before_note`` and the
    disclaimer at the end of its body."""
    html = fig.to_html(include_plotlyjs=True, full_html=True)
    path.write_text(html.replace("</body>", before_note + _HTML_NOTE, 1), encoding="utf-8")
