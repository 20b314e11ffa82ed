"""Per-stride metrics against the synthetic runner's exact values.

Units: the synthetic runner states its gait in *its* leg length, the standing hip height
(0.530 H); upright measures in hip-to-ankle leg lengths (thigh + shank, 0.491 H,
Winter 2009). Distances are therefore compared in pixels: ``value_leg * leg_px``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from upright.kinematics.angles import compute_head_trunk_deg, compute_trunk_lean_deg
from upright.kinematics.events import GaitEvents, detect_gait_events
from upright.kinematics.strides import (
    HIP_TO_ANKLE_PER_HEIGHT,
    MIN_CONTACT_TIME_FPS,
    STRIDE_COLUMNS,
    compute_stride_table,
    compute_strides,
)
from upright.signal.filters import lowpass
from upright.synthetic.runner import ANKLE_H, HIP_H, RunnerSpec, SyntheticRun, simulate_run

HEIGHT_CM = 180.0


def _table(
    run: SyntheticRun, height_cm: float | None = HEIGHT_CM
) -> tuple[pd.DataFrame, GaitEvents]:
    ds = lowpass(run.ds)
    events = detect_gait_events(ds)
    d = events.direction
    lean = compute_trunk_lean_deg(ds, d)
    head, _ = compute_head_trunk_deg(ds, d)
    return compute_stride_table(ds, events, lean, head, height_cm=height_cm), events


def _true_contact(run: SyntheticRun, start_s: float) -> pd.Series:
    c = run.true_contacts
    return c.iloc[int(np.argmin(np.abs(c["contact_s"].to_numpy() - start_s)))]


@pytest.fixture(scope="module", params=[1, -1], ids=["to+x", "to-x"])
def run30(request: pytest.FixtureRequest) -> SyntheticRun:
    return simulate_run(RunnerSpec(duration_s=10.0, fps=30.0, direction=request.param))


@pytest.fixture(scope="module")
def table30(run30: SyntheticRun) -> tuple[pd.DataFrame, GaitEvents]:
    return _table(run30)


def test_one_row_per_complete_stride(
    run30: SyntheticRun, table30: tuple[pd.DataFrame, GaitEvents]
) -> None:
    table, events = table30
    assert list(table.columns) == STRIDE_COLUMNS
    # every true stride whose start has a complete stance is there, and nothing else
    truth = run30.true_strides
    truth = truth[truth["start_s"] > 0]
    assert len(table) == len(truth) >= 20
    assert (table["stride"] == np.arange(1, len(table) + 1)).all()
    for row in table.itertuples():
        c = _true_contact(run30, row.start_s)
        assert row.foot == c["foot"]
        assert abs(row.start_s - c["contact_s"]) <= 1 / 30
    assert table["stride_time_s"].to_numpy() == pytest.approx(2 * 60 / 170, abs=1 / 30)
    assert table["cadence_spm"].median() == pytest.approx(170.0, rel=0.01)
    assert len(compute_strides(events)) == len(table)


def test_trunk_lean_over_stance_matches_the_true_mean(
    run30: SyntheticRun, table30: tuple[pd.DataFrame, GaitEvents]
) -> None:
    table, _ = table30
    t = run30.time_s
    for row in table.itertuples():
        c = _true_contact(run30, row.start_s)
        stance = (t >= c["contact_s"]) & (t < c["toe_off_s"])
        true_mean = float(np.mean(run30.trunk_lean_deg[stance]))
        assert row.trunk_lean_stance_deg == pytest.approx(true_mean, abs=0.5), row.stride
        # midstance: the lean is smooth, so the stance mean is close to it too
        assert row.trunk_lean_midstance_deg == pytest.approx(true_mean, abs=0.5), row.stride


def test_head_trunk_is_the_mean_over_the_stride(
    run30: SyntheticRun, table30: tuple[pd.DataFrame, GaitEvents]
) -> None:
    table, _ = table30
    t = run30.time_s
    for row in table.itertuples():
        sel = (t >= row.start_s) & (t < row.end_s)
        assert row.head_trunk_deg == pytest.approx(np.mean(run30.head_trunk_deg[sel]), abs=0.1)


def test_overstride_and_vertical_oscillation_in_leg_lengths(
    run30: SyntheticRun, table30: tuple[pd.DataFrame, GaitEvents]
) -> None:
    table, events = table30
    spec = run30.spec
    leg = events.leg_length_px
    assert leg == pytest.approx((HIP_H - ANKLE_H) * spec.height_px, rel=1e-3)
    true_overstride_px = spec.overstride_leg * run30.leg_length_px
    true_vo_px = spec.vertical_oscillation_leg * run30.leg_length_px
    assert table["leg_visible"].all()
    np.testing.assert_allclose(table["overstride_leg"] * leg, true_overstride_px, atol=0.03 * leg)
    np.testing.assert_allclose(table["vertical_oscillation_leg"] * leg, true_vo_px, atol=0.01 * leg)


def test_vertical_oscillation_in_cm_from_body_height(
    run30: SyntheticRun, table30: tuple[pd.DataFrame, GaitEvents]
) -> None:
    table, _ = table30
    # 1 px = HEIGHT_CM / height_px cm, so the true oscillation in cm is exact
    true_cm = run30.spec.vertical_oscillation_leg * HIP_H * HEIGHT_CM
    np.testing.assert_allclose(
        table["vertical_oscillation_cm"],
        table["vertical_oscillation_leg"] * HIP_TO_ANKLE_PER_HEIGHT * HEIGHT_CM,
        rtol=1e-12,
    )
    np.testing.assert_allclose(table["vertical_oscillation_cm"], true_cm, atol=0.3)


def test_cm_is_nan_without_height(run30: SyntheticRun) -> None:
    table, _ = _table(run30, height_cm=None)
    assert table["vertical_oscillation_cm"].isna().all()
    assert table["vertical_oscillation_leg"].notna().all()


def test_contact_time_is_withheld_below_50_fps(
    table30: tuple[pd.DataFrame, GaitEvents],
) -> None:
    table, _ = table30
    assert MIN_CONTACT_TIME_FPS == 50.0
    assert table["ground_contact_ms"].isna().all()
    assert table["toe_off_s"].notna().all()  # toe-off is still found, only withheld


def test_leg_not_seen_at_contact_withholds_overstride_and_knee() -> None:
    run = simulate_run(RunnerSpec(duration_s=6.0))
    ds = lowpass(run.ds)
    events = detect_gait_events(ds)
    first = events.contacts.iloc[0]
    side, frame = str(first["pose_label"]), int(first["contact_frame"])
    pos = ds["position"].values.copy()
    kp = list(ds["keypoint"].values)
    pos[:, :, kp.index(f"{side}_knee")] = np.nan  # knee never seen on that side
    blind = ds.copy()
    blind["position"] = (ds["position"].dims, pos)
    lean = compute_trunk_lean_deg(blind, events.direction)
    head, _ = compute_head_trunk_deg(blind, events.direction)
    table = compute_stride_table(blind, events, lean, head)
    mine = table[
        table["start_s"].isin(events.contacts["contact_s"][events.contacts["pose_label"] == side])
    ]
    assert len(mine) > 0 and frame >= 0
    assert (~mine["leg_visible"]).all()
    assert mine["overstride_leg"].isna().all() and mine["knee_flexion_contact_deg"].isna().all()
    others = table.drop(mine.index)
    assert others["leg_visible"].all() and others["overstride_leg"].notna().all()


@pytest.mark.xfail(
    strict=True,
    reason=(
        "synthetic model vs detector: the synthetic toe leaves the ground with zero "
        "vertical speed (sin^2 lift), so it reaches the 0.03-leg toe-off level about "
        "39 ms after the true toe-off; measured contact times run ~44 ms long (see the "
        "report; against the force plate the median error is ~1 ms)"
    ),
)
def test_contact_time_within_one_and_a_half_frames_at_100_fps() -> None:
    run = simulate_run(RunnerSpec(duration_s=6.0, fps=100.0))
    table, _ = _table(run)
    true_ms = 1000.0 * run.true_strides["contact_time_s"].iloc[0]
    errors = table["ground_contact_ms"] - true_ms
    assert errors.notna().all()
    assert np.abs(errors).max() <= 15.0, f"contact time errors {errors.round(1).tolist()} ms"
