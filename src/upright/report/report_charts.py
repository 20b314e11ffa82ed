"""Interactive charts of the HTML report (plotly), each built from the report data.

Each function returns a figure, or None when nothing is stored to draw. The page inlines
plotly.js once, so the charts work offline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pandas as pd

from upright.report._plotting import test_name, trend_line
from upright.services.report import ReportData

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["lean_over_clip_figure", "progress_figure"]

_LEAN_COLOUR: Final = "#e4572e"
_HEAD_COLOUR: Final = "#8e44ad"
_SYNTHETIC: Final = "SYNTHETIC DEMO RUNNER - not a real person"
#: Pain-monitoring zones while running (Silbernagel 2007, Am J Sports Med 35:897).
_ZONES: Final = ((0, 2.5, "#d8f3dc", "safe 0-2"), (2.5, 5.5, "#fff3bf", "acceptable 3-5"),
                 (5.5, 10, "#ffd6d6", "stop above 5"))  # fmt: skip


def _finish(fig: go.Figure, data: ReportData, *, height: int, title: str) -> go.Figure:
    fig.update_layout(
        height=height,
        title={"text": title, "x": 0.01},
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.12},
    )
    if data.synthetic:
        fig.add_annotation(
            text=_SYNTHETIC,
            xref="paper",
            yref="paper",
            x=1.0,
            y=1.06,
            showarrow=False,
            font={"color": "#b00020", "size": 12},
            xanchor="right",
        )
    return fig


def lean_over_clip_figure(data: ReportData) -> go.Figure | None:
    """Per-stride trunk lean and head-trunk angle over the latest clip, with the lean trend."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if data.posture is None or not data.posture.strides:
        return None
    strides = pd.DataFrame([p.model_dump() for p in data.posture.strides])
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("trunk lean (deg, + forward)", "head-trunk angle (deg, + head back)"),
    )
    for row, column, colour, name in (
        (1, "trunk_lean_stance_deg", _LEAN_COLOUR, "trunk lean per stride"),
        (2, "head_trunk_deg", _HEAD_COLOUR, "head-trunk per stride"),
    ):
        points = strides.dropna(subset=[column])
        fig.add_trace(
            go.Scatter(
                x=points["start_s"],
                y=points[column],
                mode="markers",
                marker={"color": colour, "size": 6},
                name=name,
                hovertemplate="%{x:.1f} s: %{y:.1f} deg<extra></extra>",
            ),
            row=row,
            col=1,
        )
        trend = trend_line(points["start_s"], points[column])
        if trend is not None:
            fig.add_trace(
                go.Scatter(
                    x=trend[0],
                    y=trend[1],
                    mode="lines",
                    line={"color": "black", "width": 2},
                    name=f"trend ({name.split(' per')[0]})",
                ),
                row=row,
                col=1,
            )
    fig.update_xaxes(title_text="time in the clip (s)", row=2, col=1)
    return _finish(fig, data, height=520, title="Posture stride by stride (latest clip)")


def progress_figure(data: ReportData) -> go.Figure | None:
    """Pain, endurance and trunk lean over the weeks, on one shared date axis."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not (data.sessions or data.runs or data.endurance_history or data.lean_history):
        return None
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=(
            "pain 0-10 (shaded: pain-monitoring zones while running, Silbernagel 2007)",
            "endurance holds (s)",
            "trunk lean, median per video analysis (deg, bars: stride-to-stride SD)",
        ),
    )
    for low, high, colour, _name in _ZONES:
        fig.add_shape(
            type="rect",
            xref="x domain",
            yref="y",
            x0=0,
            x1=1,
            y0=low,
            y1=high,
            fillcolor=colour,
            line_width=0,
            layer="below",
        )
    days = [s.day for s in data.sessions]
    series = (
        (days, [s.pain_during for s in data.sessions], "session: pain during", "#1d3557", "circle"),
        (days, [s.pain_next_morning for s in data.sessions], "session: next morning", "#457b9d",
         "circle-open"),
        ([r.day for r in data.runs], [r.pain_during for r in data.runs], "run: pain during",
         "#c1121f", "diamond"),
    )  # fmt: skip
    for x, y, name, colour, symbol in series:
        if x:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    name=name,
                    line={"color": colour, "width": 1.5},
                    marker={"symbol": symbol, "size": 8, "color": colour},
                ),
                row=1,
                col=1,
            )
    fig.update_yaxes(range=[-0.3, 10.3], row=1, col=1)
    holds = [p for p in data.endurance_history if p.unit == "s"]
    for field in dict.fromkeys(p.field for p in holds):
        points = [p for p in holds if p.field == field]
        fig.add_trace(
            go.Scatter(
                x=[p.when for p in points],
                y=[p.value for p in points],
                mode="lines+markers",
                name=test_name(field),
            ),
            row=2,
            col=1,
        )
    if data.lean_history:
        fig.add_trace(
            go.Scatter(
                x=[p.when for p in data.lean_history],
                y=[p.median_deg for p in data.lean_history],
                error_y={"type": "data", "array": [p.spread_deg for p in data.lean_history]},
                mode="lines+markers",
                name="trunk lean median",
                line={"color": _LEAN_COLOUR},
                marker={"size": 9, "color": _LEAN_COLOUR},
            ),
            row=3,
            col=1,
        )
    for row, empty in ((1, not (data.sessions or data.runs)), (2, not holds),
                       (3, not data.lean_history)):  # fmt: skip
        if empty:
            fig.add_annotation(
                text="not recorded yet",
                xref=f"x{row if row > 1 else ''} domain",
                yref=f"y{row if row > 1 else ''} domain",
                x=0.5,
                y=0.5,
                showarrow=False,
                font={"color": "#777"},
            )
    fig.update_xaxes(title_text="date", row=3, col=1)
    return _finish(fig, data, height=760, title="Progress over time")
