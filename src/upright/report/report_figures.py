"""Figures of the PDF report, drawn from :class:`~upright.services.report.ReportData`.

Each function returns PNG bytes at print resolution, or ``None`` when there is nothing to
plot. Figures are built on :class:`matplotlib.figure.Figure` directly (Agg canvas, no
pyplot state), so they are safe to draw from any thread. A report of the synthetic demo
runner carries a visible label on every figure.

- :func:`lean_over_clip_png`: per-stride trunk lean and head-trunk angle over the latest
  clip, with the fitted within-clip drift of trunk lean.
- :func:`progress_png`: pain (sessions and runs, with the pain-monitoring zones),
  endurance holds and trunk lean per analysis, on one date axis.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import pandas as pd

from upright.report._plotting import PAIN_COLOR, add_footer, test_name, trend_line
from upright.services.report import EndurancePoint, LeanPoint, ReportData, RunRow, SessionRow
from upright.summaries import AnalysisSummary, DriftSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["FIGURE_DPI", "SYNTHETIC_LABEL", "lean_over_clip_png", "progress_png"]

#: Resolution of the figures: sharp when printed at the report's width (about 18 cm).
FIGURE_DPI: Final = 170
SYNTHETIC_LABEL: Final = "SYNTHETIC DEMO RUNNER - not a real person"
_WIDTH_IN: Final = 7.2
_LEAN: Final = "trunk_lean_stance_deg"
_HEAD: Final = "head_trunk_deg"
_LEAN_COLOR: Final = "#1f6feb"
_HEAD_COLOR: Final = "#d1495b"
_SESSION_COLOR: Final = "#1f6feb"
_MORNING_COLOR: Final = "#7b2cbf"
_RUN_COLOR: Final = "#e76f51"
#: Pain-monitoring zones, 0-10 scale: 0-2 safe, 3-5 acceptable, above 5 stop
#: (Silbernagel 2007, Am J Sports Med 35:897). Edges sit halfway
#: between the integer ratings so every logged value falls inside one zone.
_PAIN_ZONES: Final = (
    (-0.5, 2.5, "#2e7d32", "safe 0-2"),
    (2.5, 5.5, "#f2a900", "acceptable 3-5"),
    (5.5, 10.5, PAIN_COLOR, "stop >5"),
)


# -- shared pieces ---------------------------------------------------------------------


def _figure(height_in: float, rows: int, *, sharex: bool) -> tuple[Figure, list[Axes]]:
    """A constrained-layout figure of ``rows`` stacked panels, room kept above and below
    for the labels :func:`_to_png` adds."""
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    layout = ConstrainedLayoutEngine(rect=(0.0, 0.03, 1.0, 0.93))
    fig = Figure(figsize=(_WIDTH_IN, height_in), layout=layout)
    axes = fig.subplots(rows, 1, sharex=sharex, squeeze=False)
    return fig, [ax for (ax,) in axes]


def _to_png(fig: Figure, title: str, *, synthetic: bool) -> bytes:
    """Title, synthetic label and footer on ``fig``, then its PNG bytes."""
    fig.text(0.01, 0.995, title, ha="left", va="top", fontsize=9.5, weight="bold")
    if synthetic:
        fig.text(
            0.99,
            0.995,
            SYNTHETIC_LABEL,
            ha="right",
            va="top",
            fontsize=8,
            weight="bold",
            color="white",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": PAIN_COLOR, "edgecolor": "none"},
        )
    add_footer(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def _placeholder(ax: Axes, text: str) -> None:
    """An empty panel that says what is missing instead of showing bare axes."""
    ax.set_yticks([])
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=9,
        color="gray",
        style="italic",
    )


def _headroom(ax: Axes, fraction: float) -> None:
    """Raise the top of the y axis so a legend in the top corner hides no data."""
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + fraction * (high - low))


def _style(ax: Axes, ylabel: str) -> None:
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)


# -- lean over the clip ----------------------------------------------------------------


def _drift(summary: AnalysisSummary, metric: str) -> DriftSummary | None:
    return next((d for d in summary.drift if d.metric == metric), None)


def _strides(summary: AnalysisSummary) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start_s": [p.start_s for p in summary.strides],
            _LEAN: [p.trunk_lean_stance_deg for p in summary.strides],
            _HEAD: [p.head_trunk_deg for p in summary.strides],
        },
        dtype=float,
    )


def _drift_label(drift: DriftSummary) -> str:
    if drift.metric != _LEAN:
        return f"fitted change {drift.change:+.1f} deg (no flag level for this angle)"
    verdict = "FLAGGED" if drift.flagged else "not flagged"
    return (
        f"drift {drift.change:+.1f} deg over {drift.span_s:.0f} s "
        f"(95% CI {drift.ci95_low:+.1f} to {drift.ci95_high:+.1f}): {verdict}, "
        f"flag level {drift.threshold:.0f} deg"
    )


def _stride_panel(
    ax: Axes, summary: AnalysisSummary, strides: pd.DataFrame, column: str, color: str
) -> None:
    """One angle per stride, its median and, when a drift was fitted, the fitted line."""
    data = strides[["start_s", column]].dropna()
    if data.empty:
        _placeholder(ax, "no per-stride values stored for this angle")
        return
    ax.plot(data["start_s"], data[column], "o", color=color, ms=3, alpha=0.7, label="each stride")
    metric = summary.metrics.get(column)
    if metric is not None:
        ax.axhline(metric.value, color=color, lw=1, ls="--", label=f"median {metric.value:.1f} deg")
    drift = _drift(summary, column)
    line = trend_line(data["start_s"], data[column])
    if drift is not None and line is not None:
        ax.plot(*line, "-", color="black", lw=2, label="fitted line")
        ax.set_title(_drift_label(drift), loc="left", fontsize=8)
    _headroom(ax, 0.3)
    ax.legend(loc="upper left", fontsize=7, ncol=3, framealpha=0.9)


def lean_over_clip_png(data: ReportData) -> bytes | None:
    """Trunk lean and head-trunk angle per stride over the latest clip, as PNG bytes.

    The black line is the least-squares fit through the strides, the line whose change
    from first to last stride the summary's drift reports. ``None`` when no analysis is
    stored or it holds no per-stride values (analyses from an older upright).

    Notes
    -----
    The drift flag level (3 deg, and beyond the runner's own MDC) is from Koblbauer 2014,
    JSAMS 17:419.
    """
    summary = data.posture
    if summary is None:
        return None
    strides = _strides(summary)
    if strides[[_LEAN, _HEAD]].isna().all().all():
        return None
    fig, (lean_ax, head_ax) = _figure(3.9, 2, sharex=True)
    _stride_panel(lean_ax, summary, strides, _LEAN, _LEAN_COLOR)
    _style(lean_ax, "trunk lean (deg)\n+ forward")
    _stride_panel(head_ax, summary, strides, _HEAD, _HEAD_COLOR)
    _style(head_ax, "head-trunk (deg)\n+ head back")
    head_ax.set_xlabel("time in clip (s)", fontsize=8)
    when = f"{data.posture_when.date().isoformat()}, " if data.posture_when else ""
    title = f"Per-stride posture, latest clip ({when}{len(strides)} strides)"
    return _to_png(fig, title, synthetic=data.synthetic or summary.synthetic)


# -- progress over time ----------------------------------------------------------------


def _when(value: dt.date | dt.datetime) -> float:
    """Dates (drawn at noon) and UTC times as matplotlib day numbers on one axis."""
    import matplotlib.dates as mdates

    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(12, 0))
    return float(mdates.date2num(value.replace(tzinfo=None)))  # type: ignore[no-untyped-call]


def _pain_panel(ax: Axes, sessions: Sequence[SessionRow], runs: Sequence[RunRow]) -> None:
    for low, high, color, label in _PAIN_ZONES:
        ax.axhspan(low, high, color=color, alpha=0.12, lw=0)
        ax.text(
            1.005,
            (low + high) / 2,
            label,
            transform=ax.get_yaxis_transform(),
            fontsize=7,
            va="center",
            ha="left",
            color=color,
        )
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks([0, 2, 5, 8, 10])
    _style(ax, "pain 0-10")
    if not sessions and not runs:
        _placeholder(ax, "no sessions or runs logged yet")
        return
    if sessions:
        days = [_when(s.day) for s in sessions]
        ax.plot(
            days,
            [s.pain_during for s in sessions],
            "o-",
            color=_SESSION_COLOR,
            ms=4,
            lw=1,
            label="session, during",
        )
        morning = [
            (d, s.pain_next_morning)
            for d, s in zip(days, sessions, strict=True)
            if s.pain_next_morning is not None
        ]
        if morning:
            ax.plot(
                *zip(*morning, strict=True),
                "s--",
                color=_MORNING_COLOR,
                ms=4,
                lw=0.8,
                mfc="none",
                label="session, next morning",
            )
    if runs:
        ax.plot(
            [_when(r.day) for r in runs],
            [r.pain_during for r in runs],
            "^-",
            color=_RUN_COLOR,
            ms=5,
            lw=1,
            label="run, during",
        )
    ax.legend(loc="upper right", fontsize=7, ncol=3, framealpha=0.9)


def _endurance_panel(ax: Axes, history: Sequence[EndurancePoint]) -> None:
    _style(ax, "hold (s)")
    holds = [p for p in history if p.unit == "s"]
    if not holds:
        _placeholder(ax, "no timed endurance holds recorded yet")
        return
    fields = list(dict.fromkeys(p.field for p in holds))
    for field in fields:
        points = [p for p in holds if p.field == field]
        ax.plot(
            [_when(p.when) for p in points],
            [p.value for p in points],
            "o-",
            ms=4,
            lw=1.2,
            label=test_name(field),
        )
    ax.set_ylim(bottom=0)
    _headroom(ax, 0.35)
    ax.legend(loc="upper left", fontsize=7, ncol=3, framealpha=0.9)


def _lean_panel(ax: Axes, history: Sequence[LeanPoint]) -> None:
    _style(ax, "trunk lean (deg)")
    if not history:
        _placeholder(ax, "no video analysis stored yet")
        return
    whens = [_when(p.when) for p in history]
    ax.errorbar(
        whens,
        [p.median_deg for p in history],
        yerr=[p.spread_deg for p in history],
        fmt="o-",
        color=_LEAN_COLOR,
        ms=5,
        lw=1,
        capsize=4,
        label="median +/- SD across strides",
    )
    flagged = [(w, p.median_deg) for w, p in zip(whens, history, strict=True) if p.drift_flagged]
    if flagged:
        ax.plot(
            *zip(*flagged, strict=True),
            "o",
            ms=11,
            mfc="none",
            mec=PAIN_COLOR,
            mew=1.5,
            label="within-clip drift flagged",
        )
    for w, p in zip(whens, history, strict=True):
        ax.annotate(
            f"{p.median_deg:.1f}",
            (w, p.median_deg),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=7,
        )
    ax.legend(loc="upper right", fontsize=7, framealpha=0.9)


def _date_axis(ax: Axes, whens: Sequence[float]) -> None:
    """Dates on the shared x axis, padded so one day alone still reads as a date."""
    import matplotlib.dates as mdates

    pad = max(1.0, (max(whens) - min(whens)) * 0.04)
    ax.set_xlim(min(whens) - pad, max(whens) + pad)
    locator = mdates.AutoDateLocator(maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _all_dates(data: ReportData) -> list[float]:
    return (
        [_when(s.day) for s in data.sessions]
        + [_when(r.day) for r in data.runs]
        + [_when(p.when) for p in data.endurance_history]
        + [_when(p.when) for p in data.lean_history]
    )


def progress_png(data: ReportData) -> bytes | None:
    """Pain, endurance holds and trunk lean over the dates logged, as PNG bytes.

    Three panels share the date axis; a panel with nothing recorded says so. ``None``
    when nothing at all is logged, tested or analysed.

    Notes
    -----
    Pain zones: 0-2 safe, 3-5 acceptable, above 5 stop (pain-monitoring model,
    Silbernagel 2007, Am J Sports Med 35:897, extrapolated from Achilles tendinopathy).
    """
    whens = _all_dates(data)
    if not whens:
        return None
    fig, (pain_ax, hold_ax, lean_ax) = _figure(6.2, 3, sharex=True)
    _pain_panel(pain_ax, data.sessions, data.runs)
    _endurance_panel(hold_ax, data.endurance_history)
    _lean_panel(lean_ax, data.lean_history)
    _date_axis(lean_ax, whens)
    return _to_png(fig, "Progress over time", synthetic=data.synthetic)
