"""Plots of an imported run: a PNG to read at a glance and an interactive HTML.

Panels against distance (against time for a run without distance): pace, heart rate,
cadence, and stance time with vertical oscillation. Each shows the samples (30 s
rolling median of running samples), the block medians the fatigue trends are fitted
to, the trend with its verdict, and a vertical line where the pain started. The HTML
embeds plotly.js from the installed plotly package, so it works offline.
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
    label_pain_line,
    layout,
    onset_x,
    save_png,
    trend_line,
    write_plotly_html,
    x_label,
)
from upright.services.run_import import RunImport
from upright.summaries import FatigueSignSummary, RunSummary

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["run_figure", "write_run_html", "write_run_png"]

FloatArray = npt.NDArray[np.float64]

#: Pace slower than this is a stop or a walk, and would squash the pace axis.
_MAX_PACE_MIN_PER_KM = 12.0
_SMOOTH_WINDOW = "30s"
_NOTHING = "no pace, heart rate, cadence or running dynamics to plot (too short or not recorded)"


@dataclass(frozen=True)
class _Panel:
    column: str
    title: str
    color: str
    sign: str | None


_PANELS = (
    _Panel("pace_min_per_km", "Pace (min/km)", "#264653", None),
    _Panel("heart_rate_bpm", "Heart rate (bpm)", "#d1495b", "cardiac_drift"),
    _Panel("cadence_spm", "Cadence (steps/min)", "#2a9d8f", "cadence_falling"),
    _Panel("stance_time_ms", "Stance time (ms)", "#e76f51", "stance_time_rising"),
    _Panel(
        "vertical_oscillation_mm",
        "Vertical oscillation (mm)",
        "#1f6feb",
        "vertical_oscillation_rising",
    ),
)


def _x_label(summary: RunSummary) -> str:
    return x_label(summary.axis == "distance")


def _plot_frame(run: RunImport) -> pd.DataFrame:
    """Smoothed running samples with ``x`` (km or min) and pace in min/km."""
    s = run.fatigue.samples
    frame = pd.DataFrame(
        {
            "x": s["distance_m"] / 1000.0 if run.summary.axis == "distance" else s["time_s"] / 60,
            "pace_min_per_km": 1000.0 / 60.0 / s["pace_speed_m_s"],
        }
    )
    frame.loc[~(frame["pace_min_per_km"] <= _MAX_PACE_MIN_PER_KM), "pace_min_per_km"] = np.nan
    for panel in _PANELS[1:]:
        if panel.column in s:
            frame[panel.column] = s[panel.column].where(s["running"])
    frame.index = pd.to_timedelta(s["time_s"], unit="s")
    smooth = frame.drop(columns="x").rolling(_SMOOTH_WINDOW, min_periods=1).median()
    smooth.insert(0, "x", frame["x"])
    return smooth.reset_index(drop=True)


def _panels(frame: pd.DataFrame) -> list[_Panel]:
    """Panels with data; the (empty) pace panel when nothing has data, so that the
    figure says so rather than failing."""
    panels = [p for p in _PANELS if p.column in frame and frame[p.column].notna().any()]
    return panels or [_PANELS[0]]


def _is_empty(frame: pd.DataFrame, panel: _Panel) -> bool:
    return panel.column not in frame or not frame[panel.column].notna().any()


def _sign(summary: RunSummary, name: str | None) -> FatigueSignSummary | None:
    return next((s for s in summary.fatigue_signs if s.sign == name), None)


def _trend(blocks: pd.DataFrame, column: str) -> tuple[FloatArray, FloatArray] | None:
    if column not in blocks:
        return None
    data = blocks[["x", column]].dropna()
    return trend_line(data["x"], data[column])


def _draws_trend(sign: FatigueSignSummary | None, trend: object) -> bool:
    """A trend line is drawn where the sign was fitted to this very panel's measure
    (cardiac drift is fitted to beats per km, not to heart rate)."""
    return (
        sign is not None
        and sign.change is not None
        and sign.sign != "cardiac_drift"
        and trend is not None
    )


def _panel_title(panel: _Panel, summary: RunSummary) -> str:
    """The panel's name, and the verdict of its fatigue sign."""
    sign = _sign(summary, panel.sign)
    if sign is None:
        return panel.title
    if sign.change is None or sign.ci95_low is None or sign.ci95_high is None:
        return f"{panel.title} - {sign.label}: withheld"
    ci = f"95% CI {sign.ci95_low:+.1f} to {sign.ci95_high:+.1f}"
    trend = f"{sign.label} trend {sign.change:+.1f} {sign.change_unit} ({ci})"
    return f"{panel.title} - {trend}: {sign.status.upper() if sign.flagged else sign.status}"


def _title(summary: RunSummary) -> str:
    name = Path(summary.source.file).name
    dist = f"{summary.distance_km:.2f} km, " if summary.distance_km is not None else ""
    return f"{name} - {dist}{summary.duration_s / 60:.0f} min"


def _pain_label(summary: RunSummary) -> str | None:
    onset = summary.pain_onset
    if onset is None:
        return None
    return (
        f"pain starts {onset.km:.1f} km"
        if onset.km is not None
        else (f"pain starts min {onset.minute:.0f}")
    )


def _pain_x(summary: RunSummary) -> float | None:
    return onset_x(summary.pain_onset, summary.axis == "distance")


def write_run_png(run: RunImport, path: Path) -> None:
    """The run's panels against distance, with the trends and the pain onset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = run.summary
    frame = _plot_frame(run)
    panels = _panels(frame)
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(9, 2.3 * len(panels) + 0.8),
        sharex=True,
        squeeze=False,
        constrained_layout=True,
    )
    pain_x, pain_label = _pain_x(summary), _pain_label(summary)
    blocks = run.fatigue.blocks
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        if _is_empty(frame, panel):
            ax.text(0.5, 0.5, _NOTHING, transform=ax.transAxes, ha="center", color="gray")
            continue
        ax.plot(frame["x"], frame[panel.column], color=panel.color, lw=1, alpha=0.6)
        if panel.column in blocks:
            ax.plot(blocks["x"], blocks[panel.column], "o", color=panel.color, ms=4)
        sign = _sign(summary, panel.sign)
        trend = _trend(blocks, panel.column)
        if _draws_trend(sign, trend):
            assert trend is not None
            ax.plot(*trend, "-", color="black", lw=2)
        if panel.column == "pace_min_per_km":
            ax.invert_yaxis()
        ax.set_title(_panel_title(panel, summary), fontsize=9, loc="left")
        ax.grid(alpha=0.3)
        if pain_x is not None:
            ax.axvline(pain_x, color=PAIN_COLOR, ls="--", lw=1.5)
    if pain_x is not None and pain_label is not None:
        label_pain_line(axes[0, 0], pain_x, pain_label)
    axes[-1, 0].set_xlabel(_x_label(summary))
    fig.suptitle(_title(summary), fontsize=11)
    add_footer(fig)
    save_png(fig, path)


def write_run_html(run: RunImport, path: Path) -> None:
    """Interactive version of :func:`write_run_png`, plotly.js inline (offline)."""
    write_plotly_html(run_figure(run), path)


def run_figure(run: RunImport) -> go.Figure:
    """The interactive figure of :func:`write_run_html` (also drawn by the web page)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    summary = run.summary
    frame = _plot_frame(run)
    panels = _panels(frame)
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.05,
        subplot_titles=[_panel_title(p, summary) for p in panels],
    )
    blocks = run.fatigue.blocks
    for r, panel in enumerate(panels, start=1):
        if _is_empty(frame, panel):
            fig.add_annotation(
                text=_NOTHING, showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5
            )
            continue
        fig.add_trace(
            go.Scatter(
                x=frame["x"],
                y=frame[panel.column],
                mode="lines",
                line={"color": panel.color, "width": 1},
                opacity=0.6,
                name=panel.title,
            ),
            row=r,
            col=1,
        )
        if panel.column in blocks:
            fig.add_trace(
                go.Scatter(
                    x=blocks["x"],
                    y=blocks[panel.column],
                    mode="markers",
                    marker={"color": panel.color, "size": 6},
                    name=f"{panel.title}: block median",
                ),
                row=r,
                col=1,
            )
        sign = _sign(summary, panel.sign)
        trend = _trend(blocks, panel.column)
        if _draws_trend(sign, trend):
            assert trend is not None
            add_trend_trace(fig, trend, f"{panel.title}: trend", r)
        if panel.column == "pace_min_per_km":
            fig.update_yaxes(autorange="reversed", row=r, col=1)
    pain_x, pain_label = _pain_x(summary), _pain_label(summary)
    if pain_x is not None:
        add_pain_vlines(fig, pain_x, len(panels))
        fig.add_annotation(
            x=pain_x,
            y=1.0,
            yref="paper",
            text=pain_label,
            showarrow=False,
            font={"color": PAIN_COLOR},
            yanchor="bottom",
        )
    fig.update_xaxes(title_text=_x_label(summary), row=len(panels), col=1)
    layout(fig, height=260 * len(panels) + 150, title=_title(summary) + " - upright import")
    return fig
