"""Plots of an accelerometer recording: a PNG to read at a glance and an interactive HTML.

Three panels against time (or distance with a watch file): pitch (per stride, and the
per-minute median), cadence and step regularity; running minutes filled, other minutes
hollow; the fitted trend with its verdict; a dashed line where the pain started. The
HTML embeds plotly.js from the installed package, so it works offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.report._plotting import (
    PAIN_COLOR,
    add_footer,
    add_pain_vlines,
    add_trend_trace,
    layout,
    onset_x,
    save_png,
    trend_line,
    write_plotly_html,
    x_label,
)
from upright.services.imu_import import ImuImport
from upright.summaries import ImuSignSummary, ImuSummary

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["imu_figure", "write_imu_html", "write_imu_png"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Panel:
    column: str
    title: str
    color: str
    sign: str
    scale: float = 1.0


_PANELS = (
    _Panel("pitch_deg", "Pitch (deg, + forward)", "#264653", "pitch_rising"),
    _Panel("cadence_spm", "Cadence (steps/min)", "#2a9d8f", "cadence_falling"),
    _Panel("step_regularity", "Step regularity (%)", "#e76f51", "regularity_falling", 100.0),
)


def _x_label(summary: ImuSummary) -> str:
    return x_label(summary.axis == "distance")


def _sign(summary: ImuSummary, name: str) -> ImuSignSummary | None:
    return next((s for s in summary.fatigue_signs if s.sign == name), None)


def _title(panel: _Panel, summary: ImuSummary) -> str:
    title = panel.title
    if panel.column == "pitch_deg":
        title = f"{summary.pitch_measures.capitalize()} pitch (deg, + forward)"
    sign = _sign(summary, panel.sign)
    if sign is None or sign.change is None:
        return f"{title} - trend withheld"
    return (
        f"{title} - trend {sign.change:+.1f} {sign.unit} (95% CI {sign.ci95_low:+.1f} to "
        f"{sign.ci95_high:+.1f}): {sign.status.upper() if sign.flagged else sign.status}"
    )


def _trend(minutes: pd.DataFrame, panel: _Panel) -> tuple[FloatArray, FloatArray] | None:
    run = minutes[minutes["activity"] == "running"][["x", panel.column]].dropna()
    return trend_line(run["x"], run[panel.column] * panel.scale)


def _stride_x(imu: ImuImport) -> FloatArray:
    t = imu.posture.strides["start_s"].to_numpy(dtype=np.float64)
    if imu.distance_m is None:
        return t / 60.0
    out: FloatArray = np.interp(t, imu.posture.time_s, imu.distance_m) / 1000.0
    return out


def _pain_x(summary: ImuSummary) -> float | None:
    return onset_x(summary.pain_onset, summary.axis == "distance")


def _heading(summary: ImuSummary) -> str:
    name = Path(summary.source.file).name
    return f"{name} - {summary.activity}, {summary.duration_s / 60:.0f} min"


def write_imu_png(imu: ImuImport, path: Path) -> None:
    """The three panels with trends and the pain onset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary, minutes = imu.summary, imu.fatigue.minutes
    fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True, constrained_layout=True)
    run = minutes["activity"] == "running"
    pain_x = _pain_x(summary)
    for ax, panel in zip(axes, _PANELS, strict=True):
        if panel.column == "pitch_deg":
            ax.plot(_stride_x(imu), imu.posture.strides["pitch_deg"], ".", ms=1, color="#aaa")
        y = minutes[panel.column] * panel.scale
        ax.plot(minutes["x"][run], y[run], "o", color=panel.color, ms=4)
        ax.plot(minutes["x"][~run], y[~run], "o", mfc="none", color=panel.color, ms=4)
        trend = _trend(minutes, panel)
        if trend is not None and _sign(summary, panel.sign) is not None:
            ax.plot(*trend, "-", color="black", lw=2)
        if pain_x is not None:
            ax.axvline(pain_x, color=PAIN_COLOR, ls="--", lw=1.5)
        ax.set_title(_title(panel, summary), fontsize=9, loc="left")
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel(_x_label(summary))
    fig.suptitle(_heading(summary), fontsize=11)
    add_footer(fig)
    save_png(fig, path)


def write_imu_html(imu: ImuImport, path: Path) -> None:
    """Interactive version of :func:`write_imu_png`, plotly.js inline (offline)."""
    write_plotly_html(imu_figure(imu), path)


def imu_figure(imu: ImuImport) -> go.Figure:
    """The interactive figure of :func:`write_imu_html` (also drawn by the web page)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    summary, minutes = imu.summary, imu.fatigue.minutes
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[_title(p, summary) for p in _PANELS],
    )
    for r, panel in enumerate(_PANELS, start=1):
        fig.add_trace(
            go.Scatter(
                x=minutes["x"],
                y=minutes[panel.column] * panel.scale,
                mode="markers+lines",
                marker={"color": panel.color, "size": 6},
                line={"color": panel.color, "width": 1},
                text=minutes["activity"],
                name=f"{panel.title}: per minute",
            ),
            row=r,
            col=1,
        )
        trend = _trend(minutes, panel)
        if trend is not None:
            add_trend_trace(fig, trend, f"{panel.title}: trend", r)
    pain_x = _pain_x(summary)
    if pain_x is not None:
        add_pain_vlines(fig, pain_x, 3)
    fig.update_xaxes(title_text=_x_label(summary), row=3, col=1)
    layout(fig, height=900, title=_heading(summary) + " - upright imu")
    return fig
