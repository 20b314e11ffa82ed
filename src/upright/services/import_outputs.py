"""What a finished ``run`` or ``imu`` job left in its folder, read back: the summary
``upright import`` / ``upright imu`` writes, and the figure the job kept as plotly JSON.

The folder is written all or nothing by the job; these readers say which file is
missing or damaged otherwise. Nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from upright.errors import InputError
from upright.services.job_outputs import read_summary
from upright.summaries import ImuSummary, RunSummary

__all__ = ["ImuOutputs", "RunOutputs", "read_imu_outputs", "read_run_outputs"]

_FIGURE = "figure.json"


@dataclass(frozen=True)
class RunOutputs:
    """A watch file's folder: its summary and its figure (plotly JSON text)."""

    folder: Path
    summary: RunSummary
    figure_json: str


@dataclass(frozen=True)
class ImuOutputs:
    """A sensor recording's folder: its summary and its figure (plotly JSON text)."""

    folder: Path
    summary: ImuSummary
    figure_json: str


def _figure(folder: Path) -> str:
    path = folder / _FIGURE
    if not path.is_file():
        raise InputError(
            f"the job's results have no {_FIGURE} (the folder was moved or cleaned up)",
            path=folder,
            fix="Upload the file again",
        )
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
    except (OSError, ValueError) as err:
        raise InputError(
            f"the job's {_FIGURE} is damaged", path=path, fix="Upload the file again"
        ) from err
    return text


def read_run_outputs(folder: Path) -> RunOutputs:
    """The run a ``run`` job wrote into ``folder``.

    Raises
    ------
    InputError
        A file is missing or damaged.
    """
    return RunOutputs(folder, read_summary(folder, RunSummary), _figure(folder))


def read_imu_outputs(folder: Path) -> ImuOutputs:
    """The recording an ``imu`` job wrote into ``folder``.

    Raises
    ------
    InputError
        A file is missing or damaged.
    """
    return ImuOutputs(folder, read_summary(folder, ImuSummary), _figure(folder))
