"""Plots of a form check: the judged angle over time, its tolerance band, the phases.

One panel per measure that is judged or has a fault (the judged one first): the angle per
frame, the good-form band shaded green (open ends run to the edge of the plot), frames in
a fault marked red, and the phases (set-up, hold, end, rest) as a strip along the top.
The HTML embeds plotly.js from the installed plotly package, so it works offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from upright.form.definitions import ExerciseForm
from upright.form.timing import GOOD
from upright.report._plotting import add_footer, layout, save_png, write_plotly_html
from upright.summaries import FormSummary

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["FORM_FIGURE_NOTE", "form_figure", "form_panels", "write_form_html", "write_form_png"]

_ANGLE = "#264653"
_BAND = "#2a9d8f"
_FAULT = "#c1121f"
PHASE_COLORS = {"set_up": "#bdbdbd", "hold": "#74c69d", "end": "#f4a261", "rest": "#e9ecef"}


def form_panels(definition: ExerciseForm) -> list[str]:
    """Measures to plot: the judged one, then the others that have a fault."""
    with_fault = [f.measure for f in definition.faults]
    rest = [
        m.name for m in definition.measures if m.name in with_fault and m.name != definition.judged
    ]
    return [definition.judged, *rest]


def _title(summary: FormSummary) -> str:
    name = summary.exercise.name
    if summary.exercise.side:
        name += f" ({summary.exercise.side})"
    if summary.synthetic:
        return f"{name}: SYNTHETIC FIGURE (not a real recording)"
    return f"{name}: {Path(summary.source.file).name or 'keypoints'}"


def _runs(values: pd.Series) -> list[tuple[str, int, int]]:
    """(value, start, end) runs of equal values, end exclusive."""
    v = values.astype(str).to_numpy()
    cuts = np.flatnonzero(v[1:] != v[:-1]) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [v.size]])
    return [(str(v[a]), int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _totals_text(summary: FormSummary) -> str:
    t = summary.totals
    text = f"held {t.held_s:.1f} s, good form {t.good_form_s:.1f} s"
    if t.reps is not None:
        text += f"; {t.reps} reps ({t.good_reps} good)"
    if t.first_fault is not None:
        text += f"; form first lost at {t.first_fault.time_s:.1f} s ({t.first_fault.label})"
    return text


def write_form_png(
    summary: FormSummary, definition: ExerciseForm, frames: pd.DataFrame, path: Path
) -> None:
    """The judged angle (and any other faulted measure) against time, band and phases."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = form_panels(definition)
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(9, 2.6 + 2.4 * len(panels)), sharex=True, constrained_layout=True
    )
    axes = np.atleast_1d(axes)
    t = frames["time_s"]
    fault = (frames["verdict"] != GOOD) & (frames["verdict"] != "")
    for ax, name in zip(axes, panels, strict=True):
        measure = definition.measure(name)
        y = frames[name]
        finite = y[np.isfinite(y)]
        low, high = definition.band(name)
        lo_edge = min(finite.min() if len(finite) else 0.0, low if low is not None else 0.0) - 5
        hi_edge = max(finite.max() if len(finite) else 0.0, high if high is not None else 0.0) + 5
        ax.axhspan(
            low if low is not None else lo_edge,
            high if high is not None else hi_edge,
            color=_BAND,
            alpha=0.12,
            label="good form",
        )
        for phase, a, b in _runs(frames["phase"]):
            ax.axvspan(
                t.iloc[a], t.iloc[b - 1], ymin=0.96, ymax=1.0, color=PHASE_COLORS[phase], lw=0
            )
        ax.plot(t, y, color=_ANGLE, lw=1.2, label=measure.label)
        ax.plot(t[fault], y[fault], ".", color=_FAULT, ms=3, label="fault")
        ax.set_ylim(lo_edge, hi_edge)
        ax.set_ylabel(f"{measure.label} (deg)", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    axes[0].set_title(
        "phases along the top: grey set-up, green hold, orange end, light rest", fontsize=8
    )
    axes[-1].set_xlabel("time in clip (s)")
    fig.suptitle(f"{_title(summary)}\n{_totals_text(summary)}", fontsize=10)
    add_footer(fig)
    save_png(fig, path)


#: What the shading and dashed lines of :func:`form_figure` mean.
FORM_FIGURE_NOTE = (
    "Dashed lines: the limits of good form. Shading: phases (grey set-up, green hold, "
    "orange end, light rest)."
)


def write_form_html(
    summary: FormSummary, definition: ExerciseForm, frames: pd.DataFrame, path: Path
) -> None:
    """Interactive version of :func:`write_form_png`, plotly.js inline (offline)."""
    note = f"<p style='font-family:sans-serif;color:#555'>{FORM_FIGURE_NOTE}</p>"
    write_plotly_html(form_figure(summary, definition, frames), path, before_note=note)


def form_figure(summary: FormSummary, definition: ExerciseForm, frames: pd.DataFrame) -> go.Figure:
    """The exercise's angles over the clip with the limits of good form, the phases and
    the faults, as a plotly figure (the HTML file and the web app's page draw it)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = form_panels(definition)
    titles = [f"{definition.measure(n).label} (deg): {definition.measure(n).sign}" for n in panels]
    fig = make_subplots(
        rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=titles
    )
    t = frames["time_s"]
    fault = (frames["verdict"] != GOOD) & (frames["verdict"] != "")
    for row, name in enumerate(panels, start=1):
        y = frames[name]
        low, high = definition.band(name)
        if low is not None:
            fig.add_hline(y=low, line={"color": _BAND, "dash": "dash"}, row=row, col=1)
        if high is not None:
            fig.add_hline(y=high, line={"color": _BAND, "dash": "dash"}, row=row, col=1)
        for phase, a, b in _runs(frames["phase"]):
            fig.add_vrect(
                x0=t.iloc[a],
                x1=t.iloc[b - 1],
                fillcolor=PHASE_COLORS[phase],
                opacity=0.25,
                line_width=0,
                row=row,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=t,
                y=y,
                mode="lines",
                line={"color": _ANGLE, "width": 1.5},
                customdata=np.stack([frames["phase"], frames["verdict"]], -1),
                hovertemplate="t=%{x:.2f} s<br>%{y:.1f} deg<br>%{customdata[0]}"
                " %{customdata[1]}<extra></extra>",
                name=definition.measure(name).label,
            ),
            row=row,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=t[fault],
                y=y[fault],
                mode="markers",
                marker={"color": _FAULT, "size": 4},
                customdata=frames.loc[fault, "verdict"],
                hovertemplate="%{customdata}<extra></extra>",
                name="fault",
                showlegend=row == 1,
            ),
            row=row,
            col=1,
        )
    fig.update_xaxes(title_text="time in clip (s)", row=len(panels), col=1)
    title = f"{_title(summary)}<br>{_totals_text(summary)}"
    layout(fig, height=260 + 260 * len(panels), title=title)
    return fig
