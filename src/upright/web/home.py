"""What a runner's home page shows, gathered from the report service (the one
``upright report`` reads): nothing is computed here that the report does not compute."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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


def _pain_figure_json(data: ReportData) -> str | None:
    from upright.report.report_charts import progress_figure

    fig = progress_figure(data)
    if fig is None:
        return None
    text: str = fig.to_json()
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
