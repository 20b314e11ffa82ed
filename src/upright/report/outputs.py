"""Write an analysis to its output folder, all or nothing.

Files are written into a hidden staging folder beside the outputs and moved into place
only when every one of them succeeded; a failure removes the staging folder and leaves
what was already in the output folder untouched.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from upright.errors import InputError
from upright.io.keypoints import write_keypoints_netcdf
from upright.report.plots import write_interactive_html, write_posture_png
from upright.services.analyze import Analysis

__all__ = [
    "OUTPUT_FILES",
    "FileDone",
    "staged_output",
    "write_analysis_files",
    "write_summary_json",
]

#: Called with a file's name once it is written (progress bars count files with it).
FileDone = Callable[[str], None]

OUTPUT_FILES = (
    "summary.json",
    "strides.csv",
    "keypoints.nc",
    "posture.png",
    "posture.html",
)


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out_dir``.

    On failure the staging folder is removed, and so is ``out_dir`` if this call
    created it and it is still empty. A full disk (``ENOSPC``) is raised as an
    :class:`~upright.errors.InputError` saying so.
    """
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(
            f"cannot create the output folder ({err.strerror})",
            path=out_dir,
            fix="Choose a folder you can write to with --out",
        ) from err
    if not os.access(out_dir, os.W_OK):
        raise InputError(
            "the output folder is not writable",
            path=out_dir,
            fix="Choose a folder you can write to with --out",
        )
    stage = Path(tempfile.mkdtemp(prefix=".upright-staging-", dir=out_dir))
    ok = False
    try:
        yield stage
        for item in sorted(stage.iterdir()):
            target = out_dir / item.name
            if item.is_dir() and target.is_dir():
                shutil.rmtree(target)  # a sub-folder of an earlier run of the same job
            os.replace(item, target)
        ok = True
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise InputError(
                "disk full while writing the results; nothing was written",
                path=out_dir,
                fix="Free space and run again",
            ) from err
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not ok and created and not any(out_dir.iterdir()):
            out_dir.rmdir()


def write_summary_json(summary: BaseModel, stage: Path) -> None:
    """``summary.json``: the summary, indented, with a final newline."""
    (stage / "summary.json").write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")


def _ignore(name: str) -> None:
    return None


def write_analysis_files(analysis: Analysis, stage: Path, done: FileDone | None = None) -> None:
    """Write the :data:`OUTPUT_FILES` (summary, stride table, keypoints, plots) into
    ``stage``, calling ``done`` with each file's name once it is written."""
    done = done or _ignore
    summary = analysis.summary
    write_summary_json(summary, stage)
    done("summary.json")
    strides = analysis.strides.copy()
    if summary.synthetic:
        strides.insert(0, "synthetic", True)
    strides.round(4).to_csv(stage / "strides.csv", index=False, na_rep="")
    done("strides.csv")
    write_keypoints_netcdf(analysis.raw, stage / "keypoints.nc")
    done("keypoints.nc")
    write_posture_png(summary, analysis.frames, analysis.strides, stage / "posture.png")
    done("posture.png")
    write_interactive_html(summary, analysis.frames, analysis.strides, stage / "posture.html")
    done("posture.html")
