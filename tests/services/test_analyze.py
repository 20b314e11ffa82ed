"""The analyze use case on the synthetic runner, whose every answer is known.

The default :class:`RunnerSpec` runs 60 s at 170 steps/min with the trunk lean rising
linearly from 6 to 11 deg (plus 1 deg stride-to-stride noise) and the head-trunk angle
from 8 to 14 deg: a fatigue drift of +5 deg and +6 deg.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import xarray as xr

import upright
from upright.errors import InsufficientDataError, QualityError, UprightError
from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints
from upright.summaries.analysis import SCHEMA_VERSION, DriftSummary, schema_json
from upright.synthetic.runner import RunnerSpec, SyntheticRun, simulate_run

SCHEMA_FILE = Path(upright.__file__).resolve().parent / "schemas" / "upright.analysis-1.schema.json"
LEAN_TOL_DEG = 0.7
FEET = ("left_heel", "right_heel", "left_toe", "right_toe", "left_ankle", "right_ankle")


def _true_median_lean(run: SyntheticRun) -> float:
    return float(np.median(run.true_strides["trunk_lean_deg"]))


def _lean(a: Analysis) -> float:
    return a.summary.metrics["trunk_lean_stance_deg"].value


def _drift(a: Analysis, metric: str) -> DriftSummary:
    return next(d for d in a.summary.drift if d.metric == metric)


@pytest.fixture(scope="module")
def run() -> SyntheticRun:
    return simulate_run(RunnerSpec())


@pytest.fixture(scope="module")
def analysis(run: SyntheticRun) -> Analysis:
    return analyze_keypoints(run.ds, source_kind="synthetic")


@pytest.fixture(scope="module")
def tilted() -> SyntheticRun:
    return simulate_run(RunnerSpec(camera_tilt_deg=5.0))


# ------------------------------------------------------------------ accuracy


def test_median_trunk_lean(run: SyntheticRun, analysis: Analysis) -> None:
    assert _lean(analysis) == pytest.approx(_true_median_lean(run), abs=LEAN_TOL_DEG)
    head = analysis.summary.metrics["head_trunk_deg"].value
    assert head == pytest.approx(float(np.median(run.true_strides["head_trunk_deg"])), abs=0.5)


def test_lean_drift_of_5_deg_is_found_and_flagged(analysis: Analysis) -> None:
    d = _drift(analysis, "trunk_lean_stance_deg")
    assert d.change == pytest.approx(5.0, abs=1.0)
    assert d.ci95_low < d.change < d.ci95_high
    assert d.flagged, d.reason
    assert d.n_strides == analysis.summary.metrics["trunk_lean_stance_deg"].n_strides


def test_head_trunk_drift_of_6_deg_is_found_but_never_flagged(analysis: Analysis) -> None:
    # CLINICAL.md gives a flag level for trunk lean only: the head-trunk trend is shown
    d = _drift(analysis, "head_trunk_deg")
    assert d.change == pytest.approx(6.0, abs=1.0)
    assert not d.flagged
    assert "not flagged" in d.reason and "95% CI" in d.reason


def test_drift_is_withheld_on_a_short_clip() -> None:
    run = simulate_run(RunnerSpec(duration_s=12.0))
    a = analyze_keypoints(run.ds)
    assert a.summary.drift == []
    reasons = {w.metric: w.reason for w in a.summary.withheld}
    assert "needs at least 15 s" in reasons["drift of trunk_lean_stance_deg"]


def test_cadence_and_setup(analysis: Analysis) -> None:
    s = analysis.summary
    assert s.cadence_spm == pytest.approx(170.0, rel=0.01)
    assert s.setup.direction == "right"
    assert (s.setup.setting, s.setup.setting_source) == ("treadmill", "detected")
    assert s.setup.head_point == "mid_ear"
    assert s.synthetic is True and s.source.kind == "synthetic"
    assert s.source.fps == 30.0 and s.source.n_frames == 1800
    assert all(q.passed for q in s.quality), [q.message for q in s.quality if not q.passed]
    # 30 fps: contact time is withheld with its reason, and the timing note is given
    withheld = {w.metric: w.reason for w in s.withheld}
    assert "needs at least 50 fps" in withheld["ground_contact_ms"]
    assert "vertical_oscillation_cm" in withheld  # no height given
    assert any("good to about one frame" in n for n in s.notes)


def test_mirrored_run_gives_the_same_lean(run: SyntheticRun, analysis: Analysis) -> None:
    mirrored = analyze_keypoints(simulate_run(RunnerSpec(direction=-1)).ds)
    assert mirrored.summary.setup.direction == "left"
    assert _lean(mirrored) == pytest.approx(_lean(analysis), abs=0.05)
    assert _lean(mirrored) == pytest.approx(_true_median_lean(run), abs=LEAN_TOL_DEG)


def test_camera_tilt_is_removed_by_default(tilted: SyntheticRun) -> None:
    a = analyze_keypoints(tilted.ds)
    assert a.summary.setup.tilt_source == "ground line"
    # the ground line's angle is -camera_tilt_deg (see tests/kinematics/test_tilt.py)
    assert a.summary.setup.tilt_deg == pytest.approx(-5.0, abs=LEAN_TOL_DEG)
    assert _lean(a) == pytest.approx(_true_median_lean(tilted), abs=LEAN_TOL_DEG)


@pytest.mark.parametrize("direction", [1, -1])
def test_tilt_given_as_zero_leaves_the_lean_off_by_the_tilt(direction: int) -> None:
    # the scene turned clockwise by 5 deg: a runner toward +x looks 5 deg more
    # forward, a runner toward -x 5 deg less (synthetic/runner.py module docstring)
    run = simulate_run(RunnerSpec(camera_tilt_deg=5.0, direction=direction))
    a = analyze_keypoints(run.ds, AnalysisOptions(tilt_deg=0.0))
    assert (a.summary.setup.tilt_deg, a.summary.setup.tilt_source) == (0.0, "given")
    error = _lean(a) - _true_median_lean(run)
    assert error == pytest.approx(5.0 * direction, abs=LEAN_TOL_DEG)


def test_given_tilt_is_removed(tilted: SyntheticRun) -> None:
    a = analyze_keypoints(tilted.ds, AnalysisOptions(tilt_deg=-5.0))
    assert a.summary.setup.tilt_source == "given"
    assert _lean(a) == pytest.approx(_true_median_lean(tilted), abs=LEAN_TOL_DEG)


def test_given_height_reports_vertical_oscillation_in_cm(run: SyntheticRun) -> None:
    a = analyze_keypoints(run.ds, AnalysisOptions(height_cm=180.0, tilt_deg=0.0))
    cm = a.summary.metrics["vertical_oscillation_cm"]
    # true: 0.09 of the hip height, 0.530 x 180 cm
    assert cm.value == pytest.approx(0.09 * 0.530 * 180.0, abs=0.3)
    assert a.summary.setup.height_cm == 180.0


# ------------------------------------------------------------------ refusals


def _blank(ds: xr.Dataset, keypoints: tuple[str, ...], frames: np.ndarray | slice) -> xr.Dataset:
    out = ds.copy(deep=True)
    pos = out["position"].values
    for k in keypoints:
        pos[frames, :, list(ds["keypoint"].values).index(k)] = np.nan
    out["position"] = (ds["position"].dims, pos)
    return out


def _most_frames(ds: xr.Dataset) -> np.ndarray:
    """3 frames in every 5: exactly 60% of the frames, spread through the clip."""
    return np.arange(ds.sizes["time"]) % 5 < 3


@pytest.fixture(scope="module")
def short_run() -> xr.Dataset:
    return simulate_run(RunnerSpec(duration_s=20.0)).ds


def test_no_runner_in_most_frames_is_refused(short_run: xr.Dataset) -> None:
    body = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    ds = _blank(short_run, body, _most_frames(short_run))
    with pytest.raises(QualityError, match=r"no runner was found in most of the frames"):
        analyze_keypoints(ds, source_file="clip.mp4")


def test_feet_missing_in_most_frames_is_refused(short_run: xr.Dataset) -> None:
    ds = _blank(short_run, FEET, _most_frames(short_run))
    with pytest.raises(QualityError, match=r"feet are out of frame or hidden in 60% of the frames"):
        analyze_keypoints(ds)


def test_head_missing_is_refused(short_run: xr.Dataset) -> None:
    head = ("nose", "head_top", "left_ear", "right_ear")
    ds = _blank(short_run, head, slice(None))
    with pytest.raises(QualityError, match=r"head is out of frame or hidden in 100% of the frames"):
        analyze_keypoints(ds)


def test_refusal_names_the_file(short_run: xr.Dataset) -> None:
    ds = _blank(short_run, FEET, slice(None))
    with pytest.raises(QualityError, match=r"^clip\.mp4: the runner's feet"):
        analyze_keypoints(ds, source_file="clip.mp4")


def test_refusal_without_a_file_names_no_path(short_run: xr.Dataset) -> None:
    ds = _blank(short_run, FEET, slice(None))
    with pytest.raises(QualityError, match=r"^the runner's feet") as err:
        analyze_keypoints(ds)
    assert err.value.path is None


def test_frozen_series_is_refused_as_such(short_run: xr.Dataset) -> None:
    ds = short_run.copy(deep=True)
    ds["position"].values[:] = short_run["position"].values[:1]  # every frame is frame 0
    with pytest.raises(QualityError, match=r"^clip\.json: all 600 frames hold exactly the same"):
        analyze_keypoints(ds, source_file="clip.json")


@pytest.mark.parametrize("fps", [-30.0, 0.0, 2.0, 1e9])
def test_frame_rate_no_camera_films_at_is_refused(short_run: xr.Dataset, fps: float) -> None:
    """A Dataset made in memory has not met a reader's check; the analysis checks it."""
    ds = short_run.assign_attrs(fps=fps)
    shown = re.escape(f"{fps:.4g}")
    with pytest.raises(UprightError, match=rf"^clip\.json: its frame rate is {shown} fps"):
        analyze_keypoints(ds, source_file="clip.json")


def test_errors_from_the_measuring_steps_name_the_file(short_run: xr.Dataset) -> None:
    """The step-period search knows no file; the analysis adds it to its error."""
    one_second = short_run.isel(time=slice(0, 30))
    with pytest.raises(InsufficientDataError, match=r"^clip\.json: only 30 frames show the hips"):
        analyze_keypoints(one_second, source_file="clip.json")
    with pytest.raises(InsufficientDataError, match=r"^only 30 frames show the hips") as err:
        analyze_keypoints(one_second.assign_attrs(source_file=""))
    assert err.value.path is None


def test_feet_below_the_confidence_threshold_in_most_frames_is_refused(
    short_run: xr.Dataset,
) -> None:
    ds = short_run.copy(deep=True)
    conf = ds["confidence"].values
    frames = _most_frames(ds)
    for k in FEET:
        conf[frames, list(ds["keypoint"].values).index(k), 0] = 0.1  # below 0.3: masked
    ds["confidence"] = (ds["confidence"].dims, conf)
    # the analysis masks these points, so the screen must count them as missing
    with pytest.raises(QualityError, match=r"feet are out of frame or hidden in 60%"):
        analyze_keypoints(ds)


# ------------------------------------------------------------------ schema


def test_summary_validates_against_the_published_schema(analysis: Analysis) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(analysis.summary.model_dump_json())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert document["schema_version"] == SCHEMA_VERSION


def test_the_schema_file_is_the_generated_schema() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json()


def test_schema_rejects_a_summary_with_a_missing_field(analysis: Analysis) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    document = json.loads(analysis.summary.model_dump_json())
    del document["setup"]["tilt_deg"]
    with pytest.raises(jsonschema.ValidationError, match=r"'tilt_deg' is a required property"):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
