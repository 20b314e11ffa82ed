"""Gait events on synthetic runs whose contacts are known exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from upright.errors import InsufficientDataError
from upright.kinematics.events import GaitEvents, detect_gait_events, foot_tracks
from upright.kinematics.scoring import score_events
from upright.signal.clean import clean_pose
from upright.synthetic.runner import RunnerSpec, SyntheticRun, simulate_run

DURATION_S = 10.0
CADENCE = 170.0
LEG_PARTS = ("hip", "knee", "ankle", "heel", "toe")


def _clean(ds: xr.Dataset) -> xr.Dataset:
    """The cleaning ``analyze_keypoints`` applies before detecting events."""
    return clean_pose(ds)


def _complete_contacts(run: SyntheticRun) -> pd.DataFrame:
    """True contacts whose whole stance lies inside the clip.

    The detector drops stances cut by the start or end of the clip (they have no true
    contact or toe-off), so only these can be asked for.
    """
    c = run.true_contacts
    return c[(c["contact_s"] > run.time_s[0]) & c["toe_off_s"].notna()].reset_index(drop=True)


def _foot_agreement(truth: pd.DataFrame, found: pd.DataFrame, tol_s: float) -> tuple[int, int]:
    """(matched, matched with the same foot): each true contact vs its nearest detection."""
    det = found["contact_s"].to_numpy()
    matched = same = 0
    for row in truth.itertuples():
        j = int(np.argmin(np.abs(det - row.contact_s)))
        if abs(det[j] - row.contact_s) <= tol_s:
            matched += 1
            same += int(found["foot"].iloc[j] == row.foot)
    return matched, same


@pytest.fixture(scope="module", params=[30.0, 60.0], ids=["30fps", "60fps"])
def fps(request: pytest.FixtureRequest) -> float:
    return float(request.param)


@pytest.mark.parametrize("treadmill", [True, False], ids=["treadmill", "overground"])
@pytest.mark.parametrize("direction", [1, -1], ids=["to+x", "to-x"])
def test_every_contact_found_within_one_frame(fps: float, direction: int, treadmill: bool) -> None:
    run = simulate_run(
        RunnerSpec(duration_s=DURATION_S, fps=fps, direction=direction, treadmill=treadmill)
    )
    events = detect_gait_events(_clean(run.ds))
    truth = _complete_contacts(run)
    found = events.contacts
    score = score_events(truth["contact_s"], found["contact_s"], tolerance_s=1.0 / fps)
    msg = (
        f"{fps:g} fps: {score.n_matched}/{score.n_true} contacts within one frame, "
        f"{score.n_detected} detected, median error {score.median_error_ms:+.1f} ms "
        f"(|median| {score.median_abs_error_ms:.1f} ms)"
    )
    assert score.n_matched == score.n_true == len(truth) >= 25, msg
    assert score.precision == 1.0, msg
    assert events.direction == direction
    # feet alternate, and the alternation is in step with the true feet
    feet = found["foot"].to_numpy()
    assert (feet[1:] != feet[:-1]).all()
    assert _foot_agreement(truth, found, 1.0 / fps) == (len(truth), len(truth))
    # each detected stance is a real one: toe-off after contact, before the next contact
    assert (found["toe_off_s"] > found["contact_s"]).all()
    assert (found["toe_off_s"].to_numpy()[:-1] < found["contact_s"].to_numpy()[1:]).all()
    frames = found["contact_frame"].to_numpy()
    np.testing.assert_allclose(run.time_s[frames], found["contact_s"], atol=0.5 / fps)


def test_cadence_and_leg_length_come_with_the_events(fps: float) -> None:
    run = simulate_run(RunnerSpec(duration_s=DURATION_S, fps=fps, cadence_spm=CADENCE))
    events = detect_gait_events(_clean(run.ds))
    assert events.cadence_spm == pytest.approx(CADENCE, rel=0.01)
    assert events.cadence_spm == pytest.approx(60.0 / events.step_period_s)
    # hip -> ankle, 0.491 of the body height (the synthetic's 0.530 H leg is hip height)
    assert events.leg_length_px == pytest.approx(0.491 * run.spec.height_px, rel=1e-3)


def test_given_direction_and_step_period_are_used() -> None:
    run = simulate_run(RunnerSpec(duration_s=DURATION_S))
    events = detect_gait_events(_clean(run.ds), direction=1, step_period_s=0.36)
    assert (events.direction, events.step_period_s) == (1, 0.36)
    assert events.cadence_spm == pytest.approx(60.0 / 0.36)


def test_foot_tracks_stand_in_the_ankle_for_missing_heel_and_toe() -> None:
    run = simulate_run(RunnerSpec(duration_s=1.0))
    ds = run.ds.copy(deep=True)
    kp = list(ds["keypoint"].values)
    pos = ds["position"].values
    pos[5, :, kp.index("left_heel")] = np.nan
    pos[5, :, kp.index("left_toe")] = np.nan
    pos[6, :, kp.index("left_toe")] = np.nan
    ds["position"] = (ds["position"].dims, pos)
    left = foot_tracks(ds)[0]
    assert left.side == "left"
    assert left.x[5] == pos[5, 0, kp.index("left_ankle")]
    assert left.low_y[5] == pos[5, 1, kp.index("left_ankle")]
    assert left.x[6] == pos[6, 0, kp.index("left_heel")]  # one of heel and toe is enough
    heel, toe = pos[7, :, kp.index("left_heel")], pos[7, :, kp.index("left_toe")]
    assert left.x[7] == pytest.approx((heel[0] + toe[0]) / 2)
    assert left.low_y[7] == min(heel[1], toe[1])


# ------------------------------------------------------------------ robustness


def _corrupt(
    ds: xr.Dataset, direction: int, seed: int, swap_frac: float, merge_frac: float
) -> xr.Dataset:
    """Pose-model faults of a side view.

    In ``swap_frac`` of random frames every left and right leg keypoint swap labels; in
    ``merge_frac`` of random frames the far foot (knee down) is put on the near foot.
    """
    rng = np.random.default_rng(seed)
    out = ds.copy(deep=True)
    pos = out["position"].values
    kp = list(ds["keypoint"].values)
    swap = rng.random(pos.shape[0]) < swap_frac
    for part in LEG_PARTS:
        left, right = kp.index(f"left_{part}"), kp.index(f"right_{part}")
        pos[swap, :, left], pos[swap, :, right] = pos[swap, :, right], pos[swap, :, left].copy()
    merge = rng.random(pos.shape[0]) < merge_frac
    near, far = ("left", "right") if direction == 1 else ("right", "left")
    for part in ("knee", "ankle", "heel", "toe"):
        pos[merge, :, kp.index(f"{far}_{part}")] = pos[merge, :, kp.index(f"{near}_{part}")]
    out["position"] = (ds["position"].dims, pos)
    return out


ROBUST_CASES = [(d, seed) for d in (1, -1) for seed in (0, 1)]


@pytest.mark.parametrize(("direction", "seed"), ROBUST_CASES)
def test_cadence_survives_label_swaps_and_merged_feet(direction: int, seed: int) -> None:
    run = simulate_run(RunnerSpec(duration_s=20.0, direction=direction, cadence_spm=CADENCE))
    ds = _clean(_corrupt(run.ds, direction, seed, swap_frac=0.10, merge_frac=0.05))
    events = detect_gait_events(ds)
    assert events.cadence_spm == pytest.approx(CADENCE, rel=0.02)


@pytest.mark.parametrize(("direction", "seed"), ROBUST_CASES)
def test_most_contacts_survive_label_swaps_and_merged_feet(direction: int, seed: int) -> None:
    run = simulate_run(RunnerSpec(duration_s=20.0, direction=direction, cadence_spm=CADENCE))
    ds = _clean(_corrupt(run.ds, direction, seed, swap_frac=0.10, merge_frac=0.05))
    truth = _complete_contacts(run)
    score = score_events(
        truth["contact_s"], detect_gait_events(ds).contacts["contact_s"], tolerance_s=1.0 / 30.0
    )
    assert score.recall >= 0.8, f"recall {score.recall:.2f}, precision {score.precision:.2f}"


@pytest.mark.parametrize("direction", [1, -1])
def test_far_foot_hidden_in_single_frames_is_bridged(direction: int) -> None:
    # occlusion: the far foot's confidence drops to 0 in isolated random frames; the
    # pipeline's gap filling bridges them and every contact is still found
    run = simulate_run(RunnerSpec(duration_s=DURATION_S, direction=direction))
    ds = run.ds.copy(deep=True)
    rng = np.random.default_rng(7)
    hidden = np.flatnonzero(rng.random(ds.sizes["time"]) < 0.1)
    hidden = hidden[np.diff(hidden, prepend=-2) > 1]  # isolated frames only
    far = "right" if direction == 1 else "left"
    conf = ds["confidence"].values
    kp = list(ds["keypoint"].values)
    for part in ("ankle", "heel", "toe"):
        conf[hidden, kp.index(f"{far}_{part}"), 0] = 0.0
    ds["confidence"] = (ds["confidence"].dims, conf)
    truth = _complete_contacts(run)
    found = detect_gait_events(_clean(ds)).contacts
    # a contact that falls on a hidden frame can only be placed by interpolation, so it
    # may move by one more frame; the typical contact keeps its timing
    score = score_events(truth["contact_s"], found["contact_s"], tolerance_s=2.0 / 30.0)
    assert score.recall == 1.0 and score.precision == 1.0, score
    assert score.median_abs_error_ms < 0.5 * 1000.0 / 30.0, score


# ------------------------------------------------------------------ errors


def _without(ds: xr.Dataset, keypoints: list[str]) -> xr.Dataset:
    out = ds.copy(deep=True)
    pos = out["position"].values
    for k in keypoints:
        pos[:, :, list(ds["keypoint"].values).index(k)] = np.nan
    out["position"] = (ds["position"].dims, pos)
    return out


def test_a_missing_foot_is_insufficient_data() -> None:
    ds = _without(
        simulate_run(RunnerSpec(duration_s=5.0)).ds, ["left_heel", "left_toe", "left_ankle"]
    )
    with pytest.raises(InsufficientDataError, match=r"the left foot is visible in too few frames"):
        detect_gait_events(ds)


def test_missing_feet_and_ankles_is_insufficient_data() -> None:
    feet = [f"{s}_{k}" for s in ("left", "right") for k in ("heel", "toe", "ankle")]
    ds = _without(simulate_run(RunnerSpec(duration_s=5.0)).ds, feet)
    with pytest.raises(InsufficientDataError, match=r"knee-ankle segment is visible in fewer"):
        detect_gait_events(ds, direction=1)


def test_events_are_a_frozen_record() -> None:
    events = detect_gait_events(simulate_run(RunnerSpec(duration_s=5.0)).ds)
    assert isinstance(events, GaitEvents)
    assert list(events.contacts.columns) == [
        "foot",
        "contact_s",
        "contact_frame",
        "toe_off_s",
        "toe_off_frame",
        "midstance_s",
        "pose_label",
    ]
    with pytest.raises(AttributeError):
        events.direction = -1  # type: ignore[misc]
