"""Plots of a comparison across clips: trunk lean and head-trunk against distance or time.

Each clip is a point (median) with its 95% interval; the first clip's interval is drawn
as a band across the plot, flagged changes are marked, and a labelled dashed line shows
where the pain started (an onset given in the other unit is named under the title, as not
placed). The HTML embeds plotly.js from the installed plotly package, so it works offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from upright.report._plotting import (
    PAIN_COLOR,
    add_footer,
    add_pain_vlines,
    label_pain_line,
    layout,
    save_png,
    write_plotly_html,
    x_label,
)
from upright.summaries import CompareSummary, MetricComparisonSummary

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

__all__ = [
    "compare_figure",
    "compare_plotly_figure",
    "pain_label",
    "write_compare_html",
    "write_compare_png",
]

_COLORS = {"trunk_lean_stance_deg": "#1f6feb", "head_trunk_deg": "#d1495b"}
_LABELS = {
    "trunk_lean_stance_deg": "Trunk lean (deg, + forward)",
    "head_trunk_deg": "Head-trunk (deg, + head back)",
}
_FLAG_COLOR = "#b00020"


def _title(summary: CompareSummary) -> str:
    label = "SYNTHETIC - " if summary.synthetic else ""
    return f"{label}Posture across {len(summary.clips)} clips of one run"


def _pain_x(summary: CompareSummary) -> float | None:
    """Where the pain onset goes on the x axis; None when not given or not on this axis."""
    onset = summary.pain_onset
    if onset is None or not onset.on_axis:
        return None
    return onset.km if summary.unit == "km" else onset.minute


def pain_label(summary: CompareSummary) -> str | None:
    """The label of the pain onset in the plots: by its line, or (given in the other
    unit) under the title, saying it is not placed on this axis."""
    onset = summary.pain_onset
    if onset is None:
        return None
    at = f"{onset.km:g} km" if onset.km is not None else f"min {onset.minute:g}"
    if onset.on_axis:
        return f"pain starts {at}"
    axis = "distance" if summary.unit == "km" else "time"
    return f"pain starts {at} - not on this {axis} axis"


def _flagged_points(m: MetricComparisonSummary) -> tuple[list[float], list[float]]:
    flagged = {c.index for c in m.changes if c.flagged}
    pts = [(lv.point, lv.median) for lv in m.levels if lv.index in flagged]
    return [p for p, _ in pts], [v for _, v in pts]


def compare_figure(summary: CompareSummary) -> Figure:
    """One panel per compared metric: clip medians with 95% intervals against the
    clips' points, the first clip's interval as a band, flagged changes in red, the pain
    onset as a labelled dashed line. The caller closes the figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = max(len(summary.metrics), 1)
    fig, axes = plt.subplots(n, 1, figsize=(8, 3.2 * n + 0.6), squeeze=False, sharex=True)
    pain_x, label = _pain_x(summary), pain_label(summary)
    for ax, m in zip(axes[:, 0], summary.metrics, strict=False):
        color = _COLORS.get(m.metric, "#333333")
        x = [lv.point for lv in m.levels]
        y = [lv.median for lv in m.levels]
        err = [
            [lv.median - lv.ci95_low for lv in m.levels],
            [lv.ci95_high - lv.median for lv in m.levels],
        ]
        first = m.levels[0]
        ax.axhspan(first.ci95_low, first.ci95_high, color=color, alpha=0.12, label="clip 1, 95% CI")
        ax.errorbar(x, y, yerr=err, fmt="o-", color=color, capsize=4, label="median, 95% CI")
        fx, fy = _flagged_points(m)
        if fx:
            ax.plot(fx, fy, "o", ms=13, mfc="none", mec=_FLAG_COLOR, mew=2, label="flagged change")
        for ch in m.changes:
            lv = m.levels[ch.index - 1]
            ax.annotate(
                f"{ch.change:+.1f}",
                (lv.point, lv.ci95_high),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontsize=8,
                color=_FLAG_COLOR if ch.flagged else "black",
            )
        if pain_x is not None:
            ax.axvline(pain_x, color=PAIN_COLOR, ls="--", lw=1.5, label="pain starts")
        ax.margins(y=0.15)
        ax.set_ylabel(_LABELS.get(m.metric, m.metric))
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8, framealpha=0.9)
    top = axes[0, 0]
    if pain_x is not None and label is not None:
        label_pain_line(top, pain_x, label)
    elif label is not None:
        top.set_title(label, color=PAIN_COLOR, fontsize=8)
    axes[-1, 0].set_xlabel(x_label(summary.unit == "km"))
    fig.suptitle(_title(summary), fontsize=11)
    add_footer(fig)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def write_compare_png(summary: CompareSummary, path: Path) -> None:
    """:func:`compare_figure`, saved as a PNG."""
    save_png(compare_figure(summary), path)


def write_compare_html(summary: CompareSummary, path: Path) -> None:
    """Interactive version of :func:`write_compare_png`, plotly.js inline."""
    pain = [] if summary.pain_onset is None else [summary.pain_onset.description]
    notes = "".join(f"<li>{w}</li>" for w in [*pain, *summary.setup_warnings, *summary.notes])
    fig = compare_plotly_figure(summary)
    write_plotly_html(fig, path, f"<ul style='font-family:sans-serif;color:#555'>{notes}</ul>")


def compare_plotly_figure(summary: CompareSummary) -> go.Figure:
    """Each metric's median per clip (95% CI) against the point of the run, flagged
    changes circled, the pain onset marked: the interactive figure of the comparison."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    n = max(len(summary.metrics), 1)
    fig = make_subplots(
        rows=n,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=[_LABELS.get(m.metric, m.metric) for m in summary.metrics] or None,
    )
    for r, m in enumerate(summary.metrics, start=1):
        color = _COLORS.get(m.metric, "#333333")
        first = m.levels[0]
        fig.add_hrect(
            y0=first.ci95_low, y1=first.ci95_high, fillcolor=color, opacity=0.12, line_width=0,
            row=r, col=1,
        )  # fmt: skip
        changes = {c.index: c for c in m.changes}
        text = [
            f"clip {lv.index}: n={lv.n_strides}, SD {lv.sd:.1f}"
            + (f"<br>{changes[lv.index].reason}" if lv.index in changes else "")
            for lv in m.levels
        ]
        fig.add_trace(
            go.Scatter(
                x=[lv.point for lv in m.levels],
                y=[lv.median for lv in m.levels],
                mode="markers+lines",
                marker={"color": color, "size": 9},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [lv.ci95_high - lv.median for lv in m.levels],
                    "arrayminus": [lv.median - lv.ci95_low for lv in m.levels],
                },
                text=text,
                hovertemplate="%{x}: %{y:.1f} deg<br>%{text}<extra></extra>",
                name=m.metric,
            ),
            row=r,
            col=1,
        )
        fx, fy = _flagged_points(m)
        if fx:
            fig.add_trace(
                go.Scatter(
                    x=fx,
                    y=fy,
                    mode="markers",
                    marker={
                        "size": 18,
                        "color": "rgba(0,0,0,0)",
                        "line": {"color": _FLAG_COLOR, "width": 2},
                    },
                    name=f"{m.metric} flagged",
                ),
                row=r,
                col=1,
            )
    pain_x, label = _pain_x(summary), pain_label(summary)
    title = _title(summary)
    if pain_x is not None:
        add_pain_vlines(fig, pain_x, n)
        fig.add_annotation(
            x=pain_x,
            y=1.0,
            xref="x",
            yref="paper",
            text=label,
            showarrow=False,
            font={"color": PAIN_COLOR},
            yanchor="bottom",
        )
    elif label is not None:
        title += f"<br><span style='font-size:12px;color:{PAIN_COLOR}'>{label}</span>"
    fig.update_xaxes(title_text=x_label(summary.unit == "km"), row=n, col=1)
    layout(fig, height=350 * n + 100, title=title, legend_y=-0.12)
    return fig
