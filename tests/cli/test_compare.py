"""``upright compare``: outputs, the published schema, the cache, real data, bad input."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

import upright.pose.runner as pose_runner
from compare_clips import rotate_about_centre, write_synthetic_clip
from upright.cli.main import app
from upright.io.keypoints import read_keypoints, write_keypoints_netcdf
from upright.report.compare_outputs import COMPARE_FILES
from upright.services.cache import CACHE_ENV, AnalysisCache, hash_file, user_cache_dir
from upright.summaries.compare import schema_json

LEAN = "trunk_lean_stance_deg"
ROTATION_DEG = 5.0


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the user's cache: each test gets its own."""
    path = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(path))
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("compare_clips")
    leans = {"early": (6.0, 1), "mid": (7.0, 2), "late": (11.0, 3)}
    return {k: write_synthetic_clip(folder / f"{k}.nc", v, s) for k, (v, s) in leans.items()}


def load(out: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary


def published_schema() -> dict[str, Any]:
    text = (files("upright") / "schemas" / "upright.compare-1.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def lean_of(summary: dict[str, Any]) -> dict[str, Any]:
    metric: dict[str, Any] = next(m for m in summary["metrics"] if m["metric"] == LEAN)
    return metric


# ------------------------------------------------------------------ synthetic, end to end


def test_schema_file_is_the_generated_schema() -> None:
    assert (files("upright") / "schemas" / "upright.compare-1.schema.json").read_text() == (
        schema_json()
    )


def test_three_synthetic_clips(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        "compare", f"{clips['early']}@1", f"{clips['mid']}@8", f"{clips['late']}@15",
        "--out", out, "--unit", "km",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(COMPARE_FILES)
    summary = load(out)
    jsonschema.Draft202012Validator(published_schema()).validate(summary)
    assert summary["schema_version"] == "upright.compare/1"
    lean = lean_of(summary)
    assert lean["changes"][-1]["change"] == pytest.approx(5.0, abs=0.5)
    assert [c["flagged"] for c in lean["changes"]] == [False, True]
    assert lean["trend"]["flagged"]
    assert "FLAG" in result.output
    assert any("same camera set-up" in n for n in summary["notes"])
    table = pd.read_csv(out / "clips.csv")
    assert list(table["point_km"]) == [1.0, 8.0, 15.0]
    assert list(table["lean_flagged"].fillna("-")) == ["-", False, True]
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "plotly" in html.lower()
    remote = re.findall(r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html)
    assert remote == [], "compare.html loads scripts or styles from the network"
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    del summary["clips"][0]["point"]
    with pytest.raises(jsonschema.ValidationError, match="'point' is a required property"):
        jsonschema.Draft202012Validator(published_schema()).validate(summary)


def test_at_option_and_json(clips: dict[str, Path], tmp_path: Path) -> None:
    result = invoke(
        "compare", clips["early"], clips["late"], "--at", "10,70", "--unit", "min",
        "--json", "--out", tmp_path / "o",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["unit"] == "min"
    assert [c["point"] for c in summary["clips"]] == [10.0, 70.0]
    assert lean_of(summary)["changes"][0]["flagged"]


# ------------------------------------------------------------------ real keypoints, rotated


def test_real_rtmpose_keypoints_rotated_5_deg_read_as_5_deg_more_lean(
    shared_data: Path, tmp_path: Path
) -> None:
    """The runner faces image-left; rotating every point counter-clockwise (as seen on
    screen) about the image centre by +5 deg tips the trunk forward: lean +5 deg."""
    source = shared_data / "video" / "male_side.rtmpose.json"
    ds = read_keypoints(source)
    late = tmp_path / "late_rotated.nc"
    write_keypoints_netcdf(rotate_about_centre(ds, ROTATION_DEG), late)
    out = tmp_path / "out"
    result = invoke("compare", f"{source}@1", f"{late}@8", "--tilt-deg", "0", "--out", out)
    assert result.exit_code == 0, result.output
    summary = load(out)
    assert [c["direction"] for c in summary["clips"]] == ["left", "left"]
    change = lean_of(summary)["changes"][0]
    assert change["change"] == pytest.approx(ROTATION_DEG, abs=0.5)  # measured +4.95
    assert change["flagged"]
    head = next(m for m in summary["metrics"] if m["metric"] == "head_trunk_deg")
    assert head["changes"][0]["change"] == pytest.approx(0.0, abs=0.5)  # a rigid turn
    assert not head["flagged"]


def test_clips_filmed_differently_are_warned_about(
    shared_data: Path, clips: dict[str, Path], tmp_path: Path
) -> None:
    source = shared_data / "video" / "male_side.rtmpose.json"
    result = invoke("compare", f"{clips['early']}@1", f"{source}@5", "--json", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    warnings = " ".join(json.loads(result.stdout)["setup_warnings"])
    assert "differ in pose source" in warnings
    assert "differ in running direction" in warnings


# ------------------------------------------------------------------ real clip and the cache


@pytest.mark.slow
def test_real_clip_twice_second_analysis_from_cache(
    real_clip: Path, tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    original = pose_runner.estimate_pose_video

    def counting(path: Any, **kwargs: Any) -> Any:
        calls.append(Path(path))
        return original(path, **kwargs)

    monkeypatch.setattr(pose_runner, "estimate_pose_video", counting)
    out = tmp_path / "first"
    result = invoke("compare", f"{real_clip}@1", f"{real_clip}@10", "--out", out)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1  # the same clip's second analysis came from the cache
    summary = load(out)
    assert [c["from_cache"] for c in summary["clips"]] == [False, True]
    change = lean_of(summary)["changes"][0]
    assert change["change"] == pytest.approx(0.0, abs=1e-9)
    assert not change["flagged"]
    entry = cache_dir / "analyses" / hash_file(real_clip)
    assert sorted(p.name for p in entry.iterdir()) == [
        "keypoints.nc", "manifest.json", "strides.csv", "summary.json",
    ]  # fmt: skip

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("pose estimation was called for a cached clip")

    monkeypatch.setattr(pose_runner, "estimate_pose_video", refuse)
    out2 = tmp_path / "second"
    result = invoke("compare", f"{real_clip}@1", f"{real_clip}@10", "--out", out2)
    assert result.exit_code == 0, result.output
    assert [c["from_cache"] for c in load(out2)["clips"]] == [True, True]
    # other options: analysis redone from the cached keypoints, still no pose estimation
    result = invoke("compare", f"{real_clip}@1", f"{real_clip}@10", "--tilt-deg", "0",
                    "--out", tmp_path / "third")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_cache_root_follows_the_environment(cache_dir: Path) -> None:
    assert user_cache_dir() == cache_dir
    assert AnalysisCache().entry("ab") == cache_dir / "analyses" / "ab"


# ------------------------------------------------------------------ bad input


def _assert_refused(result: Result, out: Path, match: str) -> None:
    assert result.exit_code == 2, result.output
    assert match in " ".join(result.output.split())
    assert not out.exists()


def test_missing_clip_is_named(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    gone = tmp_path / "nope.mp4"
    result = invoke("compare", f"{clips['early']}@1", f"{gone}@5", "--out", out)
    _assert_refused(result, out, "clip 2 does not exist")


def test_points_not_increasing(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("compare", f"{clips['early']}@8", f"{clips['late']}@8", "--out", out)
    _assert_refused(result, out, "clip 2 is at 8, not after clip 1 at 8")


def test_one_clip_only(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("compare", f"{clips['early']}@1", "--out", out)
    _assert_refused(result, out, "a comparison needs at least 2")


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--at", "1,2"], "points were given both with '@' and with --at"),
        ([], "no point given for"),
    ],
)
def test_points_missing_or_given_twice(
    clips: dict[str, Path], tmp_path: Path, extra: list[str], match: str
) -> None:
    out = tmp_path / "out"
    first = f"{clips['early']}@1" if extra else str(clips["early"])
    result = invoke("compare", first, str(clips["late"]), *extra, "--out", out)
    _assert_refused(result, out, match)


def test_bad_point_and_at_count(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("compare", f"{clips['early']}@x", f"{clips['late']}@2", "--out", out)
    _assert_refused(result, out, "'x' is not a number")
    result = invoke("compare", clips["early"], clips["late"], "--at", "1", "--out", out)
    _assert_refused(result, out, "--at has 1 points for 2 clips")


def test_a_clip_that_fails_analysis_is_named_and_nothing_is_written(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "gaitlab.pose/v1", "fps": 30, "keypoints": [[1', "utf-8")
    out = tmp_path / "results"
    out.mkdir()
    (out / "mine.txt").write_text("keep\n", encoding="utf-8")
    result = invoke("compare", f"{clips['early']}@1", f"{broken}@5", "--out", out)
    assert result.exit_code == 2, result.output
    assert "clip 2 (broken.json at 5) could not be analysed" in " ".join(result.output.split())
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]


# ------------------------------------------------------------------ pain onset


def test_pain_onset_reaches_the_summary_the_output_and_the_plots(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "compare", f"{clips['early']}@1", f"{clips['late']}@15", "--pain-onset-km", "10",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = load(out)
    jsonschema.Draft202012Validator(published_schema()).validate(summary)
    assert summary["schema_version"] == "upright.compare/1"
    assert summary["pain_onset"] == {
        "given_as": "km",
        "km": 10.0,
        "minute": None,
        "on_axis": True,
        "clips_before": [1],
        "description": "pain started at 10 km, between clip 1 (1 km) and clip 2 (15 km)",
    }
    output = " ".join(result.output.split())
    assert "Pain: pain started at 10 km, between clip 1 (1 km) and clip 2 (15 km)" in output
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "pain starts 10 km" in html  # the label of the dashed line
    assert "<li>pain started at 10 km" in html
    assert '"dash":"dash"' in html


def test_pain_onset_in_the_other_unit_is_kept_and_said_to_be_off_the_axis(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "compare", f"{clips['early']}@1", f"{clips['late']}@15", "--unit", "km",
        "--pain-onset-min", "40", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = load(out)
    jsonschema.Draft202012Validator(published_schema()).validate(summary)
    onset = summary["pain_onset"]
    assert (onset["given_as"], onset["minute"], onset["km"]) == ("minute", 40.0, None)
    assert not onset["on_axis"] and onset["clips_before"] is None
    assert any("cannot be placed on the distance axis" in n for n in summary["notes"])
    output = " ".join(result.output.split())
    assert "Pain: pain started at minute 40" in output
    assert "cannot be placed on the distance axis" in output
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "pain starts min 40 - not on this distance axis" in html
    assert '"dash":"dash"' not in html


def test_summary_without_pain_onset_has_it_null(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = invoke("compare", f"{clips['early']}@1", f"{clips['late']}@15", "--out", out)
    assert result.exit_code == 0, result.output
    assert load(out)["pain_onset"] is None
    assert "Pain:" not in result.output
    assert "pain starts" not in (out / "compare.html").read_text(encoding="utf-8")


def test_both_pain_onsets_exit_2(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        "compare", f"{clips['early']}@1", f"{clips['late']}@15",
        "--pain-onset-km", "10", "--pain-onset-min", "40", "--out", out,
    )  # fmt: skip
    _assert_refused(result, out, "the pain onset was given both in km and in minutes")
    assert "Give one of --pain-onset-km and --pain-onset-min" in " ".join(result.output.split())


@pytest.mark.parametrize("option", ["--pain-onset-km", "--pain-onset-min"])
def test_negative_pain_onset_is_a_usage_error(
    clips: dict[str, Path], tmp_path: Path, option: str
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "compare", f"{clips['early']}@1", f"{clips['late']}@15", option, "-1", "--out", out
    )
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert not out.exists()
