"""The report's files: ``report.html`` (offline), ``report.pdf``, ``report.json`` and, when
the plan is not blocked, ``plan.ics``. Written into a staging folder by the caller."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from upright.program import plan_to_ics
from upright.report.report_html import render_report_html
from upright.services.report import ReportData

__all__ = ["REPORT_FILES", "write_report_files"]

REPORT_FILES: Final = ("report.html", "report.pdf", "report.json", "plan.ics")


def write_report_files(data: ReportData, stage: Path, *, still_jpeg: bytes | None) -> list[str]:
    """Write the report's files into ``stage``; return the names written."""
    from upright.report.report_pdf import write_report_pdf

    (stage / "report.html").write_text(
        render_report_html(data, still_jpeg=still_jpeg), encoding="utf-8"
    )
    write_report_pdf(data, stage / "report.pdf", still_jpeg=still_jpeg)
    (stage / "report.json").write_text(data.model_dump_json(indent=2) + "\n", encoding="utf-8")
    names = ["report.html", "report.pdf", "report.json"]
    if data.plan is not None and not data.plan.blocked and data.plan.sessions:
        (stage / "plan.ics").write_text(plan_to_ics(data.plan), encoding="utf-8", newline="")
        names.append("plan.ics")
    return names
