"""Write a comparison across clips to its output folder (staged, all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from upright.report.compare_plots import write_compare_html, write_compare_png
from upright.report.outputs import write_summary_json
from upright.summaries import CompareSummary

__all__ = ["COMPARE_FILES", "clips_table", "write_compare_files"]

COMPARE_FILES = ("summary.json", "clips.csv", "compare.png", "compare.html")

_SHORT = {"trunk_lean_stance_deg": "lean", "head_trunk_deg": "head_trunk"}


def clips_table(summary: CompareSummary) -> pd.DataFrame:
    """One row per clip: its point and set-up, and for each metric the median with its
    interval, SD, and the change from the first clip with its interval, MDC and flag."""
    rows: list[dict[str, Any]] = []
    for clip in summary.clips:
        row: dict[str, Any] = {
            "clip": clip.index,
            "file": clip.file,
            f"point_{summary.unit}": clip.point,
            "kind": clip.kind,
            "from_cache": clip.from_cache,
            "pose_source": clip.pose_source,
            "direction": clip.direction,
            "tilt_deg": clip.tilt_deg,
            "n_strides": clip.n_strides,
        }
        for m in summary.metrics:
            short = _SHORT.get(m.metric, m.metric)
            lv = m.levels[clip.index - 1]
            ch = next((c for c in m.changes if c.index == clip.index), None)
            row.update(
                {
                    f"{short}_median_deg": lv.median,
                    f"{short}_ci95_low_deg": lv.ci95_low,
                    f"{short}_ci95_high_deg": lv.ci95_high,
                    f"{short}_sd_deg": lv.sd,
                    f"{short}_n_strides": lv.n_strides,
                    f"{short}_change_deg": ch.change if ch else None,
                    f"{short}_change_ci95_low_deg": ch.ci95_low if ch else None,
                    f"{short}_change_ci95_high_deg": ch.ci95_high if ch else None,
                    f"{short}_mdc95_deg": ch.mdc95 if ch else None,
                    f"{short}_flagged": ch.flagged if ch else None,
                }
            )
        rows.append(row)
    table = pd.DataFrame(rows)
    if summary.synthetic:
        table.insert(0, "synthetic", True)
    return table


def write_compare_files(summary: CompareSummary, stage: Path) -> None:
    """Write summary.json, clips.csv, compare.png and compare.html into ``stage``."""
    write_summary_json(summary, stage)
    clips_table(summary).to_csv(stage / "clips.csv", index=False, na_rep="")
    write_compare_png(summary, stage / "compare.png")
    write_compare_html(summary, stage / "compare.html")
