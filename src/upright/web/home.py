"""What a runner's home page shows, gathered from the report service (the one
``upright report`` reads): nothing is computed here that the report does not compute."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

from upright.assessment.redflags import RedFlagScreen
from upright.program.plan import STAGE_TITLES
from upright.services.report import ReportData, gather_report

__all__ = ["Missing", "home_context", "next_session"]

_LEAN = "trunk_lean_stance_deg"


@dataclass(frozen=True)
class Missing:
    """Something not recorded yet, and the page (route name) that records it; ``command``
    is the CLI way when the app has no page for it yet."""

    what: str
    route: str | None
    command: str | None = None


def next_session(data: ReportData, today: dt.date) -> Any:
    """The plan's first session on or after ``today``, or None."""
    if data.plan is None or data.plan.blocked:
        return None
    return next((s for s in data.plan.sessions if s.date >= today), None)


def _missing(data: ReportData, screen: RedFlagScreen) -> list[Missing]:
    alias = data.alias
    out: list[Missing] = []
    if data.checkup_taken is None or screen.status == "incomplete":
        out.append(Missing("A check-up answering every red-flag question", "checkup_start"))
    if screen.stop_everything:
        return out
    if not data.endurance_history:
        out.append(Missing("Endurance test results (timed or typed)", "endurance_tests"))
    if data.posture is None:
        out.append(
            Missing(
                "A video analysis of your running",
                "video_upload",
                f"upright analyze my_run.mp4 --runner {alias}",
            )
        )
    if not data.sessions:
        out.append(Missing("An exercise session log", "log_session"))
    if not data.runs:
        out.append(Missing("A run log with your pain", "log_run"))
    return out


#: The chart's inputs -> its JSON, for the last few charts drawn: building the plotly figure
#: is most of a home page's time with a long history, and it only changes when the runner
#: stores something it shows.
_FIGURES: OrderedDict[str, str | None] = OrderedDict()
_FIGURES_KEPT: Final = 16
_FIGURES_LOCK = threading.Lock()
_CHART_INPUTS: Final = {
    "alias",
    "synthetic",
    "sessions",
    "runs",
    "endurance_history",
    "lean_history",
}


def _pain_figure_json(data: ReportData) -> str | None:
    """The progress chart of the report (pain, endurance, lean over time) as plotly JSON."""
    from upright.report.report_charts import progress_figure

    key = hashlib.sha256(data.model_dump_json(include=_CHART_INPUTS).encode()).hexdigest()
    with _FIGURES_LOCK:
        if key in _FIGURES:
            _FIGURES.move_to_end(key)
            return _FIGURES[key]
    fig = progress_figure(data)
    text: str | None = None if fig is None else fig.to_json()
    with _FIGURES_LOCK:
        _FIGURES[key] = text
        while len(_FIGURES) > _FIGURES_KEPT:
            _FIGURES.popitem(last=False)
    return text


def home_context(alias: str, screen: RedFlagScreen, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the home page template reads, for ``alias`` whose screen is ``screen``."""
    today = today or dt.date.today()
    data = gather_report(alias, today=today)
    lean = data.posture.metrics.get(_LEAN) if data.posture is not None else None
    return {
        "alias": data.alias,
        "data": data,
        "screen": screen,
        "stage_title": STAGE_TITLES.get(data.level, ""),
        "next_session": next_session(data, today),
        "lean": lean,
        "missing": _missing(data, screen),
        "pain_figure": _pain_figure_json(data),
    }
