"""Plots of one analysis: a PNG a runner can read at a glance, and an interactive HTML.

The HTML embeds plotly.js from the installed plotly package, so it works offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from upright.report._plotting import (
    add_footer,
    add_trend_trace,
    layout,
    save_png,
    trend_line,
    write_plotly_html,
)
from upright.skeleton import FloatArray
from upright.summaries import AnalysisSummary, DriftSummary

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["posture_figure", "write_interactive_html", "write_posture_png"]

_LEAN_COLOR = "#1f6feb"
_HEAD_COLOR = "#d1495b"


def _drift(summary: AnalysisSummary, metric: str) -> DriftSummary | None:
    return next((d for d in summary.drift if d.metric == metric), None)


def _trend_line(strides: pd.DataFrame, column: str) -> tuple[FloatArray, FloatArray] | None:
    data = strides[["start_s", column]].dropna()
    return trend_line(data["start_s"], data[column])


def _title(summary: AnalysisSummary) -> str:
    if summary.synthetic:
        return "SYNTHETIC DEMO RUNNER (not a real recording)"
    return Path(summary.source.file).name or "keypoints"


def write_posture_png(
    summary: AnalysisSummary, frames: pd.DataFrame, strides: pd.DataFrame, path: Path
) -> None:
    """Two panels against time: trunk lean and head-trunk angle, per frame and per
    stride, with the fitted trend and its verdict."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, constrained_layout=True)
    panels = [
        ("trunk_lean_deg", "trunk_lean_stance_deg", "Trunk lean (deg, + forward)", _LEAN_COLOR),
        ("head_trunk_deg", "head_trunk_deg", "Head-trunk (deg, + head back)", _HEAD_COLOR),
    ]
    for ax, (frame_col, stride_col, label, color) in zip(axes, panels, strict=True):
        ax.plot(
            frames["time_s"], frames[frame_col], color=color, alpha=0.25, lw=1, label="each frame"
        )
        ax.plot(
            strides["start_s"], strides[stride_col], "o", color=color, ms=5, label="each stride"
        )
        trend = _trend_line(strides, stride_col)
        drift = _drift(summary, stride_col)
        if trend is not None and drift is not None:
            verdict = "DRIFT" if drift.flagged else "no flagged drift"
            ax.plot(
                *trend,
                "-",
                color="black",
                lw=2,
                label=f"trend {drift.change:+.1f} deg "
                f"[{drift.ci95_low:+.1f}, {drift.ci95_high:+.1f}] - {verdict}",
            )
        metric = summary.metrics.get(stride_col)
        if metric is not None:
            ax.axhspan(
                metric.value - metric.spread,
                metric.value + metric.spread,
                color=color,
                alpha=0.08,
                label="median +/- SD",
            )
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    axes[-1].set_xlabel("time in clip (s)")
    fig.suptitle(_title(summary), fontsize=11)
    add_footer(fig)
    save_png(fig, path)


def write_interactive_html(
    summary: AnalysisSummary, frames: pd.DataFrame, strides: pd.DataFrame, path: Path
) -> None:
    """Interactive version: lean, head-trunk and cadence against time, plotly.js inline."""
    write_plotly_html(posture_figure(summary, frames, strides), path)


def posture_figure(
    summary: AnalysisSummary, frames: pd.DataFrame | None, strides: pd.DataFrame
) -> go.Figure:
    """Lean, head-trunk (per frame and per stride, with the trend) and cadence against
    time, as a plotly figure (the HTML file and the web app's analysis page draw it).
    Without ``frames`` (a folder keeps only the stride table) the strides alone."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=(
            "Trunk lean (deg, + forward)",
            "Head-trunk angle (deg, + head back)",
            "Cadence per stride (steps/min)",
        ),
    )
    rows = [
        ("trunk_lean_deg", "trunk_lean_stance_deg", _LEAN_COLOR),
        ("head_trunk_deg", "head_trunk_deg", _HEAD_COLOR),
    ]
    for r, (frame_col, stride_col, color) in enumerate(rows, start=1):
        if frames is not None:
            fig.add_trace(
                go.Scatter(
                    x=frames["time_s"],
                    y=frames[frame_col],
                    mode="lines",
                    line={"color": color, "width": 1},
                    opacity=0.35,
                    name=f"{frame_col} (frame)",
                ),
                row=r,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=strides["start_s"],
                y=strides[stride_col],
                mode="markers",
                marker={"color": color, "size": 7},
                customdata=strides[["stride", "foot"]].to_numpy(),
                hovertemplate="stride %{customdata[0]} (%{customdata[1]})"
                "<br>t=%{x:.2f} s<br>%{y:.1f} deg<extra></extra>",
                name=f"{stride_col} (stride)",
            ),
            row=r,
            col=1,
        )
        trend = _trend_line(strides, stride_col)
        if trend is not None:
            add_trend_trace(fig, trend, f"{stride_col} trend", r)
    fig.add_trace(
        go.Scatter(
            x=strides["start_s"],
            y=strides["cadence_spm"],
            mode="markers+lines",
            marker={"color": "#2a9d8f"},
            name="cadence",
        ),
        row=3,
        col=1,
    )
    fig.update_xaxes(title_text="time in clip (s)", row=3, col=1)
    layout(fig, height=850, title=_title(summary) + " - upright analysis")
    return fig
