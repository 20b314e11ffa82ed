"""The report's files: ``report.html`` (offline), ``report.pdf``, ``report.json`` and, when
the plan is not blocked, ``plan.ics``. Written into a staging folder by the caller."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from upright.program import plan_to_ics
from upright.report.outputs import FileDone
from upright.report.report_html import render_report_html
from upright.services.report import ReportData

__all__ = ["REPORT_FILES", "report_file_names", "write_report_files"]

REPORT_FILES: Final = ("report.html", "report.pdf", "report.json", "plan.ics")


def report_file_names(data: ReportData) -> list[str]:
    """The files :func:`write_report_files` writes for ``data`` (``plan.ics`` only for a
    plan that is not blocked)."""
    with_plan = data.plan is not None and not data.plan.blocked and bool(data.plan.sessions)
    return [name for name in REPORT_FILES if with_plan or name != "plan.ics"]


def write_report_files(
    data: ReportData, stage: Path, *, still_jpeg: bytes | None, done: FileDone | None = None
) -> list[str]:
    """Write the report's files into ``stage``, calling ``done`` with each file's name
    once it is written; return the names written."""
    from upright.report.report_pdf import write_report_pdf

    tick = done or _ignore
    names = report_file_names(data)
    (stage / "report.html").write_text(
        render_report_html(data, still_jpeg=still_jpeg), encoding="utf-8"
    )
    tick("report.html")
    write_report_pdf(data, stage / "report.pdf", still_jpeg=still_jpeg)
    tick("report.pdf")
    (stage / "report.json").write_text(data.model_dump_json(indent=2) + "\n", encoding="utf-8")
    tick("report.json")
    if data.plan is not None and "plan.ics" in names:
        (stage / "plan.ics").write_text(plan_to_ics(data.plan), encoding="utf-8", newline="")
        tick("plan.ics")
    return names


def _ignore(name: str) -> None:
    return None
