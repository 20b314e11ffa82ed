"""Gait events against force-plate contacts of a real run.

RBDS001, 30 s at 3.5 m/s on an instrumented treadmill (Fukuchi, Fukuchi & Duarte 2017,
PeerJ 5:e3298): markers projected to a side view, resampled to a video frame rate and
cleaned as the pipeline cleans pose data; the vertical force gives the true contacts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from upright.io.c3d import read_c3d_side_view, read_force_plate_contacts
from upright.kinematics.events import GaitEvents, detect_gait_events
from upright.kinematics.scoring import score_events
from upright.signal.filters import fill_gaps, lowpass

RUN = "mocap/RBDS001runT35.c3d"


@pytest.fixture(scope="module")
def run_path(shared_data: Path) -> Path:
    return shared_data / RUN


@pytest.fixture(scope="module")
def plate(run_path: Path) -> pd.DataFrame:
    return read_force_plate_contacts(run_path)


def _events(run_path: Path, fps: float, view: str = "right") -> GaitEvents:
    ds = read_c3d_side_view(run_path, fps=fps, view=view, sole_level=True)  # type: ignore[arg-type]
    return detect_gait_events(lowpass(fill_gaps(ds)))


@pytest.mark.parametrize("view", ["right", "left"])
def test_every_contact_found_within_one_frame_at_30_fps(
    run_path: Path, plate: pd.DataFrame, view: str
) -> None:
    events = _events(run_path, 30.0, view)
    score = score_events(plate["contact_s"], events.contacts["contact_s"], tolerance_s=0.1)
    msg = (
        f"recall {score.recall:.3f}, precision {score.precision:.3f}, median |error| "
        f"{score.median_abs_error_ms:.1f} ms, median error {score.median_error_ms:+.1f} ms"
    )
    assert score.recall == 1.0, msg
    assert score.precision == 1.0, msg
    # CLINICAL.md section 6: at 30 fps contact timing is good to about one frame
    assert score.median_abs_error_ms <= 1000.0 / 30.0, msg
    assert events.direction == (1 if view == "right" else -1)


def test_feet_and_cadence_agree_with_the_plate(run_path: Path, plate: pd.DataFrame) -> None:
    found = _events(run_path, 30.0).contacts
    det = found["contact_s"].to_numpy()
    nearest = [int(np.argmin(np.abs(det - t))) for t in plate["contact_s"]]
    assert (found["foot"].to_numpy()[nearest] == plate["foot"].to_numpy()).all()
    # cadence: steps over the span of the plate's contacts
    t = plate["contact_s"].to_numpy()
    true_spm = 60.0 * (t.size - 1) / (t[-1] - t[0])
    assert _events(run_path, 30.0).cadence_spm == pytest.approx(true_spm, rel=0.01)


def test_contact_time_within_one_and_a_half_frames_at_100_fps(
    run_path: Path, plate: pd.DataFrame
) -> None:
    found = _events(run_path, 100.0).contacts
    det = found["contact_s"].to_numpy()
    errors_ms = []
    for row in plate.itertuples():
        j = int(np.argmin(np.abs(det - row.contact_s)))
        if abs(det[j] - row.contact_s) <= 0.05:
            measured = found["toe_off_s"].iloc[j] - found["contact_s"].iloc[j]
            errors_ms.append(1000.0 * (measured - row.stance_s))
    errors = np.array(errors_ms)
    assert errors.size >= 0.95 * len(plate)
    assert abs(np.nanmedian(errors)) <= 15.0, (
        f"median contact-time error {np.nanmedian(errors):+.1f} ms"
    )
