"""Tests of upright.cli.jobs: a whole job writes its output folder all or nothing.

The input is the synthetic runner's keypoints (exact, no pose estimation), saved as an
upright pose file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from upright.cli.jobs import AnalyzeJob, run_analyze_job
from upright.errors import InputError, UnsupportedFormatError
from upright.io.keypoints import write_keypoints_netcdf
from upright.io.video import VideoWriter
from upright.report.outputs import OUTPUT_FILES
from upright.report.staging import OWNER_LOCK
from upright.report.still import STILL_NAME
from upright.services.analyze import AnalysisOptions
from upright.synthetic.runner import RunnerSpec, simulate_run

DURATION_S = 10.0
CADENCE_SPM = 170.0
PRE_EXISTING = "my_notes.txt"


def folder_state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry of a folder (hidden ones too) with its content and mtime."""
    return {
        p.name: (p.read_bytes() if p.is_file() else b"<dir>", p.stat().st_mtime_ns)
        for p in folder.iterdir()
    }


@pytest.fixture(scope="module")
def synthetic_keypoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = simulate_run(RunnerSpec(duration_s=DURATION_S, cadence_spm=CADENCE_SPM))
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.nc"
    write_keypoints_netcdf(run.ds, path)
    return path


@pytest.fixture()
def out_with_file(tmp_path: Path) -> Path:
    """An output folder that already holds a file of the user's."""
    out = tmp_path / "results"
    out.mkdir()
    (out / PRE_EXISTING).write_text("do not touch\n", encoding="utf-8")
    return out


@pytest.fixture()
def grey_clip(tmp_path: Path) -> Path:
    """A short grey clip to stand in for the video behind the keypoints."""
    path = tmp_path / "clip.mp4"
    with VideoWriter(path, width_px=64, height_px=48, fps=30, preset="ultrafast") as writer:
        for _ in range(10):
            writer.write(np.full((48, 64, 3), 128, dtype=np.uint8))
    return path


@pytest.fixture
def matching_clip(tmp_path: Path) -> Path:
    """A grey clip with as many frames (300, at 30 fps) as the synthetic keypoints."""
    path = tmp_path / "matching.mp4"
    n = round(DURATION_S * 30)
    with VideoWriter(path, width_px=64, height_px=48, fps=30, preset="ultrafast") as writer:
        for _ in range(n):
            writer.write(np.full((48, 64, 3), 128, dtype=np.uint8))
    return path


def test_job_writes_every_output_beside_existing_files(
    synthetic_keypoints: Path, out_with_file: Path
) -> None:
    before = (out_with_file / PRE_EXISTING).stat().st_mtime_ns
    analysis = run_analyze_job(AnalyzeJob(out_dir=out_with_file, keypoints=synthetic_keypoints))
    assert {p.name for p in out_with_file.iterdir()} == {*OUTPUT_FILES, PRE_EXISTING}
    assert (out_with_file / PRE_EXISTING).stat().st_mtime_ns == before
    assert analysis.summary.cadence_spm == pytest.approx(CADENCE_SPM, abs=1.0)
    assert analysis.summary.source.kind == "keypoints"


@pytest.mark.parametrize(
    "step", ["write_keypoints_netcdf", "write_posture_png", "write_interactive_html"]
)
def test_failing_step_leaves_the_folder_as_it_was(
    step: str, synthetic_keypoints: Path, out_with_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f"upright.report.outputs.{step}", fail)
    before = folder_state(out_with_file)
    with pytest.raises(InputError, match="disk full while writing the results") as err:
        run_analyze_job(AnalyzeJob(out_dir=out_with_file, keypoints=synthetic_keypoints))
    assert isinstance(err.value.__cause__, OSError) and err.value.__cause__.errno == 28
    assert folder_state(out_with_file) == before  # staging folder gone, file untouched


def test_interrupted_job_leaves_the_folder_as_it_was(
    synthetic_keypoints: Path, out_with_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("upright.report.outputs.write_posture_png", interrupt)
    before = folder_state(out_with_file)
    with pytest.raises(KeyboardInterrupt):
        run_analyze_job(AnalyzeJob(out_dir=out_with_file, keypoints=synthetic_keypoints))
    assert folder_state(out_with_file) == before


def test_failing_annotation_leaves_the_folder_as_it_was(
    synthetic_keypoints: Path,
    matching_clip: Path,
    out_with_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The annotated video is the last step: every other file is staged by then."""
    staged: list[str] = []

    def fail(video: Path, overlay: object, out_path: Path, **kwargs: object) -> None:
        staged.extend(sorted(p.name for p in out_path.parent.iterdir() if p.name != OWNER_LOCK))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("upright.workflows.analyze.write_annotated_video", fail)
    before = folder_state(out_with_file)
    job = AnalyzeJob(out_dir=out_with_file, video=matching_clip, keypoints=synthetic_keypoints)
    with pytest.raises(InputError, match="disk full while writing the results"):
        run_analyze_job(job)
    assert staged == sorted([*OUTPUT_FILES, STILL_NAME])
    assert folder_state(out_with_file) == before


def test_keypoints_longer_than_the_clip_are_refused(
    synthetic_keypoints: Path, grey_clip: Path, out_with_file: Path
) -> None:
    """10 s of keypoints (300 frames) do not belong to a 10-frame clip."""
    before = folder_state(out_with_file)
    job = AnalyzeJob(out_dir=out_with_file, video=grey_clip, keypoints=synthetic_keypoints)
    with pytest.raises(InputError, match="do not match the clip"):
        run_analyze_job(job)
    assert folder_state(out_with_file) == before


def test_job_without_input_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no clip given.*upright demo"):
        run_analyze_job(AnalyzeJob(out_dir=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_bad_clip_fails_before_the_output_folder_is_made(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_text("not a video\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match="not a video file"):
        run_analyze_job(AnalyzeJob(out_dir=tmp_path / "out", video=clip))
    assert not (tmp_path / "out").exists()


def test_output_path_that_is_a_file_is_refused(synthetic_keypoints: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    out.write_text("a file, not a folder\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot create the output folder"):
        run_analyze_job(AnalyzeJob(out_dir=out, keypoints=synthetic_keypoints))
    assert out.read_text(encoding="utf-8") == "a file, not a folder\n"


def test_given_options_reach_the_summary(synthetic_keypoints: Path, tmp_path: Path) -> None:
    options = AnalysisOptions(tilt_deg=0.0, setting="treadmill", direction="right", height_cm=175.0)
    analysis = run_analyze_job(
        AnalyzeJob(out_dir=tmp_path / "out", keypoints=synthetic_keypoints, options=options)
    )
    setup = analysis.summary.setup
    assert (setup.tilt_source, setup.setting_source, setup.direction) == ("given", "given", "right")
    assert setup.height_cm == 175.0
    assert "vertical_oscillation_cm" in analysis.summary.metrics
